import { and, desc, eq, inArray } from 'drizzle-orm';
import { type Address, getAbiItem, type Hex } from 'viem';
import type { ChainEvent } from '../../chain/follower/events';
import { defineWatcher, type Watcher } from '../../chain/follower/follower';
import type { ChainRuntime } from '../../chain/runtime';
import { cfaV1Abi } from '../../chain/superfluid/abi';
import type { Db } from '../../core/database';
import { newId } from '../../core/ids';
import { resolveStreamContracts } from '../chain/contracts';
import { checkoutIdOf } from '../chain/flow-reference';
import { slotsTaken } from '../checkouts/service';
import { checkouts, type PlanToken, plans, planTokens, subscriptions } from '../schema';

/**
 * The flows Tally's checkouts create, as the chain reports them: every `FlowUpdated` of the
 * constant flow agreement on the line's super tokens becomes a change of subscriptions.
 *
 * - A flow whose `userData` names a reserved checkout, and which adds exactly the checkout's rate to
 *   what the wallet already streams to that producer in that token, starts the checkout's
 *   subscription (several plans of one producer in one token share one flow: the protocol allows
 *   one per sender, receiver and token).
 * - A flow lowered below what its subscriptions need (by the subscriber, outside Tally) pays for
 *   fewer plans: the newest it no longer covers close. A deleted flow closes them all.
 * - A flow that names no checkout of Tally's, or adds another rate than the checkout's, starts
 *   nothing: it is someone else's stream, or a wallet's mistake the subscriber can undo.
 */

const flowUpdated = getAbiItem({ abi: cfaV1Abi, name: 'FlowUpdated' });

export interface FlowUpdate {
  id: string;
  at: Date;
  token: PlanToken;
  sender: string;
  receiver: string;
  flowRate: bigint;
  userData: Hex;
}

type Subscription = typeof subscriptions.$inferSelect;

/** Records what one flow update does to subscriptions, in the transaction that confirms its event. */
export async function recordFlowUpdate(tx: Db, update: FlowUpdate): Promise<void> {
  const live = await tx
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.subscriberAddress, update.sender),
        eq(subscriptions.receiverAddress, update.receiver),
        eq(subscriptions.token, update.token),
        inArray(subscriptions.state, ['active', 'at_risk']),
      ),
    )
    .orderBy(desc(subscriptions.startedAt), desc(subscriptions.id))
    .for('update');
  const streaming = live.reduce((sum, s) => sum + (s.flowRate ?? 0n), 0n);
  if (await startsCheckout(tx, update, streaming)) return;
  if (update.flowRate >= streaming) return;
  let covered = streaming;
  for (const subscription of live) {
    if (covered <= update.flowRate) break;
    await close(tx, subscription, update);
    covered -= subscription.flowRate ?? 0n;
  }
}

async function startsCheckout(tx: Db, update: FlowUpdate, streaming: bigint): Promise<boolean> {
  const checkoutId = checkoutIdOf(update.userData);
  if (!checkoutId) return false;
  const [found] = await tx
    .select({ checkout: checkouts, plan: plans })
    .from(checkouts)
    .innerJoin(plans, eq(plans.id, checkouts.planId))
    .where(eq(checkouts.id, checkoutId))
    .for('update', { of: [checkouts, plans] });
  if (!found) return false;
  const { checkout, plan } = found;
  const matches =
    checkout.state === 'reserved' &&
    checkout.flowRate !== null &&
    checkout.subscriberAddress === update.sender &&
    checkout.receiverAddress === update.receiver &&
    checkout.token === update.token &&
    update.flowRate - streaming === checkout.flowRate;
  if (!matches) return false;
  // A flow that lands after its reservation lapsed still starts it, if a slot is free.
  if (checkout.expiresAt < update.at && plan.totalSupply !== null) {
    if ((await slotsTaken(tx, plan.id, update.at)) >= plan.totalSupply) return false;
  }
  await tx.insert(subscriptions).values({
    id: newId(),
    planId: checkout.planId,
    checkoutId: checkout.id,
    userId: checkout.userId,
    subscriberAddress: checkout.subscriberAddress,
    receiverAddress: checkout.receiverAddress,
    token: checkout.token,
    flowRate: checkout.flowRate,
    state: 'active',
    startedAt: update.at,
    startEventId: update.id,
    createdAt: update.at,
    updatedAt: update.at,
  });
  await tx
    .update(checkouts)
    .set({ state: 'completed', updatedAt: update.at })
    .where(eq(checkouts.id, checkout.id));
  return true;
}

async function close(tx: Db, subscription: Subscription, update: FlowUpdate): Promise<void> {
  await tx
    .update(subscriptions)
    .set({ state: 'closed', closedAt: update.at, closeEventId: update.id, updatedAt: update.at })
    .where(eq(subscriptions.id, subscription.id));
}

/** Undoes what a flow update did when its block leaves the chain: what it started, and what it closed. */
export async function undoFlowUpdate(tx: Db, eventId: string, at: Date): Promise<void> {
  const started = await tx.delete(subscriptions).where(eq(subscriptions.startEventId, eventId)).returning();
  for (const subscription of started) {
    await tx
      .update(checkouts)
      .set({ state: 'reserved', updatedAt: at })
      .where(eq(checkouts.id, subscription.checkoutId));
  }
  await tx
    .update(subscriptions)
    .set({ state: 'active', closedAt: null, closeEventId: null, updatedAt: at })
    .where(eq(subscriptions.closeEventId, eventId));
}

/**
 * The follower's watcher of the constant flow agreement's `FlowUpdated`, for the line's super
 * tokens; none on a chain without Superfluid or without those tokens.
 */
export function flowWatchers(chain: ChainRuntime): Watcher[] {
  const tokens = new Map<string, PlanToken>();
  for (const symbol of planTokens) {
    const token = chain.deployment.tokens[symbol];
    if (token) tokens.set(token.address.toLowerCase(), symbol);
  }
  if (!chain.deployment.superfluid || tokens.size === 0) return [];
  let cfa: Address | null = null;
  const updateOf = (
    event: ChainEvent<{
      token: Address;
      sender: Address;
      receiver: Address;
      flowRate: bigint;
      userData: Hex;
    }>,
  ) => {
    const token = tokens.get(event.args.token.toLowerCase());
    if (!token) return null;
    return {
      id: event.id,
      at: event.blockTimestamp,
      token,
      sender: event.args.sender.toLowerCase(),
      receiver: event.args.receiver.toLowerCase(),
      flowRate: event.args.flowRate,
      userData: event.args.userData,
    };
  };
  const watcher = defineWatcher({
    name: 'streams.flows',
    // The agreement's address is the host's to say (a configured chain records only the host).
    address: async () => {
      const [symbol] = tokens.values();
      cfa ??= (await resolveStreamContracts(chain.client.publicClient, chain.deployment, symbol!)).cfa;
      return cfa;
    },
    event: flowUpdated,
    onConfirmed: async (tx, event) => {
      const update = updateOf(event);
      if (update) await recordFlowUpdate(tx, update);
    },
    onOrphaned: (tx, event) => undoFlowUpdate(tx, event.id, event.blockTimestamp),
  });
  return [watcher];
}
