import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { type ApiError, asApiError } from '../api/errors';

/** What a page shows of something it reads: loading, failed, or loaded. */
export interface LoadedState<T> {
  /** The last data that loaded; kept while a reload runs, so the page does not flash. */
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

export interface Resource<T> extends LoadedState<T> {
  /** Replaces the data after a change the page made itself (an edit the server confirmed). */
  replace: (data: T) => void;
}

/**
 * Something a page reads from the server, through the app's TanStack Query cache. `key` names what
 * is read (an id, a filter): pages that read the same key share one request and one answer.
 */
export function useResource<T>(key: string, load: () => Promise<T>): Resource<T> {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['resource', key], queryFn: load });
  const { refetch } = query;
  const reload = useCallback(async () => {
    await refetch();
  }, [refetch]);
  const replace = useCallback(
    (data: T) => queryClient.setQueryData(['resource', key], data),
    [queryClient, key],
  );
  return {
    data: query.data,
    error: query.error ? asApiError(query.error) : undefined,
    loading: query.isFetching,
    reload,
    replace,
  };
}
