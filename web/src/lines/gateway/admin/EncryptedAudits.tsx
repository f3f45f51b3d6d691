import { Stack, Table, Text } from '@mantine/core';
import { api, call } from '../../../api/client';
import { type Column, DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { csvTime } from '../../../lib/table';
import { formatMoment, formatUsdc } from '../format';
import type { GatewayEncryptedAudit } from '../types';

/** The runs shown: the latest, since an older clean run says nothing about today. */
const SHOWN = 10;

type Mismatch = GatewayEncryptedAudit['mismatches'][number];

/** Whose account a mismatch is on: a provider's payouts, a person's credits, or the pool. */
const accountKind = (m: Mismatch): string =>
  m.provider_id ? 'provider payouts' : m.user_id ? 'person’s credits' : 'pool';

function Mismatches({ audit }: { audit: GatewayEncryptedAudit }) {
  if (audit.mismatches.length === 0) return <Text size="sm">none</Text>;
  const label = `Mismatches of the audit at ${formatMoment(audit.ran_at)}`;
  return (
    <Table aria-label={label} withRowBorders={false} verticalSpacing={2} horizontalSpacing="xs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Address</Table.Th>
          <Table.Th>Account</Table.Th>
          <Table.Th ta="right">Ledger</Table.Th>
          <Table.Th ta="right">Chain</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {audit.mismatches.map((m: Mismatch) => (
          <Table.Tr key={m.address}>
            <Table.Td>
              <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {m.address}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{accountKind(m)}</Text>
            </Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
              {formatUsdc(m.expected)}
            </Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
              {m.found === null ? 'unreadable' : formatUsdc(m.found)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const mismatchesCsv = (audit: GatewayEncryptedAudit) =>
  audit.mismatches
    .map((m) => `${m.address} (${accountKind(m)}) ledger ${m.expected} chain ${m.found ?? 'unreadable'}`)
    .join('; ');

function AuditsTable({ audits }: { audits: GatewayEncryptedAudit[] }) {
  const columns: Column<GatewayEncryptedAudit>[] = [
    {
      id: 'ran',
      header: 'Ran at',
      nowrap: true,
      cell: (a) => formatMoment(a.ran_at),
      sortValue: (a) => a.ran_at,
      csv: (a) => csvTime(a.ran_at),
    },
    {
      id: 'checked',
      header: 'Checked',
      align: 'right',
      cell: (a) => a.checked,
      sortValue: (a) => a.checked,
      csv: (a) => String(a.checked),
    },
    {
      id: 'skipped',
      header: 'Skipped',
      align: 'right',
      cell: (a) => a.skipped,
      sortValue: (a) => a.skipped,
      csv: (a) => String(a.skipped),
    },
    {
      id: 'mismatches',
      header: 'Mismatches',
      cell: (a) => <Mismatches audit={a} />,
      sortValue: (a) => a.mismatches.length,
      csv: mismatchesCsv,
    },
  ];
  return (
    <DataTable
      label="Encrypted balances audits"
      rows={audits}
      columns={columns}
      rowKey={(a) => a.id}
      exportName="gateway-encrypted-audits"
      initialSort={{ columnId: 'ran', direction: 'descending' }}
    />
  );
}

/** The daily check of every encrypted balance, read with the auditor key, against the ledger. */
export function EncryptedAuditsSection() {
  const audits = useResource('gateway-encrypted-audits', async () =>
    (await call(api.GET('/api/gateway/encrypted/audits'))).audits.slice(0, SHOWN),
  );
  return (
    <SectionCard
      title="Encrypted balances audit"
      description="Every day each encrypted balance (providers' payouts, people's credits, the pool) is read with the auditor key and compared with Tally's records; a mismatch names the account, what the ledger expects and what the chain holds."
    >
      <ResourceView
        resource={audits}
        loadingLabel="Loading the encrypted balances audits…"
        isEmpty={(items) => items.length === 0}
        empty={
          <NothingYet title="No audit yet">
            The first audit runs a day after encrypted payouts start; its result appears here.
          </NothingYet>
        }
      >
        {(items) => {
          const latest = items[0]!;
          return (
            <Stack gap="sm">
              <Text size="sm" role="status">
                {latest.mismatches.length === 0
                  ? `The latest audit, ${formatMoment(latest.ran_at)}, found the chain and the ledger in agreement on ${latest.checked} ${latest.checked === 1 ? 'balance' : 'balances'}.`
                  : `The latest audit, ${formatMoment(latest.ran_at)}, found ${latest.mismatches.length} ${latest.mismatches.length === 1 ? 'balance that differs' : 'balances that differ'} from the ledger.`}
              </Text>
              <AuditsTable audits={items} />
            </Stack>
          );
        }}
      </ResourceView>
    </SectionCard>
  );
}
