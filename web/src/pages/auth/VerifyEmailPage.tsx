import { Alert, Anchor, Button, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { type ApiError, asApiError } from '../../api/errors';
import type { User } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { NewPasswordFields } from '../../components/NewPasswordFields';
import { LoadingState } from '../../components/States';
import { showServerErrors } from '../../lib/serverErrors';
import { checkNewPassword, checkRepeated } from '../../lib/validators';
import { takeAfterSignIn } from '../../session/afterSignIn';
import { safeNextPath } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';
import { AuthCard } from './AuthCard';

const needsPassword = (error: ApiError) =>
  (error.details as { reason?: string } | undefined)?.reason === 'password_required';

/**
 * The mail's link: confirms the address once and signs the person in. A new account has no
 * password yet (whoever typed the address at sign-up could not set one): the owner of the mail
 * chooses it here.
 */
export function VerifyEmailPage() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token');
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const [error, setError] = useState<ApiError | null>(null);
  const [askPassword, setAskPassword] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  // The link works once: never send it twice, even when React runs the effect twice in development.
  const sent = useRef(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: { password: '', repeat: '' },
    validateInputOnChange: true,
    validate: {
      password: checkNewPassword,
      repeat: checkRepeated('password'),
    },
  });

  const finish = (user: User) => {
    signedIn(user);
    navigate(safeNextPath(takeAfterSignIn()), { replace: true });
  };
  const finishRef = useRef(finish);
  finishRef.current = finish;

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    // An address confirmed before (a link mailed again) needs no password; a new account says so,
    // and the link stays unused until the password comes with it.
    call(api.POST('/api/auth/verify-email', { body: { token } }))
      .then(({ user }) => finishRef.current(user))
      .catch((thrown: unknown) => {
        const apiError = asApiError(thrown);
        if (needsPassword(apiError)) setAskPassword(true);
        else setError(apiError);
      });
  }, [token]);

  const submit = form.onSubmit(async ({ password }) => {
    if (!token) return;
    setFormError(null);
    try {
      finish((await call(api.POST('/api/auth/verify-email', { body: { token, password } }))).user);
    } catch (thrown) {
      setFormError(showServerErrors(form, thrown));
    }
  });

  if (!token || error) {
    return (
      <AuthCard title="Confirm your address">
        <Stack gap="sm">
          <Alert color="red" variant="light" title="This link did not work" role="alert">
            {error?.message ?? 'The link is incomplete: open it from the mail as it is.'}
          </Alert>
          <Anchor component={Link} to="/signup">
            Sign up again with the same address: while it is not confirmed, Tally mails a fresh link
          </Anchor>
        </Stack>
      </AuthCard>
    );
  }
  if (askPassword) {
    return (
      <AuthCard
        title="Choose your password"
        description="You are confirming the address this link was mailed to. Choose the password you will log in with."
      >
        <form onSubmit={submit} noValidate aria-label="Choose your password">
          <Stack gap="md">
            <NewPasswordFields
              labels={['Password', 'Repeat the password']}
              password={form.getInputProps('password')}
              repeat={form.getInputProps('repeat')}
            />
            <FormErrorAlert message={formError} />
            <Button type="submit" loading={form.submitting}>
              Confirm and sign in
            </Button>
          </Stack>
        </form>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Confirm your address">
      <LoadingState label="Confirming your address…" />
    </AuthCard>
  );
}
