/**
 * What people typed in forms, kept across a log-in when their session ends mid-form (UI.md:
 * sessions end gracefully). Each mounted form registers how to read its values; when the session
 * ends they are written to sessionStorage, keyed by the page and the form, and the form takes them
 * back when it is mounted again after the log-in. Only then: a draft is never written while the
 * person is still signed in, and secrets are never written (each form names what to leave out).
 */

const PREFIX = 'tally.draft:';

type Values = Record<string, unknown>;

const readers = new Map<string, () => Values>();

export const draftKey = (pathname: string, form: string) => `${PREFIX}${pathname}#${form}`;

/** Registers a mounted form; the returned function unregisters it. */
export function registerDraft(key: string, read: () => Values): () => void {
  readers.set(key, read);
  return () => {
    if (readers.get(key) === read) readers.delete(key);
  };
}

/** Writes every mounted form's values (the session just ended). */
export function keepDrafts(): void {
  for (const [key, read] of readers) {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(read()));
    } catch {
      // A full or disabled storage loses the draft, not the log-in that follows.
    }
  }
}

/** The values kept for `key`, once: reading removes them, so an old draft never comes back twice. */
export function takeDraft(key: string): Values | null {
  let text: string | null = null;
  try {
    text = window.sessionStorage.getItem(key);
    window.sessionStorage.removeItem(key);
  } catch {
    return null;
  }
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Values)
      : null;
  } catch {
    return null;
  }
}
