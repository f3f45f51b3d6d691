import { Anchor, Select, Stack, Text } from '@mantine/core';
import { useCallback } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsCustomer, CreditsUserType } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { csvAmount, csvTime } from '../../../lib/table';
import { formatCredits, userTypeLabels } from '../format';
import { UserTypeBadge } from '../UserTypeBadge';
import { AdminFrame } from './AdminFrame';
import { firstLoginState } from './firstLogin';

const balanceColumns = [
  ['total', 'Total'],
  ['used', 'Used'],
  ['reserved', 'Reserved'],
  ['available', 'Available'],
] as const;

function PeopleTable({ people, moreToLoad }: { people: CreditsCustomer[]; moreToLoad: boolean }) {
  const columns: Column<CreditsCustomer>[] = [
    {
      id: 'person',
      header: 'Person',
      cell: (person) => (
        <>
          <Anchor component={Link} to={`/credits/admin/users/${person.user_id}`} fw={500} size="sm">
            {person.name || person.email || 'Unnamed person'}
          </Anchor>
          {person.name && person.email && (
            <Text size="xs" c="dimmed">
              {person.email}
            </Text>
          )}
        </>
      ),
      sortValue: (person) => person.name || person.email || null,
      csv: (person) => person.name,
    },
    { id: 'email', header: 'Email', csv: (person) => person.email ?? '' },
    {
      id: 'type',
      header: 'Type',
      nowrap: true,
      cell: (person) => <UserTypeBadge type={person.type} />,
      sortValue: (person) => userTypeLabels[person.type],
      csv: (person) => userTypeLabels[person.type],
    },
    ...balanceColumns.map(
      ([part, header]): Column<CreditsCustomer> => ({
        id: part,
        header,
        align: 'right',
        nowrap: true,
        cell: (person) => formatCredits(person.balance[part]),
        sortValue: (person) => BigInt(person.balance[part]),
        csv: (person) => csvAmount(person.balance[part], 0, 'credits'),
      }),
    ),
    {
      id: 'onboarded',
      header: 'Set up',
      nowrap: true,
      cell: firstLoginState,
      sortValue: (person) => (person.onboarded_at ? new Date(person.onboarded_at) : null),
      csv: (person) => (person.onboarded_at ? csvTime(person.onboarded_at) : person.first_login),
    },
  ];
  return (
    <DataTable
      label="People"
      rows={people}
      columns={columns}
      rowKey={(person) => person.user_id}
      searchLabel="Search people"
      exportName="credits-people"
      moreToLoad={moreToLoad}
      minWidth={860}
    />
  );
}

/** /credits/admin/users: everyone who bought something, and the administrators, with their balances. */
export function AdminUsersPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const type = (searchParams.get('type') ?? '') as CreditsUserType | '';
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/users', {
          params: { query: { ...(type ? { type } : {}), cursor, limit: 50 } },
        }),
      ),
    [type],
  );
  const pages = useCursorPages(`credits-admin-users:${type}`, loadPage);
  return (
    <AdminFrame
      title="Credits people"
      description="Each person's type (set by what they bought) and balance; open one to adjust their credits."
    >
      <Stack gap="lg">
        <SectionCard
          title="People"
          actions={
            <Select
              label="Type"
              w={220}
              allowDeselect={false}
              data={[
                { value: '', label: 'Every type' },
                ...Object.entries(userTypeLabels).map(([value, label]) => ({ value, label })),
              ]}
              value={type}
              onChange={(value) => setSearchParams(value ? { type: value } : {})}
            />
          }
        >
          <ResourceView
            resource={pages.first}
            loadingLabel="Loading the people…"
            isEmpty={(page) => page.items.length === 0}
            empty={
              <NothingYet title={type ? 'Nobody of this type' : 'Nobody yet'}>
                People appear here when a purchase registers them; enter one under Purchases.
              </NothingYet>
            }
          >
            {() => <PeopleTable people={pages.items} moreToLoad={pages.hasMore} />}
          </ResourceView>
          <LoadOlder pages={pages} label="Load older people" />
        </SectionCard>
      </Stack>
    </AdminFrame>
  );
}
