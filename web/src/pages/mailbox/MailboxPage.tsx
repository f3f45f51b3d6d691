import { Anchor, Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { MailSummary } from '../../api/types';
import { type Column, DataTable } from '../../components/DataTable';
import { LoadOlder } from '../../components/LoadOlder';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { NothingYet } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { formatToTheSecond } from '../../lib/dates';
import { MailboxStatus } from './MailboxStatus';
import { mailStateColors } from './mailStates';

function MailTable({ messages, moreToLoad }: { messages: MailSummary[]; moreToLoad: boolean }) {
  const columns: Column<MailSummary>[] = [
    {
      id: 'subject',
      header: 'Subject',
      cell: (message) => (
        <Anchor component={Link} to={`/mailbox/${message.id}`} fw={500} size="sm">
          {message.subject}
        </Anchor>
      ),
      sortValue: (message) => message.subject,
    },
    {
      id: 'to',
      header: 'To',
      cell: (message) => (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {message.to}
        </Text>
      ),
      sortValue: (message) => message.to,
    },
    {
      id: 'written',
      header: 'Written',
      nowrap: true,
      cell: (message) => formatToTheSecond(message.created_at),
      sortValue: (message) => new Date(message.created_at),
    },
    {
      id: 'state',
      header: 'State',
      cell: (message) => (
        <>
          <Badge
            variant="light"
            color={mailStateColors[message.state] ?? 'gray'}
            style={{ overflow: 'visible' }}
          >
            {message.state}
          </Badge>
          {message.transport && (
            <Text size="xs" c="dimmed">
              {message.transport === 'mailbox' ? 'kept in the Mailbox' : 'by SMTP'}
            </Text>
          )}
        </>
      ),
      sortValue: (message) => message.state,
    },
  ];
  return (
    <DataTable
      label="Mail"
      rows={messages}
      columns={columns}
      rowKey={(message) => message.id}
      initialSort={{ columnId: 'written', direction: 'descending' }}
      moreToLoad={moreToLoad}
      minWidth={640}
    />
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
          {() => <MailTable messages={pages.items} moreToLoad={pages.hasMore} />}
        </ResourceView>
        <LoadOlder pages={pages} />
      </Stack>
    </>
  );
}
