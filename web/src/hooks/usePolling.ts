import { useEffect, useRef } from 'react';

/**
 * Calls `poll` every `intervalMs` while `active` (a page that follows something changing on the
 * server); a poll still waiting for its answer is not started again.
 */
export function usePolling(poll: () => Promise<void>, intervalMs: number, active = true): void {
  const pollRef = useRef(poll);
  pollRef.current = poll;
  useEffect(() => {
    if (!active) return;
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void pollRef.current().finally(() => {
        running = false;
      });
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
}
