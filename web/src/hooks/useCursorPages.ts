import { useCallback, useState } from 'react';
import { type ApiError, asApiError } from '../api/errors';
import { type Resource, useResource } from './useResource';

export interface CursorPage<T> {
  items: T[];
  next_cursor: string | null;
}

export interface CursorPages<T> {
  /** The first page, with its loading and error states. */
  first: Resource<CursorPage<T>>;
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
 * A newest-first list the API pages with `cursor=<next_cursor>`: the first page loads with the
 * page, "Load older" appends the next one. A new `key` (another filter) starts over.
 */
export function useCursorPages<T>(
  key: string,
  loadPage: (cursor?: string) => Promise<CursorPage<T>>,
): CursorPages<T> {
  const first = useResource(key, () => loadPage());
  const [older, setOlder] = useState<{ key: string; items: T[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError>();

  const current = older?.key === key && first.data ? older : null;
  const cursor = current ? current.cursor : (first.data?.next_cursor ?? null);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await loadPage(cursor);
      setOlder((previous) => ({
        key,
        items: [...(previous?.key === key ? previous.items : []), ...page.items],
        cursor: page.next_cursor,
      }));
    } catch (error) {
      setMoreError(asApiError(error));
    } finally {
      setLoadingMore(false);
    }
  }, [cursor, key, loadPage]);

  const reload = useCallback(async () => {
    setOlder(null);
    await first.reload();
  }, [first.reload]);

  return {
    first,
    items: [...(first.data?.items ?? []), ...(current?.items ?? [])],
    hasMore: cursor !== null,
    loadingMore,
    moreError,
    loadMore,
    reload,
  };
}
