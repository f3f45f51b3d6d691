/**
 * The API client's word that the server refused a call for want of a signed-in person. The client
 * cannot tell a session that ended from a visitor who never had one; the session provider, which
 * knows who was signed in, decides what it means.
 */
type Listener = () => void;

const listeners = new Set<Listener>();

export function onSignInRefused(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function reportSignInRefused(): void {
  for (const listener of [...listeners]) listener();
}
