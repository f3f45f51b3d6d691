import { AppError } from './errors';

/**
 * Who is calling a service: a signed-in person (by session or API key), or the system itself
 * (jobs, the CLI). Services check authorization against this, never against the HTTP request.
 */
export interface Actor {
  userId: string | null;
  isAdmin: boolean;
  /** Set when the call came with an API key; then only `scopes` are allowed. */
  apiKeyId: string | null;
  scopes: readonly string[] | null;
  ip: string | null;
  requestId: string | null;
}

export const systemActor: Actor = {
  userId: null,
  isAdmin: true,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
};

export const anonymousActor = (ip: string | null = null, requestId: string | null = null): Actor => ({
  userId: null,
  isAdmin: false,
  apiKeyId: null,
  scopes: null,
  ip,
  requestId,
});

/** The signed-in person's id, or `unauthorized`. */
export function requireUser(actor: Actor): string {
  if (!actor.userId) throw new AppError('unauthorized', 'sign in first');
  return actor.userId;
}

/** An API key may only do what its scopes allow; a session may do anything its person may. */
export function requireScope(actor: Actor, scope: string): void {
  if (actor.scopes && !actor.scopes.includes(scope)) {
    throw new AppError('forbidden', `this API key lacks the "${scope}" scope`);
  }
}

export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new AppError('forbidden', 'only an administrator may do this');
}
