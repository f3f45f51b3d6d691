import { Anchor, Badge, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { components } from '../../../api/schema';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { useSession } from '../../../session/SessionContext';
import { formatTokenWei } from '../format';

type Receipt = components['schemas']['StreamsReceipt'];

/** US cents as dollars, exactly: "1.77 USD". */
const dollars = (cents: string | null) =>
  cents === null
    ? 'no USD price'
    : `${(BigInt(cents) / 100n).toString()}.${(BigInt(cents) % 100n).toString().padStart(2, '0')} USD`;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Receipts of what streamed, a row per subscription and month, with their PDF and CSV: the
 * subscriber's own, or the producer's of its plans (with a month's receipts as one CSV for the
 * accountant).
 */
export function ReceiptsSection({ as }: { as: 'subscriber' | 'producer' }) {
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user.id : 'signed-out';
  const receipts = useResource(`streams-receipts:${as}:${user}`, async () =>
    as === 'subscriber'
      ? (await call(api.GET('/api/streams/receipts'))).items
      : (await call(api.GET('/api/streams/producer/receipts'))).items,
  );
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const base = as === 'subscriber' ? '/api/streams/receipts' : '/api/streams/producer/receipts';
  return (
    <SectionCard
      title="Receipts"
      description={
        as === 'subscriber'
          ? 'A receipt per subscription and month, from what your streams paid, with its value in USD.'
          : 'A receipt per subscriber and month, from what streamed to you, with its value in USD and your tax details.'
      }
    >
      <Stack gap="md">
        {as === 'producer' && (
          <Group align="flex-end">
            <TextInput
              label="Month for the accountant"
              description="YYYY-MM, in UTC"
              value={month}
              onChange={(event) => setMonth(event.currentTarget.value)}
              error={MONTH.test(month) ? null : 'Enter a month as YYYY-MM'}
              w={200}
            />
            {MONTH.test(month) && (
              <Anchor href={`/api/streams/producer/receipts/export?month=${month}`} download>
                Download {month} as CSV
              </Anchor>
            )}
          </Group>
        )}
        <ResourceView
          resource={receipts}
          loadingLabel="Loading your receipts…"
          isEmpty={(items) => items.length === 0}
          empty={
            <NothingYet title="No receipt yet">
              A receipt appears once a day of streaming is booked, the day after it streamed.
            </NothingYet>
          }
        >
          {(items) => (
            <Table.ScrollContainer minWidth={640}>
              <Table striped aria-label="Receipts">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Receipt</Table.Th>
                    <Table.Th>Month</Table.Th>
                    <Table.Th>Plan</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>Streamed</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>Value</Table.Th>
                    <Table.Th>Download</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((receipt: Receipt) => (
                    <Table.Tr key={receipt.number} aria-label={`Receipt ${receipt.number}`}>
                      <Table.Td>
                        <Text size="sm" ff="monospace">
                          {receipt.number}
                        </Text>
                        {!receipt.complete && (
                          <Badge variant="light" color="yellow" title={receipt.coverage}>
                            Booked so far
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{receipt.month}</Table.Td>
                      <Table.Td>
                        {receipt.plan.name}
                        {as === 'producer' && (
                          <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                            {receipt.buyer.wallet}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>
                        {formatTokenWei(receipt.wei, receipt.token)}
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>{dollars(receipt.usd_cents)}</Table.Td>
                      <Table.Td>
                        <Group gap="xs">
                          <Anchor
                            href={`${base}/${receipt.number}?format=pdf`}
                            download
                            aria-label={`Download receipt ${receipt.number} as PDF`}
                          >
                            PDF
                          </Anchor>
                          <Anchor
                            href={`${base}/${receipt.number}?format=csv`}
                            download
                            aria-label={`Download receipt ${receipt.number} as CSV`}
                          >
                            CSV
                          </Anchor>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </ResourceView>
      </Stack>
    </SectionCard>
  );
}
