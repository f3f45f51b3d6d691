import { Anchor, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { type Column, DataTable } from '../components/DataTable';
import { StateBadge } from '../components/StateBadge';
import { formatLatency, formatMoment, formatUsdc, usdcNumber } from '../format';
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

export function DepositsTable({
  deposits,
  label = 'Deposits',
  exportable = true,
}: {
  deposits: GatewayDeposit[];
  label?: string;
  exportable?: boolean;
}) {
  const columns: Column<GatewayDeposit>[] = [
    {
      key: 'amount',
      header: 'Amount',
      align: 'right',
      nowrap: true,
      render: (d) => (
        <Anchor component={Link} to={`/gateway/deposits/${d.id}`} size="sm">
          {formatUsdc(d.amount)}
        </Anchor>
      ),
      sortValue: (d) => BigInt(d.amount),
      csv: (d) => usdcNumber(d.amount),
    },
    {
      key: 'state',
      header: 'State',
      nowrap: true,
      render: (d) => <StateBadge state={d.state} />,
      sortValue: (d) => d.state,
      csv: (d) => d.state,
    },
    {
      key: 'from',
      header: 'From wallet',
      render: (d) => (
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {d.from}
        </Text>
      ),
      sortValue: (d) => d.from,
      csv: (d) => d.from,
    },
    {
      key: 'created',
      header: 'Signed',
      nowrap: true,
      render: (d) => formatMoment(d.created_at),
      sortValue: (d) => d.created_at,
      csv: (d) => d.created_at,
    },
    {
      key: 'credited',
      header: 'Credited',
      nowrap: true,
      render: (d) => formatMoment(d.credited_at, d.state === 'failed' ? 'never' : 'not yet'),
      sortValue: (d) => d.credited_at,
      csv: (d) => d.credited_at ?? '',
    },
  ];
  return (
    <DataTable
      label={label}
      rows={deposits}
      columns={columns}
      rowKey={(d) => d.id}
      csvName={exportable ? 'gateway-deposits.csv' : undefined}
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
}: {
  calls: GatewayCall[];
  grants: GatewayGrant[] | undefined;
  label?: string;
  searchable?: boolean;
  toolbar?: React.ReactNode;
}) {
  const columns: Column<GatewayCall>[] = [
    {
      key: 'started',
      header: 'When',
      nowrap: true,
      render: (c) => formatMoment(c.started_at),
      sortValue: (c) => c.started_at,
      csv: (c) => c.started_at,
    },
    {
      key: 'server',
      header: 'Server',
      render: (c) => (
        <Anchor component={Link} to={`/gateway/catalogue/${c.server.slug}`} size="sm">
          {c.server.name}
        </Anchor>
      ),
      sortValue: (c) => c.server.name,
      csv: (c) => c.server.slug,
    },
    { key: 'tool', header: 'Tool', render: (c) => c.tool, sortValue: (c) => c.tool, csv: (c) => c.tool },
    {
      key: 'cost',
      header: 'Cost',
      align: 'right',
      nowrap: true,
      render: (c) =>
        c.state === 'refunded' ? (
          <Tooltip label={`Refunded: its price of ${formatUsdc(c.price)} was given back`}>
            <span>{formatUsdc(c.cost)}</span>
          </Tooltip>
        ) : (
          formatUsdc(c.cost)
        ),
      sortValue: (c) => BigInt(c.cost),
      csv: (c) => usdcNumber(c.cost),
    },
    {
      key: 'state',
      header: 'State',
      nowrap: true,
      render: (c) =>
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
      key: 'latency',
      header: 'Latency',
      align: 'right',
      nowrap: true,
      render: (c) => formatLatency(c.latency_ms),
      sortValue: (c) => c.latency_ms,
      csv: (c) => (c.latency_ms === null ? '' : String(c.latency_ms)),
    },
    {
      key: 'grant',
      header: 'Through',
      render: (c) => grantLabel(c, grants),
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
      csvName={searchable ? 'gateway-calls.csv' : undefined}
      minWidth={860}
      toolbar={toolbar}
    />
  );
}

/** A withdrawal's state in words. */
export function withdrawalNextStep(withdrawal: GatewayWithdrawal): string {
  if (withdrawal.state === 'paid') return 'Paid to your wallet.';
  if (withdrawal.state === 'failed') {
    return `The chain refused the transfer; the credits are back in your balance${withdrawal.failure ? ` (${withdrawal.failure})` : ''}.`;
  }
  return 'Held from your balance while the transfer is on its way.';
}

export function WithdrawalsTable({ withdrawals }: { withdrawals: GatewayWithdrawal[] }) {
  const columns: Column<GatewayWithdrawal>[] = [
    {
      key: 'amount',
      header: 'Amount',
      align: 'right',
      nowrap: true,
      render: (w) => formatUsdc(w.amount),
      sortValue: (w) => BigInt(w.amount),
      csv: (w) => usdcNumber(w.amount),
    },
    {
      key: 'state',
      header: 'State',
      nowrap: true,
      render: (w) => <StateBadge state={w.state} />,
      sortValue: (w) => w.state,
      csv: (w) => w.state,
    },
    {
      key: 'what',
      header: 'What happens',
      render: (w) => withdrawalNextStep(w),
    },
    {
      key: 'to',
      header: 'To wallet',
      render: (w) => (
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {w.to}
        </Text>
      ),
      sortValue: (w) => w.to,
      csv: (w) => w.to,
    },
    {
      key: 'created',
      header: 'Asked',
      nowrap: true,
      render: (w) => formatMoment(w.created_at),
      sortValue: (w) => w.created_at,
      csv: (w) => w.created_at,
    },
    {
      key: 'finished',
      header: 'Finished',
      nowrap: true,
      render: (w) => formatMoment(w.finished_at, 'not yet'),
      sortValue: (w) => w.finished_at,
      csv: (w) => w.finished_at ?? '',
    },
  ];
  return (
    <DataTable
      label="Withdrawals"
      rows={withdrawals}
      columns={columns}
      rowKey={(w) => w.id}
      csvName="gateway-withdrawals.csv"
      minWidth={760}
    />
  );
}
