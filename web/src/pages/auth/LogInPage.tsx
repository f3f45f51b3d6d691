import { Alert, Anchor, Button, Divider, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { asApiError, reasonOf } from '../../api/errors';
import { useTenant } from '../../app/tenant';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { PasswordField } from '../../components/PasswordField';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { checkEmail } from '../../lib/validators';
import { landingFor, safeNextPath } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';
import { AuthCard } from './AuthCard';

/**
 * A temporary password (mailed after a purchase) is refused here with a 403 naming the reason: it
 * only serves on the first-login page, so the person is sent there with their address filled in.
 */
function temporaryPasswordReason(
  thrown: unknown,
): 'temporary_password' | 'temporary_password_expired' | null {
  const error = asApiError(thrown);
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  if (error.status !== 403) return null;
  return reason === 'temporary_password' || reason === 'temporary_password_expired' ? reason : null;
}

function TemporaryPasswordAlert({
  reason,
  email,
}: {
  reason: 'temporary_password' | 'temporary_password_expired';
  email: string;
}) {
  const firstLogin = `/credits/welcome?email=${encodeURIComponent(email)}`;
  return (
    <Alert color="blue" variant="light" role="alert" title="That is your temporary password">
      {reason === 'temporary_password'
        ? 'It cannot be used to log in. Use it once to choose your own password: '
        : 'It has expired. Ask for new login details, then choose your own password: '}
      <Anchor component={Link} to={firstLogin} inherit>
        finish setting up your account
      </Anchor>
      .
    </Alert>
  );
}

/**
 * An address not confirmed yet: the server mailed a new link, which replaced the earlier one. Said
 * so, with where the mail can be read on a Tally without a mail server.
 */
function loginProblem(form: Parameters<typeof problemOf>[0], thrown: unknown): FormProblem | null {
  if (reasonOf(asApiError(thrown)) === 'email_not_verified') {
    return {
      message:
        'Confirm your email address first. We have sent you a new link; the link mailed before no longer works.',
      next: { to: '/mailbox', label: 'Open the Mailbox.' },
    };
  }
  return problemOf(form, thrown);
}

/** Said above the form when the person was sent here because their session ended. */
function SessionEndedAlert() {
  return (
    <Alert color="blue" variant="light" title="Your session ended">
      Log in again to go back to the page you were on; what you had typed in its forms is kept (passwords
      excepted).
    </Alert>
  );
}

export function LogInPage() {
  const [searchParams] = useSearchParams();
  const nextParam = searchParams.get('next');
  const sessionEnded = searchParams.get('session') === 'ended';
  const navigate = useNavigate();
  const { session, signedIn } = useSession();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const [temporary, setTemporary] = useState<ReturnType<typeof temporaryPasswordReason>>(null);
  // Whose session ended, or the address an invitation was sent to: the one to log in with.
  const knownEmail =
    (session.status === 'signed-out' ? session.ended?.email : null) ?? searchParams.get('email') ?? '';
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: knownEmail, password: '' },
    validateInputOnChange: true,
    validate: { email: checkEmail, password: (value) => (value ? null : 'Enter your password') },
  });

  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    setTemporary(null);
    try {
      const { user } = await call(
        api.POST('/api/auth/login', { body: { ...values, email: values.email.trim() } }),
      );
      signedIn(user);
      navigate(safeNextPath(nextParam, landingFor(user)), { replace: true });
    } catch (error) {
      const reason = temporaryPasswordReason(error);
      if (reason) setTemporary(reason);
      else setFormError(loginProblem(form, error));
    }
  });

  const tenant = useTenant();
  const next = safeNextPath(nextParam, '');
  const carry = new URLSearchParams();
  if (next) carry.set('next', next);
  if (searchParams.get('email')) carry.set('email', searchParams.get('email') ?? '');
  const carryNext = carry.toString() ? `?${carry}` : '';
  return (
    <AuthCard
      title="Log in"
      footer={
        tenant ? (
          // A reseller's customers come with a purchase in its shop: there is no sign-up there.
          <>
            New to {tenant.name}?{' '}
            <Anchor component={Link} to="/credits/products">
              See what is on sale
            </Anchor>
          </>
        ) : (
          <>
            New to Tally?{' '}
            <Anchor component={Link} to={`/signup${carryNext}`}>
              Create an account
            </Anchor>
          </>
        )
      }
    >
      <form onSubmit={submit} noValidate aria-label="Log in">
        <Stack gap="md">
          {sessionEnded && <SessionEndedAlert />}
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            {...form.getInputProps('email')}
          />
          <PasswordField
            label="Password"
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
          />
          <Group justify="flex-end" mt={-8}>
            <Anchor component={Link} to="/forgot-password" size="sm">
              Forgot your password?
            </Anchor>
          </Group>
          <FormErrorAlert message={formError} />
          {temporary && <TemporaryPasswordAlert reason={temporary} email={form.values.email.trim()} />}
          <Button type="submit" loading={form.submitting}>
            Log in
          </Button>
        </Stack>
      </form>
      <Divider label="or" my="md" />
      <Button component={Link} to={`/login/wallet${carryNext}`} variant="default" fullWidth>
        Sign in with a wallet
      </Button>
    </AuthCard>
  );
}
