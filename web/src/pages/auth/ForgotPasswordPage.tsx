import { Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { showServerErrors } from '../../lib/serverErrors';
import { checkEmail } from '../../lib/validators';
import { AuthCard } from './AuthCard';
import { CheckYourMail } from './CheckYourMail';

export function ForgotPasswordPage() {
  const [formError, setFormError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '' },
    validateInputOnChange: true,
    validate: { email: checkEmail },
  });

  const submit = form.onSubmit(async ({ email }) => {
    setFormError(null);
    try {
      await call(api.POST('/api/auth/password-reset', { body: { email: email.trim() } }));
      setSentTo(email.trim());
    } catch (error) {
      setFormError(showServerErrors(form, error));
    }
  });

  const footer = (
    <Anchor component={Link} to="/login">
      Back to log in
    </Anchor>
  );
  if (sentTo) {
    return (
      <AuthCard title="Reset your password" footer={footer}>
        <CheckYourMail email={sentTo} purpose="choose a new password" />
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Reset your password"
      description="Enter the address you signed up with and we will mail you a link to choose a new password."
      footer={footer}
    >
      <form onSubmit={submit} noValidate aria-label="Reset your password">
        <Stack gap="md">
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            {...form.getInputProps('email')}
          />
          <FormErrorAlert message={formError} />
          <Button type="submit" loading={form.submitting}>
            Mail me a link
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
