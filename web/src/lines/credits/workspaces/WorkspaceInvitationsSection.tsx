import { Stack } from '@mantine/core';
import type { Organization, OrganizationKind } from '../../../api/types';
import { SectionCard } from '../../../components/SectionCard';
import { OpenInvitationsTable, useOpenInvitations } from '../../../pages/orgs/OpenInvitations';
import { WorkspaceInviteForm } from './WorkspaceInviteForm';

export function WorkspaceInvitationsSection({
  organization,
  kind,
  price,
  open,
  onInvited,
}: {
  organization: Organization;
  kind: OrganizationKind | undefined;
  price: string | null;
  open: boolean;
  onInvited: () => void;
}) {
  const invitations = useOpenInvitations(organization.id);
  return (
    <SectionCard
      title="Invitations"
      description="People invited by mail; the link in the mail lets them join this workspace. A revoked invitation is not refunded."
    >
      <Stack gap="lg">
        {open && (
          <WorkspaceInviteForm
            workspaceId={organization.id}
            kind={kind}
            price={price}
            onInvited={() => {
              void invitations.reload();
              onInvited();
            }}
          />
        )}
        <OpenInvitationsTable
          organization={organization}
          kind={kind}
          invitations={invitations}
          emptyText={
            open ? 'Invite someone with the form above.' : 'An archived workspace takes no new members.'
          }
          revokeConsequence="The link in their mail will stop working. The credits it cost are not given back."
        />
      </Stack>
    </SectionCard>
  );
}
