import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { events } from '../../chain/schema';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import type { Logger } from '../../core/log';
import { type Notifier, notifyAll } from '../../core/notifications/service';
import { type CloseReason, plans, producers, subscriptions } from '../schema';
import {
  closedStateOf,
  closeReasonOf,
  moveSubscription,
  type OnSubscriptionEvent,
  type SubscriptionEvent,
} from './lifecycle';
import { closedByTallyNotice, liquidatedNotice, type NoticeAccount, type NoticePlan } from './notifications';

/**
 * Who closed a subscription's flow. The agreement names the flow operator of every change in
 * `FlowUpdatedExtension(flowOperator, deposit)`, emitted right after its `FlowUpdated` in the same
 * call (CFAv1 `_changeFlow`: "we emit these two events one after the other so the subgraph can
 * properly handle this"), so it is the log at the next index of the same block.
 *
 * It is read by a watcher of its own (`streams.flow_operators`) rather than from the transaction's
 * receipt: a watcher's handler may not call the chain (it runs in the transaction that confirms the
 * event), while a second watcher gets the follower's confirmations, reorg handling and lag checks
 * for free. The two watchers keep cursors of their own, so either may hand its half over first; the
 * one that comes second settles the close (`settleClose`, once: it only fills a reason still
 * missing), and a sweep at every run-out scan settles what two processes racing might have left.
 */

export const FLOWS_WATCHER = 'streams.flows';
export const FLOW_OPERATORS_WATCHER = 'streams.flow_operators';

/** What settling closes and watching flows need besides a transaction. */
export interface WatchDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  notifier: Notifier;
  /** Tally's flow operator: the treasury, which every checkout authorises. */
  operator: string;
  onSubscriptionEvent: OnSubscriptionEvent;
}

interface LogPlace {
  chainId: number;
  blockHash: string;
  logIndex: number;
}

/** The flow operator of the `FlowUpdated` at this place, if its extension log was read (and is not orphaned). */
export async function storedFlowOperator(tx: Db, flowUpdated: LogPlace): Promise<string | null> {
  const [row] = await tx
    .select({ args: events.args })
    .from(events)
    .where(
      and(
        eq(events.follower, FLOW_OPERATORS_WATCHER),
        eq(events.chainId, flowUpdated.chainId),
        eq(events.blockHash, flowUpdated.blockHash),
        eq(events.logIndex, flowUpdated.logIndex + 1),
        ne(events.state, 'orphaned'),
      ),
    );
  const operator = (row?.args as { flowOperator?: unknown } | undefined)?.flowOperator;
  return typeof operator === 'string' ? operator.toLowerCase() : null;
}

/** The confirmed `FlowUpdated` an extension log belongs to: the log just before it, in the same block. */
export async function confirmedFlowUpdateBefore(tx: Db, extension: LogPlace): Promise<string | null> {
  const [row] = await tx
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.follower, FLOWS_WATCHER),
        eq(events.chainId, extension.chainId),
        eq(events.blockHash, extension.blockHash),
        eq(events.logIndex, extension.logIndex - 1),
        eq(events.state, 'confirmed'),
      ),
    );
  return row?.id ?? null;
}

/**
 * Gives the subscriptions a `FlowUpdated` closed the reason its flow operator tells, once: Tally's
 * operator and the subscriber close (the plan's grace applies), anyone else liquidated. Tells the
 * subscriber by mail and in the app when Tally closed the flow or a liquidator did, and announces
 * each subscription's end.
 */
export async function settleClose(
  tx: Db,
  deps: WatchDeps,
  closeEventId: string,
  flowOperator: string,
): Promise<number> {
  const rows = await tx
    .select({
      subscription: subscriptions,
      plan: {
        planName: plans.name,
        producerId: producers.id,
        producerName: producers.name,
        graceSeconds: plans.graceSeconds,
      },
    })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(producers, eq(producers.id, plans.producerId))
    .where(
      and(
        eq(subscriptions.closeEventId, closeEventId),
        eq(subscriptions.state, 'closed'),
        isNull(subscriptions.closeReason),
      ),
    )
    .for('update', { of: [subscriptions] });
  if (rows.length === 0) return 0;
  const groups = new Map<
    string,
    { reason: CloseReason; account: NoticeAccount; closedAt: Date; plans: NoticePlan[] }
  >();
  const announced: SubscriptionEvent[] = [];
  for (const { subscription, plan } of rows) {
    const reason = closeReasonOf(flowOperator, subscription.subscriberAddress, deps.operator);
    const state = closedStateOf(reason);
    await tx
      .update(subscriptions)
      .set({
        state: state === subscription.state ? state : moveSubscription(subscription.state, state),
        closeReason: reason,
        closedBy: flowOperator.toLowerCase(),
        updatedAt: deps.clock.now(),
      })
      .where(eq(subscriptions.id, subscription.id));
    announced.push({
      type: reason === 'liquidated' ? 'subscription.liquidated' : 'subscription.closed',
      subscriptionId: subscription.id,
      causeId: closeEventId,
    });
    // The subscriber closed it: nothing to tell them.
    if (reason === 'subscriber') continue;
    const key = `${subscription.userId}|${subscription.subscriberAddress}|${subscription.token}`;
    const group = groups.get(key) ?? {
      reason,
      account: {
        userId: subscription.userId,
        wallet: subscription.subscriberAddress,
        token: subscription.token,
      },
      closedAt: subscription.closedAt ?? deps.clock.now(),
      plans: [],
    };
    group.plans.push(plan);
    groups.set(key, group);
  }
  await notifyAll(
    tx,
    deps.notifier,
    [...groups.values()].map(({ reason, account, closedAt, plans }) => {
      const input = { closedAt, dedupeKey: `streams.${reason}:${closeEventId}` };
      return reason === 'liquidated'
        ? liquidatedNotice(account, plans, input)
        : closedByTallyNotice(account, plans, input);
    }),
  );
  for (const event of announced) await deps.onSubscriptionEvent(tx, event);
  return rows.length;
}

/**
 * Settles the closes of the last week whose reason is still missing although both logs were read:
 * what the two watchers' handlers miss when two processes confirm the halves at the same moment.
 */
export async function settleUnexplainedCloses(deps: WatchDeps, chainId: number): Promise<number> {
  const since = new Date(deps.clock.now().getTime() - 7 * 86_400_000);
  const waiting = await deps.db
    .selectDistinct({ closeEventId: subscriptions.closeEventId })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.state, 'closed'),
        isNull(subscriptions.closeReason),
        gt(subscriptions.closedAt, since),
      ),
    );
  const ids = waiting.map((row) => row.closeEventId).filter((id): id is string => id !== null);
  if (ids.length === 0) return 0;
  const found = await queryRows<{ close_event_id: string; flow_operator: string }>(
    deps.db,
    sql`SELECT fu.id::text AS close_event_id, ext.args->>'flowOperator' AS flow_operator
        FROM chain_events fu
        JOIN chain_events ext ON ext.follower = ${FLOW_OPERATORS_WATCHER} AND ext.chain_id = fu.chain_id
          AND ext.block_hash = fu.block_hash AND ext.log_index = fu.log_index + 1 AND ext.state <> 'orphaned'
        WHERE fu.follower = ${FLOWS_WATCHER} AND fu.chain_id = ${chainId} AND fu.state = 'confirmed'
          AND fu.id = ANY(${sql.param(ids)}::uuid[])`,
  );
  let settled = 0;
  for (const row of found) {
    settled += await deps.db.transaction((tx) =>
      settleClose(tx, deps, row.close_event_id, row.flow_operator),
    );
  }
  return settled;
}
