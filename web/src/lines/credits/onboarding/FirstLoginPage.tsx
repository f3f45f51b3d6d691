import { Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import { appName, useTenant } from '../../../app/tenant';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { PasswordField } from '../../../components/PasswordField';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkEmail, checkNewPassword, checkRequired, PASSWORD_MIN_LENGTH } from '../../../lib/validators';
import { AuthCard } from '../../../pages/auth/AuthCard';
import { useSession } from '../../../session/SessionContext';
import { LoginDetailsForm } from '../catalogue/LoginDetailsForm';

/** The refusals about the temporary password (the server names a reason, not a field). */
function temporaryPasswordProblem(thrown: unknown): { message: string; expired: boolean } | null {
  const error = asApiError(thrown);
  const details = error.details as { reason?: unknown } | undefined;
  const reason = typeof details?.reason === 'string' ? details.reason : null;
  if (error.status === 401) {
    return {
      message: 'This email and temporary password do not match. Copy it again from the mail.',
      expired: false,
    };
  }
  if (reason === 'temporary_password_used') {
    return {
      message: 'This temporary password was already used. Log in with the password you chose, or reset it.',
      expired: false,
    };
  }
  if (reason === 'temporary_password_expired') {
    return {
      message:
        'This temporary password has expired or was replaced by a newer one. Ask for new login details below.',
      expired: true,
    };
  }
  return null;
}

/**
 * /credits/welcome: the first login of a person a purchase registered. The temporary password from
 * the mail, a password of their own and the first workspace's name go in one call; on success they
 * are signed in and land on their dashboard.
 */
export function FirstLoginPage() {
  // The mail's subject names the shop it came from: a reseller's customers got it in its name.
  const tenant = useTenant();
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const { refresh } = useSession();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const [expired, setExpired] = useState(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      email: searchParams.get('email') ?? '',
      temporary_password: '',
      new_password: '',
      workspace_name: '',
    },
    validateInputOnChange: true,
    validate: {
      email: checkEmail,
      temporary_password: (value) => (value.trim() ? null : 'Enter the temporary password from the mail'),
      new_password: checkNewPassword,
      workspace_name: checkRequired('a name for your first workspace'),
    },
  });
  useFormDraft(form, 'first-login', ['temporary_password', 'new_password']);

  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    setExpired(false);
    try {
      await call(
        api.POST('/api/credits/onboarding', {
          body: {
            email: values.email.trim(),
            temporary_password: values.temporary_password.trim(),
            new_password: values.new_password,
            workspace_name: values.workspace_name.trim(),
          },
        }),
      );
      await refresh();
      navigate('/credits', { replace: true });
    } catch (error) {
      const problem = temporaryPasswordProblem(error);
      if (problem) {
        form.setFieldError('temporary_password', problem.message);
        setExpired(problem.expired);
      } else {
        setFormError(problemOf(form, error));
      }
    }
  });

  return (
    <AuthCard
      title="Finish setting up your account"
      description="You bought a product: choose your own password and name your first workspace."
      footer={
        <>
          Already set up?{' '}
          <Anchor component={Link} to="/login?next=%2Fcredits">
            Log in
          </Anchor>
        </>
      }
    >
      <Stack gap="lg">
        <form onSubmit={submit} noValidate aria-label="Finish setting up your account">
          <Stack gap="md">
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              {...form.getInputProps('email')}
            />
            <PasswordField
              label="Temporary password"
              description={`From the mail “Your ${appName(tenant)} login details”.`}
              autoComplete="one-time-code"
              required
              {...form.getInputProps('temporary_password')}
            />
            <PasswordField
              label="New password"
              description={`At least ${PASSWORD_MIN_LENGTH} characters; a few words you will remember are fine.`}
              autoComplete="new-password"
              required
              {...form.getInputProps('new_password')}
            />
            <TextInput
              label="First workspace"
              description="Where you and the people you invite work; its price is held in reserve for that work."
              placeholder="Marketing team"
              required
              {...form.getInputProps('workspace_name')}
            />
            <FormErrorAlert message={formError} />
            <Button type="submit" loading={form.submitting}>
              Set my password and open my dashboard
            </Button>
          </Stack>
        </form>
        {expired && (
          <Stack gap="xs">
            <Text size="sm" fw={500}>
              New login details
            </Text>
            <LoginDetailsForm initialEmail={form.values.email} />
          </Stack>
        )}
      </Stack>
    </AuthCard>
  );
}
