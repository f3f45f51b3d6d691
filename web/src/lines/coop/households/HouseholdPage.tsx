import { Badge, Button, Group, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopHousehold, CoopHouseholdMember } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { usePageTitle } from '../../../components/usePageTitle';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { RenameOrganisationForm } from '../../../pages/orgs/RenameOrganisationForm';
import { useSignedInUser } from '../../../session/SessionContext';
import {
  ClubFrame,
  loadJoinRequests,
  personName,
  useClub,
  useClubMembers,
  useCoopRefresh,
  useHouseholds,
  useMyHousehold,
  useMyJoinRequest,
} from '../club/ClubLayout';
import { COOP, plural } from '../format';
import { DirectDebitMandate } from './DirectDebitMandate';
import { HouseholdAccount } from './HouseholdAccount';
import { AskToJoinForm, MyJoinRequest } from './HouseholdForms';
import { JoinRequestsList } from './JoinRequests';

function MembersTable({
  household,
  manages,
  onRemove,
}: {
  household: CoopHousehold;
  manages: boolean;
  onRemove: (member: CoopHouseholdMember) => Promise<void>;
}) {
  const user = useSignedInUser();
  const open = !household.archived_at;
  return (
    <DataTable
      label={`Members of ${household.name}`}
      rows={household.members}
      rowKey={(m) => m.user_id}
      exportName="household-members"
      initialSort={{ columnId: 'joined', direction: 'ascending' }}
      minWidth={560}
      columns={[
        {
          id: 'name',
          header: 'Name',
          cardTitle: true,
          sortValue: (m) => personName(m),
          csv: (m) => m.name,
          cell: (m) => `${personName(m)}${m.user_id === user.id ? ' (you)' : ''}`,
        },
        {
          id: 'email',
          header: 'Email',
          sortValue: (m) => m.email,
          csv: (m) => m.email ?? '',
          cell: (m) => m.email ?? 'signs in with a wallet',
        },
        {
          id: 'joined',
          header: 'Joined',
          nowrap: true,
          sortValue: (m) => m.joined_at,
          csv: (m) => m.joined_at,
          cell: (m) => formatToTheSecond(m.joined_at),
        },
        ...(manages && open
          ? [
              {
                id: 'actions',
                header: 'Actions',
                align: 'right' as const,
                cell: (m: CoopHouseholdMember) => (
                  <ConfirmButton
                    label="Take out"
                    aria-label={`Take out ${m.user_id === user.id ? 'yourself' : personName(m)}`}
                    question={`Take ${personName(m)} out of ${household.name}?`}
                    consequence={
                      household.members.length === 1
                        ? `${household.name} has nobody else: it is archived, with its orders and bills kept.`
                        : `${personName(m)} stays in the club, in no household, and may start or join another.`
                    }
                    confirmLabel="Take out"
                    onConfirm={() => onRemove(m)}
                  />
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** The club's admin puts a club member who is in no household yet into this one. */
function AddMemberForm({ household }: { household: CoopHousehold }) {
  const { club } = useClub();
  const refresh = useCoopRefresh();
  const members = useClubMembers(club.id);
  const households = useHouseholds(club.id);
  const [userId, setUserId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const housed = new Set((households.data ?? []).flatMap((h) => h.members.map((m) => m.user_id)));
  const free = (members.data ?? []).filter((m) => !housed.has(m.user_id));
  const add = async () => {
    if (!userId) {
      setError('Choose the person to add.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call(
        api.POST('/api/coop/households/{id}/members', {
          params: { path: { id: household.id } },
          body: { user_id: userId },
        }),
      );
      setUserId(null);
      await refresh();
      notifications.show({ color: 'teal', message: `Added to ${household.name}.` });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="sm" maw={480}>
      <Select
        label="Club member in no household"
        placeholder={free.length === 0 ? 'Everyone is in a household' : 'Choose a person'}
        data={free.map((m) => ({ value: m.user_id, label: `${m.name || m.email} (${m.email ?? 'wallet'})` }))}
        value={userId}
        onChange={setUserId}
        searchable
        disabled={free.length === 0}
      />
      <FormErrorAlert message={error} />
      <Group>
        <Button onClick={() => void add()} loading={busy} disabled={free.length === 0}>
          Add to {household.name}
        </Button>
      </Group>
    </Stack>
  );
}

function HouseholdView({ household }: { household: CoopHousehold }) {
  const { club, can } = useClub();
  const user = useSignedInUser();
  const navigate = useNavigate();
  const refresh = useCoopRefresh();
  const households = useHouseholds(club.id);
  const mine = useMyHousehold(households.data);
  const myRequest = useMyJoinRequest(club.id);
  const manages = can(COOP.households);
  const lives = household.members.some((m) => m.user_id === user.id);
  const open = !household.archived_at;
  const requests = useResource(`coop-join-requests:${household.id}`, async () =>
    lives || manages ? loadJoinRequests(household.id) : [],
  );

  const leave = async () => {
    await call(api.POST('/api/coop/households/{id}/leave', { params: { path: { id: household.id } } }));
    await refresh();
    notifications.show({ message: `You left ${household.name}.` });
    navigate(`/coop/clubs/${club.id}`);
  };
  const remove = async (member: CoopHouseholdMember) => {
    await call(
      api.DELETE('/api/coop/households/{id}/members/{userId}', {
        params: { path: { id: household.id, userId: member.user_id } },
      }),
    );
    await refresh();
  };
  const archive = async () => {
    await call(api.DELETE('/api/coop/households/{id}', { params: { path: { id: household.id } } }));
    await refresh();
    notifications.show({ message: `${household.name} is deleted; its orders and bills are kept.` });
    navigate(`/coop/clubs/${club.id}/households`);
  };

  return (
    <ClubFrame
      title={household.name}
      trail={[{ label: 'Households', to: `/coop/clubs/${club.id}/households` }]}
      description={
        <Group gap="xs" component="span">
          {open ? (
            <Badge variant="light" color="teal" style={{ overflow: 'visible' }}>
              Open
            </Badge>
          ) : (
            <Badge variant="light" color="gray" style={{ overflow: 'visible' }}>
              Archived
            </Badge>
          )}
          <span>
            {plural(household.members.length, 'member')} · started {formatToTheSecond(household.created_at)}
            {household.archived_at && ` · archived ${formatToTheSecond(household.archived_at)}`}
          </span>
        </Group>
      }
      actions={
        open && (
          <>
            {lives && (
              <ConfirmButton
                label="Leave the household"
                size="sm"
                question={`Leave ${household.name}?`}
                consequence={
                  household.members.length === 1
                    ? `You are its last member: ${household.name} is archived, with its orders and bills kept. You stay in the club and may start or join another household.`
                    : `You stay in the club, in no household, and may start or join another. To come back, ask to join again.`
                }
                confirmLabel="Leave"
                onConfirm={leave}
              />
            )}
            {manages && (
              <ConfirmButton
                label="Delete the household"
                size="sm"
                question={`Delete ${household.name}?`}
                consequence={`It is archived with its orders and bills; its ${plural(household.members.length, 'member')} stay in the club, free to start or join another household.`}
                confirmLabel="Delete"
                onConfirm={archive}
              />
            )}
          </>
        )
      }
    >
      <Stack gap="lg">
        {open && (lives || manages) && (
          <SectionCard
            title="Waiting to join"
            description={
              club.join_code_required && !manages
                ? 'Let someone in only with the code they read out to you themselves: it proves the request is theirs.'
                : manages && club.join_code_required
                  ? 'As the club’s admin you let people in without their code; members of the household need it.'
                  : 'Let in only people you know live with you.'
            }
          >
            <ResourceView resource={requests} loadingLabel="Loading the requests…">
              {(items) => (
                <JoinRequestsList club={club} household={household} requests={items} manages={manages} />
              )}
            </ResourceView>
          </SectionCard>
        )}
        {open && !lives && !mine && myRequest.data !== undefined && (
          <SectionCard title={`Join ${household.name}`}>
            {myRequest.data?.household_id === household.id ? (
              <MyJoinRequest club={club} request={myRequest.data} />
            ) : (
              <AskToJoinForm club={club} household={household} />
            )}
          </SectionCard>
        )}
        {(lives || can(COOP.books) || can(COOP.producers)) && (
          <HouseholdAccount clubId={club.id} household={household} />
        )}
        {(lives || can(COOP.books)) && <DirectDebitMandate household={household} lives={lives} />}
        <SectionCard title="Members">
          {household.members.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nobody lives here any more.
            </Text>
          ) : (
            <MembersTable household={household} manages={manages} onRemove={remove} />
          )}
        </SectionCard>
        {open && manages && (
          <SectionCard
            title="Add a member"
            description="As the club’s admin you put a club member who is in no household into this one, without a request."
          >
            <AddMemberForm household={household} />
          </SectionCard>
        )}
        {open && (lives || manages) && (
          <SectionCard title="Name" description="Unique among the club’s open households.">
            <RenameOrganisationForm
              what="household"
              current={household.name}
              rename={(name) =>
                call(
                  api.PATCH('/api/coop/households/{id}', {
                    params: { path: { id: household.id } },
                    body: { name },
                  }),
                )
              }
              onRenamed={() => void refresh()}
            />
          </SectionCard>
        )}
      </Stack>
    </ClubFrame>
  );
}

/** /coop/clubs/:clubId/households/:householdId: a household, its members and who asks to join it. */
export function HouseholdPage() {
  usePageTitle('Household');
  const { householdId = '' } = useParams();
  const household = useResource(`coop-household:${householdId}`, () =>
    call(api.GET('/api/coop/households/{id}', { params: { path: { id: householdId } } })),
  );
  return (
    <ResourceView resource={household} loadingLabel="Loading the household…">
      {(data) => <HouseholdView household={data} />}
    </ResourceView>
  );
}
