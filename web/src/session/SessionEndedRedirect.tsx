import { useEffect, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { logInAgain } from './nextPath';
import { useSession } from './SessionContext';

/**
 * When the session ends while a page is open, the person goes to the log-in and comes back to this
 * page afterwards, on pages open to visitors too (which would otherwise quietly show their
 * signed-out face). Once per ending: whoever then leaves the log-in page may. Rendered once, inside
 * the router.
 */
export function SessionEndedRedirect() {
  const { session } = useSession();
  const { pathname, search } = useLocation();
  const navigate = useNavigate();
  const ended = session.status === 'signed-out' ? (session.ended ?? null) : null;
  const handled = useRef<object | null>(null);
  useEffect(() => {
    if (!ended || handled.current === ended) return;
    handled.current = ended;
    if (pathname !== '/login') navigate(logInAgain(pathname + search), { replace: true });
  }, [ended, pathname, search, navigate]);
  return null;
}
