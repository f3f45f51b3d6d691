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
