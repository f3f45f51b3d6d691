import { Anchor, Stack } from '@mantine/core';
import { useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsGrantDetail } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { type Fact, Facts } from '../../../components/Facts';
import { LoadOlder } from '../../../components/LoadOlder';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { useSession } from '../../../session/SessionContext';
import { CreditsTabs } from '../CreditsTabs';
import { formatCredits } from '../format';
import { UsageTable } from '../usage/UsageTable';
import { useUsageContext } from '../usage/useUsageContext';
import { grantSourceLabels } from './grantWords';

function expiryFact(grant: CreditsGrantDetail): Fact {
  if (grant.expired_at)
    return { label: 'Expired', value: `${formatToTheSecond(grant.expired_at)}: what was left returned` };
  return { label: 'Expires', value: formatToTheSecond(grant.expires_at, 'never') };
}

function GrantFacts({ grant, isAdmin, myId }: { grant: CreditsGrantDetail; isAdmin: boolean; myId: string }) {
  const facts: Fact[] = [
    { label: 'Granted', value: formatCredits(grant.amount) },
    { label: 'Left', value: formatCredits(grant.remaining) },
    { label: 'How it came', value: grantSourceLabels[grant.source] ?? grant.source },
    { label: 'Granted on', value: formatToTheSecond(grant.created_at) },
    expiryFact(grant),
  ];
  if (grant.purchase_id) {
    facts.push({
      label: 'Purchase',
      value: (
        <Anchor component={Link} to={`/credits/purchases/${grant.purchase_id}`} size="sm">
          Open the purchase
        </Anchor>
      ),
    });
  }
  if (grant.product_id && isAdmin) {
    facts.push({
      label: 'Product',
      value: (
        <Anchor component={Link} to={`/credits/admin/products/${grant.product_id}`} size="sm">
          Open the product
        </Anchor>
      ),
    });
  }
  if (grant.reason) facts.push({ label: 'Reason', value: grant.reason });
  if (grant.workspace_id) {
    facts.push({
      label: 'Workspace',
      value: (
        <Anchor component={Link} to={`/credits/workspaces/${grant.workspace_id}`} size="sm">
          Open the workspace
        </Anchor>
      ),
    });
  }
  if (grant.user_id !== myId && isAdmin) {
    facts.push({
      label: 'Whose credits',
      value: (
        <Anchor component={Link} to={`/credits/admin/users/${grant.user_id}`} size="sm">
          Open the person
        </Anchor>
      ),
    });
  }
  facts.push({ label: 'Grant id', value: <CopyValue value={grant.id} label="Grant id" /> });
  return <Facts facts={facts} />;
}

/** The usages a grant paid for, newest first, as the usage history shows them. */
function SpentOn({ grant, ownerView }: { grant: CreditsGrantDetail; ownerView: boolean }) {
  const context = useUsageContext();
  // Its holder and administrators read the holder's history; a workspace's member, the workspace's.
  const byWorkspace = !ownerView && grant.workspace_id ? grant.workspace_id : null;
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/usages', {
          params: {
            query: {
              ...(byWorkspace ? { workspace_id: byWorkspace } : { user_id: grant.user_id }),
              grant_id: grant.id,
              cursor,
              limit: 50,
            },
          },
        }),
      ),
    [grant.id, grant.user_id, byWorkspace],
  );
  const pages = useCursorPages(`credits-grant-usages:${grant.id}`, loadPage);
  return (
    <SectionCard title="Spent on" description="Every usage this grant paid for, in whole or in part.">
      <Stack gap="sm">
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading its usages…"
          isEmpty={(page) => page.items.length === 0}
          empty={<NothingYet title="Nothing spent from it yet">Usages it pays for appear here.</NothingYet>}
        >
          {() => <UsageTable usages={pages.items} context={context} moreToLoad={pages.hasMore} />}
        </ResourceView>
        <LoadOlder pages={pages} label="Load older usages" />
      </Stack>
    </SectionCard>
  );
}

/** /credits/grants/:grantId: one grant, where it came from, what is left, and what it paid for. */
export function GrantPage() {
  usePageTitle('Grant');
  const { grantId = '' } = useParams();
  const { session } = useSession();
  const grant = useResource(`credits-grant:${grantId}`, () =>
    call(api.GET('/api/credits/grants/{id}', { params: { path: { id: grantId } } })),
  );
  const isAdmin = session.status === 'signed-in' && session.user.is_admin;
  const myId = session.status === 'signed-in' ? session.user.id : '';
  return (
    <ResourceView resource={grant} loadingLabel="Loading the grant…">
      {(data) => (
        <>
          <PageHeader
            title={data.label ?? `Grant of ${formatCredits(data.amount)}`}
            description={`${formatCredits(data.amount)} granted ${formatToTheSecond(data.created_at)}; ${formatCredits(data.remaining)} left.`}
          />
          <CreditsTabs />
          <Stack gap="lg">
            <SectionCard title="Grant">
              <GrantFacts grant={data} isAdmin={isAdmin} myId={myId} />
            </SectionCard>
            <SpentOn grant={data} ownerView={isAdmin || data.user_id === myId} />
          </Stack>
        </>
      )}
    </ResourceView>
  );
}
