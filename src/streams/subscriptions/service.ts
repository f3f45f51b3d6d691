import { desc, eq } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import type { StreamsDeps } from '../deps';
import { requireOwnProducer } from '../producers/service';
import { plans, producers, subscriptions } from '../schema';
import { usesOf } from '../usage/payments';
import { isLive } from './lifecycle';

export type Subscription = typeof subscriptions.$inferSelect;

export interface SubscriptionView extends Subscription {
  planName: string;
  producerId: string;
  producerName: string;
  /**
   * Until when the plan may be served: null while the stream runs; the plan's grace after a close;
   * the close itself after a liquidation, which earns none (as the Access API counts it).
   */
  accessUntil: Date | null;
  /** A usage plan's uses: bought and reported in all, and left; null for a stream. */
  uses: { bought: number; used: number; left: number } | null;
}

const view = {
  subscription: subscriptions,
  planName: plans.name,
  producerId: producers.id,
  producerName: producers.name,
  graceSeconds: plans.graceSeconds,
};

export function accessUntilOf(subscription: Subscription, graceSeconds: number): Date | null {
  if (isLive(subscription.state) || !subscription.closedAt) return null;
  const grace = subscription.state === 'closed' ? graceSeconds * 1000 : 0;
  return new Date(subscription.closedAt.getTime() + grace);
}

const flatten = (row: {
  subscription: Subscription;
  planName: string;
  producerId: string;
  producerName: string;
  graceSeconds: number;
}): Omit<SubscriptionView, 'uses'> => ({
  ...row.subscription,
  planName: row.planName,
  producerId: row.producerId,
  producerName: row.producerName,
  accessUntil: accessUntilOf(row.subscription, row.graceSeconds),
});

/** The views with a usage subscription's uses, read for all of them at once. */
async function withUses(
  deps: StreamsDeps,
  views: Omit<SubscriptionView, 'uses'>[],
): Promise<SubscriptionView[]> {
  const counts = await usesOf(
    deps.db,
    views.filter((v) => v.flowRate === null).map((v) => v.id),
  );
  return views.map((v) => {
    const count = counts.get(v.id);
    return { ...v, uses: count ? { ...count, left: Math.max(count.bought - count.used, 0) } : null };
  });
}

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
  return withUses(deps, rows.map(flatten));
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
  return withUses(deps, rows.map(flatten));
}
