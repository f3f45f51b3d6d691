import { Anchor, Badge, Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CoopHousehold, CoopJoinRequest } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { LoadingState, NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { PayingTheClub } from '../books/BankAccount';
import { COOP, plural } from '../format';
import { AskToJoinForm, MyJoinRequest, StartHouseholdForm } from '../households/HouseholdForms';
import { OrdersOnHome } from '../orders/CurrentOrder';
import { useOrders } from '../orders/resources';
import {
  ClubFrame,
  loadJoinRequests,
  personName,
  RoleBadge,
  useClub,
  useHouseholds,
  useMyHousehold,
  useMyJoinRequest,
} from './ClubLayout';

function MyHouseholdCard({ household }: { household: CoopHousehold }) {
  const { club } = useClub();
  const waiting = useResource(`coop-join-requests:${household.id}`, () => loadJoinRequests(household.id));
  const path = `/coop/clubs/${club.id}/households/${household.id}`;
  const count = waiting.data?.length ?? 0;
  return (
    <SectionCard
      title="Your household"
      actions={
        <Button component={Link} to={path} size="xs" variant="default">
          Open {household.name}
        </Button>
      }
    >
      <Stack gap="sm">
        <Text fw={600} size="lg">
          <Anchor component={Link} to={path} inherit>
            {household.name}
          </Anchor>
        </Text>
        <Text size="sm">
          {household.members.length === 1 ? 'Just you' : household.members.map(personName).join(', ')}
        </Text>
        {count > 0 && (
          <Group gap="xs">
            <Badge color="orange" variant="light" style={{ overflow: 'visible' }}>
              {count === 1 ? '1 request to join' : `${count} requests to join`}
            </Badge>
            <Anchor component={Link} to={path} size="sm">
              See who asks, and let them in
            </Anchor>
          </Group>
        )}
      </Stack>
    </SectionCard>
  );
}

/** Someone in no household yet: their waiting request, or starting one, or asking to join one. */
function NoHousehold({ households }: { households: CoopHousehold[] }) {
  const { club } = useClub();
  const request = useMyJoinRequest(club.id);
  if (request.data === undefined) return <LoadingState label="Loading your request…" />;
  return (
    <Stack gap="lg">
      {request.data && (
        <SectionCard title="Your household" description="You are in no household yet.">
          <MyJoinRequest club={club} request={request.data} />
        </SectionCard>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <SectionCard
          title="Join a household"
          description={
            request.data
              ? 'Asked the wrong one? Asking another household withdraws your request.'
              : 'You live with someone already in the club? Ask to join their household; one of its members lets you in.'
          }
        >
          {households.length === 0 ? (
            <Text size="sm" c="dimmed">
              The club has no household yet: start the first one.
            </Text>
          ) : (
            <AskToJoinForm club={club} households={households} />
          )}
        </SectionCard>
        <SectionCard
          title="Start a household"
          description="Nobody of your home in the club yet? Start your household; the others of your home then ask to join it."
        >
          <StartHouseholdForm club={club} />
        </SectionCard>
      </SimpleGrid>
    </Stack>
  );
}

/** For the club's admin: every request waiting in the club, each leading to its household's page. */
function WaitingRequests() {
  const { club } = useClub();
  const waiting = useResource(
    `coop-club-join-requests:${club.id}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/join-requests', { params: { path: { id: club.id } } })))
        .items,
  );
  const columns: Column<CoopJoinRequest>[] = [
    {
      id: 'person',
      header: 'Who asks',
      cardTitle: true,
      cell: (r) => (
        <>
          <Text size="sm" fw={500}>
            {personName(r.person)}
          </Text>
          {r.person.email && r.person.name && (
            <Text size="xs" c="dimmed">
              {r.person.email}
            </Text>
          )}
        </>
      ),
      sortValue: (r) => personName(r.person),
      csv: (r) => [personName(r.person), r.person.email].filter(Boolean).join(' '),
    },
    {
      id: 'household',
      header: 'To join',
      cell: (r) => (
        <Anchor component={Link} to={`/coop/clubs/${club.id}/households/${r.household_id}`} size="sm">
          {r.household_name}
        </Anchor>
      ),
      sortValue: (r) => r.household_name,
      csv: (r) => r.household_name,
    },
    { id: 'message', header: 'Message', cell: (r) => r.message || '—', csv: (r) => r.message },
    {
      id: 'asked',
      header: 'Asked',
      nowrap: true,
      cell: (r) => formatToTheSecond(r.created_at),
      sortValue: (r) => new Date(r.created_at),
      csv: (r) => r.created_at,
    },
  ];
  return (
    <SectionCard
      title="Waiting to join a household"
      description="Its members usually let people in with the code they read out; as the Admin you may too, from the household’s page."
    >
      <ResourceView
        resource={waiting}
        loadingLabel="Loading the requests…"
        isEmpty={(items) => items.length === 0}
        empty={<NothingYet title="Nobody is waiting">Requests to join a household appear here.</NothingYet>}
      >
        {(items) => (
          <DataTable
            label="Waiting join requests"
            rows={items}
            columns={columns}
            rowKey={(r) => r.id}
            initialSort={{ columnId: 'asked', direction: 'ascending' }}
            minWidth={640}
          />
        )}
      </ResourceView>
    </SectionCard>
  );
}

/** /coop/clubs/:clubId: the club's home: the current order first, then the person's household. */
export function ClubHomePage() {
  const { club } = useClub();
  const households = useHouseholds(club.id);
  const mine = useMyHousehold(households.data);
  const orders = useOrders(club.id);
  return (
    <ClubFrame title={club.name} description={<RoleBadge role={club.my_role} />}>
      <Stack gap="lg">
        <ResourceView resource={orders} loadingLabel="Loading the orders…">
          {(items) => <OrdersOnHome orders={items} />}
        </ResourceView>
        <ResourceView resource={households} loadingLabel="Loading the households…">
          {(items) => (mine ? <MyHouseholdCard household={mine} /> : <NoHousehold households={items} />)}
        </ResourceView>
        <PayingTheClub />
        {club.my_permissions.includes(COOP.households) && <WaitingRequests />}
        <SectionCard title="The club">
          <Facts
            facts={[
              {
                label: 'Households',
                value: (
                  <Anchor component={Link} to={`/coop/clubs/${club.id}/households`} inherit>
                    {households.data ? plural(households.data.length, 'household') : '…'}
                  </Anchor>
                ),
              },
              {
                label: 'Joining a household',
                value: club.join_code_required
                  ? 'With a code the person asking reads out'
                  : 'On a member’s approval, without a code',
              },
              { label: 'Started', value: formatToTheSecond(club.created_at) },
            ]}
          />
          <Group gap="sm">
            <Button component={Link} to={`/coop/clubs/${club.id}/products`} variant="light">
              Browse the products
            </Button>
            <Button component={Link} to={`/coop/clubs/${club.id}/producers`} variant="default">
              Producers
            </Button>
          </Group>
        </SectionCard>
      </Stack>
    </ClubFrame>
  );
}
