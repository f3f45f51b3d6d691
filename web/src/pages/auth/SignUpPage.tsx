import { Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { showServerErrors } from '../../lib/serverErrors';
import { checkEmail, checkRequired } from '../../lib/validators';
import { rememberAfterSignIn } from '../../session/afterSignIn';
import { safeNextPath } from '../../session/nextPath';
import { AuthCard } from './AuthCard';
import { CheckYourMail } from './CheckYourMail';

export function SignUpPage() {
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'), '');
  const [formError, setFormError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    // An invitation's link fills in the address it was sent to, which is the one that can accept it.
    initialValues: { name: '', email: searchParams.get('email') ?? '' },
    validateInputOnChange: true,
    validate: { name: checkRequired('your name'), email: checkEmail },
  });

  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await call(api.POST('/api/auth/signup', { body: { ...values, email: values.email.trim() } }));
      rememberAfterSignIn(next);
      setSentTo(values.email.trim());
    } catch (error) {
      setFormError(showServerErrors(form, error));
    }
  });

  const carry = new URLSearchParams();
  if (next) carry.set('next', next);
  if (searchParams.get('email')) carry.set('email', searchParams.get('email') ?? '');
  const loginLink = carry.toString() ? `/login?${carry}` : '/login';
  if (sentTo) {
    return (
      <AuthCard
        title="Almost there"
        footer={
          <Anchor component={Link} to={loginLink}>
            Log in once confirmed
          </Anchor>
        }
      >
        <CheckYourMail email={sentTo} purpose="confirm your address and choose your password" />
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Create your account"
      description="One account for every product line of Tally. We mail you a link to confirm your address, where you choose your password."
      footer={
        <>
          Already have an account?{' '}
          <Anchor component={Link} to={loginLink}>
            Log in
          </Anchor>
        </>
      }
    >
      <form onSubmit={submit} noValidate aria-label="Sign up">
        <Stack gap="md">
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            {...form.getInputProps('email')}
          />
          <FormErrorAlert message={formError} />
          <Button type="submit" loading={form.submitting}>
            Create account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
