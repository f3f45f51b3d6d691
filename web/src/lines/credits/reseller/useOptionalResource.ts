import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { asApiError } from '../../../api/errors';
import type { Resource } from '../../../hooks/useResource';

/** Asking again on a timer while what was read is still on its way somewhere (a check, a sweep). */
export interface Refresh<T> {
  everyMs: number;
  while: (data: T) => boolean;
}

/**
 * Something a reseller may not have set up yet (its domain, its shop's own database): the answer,
 * or null where the API answers 404, so a page can offer the first step instead of an error. With
 * `refresh`, what Tally's jobs do to it meanwhile shows without a click.
 */
export function useOptionalResource<T>(
  key: string,
  load: () => Promise<T>,
  refresh?: Refresh<T>,
): Resource<T | null> {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ['resource', key],
    queryFn: async () => {
      try {
        return await load();
      } catch (error) {
        if (asApiError(error).status === 404) return null;
        throw error;
      }
    },
    refetchInterval: (current) => {
      const data = current.state.data;
      return refresh && data && refresh.while(data) ? refresh.everyMs : false;
    },
  });
  const { refetch } = query;
  const reload = useCallback(async () => {
    await refetch();
  }, [refetch]);
  const replace = useCallback(
    (data: T | null) => queryClient.setQueryData(['resource', key], data),
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
