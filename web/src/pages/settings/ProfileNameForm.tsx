import { Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { User } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { SectionCard } from '../../components/SectionCard';
import { useFormDraft } from '../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { checkRequired } from '../../lib/validators';
import { useSession } from '../../session/SessionContext';

export function ProfileNameForm({ user }: { user: User }) {
  const { signedIn } = useSession();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: user.name },
    validateInputOnChange: true,
    validate: { name: checkRequired('your name') },
  });
  useFormDraft(form, 'profile-name');

  const submit = form.onSubmit(async ({ name }) => {
    setFormError(null);
    try {
      const updated = await call(api.PATCH('/api/auth/me', { body: { name: name.trim() } }));
      signedIn(updated.user);
      // The field shows the name as saved (trimmed), and nothing is left to save.
      form.setValues({ name: updated.user.name });
      form.resetDirty({ name: updated.user.name });
      notifications.show({ color: 'teal', message: 'Your name is saved.' });
    } catch (error) {
      setFormError(problemOf(form, error));
    }
  });

  return (
    <SectionCard title="Profile" description="How you appear to the people in your organisations.">
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Email
        </Text>
        <Group gap="xs">
          <Text size="sm">{user.email ?? 'No email address: this account signs in with a wallet.'}</Text>
          {user.email && (
            <Badge variant="light" color={user.email_verified ? 'teal' : 'yellow'}>
              {user.email_verified ? 'Confirmed' : 'Not confirmed'}
            </Badge>
          )}
        </Group>
      </Stack>
      <form onSubmit={submit} noValidate aria-label="Profile">
        <Stack gap="md">
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <FormErrorAlert message={formError} />
          <Group>
            <Button type="submit" loading={form.submitting} disabled={!form.isDirty()}>
              Save name
            </Button>
          </Group>
        </Stack>
      </form>
    </SectionCard>
  );
}
