import { Stack } from '@mantine/core';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { ClubFrame, useClub } from '../club/ClubLayout';
import { COOP } from '../format';
import { CreateOrderForm } from './CreateOrderForm';
import { OrdersTable } from './OrdersTable';
import { useOrders } from './resources';

/** /coop/clubs/:clubId/orders: the club's orders, the current one and the past ones. */
export function OrdersPage() {
  const { club, can } = useClub();
  const orders = useOrders(club.id);
  const manages = can(COOP.orders);
  const running = orders.data?.some((o) => o.status === 'preparing' || o.status === 'open');
  return (
    <ClubFrame
      title="Orders"
      description="Each order goes from Preparing (producers answer) to Open (households order), Closed (deliveries checked), Processed (bills out) and Finished (everything paid)."
    >
      <Stack gap="lg">
        {manages && orders.data && !running && (
          <SectionCard
            title="Start an order"
            description="Every producer’s liaison is asked whether it can deliver; you open the order once they answered."
          >
            <CreateOrderForm clubId={club.id} />
          </SectionCard>
        )}
        <SectionCard title="All orders">
          <ResourceView
            resource={orders}
            loadingLabel="Loading the orders…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No order yet">
                {manages
                  ? 'Start the first one above.'
                  : 'An order manager or the club’s Admin starts the first one; you are told when it opens.'}
              </NothingYet>
            }
          >
            {(items) => <OrdersTable orders={items} clubId={club.id} />}
          </ResourceView>
        </SectionCard>
      </Stack>
    </ClubFrame>
  );
}
