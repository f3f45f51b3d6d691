import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { OrganizationKind } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { useFormDraft } from '../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { checkEmail } from '../../lib/validators';

export function InviteForm({
  organizationId,
  kind,
  onInvited,
}: {
  organizationId: string;
  kind: OrganizationKind | undefined;
  onInvited: () => void;
}) {
  const roles = kind?.roles ?? [];
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', role: roles.some((r) => r.role === 'member') ? 'member' : '' },
    validateInputOnChange: true,
    validate: { email: checkEmail, role: (value) => (value ? null : 'Choose a role') },
  });
  useFormDraft(form, 'invite');

  const submit = form.onSubmit(async ({ email, role }) => {
    setFormError(null);
    try {
      const invitation = await call(
        api.POST('/api/orgs/{id}/invitations', {
          params: { path: { id: organizationId } },
          body: { email: email.trim(), role },
        }),
      );
      form.reset();
      notifications.show({ color: 'teal', message: `Invitation mailed to ${invitation.email}.` });
      onInvited();
    } catch (error) {
      setFormError(problemOf(form, error));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Invite someone">
      <Stack gap="md">
        <Group align="flex-start" grow preventGrowOverflow={false} wrap="wrap">
          <TextInput label="Email" type="email" required miw={220} {...form.getInputProps('email')} />
          <Select
            label="Role"
            required
            miw={160}
            data={roles.map((role) => ({ value: role.role, label: role.label }))}
            allowDeselect={false}
            {...form.getInputProps('role')}
          />
        </Group>
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Send invitation
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
