import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { walletAddressOf } from '../../chain/address';
import { type Actor, requireUser } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import type { Plan } from '../plans/service';
import { checkouts, plans, producers, subscriptions } from '../schema';

export type Checkout = typeof checkouts.$inferSelect;

/** How long a checkout holds its slot of the plan's supply while the wallet signs and the flow lands. */
export const RESERVATION_SECONDS = 30 * 60;
/** How long after its cliff a vesting checkout still waits for its flow to open. */
export const VESTING_HOLD_AFTER_CLIFF_MS = 86_400_000;

/**
 * What the plan takes up now: subscriptions that stream (active, or at risk of running out) and
 * reservations that have not lapsed (a cancel's checkout holds no slot, nor does a usage plan's
 * top-up: a wallet's purchases add up on its one subscription, which holds its slot already).
 */
export async function slotsTaken(tx: Db, planId: string, now: Date): Promise<number> {
  const [row] = await queryRows<{ taken: number }>(
    tx,
    sql`SELECT
          (SELECT count(*)::int FROM streams_subscriptions WHERE plan_id = ${planId} AND state IN ('active', 'at_risk'))
        + (SELECT count(*)::int FROM streams_checkouts c WHERE c.plan_id = ${planId} AND c.state = 'reserved'
             AND c.purpose <> 'cancel' AND c.expires_at > ${now.toISOString()}::timestamptz
             AND NOT (c.uses IS NOT NULL AND EXISTS (
               SELECT 1 FROM streams_subscriptions s
               WHERE s.plan_id = c.plan_id AND s.subscriber_address = c.subscriber_address
                 AND s.state IN ('active', 'at_risk')))) AS taken`,
  );
  return row!.taken;
}

/** Whether the wallet holds a live subscription of the plan, which a usage plan's purchase adds to. */
async function holdsLive(tx: Db, planId: string, wallet: string): Promise<boolean> {
  const [found] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.planId, planId),
        eq(subscriptions.subscriberAddress, wallet),
        inArray(subscriptions.state, ['active', 'at_risk']),
      ),
    )
    .limit(1);
  return found !== undefined;
}

/** Whether a plan takes a new subscriber now, or the refusal that says why not. */
export function refuseUnlessOpen(plan: Plan, now: Date): void {
  if (plan.status !== 'active')
    throw streamsErrors.error('plan_inactive', 'the plan takes no new subscribers: its producer paused it');
  if (plan.startsAt > now)
    throw streamsErrors.error(
      'plan_not_started',
      `the plan takes subscribers from ${plan.startsAt.toISOString()}`,
      {
        starts_at: plan.startsAt.toISOString(),
      },
    );
}

/**
 * Starts a checkout of a plan for the caller's wallet: checks the plan is open, holds a slot of its
 * supply (two people after the last slot at once: one gets it), and fixes what the flow must add or
 * what the uses cost. The caller's live reservation of the same plan and wallet is given back
 * rather than a second slot taken.
 */
export async function startCheckout(
  deps: StreamsDeps,
  actor: Actor,
  planId: string,
  input: { subscriberAddress: string; uses?: number },
): Promise<Checkout> {
  const userId = requireUser(actor);
  const subscriber = walletAddressOf(input.subscriberAddress, 'subscriber_address');
  return deps.db.transaction(async (tx) => {
    // The plan's row is the lock every checkout of it queues behind: counting and reserving are one step.
    const [row] = isUuid(planId)
      ? await tx
          .select({ plan: plans, receiver: producers.payoutAddress })
          .from(plans)
          .innerJoin(producers, eq(producers.id, plans.producerId))
          .where(eq(plans.id, planId))
          .for('update', { of: plans })
      : [];
    if (!row) throw notFound('plan', { id: planId });
    const { plan, receiver } = row;
    const now = deps.clock.now();
    refuseUnlessOpen(plan, now);
    if (subscriber === receiver)
      throw new AppError(
        'validation_failed',
        'subscriber_address: the producer’s own wallet cannot subscribe',
        {
          field: 'subscriber_address',
        },
      );
    let uses: number | null = null;
    if (plan.kind === 'usage') {
      uses = input.uses ?? null;
      if (uses === null || uses < plan.minUsage! || uses > plan.maxUsage!)
        throw new AppError('validation_failed', `uses: from ${plan.minUsage} to ${plan.maxUsage}`, {
          field: 'uses',
        });
    } else if (input.uses !== undefined) {
      throw new AppError('validation_failed', 'uses: only a usage plan is bought by the use', {
        field: 'uses',
      });
    }
    const [live] = await tx
      .select()
      .from(checkouts)
      .where(
        and(
          eq(checkouts.planId, plan.id),
          eq(checkouts.userId, userId),
          eq(checkouts.subscriberAddress, subscriber),
          eq(checkouts.state, 'reserved'),
          gt(checkouts.expiresAt, now),
        ),
      );
    if (live && live.uses === uses) return live;
    const topUp = plan.kind === 'usage' && (await holdsLive(tx, plan.id, subscriber));
    if (!topUp && plan.totalSupply !== null && (await slotsTaken(tx, plan.id, now)) >= plan.totalSupply)
      throw streamsErrors.error('plan_sold_out', 'every slot of the plan is taken', {
        total_supply: plan.totalSupply,
      });
    const [made] = await tx
      .insert(checkouts)
      .values({
        id: newId(),
        planId: plan.id,
        userId,
        subscriberAddress: subscriber,
        receiverAddress: receiver,
        token: plan.token,
        flowRate: plan.flowRate,
        uses,
        amount: uses === null ? null : plan.usagePrice! * BigInt(uses),
        state: 'reserved',
        // A vesting plan's slot is held until Tally opens the flow at the cliff (and a day after,
        // for the sender to get it mined).
        expiresAt:
          plan.kind === 'vesting' && plan.cliffAt
            ? new Date(
                Math.max(
                  plan.cliffAt.getTime() + VESTING_HOLD_AFTER_CLIFF_MS,
                  now.getTime() + RESERVATION_SECONDS * 1000,
                ),
              )
            : new Date(now.getTime() + RESERVATION_SECONDS * 1000),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return made!;
  });
}

/** The caller's own checkout; anyone else's is not found. A lapsed reservation reads as expired. */
export async function getCheckout(deps: StreamsDeps, actor: Actor, checkoutId: string): Promise<Checkout> {
  const userId = requireUser(actor);
  const [checkout] = isUuid(checkoutId)
    ? await deps.db
        .select()
        .from(checkouts)
        .where(and(eq(checkouts.id, checkoutId), eq(checkouts.userId, userId)))
    : [];
  if (!checkout) throw notFound('checkout', { id: checkoutId });
  return asOf(checkout, deps.clock.now());
}

const asOf = (checkout: Checkout, now: Date): Checkout =>
  checkout.state === 'reserved' && checkout.expiresAt <= now ? { ...checkout, state: 'expired' } : checkout;

/**
 * The caller gives a reservation up: its slot is free for someone else at once. A transaction the
 * wallet sent before still lands: its flow then starts the subscription if the plan has room
 * (`subscriptions/flows.ts`), since the money moves whatever the checkout says.
 */
export async function cancelCheckout(deps: StreamsDeps, actor: Actor, checkoutId: string): Promise<Checkout> {
  const checkout = await getCheckout(deps, actor, checkoutId);
  if (checkout.state !== 'reserved')
    throw streamsErrors.error('checkout_closed', `the checkout is ${checkout.state}`, {
      state: checkout.state,
    });
  const [cancelled] = await deps.db
    .update(checkouts)
    .set({ state: 'cancelled', updatedAt: deps.clock.now() })
    .where(and(eq(checkouts.id, checkout.id), eq(checkouts.state, 'reserved')))
    .returning();
  if (!cancelled) {
    // Completed or lapsed between the read and the write.
    const now = await getCheckout(deps, actor, checkoutId);
    throw streamsErrors.error('checkout_closed', `the checkout is ${now.state}`, { state: now.state });
  }
  return cancelled;
}
