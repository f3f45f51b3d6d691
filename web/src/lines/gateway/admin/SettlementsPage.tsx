import { Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../../api/client';
import { type Column, DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { csvTime } from '../../../lib/table';
import { usdcCsv } from '../components/csv';
import { useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { placeServerErrors } from '../components/serverErrors';
import { formatBps, formatMoment, formatUsdc } from '../format';
import { AdminFrame } from '../GatewayTabs';
import type { GatewaySettlement } from '../types';
import { EncryptedAuditsSection } from './EncryptedAudits';

function SettlementsTable({ settlements }: { settlements: GatewaySettlement[] }) {
  const columns: Column<GatewaySettlement>[] = [
    {
      id: 'period',
      header: 'Period up to',
      nowrap: true,
      cell: (s) => (
        <Anchor component={Link} to={`/gateway/admin/settlements/${s.id}`} size="sm">
          {formatMoment(s.period_end)}
        </Anchor>
      ),
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
      id: 'fees',
      header: 'Fees',
      align: 'right',
      nowrap: true,
      cell: (s) => formatUsdc(s.fees),
      sortValue: (s) => BigInt(s.fees),
      csv: (s) => usdcCsv(s.fees),
    },
    {
      id: 'fee',
      header: 'Fee rate',
      align: 'right',
      nowrap: true,
      cell: (s) => formatBps(s.fee_bps),
      sortValue: (s) => s.fee_bps,
      csv: (s) => String(s.fee_bps),
    },
    {
      id: 'minimum',
      header: 'Minimum payout',
      align: 'right',
      nowrap: true,
      cell: (s) => formatUsdc(s.minimum_payout),
      csv: (s) => usdcCsv(s.minimum_payout),
    },
    {
      id: 'created',
      header: 'Run',
      nowrap: true,
      cell: (s) => formatMoment(s.created_at),
      sortValue: (s) => s.created_at,
      csv: (s) => csvTime(s.created_at),
    },
  ];
  return (
    <DataTable
      label="Settlement runs"
      rows={settlements}
      columns={columns}
      rowKey={(s) => s.id}
      exportName="gateway-settlements"
      initialSort={{ columnId: 'period', direction: 'descending' }}
    />
  );
}

function RunForm({ onRun }: { onRun: (settlement: GatewaySettlement, made: boolean) => void }) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { period_end: '' },
    validateInputOnChange: true,
    validate: {
      period_end: (value) => {
        if (!value) return null;
        const date = new Date(value);
        if (Number.isNaN(date.getTime())) return 'Enter a date and time';
        return date.getTime() > Date.now() ? 'A settlement cannot reach into the future' : null;
      },
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    try {
      const { settlement, made } = await call(
        api.POST('/api/gateway/settlements', {
          body: values.period_end ? { period_end: new Date(values.period_end).toISOString() } : {},
        }),
      );
      form.reset();
      onRun(settlement, made);
    } catch (error) {
      setRefusal(placeServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Run a settlement">
      <Stack gap="md">
        <TextInput
          label="Period up to"
          type="datetime-local"
          description="Optional: empty settles everything served before the last interval boundary."
          maw={320}
          {...form.getInputProps('period_end')}
        />
        <RefusalAlert refusal={refusal} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Run settlement now
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** /gateway/admin/settlements: the settlement runs, and a run started by hand. */
export function SettlementsPage() {
  const navigate = useNavigate();
  const settlements = useResource(
    'gateway-settlements',
    async () => (await call(api.GET('/api/gateway/settlements'))).items,
  );
  const [outcome, setOutcome] = useState<string | null>(null);
  return (
    <AdminFrame
      title="Settlements"
      description="Every interval, served calls are split into each provider's earnings and the platform's fee; approved providers above the minimum are paid on chain."
    >
      <Stack gap="lg">
        <SectionCard
          title="Run a settlement"
          description="A period settled before changes nothing: running twice is safe."
        >
          <RunForm
            onRun={(settlement, made) => {
              void settlements.reload();
              if (made) navigate(`/gateway/admin/settlements/${settlement.id}`);
              else
                setOutcome(
                  `That period was settled already (up to ${formatMoment(settlement.period_end)}): nothing changed.`,
                );
            }}
          />
          {outcome && (
            <Text size="sm" role="status">
              {outcome}
            </Text>
          )}
        </SectionCard>
        <SectionCard title="Runs">
          <ResourceView
            resource={settlements}
            loadingLabel="Loading the settlement runs…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No settlement yet">
                Runs appear here every interval, or when you run one above.
              </NothingYet>
            }
          >
            {(items) => <SettlementsTable settlements={items} />}
          </ResourceView>
        </SectionCard>
        <EncryptedAuditsSection />
      </Stack>
    </AdminFrame>
  );
}
