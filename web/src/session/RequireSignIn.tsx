import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError } from '../api/errors';
import { ErrorState, LoadingState } from '../components/States';
import { logInAgain, withNext } from './nextPath';
import { useSession } from './SessionContext';

const adminOnlyError = new ApiError({
  status: 403,
  code: 'forbidden',
  message: 'Only Tally administrators can open this page.',
});

/** Pages for signed-in people: others are sent to log in, and brought back afterwards. */
export function RequireSignIn({ children, adminOnly = false }: { children: ReactNode; adminOnly?: boolean }) {
  const { session, refresh } = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <LoadingState label="Checking who is signed in…" />;
  if (session.status === 'unknown')
    return <ErrorState error={session.error} onRetry={() => void refresh()} />;
  if (session.status === 'signed-out') {
    const here = location.pathname + location.search;
    return <Navigate to={session.ended ? logInAgain(here) : withNext('/login', here)} replace />;
  }
  if (adminOnly && !session.user.is_admin) {
    return <ErrorState error={adminOnlyError} />;
  }
  return <>{children}</>;
}
