import { and, eq, gt, inArray } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { checkouts, plans, subscriptions } from '../schema';
import { type Checkout, RESERVATION_SECONDS, refuseUnlessOpen, slotsTaken } from './service';

/**
 * A subscriber moves a subscription to another plan, or ends it, with one flow update from their
 * own wallet. Superfluid keeps one flow per sender, receiver and token, so a plan is a share of
 * that flow: a change swaps one share for another (the flow's rate moves by the difference), a
 * cancel takes its share out (the flow is lowered, or deleted when it was the last). Each is a
 * checkout whose id the flow update carries in its userData, so the follower knows which
 * subscription left, rather than guessing from the rate.
 *
 * Proration needs no arithmetic of its own: a stream pays by the second, so the old plan was paid
 * exactly up to the block the update lands in, and the new one from that block on.
 */

type Subscription = typeof subscriptions.$inferSelect;

/** The caller's own running, streamed subscription, locked; anyone else's is not found. */
async function ownLiveSubscription(
  tx: StreamsDeps['db'],
  userId: string,
  subscriptionId: string,
): Promise<Subscription> {
  const [subscription] = isUuid(subscriptionId)
    ? await tx
        .select()
        .from(subscriptions)
        .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.userId, userId)))
        .for('update')
    : [];
  if (!subscription) throw notFound('subscription', { id: subscriptionId });
  if (subscription.state !== 'active' && subscription.state !== 'at_risk')
    throw streamsErrors.error('subscription_closed', `the subscription is ${subscription.state}`, {
      state: subscription.state,
    });
  if (subscription.flowRate === null)
    throw new AppError(
      'validation_failed',
      'a usage plan has no stream to change: its uses stay until spent',
      {
        field: 'subscription',
      },
    );
  return subscription;
}

/** A live change or cancel of the subscription the caller asked before: given back, not made twice. */
async function liveChangeOf(tx: StreamsDeps['db'], subscription: Subscription, now: Date, planId: string) {
  const [live] = await tx
    .select()
    .from(checkouts)
    .where(
      and(
        eq(checkouts.replacesSubscriptionId, subscription.id),
        eq(checkouts.planId, planId),
        eq(checkouts.state, 'reserved'),
        inArray(checkouts.purpose, ['change', 'cancel']),
        gt(checkouts.expiresAt, now),
      ),
    );
  return live;
}

/**
 * Starts a change of the caller's subscription to another open stream plan of the same producer
 * in the same token: a slot of the new plan is held as for any checkout, and the checkout fixes
 * the new plan's rate, which the flow update must swap in for the old one's.
 */
export async function startPlanChange(
  deps: StreamsDeps,
  actor: Actor,
  subscriptionId: string,
  input: { planId: string },
): Promise<Checkout> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const subscription = await ownLiveSubscription(tx, userId, subscriptionId);
    const [current] = await tx.select().from(plans).where(eq(plans.id, subscription.planId));
    // The new plan's row is the lock its checkouts queue behind, as for a new subscriber.
    const [target] = isUuid(input.planId)
      ? await tx.select().from(plans).where(eq(plans.id, input.planId)).for('update')
      : [];
    if (!target) throw notFound('plan', { id: input.planId });
    const refuse = (why: string) =>
      new AppError('validation_failed', `plan_id: ${why}`, { field: 'plan_id' });
    if (target.id === current!.id) throw refuse('the subscription is on this plan already');
    if (target.producerId !== current!.producerId) throw refuse('a plan of the same producer');
    if (target.token !== subscription.token)
      throw refuse(`a plan paid in ${subscription.token}, as the stream is`);
    if (target.kind !== 'stream' || target.flowRate === null) throw refuse('a stream plan');
    const now = deps.clock.now();
    refuseUnlessOpen(target, now);
    const live = await liveChangeOf(tx, subscription, now, target.id);
    if (live) return live;
    if (target.totalSupply !== null && (await slotsTaken(tx, target.id, now)) >= target.totalSupply)
      throw streamsErrors.error('plan_sold_out', 'every slot of the plan is taken', {
        total_supply: target.totalSupply,
      });
    const [made] = await tx
      .insert(checkouts)
      .values({
        id: newId(),
        planId: target.id,
        userId,
        subscriberAddress: subscription.subscriberAddress,
        receiverAddress: subscription.receiverAddress,
        token: subscription.token,
        flowRate: target.flowRate,
        purpose: 'change',
        replacesSubscriptionId: subscription.id,
        state: 'reserved',
        expiresAt: new Date(now.getTime() + RESERVATION_SECONDS * 1000),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return made!;
  });
}

/** Starts the end of the caller's subscription: its share leaves the flow. It holds no slot. */
export async function startCancel(
  deps: StreamsDeps,
  actor: Actor,
  subscriptionId: string,
): Promise<Checkout> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const subscription = await ownLiveSubscription(tx, userId, subscriptionId);
    const now = deps.clock.now();
    const live = await liveChangeOf(tx, subscription, now, subscription.planId);
    if (live?.purpose === 'cancel') return live;
    const [made] = await tx
      .insert(checkouts)
      .values({
        id: newId(),
        planId: subscription.planId,
        userId,
        subscriberAddress: subscription.subscriberAddress,
        receiverAddress: subscription.receiverAddress,
        token: subscription.token,
        flowRate: 0n,
        purpose: 'cancel',
        replacesSubscriptionId: subscription.id,
        state: 'reserved',
        expiresAt: new Date(now.getTime() + RESERVATION_SECONDS * 1000),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return made!;
  });
}
