import { Alert, Anchor, Button, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { NewPasswordFields } from '../../components/NewPasswordFields';
import { showServerErrors } from '../../lib/serverErrors';
import { checkNewPassword, checkRepeated } from '../../lib/validators';
import { AuthCard } from './AuthCard';

function MissingToken() {
  return (
    <AuthCard title="Choose a new password">
      <Alert color="red" variant="light" title="This link is incomplete" role="alert">
        Open the link from the reset mail as it is, or{' '}
        <Anchor component={Link} to="/forgot-password">
          ask for a new one
        </Anchor>
        .
      </Alert>
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token');
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: { new_password: '', repeat: '' },
    validateInputOnChange: true,
    validate: {
      new_password: checkNewPassword,
      repeat: checkRepeated('new_password'),
    },
  });

  if (!token) return <MissingToken />;

  const submit = form.onSubmit(async ({ new_password }) => {
    setFormError(null);
    try {
      await call(api.POST('/api/auth/password-reset/confirm', { body: { token, new_password } }));
      setDone(true);
    } catch (error) {
      setFormError(showServerErrors(form, error));
    }
  });

  if (done) {
    return (
      <AuthCard title="Your password is set">
        <Stack gap="md" role="status">
          <Alert color="teal" variant="light">
            For safety, every session of your account was ended, and API keys made or wallets linked in the
            last 30 days were removed (we mailed you the list). Log in with the new password.
          </Alert>
          <Button component={Link} to="/login">
            Log in
          </Button>
        </Stack>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password">
      <form onSubmit={submit} noValidate aria-label="Choose a new password">
        <Stack gap="md">
          <NewPasswordFields
            password={form.getInputProps('new_password')}
            repeat={form.getInputProps('repeat')}
          />
          <FormErrorAlert message={formError} />
          <Button type="submit" loading={form.submitting}>
            Set the new password
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
