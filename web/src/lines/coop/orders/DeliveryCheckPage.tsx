import { Anchor, Button, Group, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, type ReactNode, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopOrderDetail, CoopOrderProducer, CoopOrderProduct, CoopProduct } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { ClubFrame, useClub, useCoopRefresh } from '../club/ClubLayout';
import { plural } from '../format';
import { inCorrection } from './Correction';
import { InvoicesTable } from './Invoices';
import { OrderStateLine } from './OrderPage';
import { OrderSheets } from './ProducerAnswers';
import { ProductDeliveryForm } from './ProductDeliveryForm';
import { orderPaths, useOrder } from './resources';
import { OutcomeBadge } from './status';

type Apply = (order: CoopOrderDetail) => Promise<void>;

/** A product of the producer that came though nobody ordered it: households may take it. */
function AddExtraForm({
  order,
  producer,
  products,
  onChanged,
}: {
  order: CoopOrderDetail;
  producer: CoopOrderProducer;
  products: CoopProduct[];
  onChanged: Apply;
}) {
  const ordered = new Set(order.products.filter((p) => !p.extra).map((p) => p.product_id));
  const offered = products.filter((p) => !ordered.has(p.id));
  const [productId, setProductId] = useState<string | null>(null);
  const [items, setItems] = useState<string | number>(1);
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<{ product?: string; items?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const count = typeof items === 'number' ? items : Number.parseInt(items, 10);
    const found = {
      product: productId ? undefined : 'Choose the product that came',
      items: Number.isInteger(count) && count >= 1 ? undefined : 'Enter how many items came, at least 1',
    };
    if (found.product || found.items || !productId) {
      setErrors(found);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await call(
        api.POST('/api/coop/orders/{id}/producers/{producerId}/extras', {
          params: { path: { id: order.id, producerId: producer.producer_id } },
          body: {
            product_id: productId,
            items: count,
            ...(comment.trim() ? { comment: comment.trim() } : {}),
          },
        }),
      );
      const name = offered.find((p) => p.id === productId)?.name ?? 'The product';
      setProductId(null);
      setItems(1);
      setComment('');
      await onChanged(saved);
      notifications.show({
        color: 'teal',
        message: `${name}: ${count} came extra, households may take them.`,
      });
    } catch (thrown) {
      const error = asApiError(thrown);
      setErrors({
        items: error.fieldErrors.items,
        form: error.fieldErrors.items ? undefined : error.message,
      });
    } finally {
      setBusy(false);
    }
  };
  if (offered.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Every product of {producer.name} was ordered: record what came of each above.
      </Text>
    );
  }
  return (
    <form onSubmit={(event) => void add(event)} noValidate aria-label="Add a product nobody ordered">
      <Stack gap="sm" maw={560}>
        <Select
          label="Product"
          placeholder="Choose a product"
          data={offered.map((p) => ({ value: p.id, label: p.name }))}
          value={productId}
          onChange={setProductId}
          searchable
          required
          error={errors.product}
        />
        <NumberInput
          label="Items that came"
          description="Choose a product listed below again to change how many came."
          min={1}
          allowDecimal={false}
          allowNegative={false}
          value={items}
          onChange={setItems}
          required
          error={errors.items}
          w={220}
        />
        <TextInput
          label="Comment"
          value={comment}
          onChange={(event) => setComment(event.currentTarget.value)}
          maxLength={1000}
        />
        <FormErrorAlert message={errors.form ?? null} />
        <Group>
          <Button type="submit" variant="default" loading={busy}>
            Add the product
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ExtrasList({ extras }: { extras: CoopOrderProduct[] }) {
  return (
    <DataTable
      label="Products nobody ordered"
      rows={extras}
      rowKey={(p) => p.product_id}
      minWidth={480}
      columns={[
        { id: 'name', header: 'Product', cardTitle: true, csv: (p) => p.name, cell: (p) => p.name },
        {
          id: 'came',
          header: 'Came',
          align: 'right',
          csv: (p) => String(p.extra_items),
          cell: (p) => p.extra_items,
        },
        {
          id: 'taken',
          header: 'Taken by households',
          align: 'right',
          csv: (p) => String(p.taken_items),
          cell: (p) => p.taken_items,
        },
        { id: 'comment', header: 'Comment', csv: (p) => p.comment, cell: (p) => p.comment || '—' },
      ]}
    />
  );
}

function ConfirmDelivery({
  order,
  producer,
  onChanged,
}: {
  order: CoopOrderDetail;
  producer: CoopOrderProducer;
  onChanged: Apply;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const path = { params: { path: { id: order.id, producerId: producer.producer_id } } };
  const correcting = inCorrection(order);
  const confirm = async () => {
    const saved = await call(api.POST('/api/coop/orders/{id}/producers/{producerId}/delivery/confirm', path));
    await onChanged(saved);
    notifications.show({
      color: 'teal',
      message:
        saved.status === 'closed'
          ? `${producer.name}’s delivery is confirmed.`
          : correcting
            ? `${producer.name}’s delivery is confirmed, and with it every delivery: the bills are made again, and each household whose bill changed is told.`
            : `${producer.name}’s delivery is confirmed, and with it every delivery: bills go out to the households.`,
    });
  };
  const reopen = async () => {
    setBusy(true);
    setError(null);
    try {
      await onChanged(
        await call(api.POST('/api/coop/orders/{id}/producers/{producerId}/delivery/reopen', path)),
      );
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  if (producer.delivery_confirmed_at) {
    return (
      <Stack gap="sm">
        <Text size="sm">Confirmed {formatToTheSecond(producer.delivery_confirmed_at)}.</Text>
        {order.status === 'closed' && (
          <Group>
            <Button variant="default" loading={busy} onClick={() => void reopen()}>
              Reopen the check
            </Button>
          </Group>
        )}
        <FormErrorAlert message={error} />
      </Stack>
    );
  }
  return (
    <Group>
      <ConfirmButton
        label="Confirm the delivery"
        size="sm"
        variant="filled"
        color="teal.9"
        question={`Confirm ${producer.name}’s delivery?`}
        consequence={
          correcting
            ? 'Once every producer’s delivery is confirmed the bills are made again: a bill that changed is taken back and billed anew, and its household is told what changed and why.'
            : 'What you did not record came as allotted. Once every producer’s delivery is confirmed the order is processed: households get their bills and are told their food is ready. Until then you can reopen the check.'
        }
        confirmLabel="Confirm"
        onConfirm={confirm}
      />
    </Group>
  );
}

function DeliveryCheck({
  order,
  producer,
  onChanged,
}: {
  order: CoopOrderDetail;
  producer: CoopOrderProducer;
  onChanged: Apply;
}) {
  const { club } = useClub();
  const catalogue = useResource(
    `coop-products:${club.id}:producer:${producer.producer_id}`,
    async () =>
      (
        await call(
          api.GET('/api/coop/clubs/{id}/products', {
            params: { path: { id: club.id }, query: { producer_id: producer.producer_id } },
          }),
        )
      ).items,
  );
  const ordered = order.products.filter((p) => p.producer_id === producer.producer_id && !p.extra);
  const extras = order.products.filter((p) => p.producer_id === producer.producer_id && p.extra);
  const editable = order.status === 'closed' && !producer.delivery_confirmed_at;
  const priceOf = (productId: string) => catalogue.data?.find((p) => p.id === productId)?.price_cents ?? null;
  return (
    <Stack gap="lg">
      <SectionCard
        title="Order sheets"
        description="What the producer was asked for, to compare with what came."
      >
        <OrderSheets order={order} only={producer} />
      </SectionCard>
      {ordered.length === 0 ? (
        <NothingYet title="Nobody ordered from this producer">
          Nothing to check: confirm the delivery below, or add a product that came anyway.
        </NothingYet>
      ) : (
        ordered.map((product) => (
          <SectionCard
            key={product.product_id}
            title={product.name}
            description={`${plural(product.ordered_items, 'item')} ordered, ${product.allotted_items} allotted${
              product.maximum_available !== null ? ` (at most ${product.maximum_available} available)` : ''
            }${product.estimate ? ' · sold by weight' : ''}`}
            actions={<OutcomeBadge outcome={product.outcome} />}
          >
            <ProductDeliveryForm
              order={order}
              product={product}
              producerPriceCents={priceOf(product.product_id)}
              editable={editable}
              onSaved={onChanged}
            />
          </SectionCard>
        ))
      )}
      <SectionCard
        title="Add a product delivered that nobody ordered"
        description="Households see it on the order’s page and may take it; what they take is added to their bills."
      >
        <Stack gap="md">
          {extras.length > 0 && <ExtrasList extras={extras} />}
          {editable && (
            <ResourceView resource={catalogue} loadingLabel="Loading the producer’s products…">
              {(products) => (
                <AddExtraForm order={order} producer={producer} products={products} onChanged={onChanged} />
              )}
            </ResourceView>
          )}
          {!editable && extras.length === 0 && (
            <Text size="sm" c="dimmed">
              None.
            </Text>
          )}
        </Stack>
      </SectionCard>
      <SectionCard
        title="Confirm the delivery"
        description="When every product is recorded. The club then knows what it owes the producer."
      >
        {order.status === 'closed' ? (
          <ConfirmDelivery order={order} producer={producer} onChanged={onChanged} />
        ) : (
          <Text size="sm">
            {producer.delivery_confirmed_at
              ? `Confirmed ${formatToTheSecond(producer.delivery_confirmed_at)}.`
              : 'Not confirmed.'}
          </Text>
        )}
      </SectionCard>
      {producer.delivery_confirmed_at && (
        <SectionCard
          title="Invoice"
          description="The producer’s invoice for what it delivered, VAT included."
        >
          <InvoicesTable order={order} producers={[producer]} onChanged={onChanged} />
        </SectionCard>
      )}
    </Stack>
  );
}

/** /coop/clubs/:clubId/orders/:orderId/producers/:producerId/delivery: the delivery check of one producer. */
export function DeliveryCheckPage() {
  usePageTitle('Delivery check');
  const { club } = useClub();
  const { orderId = '', producerId = '' } = useParams();
  const order = useOrder(orderId);
  const refresh = useCoopRefresh();
  const onChanged = async (changed: CoopOrderDetail) => {
    order.replace(changed);
    await refresh();
  };
  return (
    <ResourceView resource={order} loadingLabel="Loading the order…">
      {(data) => {
        const producer = data.producers.find((p) => p.producer_id === producerId);
        const paths = orderPaths(club.id, data.id);
        const frame = (title: string, children: ReactNode) => (
          <ClubFrame
            title={title}
            trail={[
              { label: 'Orders', to: `/coop/clubs/${club.id}/orders` },
              { label: `Order ${data.number}`, to: paths.order },
            ]}
            description={<OrderStateLine order={data} />}
          >
            {children}
          </ClubFrame>
        );
        if (producer?.answer !== 'available') {
          return frame(
            'Delivery check',
            <NothingYet title="This producer does not deliver in this order">
              <Anchor component={Link} to={paths.order} inherit>
                Back to order {data.number}
              </Anchor>
            </NothingYet>,
          );
        }
        const title = `${producer.name}: delivery check`;
        if (!producer.mine) {
          return frame(
            title,
            <FormErrorAlert
              message={`Only ${producer.liaison.name || 'the liaison'}, ${producer.name}’s liaison, an order manager or the club’s Admin checks its delivery.`}
            />,
          );
        }
        if (data.status === 'preparing' || data.status === 'open') {
          return frame(
            title,
            <NothingYet title="The delivery is checked once the order closes">
              Households are still ordering; the order sheet comes when it closes.
            </NothingYet>,
          );
        }
        return frame(title, <DeliveryCheck order={data} producer={producer} onChanged={onChanged} />);
      }}
    </ResourceView>
  );
}
