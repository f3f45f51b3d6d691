import { Alert, Anchor, Button, Divider, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { asApiError } from '../../api/errors';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { PasswordField } from '../../components/PasswordField';
import { showServerErrors } from '../../lib/serverErrors';
import { checkEmail } from '../../lib/validators';
import { safeNextPath } from '../../session/nextPath';
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

export function LogInPage() {
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const [formError, setFormError] = useState<string | null>(null);
  const [temporary, setTemporary] = useState<ReturnType<typeof temporaryPasswordReason>>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', password: '' },
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
      navigate(next, { replace: true });
    } catch (error) {
      const reason = temporaryPasswordReason(error);
      if (reason) setTemporary(reason);
      else setFormError(showServerErrors(form, error));
    }
  });

  const carryNext = searchParams.get('next') ? `?next=${encodeURIComponent(next)}` : '';
  return (
    <AuthCard
      title="Log in"
      footer={
        <>
          New to Tally?{' '}
          <Anchor component={Link} to={`/signup${carryNext}`}>
            Create an account
          </Anchor>
        </>
      }
    >
      <form onSubmit={submit} noValidate aria-label="Log in">
        <Stack gap="md">
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
