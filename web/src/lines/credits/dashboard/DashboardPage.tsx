import { Alert, Button, Group, Stack } from '@mantine/core';
import { useCallback, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsProfile, CreditsWorkspace } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { usePolling } from '../../../hooks/usePolling';
import { type Resource, useResource } from '../../../hooks/useResource';
import { useSignedInUser } from '../../../session/SessionContext';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { UserTypeBadge } from '../UserTypeBadge';
import { useWorkspaceMembers, whoseCredits } from '../workspaces/billing';
import { BalanceSection, WorkspacePicker } from './BalanceSection';
import { HoldingsSection } from './HoldingsSection';
import { ReservationsSection } from './ReservationsSection';
import { UsageChartSection } from './UsageChartSection';
import { chartRange } from './usageSeries';

/** How often the dashboard reads the balance again: spends by the host application show up by themselves. */
const REFRESH_MS = 4000;

/** Whether a person has credits of their own (a product, or an administrator's), not only a workspace's. */
const hasOwnCredits = (profile: CreditsProfile) => profile.type !== null || profile.holdings.length > 0;

const openWorkspaces = (workspaces: CreditsWorkspace[] | undefined) =>
  (workspaces ?? []).filter((workspace) => !workspace.archived_at);

/**
 * The dashboard of a person's own credits, or, for someone who holds no product and spends in
 * workspaces they were invited to, of one of those workspaces (the first, unless one is picked).
 */
function Dashboard({
  profile,
  workspaces,
}: {
  profile: CreditsProfile;
  workspaces: Resource<CreditsWorkspace[]>;
}) {
  const me = useSignedInUser();
  const { prices, profile: profileResource } = useCredits();
  const [searchParams, setSearchParams] = useSearchParams();
  const ownCredits = hasOwnCredits(profile);
  const workspaceId =
    searchParams.get('workspace') ?? (ownCredits ? '' : (openWorkspaces(workspaces.data)[0]?.id ?? ''));
  const scope = workspaceId ? { workspace_id: workspaceId } : {};
  const today = new Date().toISOString().slice(0, 10);
  const range = useMemo(() => chartRange(new Date(`${today}T12:00:00Z`)), [today]);

  const members = useWorkspaceMembers(workspaceId || null);
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
      ownCredits={ownCredits}
      onChange={(id) => setSearchParams(id ? { workspace: id } : {})}
    />
  );

  return (
    <Stack gap="lg">
      {!ownCredits && (
        <Alert variant="light" color="blue" title="You spend the credits of your workspaces">
          You hold no product of your own: what you do in a workspace you were invited to is paid by it, from
          its reserve first, then by the credits of the person it bills.
        </Alert>
      )}
      <ResourceView resource={balance} loadingLabel="Reading the balance…">
        {(data) => (
          <BalanceSection
            balance={data}
            workspaceName={workspaceName}
            whose={whoseCredits(data.user_id, me.id, members.data)}
            picker={picker}
          />
        )}
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
  const workspaces = useResource(
    'credits-workspaces',
    async () => (await call(api.GET('/api/credits/workspaces'))).items,
  );
  // Someone with neither credits of their own nor a workspace to spend in has nothing to show yet.
  const nothing = (data: CreditsProfile | null) =>
    !data || (!hasOwnCredits(data) && openWorkspaces(workspaces.data).length === 0);
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
      <ResourceView resource={workspaces} loadingLabel="Loading your credits…">
        {() => (
          <ResourceView
            resource={profile}
            loadingLabel="Loading your credits…"
            isEmpty={nothing}
            empty={
              <NothingYet
                title="You have no credits yet"
                action={
                  <Button component={Link} to="/credits/products">
                    See how to buy a product
                  </Button>
                }
              >
                Credits come with a product: buy one on the sales platform with this account's email address,
                and the credits appear here as soon as the purchase arrives. Someone who invites you to their
                workspace lets you spend there too.
              </NothingYet>
            }
          >
            {(data) => data && <Dashboard profile={data} workspaces={workspaces} />}
          </ResourceView>
        )}
      </ResourceView>
    </>
  );
}
