import { Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { ClubFrame, useClub } from '../club/ClubLayout';
import { COOP, formatEuros, formatPercent, plural } from '../format';
import { type Period, periodPicks, periodProblems } from './format';
import { type PeriodSummary, periodExportUrl, usePeriodSummary } from './period-resources';

type VatRow = PeriodSummary['vat']['sales'][number] & { side: string };
type TieRow = PeriodSummary['tie_out'][number];

const accountNames: Record<TieRow['account'], string> = {
  sales: 'Sales',
  bank: 'Bank',
  purchases: 'Purchases',
  households: 'Households (all)',
  producers: 'Producers (all)',
};

const rateName = (row: VatRow) =>
  row.vat_basis_points === null ? 'Rate not known' : formatPercent(row.vat_basis_points);

function VatTable({ summary }: { summary: PeriodSummary }) {
  const rows: VatRow[] = [
    ...summary.vat.sales.map((r) => ({ ...r, side: 'Sales' })),
    ...summary.vat.purchases.map((r) => ({ ...r, side: 'Producers’ invoices' })),
  ];
  const money = (cents: string | null) => (cents === null ? '—' : formatEuros(cents));
  return (
    <DataTable
      label="VAT per rate"
      rows={rows}
      rowKey={(r) => `${r.side}:${r.vat_basis_points}`}
      minWidth={560}
      columns={[
        { id: 'side', header: 'Of', cardTitle: true, cell: (r) => r.side, csv: (r) => r.side },
        { id: 'rate', header: 'Rate', nowrap: true, cell: rateName, csv: rateName },
        { id: 'net', header: 'Net', align: 'right', nowrap: true, cell: (r) => money(r.net_cents) },
        { id: 'vat', header: 'VAT', align: 'right', nowrap: true, cell: (r) => money(r.vat_cents) },
        { id: 'total', header: 'Total', align: 'right', nowrap: true, cell: (r) => money(r.total_cents) },
      ]}
    />
  );
}

function TieOutTable({ summary }: { summary: PeriodSummary }) {
  return (
    <DataTable
      label="Tie-out with the ledger"
      rows={summary.tie_out}
      rowKey={(r) => r.account}
      minWidth={560}
      columns={[
        { id: 'account', header: 'Account', cardTitle: true, cell: (r) => accountNames[r.account] },
        {
          id: 'ledger',
          header: 'Ledger',
          align: 'right',
          nowrap: true,
          cell: (r) => formatEuros(r.ledger_cents),
        },
        {
          id: 'export',
          header: 'This export',
          align: 'right',
          nowrap: true,
          cell: (r) => formatEuros(r.export_cents),
        },
        {
          id: 'ties',
          header: 'Check',
          nowrap: true,
          cell: (r) =>
            r.ties ? (
              <Badge color="teal" variant="light">
                Ties
              </Badge>
            ) : (
              <Badge color="red" variant="light">
                Differs
              </Badge>
            ),
        },
      ]}
    />
  );
}

function Summary({ summary }: { summary: PeriodSummary }) {
  const { entries, totals } = summary;
  return (
    <Stack gap="lg">
      <SectionCard
        title="The period"
        description={`${plural(entries.bills, 'bill')}${entries.bill_reversals > 0 ? ` (${plural(entries.bill_reversals, 'taken back by a correction', 'taken back by corrections')})` : ''}, ${plural(entries.payments, 'payment')} from households, ${plural(entries.invoices, 'producer’s invoice', 'producers’ invoices')}.`}
      >
        <Facts
          facts={[
            { label: 'Sales', value: formatEuros(totals.sales_cents) },
            { label: 'Paid by households', value: formatEuros(totals.payments_cents) },
            { label: 'Of it paid ahead', value: formatEuros(totals.paid_ahead_cents) },
            ...(entries.payment_returns > 0
              ? [{ label: 'Direct debits returned', value: formatEuros(totals.payment_returns_cents) }]
              : []),
            { label: 'Producers’ invoices', value: formatEuros(totals.invoices_cents) },
            { label: 'Paid to producers', value: formatEuros(totals.invoice_payments_cents) },
          ]}
        />
      </SectionCard>
      <SectionCard
        title="VAT per rate"
        description="A producer’s invoice is split by rate when its amount is what its delivery comes to; otherwise its VAT is not known."
      >
        <VatTable summary={summary} />
      </SectionCard>
      <SectionCard title="Margin" description={summary.margin.definition}>
        <Facts
          facts={[
            { label: 'Margin before VAT', value: formatEuros(summary.margin.net_cents) },
            { label: 'Margin with VAT', value: formatEuros(summary.margin.with_vat_cents) },
          ]}
        />
      </SectionCard>
      <SectionCard
        title="Tie-out"
        description="Each account’s credits less debits in the period, as the ledger sums them and as the export adds up: they are equal."
      >
        <TieOutTable summary={summary} />
      </SectionCard>
    </Stack>
  );
}

function Accounts() {
  const { club } = useClub();
  const picks = periodPicks(new Date());
  const [period, setPeriod] = useState<Period>(picks.lastMonth);
  const problems = periodProblems(period);
  const valid = Object.keys(problems).length === 0;
  const summary = usePeriodSummary(club.id, valid ? period : null);
  const serverErrors = summary.error?.fieldErrors ?? {};
  const pick = (label: string, chosen: Period) => (
    <Button
      variant={chosen.from === period.from && chosen.to === period.to ? 'light' : 'default'}
      size="xs"
      onClick={() => setPeriod(chosen)}
    >
      {label}
    </Button>
  );
  return (
    <ClubFrame
      title="Accounts"
      description="The club’s books for a period, from the ledger: for the accountant as CSV or PDF. Days are in UTC, both included."
    >
      <Stack gap="lg">
        <SectionCard
          title="Period"
          actions={
            <Group gap="xs">
              {[
                pick('Last month', picks.lastMonth),
                pick('This month', picks.thisMonth),
                pick('This year', picks.thisYear),
              ]}
            </Group>
          }
        >
          <Stack gap="sm">
            <Group align="flex-start" gap="sm">
              <TextInput
                type="date"
                label="First day"
                required
                value={period.from}
                onChange={(event) => setPeriod({ ...period, from: event.currentTarget.value })}
                error={problems.from ?? serverErrors.from}
              />
              <TextInput
                type="date"
                label="Last day"
                required
                value={period.to}
                onChange={(event) => setPeriod({ ...period, to: event.currentTarget.value })}
                error={problems.to ?? serverErrors.to}
              />
            </Group>
            <Group gap="sm">
              <Button
                component="a"
                href={valid ? periodExportUrl(club.id, period.from, period.to, 'csv') : undefined}
                download
                disabled={!valid}
              >
                Download CSV
              </Button>
              <Button
                component="a"
                variant="default"
                href={valid ? periodExportUrl(club.id, period.from, period.to, 'pdf') : undefined}
                download
                disabled={!valid}
              >
                Download PDF
              </Button>
              {!valid && (
                <Text size="sm" c="dimmed">
                  Choose a period first.
                </Text>
              )}
            </Group>
          </Stack>
        </SectionCard>
        {valid && (
          <ResourceView
            resource={summary}
            loadingLabel="Adding up the period…"
            isEmpty={(data) => data !== null && Object.values(data.entries).every((count) => count === 0)}
            empty={
              <NothingYet title="Nothing in this period">
                The ledger moved no money of the club in these days: choose another period, or process an
                order first.
              </NothingYet>
            }
          >
            {(data) => (data ? <Summary summary={data} /> : null)}
          </ResourceView>
        )}
      </Stack>
    </ClubFrame>
  );
}

/**
 * /coop/clubs/:clubId/accounts: the bookkeeper's and the Admin's books of a period: VAT per rate,
 * the margin and the tie-out with the ledger, and the accountant's files to download.
 */
export function AccountsPage() {
  const { can } = useClub();
  if (!can(COOP.books)) {
    return (
      <ClubFrame title="Accounts">
        <FormErrorAlert message="Only the club’s bookkeeper and its Admin see the club’s accounts." />
      </ClubFrame>
    );
  }
  return <Accounts />;
}
