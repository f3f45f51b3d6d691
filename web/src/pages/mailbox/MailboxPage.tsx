import { Anchor, Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { MailSummary } from '../../api/types';
import { LoadOlder } from '../../components/LoadOlder';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { NothingYet } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { formatDateTime } from '../../lib/dates';
import { MailboxStatus } from './MailboxStatus';
import { mailStateColors } from './mailStates';

function MailTable({ messages }: { messages: MailSummary[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Subject</Table.Th>
            <Table.Th>To</Table.Th>
            <Table.Th>Written</Table.Th>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {messages.map((message) => (
            <Table.Tr key={message.id}>
              <Table.Td>
                <Anchor component={Link} to={`/mailbox/${message.id}`} fw={500}>
                  {message.subject}
                </Anchor>
              </Table.Td>
              <Table.Td>{message.to}</Table.Td>
              <Table.Td>{formatDateTime(message.created_at)}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={mailStateColors[message.state] ?? 'gray'}>
                  {message.state}
                </Badge>
                {message.transport && (
                  <Text size="xs" c="dimmed">
                    {message.transport === 'mailbox' ? 'kept in the Mailbox' : 'by SMTP'}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function MailboxPage() {
  const [typedRecipient, setTypedRecipient] = useState('');
  const [recipient, setRecipient] = useState('');
  const loadPage = useCallback(
    (cursor?: string) =>
      call(api.GET('/api/mail/messages', { params: { query: { to: recipient || undefined, cursor } } })),
    [recipient],
  );
  const pages = useCursorPages(`mail:${recipient}`, loadPage);

  return (
    <>
      <PageHeader title="Mailbox" description="The mail this Tally has written, newest first." />
      <Stack gap="md">
        <MailboxStatus />
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setRecipient(typedRecipient.trim());
          }}
          aria-label="Filter the mailbox"
        >
          <Group align="flex-end">
            <TextInput
              label="To"
              placeholder="ada@example.com"
              value={typedRecipient}
              onChange={(event) => setTypedRecipient(event.currentTarget.value)}
              miw={240}
            />
            <Button type="submit" variant="default">
              Filter
            </Button>
          </Group>
        </form>
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading the mail…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet title="No mail yet">
              Mail appears here when Tally writes it: sign up, reset a password or invite someone.
            </NothingYet>
          }
        >
          {() => <MailTable messages={pages.items} />}
        </ResourceView>
        <LoadOlder pages={pages} />
      </Stack>
    </>
  );
}
