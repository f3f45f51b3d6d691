import { Button, Group, Stack } from '@mantine/core';
import { useCallback, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsProfile } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { usePolling } from '../../../hooks/usePolling';
import { useResource } from '../../../hooks/useResource';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { UserTypeBadge } from '../UserTypeBadge';
import { BalanceSection, WorkspacePicker } from './BalanceSection';
import { HoldingsSection } from './HoldingsSection';
import { ReservationsSection } from './ReservationsSection';
import { UsageChartSection } from './UsageChartSection';
import { chartRange } from './usageSeries';

/** How often the dashboard reads the balance again: spends by the host application show up by themselves. */
const REFRESH_MS = 4000;

function Dashboard({ profile }: { profile: CreditsProfile }) {
  const { prices, profile: profileResource } = useCredits();
  const [searchParams, setSearchParams] = useSearchParams();
  const workspaceId = searchParams.get('workspace') ?? '';
  const scope = workspaceId ? { workspace_id: workspaceId } : {};
  const today = new Date().toISOString().slice(0, 10);
  const range = useMemo(() => chartRange(new Date(`${today}T12:00:00Z`)), [today]);

  const workspaces = useResource(
    'credits-workspaces',
    async () => (await call(api.GET('/api/credits/workspaces'))).items,
  );
  const balance = useResource(`credits-balance:${workspaceId}`, () =>
    call(api.GET('/api/credits/balance', { params: { query: scope } })),
  );
  const series = useResource(
    `credits-series:${workspaceId}:${range.from}`,
    async () =>
      (
        await call(
          api.GET('/api/credits/usage-by-action', {
            params: { query: { ...scope, from: range.from, to: range.to, bucket: 'day' } },
          }),
        )
      ).items,
  );
  const loadReservations = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/reservations', {
          params: {
            query: {
              ...(workspaceId ? { workspace_id: workspaceId } : {}),
              state: 'active',
              cursor,
              limit: 20,
            },
          },
        }),
      ),
    [workspaceId],
  );
  const reservations = useCursorPages(`credits-reservations:${workspaceId}`, loadReservations);

  const refresh = async () => {
    await Promise.all([balance.reload(), series.reload(), reservations.first.reload()]);
  };
  usePolling(refresh, REFRESH_MS);

  const workspaceName = workspaces.data?.find((w) => w.id === workspaceId)?.name ?? null;
  const picker = (
    <WorkspacePicker
      workspaces={workspaces.data ?? []}
      value={workspaceId}
      onChange={(id) => setSearchParams(id ? { workspace: id } : {})}
    />
  );

  return (
    <Stack gap="lg">
      <ResourceView resource={balance} loadingLabel="Reading the balance…">
        {(data) => <BalanceSection balance={data} workspaceName={workspaceName} picker={picker} />}
      </ResourceView>
      <ResourceView resource={series} loadingLabel="Loading the usage chart…">
        {(buckets) => (
          <UsageChartSection buckets={buckets} days={range.days} prices={prices.data ?? undefined} />
        )}
      </ResourceView>
      <ReservationsSection
        pages={reservations}
        prices={prices.data ?? undefined}
        workspaces={workspaces.data ?? []}
        onReleased={() => {
          void refresh();
          void profileResource.reload();
        }}
      />
      {profile.holdings.length > 0 && <HoldingsSection holdings={profile.holdings} />}
    </Stack>
  );
}

/** /credits for a signed-in person: balance, usage by action, reservations and products. */
export function DashboardPage() {
  const { profile } = useCredits();
  return (
    <>
      <PageHeader
        title="Credits"
        description={
          <Group gap="xs" component="span">
            <span>Your balance, what you used it on, and what is held for work in progress.</span>
            {profile.data && <UserTypeBadge type={profile.data.type} />}
          </Group>
        }
        actions={
          <Button component={Link} to="/credits/usage" variant="default">
            Usage history
          </Button>
        }
      />
      <CreditsTabs />
      <ResourceView
        resource={profile}
        loadingLabel="Loading your credits…"
        isEmpty={(data) => !data || (data.type === null && data.holdings.length === 0)}
        empty={
          <NothingYet
            title="You have no credits yet"
            action={
              <Button component={Link} to="/credits/products">
                See how to buy a product
              </Button>
            }
          >
            Credits come with a product. Buy one on the sales platform with this account's email address; the
            credits appear here as soon as the purchase arrives.
          </NothingYet>
        }
      >
        {(data) => data && <Dashboard profile={data} />}
      </ResourceView>
    </>
  );
}
