import { Anchor, Stack, Table } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsWorkspace } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { useSignedInUser } from '../../../session/SessionContext';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { formatCredits, mayTake, priceOf } from '../format';
import { CreateWorkspaceForm } from './CreateWorkspaceForm';
import { WorkspaceStateBadge } from './WorkspaceStateBadge';

function WorkspacesTable({ workspaces }: { workspaces: CreditsWorkspace[] }) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="Your workspaces">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Your role</Table.Th>
            <Table.Th ta="right">Reserved for its work</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {workspaces.map((workspace) => (
            <Table.Tr key={workspace.id}>
              <Table.Td>
                <Anchor component={Link} to={`/credits/workspaces/${workspace.id}`} fw={500}>
                  {workspace.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{workspace.my_role ?? '—'}</Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatCredits(workspace.reserved)}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <WorkspaceStateBadge workspace={workspace} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatToTheSecond(workspace.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** /credits/workspaces: the workspaces a person belongs to, and a new one for its price. */
export function WorkspacesPage() {
  const user = useSignedInUser();
  const navigate = useNavigate();
  const { profile, prices } = useCredits();
  const workspaces = useResource(
    'credits-workspaces',
    async () => (await call(api.GET('/api/credits/workspaces'))).items,
  );
  const balance = useResource('credits-balance:', () => call(api.GET('/api/credits/balance')));

  return (
    <>
      <PageHeader
        title="Workspaces"
        description="Where you and the people you invite spend credits. Each holds its price in reserve for its work."
      />
      <CreditsTabs />
      <Stack gap="lg">
        <SectionCard title="Your workspaces">
          <ResourceView
            resource={workspaces}
            loadingLabel="Loading your workspaces…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="You are in no workspace yet">
                Create one below when your products allow it, or open the invitation link someone sent you to
                join theirs.
              </NothingYet>
            }
          >
            {(items) => <WorkspacesTable workspaces={items} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="Create a workspace"
          description="You become its owner and the one whose credits it uses."
        >
          <CreateWorkspaceForm
            price={priceOf(prices.data, 'create_workspace')}
            balance={balance.data}
            profile={profile.data ?? undefined}
            allowed={
              profile.data ? mayTake(profile.data.permissions, user.is_admin, 'create_workspace') : true
            }
            onCreated={(workspace) => {
              notifications.show({
                color: 'teal',
                message: `${workspace.name} created; ${formatCredits(workspace.reserved)} reserved for its work.`,
              });
              void profile.reload();
              navigate(`/credits/workspaces/${workspace.id}`);
            }}
          />
        </SectionCard>
      </Stack>
    </>
  );
}
