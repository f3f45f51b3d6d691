/**
 * Where to continue once a sign-up is confirmed. The confirmation link arrives by mail, so the page
 * a person came from (an invitation, say) is kept in this browser until the link is followed.
 */
const KEY = 'tally.after-sign-in';

export function rememberAfterSignIn(path: string): void {
  if (path) window.localStorage.setItem(KEY, path);
}

export function takeAfterSignIn(): string | null {
  const path = window.localStorage.getItem(KEY);
  window.localStorage.removeItem(KEY);
  return path;
}
