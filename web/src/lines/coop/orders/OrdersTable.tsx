import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import type { CoopOrderSummary } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { formatToTheSecond } from '../../../lib/dates';
import { editableEuros, formatEuros, orderStatusLabels } from '../format';
import { orderPaths } from './resources';
import { OrderStatusBadge } from './status';

/** A club's orders: each one's state, its dates, and what the person's household pays for it. */
export function OrdersTable({
  orders,
  clubId,
  label = 'Orders',
}: {
  orders: CoopOrderSummary[];
  clubId: string;
  label?: string;
}) {
  return (
    <DataTable
      label={label}
      rows={orders}
      rowKey={(o) => o.id}
      searchLabel="Search orders"
      exportName="orders"
      initialSort={{ columnId: 'number', direction: 'descending' }}
      minWidth={900}
      columns={[
        {
          id: 'number',
          header: 'Order',
          cardTitle: true,
          sortValue: (o) => o.number,
          csv: (o) => String(o.number),
          cell: (o) => (
            <Anchor component={Link} to={orderPaths(clubId, o.id).order} fw={500}>
              Order {o.number}
            </Anchor>
          ),
        },
        {
          id: 'status',
          header: 'Status',
          sortValue: (o) => o.status,
          csv: (o) => orderStatusLabels[o.status],
          cell: (o) => <OrderStatusBadge status={o.status} />,
        },
        {
          id: 'created',
          header: 'Created',
          nowrap: true,
          sortValue: (o) => o.created_at,
          csv: (o) => o.created_at,
          cell: (o) => formatToTheSecond(o.created_at),
        },
        {
          id: 'deadline',
          header: 'Deadline',
          nowrap: true,
          sortValue: (o) => o.deadline,
          csv: (o) => o.deadline ?? '',
          cell: (o) => formatToTheSecond(o.deadline, 'not set yet'),
        },
        {
          id: 'finished',
          header: 'Finished',
          nowrap: true,
          sortValue: (o) => o.finished_at,
          csv: (o) => o.finished_at ?? '',
          cell: (o) => formatToTheSecond(o.finished_at, '—'),
        },
        {
          id: 'producers',
          header: 'Producers',
          align: 'right',
          sortValue: (o) => o.producers_available,
          csv: (o) => String(o.producers_available),
          cell: (o) => o.producers_available,
        },
        {
          id: 'households',
          header: 'Households ordering',
          align: 'right',
          sortValue: (o) => o.household_orders,
          csv: (o) => String(o.household_orders),
          cell: (o) => o.household_orders,
        },
        {
          id: 'total',
          header: 'Your bill',
          align: 'right',
          nowrap: true,
          sortValue: (o) => (o.my_total_cents === null ? null : BigInt(o.my_total_cents)),
          csv: (o) => (o.my_total_cents === null ? '' : editableEuros(o.my_total_cents)),
          cell: (o) => (o.my_total_cents === null ? '—' : formatEuros(o.my_total_cents)),
        },
      ]}
    />
  );
}
