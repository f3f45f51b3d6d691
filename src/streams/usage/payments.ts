import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Address, getAbiItem, type Hex } from 'viem';
import type { ChainEvent } from '../../chain/follower/events';
import { defineWatcher, type Watcher } from '../../chain/follower/follower';
import type { ChainRuntime } from '../../chain/runtime';
import { superTokenAbi } from '../../chain/superfluid/abi';
import { type Db, queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { checkoutIdOf } from '../chain/flow-reference';
import { checkouts, type PlanToken, planTokens, subscriptions, usagePurchases } from '../schema';

/**
 * A usage plan's uses are paid in one step: the super token's ERC-777 `send` to the producer, whose
 * `userData` names the checkout (the same reference a flow carries, `chain/flow-reference.ts`). The
 * token emits `Sent(operator, from, to, amount, data, operatorData)`; the follower hands each one
 * over once confirmed, and a send that names a usage checkout of Tally's, from its wallet, to its
 * producer, of its exact amount, is a purchase of its uses.
 *
 * The money has moved by then, so a purchase is recorded even when the checkout's reservation
 * lapsed or was cancelled meanwhile: the person paid for the uses. A send of another amount, or
 * from or to another wallet, buys nothing (it is not what the checkout asked for).
 *
 * One wallet's purchases of one plan add up on one subscription, the first purchase starting it.
 */

const sent = getAbiItem({ abi: superTokenAbi, name: 'Sent' });

export interface UsagePayment {
  id: string;
  at: Date;
  token: PlanToken;
  from: string;
  to: string;
  amount: bigint;
  data: Hex;
}

/** Records the purchase a confirmed send pays for, if it pays for one; true when it did. */
export async function recordUsagePayment(tx: Db, payment: UsagePayment): Promise<boolean> {
  const checkoutId = checkoutIdOf(payment.data);
  if (!checkoutId) return false;
  const [checkout] = await tx.select().from(checkouts).where(eq(checkouts.id, checkoutId)).for('update');
  const matches =
    checkout !== undefined &&
    checkout.state !== 'completed' &&
    checkout.uses !== null &&
    checkout.amount === payment.amount &&
    checkout.subscriberAddress === payment.from &&
    checkout.receiverAddress === payment.to &&
    checkout.token === payment.token;
  if (!matches) return false;
  // The wallet's subscription of the plan: the lock under which purchases and reported uses add up.
  const [live] = await tx
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.planId, checkout.planId),
        eq(subscriptions.subscriberAddress, checkout.subscriberAddress),
        inArray(subscriptions.state, ['active', 'at_risk']),
      ),
    )
    .for('update');
  let subscriptionId = live?.id;
  if (!subscriptionId) {
    subscriptionId = newId();
    await tx.insert(subscriptions).values({
      id: subscriptionId,
      planId: checkout.planId,
      checkoutId: checkout.id,
      userId: checkout.userId,
      subscriberAddress: checkout.subscriberAddress,
      receiverAddress: checkout.receiverAddress,
      token: checkout.token,
      flowRate: null,
      state: 'active',
      startedAt: payment.at,
      startEventId: payment.id,
      createdAt: payment.at,
      updatedAt: payment.at,
    });
  }
  await tx.insert(usagePurchases).values({
    id: newId(),
    subscriptionId,
    checkoutId: checkout.id,
    uses: checkout.uses!,
    amount: payment.amount,
    eventId: payment.id,
    paidAt: payment.at,
  });
  await tx
    .update(checkouts)
    .set({ state: 'completed', updatedAt: payment.at })
    .where(eq(checkouts.id, checkout.id));
  return true;
}

/**
 * Undoes a purchase whose send left the chain: the purchase goes, its checkout is reserved again
 * (the wallet may send once more), and a subscription it started goes too when nothing else was
 * bought or used on it.
 */
export async function undoUsagePayment(tx: Db, eventId: string, at: Date): Promise<void> {
  const [purchase] = await tx.delete(usagePurchases).where(eq(usagePurchases.eventId, eventId)).returning();
  if (!purchase) return;
  await tx
    .update(checkouts)
    .set({ state: 'reserved', updatedAt: at })
    .where(eq(checkouts.id, purchase.checkoutId));
  await tx.execute(sql`
    DELETE FROM streams_subscriptions s
    WHERE s.id = ${purchase.subscriptionId} AND s.start_event_id = ${eventId}
      AND NOT EXISTS (SELECT 1 FROM streams_usage_purchases p WHERE p.subscription_id = s.id)
      AND NOT EXISTS (SELECT 1 FROM streams_usages u WHERE u.subscription_id = s.id)`);
}

/** Uses bought and uses reported, in all, per usage subscription. */
export async function usesOf(
  db: Db,
  subscriptionIds: readonly string[],
): Promise<Map<string, { bought: number; used: number }>> {
  if (subscriptionIds.length === 0) return new Map();
  const rows = await queryRows<{ id: string; bought: number; used: number }>(
    db,
    sql`SELECT s.id,
          coalesce((SELECT sum(p.uses) FROM streams_usage_purchases p WHERE p.subscription_id = s.id), 0)::int AS bought,
          coalesce((SELECT sum(u.uses) FROM streams_usages u WHERE u.subscription_id = s.id), 0)::int AS used
        FROM streams_subscriptions s
        WHERE s.id IN (${sql.join(
          subscriptionIds.map((id) => sql`${id}`),
          sql`, `,
        )})`,
  );
  return new Map(rows.map((row) => [row.id, { bought: row.bought, used: row.used }]));
}

/** The follower's watchers of the line's super tokens' ERC-777 `Sent`: one per token. */
export function usagePaymentWatchers(chain: ChainRuntime): Watcher[] {
  const watchers: Watcher[] = [];
  for (const symbol of planTokens) {
    const token = chain.deployment.tokens[symbol];
    if (!chain.deployment.superfluid || !token) continue;
    watchers.push(
      defineWatcher({
        name: `streams.usage_payments.${symbol}`,
        address: token.address as Address,
        event: sent,
        onConfirmed: async (
          tx,
          event: ChainEvent<{ from: Address; to: Address; amount: bigint; data: Hex }>,
        ) => {
          await recordUsagePayment(tx, {
            id: event.id,
            at: event.blockTimestamp,
            token: symbol,
            from: event.args.from.toLowerCase(),
            to: event.args.to.toLowerCase(),
            amount: event.args.amount,
            data: event.args.data,
          });
        },
        onOrphaned: (tx, event) => undoUsagePayment(tx, event.id, event.blockTimestamp),
      }),
    );
  }
  return watchers;
}
