import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { applyBalanceOps } from '../../ledger/engine';
import type { Source } from '../../ledger/holds';
import type { ReservationState } from '../schema';
import type { GrantPart } from './burn-order';
import { drainExpiredGrants } from './expiry';
import { findReservation, type ReservationRow, reservationColumns } from './records';
import {
  type ChargeInput,
  chargeCall,
  doneOrThrow,
  type ReserveInput,
  releaseCall,
  reserveCall,
  runSpendBatch,
  sourcesForScopes,
  type UseReservationInput,
  useCall,
} from './spend-batch';

/**
 * Spending credits, on the ledger's prepaid balances (`ledger/holds.ts`): a person's grants in burn
 * order are the balance, the `used` sink (sharded by person) takes what is spent. A charge is a spend;
 * a reservation is a hold, with the same id, used (captured) or released later or expiring by itself.
 *
 * These run one spend inside the caller's transaction (a workspace's making, a grant funded by a
 * reseller); the API's hot routes send theirs through `creditsSpender` (spend-batch.ts), the same
 * code with many calls per commit. The ledger draws on the grants under its account locks, so two
 * spends of one person never both take the same credits, and ids come from the idempotency key: a
 * retry finds the first attempt's transfers (`exists`) and answers its records.
 */

/** Whose credits pay, and where: a workspace's own grants first, then the person's pool (`workspaceId` null). */
export interface SpendScope {
  userId: string;
  workspaceId?: string | null;
}

export interface Usage {
  id: string;
  userId: string;
  workspaceId: string | null;
  usedFor: string;
  action: string | null;
  amount: bigint;
  isReserved: boolean;
  reservationId: string | null;
  /** What the credits were reserved for, when the use came out of a reservation. */
  reservedFor: string | null;
  /** The grants that paid, in burn order. */
  paidBy: GrantPart[];
  usedAt: Date;
}

export interface Reservation {
  id: string;
  userId: string;
  workspaceId: string | null;
  reservedFor: string;
  action: string | null;
  amount: bigint;
  usedAmount: bigint;
  state: ReservationState;
  expiresAt: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export type { ChargeInput, ReserveInput, UseReservationInput };

const runOne = async (tx: Db, clock: Clock, call: Parameters<typeof runSpendBatch>[2][number]) =>
  doneOrThrow((await runSpendBatch(tx, clock, [call]))[0]!);

/** Burns credits at once, in burn order; insufficient_funds when the scope holds too few. */
export async function chargeCredits(
  tx: Db,
  clock: Clock,
  scope: SpendScope,
  input: ChargeInput,
): Promise<Usage> {
  return (await runOne(tx, clock, chargeCall(scope, input))).usage!;
}

/**
 * Holds credits for later use; insufficient_funds when the scope holds too few. A reservation never
 * outlives the grants it holds (the ledger cuts its expiry to theirs), so credits reserved just before
 * their cycle ends cannot be used after it.
 */
export async function reserveCredits(
  tx: Db,
  clock: Clock,
  scope: SpendScope,
  input: ReserveInput,
): Promise<Reservation> {
  return (await runOne(tx, clock, reserveCall(scope, input, clock.now()))).reservation!;
}

/**
 * Uses a reservation: its hold is captured in burn order up to the amount, and the rest is released
 * to the grants, or with `keepRemainder` stays held as a new reservation with the same purpose
 * (at most one per reservation: its id derives from the reservation's).
 */
export async function useReservation(
  tx: Db,
  clock: Clock,
  userId: string,
  reservationId: string,
  input: UseReservationInput = {},
): Promise<{ usage: Usage; remainder: Reservation | null }> {
  const done = await runOne(tx, clock, useCall(userId, reservationId, input));
  return { usage: done.usage!, remainder: done.remainder ?? null };
}

/** Returns a reservation's credits to the grants it held them on. */
export async function releaseReservation(
  tx: Db,
  clock: Clock,
  userId: string,
  reservationId: string,
): Promise<Reservation> {
  return (await runOne(tx, clock, releaseCall(userId, reservationId))).reservation!;
}

const EXPIRY_BATCH = 200;

/**
 * Marks every active reservation past its expiry `expired`, and makes sure the ledger agrees: a hold
 * the ledger has not expired yet is expired now. Returns how many reservations expired.
 */
export async function expireDueReservations(db: Db, clock: Clock): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await db.transaction(async (tx) => {
      const due = await queryRows<ReservationRow>(
        tx,
        sql`SELECT ${reservationColumns} FROM credits_reservations
            WHERE state = 'active' AND expires_at <= ${clock.now()}
            ORDER BY expires_at, id LIMIT ${EXPIRY_BATCH} FOR UPDATE SKIP LOCKED`,
      );
      // Stryker disable next-line ConditionalExpression: with nothing due the release and update touch nothing; the guard saves them
      if (due.length === 0) return 0;
      // A hold already past its timeout answers `pending_transfer_expired` and is expired on the spot.
      const results = await applyBalanceOps(
        tx,
        due.map((r) => ({ op: 'release' as const, id: newId(), holdId: r.id })),
        { clock },
      );
      const unexpected = results.findIndex(
        (r) => r.result !== 'ok' && r.result !== 'pending_transfer_expired',
      );
      if (unexpected >= 0) {
        throw new AppError('internal', 'a reservation hold was neither held nor expired', {
          reservationId: due[unexpected]!.id,
          result: results[unexpected]!.result,
        });
      }
      await tx.execute(
        sql`UPDATE credits_reservations SET state = 'expired', finished_at = expires_at
            WHERE id = ANY(${sql.param(due.map((r) => r.id))}::uuid[])`,
      );
      await drainExpiredGrants(
        tx,
        clock,
        // A release, held or expired, always answers with its hold.
        results.flatMap((r) => r.hold!.parts.map((p) => p.accountId)),
      );
      return due.length;
    });
    total += expired;
    // Stryker disable next-line EqualityOperator: a full last batch only costs one more empty read
    if (expired < EXPIRY_BATCH) return total;
  }
}

/** The grants that pay in a scope, in burn order, as the ledger's balance (see `sourcesForScopes`). */
export async function sourcesFor(
  tx: Db,
  now: Date,
  scope: { userId: string; workspaceId: string | null },
): Promise<Source[]> {
  return (await sourcesForScopes(tx, now, [scope]))[0]!;
}

/** A person's reservation as it stands now; not_found for anyone else's. */
export async function getReservation(db: Db, clock: Clock, userId: string, id: string): Promise<Reservation> {
  const found = isUuid(id) && isUuid(userId) ? await findReservation(db, userId, id, clock.now()) : null;
  if (!found) throw notFound('reservation', { id });
  return found;
}
