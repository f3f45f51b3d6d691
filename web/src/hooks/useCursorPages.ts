import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { type ApiError, asApiError } from '../api/errors';
import type { LoadedState } from './useResource';

export interface CursorPage<T> {
  items: T[];
  next_cursor: string | null;
}

export interface CursorPages<T> {
  /** The first page, with its loading and error states. */
  first: LoadedState<CursorPage<T>>;
  /** Every item loaded so far, newest first. */
  items: T[];
  hasMore: boolean;
  loadingMore: boolean;
  moreError: ApiError | undefined;
  loadMore: () => Promise<void>;
  /** Starts over from the newest page (after a change that moves items around). */
  reload: () => Promise<void>;
}

/**
 * A newest-first list the API pages with `cursor=<next_cursor>`, as a TanStack infinite query: the
 * first page loads with the page, "Load older" appends the next one. A new `key` (another filter)
 * starts over.
 */
export function useCursorPages<T>(
  key: string,
  loadPage: (cursor?: string) => Promise<CursorPage<T>>,
): CursorPages<T> {
  const query = useInfiniteQuery({
    queryKey: ['pages', key],
    queryFn: ({ pageParam }) => loadPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const { fetchNextPage, refetch, hasNextPage, isFetchingNextPage } = query;
  const firstPage = query.data?.pages[0];
  const firstFailed = query.isError && !firstPage;
  const reload = useCallback(async () => {
    await refetch();
  }, [refetch]);
  const loadMore = useCallback(async () => {
    if (hasNextPage && !isFetchingNextPage) await fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  return {
    first: {
      data: firstPage,
      error: firstFailed ? asApiError(query.error) : undefined,
      loading: query.isFetching && !isFetchingNextPage,
      reload,
    },
    items: query.data?.pages.flatMap((page) => page.items) ?? [],
    hasMore: hasNextPage,
    loadingMore: isFetchingNextPage,
    moreError: query.isFetchNextPageError ? asApiError(query.error) : undefined,
    loadMore,
    reload,
  };
}
