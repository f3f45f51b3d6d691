import { Alert, Anchor, Stack } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { type ApiError, asApiError } from '../../api/errors';
import { LoadingState } from '../../components/States';
import { takeAfterSignIn } from '../../session/afterSignIn';
import { safeNextPath } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';
import { AuthCard } from './AuthCard';

/** The welcome mail's link: confirms the address once, signs the person in, and goes on. */
export function VerifyEmailPage() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token');
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const [error, setError] = useState<ApiError | null>(null);
  // The token works once: never send it twice, even when React runs the effect twice in development.
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    call(api.POST('/api/auth/verify-email', { body: { token } }))
      .then(({ user }) => {
        signedIn(user);
        navigate(safeNextPath(takeAfterSignIn()), { replace: true });
      })
      .catch((thrown: unknown) => setError(asApiError(thrown)));
  }, [token, signedIn, navigate]);

  if (!token || error) {
    return (
      <AuthCard title="Confirm your address">
        <Stack gap="sm">
          <Alert color="red" variant="light" title="This link did not work" role="alert">
            {error?.message ?? 'The link is incomplete: open it from the mail as it is.'}
          </Alert>
          <Anchor component={Link} to="/login">
            Log in — Tally mails a fresh link when the address is not confirmed yet
          </Anchor>
        </Stack>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Confirm your address">
      <LoadingState label="Confirming your address…" />
    </AuthCard>
  );
}
