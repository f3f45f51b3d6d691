import { Button, Center, Stack } from '@mantine/core';
import type { CursorPages } from '../hooks/useCursorPages';
import { ErrorState } from './States';

/** The end of a paged list: a button for the next page, or nothing when all is shown. */
export function LoadOlder<T>({ pages, label = 'Load older' }: { pages: CursorPages<T>; label?: string }) {
  if (!pages.hasMore) return null;
  return (
    <Stack gap="sm">
      {pages.moreError && <ErrorState error={pages.moreError} />}
      <Center>
        <Button variant="default" loading={pages.loadingMore} onClick={() => void pages.loadMore()}>
          {label}
        </Button>
      </Center>
    </Stack>
  );
}
