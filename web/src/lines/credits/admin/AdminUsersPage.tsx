import { Anchor, Select, Stack, Table, Text } from '@mantine/core';
import { useCallback } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsCustomer, CreditsUserType } from '../../../api/types';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { formatDateTime } from '../../../lib/dates';
import { formatCredits, userTypeLabels } from '../format';
import { UserTypeBadge } from '../UserTypeBadge';
import { AdminFrame } from './AdminFrame';

function PeopleTable({ people }: { people: CreditsCustomer[] }) {
  const cell = { whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' } as const;
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table aria-label="People" fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Person</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th ta="right">Total</Table.Th>
            <Table.Th ta="right">Used</Table.Th>
            <Table.Th ta="right">Reserved</Table.Th>
            <Table.Th ta="right">Available</Table.Th>
            <Table.Th>Set up</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {people.map((person) => (
            <Table.Tr key={person.user_id}>
              <Table.Td>
                <Anchor component={Link} to={`/credits/admin/users/${person.user_id}`} fw={500} size="sm">
                  {person.name || person.email || person.user_id}
                </Anchor>
                {person.name && person.email && (
                  <Text size="xs" c="dimmed">
                    {person.email}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <UserTypeBadge type={person.type} />
              </Table.Td>
              <Table.Td ta="right" style={cell}>
                {formatCredits(person.balance.total)}
              </Table.Td>
              <Table.Td ta="right" style={cell}>
                {formatCredits(person.balance.used)}
              </Table.Td>
              <Table.Td ta="right" style={cell}>
                {formatCredits(person.balance.reserved)}
              </Table.Td>
              <Table.Td ta="right" style={cell}>
                {formatCredits(person.balance.available)}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {formatDateTime(person.onboarded_at, 'waiting for first login')}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
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
            {() => <PeopleTable people={pages.items} />}
          </ResourceView>
          <LoadOlder pages={pages} label="Load older people" />
        </SectionCard>
      </Stack>
    </AdminFrame>
  );
}
