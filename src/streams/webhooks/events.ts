import { eq } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import type { WebhookOwner } from '../../core/webhooks/service';
import { queueWebhookEvent, webhookEventId } from '../../core/webhooks/service';
import { plans, producers, subscriptions } from '../schema';

/** What happens to a producer's subscriptions, as its webhook endpoints may subscribe to it. */
export const producerEventTypes = [
  'subscription.created',
  'subscription.at_risk',
  'subscription.closed',
  'subscription.liquidated',
  'subscription.resumed',
  'subscription.plan_changed',
] as const;
export type ProducerEventType = (typeof producerEventTypes)[number];

/** A producer's endpoints belong to it under this kind. */
const PRODUCER_OWNER_KIND = 'streams.producer';

export const producerOwner = (producerId: string): WebhookOwner => ({
  kind: PRODUCER_OWNER_KIND,
  id: producerId,
});

export interface ProducerEvent {
  type: ProducerEventType;
  subscriptionId: string;
  /**
   * What caused it (the chain event's id, a scan's time): the same cause told twice is one event.
   * Unset, the subscription's last change names it, so a change told again is still one event.
   */
  causeId?: string;
  /** For `subscription.plan_changed`: the fields as they were before, in the API's words. */
  previousAttributes?: Readonly<Record<string, unknown>>;
}

/**
 * Tells a subscription's producer what just happened to it, through the producer's webhooks: in
 * the caller's transaction, so the event is sent if and only if the change commits. Call it after
 * the change is written: the event carries the subscription as it is then, in the API's shape
 * (`GET /api/streams/producer/subscriptions`), with the close's reason and when the balance runs out.
 */
export async function tellProducer(tx: Db, clock: Clock, event: ProducerEvent): Promise<void> {
  const [row] = await tx
    .select({
      subscription: {
        id: subscriptions.id,
        planId: subscriptions.planId,
        checkoutId: subscriptions.checkoutId,
        state: subscriptions.state,
        subscriberAddress: subscriptions.subscriberAddress,
        receiverAddress: subscriptions.receiverAddress,
        token: subscriptions.token,
        flowRate: subscriptions.flowRate,
        startedAt: subscriptions.startedAt,
        closedAt: subscriptions.closedAt,
        closeReason: subscriptions.closeReason,
        runsOutAt: subscriptions.runsOutAt,
        updatedAt: subscriptions.updatedAt,
      },
      planName: plans.name,
      producerId: producers.id,
      producerName: producers.name,
    })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(producers, eq(producers.id, plans.producerId))
    .where(eq(subscriptions.id, event.subscriptionId));
  if (!row)
    throw new AppError('internal', `no subscription ${event.subscriptionId} to tell its producer about`);
  const { subscription: s, producerId } = row;
  const cause = event.causeId ?? `updated:${s.updatedAt.toISOString()}`;
  await queueWebhookEvent(tx, clock, {
    ownerKind: PRODUCER_OWNER_KIND,
    ownerId: producerId,
    type: event.type,
    id: webhookEventId(PRODUCER_OWNER_KIND, producerId, event.type, s.id, cause),
    data: {
      subscription: {
        id: s.id,
        plan: { id: s.planId, name: row.planName },
        producer: { id: producerId, name: row.producerName },
        checkout_id: s.checkoutId,
        state: s.state,
        subscriber_address: s.subscriberAddress,
        receiver_address: s.receiverAddress,
        token: s.token,
        flow_rate: s.flowRate?.toString() ?? null,
        started_at: s.startedAt.toISOString(),
        closed_at: s.closedAt?.toISOString() ?? null,
        close_reason: s.closeReason,
        runs_out_at: s.runsOutAt?.toISOString() ?? null,
      },
      ...(event.previousAttributes ? { previous_attributes: event.previousAttributes } : {}),
    },
  });
}
