import { Anchor, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CoopAccountEntry } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { balanceWords, editableEuros, formatSignedEuros } from '../format';

const kindLabels: Record<CoopAccountEntry['kind'], string> = { bill: 'Bill', payment: 'Payment' };

/** A household's balance with the club, and every bill and payment behind it (its members, the bookkeeper, the Admin). */
export function HouseholdAccount({
  clubId,
  household,
}: {
  clubId: string;
  household: { id: string; name: string };
}) {
  const account = useResource(`coop-account:${household.id}`, () =>
    call(api.GET('/api/coop/households/{id}/account', { params: { path: { id: household.id } } })),
  );
  return (
    <SectionCard
      title="Balance and history"
      description="Each processed order bills the household; each payment the bookkeeper marks received pays it off."
    >
      <ResourceView resource={account} loadingLabel="Loading the balance…">
        {(data) => (
          <Stack gap="md">
            <Text size="lg" fw={600} data-testid="household-balance">
              {household.name} {balanceWords(data.balance_cents)}.
            </Text>
            {data.entries.length === 0 ? (
              <NothingYet title="No bill yet">
                The household’s first bill comes when an order it ordered in is processed.
              </NothingYet>
            ) : (
              <DataTable
                label={`Account of ${household.name}`}
                rows={data.entries}
                rowKey={(e) => `${e.at}:${e.kind}:${e.order_id}:${e.amount_cents}`}
                exportName="household-account"
                initialSort={{ columnId: 'at', direction: 'descending' }}
                minWidth={640}
                columns={[
                  {
                    id: 'at',
                    header: 'When',
                    nowrap: true,
                    sortValue: (e) => e.at,
                    csv: (e) => e.at,
                    cell: (e) => formatToTheSecond(e.at),
                  },
                  {
                    id: 'kind',
                    header: 'What',
                    cardTitle: true,
                    sortValue: (e) => e.kind,
                    csv: (e) => kindLabels[e.kind],
                    cell: (e) => kindLabels[e.kind],
                  },
                  {
                    id: 'order',
                    header: 'Order',
                    sortValue: (e) => e.order_number,
                    csv: (e) => String(e.order_number),
                    cell: (e) => (
                      <Anchor component={Link} to={`/coop/clubs/${clubId}/orders/${e.order_id}`} size="sm">
                        Order {e.order_number}
                      </Anchor>
                    ),
                  },
                  {
                    id: 'amount',
                    header: 'Amount',
                    align: 'right',
                    nowrap: true,
                    sortValue: (e) => BigInt(e.amount_cents),
                    csv: (e) => editableEuros(e.amount_cents),
                    cell: (e) => formatSignedEuros(e.amount_cents),
                  },
                  {
                    id: 'balance',
                    header: 'Balance after',
                    align: 'right',
                    nowrap: true,
                    sortValue: (e) => BigInt(e.balance_cents),
                    csv: (e) => editableEuros(e.balance_cents),
                    cell: (e) => formatSignedEuros(e.balance_cents),
                  },
                ]}
              />
            )}
          </Stack>
        )}
      </ResourceView>
    </SectionCard>
  );
}
