import { Select } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { asApiError } from '../../api/errors';
import type { Member, OrganizationKind } from '../../api/types';

/** Changes a member's role as soon as another is chosen; a refusal is shown under the select, which keeps the old role. */
export function MemberRoleSelect({
  organizationId,
  member,
  kind,
  onChanged,
}: {
  organizationId: string;
  member: Member;
  kind: OrganizationKind | undefined;
  onChanged: (member: Member) => void;
}) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const roles = kind?.roles ?? [{ role: member.role, label: member.role, permissions: [] }];

  const change = async (role: string | null) => {
    if (!role || role === member.role) return;
    setSaving(true);
    setError(null);
    try {
      const updated = await call(
        api.PATCH('/api/orgs/{id}/members/{userId}', {
          params: { path: { id: organizationId, userId: member.user_id } },
          body: { role },
        }),
      );
      onChanged(updated);
      notifications.show({ color: 'teal', message: `${member.name || member.email} is now ${role}.` });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Select
      aria-label={`Role of ${member.name || member.email}`}
      data={roles.map((role) => ({ value: role.role, label: role.label }))}
      value={member.role}
      onChange={(role) => void change(role)}
      allowDeselect={false}
      disabled={saving}
      error={error}
      size="xs"
      w={180}
    />
  );
}
