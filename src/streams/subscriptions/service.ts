import { desc, eq } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import type { StreamsDeps } from '../deps';
import { requireOwnProducer } from '../producers/service';
import { plans, producers, subscriptions } from '../schema';

export type Subscription = typeof subscriptions.$inferSelect;

export interface SubscriptionView extends Subscription {
  planName: string;
  producerId: string;
  producerName: string;
}

const view = {
  subscription: subscriptions,
  planName: plans.name,
  producerId: producers.id,
  producerName: producers.name,
};

const flatten = (row: {
  subscription: Subscription;
  planName: string;
  producerId: string;
  producerName: string;
}) => ({
  ...row.subscription,
  planName: row.planName,
  producerId: row.producerId,
  producerName: row.producerName,
});

/** The caller's subscriptions, newest first. */
export async function listMySubscriptions(deps: StreamsDeps, actor: Actor): Promise<SubscriptionView[]> {
  const userId = requireUser(actor);
  const rows = await deps.db
    .select(view)
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(producers, eq(producers.id, plans.producerId))
    .where(eq(subscriptions.userId, userId))
    .orderBy(desc(subscriptions.startedAt));
  return rows.map(flatten);
}

/** The subscriptions of the caller's plans, newest first: who streams to the producer, for which plan. */
export async function listMySubscribers(deps: StreamsDeps, actor: Actor): Promise<SubscriptionView[]> {
  const producer = await requireOwnProducer(deps.db, actor);
  const rows = await deps.db
    .select(view)
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(producers, eq(producers.id, plans.producerId))
    .where(eq(plans.producerId, producer.id))
    .orderBy(desc(subscriptions.startedAt));
  return rows.map(flatten);
}
