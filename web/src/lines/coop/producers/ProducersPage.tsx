import { Anchor, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../../api/client';
import type { CoopProducer } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { useSignedInUser } from '../../../session/SessionContext';
import { ClubFrame, useClub, useCoopRefresh } from '../club/ClubLayout';
import { ProducerDetailsForm } from './ProducerDetailsForm';

export function useProducers(clubId: string) {
  return useResource(
    `coop-producers:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/producers', { params: { path: { id: clubId } } }))).items,
  );
}

function ProducersTable({ producers, clubId }: { producers: CoopProducer[]; clubId: string }) {
  const user = useSignedInUser();
  const liaison = (p: CoopProducer) => (p.liaison.user_id === user.id ? 'You' : p.liaison.name);
  return (
    <DataTable
      label="Producers"
      rows={producers}
      rowKey={(p) => p.id}
      searchLabel="Search producers"
      exportName="producers"
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={680}
      columns={[
        {
          id: 'name',
          header: 'Producer',
          cardTitle: true,
          sortValue: (p) => p.name,
          csv: (p) => p.name,
          cell: (p) => (
            <Anchor component={Link} to={`/coop/clubs/${clubId}/producers/${p.id}`} fw={500}>
              {p.name}
            </Anchor>
          ),
        },
        {
          id: 'location',
          header: 'Location',
          sortValue: (p) => p.location,
          csv: (p) => p.location,
          cell: (p) => p.location || '—',
        },
        { id: 'liaison', header: 'Liaison', sortValue: liaison, csv: (p) => p.liaison.name, cell: liaison },
        {
          id: 'contact',
          header: 'Contact',
          csv: (p) => [p.contact_email, p.phone_number].filter(Boolean).join(' '),
          cell: (p) => [p.contact_email, p.phone_number].filter(Boolean).join(' · ') || '—',
        },
      ]}
    />
  );
}

/** /coop/clubs/:clubId/producers: the club's producers, and adding one (whoever adds it is its liaison). */
export function ProducersPage() {
  const { club } = useClub();
  const navigate = useNavigate();
  const refresh = useCoopRefresh();
  const producers = useProducers(club.id);
  return (
    <ClubFrame
      title="Producers"
      description="The farms and makers the club buys from. Each has a liaison: the member who talks to them and keeps their products up to date."
    >
      <Stack gap="lg">
        <SectionCard title="The club’s producers">
          <ResourceView
            resource={producers}
            loadingLabel="Loading the producers…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No producer yet">
                Know a farm or a baker the club could buy from? Add them below: you become their liaison, and
                add their products.
              </NothingYet>
            }
          >
            {(items) => <ProducersTable producers={items} clubId={club.id} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="Add a producer"
          description="You become its liaison; you can hand that role to another member later."
        >
          <ProducerDetailsForm
            submitLabel="Add the producer"
            onSubmit={async (details) => {
              const producer = await call(
                api.POST('/api/coop/clubs/{id}/producers', {
                  params: { path: { id: club.id } },
                  body: details,
                }),
              );
              await refresh();
              notifications.show({
                color: 'teal',
                message: `${producer.name} is added; you are its liaison.`,
              });
              navigate(`/coop/clubs/${club.id}/producers/${producer.id}`);
            }}
          />
        </SectionCard>
      </Stack>
    </ClubFrame>
  );
}
