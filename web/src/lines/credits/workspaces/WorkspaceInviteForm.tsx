import { Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { OrganizationKind } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFormDraft } from '../../../hooks/useFormDraft';
import type { FormProblem } from '../../../lib/serverErrors';
import { checkEmail } from '../../../lib/validators';
import { creditsProblem } from '../errors';
import { formatCredits } from '../format';

/** Invites someone to a workspace through the credits API, which charges the `invite_member` price. */
export function WorkspaceInviteForm({
  workspaceId,
  kind,
  price,
  onInvited,
}: {
  workspaceId: string;
  kind: OrganizationKind | undefined;
  price: string | null;
  onInvited: () => void;
}) {
  const roles = kind?.roles ?? [];
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', role: 'member' },
    validateInputOnChange: true,
    validate: { email: checkEmail, role: (value) => (value ? null : 'Choose a role') },
  });
  useFormDraft(form, 'invite');

  const submit = form.onSubmit(async ({ email, role }) => {
    setFormError(null);
    try {
      const { invitation, usages } = await call(
        api.POST('/api/credits/workspaces/{id}/invitations', {
          params: { path: { id: workspaceId } },
          body: { email: email.trim(), role },
        }),
      );
      const charged = usages.reduce((sum, usage) => sum + BigInt(usage.amount), 0n);
      form.reset();
      notifications.show({
        color: 'teal',
        message: `Invitation mailed to ${invitation.email}; ${formatCredits(charged)} used.`,
      });
      onInvited();
    } catch (error) {
      setFormError(creditsProblem(form, error));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Invite someone">
      <Stack gap="md">
        <Text size="sm" data-testid="invite-price">
          Each invitation costs{' '}
          <Text span fw={700}>
            {price === null ? 'the invitation price' : formatCredits(price)}
          </Text>
          , paid from the workspace's reserve first.
        </Text>
        <Group align="flex-start" grow preventGrowOverflow={false} wrap="wrap">
          <TextInput label="Email" type="email" required miw={220} {...form.getInputProps('email')} />
          <Select
            label="Role"
            required
            miw={160}
            data={
              roles.length > 0
                ? roles.map((role) => ({ value: role.role, label: role.label }))
                : [{ value: 'member', label: 'Member' }]
            }
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
