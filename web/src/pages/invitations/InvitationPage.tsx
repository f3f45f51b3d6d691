import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import type { InvitationPreview } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { ResourceView } from '../../components/ResourceView';
import { usePageTitle } from '../../components/usePageTitle';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { withNext } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';
import { lineOrganisationPage } from '../orgs/lineOrganisations';
import { useOrganizationKinds } from '../orgs/useOrganizationKinds';

const closedStates = {
  accepted: 'This invitation was already accepted. If it was you, the organisation is in your list.',
  revoked: 'This invitation was revoked. Ask the person who invited you for a new one.',
  expired: 'This invitation has expired. Ask the person who invited you for a new one.',
} as const;

/** A sign-in page that comes back to the invitation, with the invited address filled in. */
const forInvited = (page: '/login' | '/signup', pathname: string, email: string) =>
  `${withNext(page, pathname)}&email=${encodeURIComponent(email)}`;

function AcceptInvitation({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const { session } = useSession();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const kinds = useOrganizationKinds();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormProblem | null>(null);

  if (session.status !== 'signed-in') {
    return (
      <Stack gap="sm">
        <Text size="sm">
          Log in or create an account with {invitation.email} to accept; you will come back here afterwards.
        </Text>
        <Group>
          <Button component={Link} to={forInvited('/login', pathname, invitation.email)}>
            Log in to accept
          </Button>
          <Button component={Link} to={forInvited('/signup', pathname, invitation.email)} variant="default">
            Create an account
          </Button>
        </Group>
      </Stack>
    );
  }

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const organization = await call(
        api.POST('/api/invitations/{token}/accept', { params: { path: { token } } }),
      );
      // A line's organisation (a credits workspace) opens on the line's page for it: what the new
      // member can do and spend there, rather than the bare list of members.
      const known = kinds.data ?? (await call(api.GET('/api/orgs/kinds'))).items;
      const kind = known.find((k) => k.kind === organization.kind);
      navigate(lineOrganisationPage(kind, organization.id)?.path ?? `/orgs/${organization.id}`);
    } catch (thrown) {
      setError(problemOf({ values: {}, setFieldError: () => {} }, thrown));
      setBusy(false);
    }
  };
  return (
    <Stack gap="sm">
      <FormErrorAlert message={error} />
      <Group>
        <Button onClick={() => void accept()} loading={busy}>
          Accept and join
        </Button>
      </Group>
    </Stack>
  );
}

function InvitationCard({ invitation, token }: { invitation: InvitationPreview; token: string }) {
  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Title order={1} size="h2">
          Join {invitation.organization.name}
        </Title>
        <Text>
          {invitation.inviter_name} invited <strong>{invitation.email}</strong> to join{' '}
          {invitation.organization.name} ({invitation.organization.kind_label}) as{' '}
          <strong>{invitation.role_label}</strong>.
        </Text>
        {invitation.state === 'open' ? (
          <>
            <Text size="sm" c="dimmed">
              The invitation is open until {formatDateTime(invitation.expires_at)}.
            </Text>
            <AcceptInvitation token={token} invitation={invitation} />
          </>
        ) : (
          <Alert color="yellow" variant="light" title={`This invitation is ${invitation.state}`}>
            {closedStates[invitation.state]}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}

/** The invitation mail's link; it works signed out, and sends a person to log in or sign up and back. */
export function InvitationPage() {
  usePageTitle('Invitation');
  const { token = '' } = useParams();
  const invitation = useResource(`invitation:${token}`, () =>
    call(api.GET('/api/invitations/{token}', { params: { path: { token } } })),
  );
  return (
    <Stack maw={620} mx="auto" py="lg">
      <ResourceView resource={invitation} loadingLabel="Opening the invitation…">
        {(data) => <InvitationCard invitation={data} token={token} />}
      </ResourceView>
    </Stack>
  );
}
