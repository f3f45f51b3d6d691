import { Anchor, Badge, Group, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { type Column, DataTable } from '../../../components/DataTable';
import { csvTime } from '../../../lib/table';
import { usdcCsv } from '../components/csv';
import { StateBadge } from '../components/StateBadge';
import { formatLatency, formatMoment, formatUsdc } from '../format';
import type { GatewayCall, GatewayDeposit, GatewayGrant, GatewayWithdrawal } from '../types';

/** A deposit's next step in words. */
export function depositNextStep(deposit: GatewayDeposit): string {
  if (deposit.state === 'credits_issued') return `${formatUsdc(deposit.amount)} was added to your credits.`;
  if (deposit.state === 'failed') {
    return `Nothing was taken from your wallet and no credits were issued${deposit.failure ? `: ${deposit.failure}` : ''}.`;
  }
  return deposit.transaction_id
    ? 'The transfer is on the chain: the credits are issued once it is confirmed.'
    : 'Tally is sending the transfer to the chain: the credits are issued once it is confirmed.';
}

/** A deposit minted to the person's private balance on chain rather than paid to the treasury. */
export function PrivateBadge() {
  return (
    <Badge
      variant="light"
      color="violet"
      tt="none"
      style={{ overflow: 'visible', flexShrink: 0 }}
      styles={{ label: { overflow: 'visible' } }}
    >
      Private
    </Badge>
  );
}

export function DepositsTable({
  deposits,
  label = 'Deposits',
  exportable = true,
  moreToLoad = false,
}: {
  deposits: GatewayDeposit[];
  label?: string;
  exportable?: boolean;
  moreToLoad?: boolean;
}) {
  const columns: Column<GatewayDeposit>[] = [
    {
      id: 'amount',
      header: 'Amount',
      align: 'right',
      nowrap: true,
      cell: (d) => (
        <Anchor component={Link} to={`/gateway/deposits/${d.id}`} size="sm">
          {formatUsdc(d.amount)}
        </Anchor>
      ),
      sortValue: (d) => BigInt(d.amount),
      csv: (d) => usdcCsv(d.amount),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (d) => (
        <Group gap={6} wrap="nowrap">
          <StateBadge state={d.state} />
          {d.encrypted && <PrivateBadge />}
        </Group>
      ),
      sortValue: (d) => d.state,
      csv: (d) => d.state,
    },
    {
      id: 'from',
      header: 'From wallet',
      cell: (d) => (
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {d.from}
        </Text>
      ),
      sortValue: (d) => d.from,
      csv: (d) => d.from,
    },
    {
      id: 'created',
      header: 'Signed',
      nowrap: true,
      cell: (d) => formatMoment(d.created_at),
      sortValue: (d) => d.created_at,
      csv: (d) => csvTime(d.created_at),
    },
    {
      id: 'credited',
      header: 'Credited',
      nowrap: true,
      cell: (d) => formatMoment(d.credited_at, d.state === 'failed' ? 'never' : 'not yet'),
      sortValue: (d) => d.credited_at,
      csv: (d) => csvTime(d.credited_at),
    },
  ];
  return (
    <DataTable
      label={label}
      rows={deposits}
      columns={columns}
      rowKey={(d) => d.id}
      exportName={exportable ? 'gateway-deposits' : undefined}
      moreToLoad={moreToLoad}
      minWidth={640}
    />
  );
}

/** The label of the grant a call went through, or how it was made. */
function grantLabel(call: GatewayCall, grants: GatewayGrant[] | undefined): string {
  if (!call.grant_id) return 'signed by the wallet';
  return grants?.find((grant) => grant.id === call.grant_id)?.label ?? 'a session key';
}

export function CallsTable({
  calls,
  grants,
  label = 'Calls',
  searchable = true,
  toolbar,
  moreToLoad = false,
}: {
  calls: GatewayCall[];
  grants: GatewayGrant[] | undefined;
  label?: string;
  searchable?: boolean;
  toolbar?: React.ReactNode;
  moreToLoad?: boolean;
}) {
  const columns: Column<GatewayCall>[] = [
    {
      id: 'started',
      header: 'When',
      nowrap: true,
      cell: (c) => formatMoment(c.started_at),
      sortValue: (c) => c.started_at,
      csv: (c) => csvTime(c.started_at),
    },
    {
      id: 'server',
      header: 'Server',
      cell: (c) => (
        <Anchor component={Link} to={`/gateway/catalogue/${c.server.slug}`} size="sm">
          {c.server.name}
        </Anchor>
      ),
      sortValue: (c) => c.server.name,
      csv: (c) => c.server.slug,
    },
    { id: 'tool', header: 'Tool', cell: (c) => c.tool, sortValue: (c) => c.tool, csv: (c) => c.tool },
    {
      id: 'cost',
      header: 'Cost',
      align: 'right',
      nowrap: true,
      cell: (c) =>
        c.state === 'refunded' ? (
          <Tooltip label={`Refunded: its price of ${formatUsdc(c.price)} was given back`}>
            <span>{formatUsdc(c.cost)}</span>
          </Tooltip>
        ) : (
          formatUsdc(c.cost)
        ),
      sortValue: (c) => BigInt(c.cost),
      csv: (c) => usdcCsv(c.cost),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (c) =>
        c.failure ? (
          <Tooltip label={c.failure} multiline maw={320}>
            <span>
              <StateBadge state={c.state} />
            </span>
          </Tooltip>
        ) : (
          <StateBadge state={c.state} />
        ),
      sortValue: (c) => c.state,
      csv: (c) => c.state,
    },
    {
      id: 'latency',
      header: 'Latency',
      align: 'right',
      nowrap: true,
      cell: (c) => formatLatency(c.latency_ms),
      sortValue: (c) => c.latency_ms,
      csv: (c) => (c.latency_ms === null ? '' : String(c.latency_ms)),
    },
    {
      id: 'grant',
      header: 'Through',
      cell: (c) => grantLabel(c, grants),
      sortValue: (c) => grantLabel(c, grants),
      csv: (c) => grantLabel(c, grants),
    },
  ];
  return (
    <DataTable
      label={label}
      rows={calls}
      columns={columns}
      rowKey={(c) => c.id}
      searchText={searchable ? (c) => `${c.server.name} ${c.tool} ${c.state} ${c.failure ?? ''}` : undefined}
      searchLabel="Search calls"
      exportName={searchable ? 'gateway-calls' : undefined}
      minWidth={860}
      toolbar={toolbar}
      moreToLoad={moreToLoad}
    />
  );
}

/** A withdrawal's state in words. */
export function withdrawalNextStep(withdrawal: GatewayWithdrawal): string {
  if (withdrawal.state === 'paid')
    return withdrawal.encrypted ? 'Paid to your wallet out of your private balance.' : 'Paid to your wallet.';
  if (withdrawal.state === 'failed') {
    // An encrypted withdrawal's failure says itself that the credits are back.
    if (withdrawal.encrypted && withdrawal.failure) return `${withdrawal.failure}.`;
    return `The chain refused the transfer; the credits are back in your balance${withdrawal.failure ? ` (${withdrawal.failure})` : ''}.`;
  }
  if (withdrawal.encrypted && withdrawal.transaction_id === null)
    return 'Held from your balance while the withdrawal out of your private balance is proven (a few seconds).';
  return 'Held from your balance while the transfer is on its way.';
}

export function WithdrawalsTable({
  withdrawals,
  moreToLoad = false,
}: {
  withdrawals: GatewayWithdrawal[];
  moreToLoad?: boolean;
}) {
  const columns: Column<GatewayWithdrawal>[] = [
    {
      id: 'amount',
      header: 'Amount',
      align: 'right',
      nowrap: true,
      cell: (w) => formatUsdc(w.amount),
      sortValue: (w) => BigInt(w.amount),
      csv: (w) => usdcCsv(w.amount),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (w) => (
        <Group gap={6} wrap="nowrap">
          <StateBadge state={w.state} />
          {w.encrypted && <PrivateBadge />}
        </Group>
      ),
      sortValue: (w) => w.state,
      csv: (w) => w.state,
    },
    {
      id: 'what',
      header: 'What happens',
      cell: (w) => withdrawalNextStep(w),
    },
    {
      id: 'to',
      header: 'To wallet',
      cell: (w) => (
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {w.to}
        </Text>
      ),
      sortValue: (w) => w.to,
      csv: (w) => w.to,
    },
    {
      id: 'created',
      header: 'Asked',
      nowrap: true,
      cell: (w) => formatMoment(w.created_at),
      sortValue: (w) => w.created_at,
      csv: (w) => csvTime(w.created_at),
    },
    {
      id: 'finished',
      header: 'Finished',
      nowrap: true,
      cell: (w) => formatMoment(w.finished_at, 'not yet'),
      sortValue: (w) => w.finished_at,
      csv: (w) => csvTime(w.finished_at),
    },
  ];
  return (
    <DataTable
      label="Withdrawals"
      rows={withdrawals}
      columns={columns}
      rowKey={(w) => w.id}
      exportName="gateway-withdrawals"
      moreToLoad={moreToLoad}
      minWidth={760}
    />
  );
}
