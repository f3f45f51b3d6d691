import { Alert, Badge, Button, Code, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError, sentence } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { type Column, DataTable } from '../../../components/DataTable';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { NothingYet } from '../../../components/States';
import type { CursorPages } from '../../../hooks/useCursorPages';
import { formatToTheSecond } from '../../../lib/dates';
import { csvTime } from '../../../lib/table';
import { eventWords } from './webhookEvents';

type Delivery = components['schemas']['WebhookDelivery'];

const stateColors: Record<Delivery['state'], string> = {
  pending: 'blue',
  delivered: 'teal',
  failed: 'red',
};

/** Where a delivery stands, in words: what happened last and what comes next. */
function standing(delivery: Delivery): string {
  if (delivery.state === 'delivered') return `Delivered ${formatToTheSecond(delivery.delivered_at)}.`;
  const last = delivery.last_error ? sentence(delivery.last_error) : '';
  if (delivery.state === 'failed') return last || 'Failed.';
  const due = delivery.next_attempt_at === null || new Date(delivery.next_attempt_at) <= new Date();
  const next = due
    ? 'Goes out within seconds.'
    : `Next attempt ${formatToTheSecond(delivery.next_attempt_at)}.`;
  return last ? `${last} ${next}` : next;
}

/** Every attempt of one delivery: when, what the endpoint answered, and how long it took. */
function AttemptsDialog({ delivery, onClose }: { delivery: Delivery | null; onClose: () => void }) {
  return (
    <Modal
      opened={delivery !== null}
      onClose={onClose}
      title={delivery ? `Attempts of ${eventWords(delivery.event.type)} to ${delivery.endpoint.url}` : ''}
      size="xl"
    >
      {delivery && (
        <Stack gap="sm">
          <Text size="sm">
            Event <Code>{delivery.event.id}</Code> ({delivery.event.type}), made{' '}
            {formatToTheSecond(delivery.event.created_at)}.
          </Text>
          {delivery.attempts.length === 0 ? (
            <Text size="sm" c="dimmed">
              Not attempted yet.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table aria-label="Attempts" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Answer</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>Took</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {delivery.attempts.map((attempt) => (
                    <Table.Tr key={attempt.number}>
                      <Table.Td>{attempt.number}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        {formatToTheSecond(attempt.started_at)}
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={2}>
                          <Text size="sm">
                            {attempt.status_code === null ? 'No answer' : `HTTP ${attempt.status_code}`}
                            {attempt.error && attempt.status_code === null
                              ? `: ${sentence(attempt.error)}`
                              : ''}
                          </Text>
                          {attempt.response_excerpt && (
                            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                              {attempt.response_excerpt}
                            </Code>
                          )}
                        </Stack>
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                        {attempt.duration_ms} ms
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      )}
    </Modal>
  );
}

/** The log of what Tally sent the producer's endpoints, newest first, each delivery with its attempts. */
export function WebhookDeliveryLog({
  deliveries,
  onRedelivered,
}: {
  deliveries: CursorPages<Delivery>;
  onRedelivered: () => Promise<void>;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [opened, setOpened] = useState<Delivery | null>(null);
  const redeliver = async (delivery: Delivery) => {
    setProblem(null);
    try {
      await call(
        api.POST('/api/streams/producer/webhooks/deliveries/{id}/redeliver', {
          params: { path: { id: delivery.id } },
        }),
      );
      await onRedelivered();
    } catch (thrown) {
      setProblem(sentence(asApiError(thrown).message));
    }
  };
  const columns: Column<Delivery>[] = [
    {
      id: 'time',
      header: 'Time',
      nowrap: true,
      cardTitle: true,
      cell: (d) => formatToTheSecond(d.created_at),
      sortValue: (d) => new Date(d.created_at),
      csv: (d) => csvTime(d.created_at),
    },
    {
      id: 'event',
      header: 'Event',
      cell: (d) => (
        <Stack gap={0}>
          <Text size="sm">{eventWords(d.event.type)}</Text>
          <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
            to {d.endpoint.url}
          </Text>
        </Stack>
      ),
      sortValue: (d) => d.event.type,
      csv: (d) => d.event.type,
    },
    {
      id: 'endpoint',
      header: 'Endpoint',
      csv: (d) => d.endpoint.url,
    },
    {
      id: 'state',
      header: 'Status',
      cell: (d) => (
        <Stack gap={2}>
          <Badge variant="light" color={stateColors[d.state]} style={{ overflow: 'visible' }}>
            {d.state}
          </Badge>
          <Text size="xs">{standing(d)}</Text>
        </Stack>
      ),
      sortValue: (d) => d.state,
      csv: (d) => d.state,
    },
    {
      id: 'attempts',
      header: 'Attempts',
      nowrap: true,
      align: 'right',
      cell: (d) => `${d.attempt_count} of ${d.max_attempts}`,
      sortValue: (d) => d.attempt_count,
      csv: (d) => String(d.attempt_count),
    },
    {
      id: 'next',
      header: 'Next retry',
      nowrap: true,
      cell: (d) => (d.next_attempt_at && d.attempt_count > 0 ? formatToTheSecond(d.next_attempt_at) : '—'),
      sortValue: (d) => (d.next_attempt_at ? new Date(d.next_attempt_at) : null),
      csv: (d) => csvTime(d.next_attempt_at),
    },
    {
      id: 'last',
      header: 'Last answer',
      csv: (d) => (d.last_status === null ? (d.last_error ?? '') : String(d.last_status)),
    },
    {
      id: 'actions',
      header: 'Actions',
      cell: (d) => (
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          <Button
            size="xs"
            variant="subtle"
            aria-label={`Attempts of the ${eventWords(d.event.type)} event of ${formatToTheSecond(d.created_at)}`}
            onClick={() => setOpened(d)}
          >
            Attempts
          </Button>
          {d.state !== 'pending' && (
            <Button
              size="xs"
              variant="default"
              aria-label={`Redeliver the ${eventWords(d.event.type)} event of ${formatToTheSecond(d.created_at)}`}
              onClick={() => void redeliver(d)}
            >
              Redeliver
            </Button>
          )}
        </Group>
      ),
    },
  ];
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        Delivery log
      </Title>
      {problem && (
        <Alert color="red" variant="light" role="alert">
          {problem}
        </Alert>
      )}
      <ResourceView
        resource={deliveries.first}
        loadingLabel="Loading the webhook deliveries…"
        isEmpty={(page) => page.items.length === 0}
        empty={
          <NothingYet title="Nothing sent yet">
            Send a test event to an endpoint: each delivery appears here, with every attempt.
          </NothingYet>
        }
      >
        {() => (
          <DataTable
            label="Webhook deliveries"
            rows={deliveries.items}
            columns={columns}
            rowKey={(d) => d.id}
            exportName="webhook-deliveries"
            searchLabel="Search deliveries"
            moreToLoad={deliveries.hasMore}
            minWidth={880}
          />
        )}
      </ResourceView>
      <LoadOlder pages={deliveries} label="Load older deliveries" />
      <AttemptsDialog delivery={opened} onClose={() => setOpened(null)} />
    </Stack>
  );
}
