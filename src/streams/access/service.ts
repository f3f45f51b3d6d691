import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { walletAddressOf } from '../../chain/address';
import type { Actor } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import type { Plan } from '../plans/service';
import { requireOwnProducer } from '../producers/service';
import { plans, subscriptions, usages } from '../schema';
import { usesOf } from '../usage/payments';

/**
 * What a producer's service asks before serving a wallet: does it hold the plan, and how much of
 * the month's quota (the plan's month limit) is left; and what it reports after: the uses served.
 * A wallet holds a plan while its subscription streams (active, or at risk of running out), and
 * for the plan's grace period after Tally closed the stream.
 */

type Subscription = typeof subscriptions.$inferSelect;

export interface Access {
  wallet: string;
  subscription: Subscription | null;
  /** Until when it may be served: null while the stream runs. */
  accessUntil: Date | null;
  holds: boolean;
  month: { name: string; limit: number | null; used: number; left: number | null };
  /** A usage plan's uses: bought in all, reported in all, and left; null for the other kinds. */
  uses: { bought: number; used: number; left: number } | null;
}

/** The UTC month a moment counts in: "2026-12". */
export const monthOf = (at: Date): string => at.toISOString().slice(0, 7);

async function ownPlan(db: Db, actor: Actor, planId: string): Promise<Plan> {
  const producer = await requireOwnProducer(db, actor);
  const [plan] = isUuid(planId)
    ? await db
        .select()
        .from(plans)
        .where(and(eq(plans.id, planId), eq(plans.producerId, producer.id)))
    : [];
  if (!plan) throw notFound('plan', { id: planId });
  return plan;
}

interface Standing {
  subscription: Subscription | null;
  accessUntil: Date | null;
  holds: boolean;
  uses: Access['uses'];
}

/** The wallet's latest subscription of the plan, and whether it holds the plan now. */
async function standing(db: Db, plan: Plan, wallet: string, now: Date, lock: boolean): Promise<Standing> {
  const query = db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.planId, plan.id), eq(subscriptions.subscriberAddress, wallet)))
    .orderBy(desc(subscriptions.startedAt), desc(subscriptions.id))
    .limit(1);
  const [subscription] = lock ? await query.for('update') : await query;
  if (!subscription) return { subscription: null, accessUntil: null, holds: false, uses: null };
  const streaming = subscription.state === 'active' || subscription.state === 'at_risk';
  if (plan.kind === 'usage') {
    // Bought uses never lapse: the wallet holds the plan while any are left.
    const { bought, used } = (await usesOf(db, [subscription.id])).get(subscription.id) ?? {
      bought: 0,
      used: 0,
    };
    const left = Math.max(bought - used, 0);
    return { subscription, accessUntil: null, holds: streaming && left > 0, uses: { bought, used, left } };
  }
  const accessUntil =
    streaming || !subscription.closedAt
      ? null
      : new Date(subscription.closedAt.getTime() + plan.graceSeconds * 1000);
  // A liquidated stream lost its buffer: that is not a close of Tally's, and earns no grace.
  const holds = streaming || (subscription.state === 'closed' && accessUntil !== null && accessUntil > now);
  return { subscription, accessUntil, holds, uses: null };
}

/** Whether a wallet (any 0x form) holds a plan now, with its latest subscription. */
export function standingOf(db: Db, plan: Plan, walletText: string, now: Date) {
  return standing(db, plan, walletAddressOf(walletText, 'wallet'), now, false);
}

async function usedIn(db: Db, subscriptionId: string, month: string): Promise<number> {
  const [row] = await queryRows<{ used: number }>(
    db,
    sql`SELECT coalesce(sum(uses), 0)::int AS used FROM streams_usages
        WHERE subscription_id = ${subscriptionId} AND month = ${month}`,
  );
  return row!.used;
}

function accessOf(plan: Plan, wallet: string, found: Standing, used: number, month: string): Access {
  return {
    wallet,
    ...found,
    month: {
      name: month,
      limit: plan.monthLimit,
      used,
      left: plan.monthLimit === null ? null : Math.max(plan.monthLimit - used, 0),
    },
  };
}

/** Whether a wallet holds one of the caller's plans, and the month's quota left. */
export async function checkAccess(
  deps: StreamsDeps,
  actor: Actor,
  planId: string,
  walletText: string,
): Promise<Access> {
  const wallet = walletAddressOf(walletText, 'wallet');
  const plan = await ownPlan(deps.db, actor, planId);
  const now = deps.clock.now();
  const found = await standing(deps.db, plan, wallet, now, false);
  const month = monthOf(now);
  const used = found.subscription ? await usedIn(deps.db, found.subscription.id, month) : 0;
  return accessOf(plan, wallet, found, used, month);
}

/**
 * Records uses the caller's service served a wallet of its plan, under the service's own key for
 * them: a key recorded already is answered as it stands, and counts once. Refused when the wallet
 * does not hold the plan (`not_subscribed`) or the uses would pass the month's limit
 * (`quota_exceeded`, with what is left): nothing is recorded then.
 */
export async function recordUsage(
  deps: StreamsDeps,
  actor: Actor,
  planId: string,
  input: { wallet: string; uses: number; key: string },
): Promise<{ access: Access; replayed: boolean }> {
  const wallet = walletAddressOf(input.wallet, 'wallet');
  if (!Number.isInteger(input.uses) || input.uses < 1)
    throw new AppError('validation_failed', 'uses: a whole number, at least 1', { field: 'uses' });
  return deps.db.transaction(async (tx) => {
    const plan = await ownPlan(tx, actor, planId);
    const now = deps.clock.now();
    const month = monthOf(now);
    const [known] = await tx
      .select()
      .from(usages)
      .where(and(eq(usages.planId, plan.id), eq(usages.key, input.key)));
    if (known) {
      const found = await standing(tx, plan, wallet, now, false);
      return {
        access: accessOf(plan, wallet, found, await usedIn(tx, known.subscriptionId, month), month),
        replayed: true,
      };
    }
    // The subscription's row is the lock: two reports at once never both take the last uses.
    const found = await standing(tx, plan, wallet, now, true);
    if (!found.holds || !found.subscription)
      throw streamsErrors.error('not_subscribed', 'the wallet does not hold the plan', { wallet });
    if (found.uses && input.uses > found.uses.left)
      throw streamsErrors.error('uses_exhausted', 'the wallet has fewer uses left than reported', {
        bought: found.uses.bought,
        used: found.uses.used,
        left: found.uses.left,
      });
    const used = await usedIn(tx, found.subscription.id, month);
    if (plan.monthLimit !== null && used + input.uses > plan.monthLimit)
      throw streamsErrors.error('quota_exceeded', 'the uses would pass the plan’s month limit', {
        limit: plan.monthLimit,
        used,
        left: plan.monthLimit - used,
      });
    const [inserted] = await tx
      .insert(usages)
      .values({
        id: newId(),
        subscriptionId: found.subscription.id,
        planId: plan.id,
        key: input.key,
        uses: input.uses,
        month,
        recordedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    const served = inserted ? input.uses : 0;
    const uses = found.uses && {
      ...found.uses,
      used: found.uses.used + served,
      left: found.uses.left - served,
    };
    return {
      access: accessOf(plan, wallet, { ...found, uses }, used + served, month),
      replayed: !inserted,
    };
  });
}

/** The uses of the caller's subscription of a plan this month, for the subscriber's page. */
export async function myUsage(
  deps: StreamsDeps,
  subscriptionIds: readonly string[],
): Promise<Map<string, number>> {
  if (subscriptionIds.length === 0) return new Map();
  const month = monthOf(deps.clock.now());
  const rows = await deps.db
    .select({ id: usages.subscriptionId, used: sql<number>`sum(${usages.uses})::int` })
    .from(usages)
    .where(and(inArray(usages.subscriptionId, [...subscriptionIds]), eq(usages.month, month)))
    .groupBy(usages.subscriptionId);
  return new Map(rows.map((row) => [row.id, row.used]));
}
