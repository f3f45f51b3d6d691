import { defineStateMachine } from '../../core/state-machine';
import type { OrderStatus } from '../schema';

/**
 * The seed's `OrderStatus` and its moves, in one table. An order opens once every producer
 * answered; it closes at its deadline or by hand; it is processed once every delivery is
 * confirmed and finished once every bill and invoice is paid. An order nobody ordered in goes
 * from closed straight to finished: there is nothing to deliver or pay. A processed or finished
 * order goes back to closed when the bookkeeper reopens it to correct a delivery (`corrections.ts`).
 */
export const orderMachine = defineStateMachine<OrderStatus>({
  name: 'order',
  moves: {
    preparing: ['open'],
    open: ['closed'],
    closed: ['processed', 'finished'],
    processed: ['finished', 'closed'],
    finished: ['closed'],
  },
  refusals: {
    preparing: 'the order is being prepared: producers answer first, then it opens',
    open: 'the order is open: households are ordering until it closes',
    closed: 'the order is closed: households can no longer change what they ordered',
    processed: 'the order is processed: its deliveries are confirmed and bills sent',
    finished: 'the order is finished: every bill and invoice is paid',
  },
});
