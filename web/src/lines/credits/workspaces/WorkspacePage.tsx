import { Alert, Anchor, Button, Group, Stack } from '@mantine/core';
import { useCallback } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsWorkspace, Organization, OrganizationKind } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { Facts } from '../../../components/Facts';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { MembersSection } from '../../../pages/orgs/MembersSection';
import { RenameOrganisationForm } from '../../../pages/orgs/RenameOrganisationForm';
import { roleLabel, useOrganizationKinds } from '../../../pages/orgs/useOrganizationKinds';
import { useSignedInUser } from '../../../session/SessionContext';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { formatCredits, priceOf } from '../format';
import { UsageTable } from '../usage/UsageTable';
import { useUsageContext } from '../usage/useUsageContext';
import { payerName, useWorkspaceMembers, whoseCredits } from './billing';
import { WorkspaceInvitationsSection } from './WorkspaceInvitationsSection';
import { WorkspaceStateBadge } from './WorkspaceStateBadge';

const RECENT_USAGES = 10;

function WorkspaceView({
  workspace,
  organization,
  kind,
  onChanged,
}: {
  workspace: CreditsWorkspace;
  organization: Organization;
  kind: OrganizationKind | undefined;
  onChanged: () => void;
}) {
  const user = useSignedInUser();
  const navigate = useNavigate();
  const { prices, profile } = useCredits();
  const context = useUsageContext();
  const can = (permission: string) => organization.my_permissions.includes(permission);
  const open = !workspace.archived_at;
  const members = useWorkspaceMembers(can('members.read') ? workspace.id : null);
  const billedToMe = workspace.billing_user_id === user.id;
  const billing = payerName(workspace.billing_user_id, user.id, members.data);
  const whose = whoseCredits(workspace.billing_user_id, user.id, members.data);
  const balance = useResource(`credits-balance:${workspace.id}`, () =>
    call(api.GET('/api/credits/balance', { params: { query: { workspace_id: workspace.id } } })),
  );
  const loadUsages = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/usages', {
          params: { query: { workspace_id: workspace.id, cursor, limit: RECENT_USAGES } },
        }),
      ),
    [workspace.id],
  );
  const usages = useCursorPages(`credits-workspace-usages:${workspace.id}`, loadUsages);

  const afterSpend = () => {
    onChanged();
    void balance.reload();
    void usages.reload();
    void profile.reload();
  };
  const archive = async () => {
    await call(api.POST('/api/credits/workspaces/{id}/archive', { params: { path: { id: workspace.id } } }));
    afterSpend();
  };

  return (
    <>
      <PageHeader
        title={workspace.name}
        description={
          <Group gap="xs" component="span">
            <WorkspaceStateBadge workspace={workspace} />
            <span>
              Your role: {roleLabel(kind ? [kind] : undefined, organization.kind, workspace.my_role)}
            </span>
          </Group>
        }
        actions={
          open &&
          can('owners.manage') && (
            <ConfirmButton
              label="Archive workspace"
              question={`Archive ${workspace.name}?`}
              consequence={`Its activity stops, nobody can be invited, and the ${formatCredits(workspace.reserved)} still reserved for it go back to its billing person's credits. Archiving cannot be undone.`}
              confirmLabel="Archive"
              size="sm"
              onConfirm={archive}
            />
          )
        }
      />
      <CreditsTabs />
      <Stack gap="lg">
        {open && !billedToMe && workspace.my_role !== null && (
          <Alert variant="light" color="blue" title="What you do here is paid by the workspace">
            Its reserve pays first, then {whose}: you need no credits of your own to work here.
          </Alert>
        )}
        <SectionCard
          title="Credits"
          description={`The workspace's reserve pays for its work first, then ${whose}.`}
        >
          <Facts
            facts={[
              { label: 'Reserved for its work', value: formatCredits(workspace.reserved) },
              {
                label: 'Available to spend here',
                value: balance.data ? formatCredits(balance.data.available) : '…',
              },
              {
                label: 'Billing person',
                value: billedToMe ? (
                  'You'
                ) : user.is_admin ? (
                  <Anchor component={Link} to={`/credits/admin/users/${workspace.billing_user_id}`}>
                    {billing}
                  </Anchor>
                ) : (
                  billing
                ),
              },
              { label: 'Created', value: formatToTheSecond(workspace.created_at) },
              ...(workspace.archived_at
                ? [{ label: 'Archived', value: formatToTheSecond(workspace.archived_at) }]
                : []),
            ]}
          />
        </SectionCard>
        {open && can('org.update') && (
          <SectionCard title="Name" description="Unique among open workspaces.">
            <RenameOrganisationForm
              what="workspace"
              current={workspace.name}
              rename={(name) =>
                call(
                  api.PATCH('/api/credits/workspaces/{id}', {
                    params: { path: { id: workspace.id } },
                    body: { name },
                  }),
                )
              }
              onRenamed={() => onChanged()}
            />
          </SectionCard>
        )}
        {can('members.read') && (
          <MembersSection
            organization={organization}
            kind={kind}
            currentUserId={user.id}
            kept={(member, isMe) =>
              open && member.user_id === workspace.billing_user_id
                ? isMe
                  ? 'This workspace bills you, so you stay while it is open: archive it instead.'
                  : 'The person this workspace bills stays while it is open.'
                : null
            }
          />
        )}
        {can('members.invite') && (
          <WorkspaceInvitationsSection
            organization={organization}
            kind={kind}
            price={priceOf(prices.data, 'invite_member')}
            open={open}
            onInvited={afterSpend}
          />
        )}
        <SectionCard
          title="Recent usage"
          description="Credits used in this workspace, newest first."
          actions={
            <Button
              variant="default"
              size="xs"
              onClick={() => navigate(`/credits/usage?workspace=${workspace.id}`)}
            >
              All usage here
            </Button>
          }
        >
          <ResourceView
            resource={usages.first}
            loadingLabel="Loading the usage…"
            isEmpty={(page) => page.items.length === 0}
            empty={
              <NothingYet title="Nothing used here yet">
                Invitations and the actions your application charges in this workspace appear here.
              </NothingYet>
            }
          >
            {(page) => <UsageTable usages={page.items} context={context} excerpt />}
          </ResourceView>
        </SectionCard>
      </Stack>
    </>
  );
}

/** /credits/workspaces/:workspaceId: a workspace's credits, members, invitations and usage. */
export function WorkspacePage() {
  usePageTitle('Workspace');
  const { workspaceId = '' } = useParams();
  const workspace = useResource(`credits-workspace:${workspaceId}`, () =>
    call(api.GET('/api/credits/workspaces/{id}', { params: { path: { id: workspaceId } } })),
  );
  const organization = useResource(`organization:${workspaceId}`, () =>
    call(api.GET('/api/orgs/{id}', { params: { path: { id: workspaceId } } })),
  );
  const kinds = useOrganizationKinds();
  return (
    <ResourceView resource={workspace} loadingLabel="Loading the workspace…">
      {(data) => (
        <ResourceView resource={organization} loadingLabel="Loading the workspace…">
          {(org) => (
            <WorkspaceView
              workspace={data}
              organization={org}
              kind={kinds.data?.find((k) => k.kind === org.kind)}
              onChanged={() => void workspace.reload()}
            />
          )}
        </ResourceView>
      )}
    </ResourceView>
  );
}
