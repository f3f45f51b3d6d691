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

export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new AppError('forbidden', 'only an administrator may do this');
}
