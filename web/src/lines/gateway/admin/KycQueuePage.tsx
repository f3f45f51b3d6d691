import { Anchor, SegmentedControl, Stack, Text } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import { type Column, DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { csvTime } from '../../../lib/table';
import { StateBadge } from '../components/StateBadge';
import { isPresent } from '../data';
import { formatMoment } from '../format';
import { AdminFrame } from '../GatewayTabs';
import type { GatewayKycState, GatewayProvider } from '../types';

const filters: { value: GatewayKycState | 'all'; label: string }[] = [
  { value: 'submitted', label: 'Waiting for review' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'approved', label: 'Approved' },
  { value: 'none', label: 'Not submitted' },
  { value: 'all', label: 'All' },
];

function ProvidersTable({ providers }: { providers: GatewayProvider[] }) {
  const columns: Column<GatewayProvider>[] = [
    {
      id: 'name',
      header: 'Provider',
      cell: (p) => (
        <Anchor component={Link} to={`/gateway/admin/providers/${p.id}`} size="sm" fw={500}>
          {p.name}
        </Anchor>
      ),
      sortValue: (p) => p.name,
      csv: (p) => p.name,
    },
    {
      id: 'kyc',
      header: 'KYC',
      nowrap: true,
      cell: (p) => <StateBadge state={p.kyc.state} />,
      sortValue: (p) => p.kyc.state,
      csv: (p) => p.kyc.state,
    },
    {
      id: 'documents',
      header: 'Documents',
      align: 'right',
      cell: (p) => p.documents.length,
      sortValue: (p) => p.documents.length,
      csv: (p) => String(p.documents.length),
    },
    {
      id: 'submitted',
      header: 'Submitted',
      nowrap: true,
      cell: (p) => formatMoment(p.kyc.submitted_at, 'not yet'),
      sortValue: (p) => p.kyc.submitted_at,
      csv: (p) => csvTime(p.kyc.submitted_at),
    },
    {
      id: 'reviewed',
      header: 'Reviewed',
      nowrap: true,
      cell: (p) => formatMoment(p.kyc.reviewed_at, 'not yet'),
      sortValue: (p) => p.kyc.reviewed_at,
      csv: (p) => csvTime(p.kyc.reviewed_at),
    },
  ];
  return (
    <DataTable
      label="Providers"
      rows={providers}
      columns={columns}
      rowKey={(p) => p.id}
      searchText={(p) => `${p.name} ${p.payout_address}`}
      searchLabel="Search providers"
      exportName="gateway-providers"
      initialSort={{ columnId: 'submitted', direction: 'ascending' }}
    />
  );
}

/** /gateway/admin/kyc: the providers waiting for KYC review, oldest first; other states on demand. */
export function KycQueuePage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const state = (filters.find((f) => f.value === searchParams.get('state'))?.value ?? 'submitted') as
    | GatewayKycState
    | 'all';
  const providers = useResource(`gateway-providers:${state}`, async () =>
    (
      await call(
        api.GET('/api/gateway/providers', { params: { query: state === 'all' ? {} : { kyc_state: state } } }),
      )
    ).items.filter(isPresent),
  );
  return (
    <AdminFrame
      title="KYC review"
      description="Providers' identity documents: approve them, or reject them saying why. Only approved providers can claim earnings."
    >
      <SectionCard
        title="Providers"
        actions={
          <SegmentedControl
            aria-label="KYC state"
            data={filters}
            value={state}
            onChange={(value) => setSearchParams(value === 'submitted' ? {} : { state: value })}
          />
        }
      >
        <ResourceView
          resource={providers}
          loadingLabel="Loading the providers…"
          isEmpty={(items) => items.length === 0}
          empty={
            <NothingYet
              title={state === 'submitted' ? 'Nothing waits for review' : 'No provider in this state'}
            >
              {state === 'submitted'
                ? 'Providers who submit their documents appear here, oldest first.'
                : 'Choose another state above.'}
            </NothingYet>
          }
        >
          {(items) => (
            <Stack gap="sm">
              <Text size="sm" c="dimmed">
                {items.length} {items.length === 1 ? 'provider' : 'providers'}
              </Text>
              <ProvidersTable providers={items} />
            </Stack>
          )}
        </ResourceView>
      </SectionCard>
    </AdminFrame>
  );
}
