import { Anchor, Stack, Table } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { Organization, OrganizationKind } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { NothingYet } from '../../components/States';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { useSignedInUser } from '../../session/SessionContext';
import { CreateOrganisationForm } from './CreateOrganisationForm';
import { kindLabel, roleLabel, useOrganizationKinds } from './useOrganizationKinds';

function OrganisationsTable({
  organizations,
  kinds,
}: {
  organizations: Organization[];
  kinds?: OrganizationKind[];
}) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Your role</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {organizations.map((organization) => (
            <Table.Tr key={organization.id}>
              <Table.Td>
                <Anchor component={Link} to={`/orgs/${organization.id}`} fw={500}>
                  {organization.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{kindLabel(kinds, organization.kind)}</Table.Td>
              <Table.Td>{roleLabel(kinds, organization.kind, organization.my_role)}</Table.Td>
              <Table.Td>{formatDateTime(organization.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function OrganisationsPage() {
  const user = useSignedInUser();
  const organizations = useResource('organizations', async () => (await call(api.GET('/api/orgs'))).items);
  const kinds = useOrganizationKinds();

  return (
    <>
      <PageHeader
        title="Organisations"
        description="The clubs, companies and workspaces you belong to, and your role in each."
      />
      <Stack gap="lg">
        <SectionCard title="Your organisations">
          <ResourceView
            resource={organizations}
            loadingLabel="Loading your organisations…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="You are in no organisation yet">
                Create one below, or open the invitation link someone sent you.
              </NothingYet>
            }
          >
            {(items) => <OrganisationsTable organizations={items} kinds={kinds.data} />}
          </ResourceView>
        </SectionCard>
        <SectionCard title="Create an organisation" description="You become its owner and can invite others.">
          <ResourceView resource={kinds} loadingLabel="Loading the kinds of organisation…">
            {(items) => <CreateOrganisationForm kinds={items} isAdmin={user.is_admin} />}
          </ResourceView>
        </SectionCard>
      </Stack>
    </>
  );
}
