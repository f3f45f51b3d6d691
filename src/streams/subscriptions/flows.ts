import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
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
import { checkouts, type PlanToken, plans, planTokens, subscriptions, usages } from '../schema';
import {
  confirmedFlowUpdateBefore,
  FLOW_OPERATORS_WATCHER,
  FLOWS_WATCHER,
  settleClose,
  storedFlowOperator,
  type WatchDeps,
} from './close-reasons';
import { moveSubscription } from './lifecycle';

/**
 * The flows Tally's checkouts create, as the chain reports them: every `FlowUpdated` of the
 * constant flow agreement on the line's super tokens becomes a change of subscriptions.
 *
 * - A flow whose `userData` names a reserved checkout (or one the person gave up meanwhile), and
 *   which adds exactly the checkout's rate to what the wallet already streams to that producer in
 *   that token, starts the checkout's
 *   subscription (several plans of one producer in one token share one flow: the protocol allows
 *   one per sender, receiver and token).
 * - A flow lowered below what its subscriptions need pays for fewer plans: the newest it no longer
 *   covers close. A deleted flow closes them all. Who did it (Tally's operator, the subscriber, a
 *   liquidator) is the flow operator of the log that follows (`close-reasons.ts`).
 * - A flow that names no checkout of Tally's, or adds another rate than the checkout's, starts
 *   nothing: it is someone else's stream, or a wallet's mistake the subscriber can undo.
 */

const flowUpdated = getAbiItem({ abi: cfaV1Abi, name: 'FlowUpdated' });
const flowUpdatedExtension = getAbiItem({ abi: cfaV1Abi, name: 'FlowUpdatedExtension' });

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

/** What one flow update did: how many subscriptions it closed, and the one it started (and in place of which). */
export interface FlowOutcome {
  closed: number;
  started: string | null;
  /** A plan change: the subscription the started one replaced. */
  changedFrom: string | null;
  /** The wallet takes up again a plan whose stream Tally closed before it ran out. */
  resumed: boolean;
}

/**
 * Records what one flow update does to subscriptions, in the transaction that confirms its event
 * (the reason of what it closed comes from the flow operator, `close-reasons.ts`).
 */
export async function recordFlowUpdate(tx: Db, update: FlowUpdate): Promise<FlowOutcome> {
  const live = await tx
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.subscriberAddress, update.sender),
        eq(subscriptions.receiverAddress, update.receiver),
        eq(subscriptions.token, update.token),
        inArray(subscriptions.state, ['active', 'at_risk']),
        // A usage plan's subscription was paid once and has no flow: no flow closes it.
        isNotNull(subscriptions.flowRate),
      ),
    )
    .orderBy(desc(subscriptions.startedAt), desc(subscriptions.id))
    .for('update');
  const streaming = live.reduce((sum, s) => sum + (s.flowRate ?? 0n), 0n);
  const checkedOut = await completesCheckout(tx, update, live, streaming);
  if (checkedOut) return checkedOut;
  const none = { closed: 0, started: null, changedFrom: null, resumed: false };
  if (update.flowRate >= streaming) return none;
  let covered = streaming;
  let closed = 0;
  for (const subscription of live) {
    if (covered <= update.flowRate) break;
    await close(tx, subscription, update);
    covered -= subscription.flowRate ?? 0n;
    closed++;
  }
  return { ...none, closed };
}

/**
 * The checkout a flow update names, if the update does exactly what it asked: a new plan adds its
 * rate to what the wallet streams to the producer; a change swaps the replaced subscription's rate
 * for the new plan's; a cancel takes the replaced subscription's rate out. Anything else is not
 * the checkout's doing, and falls to the plain reading of a lowered flow.
 */
async function completesCheckout(
  tx: Db,
  update: FlowUpdate,
  live: readonly Subscription[],
  streaming: bigint,
): Promise<FlowOutcome | null> {
  const checkoutId = checkoutIdOf(update.userData);
  if (!checkoutId) return null;
  const [found] = await tx
    .select({ checkout: checkouts, plan: plans })
    .from(checkouts)
    .innerJoin(plans, eq(plans.id, checkouts.planId))
    .where(eq(checkouts.id, checkoutId))
    .for('update', { of: [checkouts, plans] });
  if (!found) return null;
  const { checkout, plan } = found;
  const replaced = checkout.replacesSubscriptionId
    ? live.find((subscription) => subscription.id === checkout.replacesSubscriptionId)
    : undefined;
  if (checkout.purpose !== 'subscribe' && !replaced) return null;
  const adds = checkout.purpose === 'cancel' ? 0n : (checkout.flowRate ?? 0n);
  // A checkout the person cancelled while its transaction was on its way still counts: the flow
  // moved, so the wallet pays for the plan, and a subscription is what lets it see the stream and
  // end it from Tally. (Completed and lapsed ones are read as below.)
  const open = checkout.state === 'reserved' || checkout.state === 'cancelled';
  const matches =
    open &&
    checkout.flowRate !== null &&
    checkout.subscriberAddress === update.sender &&
    checkout.receiverAddress === update.receiver &&
    checkout.token === update.token &&
    update.flowRate === streaming - (replaced?.flowRate ?? 0n) + adds;
  if (!matches) return null;
  // A flow that lands after its reservation lapsed, or was cancelled (which gave its slot back),
  // still starts it, if a slot is free.
  const heldNoSlot = checkout.state === 'cancelled' || checkout.expiresAt < update.at;
  if (checkout.purpose !== 'cancel' && heldNoSlot && plan.totalSupply !== null) {
    if ((await slotsTaken(tx, plan.id, update.at)) >= plan.totalSupply) return null;
  }
  if (replaced) await close(tx, replaced, update);
  await tx
    .update(checkouts)
    .set({ state: 'completed', updatedAt: update.at })
    .where(eq(checkouts.id, checkout.id));
  const closed = replaced ? 1 : 0;
  if (checkout.purpose === 'cancel') return { closed, started: null, changedFrom: null, resumed: false };
  const [previous] = await tx
    .select({ closeReason: subscriptions.closeReason })
    .from(subscriptions)
    .where(and(eq(subscriptions.planId, plan.id), eq(subscriptions.subscriberAddress, update.sender)))
    .orderBy(desc(subscriptions.startedAt))
    .limit(1);
  const started = newId();
  await tx.insert(subscriptions).values({
    id: started,
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
  return {
    closed,
    started,
    changedFrom: replaced?.id ?? null,
    resumed: !replaced && previous?.closeReason === 'operator',
  };
}

/** Closed, its reason not known yet: the flow operator's log tells it (`settleClose`). */
async function close(tx: Db, subscription: Subscription, update: FlowUpdate): Promise<void> {
  await tx
    .update(subscriptions)
    .set({
      state: moveSubscription(subscription.state, 'closed'),
      closedAt: update.at,
      closeEventId: update.id,
      updatedAt: update.at,
    })
    .where(eq(subscriptions.id, subscription.id));
}

/** Undoes what a flow update did when its block leaves the chain: what it started, and what it closed. */
export async function undoFlowUpdate(tx: Db, eventId: string, at: Date): Promise<void> {
  const started = await tx
    .select({ id: subscriptions.id, checkoutId: subscriptions.checkoutId })
    .from(subscriptions)
    .where(eq(subscriptions.startEventId, eventId))
    .for('update');
  for (const subscription of started) {
    // The undo must not fail: the follower's watcher would stay on this event, and no flow would be
    // followed any more. So what hangs on the subscription goes with it. Its reported uses count
    // against a stream plan's month limit only (no money is attached to them); a flow mined again
    // starts a new subscription, whose month counts afresh, as a plan taken up again does.
    await tx.delete(usages).where(eq(usages.subscriptionId, subscription.id));
    // A change or cancel still open named a subscription the standing chain never started: it can
    // no longer complete, and a change's slot of its new plan is given back. The person starts over
    // from the subscription once its flow is seen again.
    await tx
      .update(checkouts)
      .set({ state: 'cancelled', replacesSubscriptionId: null, updatedAt: at })
      .where(and(eq(checkouts.replacesSubscriptionId, subscription.id), eq(checkouts.state, 'reserved')));
    // Any other (the update that completed it was undone first, newest first) only loses the link.
    await tx
      .update(checkouts)
      .set({ replacesSubscriptionId: null, updatedAt: at })
      .where(eq(checkouts.replacesSubscriptionId, subscription.id));
    await tx.delete(subscriptions).where(eq(subscriptions.id, subscription.id));
    await tx
      .update(checkouts)
      .set({ state: 'reserved', updatedAt: at })
      .where(eq(checkouts.id, subscription.checkoutId));
  }
  // A change or cancel completed by this update closed the subscription it replaces, here: it is
  // reserved again, so that the update mined again closes that plan's share by its name rather
  // than, read as a plain lowered flow, the newest plan of the flow. (A change's own subscription
  // was reset with the start above.)
  const closedHere = tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(eq(subscriptions.closeEventId, eventId));
  await tx
    .update(checkouts)
    .set({ state: 'reserved', updatedAt: at })
    .where(
      and(
        inArray(checkouts.replacesSubscriptionId, closedHere),
        inArray(checkouts.purpose, ['change', 'cancel']),
        eq(checkouts.state, 'completed'),
      ),
    );
  // Streaming again; the next run-out scan says whether it is at risk.
  await tx
    .update(subscriptions)
    .set({
      state: 'active',
      closedAt: null,
      closeEventId: null,
      closeReason: null,
      closedBy: null,
      updatedAt: at,
    })
    .where(eq(subscriptions.closeEventId, eventId));
}

/**
 * The follower's watchers of the constant flow agreement for the line's super tokens (none on a
 * chain without Superfluid or without those tokens): `FlowUpdatedExtension`, whose flow operator
 * tells who closed a flow, listed first so that in one poll it is usually read before the
 * `FlowUpdated` it follows; and `FlowUpdated`, which starts and closes subscriptions.
 */
export function flowWatchers(chain: ChainRuntime, deps: WatchDeps): Watcher[] {
  const tokens = new Map<string, PlanToken>();
  for (const symbol of planTokens) {
    const token = chain.deployment.tokens[symbol];
    if (token) tokens.set(token.address.toLowerCase(), symbol);
  }
  if (!chain.deployment.superfluid || tokens.size === 0) return [];
  let cfa: Address | null = null;
  // The agreement's address is the host's to say (a configured chain records only the host).
  const agreement = async () => {
    const [symbol] = tokens.values();
    cfa ??= (await resolveStreamContracts(chain.client.publicClient, chain.deployment, symbol!)).cfa;
    return cfa;
  };
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
  const operators = defineWatcher({
    name: FLOW_OPERATORS_WATCHER,
    address: agreement,
    event: flowUpdatedExtension,
    onConfirmed: async (tx, event) => {
      const closeEventId = await confirmedFlowUpdateBefore(tx, event);
      if (closeEventId) await settleClose(tx, deps, closeEventId, event.args.flowOperator);
    },
    // Its `FlowUpdated` is in the same block and leaves with it: that event's undo reopens what it closed.
    onOrphaned: async () => {},
  });
  const flows = defineWatcher({
    name: FLOWS_WATCHER,
    address: agreement,
    event: flowUpdated,
    onConfirmed: async (tx, event) => {
      const update = updateOf(event);
      if (!update) return;
      const outcome = await recordFlowUpdate(tx, update);
      if (outcome.started)
        await deps.onSubscriptionEvent(tx, {
          type: outcome.changedFrom
            ? 'subscription.plan_changed'
            : outcome.resumed
              ? 'subscription.resumed'
              : 'subscription.created',
          subscriptionId: outcome.started,
          causeId: event.id,
        });
      if (outcome.closed === 0) return;
      const flowOperator = await storedFlowOperator(tx, event);
      if (flowOperator) await settleClose(tx, deps, event.id, flowOperator);
    },
    onOrphaned: (tx, event) => undoFlowUpdate(tx, event.id, event.blockTimestamp),
  });
  return [operators, flows];
}
