import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import type { CloseReason, SubscriptionState } from '../schema';

/**
 * A subscription's states and the moves between them (the "active → at_risk → closed |
 * liquidated"), the reason a close is given, and the events a subscription announces to whoever
 * listens (the producer's webhooks, wired by the line).
 *
 * - active ⇄ at_risk: the run-out scan found the wallet's balance reaching critical within 7 days,
 *   or a top-up put it further off again.
 * - active | at_risk → closed | liquidated: the follower saw the flow deleted or lowered below the
 *   subscription's share; who did it decides which.
 * - closed → liquidated: a close the follower recorded before it read the flow operator, which
 *   turned out to be a liquidator (`close-reasons.ts`).
 *
 * A reorg that takes a start or a close off the chain undoes it outright (`undoFlowUpdate`): that is
 * not a move, the subscription returns to what it was before the event.
 */

const allowedMoves: Record<SubscriptionState, readonly SubscriptionState[]> = {
  active: ['at_risk', 'closed', 'liquidated'],
  at_risk: ['active', 'closed', 'liquidated'],
  closed: ['liquidated'],
  liquidated: [],
};

export const isLive = (state: SubscriptionState): boolean => state === 'active' || state === 'at_risk';

/** Returns `to` if a subscription may move there from `from`; throws otherwise. */
export function moveSubscription(from: SubscriptionState, to: SubscriptionState): SubscriptionState {
  if (!allowedMoves[from].includes(to)) {
    throw new AppError('conflict', `a subscription cannot move from ${from} to ${to}`, { from, to });
  }
  return to;
}

/**
 * Who closed a flow, by the flow operator `FlowUpdatedExtension` names: Tally's operator (the
 * treasury, which the checkout made the subscriber's flow operator), the subscriber itself, or
 * anyone else — which the agreement allows only once the account is critical, so it is a
 * liquidation and the buffer went to the liquidator.
 */
export function closeReasonOf(flowOperator: string, subscriber: string, tallyOperator: string): CloseReason {
  const operator = flowOperator.toLowerCase();
  if (operator === tallyOperator.toLowerCase()) return 'operator';
  if (operator === subscriber.toLowerCase()) return 'subscriber';
  return 'liquidated';
}

/** The state a close leaves a subscription in: a liquidation earns no grace, any other close does. */
export const closedStateOf = (reason: CloseReason): SubscriptionState =>
  reason === 'liquidated' ? 'liquidated' : 'closed';

export type SubscriptionEventType =
  | 'subscription.created'
  | 'subscription.plan_changed'
  | 'subscription.resumed'
  | 'subscription.at_risk'
  | 'subscription.closed'
  | 'subscription.liquidated';

export interface SubscriptionEvent {
  type: SubscriptionEventType;
  subscriptionId: string;
  /** What caused it: the close's chain event, or the run-out moment a scan found; told twice, still one event. */
  causeId: string;
}

/**
 * Called in the transaction of each state change it names, once per change: a producer's webhook
 * is queued with the change it reports, or not at all. The shape is `tellProducer`'s event
 * (src/streams/webhooks/events.ts), so the line can pass `(tx, event) => tellProducer(tx, clock, event)`.
 */
export type OnSubscriptionEvent = (tx: Db, event: SubscriptionEvent) => Promise<void>;

/** Until the line wires the producers' webhooks, nobody listens. */
export const ignoreSubscriptionEvents: OnSubscriptionEvent = async () => {};
