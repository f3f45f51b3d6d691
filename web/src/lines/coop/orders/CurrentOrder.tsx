import { Anchor, Button, Group, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CoopOrderSummary, CoopProducer } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { formatToTheSecond } from '../../../lib/dates';
import { useSignedInUser } from '../../../session/SessionContext';
import { useClub } from '../club/ClubLayout';
import { COOP, formatEuros } from '../format';
import { useProducers } from '../producers/ProducersPage';
import { CreateOrderForm } from './CreateOrderForm';
import { OrdersTable } from './OrdersTable';
import { OrderTasks } from './OrderTasks';
import { orderPaths, useOrder } from './resources';
import { nextStep, OrderStatusBadge } from './status';
import { productsOrdered } from './YourOrder';

/** The order running now, as the club's home shows it: its state, the next step, the person's tasks. */
function CurrentOrderCard({ summary }: { summary: CoopOrderSummary }) {
  const { club } = useClub();
  const order = useOrder(summary.id);
  const paths = orderPaths(club.id, summary.id);
  return (
    <SectionCard
      title={`Current order: order ${summary.number}`}
      actions={<OrderStatusBadge status={summary.status} size="lg" />}
    >
      <ResourceView resource={order} loadingLabel="Loading the order…">
        {(data) => {
          const household = data.my_household;
          return (
            <Stack gap="md">
              <Text>{nextStep(data)}</Text>
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
                <Stack gap={4}>
                  <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                    Your tasks
                  </Text>
                  <OrderTasks order={data} />
                </Stack>
                <Facts
                  facts={[
                    { label: 'Deadline', value: formatToTheSecond(data.deadline, 'set when it opens') },
                    { label: 'Pick-up', value: data.pickup || 'Not said yet' },
                    ...(household && data.status !== 'preparing'
                      ? [
                          {
                            label: 'Your order',
                            value: `${productsOrdered(household)}, ${formatEuros(household.bill?.total_cents ?? household.ordered_totals.total_cents)}`,
                          },
                        ]
                      : []),
                  ]}
                />
              </SimpleGrid>
              <Group gap="sm">
                <Button component={Link} to={paths.order}>
                  Open order {data.number}
                </Button>
                {household?.editable && (
                  <Button component={Link} to={paths.myOrder} variant="light">
                    Order for your household
                  </Button>
                )}
              </Group>
            </Stack>
          );
        }}
      </ResourceView>
    </SectionCard>
  );
}

/** The producers the person is the liaison of. */
function MyProducers() {
  const { club } = useClub();
  const user = useSignedInUser();
  const producers = useProducers(club.id);
  return (
    <ResourceView
      resource={producers}
      loadingLabel="Loading the producers…"
      isEmpty={(items) => !items.some((p) => p.liaison.user_id === user.id)}
      empty={
        <NothingYet
          title="You are the liaison of no producer"
          action={
            <Button component={Link} to={`/coop/clubs/${club.id}/producers`} variant="default">
              See the producers
            </Button>
          }
        >
          Whoever adds a producer becomes its liaison: they keep its products up to date and answer for it in
          each order.
        </NothingYet>
      }
    >
      {(items) => (
        <DataTable
          label="Your producers"
          rows={items.filter((p) => p.liaison.user_id === user.id)}
          rowKey={(p) => p.id}
          initialSort={{ columnId: 'name', direction: 'ascending' }}
          minWidth={480}
          columns={[
            {
              id: 'name',
              header: 'Producer',
              cardTitle: true,
              sortValue: (p: CoopProducer) => p.name,
              csv: (p) => p.name,
              cell: (p) => (
                <Anchor component={Link} to={`/coop/clubs/${club.id}/producers/${p.id}`} fw={500}>
                  {p.name}
                </Anchor>
              ),
            },
            { id: 'location', header: 'Location', csv: (p) => p.location, cell: (p) => p.location || '—' },
          ]}
        />
      )}
    </ResourceView>
  );
}

/**
 * The orders on the club's home (seed 002 "User Flow"): the current order if there is one; else
 * "Create order" for whoever may; else nothing to do but explore the products. Then the past orders
 * and the person's producers, one tab each.
 */
export function OrdersOnHome({ orders }: { orders: CoopOrderSummary[] }) {
  const { club, can } = useClub();
  const current = orders.find((o) => o.status !== 'finished');
  const past = orders.filter((o) => o !== current);
  return (
    <Stack gap="lg">
      {current ? (
        <CurrentOrderCard summary={current} />
      ) : can(COOP.orders) ? (
        <SectionCard
          title="Create order"
          description="No order is running. Every producer’s liaison is asked whether it can deliver; you open the order once they answered."
        >
          <CreateOrderForm clubId={club.id} />
        </SectionCard>
      ) : (
        <SectionCard title="No order running">
          <NothingYet
            title="Nothing to do: enjoy!"
            action={
              <Button component={Link} to={`/coop/clubs/${club.id}/products`} variant="light">
                Explore the products
              </Button>
            }
          >
            You are told when the next order opens. Meanwhile, see what the club’s producers offer.
          </NothingYet>
        </SectionCard>
      )}
      <Tabs defaultValue="past" keepMounted={false}>
        <Tabs.List aria-label="Orders and producers">
          <Tabs.Tab value="past">Past orders</Tabs.Tab>
          <Tabs.Tab value="producers">My producers</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="past" pt="md">
          {past.length === 0 ? (
            <Text size="sm" c="dimmed">
              No past order yet.
            </Text>
          ) : (
            <Stack gap="xs">
              <OrdersTable orders={past} clubId={club.id} label="Past orders" />
              <Anchor component={Link} to={`/coop/clubs/${club.id}/orders`} size="sm">
                Every order of the club
              </Anchor>
            </Stack>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="producers" pt="md">
          <MyProducers />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
