import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { smaller } from '../../core/money';
import type { ProductType, RefillCycle } from '../schema';
import { burnOrder, type GrantPart, totalOf } from './burn-order';
import { lockCustomers } from './customer-lock';
import { lockLeftInGrants, markExpired, moveToExpired } from './expiry';
import { type Grant, issueGrant } from './grants';
import { requirePositive, requireUuid } from './inputs';
import { derivedId } from './ledger';

/**
 * Refill cycles (seed §3 "Credit Refill"): a holding of a product gets the product's credits once per
 * cycle. Each cycle's credits are a grant that expires when the next cycle starts; at that boundary
 * up to `rolloverCredits` of what is left carries into a `rollover` grant for the new cycle, the rest
 * goes to the expired sink, and the new cycle's grant is issued. Usage history stays as it is: the
 * seed's "calculate the usage on every cycle" is the balance of the current cycle's grants.
 *
 * Every grant and transfer of a refill is named after (holding, cycle start), and the holding row is
 * advanced in the same transaction, so a crash or a second runner never grants a cycle twice.
 */

/** Carried-over credits burn before the new cycle's (both expire at the same boundary). */
export const ROLLOVER_PRIORITY = 90;

const DAY_MS = 86_400_000;

/**
 * The first cycle boundary after `from` in the series that starts at `anchor` (UTC calendar). Months
 * and years keep the anchor's day and clamp it to short months: an anchor of Jan 31 gives Feb 28 (29
 * in leap years), then Mar 31. Null for a product that never refills.
 */
export function nextCycleStart(from: Date, cycle: RefillCycle, anchor: Date = from): Date | null {
  if (cycle === 'none') return null;
  const boundary = (n: number): Date => cycleBoundary(anchor, cycle, n);
  let n: number;
  if (cycle === 'day' || cycle === 'week') {
    const period = cycle === 'day' ? DAY_MS : 7 * DAY_MS;
    n = Math.floor((from.getTime() - anchor.getTime()) / period) + 1;
  } else {
    const months =
      (from.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (from.getUTCMonth() - anchor.getUTCMonth());
    n = Math.floor(months / (cycle === 'year' ? 12 : 1));
  }
  n = Math.max(1, n);
  while (n > 1 && boundary(n - 1).getTime() > from.getTime()) n--;
  while (boundary(n).getTime() <= from.getTime()) n++;
  return boundary(n);
}

/** The start of cycle `n` of the series that starts at `anchor`. */
function cycleBoundary(anchor: Date, cycle: Exclude<RefillCycle, 'none'>, n: number): Date {
  if (cycle === 'day') return new Date(anchor.getTime() + n * DAY_MS);
  if (cycle === 'week') return new Date(anchor.getTime() + n * 7 * DAY_MS);
  const months = anchor.getUTCMonth() + n * (cycle === 'year' ? 12 : 1);
  const year = anchor.getUTCFullYear() + Math.floor(months / 12);
  const month = months % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(anchor.getUTCDate(), lastDay),
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

export interface HoldingProduct {
  id: string;
  creditsPerCycle: bigint;
  refillCycle: RefillCycle;
  rolloverCredits: bigint;
  ownerUserId: string | null;
  type: ProductType;
}

export interface StartHoldingInput {
  userId: string;
  product: HoldingProduct;
  purchaseId: string;
}

/**
 * Starts a person's holding of a product: the first cycle's grant now (expiring when the next cycle
 * starts; never for a cycle of `none`), drawn out of the reseller's pool for an under-whitelabel
 * product. The holding is named after the purchase, so recording one purchase twice starts it once.
 */
export async function startHolding(
  tx: Db,
  clock: Clock,
  input: StartHoldingInput,
): Promise<{ holdingId: string; grant: Grant }> {
  const userId = requireUuid(input.userId, 'userId');
  const purchaseId = requireUuid(input.purchaseId, 'purchaseId');
  const { product } = input;
  const productId = requireUuid(product.id, 'product.id');
  requirePositive(product.creditsPerCycle, 'creditsPerCycle');
  const reseller = product.type === 'under_whitelabel' ? product.ownerUserId : null;
  if (product.type === 'under_whitelabel' && !reseller) {
    throw new AppError('validation_failed', 'an under-whitelabel product needs its reseller');
  }
  const holdingId = derivedId('holding', purchaseId, productId);
  const now = clock.now();
  const next = nextCycleStart(now, product.refillCycle);
  await tx.execute(
    sql`INSERT INTO credits_holdings (id, user_id, product_id, purchase_id, cycle_started_at, next_refill_at,
          refilled_at, active, created_at)
        VALUES (${holdingId}, ${userId}, ${productId}, ${purchaseId}, ${now}, ${next}, ${now}, TRUE, ${now})
        ON CONFLICT (id) DO NOTHING`,
  );
  const grant = await issueGrant(tx, clock, {
    id: derivedId('first', holdingId),
    userId,
    source: 'purchase',
    amount: product.creditsPerCycle,
    expiresAt: next,
    productId,
    holdingId,
    fundedBy: reseller ? { userId: reseller } : null,
  });
  return { holdingId, grant };
}

const REFILL_BATCH = 100;

/**
 * Refills every holding whose next cycle has started, each in its own transaction, catching up on
 * every cycle missed while nothing ran. A holding that cannot be refilled (its reseller lacks the
 * credits) is counted as failed and tried again on the next run; it never holds up the others.
 */
export async function refillDueHoldings(
  db: Db,
  clock: Clock,
  log?: Logger,
): Promise<{ refilled: number; failed: number }> {
  let refilled = 0;
  let failed = 0;
  let after: { at: string; id: string } | null = null;
  for (;;) {
    const due: { id: string; next_refill_at: string }[] = await queryRows(
      db,
      sql`SELECT id, next_refill_at::text FROM credits_holdings
          WHERE active AND next_refill_at <= ${clock.now()}
            ${after ? sql`AND (next_refill_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
          ORDER BY next_refill_at, id LIMIT ${REFILL_BATCH}`,
    );
    for (const holding of due) {
      try {
        const outcome = await db.transaction((tx) => refillHolding(tx, clock, holding.id));
        if (outcome.refilled) refilled++;
        if (outcome.failure) {
          failed++;
          log?.warn(
            { holdingId: holding.id, err: outcome.failure },
            'credits refill failed; retried on the next run',
          );
        }
      } catch (error) {
        failed++;
        log?.warn({ holdingId: holding.id, err: error }, 'credits refill failed; retried on the next run');
      }
    }
    const last = due[due.length - 1];
    if (!last || due.length < REFILL_BATCH) return { refilled, failed };
    after = { at: last.next_refill_at, id: last.id };
  }
}

interface DueHolding {
  id: string;
  userId: string;
  productId: string;
  anchor: Date;
  nextRefillAt: Date;
  creditsPerCycle: bigint;
  refillCycle: RefillCycle;
  rolloverCredits: bigint;
  reseller: string | null;
}

/**
 * Processes each cycle boundary of one holding that has passed, in order, each in a savepoint: a cycle
 * that fails (a reseller short of credits) is undone alone, the cycles before it stay done, and the
 * holding waits at that boundary for the next run.
 */
async function refillHolding(
  tx: Db,
  clock: Clock,
  holdingId: string,
): Promise<{ refilled: boolean; failure: AppError | null }> {
  const holding = await lockDueHolding(tx, clock.now(), holdingId);
  // Another runner has it, or has just done it.
  if (!holding) return { refilled: false, failure: null };
  await lockCustomers(tx, clock, holding.reseller ? [holding.userId, holding.reseller] : [holding.userId]);
  let boundary: Date | null = holding.nextRefillAt;
  let cycles = 0;
  while (boundary && boundary.getTime() <= clock.now().getTime()) {
    const start: Date = boundary;
    const next = nextCycleStart(start, holding.refillCycle, holding.anchor);
    try {
      await tx.transaction((savepoint) => refillCycle(savepoint, clock, holding, start, next));
    } catch (error) {
      if (error instanceof AppError && error.code === 'insufficient_funds') {
        return { refilled: cycles > 0, failure: error };
      }
      throw error;
    }
    cycles++;
    boundary = next;
  }
  return { refilled: true, failure: null };
}

async function lockDueHolding(tx: Db, now: Date, holdingId: string): Promise<DueHolding | null> {
  const [row] = await queryRows<{
    id: string;
    user_id: string;
    product_id: string;
    created_at: string;
    next_refill_at: string;
    credits_per_cycle: string;
    refill_cycle: RefillCycle;
    rollover_credits: string;
    type: ProductType;
    owner_user_id: string | null;
  }>(
    tx,
    sql`SELECT h.id, h.user_id, h.product_id, h.created_at::text, h.next_refill_at::text,
          p.credits_per_cycle::text, p.refill_cycle, p.rollover_credits::text, p.type, p.owner_user_id
        FROM credits_holdings h JOIN credits_products p ON p.id = h.product_id
        WHERE h.id = ${holdingId} AND h.active AND h.next_refill_at <= ${now}
        FOR UPDATE OF h SKIP LOCKED`,
  );
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    productId: row.product_id,
    anchor: parseTimestamp(row.created_at),
    nextRefillAt: parseTimestamp(row.next_refill_at),
    creditsPerCycle: BigInt(row.credits_per_cycle),
    refillCycle: row.refill_cycle,
    rolloverCredits: BigInt(row.rollover_credits),
    reseller: row.type === 'under_whitelabel' ? row.owner_user_id : null,
  };
}

/** One boundary: end the last cycle's grants (rolling some over), issue the new cycle's, advance the holding. */
async function refillCycle(
  tx: Db,
  clock: Clock,
  holding: DueHolding,
  start: Date,
  next: Date | null,
): Promise<void> {
  const cycle = start.toISOString();
  const ending = await queryRows<{ id: string }>(
    tx,
    sql`SELECT g.id FROM credits_grants g
        WHERE g.holding_id = ${holding.id} AND g.expired_at IS NULL AND g.expires_at <= ${start}
        ORDER BY ${burnOrder} FOR UPDATE`,
  );
  const left = await lockLeftInGrants(
    tx,
    ending.map((g) => g.id),
  );
  const { rolled, expiring } = splitRollover(left, holding.rolloverCredits);
  await moveToExpired(tx, clock, expiring, (grantId) => derivedId('expire', grantId));
  if (rolled.length > 0) {
    await issueGrant(
      tx,
      clock,
      {
        id: derivedId('rollover', holding.id, cycle),
        userId: holding.userId,
        source: 'rollover',
        amount: totalOf(rolled),
        priority: ROLLOVER_PRIORITY,
        expiresAt: next,
        productId: holding.productId,
        holdingId: holding.id,
      },
      rolled,
    );
  }
  if (ending.length > 0) {
    await markExpired(
      tx,
      ending.map((g) => g.id),
      clock.now(),
    );
  }
  await issueGrant(tx, clock, {
    id: derivedId('cycle', holding.id, cycle),
    userId: holding.userId,
    source: 'refill',
    amount: holding.creditsPerCycle,
    expiresAt: next,
    productId: holding.productId,
    holdingId: holding.id,
    fundedBy: holding.reseller ? { userId: holding.reseller } : null,
  });
  await tx.execute(
    sql`UPDATE credits_holdings SET cycle_started_at = ${start}, next_refill_at = ${next}, refilled_at = ${start}
        WHERE id = ${holding.id}`,
  );
}

/** Up to `rollover` of what is left carries over, taken in burn order; the rest expires. */
function splitRollover(
  left: readonly GrantPart[],
  rollover: bigint,
): { rolled: GrantPart[]; expiring: GrantPart[] } {
  const rolled: GrantPart[] = [];
  const expiring: GrantPart[] = [];
  let room = rollover;
  for (const part of left) {
    const carried = smaller(part.amount, room);
    room -= carried;
    if (carried > 0n) rolled.push({ grantId: part.grantId, amount: carried });
    if (part.amount > carried) expiring.push({ grantId: part.grantId, amount: part.amount - carried });
  }
  return { rolled, expiring };
}
