import { Badge, type BadgeProps } from '@mantine/core';
import type {
  CoopDeliveryOutcome,
  CoopOrderDetail,
  CoopOrderProducer,
  CoopOrderStatus,
  CoopPaymentState,
} from '../../../api/types';
import { formatToTheSecond } from '../../../lib/dates';
import { orderStatusLabels, paymentStateLabels, plural } from '../format';
import { invoicesOutstanding, unconfirmedDeliveries } from './resources';

type StateBadgeProps = Omit<BadgeProps, 'children' | 'color'>;

/** A state as a badge that never truncates (UI.md "Badges never truncate"). */
export function StateBadge({ color, label, ...props }: { color: string; label: string } & StateBadgeProps) {
  return (
    <Badge
      variant="light"
      color={color}
      tt="none"
      style={{ overflow: 'visible', flexShrink: 0 }}
      styles={{ label: { overflow: 'visible' } }}
      {...props}
    >
      {label}
    </Badge>
  );
}

const statusColors: Record<CoopOrderStatus, string> = {
  preparing: 'grape',
  open: 'blue',
  closed: 'orange',
  processed: 'teal',
  finished: 'gray',
};

/** An order's state, with the seed's name. */
export function OrderStatusBadge({ status, ...props }: { status: CoopOrderStatus } & StateBadgeProps) {
  return <StateBadge color={statusColors[status]} label={orderStatusLabels[status]} {...props} />;
}

const paymentColors: Record<CoopPaymentState, string> = { due: 'blue', paid: 'teal', bad: 'red' };

export function PaymentBadge({ state, ...props }: { state: CoopPaymentState } & StateBadgeProps) {
  return <StateBadge color={paymentColors[state]} label={paymentStateLabels[state]} {...props} />;
}

/** A producer's answer to "can you deliver?". */
export function AnswerBadge({ answer }: { answer: CoopOrderProducer['answer'] }) {
  if (answer === 'available') return <StateBadge color="teal" label="Can deliver" />;
  if (answer === 'not_available') return <StateBadge color="gray" label="Cannot deliver" />;
  return <StateBadge color="orange" label="Not answered yet" />;
}

export const outcomeLabels: Record<CoopDeliveryOutcome | 'pending', string> = {
  pending: 'Not checked yet',
  delivered: 'Delivered',
  not_available: 'Not available',
  missing: 'Missing',
};

const outcomeColors: Record<CoopDeliveryOutcome | 'pending', string> = {
  pending: 'gray',
  delivered: 'teal',
  not_available: 'orange',
  missing: 'red',
};

export function OutcomeBadge({ outcome }: { outcome: CoopDeliveryOutcome | 'pending' }) {
  return <StateBadge color={outcomeColors[outcome]} label={outcomeLabels[outcome]} />;
}

const names = (items: { name: string }[]) => items.map((item) => item.name).join(', ');

/** What the order waits for now, in words (UI.md "the next step in words"). */
export function nextStep(order: CoopOrderDetail): string {
  switch (order.status) {
    case 'preparing': {
      const missing = order.missing_answers;
      if (missing.length > 0)
        return `Waiting for ${plural(missing.length, 'producer')} to answer: ${names(missing)}.`;
      if (order.producers.length === 0) return 'The club has no producer yet: add one, then open the order.';
      if (!order.producers.some((p) => p.answer === 'available'))
        return 'Every producer answered, and none can deliver this time.';
      return 'Every producer answered: an order manager sets the deadline and opens the order.';
    }
    case 'open':
      return `Households order until ${formatToTheSecond(order.deadline)}; the order then closes by itself. ${plural(order.household_orders, 'household')} ordered so far.`;
    case 'closed': {
      const waiting = unconfirmedDeliveries(order);
      if (order.corrections > 0)
        return waiting.length > 0
          ? `Reopened for a correction: waiting for ${names(waiting)} to be checked again.`
          : 'Reopened for a correction: reopen a delivery check to correct it, or settle the correction.';
      return waiting.length > 0
        ? `Waiting for ${plural(waiting.length, 'delivery', 'deliveries')} to be checked: ${names(waiting)}.`
        : 'Every delivery is checked.';
    }
    case 'processed': {
      const unpaid = order.bills.filter((b) => b.payment_state !== 'paid').length;
      const invoices = invoicesOutstanding(order).length;
      // A bookkeeper sees every bill; anyone else knows only that payments are awaited.
      const parts: string[] = [];
      if (order.bills.length === 0) parts.push('household payments');
      else if (unpaid > 0) parts.push(plural(unpaid, 'household payment'));
      if (invoices > 0) parts.push(plural(invoices, 'producer invoice'));
      if (parts.length === 0) return 'The food is ready to pick up.';
      return `The food is ready to pick up. Waiting for ${parts.join(' and ')}.`;
    }
    case 'finished':
      return order.processed_at
        ? 'Finished: every bill and every invoice is paid.'
        : 'Finished: no household ordered anything.';
  }
}
