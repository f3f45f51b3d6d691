import type { User } from '../api/types';

/**
 * Where to go after signing in: the `next` parameter, when it is a path on this site. Anything else
 * (another origin, `//host`) is ignored, so a link cannot send a person elsewhere after sign-in.
 */
export function safeNextPath(next: string | null, fallback = '/'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

/** A link to a sign-in page that comes back to `path` afterwards. */
export function withNext(page: '/login' | '/signup', path: string): string {
  return `${page}?next=${encodeURIComponent(path)}`;
}

/** The log-in after a session ended at `path`: it says so, and comes back to `path`. */
export function logInAgain(path: string): string {
  return `${withNext('/login', path)}&session=ended`;
}

/**
 * Where a person lands after signing in with nowhere else to go: administrators where they work
 * (the credits administration), everyone else on their credits.
 */
export function landingFor(user: Pick<User, 'is_admin'>): string {
  return user.is_admin ? '/credits/admin' : '/credits';
}
