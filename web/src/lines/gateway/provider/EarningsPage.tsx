import { BarChart } from '@mantine/charts';
import { Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { type Column, DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { csvTime } from '../../../lib/table';
import { usdcCsv } from '../components/csv';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { refusalOf } from '../components/serverErrors';
import { isPresent, present, useOwnProvider } from '../data';
import { formatMoment, formatUsdc, usdcNumber } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayEarnings, GatewayPayout, GatewayProvider } from '../types';
import { NotAProvider } from './ProviderPage';

type SettlementEarning = GatewayEarnings['settlements'][number];

const dayLabel = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** The seed's provider states in words, with what comes next. */
export function earningsNextStep(earnings: GatewayEarnings): string {
  switch (earnings.state) {
    case 'serving_requests':
      return earnings.unsettled === '0'
        ? 'Your servers are serving calls; what they earn is settled at the next settlement run.'
        : `Your servers are serving calls: ${formatUsdc(earnings.unsettled)} served so far waits for the next settlement run.`;
    case 'metrics_collected':
      return 'Usage was collected for settlement: your share is calculated at the next run.';
    case 'payout_calculated':
      return 'A payout was calculated and is on its way to your payout address.';
    case 'funds_claimable':
      return `${formatUsdc(earnings.claimable)} is claimable: claim it to your payout address.`;
  }
}

/** Why the claim button cannot work, or null when it can. */
function claimBlocked(earnings: GatewayEarnings, provider: GatewayProvider): string | null {
  if (provider.kyc.state !== 'approved') {
    return `Claiming needs approved KYC; yours is ${provider.kyc.state}.`;
  }
  if (earnings.claimable === '0')
    return 'Nothing to claim now: earnings become claimable after a settlement run.';
  if (!earnings.can_claim) return 'Claiming is not possible now.';
  return null;
}

function NetChart({ settlements }: { settlements: SettlementEarning[] }) {
  const ordered = [...settlements].sort((a, b) => a.period_end.localeCompare(b.period_end));
  const total = ordered.reduce((sum, s) => sum + BigInt(s.net), 0n);
  const rows = ordered.map((s) => ({ period: dayLabel.format(new Date(s.period_end)), net: Number(s.net) }));
  return (
    <Stack gap="sm">
      <Text size="sm" data-testid="earnings-summary">
        {ordered.length} {ordered.length === 1 ? 'settlement' : 'settlements'} paid you {formatUsdc(total)}{' '}
        net of fees
        {ordered.length > 0
          ? `; the last, up to ${formatMoment(ordered.at(-1)!.period_end)}, ${formatUsdc(ordered.at(-1)!.net)}`
          : ''}
        .
      </Text>
      <figure style={{ margin: 0 }} aria-label={`Net earnings per settlement; ${formatUsdc(total)} in all`}>
        <BarChart
          h={220}
          data={rows}
          dataKey="period"
          series={[{ name: 'net', label: 'Net', color: 'teal.7' }]}
          tickLine="y"
          valueFormatter={(value) => formatUsdc(BigInt(Math.round(value)))}
          yAxisLabel="USDC"
          yAxisProps={{
            width: 80,
            allowDecimals: false,
            tickFormatter: (value: number) => usdcNumber(BigInt(Math.round(value))),
          }}
        />
      </figure>
    </Stack>
  );
}

function SettlementsTable({ settlements }: { settlements: SettlementEarning[] }) {
  const columns: Column<SettlementEarning>[] = [
    {
      id: 'period',
      header: 'Period up to',
      nowrap: true,
      cell: (s) => formatMoment(s.period_end),
      sortValue: (s) => s.period_end,
      csv: (s) => csvTime(s.period_end),
    },
    {
      id: 'calls',
      header: 'Calls',
      align: 'right',
      cell: (s) => s.calls,
      sortValue: (s) => s.calls,
      csv: (s) => String(s.calls),
    },
    {
      id: 'gross',
      header: 'Gross',
      align: 'right',
      nowrap: true,
      cell: (s) => formatUsdc(s.gross),
      sortValue: (s) => BigInt(s.gross),
      csv: (s) => usdcCsv(s.gross),
    },
    {
      id: 'fee',
      header: 'Fee',
      align: 'right',
      nowrap: true,
      cell: (s) => formatUsdc(s.fee),
      sortValue: (s) => BigInt(s.fee),
      csv: (s) => usdcCsv(s.fee),
    },
    {
      id: 'net',
      header: 'Net',
      align: 'right',
      nowrap: true,
      cell: (s) => formatUsdc(s.net),
      sortValue: (s) => BigInt(s.net),
      csv: (s) => usdcCsv(s.net),
    },
    {
      id: 'share',
      header: 'Share',
      align: 'right',
      nowrap: true,
      cell: (s) => `${s.share_percent} %`,
      sortValue: (s) => Number(s.share_percent),
      csv: (s) => s.share_percent,
    },
    {
      id: 'after',
      header: 'Held after',
      align: 'right',
      nowrap: true,
      cell: (s) => formatUsdc(s.balance_after),
      sortValue: (s) => BigInt(s.balance_after),
      csv: (s) => usdcCsv(s.balance_after),
    },
  ];
  return (
    <DataTable
      label="Earnings per settlement"
      rows={settlements}
      columns={columns}
      rowKey={(s) => s.settlement_id}
      exportName="gateway-earnings"
      initialSort={{ columnId: 'period', direction: 'descending' }}
    />
  );
}

export function PayoutsTable({ payouts }: { payouts: GatewayPayout[] }) {
  const columns: Column<GatewayPayout>[] = [
    {
      id: 'amount',
      header: 'Amount',
      align: 'right',
      nowrap: true,
      cell: (p) => formatUsdc(p.amount),
      sortValue: (p) => BigInt(p.amount),
      csv: (p) => usdcCsv(p.amount),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (p) => <StateBadge state={p.state} />,
      sortValue: (p) => p.state,
      csv: (p) => p.state,
    },
    {
      id: 'how',
      header: 'How',
      cell: (p) =>
        p.encrypted
          ? 'into your encrypted account'
          : p.settlement_id
            ? 'paid by a settlement run'
            : 'claimed',
      csv: (p) => (p.encrypted ? 'encrypted' : p.settlement_id ? 'settlement' : 'claim'),
    },
    {
      id: 'to',
      header: 'To',
      cell: (p) => (
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {p.to}
        </Text>
      ),
      csv: (p) => p.to,
    },
    {
      id: 'created',
      header: 'Started',
      nowrap: true,
      cell: (p) => formatMoment(p.created_at),
      sortValue: (p) => p.created_at,
      csv: (p) => csvTime(p.created_at),
    },
    {
      id: 'finished',
      header: 'Finished',
      nowrap: true,
      cell: (p) => (p.failure ? `failed: ${p.failure}` : formatMoment(p.finished_at, 'not yet')),
      sortValue: (p) => p.finished_at,
      csv: (p) => csvTime(p.finished_at),
    },
  ];
  return (
    <DataTable
      label="Payouts"
      rows={payouts}
      columns={columns}
      rowKey={(p) => p.id}
      exportName="gateway-payouts"
      minWidth={820}
    />
  );
}

function Earnings({ provider }: { provider: GatewayProvider }) {
  const earnings = useResource(`gateway-earnings:${provider.id}`, () =>
    call(api.GET('/api/gateway/provider/earnings')),
  );
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [claiming, setClaiming] = useState(false);
  const claim = async () => {
    setRefusal(null);
    setClaiming(true);
    try {
      const payout = present(await call(api.POST('/api/gateway/provider/claim')));
      notifications.show({
        color: 'teal',
        message: `${formatUsdc(payout.amount)} is on its way to ${payout.to}.`,
      });
      await earnings.reload();
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setClaiming(false);
    }
  };
  return (
    <ResourceView resource={earnings} loadingLabel="Loading your earnings…">
      {(data) => {
        const blocked = claimBlocked(data, provider);
        return (
          <Stack gap="lg">
            <SectionCard title="Claimable" actions={<StateBadge state={data.state} size="lg" />}>
              <Group gap="sm" align="baseline">
                <Title order={3} size="h1">
                  {formatUsdc(data.claimable)}
                </Title>
                <Text c="dimmed">claimable</Text>
              </Group>
              <Text size="sm" role="status">
                {earningsNextStep(data)}
              </Text>
              <Facts
                facts={[
                  { label: 'Not settled yet', value: formatUsdc(data.unsettled) },
                  { label: 'Paid to', value: provider.payout_address },
                  { label: 'KYC', value: <StateBadge state={provider.kyc.state} /> },
                ]}
              />
              <Group gap="sm">
                <Button onClick={() => void claim()} loading={claiming} disabled={blocked !== null}>
                  Claim {formatUsdc(data.claimable)}
                </Button>
                {blocked && (
                  <Text size="sm" c="dimmed">
                    {blocked}{' '}
                    {provider.kyc.state !== 'approved' && (
                      <Anchor component={Link} to="/gateway/provider/kyc" size="sm">
                        Your KYC
                      </Anchor>
                    )}
                  </Text>
                )}
              </Group>
              <RefusalAlert refusal={refusal} />
            </SectionCard>
            <SectionCard
              title="Net per settlement"
              description="What each settlement run gave you, after the platform's fee."
            >
              {data.settlements.length === 0 ? (
                <NothingYet title="No settlement yet">
                  Served calls are settled every interval (24 hours unless administrators set another): your
                  share appears here after the first run.
                </NothingYet>
              ) : (
                <Stack gap="lg">
                  <NetChart settlements={data.settlements} />
                  <SettlementsTable settlements={data.settlements} />
                </Stack>
              )}
            </SectionCard>
            <SectionCard
              title="Payouts"
              description={
                <>
                  USDC sent to your payout address by a settlement run above the minimum or by your claim;
                  with an encrypted account, paid into it instead.{' '}
                  <Anchor component={Link} to="/gateway/provider/encrypted" size="sm">
                    Encrypted payouts
                  </Anchor>
                </>
              }
            >
              {data.payouts.length === 0 ? (
                <NothingYet title="No payout yet">
                  Payouts appear here once a settlement pays you or you claim.
                </NothingYet>
              ) : (
                <PayoutsTable payouts={data.payouts.filter(isPresent)} />
              )}
            </SectionCard>
          </Stack>
        );
      }}
    </ResourceView>
  );
}

/** /gateway/provider/earnings: claimable funds, net per settlement, payouts. */
export function EarningsPage() {
  const provider = useOwnProvider();
  return (
    <ProviderFrame
      title="Earnings"
      description="What your tools earned, settled by your share of each run, and what was paid out."
    >
      <ResourceView resource={provider} loadingLabel="Loading your provider profile…">
        {(data) => (data ? <Earnings provider={data} /> : <NotAProvider />)}
      </ResourceView>
    </ProviderFrame>
  );
}
