import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { asApiError } from '../../api/errors';
import type { InvitationPreview } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { ResourceView } from '../../components/ResourceView';
import { usePageTitle } from '../../components/usePageTitle';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { withNext } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';

const closedStates = {
  accepted: 'This invitation was already accepted. If it was you, the organisation is in your list.',
  revoked: 'This invitation was revoked. Ask the person who invited you for a new one.',
  expired: 'This invitation has expired. Ask the person who invited you for a new one.',
} as const;

function AcceptInvitation({ token }: { token: string }) {
  const { session } = useSession();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (session.status !== 'signed-in') {
    return (
      <Stack gap="sm">
        <Text size="sm">Log in or create an account to accept; you will come back here afterwards.</Text>
        <Group>
          <Button component={Link} to={withNext('/login', pathname)}>
            Log in to accept
          </Button>
          <Button component={Link} to={withNext('/signup', pathname)} variant="default">
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
      navigate(`/orgs/${organization.id}`);
    } catch (thrown) {
      setError(asApiError(thrown).message);
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
            <AcceptInvitation token={token} />
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
