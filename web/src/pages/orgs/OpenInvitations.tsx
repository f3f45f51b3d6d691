import { Group, Table } from '@mantine/core';
import type { ReactNode } from 'react';
import { api, call } from '../../api/client';
import type { Organization, OrganizationKind } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ResourceView } from '../../components/ResourceView';
import { NothingYet } from '../../components/States';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { roleLabel } from './useOrganizationKinds';

/** An organisation's open invitations, loaded once for the form that adds to them and the table that shows them. */
export function useOpenInvitations(organizationId: string) {
  return useResource(`invitations:${organizationId}`, async () => {
    const path = { id: organizationId };
    return (await call(api.GET('/api/orgs/{id}/invitations', { params: { path } }))).items;
  });
}

/** The open invitations with a revoke button each; whoever shows them says what an empty list means. */
export function OpenInvitationsTable({
  organization,
  kind,
  invitations,
  emptyText,
  revokeConsequence,
}: {
  organization: Organization;
  kind: OrganizationKind | undefined;
  invitations: ReturnType<typeof useOpenInvitations>;
  emptyText: ReactNode;
  revokeConsequence: string;
}) {
  const revoke = async (invitationId: string) => {
    await call(
      api.DELETE('/api/orgs/{id}/invitations/{invitationId}', {
        params: { path: { id: organization.id, invitationId } },
      }),
    );
    await invitations.reload();
  };
  return (
    <ResourceView
      resource={invitations}
      loadingLabel="Loading the invitations…"
      isEmpty={(items) => items.length === 0}
      empty={<NothingYet title="No open invitations">{emptyText}</NothingYet>}
    >
      {(items) => (
        <Table.ScrollContainer minWidth={600}>
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
                        consequence={revokeConsequence}
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
  );
}
