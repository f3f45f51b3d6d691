import { Stack } from '@mantine/core';
import type { Organization, OrganizationKind } from '../../api/types';
import { SectionCard } from '../../components/SectionCard';
import { InviteForm } from './InviteForm';
import { OpenInvitationsTable, useOpenInvitations } from './OpenInvitations';

export function InvitationsSection({
  organization,
  kind,
}: {
  organization: Organization;
  kind: OrganizationKind | undefined;
}) {
  const invitations = useOpenInvitations(organization.id);
  return (
    <SectionCard
      title="Invitations"
      description="People invited by mail; the link in the mail lets them join with the role chosen here."
    >
      <Stack gap="lg">
        <InviteForm
          organizationId={organization.id}
          kind={kind}
          onInvited={() => void invitations.reload()}
        />
        <OpenInvitationsTable
          organization={organization}
          kind={kind}
          invitations={invitations}
          emptyText="Invite someone with the form above."
          revokeConsequence="The link in their mail will stop working."
        />
      </Stack>
    </SectionCard>
  );
}
