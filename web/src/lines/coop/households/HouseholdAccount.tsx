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

/** What a line of the statement is: a corrected bill follows the reversal of the bill it replaces. */
const what = (e: CoopAccountEntry): string => {
  // Compared as words: a line of a kind this page does not name is never shown as a bill.
  const kind: string = e.kind;
  if (kind === 'payment') return 'Payment';
  if (kind === 'payment_return') return 'Direct debit returned by your bank';
  if (kind === 'bill_reversal') return `Bill taken back (correction ${e.correction})`;
  if (kind === 'bill') return e.correction === null ? 'Bill' : `Corrected bill (correction ${e.correction})`;
  return 'Other change';
};

/**
 * A household's statement: its balance with the club, and every bill, payment and correction
 * behind it (its members, the bookkeeper, the Admin).
 */
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
      title="Statement"
      description="Each processed order bills the household; each payment received pays it off. A correction takes a bill back and bills the corrected amount, with the reason. A direct debit your bank returned is owed again."
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
                    sortValue: (e) => what(e),
                    csv: (e) => (e.reason ? `${what(e)}: ${e.reason}` : what(e)),
                    cell: (e) => (
                      <Stack gap={2}>
                        <span>{what(e)}</span>
                        {e.reason && e.kind === 'bill_reversal' && (
                          <Text size="xs" c="dimmed">
                            {e.reason}
                          </Text>
                        )}
                      </Stack>
                    ),
                  },
                  {
                    id: 'order',
                    header: 'Order',
                    sortValue: (e) => e.order_number,
                    csv: (e) => (e.order_number === null ? '' : String(e.order_number)),
                    cell: (e) =>
                      e.order_id === null ? (
                        'Paid ahead'
                      ) : (
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
