import { Anchor, Badge, Code, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { sentence } from '../../../api/errors';
import type { CreditsWebhookDelivery } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { formatToTheSecond } from '../../../lib/dates';
import { csvTime } from '../../../lib/table';

type Outcome = CreditsWebhookDelivery['outcome'];

const outcomeColors: Record<Outcome, string> = {
  recorded: 'teal',
  already_recorded: 'gray',
  refused: 'red',
};

/** What became of a delivery, in words: the purchase it made, or why it was refused. */
export function deliveryOutcome(delivery: CreditsWebhookDelivery): string {
  switch (delivery.outcome) {
    case 'recorded':
      return 'Recorded: a purchase was made.';
    case 'already_recorded':
      return 'The order was known already: nothing changed.';
    case 'refused':
      return delivery.message ? sentence(delivery.message) : 'Refused.';
  }
}

/**
 * Webhook deliveries, each attempt with its time to the second (the order they came in matters),
 * what Tally answered, and why it refused one. Its purchase, when it made one, has its page.
 */
export function DeliveriesTable({
  deliveries,
  moreToLoad = false,
  excerpt = false,
}: {
  deliveries: CreditsWebhookDelivery[];
  moreToLoad?: boolean;
  /** A purchase's few deliveries: sorted, without search or download. */
  excerpt?: boolean;
}) {
  const columns: Column<CreditsWebhookDelivery>[] = [
    {
      id: 'received',
      header: 'Received',
      nowrap: true,
      cardTitle: true,
      cell: (d) => formatToTheSecond(d.received_at),
      sortValue: (d) => new Date(d.received_at),
      csv: (d) => csvTime(d.received_at),
    },
    {
      id: 'outcome',
      header: 'Outcome',
      nowrap: true,
      cell: (d) => (
        <Badge variant="light" color={outcomeColors[d.outcome]} style={{ overflow: 'visible' }}>
          {d.outcome}
        </Badge>
      ),
      sortValue: (d) => d.outcome,
      csv: (d) => d.outcome,
    },
    {
      id: 'status',
      header: 'HTTP status',
      align: 'right',
      nowrap: true,
      cell: (d) => String(d.status),
      sortValue: (d) => d.status,
      csv: (d) => String(d.status),
    },
    {
      id: 'why',
      header: 'What happened',
      cell: (d) => (
        <Stack gap={2}>
          <Text size="sm">{deliveryOutcome(d)}</Text>
          {(d.reason ?? d.error_code) && (
            <Text size="xs" c="dimmed">
              <Code>{d.reason ?? d.error_code}</Code>
            </Text>
          )}
        </Stack>
      ),
      sortValue: (d) => d.reason ?? d.error_code ?? '',
      csv: (d) => [deliveryOutcome(d), d.reason ?? d.error_code ?? ''].filter(Boolean).join(' '),
    },
    {
      id: 'order',
      header: 'Order reference',
      cell: (d) =>
        d.order_id ? (
          <Code style={{ wordBreak: 'break-all' }}>{d.order_id}</Code>
        ) : (
          <Text size="sm" c="dimmed">
            not read
          </Text>
        ),
      sortValue: (d) => d.order_id,
      csv: (d) => d.order_id ?? '',
    },
    {
      id: 'purchase',
      header: 'Purchase',
      nowrap: true,
      cell: (d) =>
        d.purchase_id ? (
          <Anchor component={Link} to={`/credits/purchases/${d.purchase_id}`} size="sm">
            Open the purchase
          </Anchor>
        ) : (
          '—'
        ),
      csv: (d) => d.purchase_id ?? '',
    },
    {
      id: 'bytes',
      header: 'Body',
      align: 'right',
      nowrap: true,
      cell: (d) => `${d.body_bytes.toLocaleString('en-US')} bytes`,
      sortValue: (d) => d.body_bytes,
      csv: (d) => String(d.body_bytes),
    },
  ];
  return (
    <DataTable
      label="Webhook deliveries"
      rows={deliveries}
      columns={columns}
      rowKey={(d) => d.id}
      searchLabel={excerpt ? undefined : 'Search deliveries'}
      exportName={excerpt ? undefined : 'webhook-deliveries'}
      initialSort={{ columnId: 'received', direction: 'descending' }}
      moreToLoad={moreToLoad}
      minWidth={900}
    />
  );
}
