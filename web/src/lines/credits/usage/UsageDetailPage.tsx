import { Anchor, Stack, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsUsage } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { type Fact, Facts } from '../../../components/Facts';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { usePageTitle } from '../../../components/usePageTitle';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { useSession } from '../../../session/SessionContext';
import { ObjectHistory } from '../admin/ObjectHistory';
import { CreditsTabs } from '../CreditsTabs';
import { actionLabel, formatCredits } from '../format';
import { PaidBy, Source, type UsageContext, UsedFor } from './UsageTable';
import { useUsageContext } from './useUsageContext';

function UsageFacts({
  usage,
  context,
  myId,
  isAdmin,
}: {
  usage: CreditsUsage;
  context: UsageContext;
  myId: string;
  isAdmin: boolean;
}) {
  const workspace = context.workspaces?.find((w) => w.id === usage.workspace_id);
  const facts: Fact[] = [
    { label: 'Amount', value: formatCredits(usage.amount) },
    { label: 'When', value: formatToTheSecond(usage.used_at) },
    { label: 'Action', value: actionLabel(context.prices, usage.action) },
    { label: 'Used for', value: <UsedFor usage={usage} /> },
    {
      label: 'Workspace',
      value: usage.workspace_id ? (
        <Anchor component={Link} to={`/credits/workspaces/${usage.workspace_id}`} size="sm">
          {workspace?.name ?? 'Open the workspace'}
        </Anchor>
      ) : (
        'None: their own credits'
      ),
    },
    {
      label: 'From',
      value: (
        <Stack gap={2} align="flex-start">
          <Source usage={usage} />
          <Text size="xs" c="dimmed">
            {usage.is_reserved
              ? `Used from the reservation for ${usage.reserved_for ?? 'an earlier action'}`
              : 'Charged at once'}
          </Text>
        </Stack>
      ),
    },
  ];
  if (usage.user_id !== myId) {
    facts.push({
      label: 'Whose credits',
      value: isAdmin ? (
        <Anchor component={Link} to={`/credits/admin/users/${usage.user_id}`} size="sm">
          Open the person
        </Anchor>
      ) : (
        'The workspace’s billing person'
      ),
    });
  }
  facts.push({ label: 'Usage id', value: <CopyValue value={usage.id} label="Usage id" /> });
  return <Facts facts={facts} />;
}

/** /credits/usage/:usageId: one usage, what it was for and which grants paid it. */
export function UsageDetailPage() {
  usePageTitle('Usage');
  const { usageId = '' } = useParams();
  const { session } = useSession();
  const context = useUsageContext();
  const usage = useResource(`credits-usage:${usageId}`, () =>
    call(api.GET('/api/credits/usages/{id}', { params: { path: { id: usageId } } })),
  );
  const isAdmin = session.status === 'signed-in' && session.user.is_admin;
  const myId = session.status === 'signed-in' ? session.user.id : '';
  return (
    <ResourceView resource={usage} loadingLabel="Loading the usage…">
      {(data) => (
        <>
          <PageHeader
            title={`Usage of ${formatCredits(data.amount)}`}
            description={`${actionLabel(context.prices, data.action)}, ${formatToTheSecond(data.used_at)}.`}
          />
          <CreditsTabs />
          <Stack gap="lg">
            <SectionCard title="Usage">
              <UsageFacts usage={data} context={context} myId={myId} isAdmin={isAdmin} />
            </SectionCard>
            <SectionCard
              title="Paid by"
              description="The grants the credits came from, in the order they were spent; each has its page."
            >
              <PaidBy usage={data} grants={context.grants} />
            </SectionCard>
            {isAdmin && <ObjectHistory objectType="credits_usage" objectId={data.id} />}
          </Stack>
        </>
      )}
    </ResourceView>
  );
}
