import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { applyBalanceOps } from '../../ledger/engine';
import { type BalanceOp, type Hold, idFromKey } from '../../ledger/holds';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import {
  commitToGrant,
  type GrantCharge,
  grantLimitError,
  grantRoom,
  returnToGrant,
} from '../grants/service';
import {
  availableOf,
  creditsAccountOf,
  ensureCreditsAccount,
  findAccount,
  GATEWAY_NAMESPACE,
  servedSink,
  USDC_LEDGER,
} from '../ledger';
import { calls, leases } from '../schema';

/**
 * The database side of charging calls (`meter.ts` keeps the rest in memory): a lease is a block of a
 * person's credits held on the ledger and committed to their grant's limits, for calls of one tool;
 * served calls are captured from it in groups, and what it did not use goes back when it ends.
 */

export type Call = typeof calls.$inferSelect;
export type NewCall = typeof calls.$inferInsert;
export type LeaseRow = typeof leases.$inferSelect;

/** A lease's hold lives this long; it takes no new call once less than a call's longest life is left. */
export const LEASE_SECONDS = 30 * 60;
/** A lease holds this many calls' worth, when the balance and the grant allow. */
export const LEASE_CALLS = 100n;

/** The id of the call a person's request key names: the same key always names the same call. */
export const callIdOf = (userId: string, key: string): string =>
  idFromKey(GATEWAY_NAMESPACE, 'call', userId, key);

/** What a lease is for: one person, under one grant (or the wallet itself), one server's tool. */
export interface LeaseScope {
  userId: string;
  grantId: string | null;
  serverId: string;
  providerId: string;
  slug: string;
  tool: string;
}

export interface OpenedLease {
  row: LeaseRow;
  hold: Hold;
  /** What the person's credits could give besides, as the ledger had it when the lease began. */
  availableBeside: bigint;
}

const floorTo = (amount: bigint, unit: bigint) => amount - (amount % unit);

/**
 * Opens a lease for calls at `price`, in one transaction: up to `LEASE_CALLS` calls' worth, no more
 * than the grant's tightest limit and the person's credits allow (whole calls). Refuses with
 * `grant_limit` or `insufficient_credits` when not even one call fits.
 */
export async function openLease(
  deps: Pick<GatewayDeps, 'db' | 'clock'>,
  scope: LeaseScope,
  price: bigint,
): Promise<OpenedLease> {
  return deps.db.transaction(async (tx) => {
    const at = deps.clock.now();
    let amount = price * LEASE_CALLS;
    if (scope.grantId) {
      const room = await grantRoom(tx, at, { ...scope, grantId: scope.grantId });
      if (room.room < price) throw grantLimitError(room, price);
      amount = floorTo(room.room < amount ? room.room : amount, price);
    }
    const credits = await ensureCreditsAccount(tx, deps.clock, scope.userId);
    // The ledger says what is available when a hold does not fit: at most one more try, for that.
    for (let attempt = 0; ; attempt++) {
      const id = randomUUID();
      const [held] = await applyBalanceOps(
        tx,
        [
          {
            op: 'hold',
            id,
            ledger: USDC_LEDGER,
            code: 'gateway_lease',
            from: [{ accountId: credits }],
            to: servedSink.shardFor(scope.userId),
            amount,
            timeoutSeconds: LEASE_SECONDS,
            metadata: { lease: id, server: scope.slug, tool: scope.tool },
          },
        ],
        { clock: deps.clock },
      );
      if (held?.result === 'ok' && held.hold) {
        if (scope.grantId) await commitToGrant(tx, at, grantCharge(scope, scope.grantId, amount, at));
        const [row] = await tx
          .insert(leases)
          .values({
            id,
            ...scope,
            amount,
            holdId: id,
            startedAt: at,
            expiresAt: held.hold.expiresAt ?? new Date(at.getTime() + LEASE_SECONDS * 1000),
          })
          .returning();
        const account = await findAccount(tx, credits);
        return { row: row!, hold: held.hold, availableBeside: account ? availableOf(account) : 0n };
      }
      const available = held?.available ?? 0n;
      if (attempt > 0 || available < price)
        throw gatewayErrors.error(
          'insufficient_credits',
          `this call costs ${price} micro-USDC and ${available} are available`,
          { price: price.toString(), available: available.toString(), result: held?.result },
        );
      amount = floorTo(available < amount ? available : amount, price);
    }
  });
}

const grantCharge = (scope: LeaseScope, grantId: string, amount: bigint, at: Date): GrantCharge => ({
  grantId,
  amount,
  providerId: scope.providerId,
  slug: scope.slug,
  tool: scope.tool,
  at,
});

/** One lease's part of a commit: its calls that ended, what they took, and whether the lease ends. */
export interface LeaseCommit {
  lease: Pick<
    LeaseRow,
    'id' | 'userId' | 'grantId' | 'providerId' | 'slug' | 'tool' | 'amount' | 'startedAt'
  >;
  holdId: string;
  hold?: Hold;
  /** The calls that ended since the last commit, served and refunded. */
  calls: NewCall[];
  /** The served calls' prices: captured from the lease's hold. */
  capture: bigint;
  /** The lease is done: what is not captured is released and given back to the grant. */
  end: boolean;
}

export interface LeaseCommitted {
  leaseId: string;
  /** The hold carrying the rest, when the lease goes on. */
  rest?: Hold;
  /** False when the hold had expired (a process stalled past it): the calls were recorded refunded. */
  charged: boolean;
}

/**
 * Commits what leases did since the last commit, in the caller's transaction: each lease's served
 * calls captured from its hold (the rest held again, or released when the lease ends), the calls
 * written, the leases' rows brought up to date and an ended lease's unused part given back to its
 * grant. Ids of the ledger operations derive from the hold they end, so a commit sent again after a
 * lost answer finds them done (`exists`) instead of moving anything twice.
 */
export async function commitLeases(
  tx: Db,
  clock: Clock,
  commits: readonly LeaseCommit[],
  /** Calls of free tools, which no lease carries. */
  freeCalls: readonly NewCall[] = [],
): Promise<{ leases: LeaseCommitted[]; availableBeside: Map<string, bigint> }> {
  const ops: BalanceOp[] = [];
  const opFor = new Map<string, number>();
  for (const commit of commits) {
    if (commit.capture === 0n && !commit.end) continue;
    opFor.set(commit.lease.id, ops.length);
    const derived = (what: string) => idFromKey(GATEWAY_NAMESPACE, 'lease', what, commit.holdId);
    ops.push(
      commit.capture > 0n
        ? {
            op: 'capture',
            id: derived('capture'),
            holdId: commit.holdId,
            hold: commit.hold,
            amount: commit.capture,
            ...(commit.end ? {} : { keepRest: { id: derived('rest') } }),
          }
        : { op: 'release', id: derived('release'), holdId: commit.holdId, hold: commit.hold },
    );
  }
  const results = ops.length > 0 ? await applyBalanceOps(tx, ops, { clock }) : [];
  const now = clock.now();
  const committed: LeaseCommitted[] = [];
  const rows: NewCall[] = [...freeCalls];
  for (const commit of commits) {
    const index = opFor.get(commit.lease.id);
    const result = index === undefined ? undefined : results[index];
    const done = result === undefined || result.result === 'ok' || result.result === 'exists';
    // A capture the ledger refused (the hold expired): nothing was charged, the calls say so.
    const charged = done || commit.capture === 0n;
    for (const call of commit.calls)
      rows.push(
        charged || call.state !== 'served'
          ? call
          : {
              ...call,
              state: 'refunded',
              result: null,
              failure: 'the call outlasted its lease on the credits; nothing was charged',
            },
      );
    const captured = charged ? commit.capture : 0n;
    const rest = result?.rest;
    const [row] = await tx
      .update(leases)
      .set({
        captured: sql`${leases.captured} + ${captured.toString()}::numeric`,
        ...(rest ? { holdId: rest.id } : {}),
        ...(commit.end ? { endedAt: now } : {}),
      })
      .where(and(eq(leases.id, commit.lease.id), isNull(leases.endedAt)))
      .returning();
    if (row && commit.end) await giveBackUnused(tx, row);
    committed.push({ leaseId: commit.lease.id, rest, charged });
  }
  if (rows.length > 0) await tx.insert(calls).values(rows).onConflictDoNothing();
  // What each person's credits give besides their leases: the receipts' "balance after".
  const availableBeside = new Map<string, bigint>();
  for (const userId of new Set(commits.map((c) => c.lease.userId))) {
    const account = await findAccount(tx, creditsAccountOf(userId));
    availableBeside.set(userId, account ? availableOf(account) : 0n);
  }
  return { leases: committed, availableBeside };
}

/** Gives an ended lease's unused part back to its grant (the caller ended the row: once). */
async function giveBackUnused(tx: Db, lease: LeaseRow): Promise<void> {
  if (!lease.grantId || lease.amount <= lease.captured) return;
  await returnToGrant(tx, grantCharge(lease, lease.grantId, lease.amount - lease.captured, lease.startedAt));
}

/**
 * Ends leases whose process never did (it died): once a lease's hold has expired the ledger has
 * released it, and the grant gets back what the lease did not capture. Calls the process served but
 * never committed are lost to metering: the person was not charged for them.
 */
export async function sweepLostLeases(deps: Pick<GatewayDeps, 'db' | 'clock'>): Promise<number> {
  const lost = await deps.db
    .select({ id: leases.id })
    .from(leases)
    .where(and(isNull(leases.endedAt), lte(leases.expiresAt, deps.clock.now())))
    .limit(500);
  if (lost.length === 0) return 0;
  await deps.db.transaction(async (tx) => {
    const ended = await tx
      .update(leases)
      .set({ endedAt: deps.clock.now() })
      .where(
        and(
          inArray(
            leases.id,
            lost.map((l) => l.id),
          ),
          isNull(leases.endedAt),
        ),
      )
      .returning();
    for (const lease of ended) await giveBackUnused(tx, lease);
  });
  return lost.length;
}
