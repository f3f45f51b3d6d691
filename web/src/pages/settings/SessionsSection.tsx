import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { Session } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { describeUserAgent } from '../../lib/userAgent';
import { useSession } from '../../session/SessionContext';

function SessionRow({ session, onEnd }: { session: Session; onEnd: () => Promise<void> }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Stack gap={2}>
          <Group gap="xs">
            {/* The browser's own words stay at hand for whoever needs the version. */}
            <Text size="sm" title={session.user_agent ?? undefined}>
              {describeUserAgent(session.user_agent) ?? 'Unknown browser'}
            </Text>
            {session.current && (
              <Badge variant="light" color="teal">
                This browser
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            {session.ip ?? 'unknown address'}
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td>{formatDateTime(session.created_at)}</Table.Td>
      <Table.Td>{formatDateTime(session.last_seen_at)}</Table.Td>
      <Table.Td>
        {!session.current && (
          <Group justify="flex-end">
            <ConfirmButton
              label="End"
              question="End this session?"
              consequence="That browser will be signed out at its next request."
              confirmLabel="End session"
              onConfirm={onEnd}
            />
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function SessionsSection() {
  const sessions = useResource('sessions', async () => (await call(api.GET('/api/auth/sessions'))).items);
  const { signedOut } = useSession();
  const navigate = useNavigate();

  const endSession = async (id: string) => {
    await call(api.DELETE('/api/auth/sessions/{id}', { params: { path: { id } } }));
    await sessions.reload();
  };
  const logOutEverywhere = async () => {
    await call(api.POST('/api/auth/logout-all'));
    signedOut();
    navigate('/login', { replace: true });
  };

  return (
    <SectionCard
      title="Sessions"
      description="Browsers where you are signed in."
      actions={
        <ConfirmButton
          label="Log out everywhere"
          question="Log out everywhere?"
          consequence="Every session ends, this one included; you will need to log in again on each device."
          confirmLabel="Log out everywhere"
          onConfirm={logOutEverywhere}
        />
      }
    >
      <ResourceView resource={sessions} loadingLabel="Loading your sessions…">
        {(items) => (
          <Table.ScrollContainer minWidth={640}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Browser</Table.Th>
                  <Table.Th>Signed in</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                  <Table.Th aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((session) => (
                  <SessionRow key={session.id} session={session} onEnd={() => endSession(session.id)} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </ResourceView>
    </SectionCard>
  );
}
