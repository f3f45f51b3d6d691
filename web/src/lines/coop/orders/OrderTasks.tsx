import { Anchor, List, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CoopOrderDetail, CoopOrderTask } from '../../../api/types';
import { orderPaths } from './resources';

/** Where a task is done: a part of the order's page, the household's order, a delivery check, the books. */
export function taskLink(order: CoopOrderDetail, task: CoopOrderTask): string {
  const paths = orderPaths(order.club_id, order.id);
  const producer = task.producer_id ?? '';
  switch (task.kind) {
    case 'answer_for_producer':
      return `${paths.order}#answer-${producer}`;
    case 'open_order':
      return `${paths.order}#open-order`;
    case 'close_order':
      return `${paths.order}#close-order`;
    case 'place_order':
      return paths.myOrder;
    case 'check_delivery':
      return paths.delivery(producer);
    case 'upload_invoice':
      return order.mine.books ? paths.books : paths.delivery(producer);
    case 'pay_invoice':
    case 'check_payments':
      return paths.books;
    case 'pay_bill':
    case 'fix_payment':
      return `${paths.order}#your-bill`;
    default:
      return paths.order;
  }
}

/** The seed's "Your tasks": what the person has to do in the order now, each leading to where it is done. */
export function OrderTasks({ order }: { order: CoopOrderDetail }) {
  if (order.tasks.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Nothing for you to do in this order right now.
      </Text>
    );
  }
  return (
    <List spacing="xs" size="sm" aria-label="Your tasks">
      {order.tasks.map((task) => (
        <List.Item key={`${task.kind}:${task.producer_id ?? ''}`}>
          <Anchor component={Link} to={taskLink(order, task)} inherit>
            {task.text}
          </Anchor>
        </List.Item>
      ))}
    </List>
  );
}
