import { Button, Group, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { User } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { NewPasswordFields } from '../../components/NewPasswordFields';
import { PasswordField } from '../../components/PasswordField';
import { SectionCard } from '../../components/SectionCard';
import { showServerErrors } from '../../lib/serverErrors';
import { checkNewPassword, checkRepeated } from '../../lib/validators';
import { useSession } from '../../session/SessionContext';

export function ChangePasswordForm({ user }: { user: User }) {
  const { refresh } = useSession();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { current_password: '', new_password: '', repeat: '' },
    validateInputOnChange: true,
    validate: {
      current_password: (value) => (user.has_password && !value ? 'Enter your current password' : null),
      new_password: checkNewPassword,
      repeat: checkRepeated('new_password'),
    },
  });

  const submit = form.onSubmit(async ({ current_password, new_password }) => {
    setFormError(null);
    try {
      await call(api.POST('/api/auth/password', { body: { current_password, new_password } }));
      form.reset();
      notifications.show({
        color: 'teal',
        message: user.has_password ? 'Password changed.' : 'Password set.',
      });
      await refresh();
    } catch (error) {
      setFormError(showServerErrors(form, error));
    }
  });

  return (
    <SectionCard
      title={user.has_password ? 'Password' : 'Set a password'}
      description={
        user.has_password
          ? undefined
          : 'This account signs in with a wallet. A password lets you sign in with your email as well.'
      }
    >
      <form onSubmit={submit} noValidate aria-label="Change password">
        <Stack gap="md">
          {user.has_password && (
            <PasswordField
              label="Current password"
              autoComplete="current-password"
              required
              {...form.getInputProps('current_password')}
            />
          )}
          <NewPasswordFields
            password={form.getInputProps('new_password')}
            repeat={form.getInputProps('repeat')}
          />
          <FormErrorAlert message={formError} />
          <Group>
            <Button type="submit" loading={form.submitting}>
              {user.has_password ? 'Change password' : 'Set password'}
            </Button>
          </Group>
        </Stack>
      </form>
    </SectionCard>
  );
}
