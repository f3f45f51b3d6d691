import { api, call } from '../../api/client';
import { useResource } from '../../hooks/useResource';
import { useSession } from '../../session/SessionContext';

/** Who the cache keys belong to: another person signing in in the same tab reads afresh. */
function useUserKey(): string {
  const { session } = useSession();
  return session.status === 'signed-in' ? session.user.id : 'signed-out';
}

/** The signed-in person's gateway balance and state. */
export function useGatewayBalance() {
  const user = useUserKey();
  return useResource(`gateway-balance:${user}`, () => call(api.GET('/api/gateway/balance')));
}

/** Every server on offer, with its tools, prices and figures (public). */
export function useCatalogue() {
  return useResource('gateway-catalogue', async () => (await call(api.GET('/api/gateway/catalogue'))).items);
}

/** The signed-in person's provider profile, or null when they are not a provider. */
export function useOwnProvider() {
  const user = useUserKey();
  return useResource(
    `gateway-provider:${user}`,
    async () => (await call(api.GET('/api/gateway/provider'))).provider,
  );
}

/** The signed-in person's session grants. */
export function useGrants() {
  const user = useUserKey();
  return useResource(
    `gateway-grants:${user}`,
    async () => (await call(api.GET('/api/gateway/grants'))).items,
  );
}

/**
 * The API document types some answers as possibly null where Tally always answers the object (a
 * named schema it also uses nullable elsewhere): what the page reads is checked here, once.
 */
export function present<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('Tally answered without what was asked for.');
  return value;
}

export const isPresent = <T>(value: T | null | undefined): value is T =>
  value !== null && value !== undefined;
