import { Group, Stack, Table } from '@mantine/core';
import { api, call } from '../../../api/client';
import type { Organization, OrganizationKind } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { formatDateTime } from '../../../lib/dates';
import { roleLabel } from '../../orgs/useOrganizationKinds';
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
  const invitations = useResource(`invitations:${organization.id}`, async () => {
    const path = { id: organization.id };
    return (await call(api.GET('/api/orgs/{id}/invitations', { params: { path } }))).items;
  });
  const revoke = async (invitationId: string) => {
    await call(
      api.DELETE('/api/orgs/{id}/invitations/{invitationId}', {
        params: { path: { id: organization.id, invitationId } },
      }),
    );
    await invitations.reload();
  };

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
        <ResourceView
          resource={invitations}
          loadingLabel="Loading the invitations…"
          isEmpty={(items) => items.length === 0}
          empty={
            <NothingYet title="No open invitations">
              {open ? 'Invite someone with the form above.' : 'An archived workspace takes no new members.'}
            </NothingYet>
          }
        >
          {(items) => (
            <Table.ScrollContainer minWidth={560}>
              <Table aria-label="Open invitations">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Invited by</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th aria-label="Actions" />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((invitation) => (
                    <Table.Tr key={invitation.id}>
                      <Table.Td>{invitation.email}</Table.Td>
                      <Table.Td>
                        {roleLabel(kind ? [kind] : undefined, organization.kind, invitation.role)}
                      </Table.Td>
                      <Table.Td>{invitation.invited_by.name}</Table.Td>
                      <Table.Td>{formatDateTime(invitation.expires_at)}</Table.Td>
                      <Table.Td>
                        <Group justify="flex-end">
                          <ConfirmButton
                            label="Revoke"
                            question={`Revoke the invitation to ${invitation.email}?`}
                            consequence="The link in their mail will stop working. The credits it cost are not given back."
                            confirmLabel="Revoke invitation"
                            onConfirm={() => revoke(invitation.id)}
                          />
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </ResourceView>
      </Stack>
    </SectionCard>
  );
}
