import { Alert, Anchor, Badge, Group, Stack } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import type { Organization, OrganizationKind } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { usePageTitle } from '../../components/usePageTitle';
import { useResource } from '../../hooks/useResource';
import { useSignedInUser } from '../../session/SessionContext';
import { InvitationsSection } from './InvitationsSection';
import { lineOrganisationPage } from './lineOrganisations';
import { MembersSection } from './MembersSection';
import { RenameOrganisationForm } from './RenameOrganisationForm';
import { kindLabel, roleLabel, useOrganizationKinds } from './useOrganizationKinds';

function OrganisationDetails({
  organization,
  kinds,
  onRenamed,
}: {
  organization: Organization;
  kinds: OrganizationKind[];
  onRenamed: (organization: Organization) => void;
}) {
  const user = useSignedInUser();
  const kind = kinds.find((k) => k.kind === organization.kind);
  const can = (permission: string) => organization.my_permissions.includes(permission);
  const linePage = lineOrganisationPage(kind, organization.id);
  return (
    <>
      <PageHeader
        title={organization.name}
        description={
          <Group gap="xs" component="span">
            <Badge variant="light">{kindLabel(kinds, organization.kind)}</Badge>
            <span>Your role: {roleLabel(kinds, organization.kind, organization.my_role)}</span>
          </Group>
        }
      />
      <Stack gap="lg">
        {linePage && (
          <Alert variant="light" color="blue" title={`Managed in ${linePage.line}`}>
            {linePage.path ? (
              <>
                {linePage.holds} are on{' '}
                <Anchor component={Link} to={linePage.path} inherit>
                  its {linePage.line} page
                </Anchor>
                .
              </>
            ) : (
              <>Invitations are sent from its {linePage.line} pages.</>
            )}
          </Alert>
        )}
        {can('members.read') && (
          <MembersSection organization={organization} kind={kind} currentUserId={user.id} />
        )}
        {can('members.invite') && !kind?.invitations_by_line && (
          <InvitationsSection organization={organization} kind={kind} />
        )}
        {can('org.update') && !kind?.renamed_by_line && (
          <SectionCard title="Name">
            <RenameOrganisationForm
              current={organization.name}
              rename={(name) =>
                call(
                  api.PATCH('/api/orgs/{id}', { params: { path: { id: organization.id } }, body: { name } }),
                )
              }
              onRenamed={onRenamed}
            />
          </SectionCard>
        )}
      </Stack>
    </>
  );
}

export function OrganisationPage() {
  usePageTitle('Organisation');
  const { orgId = '' } = useParams();
  const organization = useResource(`organization:${orgId}`, () =>
    call(api.GET('/api/orgs/{id}', { params: { path: { id: orgId } } })),
  );
  const kinds = useOrganizationKinds();
  return (
    <ResourceView resource={organization} loadingLabel="Loading the organisation…">
      {(data) => (
        <ResourceView resource={kinds} loadingLabel="Loading the organisation…">
          {(kindList) => (
            <OrganisationDetails organization={data} kinds={kindList} onRenamed={organization.replace} />
          )}
        </ResourceView>
      )}
    </ResourceView>
  );
}
