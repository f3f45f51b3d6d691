import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import type { CoopInvitePreview } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { ResourceView } from '../../components/ResourceView';
import { usePageTitle } from '../../components/usePageTitle';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { withNext } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';

function JoinButton({ token, preview }: { token: string; preview: CoopInvitePreview }) {
  const { session } = useSession();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormProblem | null>(null);

  if (session.status !== 'signed-in') {
    return (
      <Stack gap="sm">
        <Text size="sm">Log in, or create an account, to join: you will come back here afterwards.</Text>
        <Group>
          <Button component={Link} to={withNext('/login', pathname)}>
            Log in to join
          </Button>
          <Button component={Link} to={withNext('/signup', pathname)} variant="default">
            Create an account
          </Button>
        </Group>
      </Stack>
    );
  }
  const join = async () => {
    setBusy(true);
    setError(null);
    try {
      const club = await call(
        api.POST('/api/coop/invite-links/{token}/join', { params: { path: { token } } }),
      );
      notifications.show({
        color: 'teal',
        message: `You are in ${club.name}. Now start your household, or ask to join one.`,
      });
      navigate(`/coop/clubs/${club.id}`);
    } catch (thrown) {
      setError(problemOf({ values: {}, setFieldError: () => {} }, thrown));
      setBusy(false);
    }
  };
  return (
    <Stack gap="sm">
      <FormErrorAlert message={error} />
      <Group>
        <Button onClick={() => void join()} loading={busy}>
          Join {preview.club_name}
        </Button>
      </Group>
    </Stack>
  );
}

/** /coop/join/:token: an invite link, for anyone holding it; it joins the club it leads to. */
export function JoinClubPage() {
  usePageTitle('Join a buyers club');
  const { token = '' } = useParams();
  const preview = useResource(`coop-invite:${token}`, () =>
    call(api.GET('/api/coop/invite-links/{token}', { params: { path: { token } } })),
  );
  if (preview.error?.status === 410 || preview.error?.status === 404) {
    return (
      <Stack maw={620} mx="auto" py="lg">
        <Title order={1} size="h2">
          Join a buyers club
        </Title>
        <Alert color="yellow" variant="light" title="This invite link no longer works">
          It expired or was revoked, or it was copied incompletely. Ask the club’s Admin for a new one.
        </Alert>
      </Stack>
    );
  }
  return (
    <Stack maw={620} mx="auto" py="lg">
      <ResourceView resource={preview} loadingLabel="Opening the invite link…">
        {(data) => (
          <Card withBorder padding="lg">
            <Stack gap="md">
              <Title order={1} size="h2">
                Join {data.club_name}
              </Title>
              <Text>
                You are invited to join <strong>{data.club_name}</strong>, a buyers club on Tally: its
                households order food together from local producers. Once in, you start your household or ask
                to join one.
              </Text>
              <Text size="sm" c="dimmed">
                The link works until {formatDateTime(data.expires_at)}.
              </Text>
              <JoinButton token={token} preview={data} />
            </Stack>
          </Card>
        )}
      </ResourceView>
    </Stack>
  );
}
