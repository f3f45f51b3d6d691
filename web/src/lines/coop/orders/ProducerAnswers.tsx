import { Anchor, Button, Checkbox, Group, Radio, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CoopOrderDetail, CoopOrderProducer } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { formatToTheSecond } from '../../../lib/dates';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { useSignedInUser } from '../../../session/SessionContext';
import { orderPaths } from './resources';
import { AnswerBadge } from './status';

const delivered = (order: CoopOrderDetail) =>
  order.status === 'closed' || order.status === 'processed' || order.status === 'finished';

function deliveryState(order: CoopOrderDetail, p: CoopOrderProducer): string {
  if (p.answer !== 'available') return '—';
  if (p.delivery_confirmed_at) return `Confirmed ${formatToTheSecond(p.delivery_confirmed_at)}`;
  return delivered(order) ? 'Not checked yet' : '—';
}

/** The order's producers: whether each can deliver, and once the order closed, whether its delivery is checked. */
export function ProducersTable({ order }: { order: CoopOrderDetail }) {
  const user = useSignedInUser();
  const paths = orderPaths(order.club_id, order.id);
  const liaison = (p: CoopOrderProducer) => (p.liaison.user_id === user.id ? 'You' : p.liaison.name);
  return (
    <DataTable
      label={`Producers of order ${order.number}`}
      rows={order.producers}
      rowKey={(p) => p.producer_id}
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={820}
      columns={[
        {
          id: 'name',
          header: 'Producer',
          cardTitle: true,
          sortValue: (p) => p.name,
          csv: (p) => p.name,
          cell: (p) => (
            <Anchor component={Link} to={`/coop/clubs/${order.club_id}/producers/${p.producer_id}`} fw={500}>
              {p.name}
            </Anchor>
          ),
        },
        { id: 'liaison', header: 'Liaison', sortValue: liaison, csv: (p) => p.liaison.name, cell: liaison },
        {
          id: 'answer',
          header: 'Answer',
          sortValue: (p) => p.answer ?? '',
          csv: (p) => p.answer ?? 'not answered',
          cell: (p) => (
            <Stack gap={2}>
              <AnswerBadge answer={p.answer} />
              {p.note && (
                <Text size="xs" c="dimmed">
                  “{p.note}”
                </Text>
              )}
            </Stack>
          ),
        },
        {
          id: 'answered',
          header: 'Answered',
          nowrap: true,
          sortValue: (p) => p.answered_at,
          csv: (p) => p.answered_at ?? '',
          cell: (p) => formatToTheSecond(p.answered_at, '—'),
        },
        ...(delivered(order)
          ? [
              {
                id: 'delivery',
                header: 'Delivery',
                csv: (p: CoopOrderProducer) => deliveryState(order, p),
                cell: (p: CoopOrderProducer) =>
                  p.mine && p.answer === 'available' ? (
                    <Anchor component={Link} to={paths.delivery(p.producer_id)} size="sm">
                      {deliveryState(order, p)}
                    </Anchor>
                  ) : (
                    deliveryState(order, p)
                  ),
              },
            ]
          : []),
      ]}
    />
  );
}

type AnswerValues = { available: '' | 'yes' | 'no'; products_up_to_date: boolean; note: string };

/** A liaison (or an order manager, or the Admin) says whether the producer can deliver for the order. */
export function AnswerForm({
  order,
  producer,
  onChanged,
}: {
  order: CoopOrderDetail;
  producer: CoopOrderProducer;
  onChanged: (order: CoopOrderDetail) => Promise<void>;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm<AnswerValues>({
    mode: 'controlled',
    initialValues: {
      available: producer.answer === 'available' ? 'yes' : producer.answer === 'not_available' ? 'no' : '',
      products_up_to_date: producer.answer === 'available',
      note: producer.note,
    },
    validateInputOnChange: true,
    validate: {
      available: (value) => (value ? null : `Say whether ${producer.name} can deliver`),
      products_up_to_date: (value, values) =>
        values.available === 'yes' && !value
          ? `Check ${producer.name}’s products and prices on its page first, then tick this`
          : null,
    },
  });
  useFormDraft(form, `answer:${producer.producer_id}`);
  const producerPage = `/coop/clubs/${order.club_id}/producers/${producer.producer_id}`;
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await call(
        api.POST('/api/coop/orders/{id}/producers/{producerId}/answer', {
          params: { path: { id: order.id, producerId: producer.producer_id } },
          body: {
            available: values.available === 'yes',
            products_up_to_date: values.available === 'yes' && values.products_up_to_date,
            note: values.note.trim(),
          },
        }),
      );
      await onChanged(saved);
      notifications.show({
        color: 'teal',
        message: `${producer.name}: ${values.available === 'yes' ? 'can deliver' : 'cannot deliver'} this time.`,
      });
    } catch (error) {
      setFormError(
        problemOf(form, error, (e) =>
          e.code === 'producer_has_no_products'
            ? { to: producerPage, label: `Add ${producer.name}’s products.` }
            : undefined,
        ),
      );
    }
  });
  const available = form.values.available === 'yes';
  return (
    <form onSubmit={submit} noValidate aria-label={`Answer for ${producer.name}`}>
      <Stack gap="sm" maw={560}>
        <Radio.Group
          label={`Can ${producer.name} deliver for order ${order.number}?`}
          required
          {...form.getInputProps('available')}
        >
          <Stack gap={6} mt={6}>
            <Radio value="yes" label="Yes, it can deliver" />
            <Radio value="no" label="No, not this time" />
          </Stack>
        </Radio.Group>
        {available && (
          <Checkbox
            label="Its products and prices are up to date"
            description={
              <>
                Households order from them as they are now.{' '}
                <Anchor component={Link} to={producerPage} inherit underline="always">
                  Check {producer.name}’s products
                </Anchor>
                .
              </>
            }
            {...form.getInputProps('products_up_to_date', { type: 'checkbox' })}
          />
        )}
        <Textarea
          label="Note"
          description="For the order managers and households: a product missing this time, a later delivery day…"
          autosize
          minRows={2}
          maxLength={1000}
          {...form.getInputProps('note')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            {producer.answer ? 'Change the answer' : 'Send the answer'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * The order sheets of the producers the person speaks for (or keeps the books of), and their delivery
 * checks; `only` shows one producer's sheets, on its delivery check.
 */
export function OrderSheets({ order, only }: { order: CoopOrderDetail; only?: CoopOrderProducer }) {
  const paths = orderPaths(order.club_id, order.id);
  const producers = (only ? [only] : order.producers).filter(
    (p) => p.answer === 'available' && (p.mine || order.mine.books),
  );
  if (producers.length === 0) return null;
  const sheet = (p: CoopOrderProducer, format: 'pdf' | 'csv', byHousehold: boolean) => (
    <Anchor
      href={paths.sheet(p.producer_id, format, byHousehold)}
      download
      size="sm"
      aria-label={`${p.name}’s order sheet as ${format.toUpperCase()}${byHousehold ? ', by household' : ''}`}
    >
      {format.toUpperCase()}
      {byHousehold ? ' by household' : ''}
    </Anchor>
  );
  return (
    <Stack gap="sm">
      {producers.map((p) => (
        <Group key={p.producer_id} justify="space-between" gap="sm" wrap="wrap">
          <Text fw={500}>{p.name}</Text>
          <Group gap="md" wrap="wrap">
            {sheet(p, 'pdf', false)}
            {sheet(p, 'pdf', true)}
            {sheet(p, 'csv', false)}
            {sheet(p, 'csv', true)}
            {p.mine && !only && (
              <Button component={Link} to={paths.delivery(p.producer_id)} size="xs" variant="light">
                {p.delivery_confirmed_at ? 'See the delivery check' : 'Check the delivery'}
              </Button>
            )}
          </Group>
        </Group>
      ))}
    </Stack>
  );
}
