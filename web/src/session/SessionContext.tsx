import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { api, call } from '../api/client';
import { type ApiError, asApiError } from '../api/errors';
import type { User } from '../api/types';
import { keepDrafts } from './formDrafts';
import { onSignInRefused } from './sessionEnded';

export type SessionState =
  | { status: 'loading' }
  /** `ended`: the session ended while the person used the app; `email` is whose it was. */
  | { status: 'signed-out'; ended?: { email: string | null } }
  | { status: 'signed-in'; user: User }
  /** Tally could not say who is signed in (unreachable, or its auth API failed). */
  | { status: 'unknown'; error: ApiError };

interface SessionContextValue {
  session: SessionState;
  /** Asks the server again who is signed in. */
  refresh: () => Promise<void>;
  /** Records the person a sign-in or profile change answered with. */
  signedIn: (user: User) => void;
  signOut: () => Promise<void>;
  /** Records that the person ended their own session another way (logging out everywhere). */
  signedOut: () => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function loadSession(): Promise<SessionState> {
  try {
    const { user } = await call(api.GET('/api/auth/me'));
    return { status: 'signed-in', user };
  } catch (thrown) {
    const error = asApiError(thrown);
    return error.status === 401 ? { status: 'signed-out' } : { status: 'unknown', error };
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: 'loading' });
  // Bumped by every change of who is signed in, so an older answer to GET /me that lands after a
  // sign-in (the first page load racing the confirmation link, say) cannot undo it.
  const changes = useRef(0);
  const refresh = useCallback(async () => {
    const asked = ++changes.current;
    const loaded = await loadSession();
    // A session found ended stays "ended" (the log-in page says so) when asked again.
    if (asked === changes.current) {
      setSession((current) =>
        loaded.status === 'signed-out' && current.status === 'signed-out' ? current : loaded,
      );
    }
  }, []);
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const signedIn = useCallback((user: User) => {
    changes.current += 1;
    setSession({ status: 'signed-in', user });
  }, []);
  const signedOut = useCallback(() => {
    changes.current += 1;
    setSession({ status: 'signed-out' });
  }, []);
  const signOut = useCallback(async () => {
    await call(api.POST('/api/auth/logout'));
    signedOut();
  }, [signedOut]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A call refused for want of a session, while someone was signed in: their session ended (it
  // expired, or was ended from another browser). What they typed is kept for after the log-in.
  useEffect(
    () =>
      onSignInRefused(() => {
        const current = sessionRef.current;
        if (current.status !== 'signed-in') return;
        keepDrafts();
        changes.current += 1;
        const ended = { status: 'signed-out', ended: { email: current.user.email } } as const;
        sessionRef.current = ended;
        setSession(ended);
      }),
    [],
  );

  const value = useMemo(
    () => ({ session, refresh, signedIn, signOut, signedOut }),
    [session, refresh, signedIn, signOut, signedOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession is used outside SessionProvider');
  return value;
}

/** The signed-in person, for pages behind `RequireSignIn`. */
export function useSignedInUser(): User {
  const { session } = useSession();
  if (session.status !== 'signed-in') throw new Error('useSignedInUser is used outside RequireSignIn');
  return session.user;
}
