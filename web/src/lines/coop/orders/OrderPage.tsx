import { Anchor, Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useEffect } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import type { CoopOrderDetail } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { usePageTitle } from '../../../components/usePageTitle';
import { formatToTheSecond } from '../../../lib/dates';
import { ClubFrame, useClub, useCoopRefresh } from '../club/ClubLayout';
import { allocationRuleLabels, plural } from '../format';
import { CorrectionInProgress } from './Correction';
import { ManageOrder } from './ManageOrder';
import { OrderTasks } from './OrderTasks';
import { AnswerForm, OrderSheets, ProducersTable } from './ProducerAnswers';
import { orderPaths, useOrder } from './resources';
import { nextStep, OrderStatusBadge } from './status';
import { BillChanges, Extras, YourBill, YourOrder } from './YourOrder';

/** The order's state and the next step, as a page's description. */
export function OrderStateLine({ order }: { order: CoopOrderDetail }) {
  return (
    <Group gap="xs" component="span" align="center">
      <OrderStatusBadge status={order.status} size="lg" />
      <span>{nextStep(order)}</span>
    </Group>
  );
}

function orderFacts(order: CoopOrderDetail) {
  return [
    { label: 'Created', value: formatToTheSecond(order.created_at) },
    { label: 'Opened', value: formatToTheSecond(order.opened_at, 'not yet') },
    { label: 'Deadline', value: formatToTheSecond(order.deadline, 'set when it opens') },
    {
      label: 'Closed',
      value: order.closed_at
        ? `${formatToTheSecond(order.closed_at)} ${order.closed_by ? '(by hand)' : '(at the deadline)'}`
        : 'not yet',
    },
    { label: 'Processed', value: formatToTheSecond(order.processed_at, 'not yet') },
    { label: 'Finished', value: formatToTheSecond(order.finished_at, 'not yet') },
    { label: 'Pick-up', value: order.pickup || 'Not said yet' },
    {
      label: 'What ran short is shared',
      value: order.allocation_rule
        ? allocationRuleLabels[order.allocation_rule].label
        : 'by the club’s rule when it closes',
    },
    { label: 'Households ordering', value: plural(order.household_orders, 'household') },
  ];
}

/** The server writes times into activity lines as ISO timestamps; people read them in their own time zone. */
const readableTimes = (text: string) =>
  text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) =>
    formatToTheSecond(iso),
  );

function Activity({ order }: { order: CoopOrderDetail }) {
  return (
    <DataTable
      label="Activity"
      rows={order.activity}
      rowKey={(e) => `${e.at}:${e.kind}:${e.text}`}
      exportName={`order-${order.number}-activity`}
      initialSort={{ columnId: 'at', direction: 'descending' }}
      minWidth={640}
      columns={[
        {
          id: 'at',
          header: 'When',
          nowrap: true,
          sortValue: (e) => e.at,
          csv: (e) => e.at,
          cell: (e) => formatToTheSecond(e.at),
        },
        {
          id: 'text',
          header: 'What happened',
          cardTitle: true,
          csv: (e) => e.text,
          cell: (e) => readableTimes(e.text),
        },
        {
          id: 'by',
          header: 'By',
          sortValue: (e) => e.by?.name ?? '',
          csv: (e) => e.by?.name ?? 'Tally',
          cell: (e) => e.by?.name || 'Tally',
        },
      ]}
    />
  );
}

function OrderView({
  order,
  onChanged,
}: {
  order: CoopOrderDetail;
  onChanged: (o: CoopOrderDetail) => Promise<void>;
}) {
  const { club } = useClub();
  const { hash } = useLocation();
  const paths = orderPaths(club.id, order.id);
  const household = order.my_household;
  const answering = order.status === 'preparing' ? order.producers.filter((p) => p.mine) : [];

  // A task links to a part of this page: it is brought into view once the page is there.
  useEffect(() => {
    if (hash) document.getElementById(hash.slice(1))?.scrollIntoView({ block: 'start' });
  }, [hash]);

  return (
    <ClubFrame
      title={`Order ${order.number}`}
      trail={[{ label: 'Orders', to: `/coop/clubs/${club.id}/orders` }]}
      description={<OrderStateLine order={order} />}
      actions={
        <>
          {household && order.status !== 'preparing' && (
            <Button component={Link} to={paths.myOrder} variant={household.editable ? 'filled' : 'default'}>
              {household.editable ? 'Order for your household' : 'Your household’s order'}
            </Button>
          )}
          {order.mine.books && order.status !== 'preparing' && order.status !== 'open' && (
            <Button component={Link} to={paths.books} variant="default">
              Books
            </Button>
          )}
        </>
      }
    >
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <SectionCard title="Your tasks">
            <OrderTasks order={order} />
          </SectionCard>
          <SectionCard title="Dates">
            <Facts facts={orderFacts(order)} />
          </SectionCard>
        </SimpleGrid>
        <CorrectionInProgress order={order} onChanged={onChanged} />
        {order.mine.manages && <ManageOrder order={order} onChanged={onChanged} />}
        {answering.map((producer) => (
          <div key={producer.producer_id} id={`answer-${producer.producer_id}`}>
            <SectionCard
              title={`Answer for ${producer.name}`}
              description={
                producer.answer
                  ? `Answered ${formatToTheSecond(producer.answered_at)}; you can change the answer until the order opens.`
                  : 'The order opens once every producer answered.'
              }
            >
              <AnswerForm order={order} producer={producer} onChanged={onChanged} />
            </SectionCard>
          </div>
        ))}
        {household && (
          <SectionCard
            title="Your order"
            description={`${household.household_name}: each product, who ordered it, and what it comes to.`}
          >
            <YourOrder order={order} household={household} />
          </SectionCard>
        )}
        {order.products.some((p) => p.extra) && (
          <SectionCard
            title="Extra products"
            description="They came though nobody ordered them: take some for your household while the delivery is checked; they are added to your bill."
          >
            <Extras order={order} household={household} onChanged={onChanged} />
          </SectionCard>
        )}
        {household?.bill && (
          <div id="your-bill">
            <SectionCard
              title="Your bill"
              description={`Pick-up: ${order.pickup || 'ask the order managers'}.`}
            >
              <YourBill order={order} bill={household.bill} onChanged={onChanged} />
            </SectionCard>
          </div>
        )}
        {household && household.changes.length > 0 && (
          <SectionCard
            title="Changes to your order"
            description="What changed between what you ordered and what you get: shared out, weighed, missing, a new price."
          >
            <BillChanges household={household} />
          </SectionCard>
        )}
        <SectionCard
          title="Producers"
          description={
            order.missing_answers.length > 0
              ? `Waiting for ${order.missing_answers.map((p) => p.name).join(', ')} to answer.`
              : undefined
          }
        >
          {order.producers.length === 0 ? (
            <Text size="sm" c="dimmed">
              The club has no producer yet.{' '}
              <Anchor component={Link} to={`/coop/clubs/${club.id}/producers`} inherit>
                Add the first one.
              </Anchor>
            </Text>
          ) : (
            <ProducersTable order={order} />
          )}
        </SectionCard>
        {order.status !== 'preparing' && order.status !== 'open' && <OrderSheetsSection order={order} />}
        <SectionCard title="Activity" description="Everything that happened to the order, newest first.">
          {order.activity.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nothing yet.
            </Text>
          ) : (
            <Activity order={order} />
          )}
        </SectionCard>
      </Stack>
    </ClubFrame>
  );
}

function OrderSheetsSection({ order }: { order: CoopOrderDetail }) {
  const sheets = order.producers.some((p) => p.answer === 'available' && (p.mine || order.mine.books));
  if (!sheets) return null;
  return (
    <SectionCard
      title="Order sheets and deliveries"
      description="What each producer delivers, in total or by household, for the producers you speak for."
    >
      <OrderSheets order={order} />
    </SectionCard>
  );
}

/** /coop/clubs/:clubId/orders/:orderId: an order, its state, what the person does next in it, and its history. */
export function OrderPage() {
  usePageTitle('Order');
  const { orderId = '' } = useParams();
  const order = useOrder(orderId);
  const refresh = useCoopRefresh();
  const onChanged = async (changed: CoopOrderDetail) => {
    order.replace(changed);
    await refresh();
  };
  return (
    <ResourceView resource={order} loadingLabel="Loading the order…">
      {(data) => <OrderView order={data} onChanged={onChanged} />}
    </ResourceView>
  );
}
