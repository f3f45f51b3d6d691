import { QueryClient } from '@tanstack/react-query';
import { asApiError } from './errors';

/**
 * A cache of server data as the app keeps it. A refusal (4xx) is the answer and is not asked again;
 * only a failure to reach Tally is retried, once. Pages refetch what they change, not on every focus.
 */
export const newQueryClient = () =>
  new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => asApiError(error).status === 0 && failures < 1,
        refetchOnWindowFocus: false,
      },
    },
  });

/** The app's one cache. */
export const queryClient = newQueryClient();
