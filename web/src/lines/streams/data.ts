import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, call } from '../../api/client';
import { useResource } from '../../hooks/useResource';
import { useSession } from '../../session/SessionContext';

/** Who the cache keys belong to: another person signing in in the same tab reads afresh. */
function useUserKey(): string {
  const { session } = useSession();
  return session.status === 'signed-in' ? session.user.id : 'signed-out';
}

/** The signed-in person's producer profile, or null when they are not a producer yet. */
export function useOwnProducer() {
  const user = useUserKey();
  return useResource(
    `streams-producer:${user}`,
    async () => (await call(api.GET('/api/streams/producer'))).producer,
  );
}

/** The signed-in producer's plans, active and inactive, oldest first. */
export function useOwnPlans() {
  const user = useUserKey();
  return useResource(
    `streams-plans:${user}`,
    async () => (await call(api.GET('/api/streams/producer/plans'))).items,
  );
}

/** The signed-in producer's statistics: consumers streaming now, the monthly inflow, and 30 days of both. */
export function useProducerStats() {
  const user = useUserKey();
  return useResource(`streams-stats:${user}`, () => call(api.GET('/api/streams/producer/stats')));
}

/** After a plan is saved: the producer's list and the plan's pages read it afresh. */
export function useForgetPlans() {
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      queryClient.invalidateQueries({
        predicate: (query) => {
          const [kind, key] = query.queryKey;
          return kind === 'resource' && typeof key === 'string' && key.startsWith('streams-');
        },
      }),
    [queryClient],
  );
}

/** A producer as consumers see it, with its open plans. */
export function useProducerOffer(producerId: string) {
  return useResource(`streams-producer-offer:${producerId}`, () =>
    call(api.GET('/api/streams/producers/{id}', { params: { path: { id: producerId } } })),
  );
}
