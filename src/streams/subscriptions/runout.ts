import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ChainRuntime } from '../../chain/runtime';
import type { Db } from '../../core/database';
import { notifyAll } from '../../core/notifications/service';
import { plans, producers, subscriptions } from '../schema';
import {
  type Account,
  chainNow,
  criticalOf,
  dateOf,
  isEmbeddedChain,
  liveAccounts,
  readAccounts,
  streamingNow,
} from './accounts';
import { settleUnexplainedCloses, type WatchDeps } from './close-reasons';
import { moveSubscription } from './lifecycle';
import { type NoticeAccount, type NoticePlan, runsOutNotice } from './notifications';
import { queueFlowClose } from './operator-close';

/**
 * The run-out scan: every streaming subscription's wallet, read on chain in a few calls, and what
 * follows from when it turns critical (its available balance below zero, when anyone may delete its
 * flows and keep the buffer):
 *
 * - within 7 days: the subscriptions are `at_risk` and the subscriber is warned, once; again within
 *   24 hours. Each warning's time is recorded with the state, in the transaction that queues its
 *   mail, so a restart never warns twice. A top-up that puts it beyond 7 days makes them `active`
 *   again and re-arms both warnings; beyond 24 hours re-arms the second.
 * - within the close margin (an hour by default, never under two scan intervals so a scan always
 *   falls inside it): Tally's operator deletes each of the wallet's flows to Tally's producers,
 *   through the treasury sender, once per flow whatever the restarts. The agreement returns the
 *   whole buffer to a sender that is not critical: the subscriber loses nothing but the stream. The
 *   subscriptions close when the follower sees the deletion (`flows.ts`, reason `operator`).
 *
 * A wallet's run-out moment stays put while its flows and balance do, so a scan reads only the
 * wallets that may need something: new ones, those at risk or within 7 days of it, and every other
 * one at least every `fullReadSeconds` (10 minutes), which catches a transfer out or an unwrap.
 *
 * The RPC may lag, drop answers and refuse. A wallet whose read failed keeps what it had and is read
 * again at the next scan; a read of a block too far behind the clock (a lagging backend) changes
 * nothing at all; and a close is queued only when a second read of that wallet alone, made just
 * before, agrees that it is due. Once critical, Tally no longer closes: the agreement would count
 * its delete as a liquidation and pay the treasury a reward out of the subscriber's buffer.
 */

const SEVEN_DAYS = 7n * 86_400n;
const ONE_DAY = 86_400n;

export interface RunOutSettings {
  scanIntervalMs: number;
  /**
   * Every streaming wallet is read at least this often (seconds); between, a wallet whose last read
   * put its run-out beyond 7 days (and twice this) is left out of a scan, as it needs nothing yet.
   */
  fullReadSeconds: number;
  /** Seconds before the account turns critical that Tally's operator closes its flows. */
  closeMarginSeconds: number;
  /** A read of a block older than this (seconds behind the clock) is stale; null: never (the embedded chain). */
  maxReadLagSeconds: number | null;
  /** Wallets per `eth_call` of the multicall. */
  accountsPerCall: number;
}

const settingsEnv = z.object({
  STREAMS_SCAN_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  STREAMS_CLOSE_MARGIN_SECONDS: z.coerce.number().int().min(1).default(3_600),
  STREAMS_MAX_READ_LAG_SECONDS: z.coerce.number().int().min(1).default(120),
  STREAMS_FULL_READ_SECONDS: z.coerce.number().int().min(0).default(600),
});

/** The scan's settings from the environment; a margin under two scan intervals stops the start. */
export function runOutSettings(env: Record<string, string | undefined>, chain: ChainRuntime): RunOutSettings {
  const parsed = settingsEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `streams run-out settings: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const { STREAMS_SCAN_INTERVAL_SECONDS: interval, STREAMS_CLOSE_MARGIN_SECONDS: margin } = parsed.data;
  if (margin < 2 * interval) {
    throw new Error(
      `STREAMS_CLOSE_MARGIN_SECONDS (${margin}) must be at least twice STREAMS_SCAN_INTERVAL_SECONDS (${interval}): a flow must meet a scan inside its margin`,
    );
  }
  return {
    scanIntervalMs: interval * 1000,
    fullReadSeconds: parsed.data.STREAMS_FULL_READ_SECONDS,
    closeMarginSeconds: margin,
    // Anvil mines only when a transaction comes, so an idle embedded chain's head is old and still
    // current; and the node is Tally's own, it does not lag.
    maxReadLagSeconds: isEmbeddedChain(chain) ? null : parsed.data.STREAMS_MAX_READ_LAG_SECONDS,
    accountsPerCall: 250,
  };
}

export interface RunOutDeps extends WatchDeps {
  chain: ChainRuntime;
  settings: RunOutSettings;
}

/** What one scan did, for logs, tests and the benchmark. */
export interface RunOutScan {
  subscriptions: number;
  accounts: number;
  /** Accounts this scan had to read: near their run-out, at risk, new, or not read for `fullReadSeconds`. */
  due: number;
  /** Accounts read; the rest of the due ones failed and wait for the next scan. */
  read: number;
  /** The whole read was of a block too far behind the clock: nothing changed. */
  stale: boolean;
  blockNumber: bigint | null;
  atRisk: number;
  active: number;
  warned7d: number;
  warned24h: number;
  closesQueued: number;
  closesRefused: number;
}

interface Reading {
  account: Account;
  /** Chain seconds; null: never at the current rates. */
  criticalAt: bigint | null;
}

/** Reads the streaming wallets due and acts on what it finds; see the file's comment. */
export async function scanRunOuts(deps: RunOutDeps): Promise<RunOutScan> {
  await settleUnexplainedCloses(deps, deps.chain.client.chainId);
  const live = await liveAccounts(deps.db);
  const accounts = live.filter(isDue(deps.settings, deps.clock.now()));
  const scan: RunOutScan = {
    subscriptions: live.reduce((sum, account) => sum + account.subscriptions.length, 0),
    accounts: live.length,
    due: accounts.length,
    read: 0,
    stale: false,
    blockNumber: null,
    atRisk: 0,
    active: 0,
    warned7d: 0,
    warned24h: 0,
    closesQueued: 0,
    closesRefused: 0,
  };
  if (accounts.length === 0) return scan;
  let read: Awaited<ReturnType<typeof readAccounts>>;
  try {
    read = await readAccounts(deps.chain, accounts, deps.settings.accountsPerCall);
  } catch (error) {
    deps.log.warn({ err: error }, 'streams run-out scan could not read the chain');
    return scan;
  }
  scan.blockNumber = read.blockNumber;
  const clockSeconds = BigInt(Math.floor(deps.clock.now().getTime() / 1000));
  const lag = deps.settings.maxReadLagSeconds;
  if (lag !== null && clockSeconds - read.timestamp > BigInt(lag)) {
    deps.log.warn(
      { block: read.blockNumber, lagSeconds: Number(clockSeconds - read.timestamp) },
      'streams run-out scan read a stale block',
    );
    scan.stale = true;
    return scan;
  }
  // A clock behind the chain would close too late.
  const now = chainNow(deps.clock, read.timestamp);
  const readings: Reading[] = [];
  accounts.forEach((account, index) => {
    const position = read.positions[index];
    if (position) readings.push({ account, criticalAt: criticalOf(position) });
  });
  scan.read = readings.length;
  await recordRunOuts(deps.db, readings, dateOf(now));

  const margin = BigInt(deps.settings.closeMarginSeconds);
  for (const reading of readings) {
    if (needsChange(reading, now)) {
      const changed = await deps.db.transaction((tx) => applyRunOut(tx, deps, reading, now));
      scan.atRisk += changed.atRisk;
      scan.active += changed.active;
      scan.warned7d += changed.warned7d;
      scan.warned24h += changed.warned24h;
    }
    const { criticalAt } = reading;
    if (criticalAt === null || criticalAt <= now || criticalAt - now > margin) continue;
    const receivers = new Set(
      reading.account.subscriptions
        .filter((s) => s.closingTransactionId === null)
        .map((s) => s.receiverAddress),
    );
    for (const receiver of receivers) {
      try {
        if (await queueFlowClose(deps, reading.account, receiver, read.timestamp)) scan.closesQueued++;
      } catch (error) {
        scan.closesRefused++;
        deps.log.warn(
          { err: error, subscriber: reading.account.subscriber, receiver, token: reading.account.token },
          'streams could not queue the close of a flow about to run out; the next scan tries again',
        );
      }
    }
  }
  return scan;
}

/**
 * Whether a wallet must be read now. Its run-out moment does not move while its flows and balance
 * stay as they are, so a wallet whose last read put it beyond 7 days (and beyond twice the full-read
 * period, so it is read every scan well before it crosses) needs no read — unless it is new, at
 * risk (a top-up sets it back), or not read for `fullReadSeconds`: a transfer out or an unwrap
 * moves the moment without a flow event, and is caught within that time.
 */
function isDue(settings: RunOutSettings, at: Date) {
  const now = at.getTime();
  const horizon = now + (7 * 86_400 + 2 * settings.fullReadSeconds) * 1000;
  const stale = now - settings.fullReadSeconds * 1000;
  return (account: Account) =>
    account.subscriptions.some(
      (s) =>
        s.scannedAt === null ||
        s.state === 'at_risk' ||
        s.scannedAt.getTime() <= stale ||
        (s.runsOutAt !== null && s.runsOutAt.getTime() <= horizon),
    );
}

/** Every read subscription's run-out moment and when it was read, in one statement. */
async function recordRunOuts(db: Db, readings: readonly Reading[], scannedAt: Date): Promise<void> {
  const ids: string[] = [];
  const runsOut: (string | null)[] = [];
  for (const { account, criticalAt } of readings) {
    for (const subscription of account.subscriptions) {
      ids.push(subscription.id);
      runsOut.push(criticalAt === null ? null : dateOf(criticalAt).toISOString());
    }
  }
  if (ids.length === 0) return;
  await db.execute(sql`
    UPDATE streams_subscriptions s SET runs_out_at = v.runs_out_at, scanned_at = ${scannedAt}
    FROM unnest(${sql.param(ids)}::uuid[], ${sql.param(runsOut)}::timestamptz[]) AS v(id, runs_out_at)
    WHERE s.id = v.id AND s.state IN ('active', 'at_risk') AND s.flow_rate IS NOT NULL`);
}

/** What the reading asks of the subscriptions' states and warnings, told from the scan's own copy. */
function needsChange({ account, criticalAt }: Reading, now: bigint): boolean {
  const left = criticalAt === null ? null : criticalAt - now;
  return account.subscriptions.some((s) => {
    if (left === null || left > SEVEN_DAYS) return s.state === 'at_risk' || s.warned7dAt !== null;
    if (s.state === 'active' || s.warned7dAt === null) return true;
    return left <= ONE_DAY ? s.warned24hAt === null : s.warned24hAt !== null;
  });
}

interface Changed {
  atRisk: number;
  active: number;
  warned7d: number;
  warned24h: number;
}

/**
 * Moves one wallet's subscriptions to what the reading says, under their rows' locks, from the rows
 * as they are now (another process may have done it already): states, warnings, the subscriber's
 * notices (one per person and warning, naming every plan it pays), and the `at_risk` events.
 */
async function applyRunOut(tx: Db, deps: RunOutDeps, reading: Reading, now: bigint): Promise<Changed> {
  const { account, criticalAt } = reading;
  const changed: Changed = { atRisk: 0, active: 0, warned7d: 0, warned24h: 0 };
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
        eq(subscriptions.token, account.token),
        eq(subscriptions.subscriberAddress, account.subscriber),
        streamingNow,
      ),
    )
    .orderBy(asc(subscriptions.startedAt), asc(subscriptions.id))
    .for('update', { of: [subscriptions] });
  const at = deps.clock.now();
  const left = criticalAt === null ? null : criticalAt - now;
  const warnings = new Map<string, { warning: '7d' | '24h'; account: NoticeAccount; plans: NoticePlan[] }>();
  for (const { subscription, plan } of rows) {
    if (left === null || left > SEVEN_DAYS) {
      if (subscription.state === 'active' && subscription.warned7dAt === null) continue;
      await tx
        .update(subscriptions)
        .set({
          state: subscription.state === 'active' ? 'active' : moveSubscription(subscription.state, 'active'),
          warned7dAt: null,
          warned24hAt: null,
          updatedAt: at,
        })
        .where(eq(subscriptions.id, subscription.id));
      if (subscription.state === 'at_risk') changed.active++;
      continue;
    }
    const warning =
      left <= ONE_DAY
        ? subscription.warned24hAt === null
          ? '24h'
          : null
        : subscription.warned7dAt === null
          ? '7d'
          : null;
    const rearm24h = left > ONE_DAY && subscription.warned24hAt !== null;
    if (subscription.state === 'at_risk' && warning === null && !rearm24h) continue;
    await tx
      .update(subscriptions)
      .set({
        state: subscription.state === 'at_risk' ? 'at_risk' : moveSubscription(subscription.state, 'at_risk'),
        // The 24-hour warning also stands for the 7-day one when the first scan finds less than a day.
        warned7dAt: subscription.warned7dAt ?? (warning ? at : null),
        warned24hAt: rearm24h ? null : warning === '24h' ? at : subscription.warned24hAt,
        updatedAt: at,
      })
      .where(eq(subscriptions.id, subscription.id));
    if (subscription.state === 'active') {
      changed.atRisk++;
      await deps.onSubscriptionEvent(tx, {
        type: 'subscription.at_risk',
        subscriptionId: subscription.id,
        causeId: `runs_out:${account.token}:${account.subscriber}:${criticalAt}`,
      });
    }
    if (!warning) continue;
    const key = `${subscription.userId}|${warning}`;
    const group = warnings.get(key) ?? {
      warning,
      account: { userId: subscription.userId, wallet: account.subscriber, token: account.token },
      plans: [],
    };
    group.plans.push(plan);
    warnings.set(key, group);
  }
  const runsOutAt = dateOf(criticalAt ?? 0n);
  await notifyAll(
    tx,
    deps.notifier,
    [...warnings.values()].map((group) => {
      if (group.warning === '24h') changed.warned24h++;
      else changed.warned7d++;
      return runsOutNotice(group.account, group.plans, {
        runsOutAt,
        now: dateOf(now),
        warning: group.warning,
        closeMarginSeconds: deps.settings.closeMarginSeconds,
        // The moment warned of names the episode: a top-up moves it, and a later warning is new.
        dedupeKey: `streams.runs_out_${group.warning}:${account.token}:${account.subscriber}:${criticalAt}`,
      });
    }),
  );
  return changed;
}
