import { Anchor, Badge, Card, Group, Stack, Tabs, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import type { MailMessage } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { usePageTitle } from '../../components/usePageTitle';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { linkify } from '../../lib/linkify';
import { mailStateColors } from './mailStates';

function MailBody({ message }: { message: MailMessage }) {
  const text = (
    <Text
      component="pre"
      size="sm"
      style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'inherit' }}
    >
      {linkify(message.text)}
    </Text>
  );
  if (!message.html) return text;
  return (
    <Tabs defaultValue="text">
      <Tabs.List aria-label="How to show the mail">
        <Tabs.Tab value="text">Text</Tabs.Tab>
        <Tabs.Tab value="html">As sent (HTML)</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="text" pt="md">
        {text}
      </Tabs.Panel>
      <Tabs.Panel value="html" pt="md">
        {/* Sandboxed with no permissions: the mail's HTML can neither run scripts nor reach this page. */}
        <iframe
          title={`The HTML of “${message.subject}”`}
          srcDoc={message.html}
          sandbox=""
          style={{ width: '100%', minHeight: 420, border: '1px solid var(--mantine-color-default-border)' }}
        />
      </Tabs.Panel>
    </Tabs>
  );
}

function MailView({ message }: { message: MailMessage }) {
  return (
    <>
      <PageHeader
        title={message.subject}
        description={
          <Group gap="xs" component="span">
            <span>
              To {message.to} · {formatDateTime(message.created_at)}
            </span>
            <Badge variant="light" color={mailStateColors[message.state] ?? 'gray'}>
              {message.state}
            </Badge>
          </Group>
        }
      />
      <Card withBorder padding="lg">
        <MailBody message={message} />
      </Card>
      {message.last_error && (
        <Text size="sm" c="red" mt="md">
          Last delivery error: {message.last_error}
        </Text>
      )}
    </>
  );
}

export function MailMessagePage() {
  usePageTitle('Mail');
  const { messageId = '' } = useParams();
  const message = useResource(`mail:${messageId}`, () =>
    call(api.GET('/api/mail/messages/{id}', { params: { path: { id: messageId } } })),
  );
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/mailbox" size="sm">
        ← Back to the Mailbox
      </Anchor>
      <ResourceView resource={message} loadingLabel="Opening the mail…">
        {(data) => <MailView message={data} />}
      </ResourceView>
    </Stack>
  );
}
