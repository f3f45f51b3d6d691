import { Group, Table, Text } from '@mantine/core';
import { api, call } from '../../api/client';
import type { Member, Organization, OrganizationKind } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { MemberRoleSelect } from './MemberRoleSelect';
import { roleLabel } from './useOrganizationKinds';

const OWNER = 'owner';

/**
 * Why a member cannot leave or be removed, when the core's rule says so before anyone tries: an
 * organisation keeps at least one owner.
 */
function ownerKept(member: Member, members: Member[], isMe: boolean): string | null {
  if (member.role !== OWNER || members.some((m) => m.role === OWNER && m.user_id !== member.user_id)) {
    return null;
  }
  return isMe
    ? 'You are the only owner: make someone else an owner first.'
    : 'The only owner stays: make someone else an owner first.';
}

/** A Leave or Remove button, or the same button disabled with the reason it cannot work beside it. */
function RemoveMember({
  member,
  organization,
  isMe,
  refusal,
  onRemove,
}: {
  member: Member;
  organization: Organization;
  isMe: boolean;
  refusal: string | null;
  onRemove: () => Promise<void>;
}) {
  const reasonId = `cannot-remove-${member.user_id}`;
  return (
    <Group justify="flex-end" gap="xs" wrap="nowrap">
      {refusal && (
        <Text id={reasonId} size="xs" c="dimmed" maw={260} ta="right">
          {refusal}
        </Text>
      )}
      <ConfirmButton
        label={isMe ? 'Leave' : 'Remove'}
        disabled={refusal !== null}
        aria-describedby={refusal ? reasonId : undefined}
        question={isMe ? `Leave ${organization.name}?` : `Remove ${member.name || member.email}?`}
        consequence={
          isMe
            ? 'You will lose access to this organisation until someone invites you again.'
            : 'They will lose access to this organisation until invited again.'
        }
        confirmLabel={isMe ? 'Leave' : 'Remove member'}
        onConfirm={onRemove}
      />
    </Group>
  );
}

export function MembersSection({
  organization,
  kind,
  currentUserId,
  kept,
}: {
  organization: Organization;
  kind: OrganizationKind | undefined;
  currentUserId: string;
  /** A line's own reason a member stays (a workspace keeps the person it bills), or null. */
  kept?: (member: Member, isMe: boolean) => string | null;
}) {
  const members = useResource(`members:${organization.id}`, async () => {
    const { items } = await call(
      api.GET('/api/orgs/{id}/members', { params: { path: { id: organization.id } } }),
    );
    return items;
  });
  const canManage = organization.my_permissions.includes('members.manage');

  const remove = async (member: Member) => {
    await call(
      api.DELETE('/api/orgs/{id}/members/{userId}', {
        params: { path: { id: organization.id, userId: member.user_id } },
      }),
    );
    await members.reload();
  };
  const replaceMember = (changed: Member) =>
    members.replace((members.data ?? []).map((m) => (m.user_id === changed.user_id ? changed : m)));

  return (
    <SectionCard title="Members" description="Who belongs to this organisation, and what each may do.">
      <ResourceView resource={members} loadingLabel="Loading the members…">
        {(items) => (
          <Table.ScrollContainer minWidth={620}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Joined</Table.Th>
                  <Table.Th aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((member) => {
                  const isMe = member.user_id === currentUserId;
                  return (
                    <Table.Tr key={member.user_id}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {member.name || 'No name'} {isMe && '(you)'}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {member.email ?? 'signs in with a wallet'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {canManage && !isMe ? (
                          <MemberRoleSelect
                            organizationId={organization.id}
                            member={member}
                            kind={kind}
                            onChanged={replaceMember}
                          />
                        ) : (
                          roleLabel(kind ? [kind] : undefined, organization.kind, member.role)
                        )}
                      </Table.Td>
                      <Table.Td>{formatDateTime(member.joined_at)}</Table.Td>
                      <Table.Td>
                        {(canManage || isMe) && (
                          <RemoveMember
                            member={member}
                            organization={organization}
                            isMe={isMe}
                            refusal={ownerKept(member, items, isMe) ?? kept?.(member, isMe) ?? null}
                            onRemove={() => remove(member)}
                          />
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </ResourceView>
    </SectionCard>
  );
}
