import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, call } from '../api/client';
import { useSession } from '../session/SessionContext';

const POLL_MS = 30_000;

interface UnreadCountValue {
  /** Unread notifications, or null while unknown (signed out, or the count could not be loaded). */
  count: number | null;
  refresh: () => Promise<void>;
}

const UnreadCountContext = createContext<UnreadCountValue>({ count: null, refresh: async () => {} });

/** The unread notifications count the navigation shows, refreshed every 30 seconds while signed in. */
export function UnreadCountProvider({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const signedIn = session.status === 'signed-in';
  const [count, setCount] = useState<number | null>(null);

  const refresh = useCallback(async () => {
    if (!signedIn) return setCount(null);
    try {
      setCount((await call(api.GET('/api/notifications/unread-count'))).unread);
    } catch {
      setCount(null);
    }
  }, [signedIn]);

  useEffect(() => {
    void refresh();
    if (!signedIn) return;
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh, signedIn]);

  const value = useMemo(() => ({ count, refresh }), [count, refresh]);
  return <UnreadCountContext.Provider value={value}>{children}</UnreadCountContext.Provider>;
}

export const useUnreadCount = () => useContext(UnreadCountContext);
