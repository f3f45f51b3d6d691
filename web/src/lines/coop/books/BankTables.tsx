import { Anchor, NativeSelect, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type {
  CoopBankLine,
  CoopBankLineState,
  CoopBankStatement,
  CoopHousehold,
  CoopPaymentBatch,
  Member,
} from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { formatToTheSecond } from '../../../lib/dates';
import { personName } from '../club/ClubLayout';
import { editableEuros, formatEuros, formatSignedEuros, inGroupsOfFour } from '../format';
import { StateBadge } from '../orders/status';
import { bankLineStateLabels, billName } from './format';

const bankLineColors: Record<CoopBankLineState, string> = {
  matched: 'teal',
  assigned: 'teal',
  bad_amount: 'orange',
  unmatched: 'yellow',
  ignored: 'gray',
  outgoing: 'grape',
};

export function BankLineBadge({ state }: { state: CoopBankLineState }) {
  return <StateBadge color={bankLineColors[state]} label={bankLineStateLabels[state]} />;
}

/** A member by name (UI.md "names, not ids"), or who they were when they left. */
function memberName(members: Member[] | undefined, userId: string | null): string {
  if (!userId) return '';
  const member = members?.find((m) => m.user_id === userId);
  return member ? personName(member) : members ? 'A former member' : '…';
}

/** Money in as `+€6.42`, money out as `−€12.00`. */
const signed = (line: CoopBankLine) =>
  formatSignedEuros(line.direction === 'credit' ? line.amount_cents : -BigInt(line.amount_cents));

/** Every line of the club's statements with its state, filtered by state, searched, exported. */
export function BankLinesTable({
  lines,
  members,
  households,
}: {
  lines: CoopBankLine[];
  members: Member[] | undefined;
  households: CoopHousehold[] | undefined;
}) {
  const [state, setState] = useState<CoopBankLineState | ''>('');
  /** What a line paid: its bill, the bill suggested, or a household's balance paid ahead. */
  const billOf = (l: CoopBankLine): string | null => {
    if (l.bill) return l.state === 'unmatched' ? `${billName(l.bill)} (suggested)` : billName(l.bill);
    if (l.state === 'assigned' && l.household_id) {
      const household = households?.find((h) => h.id === l.household_id)?.name ?? 'A household';
      return `${household}, paid ahead`;
    }
    return null;
  };
  const shown = state ? lines.filter((line) => line.state === state) : lines;
  return (
    <DataTable
      label="Bank lines"
      rows={shown}
      rowKey={(l) => l.id}
      searchLabel="Search lines"
      exportName="bank-lines"
      initialSort={{ columnId: 'booked', direction: 'descending' }}
      minWidth={900}
      toolbar={
        <NativeSelect
          label="State"
          value={state}
          onChange={(event) => setState(event.currentTarget.value as CoopBankLineState | '')}
          data={[
            { value: '', label: 'Every state' },
            ...(Object.keys(bankLineStateLabels) as CoopBankLineState[]).map((value) => ({
              value,
              label: bankLineStateLabels[value],
            })),
          ]}
        />
      }
      columns={[
        {
          id: 'booked',
          header: 'Booked',
          nowrap: true,
          sortValue: (l) => `${l.booked_on} ${l.bank_id}`,
          csv: (l) => l.booked_on,
          cell: (l) => l.booked_on,
        },
        {
          id: 'amount',
          header: 'Amount',
          align: 'right',
          nowrap: true,
          sortValue: (l) => (l.direction === 'credit' ? 1n : -1n) * BigInt(l.amount_cents),
          csv: (l) => `${l.direction === 'credit' ? '' : '-'}${editableEuros(l.amount_cents)}`,
          cell: signed,
        },
        {
          id: 'who',
          header: 'From or to',
          cardTitle: true,
          sortValue: (l) => l.counterparty_name,
          csv: (l) => l.counterparty_name,
          cell: (l) => (
            <Stack gap={0}>
              <Text size="sm" fw={500}>
                {l.counterparty_name || 'Not named'}
              </Text>
              {l.counterparty_iban && (
                <Text size="xs" c="dimmed">
                  {inGroupsOfFour(l.counterparty_iban)}
                </Text>
              )}
            </Stack>
          ),
        },
        {
          id: 'text',
          header: 'Text',
          csv: (l) => [l.remittance, ...l.references].filter(Boolean).join(' '),
          cell: (l) => (
            <Stack gap={0}>
              {l.remittance && <Text size="sm">{l.remittance}</Text>}
              {l.references.map((reference) => (
                <Text key={reference} size="xs" c="dimmed">
                  {inGroupsOfFour(reference)}
                </Text>
              ))}
            </Stack>
          ),
        },
        {
          id: 'state',
          header: 'State',
          sortValue: (l) => bankLineStateLabels[l.state],
          csv: (l) => bankLineStateLabels[l.state],
          cell: (l) => (
            <Stack gap={2}>
              <BankLineBadge state={l.state} />
              {l.decided_at && l.decided_by && (
                <Text size="xs" c="dimmed">
                  {memberName(members, l.decided_by)}, {formatToTheSecond(l.decided_at)}
                </Text>
              )}
            </Stack>
          ),
        },
        {
          id: 'bill',
          header: 'Bill',
          sortValue: billOf,
          csv: (l) => billOf(l) ?? '',
          cell: (l) => billOf(l) ?? '—',
        },
      ]}
    />
  );
}

/** The statements imported, newest first, with who imported them. */
export function StatementsTable({
  statements,
  members,
}: {
  statements: CoopBankStatement[];
  members: Member[] | undefined;
}) {
  return (
    <DataTable
      label="Statements imported"
      rows={statements}
      rowKey={(s) => s.id}
      exportName="bank-statements"
      initialSort={{ columnId: 'imported', direction: 'descending' }}
      minWidth={760}
      columns={[
        {
          id: 'imported',
          header: 'Imported',
          nowrap: true,
          cardTitle: true,
          sortValue: (s) => new Date(s.imported_at),
          csv: (s) => s.imported_at,
          cell: (s) => formatToTheSecond(s.imported_at),
        },
        {
          id: 'statement',
          header: 'Bank’s statement',
          csv: (s) => s.bank_statement_id ?? '',
          cell: (s) => s.bank_statement_id || '—',
        },
        {
          id: 'account',
          header: 'Account',
          nowrap: true,
          csv: (s) => s.account_iban ?? '',
          cell: (s) => (s.account_iban ? inGroupsOfFour(s.account_iban) : '—'),
        },
        {
          id: 'lines',
          header: 'Lines',
          align: 'right',
          sortValue: (s) => s.lines,
          csv: (s) => String(s.lines),
          cell: (s) => s.lines,
        },
        {
          id: 'new',
          header: 'New',
          align: 'right',
          sortValue: (s) => s.new_lines,
          csv: (s) => String(s.new_lines),
          cell: (s) => (s.new_lines === 0 && s.lines > 0 ? '0, already imported' : s.new_lines),
        },
        {
          id: 'by',
          header: 'By',
          sortValue: (s) => memberName(members, s.imported_by),
          csv: (s) => memberName(members, s.imported_by),
          cell: (s) => memberName(members, s.imported_by),
        },
      ]}
    />
  );
}

/** The payment files made for the bank, each to download again. */
export function PaymentFilesTable({
  batches,
  members,
}: {
  batches: CoopPaymentBatch[];
  members: Member[] | undefined;
}) {
  return (
    <DataTable
      label="Payment files"
      rows={batches}
      rowKey={(b) => b.id}
      exportName="payment-files"
      initialSort={{ columnId: 'made', direction: 'descending' }}
      minWidth={760}
      columns={[
        {
          id: 'made',
          header: 'Made',
          nowrap: true,
          sortValue: (b) => new Date(b.created_at),
          csv: (b) => b.created_at,
          cell: (b) => formatToTheSecond(b.created_at),
        },
        {
          id: 'file',
          header: 'File',
          cardTitle: true,
          sortValue: (b) => b.message_id,
          csv: (b) => b.message_id,
          cell: (b) => (
            <Anchor href={b.download} download size="sm">
              {b.message_id}.xml
            </Anchor>
          ),
        },
        {
          id: 'day',
          header: 'Pay on',
          nowrap: true,
          sortValue: (b) => b.execution_date,
          csv: (b) => b.execution_date,
          cell: (b) => b.execution_date,
        },
        {
          id: 'transfers',
          header: 'Transfers',
          align: 'right',
          sortValue: (b) => b.transfers,
          csv: (b) => String(b.transfers),
          cell: (b) => b.transfers,
        },
        {
          id: 'total',
          header: 'Total',
          align: 'right',
          nowrap: true,
          sortValue: (b) => BigInt(b.total_cents),
          csv: (b) => editableEuros(b.total_cents),
          cell: (b) => formatEuros(b.total_cents),
        },
        {
          id: 'by',
          header: 'By',
          csv: (b) => memberName(members, b.created_by),
          cell: (b) => memberName(members, b.created_by),
        },
      ]}
    />
  );
}
