import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { showServerErrors } from '../../../lib/serverErrors';
import { checkEmail } from '../../../lib/validators';

/** Asks for new login details (a new temporary password) when the first ones expired or got lost. */
export function LoginDetailsForm({ initialEmail = '' }: { initialEmail?: string }) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: initialEmail },
    validateInputOnChange: true,
    validate: { email: checkEmail },
  });
  const submit = form.onSubmit(async ({ email }) => {
    setFormError(null);
    try {
      await call(api.POST('/api/credits/onboarding/login-details', { body: { email: email.trim() } }));
      setSentTo(email.trim());
    } catch (error) {
      setFormError(showServerErrors(form, error));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Mail me new login details">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm">
          <TextInput
            label="Email used for the purchase"
            type="email"
            autoComplete="email"
            required
            style={{ flex: '1 1 16rem' }}
            {...form.getInputProps('email')}
          />
          <Button type="submit" variant="default" loading={form.submitting}>
            Mail me new login details
          </Button>
        </Group>
        <FormErrorAlert message={formError} />
        {sentTo && (
          <Alert color="teal" variant="light" role="status">
            If {sentTo} bought a product and has not finished setting up, new login details are on their way.
            The temporary password in any earlier mail no longer works.
          </Alert>
        )}
      </Stack>
    </form>
  );
}
