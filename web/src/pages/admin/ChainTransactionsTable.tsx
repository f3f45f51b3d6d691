import { Badge, Code, Table, Text, Tooltip } from '@mantine/core';
import type { ChainTransaction } from '../../api/types';
import { formatDateTime } from '../../lib/dates';
import { transactionProgress, transactionStateColors } from '../../wallet/transactionStates';

/** A hash shortened to its ends, the whole of it on hover and for screen readers. */
function ShortHash({ hash }: { hash: string }) {
  return (
    <Tooltip label={hash}>
      <Code aria-label={hash}>
        {hash.slice(0, 10)}…{hash.slice(-6)}
      </Code>
    </Tooltip>
  );
}

/** Tally's outgoing transactions: what each is for, where it stands, and what went wrong. */
export function ChainTransactionsTable({
  transactions,
  label,
}: {
  transactions: ChainTransaction[];
  label: string;
}) {
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table fz="sm" verticalSpacing="xs" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>State</Table.Th>
            <Table.Th>Purpose</Table.Th>
            <Table.Th ta="right">Nonce</Table.Th>
            <Table.Th>Hash</Table.Th>
            <Table.Th ta="right">
              <Tooltip label="Broadcasts the chain's node refused">
                <span>Attempts</span>
              </Tooltip>
            </Table.Th>
            <Table.Th>Last error</Table.Th>
            <Table.Th>Created / finished</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {transactions.map((transaction) => (
            <Table.Tr key={transaction.id}>
              <Table.Td>
                <Tooltip label={transactionProgress(transaction)}>
                  <Badge variant="light" color={transactionStateColors[transaction.state]}>
                    {transaction.state}
                  </Badge>
                </Tooltip>
              </Table.Td>
              <Table.Td>
                <Code>{transaction.purpose}</Code>
              </Table.Td>
              <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                {transaction.nonce}
              </Table.Td>
              <Table.Td>
                {transaction.hash ? <ShortHash hash={transaction.hash} /> : '—'}
                {transaction.hashes.length > 1 && (
                  <Text size="xs" c="dimmed">
                    sent {transaction.hashes.length} times
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">{transaction.attempts}</Table.Td>
              <Table.Td maw={280}>
                <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                  {transaction.last_error ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm">{formatDateTime(transaction.created_at)}</Text>
                <Text size="xs" c="dimmed">
                  {transaction.finished_at ? formatDateTime(transaction.finished_at) : 'not finished'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
