import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
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
import { formatBps, formatMoment, formatUsdc } from '../format';
import { AdminFrame } from '../GatewayTabs';
import type { GatewayDiscrepancy, GatewayProviderEarning } from '../types';

function EarningsTable({ earnings }: { earnings: GatewayProviderEarning[] }) {
  const columns: Column<GatewayProviderEarning>[] = [
    {
      id: 'provider',
      header: 'Provider',
      cell: (e) => (
        <Anchor component={Link} to={`/gateway/admin/providers/${e.provider_id}`} size="sm">
          {e.provider_name}
        </Anchor>
      ),
      sortValue: (e) => e.provider_name,
      csv: (e) => e.provider_name,
    },
    {
      id: 'calls',
      header: 'Calls',
      align: 'right',
      cell: (e) => e.calls,
      sortValue: (e) => e.calls,
      csv: (e) => String(e.calls),
    },
    {
      id: 'share',
      header: 'Share',
      align: 'right',
      nowrap: true,
      cell: (e) => `${e.share_percent} %`,
      sortValue: (e) => Number(e.share_percent),
      csv: (e) => e.share_percent,
    },
    {
      id: 'gross',
      header: 'Gross',
      align: 'right',
      nowrap: true,
      cell: (e) => formatUsdc(e.gross),
      sortValue: (e) => BigInt(e.gross),
      csv: (e) => usdcCsv(e.gross),
    },
    {
      id: 'fee',
      header: 'Fee',
      align: 'right',
      nowrap: true,
      cell: (e) => formatUsdc(e.fee),
      sortValue: (e) => BigInt(e.fee),
      csv: (e) => usdcCsv(e.fee),
    },
    {
      id: 'net',
      header: 'Net',
      align: 'right',
      nowrap: true,
      cell: (e) => formatUsdc(e.net),
      sortValue: (e) => BigInt(e.net),
      csv: (e) => usdcCsv(e.net),
    },
    {
      id: 'payout',
      header: 'Payout',
      nowrap: true,
      cell: (e) =>
        e.payout ? (
          <Group gap="xs" wrap="nowrap">
            <Text size="sm">{formatUsdc(e.payout.amount)}</Text>
            <StateBadge state={e.payout.state} />
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            none: held ({formatUsdc(e.balance_after)})
          </Text>
        ),
      sortValue: (e) => (e.payout ? BigInt(e.payout.amount) : null),
      csv: (e) => (e.payout ? `${usdcCsv(e.payout.amount)} ${e.payout.state}` : ''),
    },
  ];
  return (
    <DataTable
      label="Earnings per provider"
      rows={earnings}
      columns={columns}
      rowKey={(e) => e.provider_id}
      searchText={(e) => e.provider_name}
      searchLabel="Search providers"
      exportName="gateway-settlement-earnings"
      initialSort={{ columnId: 'net', direction: 'descending' }}
      minWidth={860}
    />
  );
}

function DiscrepanciesTable({
  discrepancies,
  onResolve,
}: {
  discrepancies: GatewayDiscrepancy[];
  onResolve: (discrepancy: GatewayDiscrepancy) => Promise<void>;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const resolve = async (discrepancy: GatewayDiscrepancy) => {
    setBusy(discrepancy.id);
    setRefusal(null);
    try {
      await onResolve(discrepancy);
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setBusy(null);
    }
  };
  const columns: Column<GatewayDiscrepancy>[] = [
    {
      id: 'server',
      header: 'Server',
      cell: (d) => d.server_name,
      sortValue: (d) => d.server_name,
      csv: (d) => d.server_name,
    },
    {
      id: 'tool',
      header: 'Tool',
      cell: (d) => d.tool ?? 'all tools',
      sortValue: (d) => d.tool,
      csv: (d) => d.tool ?? '',
    },
    {
      id: 'metered',
      header: 'Tally metered',
      align: 'right',
      cell: (d) => d.metered ?? '—',
      sortValue: (d) => d.metered,
      csv: (d) => (d.metered === null ? '' : String(d.metered)),
    },
    {
      id: 'reported',
      header: 'Provider reported',
      align: 'right',
      cell: (d) => d.reported ?? '—',
      sortValue: (d) => d.reported,
      csv: (d) => (d.reported === null ? '' : String(d.reported)),
    },
    { id: 'note', header: 'Note', cell: (d) => d.note, csv: (d) => d.note },
    {
      id: 'resolved',
      header: 'Resolved',
      nowrap: true,
      cell: (d) =>
        d.resolved_at ? (
          formatMoment(d.resolved_at)
        ) : (
          <Button
            size="xs"
            variant="default"
            loading={busy === d.id}
            onClick={() => void resolve(d)}
            aria-label={`Mark the discrepancy of ${d.server_name}${d.tool ? ` (${d.tool})` : ''} as looked at`}
          >
            Mark as looked at
          </Button>
        ),
      sortValue: (d) => d.resolved_at,
      csv: (d) => csvTime(d.resolved_at),
    },
  ];
  return (
    <Stack gap="sm">
      <RefusalAlert refusal={refusal} />
      <DataTable
        label="Discrepancies"
        rows={discrepancies}
        columns={columns}
        rowKey={(d) => d.id}
        exportName="gateway-discrepancies"
        minWidth={820}
      />
    </Stack>
  );
}

/** /gateway/admin/settlements/:settlementId: one run, each provider's share, fee and payout, and the discrepancies. */
export function SettlementPage() {
  const { settlementId = '' } = useParams();
  const run = useResource(`gateway-settlement:${settlementId}`, () =>
    call(api.GET('/api/gateway/settlements/{id}', { params: { path: { id: settlementId } } })),
  );
  const resolve = async (discrepancy: GatewayDiscrepancy) => {
    await call(
      api.POST('/api/gateway/discrepancies/{id}/resolve', { params: { path: { id: discrepancy.id } } }),
    );
    await run.reload();
  };
  return (
    <AdminFrame
      title={run.data ? `Settlement up to ${formatMoment(run.data.settlement.period_end)}` : 'Settlement'}
      description={
        <Anchor component={Link} to="/gateway/admin/settlements">
          All settlement runs
        </Anchor>
      }
    >
      <ResourceView resource={run} loadingLabel="Loading the settlement…">
        {(data) => {
          const open = data.discrepancies.filter((d) => !d.resolved_at).length;
          return (
            <Stack gap="lg">
              <SectionCard title="The run">
                <Facts
                  facts={[
                    { label: 'Period up to', value: formatMoment(data.settlement.period_end) },
                    { label: 'Calls', value: data.settlement.calls.toLocaleString('en-US') },
                    { label: 'Gross', value: formatUsdc(data.settlement.gross) },
                    { label: 'Platform fees', value: formatUsdc(data.settlement.fees) },
                    { label: 'Fee rate', value: formatBps(data.settlement.fee_bps) },
                    { label: 'Minimum payout', value: formatUsdc(data.settlement.minimum_payout) },
                    { label: 'Run', value: formatMoment(data.settlement.created_at) },
                  ]}
                />
              </SectionCard>
              <SectionCard
                title="Providers"
                description="Each provider's share of the run, the fee, the net, and what was paid on chain."
              >
                {data.earnings.length === 0 ? (
                  <NothingYet title="No provider earned in this period">
                    No paid call was served before its end.
                  </NothingYet>
                ) : (
                  <EarningsTable earnings={data.earnings} />
                )}
              </SectionCard>
              <SectionCard
                title="Discrepancies"
                description={
                  open > 0
                    ? `${open} to look at: providers' usage reports that differ from Tally's metering. Tally's metering is what was settled.`
                    : "Providers' usage reports that differ from Tally's metering."
                }
              >
                {data.discrepancies.length === 0 ? (
                  <Text size="sm">Every usage report matched Tally's metering.</Text>
                ) : (
                  <DiscrepanciesTable discrepancies={data.discrepancies} onResolve={resolve} />
                )}
              </SectionCard>
            </Stack>
          );
        }}
      </ResourceView>
    </AdminFrame>
  );
}
