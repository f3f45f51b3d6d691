import { Anchor, Button, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CoopHousehold } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { formatToTheSecond } from '../../../lib/dates';
import { useSignedInUser } from '../../../session/SessionContext';
import { ClubFrame, personName, useClub, useHouseholds, useMyHousehold } from '../club/ClubLayout';
import { plural } from '../format';

export function HouseholdsTable({ households, clubId }: { households: CoopHousehold[]; clubId: string }) {
  const user = useSignedInUser();
  return (
    <DataTable
      label="Households"
      rows={households}
      rowKey={(h) => h.id}
      searchLabel="Search households or people"
      exportName="households"
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={600}
      columns={[
        {
          id: 'name',
          header: 'Household',
          cardTitle: true,
          sortValue: (h) => h.name,
          csv: (h) => h.name,
          cell: (h) => (
            <Anchor component={Link} to={`/coop/clubs/${clubId}/households/${h.id}`} fw={500}>
              {h.name}
              {h.members.some((m) => m.user_id === user.id) && ' (yours)'}
            </Anchor>
          ),
        },
        {
          id: 'members',
          header: 'Members',
          sortValue: (h) => h.members.length,
          csv: (h) => h.members.map(personName).join('; '),
          cell: (h) => (
            <Text size="sm" component="span">
              {h.members.map(personName).join(', ')}
            </Text>
          ),
        },
        {
          id: 'count',
          header: 'People',
          align: 'right',
          sortValue: (h) => h.members.length,
          csv: (h) => String(h.members.length),
          cell: (h) => h.members.length,
        },
        {
          id: 'created',
          header: 'Started',
          nowrap: true,
          sortValue: (h) => h.created_at,
          csv: (h) => h.created_at,
          cell: (h) => formatToTheSecond(h.created_at),
        },
      ]}
    />
  );
}

/** /coop/clubs/:clubId/households: the club's households and who lives in each. */
export function HouseholdsPage() {
  const { club } = useClub();
  const households = useHouseholds(club.id);
  const mine = useMyHousehold(households.data);
  return (
    <ClubFrame
      title="Households"
      description="Each household orders as one. A person belongs to one household of the club."
      actions={
        households.data &&
        !mine && (
          <Button component={Link} to={`/coop/clubs/${club.id}`}>
            Start or join a household
          </Button>
        )
      }
    >
      <SectionCard
        title="The club’s households"
        description={households.data ? plural(households.data.length, 'household') : undefined}
      >
        <ResourceView
          resource={households}
          loadingLabel="Loading the households…"
          isEmpty={(items) => items.length === 0}
          empty={
            <NothingYet
              title="No household yet"
              action={
                <Button component={Link} to={`/coop/clubs/${club.id}`}>
                  Start the first household
                </Button>
              }
            >
              Households appear here once someone starts one.
            </NothingYet>
          }
        >
          {(items) => (
            <Stack>
              <HouseholdsTable households={items} clubId={club.id} />
            </Stack>
          )}
        </ResourceView>
      </SectionCard>
    </ClubFrame>
  );
}
