import type { MiddlewareHandler } from 'hono';
import { type Actor, anonymousActor } from './actor';
import { AppError } from './errors';
import type { Env } from './http';

/**
 * Who may call a route, declared with the route and enforced by the router before anything else of
 * the route runs (validation included), so that no route can forget it and the OpenAPI document
 * shows it:
 * - `anyone`: visitors too (sign-up, sign-in, a webhook that carries its own signature).
 * - `signed-in`: a person (session or API key) or the operator's key.
 * - `admin`: an administrator (session or API key) or the operator's key.
 * - `operator`: the operator's key (ADMIN_API_KEY) only: the ledger's raw API, the CLI's way in.
 * An API key also needs the route's `scope`; a route marked `session` takes no key at all (it mints
 * keys, ends sessions, or grants rights: a stolen key must not be able to widen itself).
 * Services still decide what a caller may see or change (their own records, an organisation's
 * roles); this is the gate in front of them.
 */
export type RouteAccess =
  | { caller: 'anyone' }
  | { caller: 'operator' }
  | { caller: 'signed-in' | 'admin'; scope: string }
  | { caller: 'signed-in' | 'admin'; session: true };

/** The OpenAPI extension that carries a route's access, for the document and for tests. */
export const ACCESS_EXTENSION = 'x-tally-access';

export interface DocumentedAccess {
  caller: RouteAccess['caller'];
  scope: string | null;
  session_only: boolean;
}

export function documentedAccess(access: RouteAccess): DocumentedAccess {
  return {
    caller: access.caller,
    scope: 'scope' in access ? access.scope : null,
    session_only: 'session' in access,
  };
}

/** The route's OpenAPI security requirements and a sentence for its description. */
export function accessDocumentation(access: RouteAccess): {
  security: Record<string, string[]>[];
  sentence: string;
} {
  if (access.caller === 'anyone') return { security: [{}], sentence: 'Anyone may call it.' };
  if (access.caller === 'operator') {
    return { security: [{ adminKey: [] }], sentence: 'The operator key (ADMIN_API_KEY) only.' };
  }
  const who =
    access.caller === 'admin'
      ? 'Administrators (and the operator key) only.'
      : 'Any signed-in person (and the operator key).';
  if ('session' in access) {
    return { security: [{ session: [] }], sentence: `${who} With a session only: API keys are refused.` };
  }
  return {
    security: [{ session: [] }, { apiKey: [access.scope] }, { adminKey: [] }],
    sentence: `${who} An API key needs the \`${access.scope}\` scope.`,
  };
}

/**
 * The refusal, or null when `actor` may call a route with this access. Each refusal says which rule
 * refused it in `details.reason` (`sign_in`, `admin_only`, `operator_only`, `scope`, `session_only`).
 */
export function accessRefusal(access: RouteAccess, actor: Actor): AppError | null {
  if (access.caller === 'anyone') return null;
  const operator = isOperator(actor);
  if (access.caller === 'operator') {
    return operator
      ? null
      : new AppError('unauthorized', 'a valid admin API key is required (Authorization: Bearer …)', {
          reason: 'operator_only',
        });
  }
  if (!actor.userId && !operator) return new AppError('unauthorized', 'sign in first', { reason: 'sign_in' });
  if (access.caller === 'admin' && !actor.isAdmin) {
    return new AppError('forbidden', 'only an administrator may do this', { reason: 'admin_only' });
  }
  if ('session' in access) {
    if (actor.apiKeyId !== null || operator) {
      return new AppError('forbidden', 'this needs a signed-in session: API keys may not do it', {
        reason: 'session_only',
      });
    }
    return null;
  }
  if (actor.scopes && !actor.scopes.includes(access.scope)) {
    return new AppError('forbidden', `this API key lacks the "${access.scope}" scope`, {
      reason: 'scope',
      scope: access.scope,
    });
  }
  return null;
}

/** The operator's key: the system's own actor, as a request (it has an address; no person, no key row). */
const isOperator = (actor: Actor) => actor.isAdmin && actor.userId === null && actor.apiKeyId === null;

export function enforceAccess(access: RouteAccess): MiddlewareHandler<Env> {
  return async (c, next) => {
    const refusal = accessRefusal(access, c.get('actor') ?? anonymousActor());
    if (refusal) throw refusal;
    await next();
  };
}

/**
 * Every route's declared access, as the OpenAPI registry holds it (`METHOD /path` → access). Tally
 * checks at start that each scope named is one a key can carry, and tests walk these.
 */
export function declaredAccess(app: {
  openAPIRegistry: { definitions: readonly unknown[] };
}): Map<string, DocumentedAccess> {
  const routes = new Map<string, DocumentedAccess>();
  for (const definition of app.openAPIRegistry.definitions) {
    const { type, route } = definition as { type: string; route?: Record<string, unknown> };
    if (type !== 'route' || !route) continue;
    const access = route[ACCESS_EXTENSION] as DocumentedAccess | undefined;
    if (access) routes.set(`${String(route.method).toUpperCase()} ${String(route.path)}`, access);
  }
  return routes;
}

/** Refuses to start a Tally whose routes name a scope no key can carry. */
export function assertKnownScopes(
  app: Parameters<typeof declaredAccess>[0],
  scopes: { has(scope: string): boolean },
): void {
  const unknown = [...declaredAccess(app)]
    .filter(([, access]) => access.scope !== null && !scopes.has(access.scope))
    .map(([route, access]) => `${route} (${access.scope})`);
  if (unknown.length > 0) throw new Error(`routes name scopes no API key can carry: ${unknown.join(', ')}`);
}
