import { Anchor, Group, List, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopHousehold, Member } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { formatToTheSecond } from '../../../lib/dates';
import { useSignedInUser } from '../../../session/SessionContext';
import { COOP } from '../format';
import {
  ClubFrame,
  roleLabel,
  roleLabels,
  useClub,
  useClubMembers,
  useCoopRefresh,
  useHouseholds,
} from './ClubLayout';

const roleDuties: { role: string; duty: string }[] = [
  {
    role: 'owner',
    duty: 'everything: households, producers, invitations, the club’s settings, and every role below. Only an Admin makes Admins.',
  },
  { role: 'admin', duty: 'what the Admin does, except making or changing Admins.' },
  { role: 'order_manager', duty: 'creates, opens and closes the club’s orders.' },
  { role: 'bookkeeper', duty: 'records household payments and pays producers’ invoices.' },
  { role: 'member', duty: 'starts or joins a household, adds producers, orders for the household.' },
];

/** Changes a member's role as soon as another is chosen; a refusal shows under it, which keeps the old role. */
function RoleSelect({ member, clubId }: { member: Member; clubId: string }) {
  const refresh = useCoopRefresh();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (role: string | null) => {
    if (!role || role === member.role) return;
    setSaving(true);
    setError(null);
    try {
      await call(
        api.PATCH('/api/orgs/{id}/members/{userId}', {
          params: { path: { id: clubId, userId: member.user_id } },
          body: { role },
        }),
      );
      await refresh();
      notifications.show({
        color: 'teal',
        message: `${member.name || member.email} is ${roleLabel(role)} now.`,
      });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Select
      aria-label={`Role of ${member.name || member.email}`}
      data={Object.entries(roleLabels).map(([value, label]) => ({ value, label }))}
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

function MembersTable({ members, households }: { members: Member[]; households: CoopHousehold[] }) {
  const { club, can } = useClub();
  const user = useSignedInUser();
  const navigate = useNavigate();
  const refresh = useCoopRefresh();
  const manages = can(COOP.manageMembers);
  const householdOf = (member: Member) =>
    households.find((h) => h.members.some((m) => m.user_id === member.user_id));
  const owners = members.filter((m) => m.role === 'owner').length;

  const remove = async (member: Member) => {
    await call(
      api.DELETE('/api/orgs/{id}/members/{userId}', {
        params: { path: { id: club.id, userId: member.user_id } },
      }),
    );
    if (member.user_id === user.id) {
      notifications.show({ message: `You left ${club.name}.` });
      await refresh();
      navigate('/coop');
      return;
    }
    await refresh();
  };

  /** Why a member cannot leave or be taken out of the club yet, or null. */
  const kept = (member: Member, isMe: boolean): string | null => {
    if (member.role === 'owner' && owners === 1)
      return isMe ? 'You are the only Admin: make someone else Admin first.' : 'The only Admin stays.';
    const household = householdOf(member);
    if (household)
      return isMe
        ? `Leave ${household.name} first: a household’s orders and bills need its people.`
        : `In ${household.name}: they leave it first.`;
    return null;
  };

  return (
    <DataTable
      label="Members of the club"
      rows={members}
      rowKey={(m) => m.user_id}
      searchLabel="Search members"
      exportName="club-members"
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={760}
      columns={[
        {
          id: 'name',
          header: 'Name',
          cardTitle: true,
          sortValue: (m) => m.name || m.email,
          csv: (m) => m.name,
          cell: (m) => `${m.name || 'No name'}${m.user_id === user.id ? ' (you)' : ''}`,
        },
        {
          id: 'email',
          header: 'Email',
          sortValue: (m) => m.email,
          csv: (m) => m.email ?? '',
          cell: (m) => m.email ?? 'signs in with a wallet',
        },
        {
          id: 'household',
          header: 'Household',
          sortValue: (m) => householdOf(m)?.name ?? null,
          csv: (m) => householdOf(m)?.name ?? '',
          cell: (m) => {
            const household = householdOf(m);
            return household ? (
              <Anchor component={Link} to={`/coop/clubs/${club.id}/households/${household.id}`} size="sm">
                {household.name}
              </Anchor>
            ) : (
              <Text size="sm" c="dimmed" component="span">
                none yet
              </Text>
            );
          },
        },
        {
          id: 'role',
          header: 'Role',
          sortValue: (m) => roleLabel(m.role),
          csv: (m) => roleLabel(m.role),
          cell: (m) =>
            manages && m.user_id !== user.id ? <RoleSelect member={m} clubId={club.id} /> : roleLabel(m.role),
        },
        {
          id: 'joined',
          header: 'Joined',
          nowrap: true,
          sortValue: (m) => m.joined_at,
          csv: (m) => m.joined_at,
          cell: (m) => formatToTheSecond(m.joined_at),
        },
        {
          id: 'actions',
          header: 'Actions',
          align: 'right',
          cell: (m) => {
            const isMe = m.user_id === user.id;
            if (!isMe && !manages) return null;
            const reason = kept(m, isMe);
            const reasonId = `kept-${m.user_id}`;
            return (
              <Group justify="flex-end" gap="xs" wrap="nowrap">
                {reason && (
                  <Text id={reasonId} size="xs" c="dimmed" maw={220} ta="right">
                    {reason}
                  </Text>
                )}
                <ConfirmButton
                  label={isMe ? 'Leave the club' : 'Remove'}
                  aria-label={isMe ? 'Leave the club' : `Remove ${m.name || m.email} from the club`}
                  disabled={reason !== null}
                  aria-describedby={reason ? reasonId : undefined}
                  question={isMe ? `Leave ${club.name}?` : `Remove ${m.name || m.email} from ${club.name}?`}
                  consequence={
                    isMe
                      ? 'You will not see the club any more, until someone invites you again.'
                      : 'They will not see the club any more, until invited again.'
                  }
                  confirmLabel={isMe ? 'Leave' : 'Remove'}
                  onConfirm={() => remove(m)}
                />
              </Group>
            );
          },
        },
      ]}
    />
  );
}

/** /coop/clubs/:clubId/members: who is in the club and their roles; the Admin gives the roles. */
export function MembersPage() {
  const { club, can } = useClub();
  const members = useClubMembers(club.id);
  const households = useHouseholds(club.id);
  const manages = can(COOP.manageMembers);
  return (
    <ClubFrame
      title={manages ? 'Members & roles' : 'Members'}
      description={
        manages
          ? 'Name the order managers and the bookkeeper here. Each person holds one role.'
          : 'Who is in the club, and what each does.'
      }
    >
      <Stack gap="lg">
        <SectionCard title="Members">
          <ResourceView resource={members} loadingLabel="Loading the members…">
            {(items) => <MembersTable members={items} households={households.data ?? []} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="The roles"
          description="What each role may do, besides ordering for its household."
        >
          <List size="sm" spacing={4}>
            {roleDuties.map(({ role, duty }) => (
              <List.Item key={role}>
                <strong>{roleLabel(role)}</strong>: {duty}
              </List.Item>
            ))}
          </List>
        </SectionCard>
      </Stack>
    </ClubFrame>
  );
}
