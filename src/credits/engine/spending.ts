import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { applyTransfers } from '../../ledger/engine';
import { ledgerRefusal } from '../../ledger/errors';
import type { TransferInput } from '../../ledger/types';
import { creditsErrors } from '../errors';
import type { ReservationState } from '../schema';
import { allocate, type GrantPart, insufficientFunds, smaller, spendableGrants, totalOf } from './burn-order';
import { lockCustomers } from './customer-lock';
import { drainExpiredGrants } from './expiry';
import {
  optionalKey,
  optionalText,
  optionalUuid,
  requirePositive,
  requireText,
  requireUuid,
  secondsUntil,
} from './inputs';
import { allApplied, CREDITS_LEDGER, TRANSFER_CODES, usedAccountFor } from './ledger';
import {
  findReservationByKey,
  findUsageByKey,
  finishReservation,
  type Hold,
  insertReservation,
  insertUsage,
  lockReservation,
  publicReservation,
  type ReservationRow,
  reservationColumns,
  type StoredReservation,
  toStoredReservation,
} from './records';
import { moveReservation, stateAt } from './reservation-state';

/**
 * Spending credits. A charge burns them at once (posted transfers grant → used); a reservation holds
 * them (pending transfers grant → used, one per grant drawn on) until it is used, released or expires.
 *
 * Every spend locks the person's `credits_customers` row first, then computes the allocation from the
 * ledger balances and applies it as one linked chain in the caller's transaction: two spends of one
 * person run one after the other, and a retry with the same idempotency key finds the first one's
 * result. The ledger's own limit (`debits_must_not_exceed_credits` on every grant) is the last word:
 * whatever happens above it, no grant ever pays more than it holds.
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

export interface ChargeInput {
  amount: bigint;
  usedFor: string;
  action?: string | null;
  idempotencyKey?: string | null;
}

/** Burns credits at once, in burn order; insufficient_funds when the scope holds too few. */
export async function chargeCredits(
  tx: Db,
  clock: Clock,
  scope: SpendScope,
  input: ChargeInput,
): Promise<Usage> {
  const userId = requireUuid(scope.userId, 'userId');
  const workspaceId = optionalUuid(scope.workspaceId, 'workspaceId');
  const amount = requirePositive(input.amount);
  const usedFor = requireText(input.usedFor, 'usedFor');
  const action = optionalText(input.action, 'action');
  const key = optionalKey(input.idempotencyKey);

  await lockCustomers(tx, clock, [userId]);
  if (key) {
    const prior = await findUsageByKey(tx, userId, key);
    if (prior) {
      const same =
        !prior.isReserved &&
        prior.amount === amount &&
        prior.usedFor === usedFor &&
        prior.action === action &&
        prior.workspaceId === workspaceId;
      if (!same) throw idempotencyConflict(key);
      return prior;
    }
  }
  const paidBy = await allocateOrRefuse(tx, clock, { userId, workspaceId }, amount);
  const usage: Usage = {
    id: newId(),
    userId,
    workspaceId,
    usedFor,
    action,
    amount,
    isReserved: false,
    reservedFor: null,
    reservationId: null,
    paidBy,
    usedAt: clock.now(),
  };
  // The rows go in before the ledger write, so the shared `used` account stays locked only briefly.
  await insertUsage(tx, usage, key);
  const transfers = linked(
    paidBy.map((part) => ({
      id: newId(),
      debitAccountId: part.grantId,
      creditAccountId: usedAccountFor(userId),
      amount: part.amount,
      ledger: CREDITS_LEDGER,
      code: TRANSFER_CODES.usage,
      metadata: { usageId: usage.id },
    })),
  );
  const results = await applyTransfers(tx, transfers, { clock });
  if (!allApplied(results)) throw ledgerRefusal(results, () => insufficientFunds(totalOf(paidBy), amount));
  return usage;
}

export interface ReserveInput {
  amount: bigint;
  reservedFor: string;
  action?: string | null;
  /** When the credits go back by themselves; rounded up to a whole second after now (the ledger's timeouts are seconds). */
  expiresAt?: Date | null;
  idempotencyKey?: string | null;
}

/** Holds credits for later use; insufficient_funds when the scope holds too few. */
export async function reserveCredits(
  tx: Db,
  clock: Clock,
  scope: SpendScope,
  input: ReserveInput,
): Promise<Reservation> {
  const userId = requireUuid(scope.userId, 'userId');
  const workspaceId = optionalUuid(scope.workspaceId, 'workspaceId');
  const amount = requirePositive(input.amount);
  const reservedFor = requireText(input.reservedFor, 'reservedFor');
  const action = optionalText(input.action, 'action');
  const key = optionalKey(input.idempotencyKey);

  await lockCustomers(tx, clock, [userId]);
  if (key) {
    const prior = await findReservationByKey(tx, userId, key);
    if (prior) {
      const same =
        prior.amount === amount &&
        prior.reservedFor === reservedFor &&
        prior.action === action &&
        prior.workspaceId === workspaceId;
      if (!same) throw idempotencyConflict(key);
      return publicReservation(prior);
    }
  }
  const now = clock.now();
  const requestedSeconds = input.expiresAt ? secondsUntil(input.expiresAt, now) : 0;
  const parts = await allocateOrRefuse(tx, clock, { userId, workspaceId }, amount);
  const timeoutSeconds = await cappedByGrants(tx, parts, now, requestedSeconds);
  const reservation: StoredReservation = {
    id: newId(),
    userId,
    workspaceId,
    reservedFor,
    action,
    amount,
    usedAmount: 0n,
    state: 'active',
    // The ledger's hold expires at exactly this moment, so the two never disagree.
    expiresAt: timeoutSeconds > 0 ? new Date(now.getTime() + timeoutSeconds * 1000) : null,
    createdAt: now,
    finishedAt: null,
    holds: parts.map((part) => ({ grantId: part.grantId, transferId: newId(), amount: part.amount })),
  };
  await insertReservation(tx, reservation, key);
  const transfers = linked(reservation.holds.map((hold) => holdTransfer(hold, reservation, timeoutSeconds)));
  const results = await applyTransfers(tx, transfers, { clock });
  if (!allApplied(results)) throw ledgerRefusal(results, () => insufficientFunds(totalOf(parts), amount));
  return publicReservation(reservation);
}

/**
 * A reservation never outlives the grants it holds: otherwise credits reserved just before their
 * cycle ends could be used after it, beyond what the product lets roll over. Whole seconds, rounded
 * down, because the ledger's timeouts are seconds.
 */
async function cappedByGrants(
  tx: Db,
  parts: GrantPart[],
  now: Date,
  requestedSeconds: number,
): Promise<number> {
  const [row] = await queryRows<{ expires_at: string | null }>(
    tx,
    sql`SELECT min(expires_at)::text AS expires_at FROM credits_grants
        WHERE id IN (${sql.join(
          parts.map((part) => sql`${part.grantId}`),
          sql`, `,
        )})`,
  );
  if (!row?.expires_at) return requestedSeconds;
  const grantSeconds = Math.floor((parseTimestamp(row.expires_at).getTime() - now.getTime()) / 1000);
  if (grantSeconds < 1) {
    throw creditsErrors.error(
      'reservation_too_short',
      'the credits that would be reserved expire within a second',
      {
        expires_at: row.expires_at,
      },
    );
  }
  return requestedSeconds === 0 ? grantSeconds : Math.min(requestedSeconds, grantSeconds);
}

export interface UseReservationInput {
  /** How much of it to use; all of it when omitted. */
  amount?: bigint;
  /** What the use was for; the reservation's `reservedFor` when omitted. */
  usedFor?: string;
  idempotencyKey?: string | null;
  /** Keep what is not used reserved, as a new reservation, instead of returning it to the grants. */
  keepRemainder?: boolean;
  /**
   * The action the use pays for, when it is not the one the credits were reserved for: a workspace's
   * reserve (reserved by `create_workspace`) pays for the actions taken in it.
   */
  action?: string | null;
}

/**
 * Uses a reservation: its holds are posted in burn order up to the amount (the one at the boundary in
 * part), and the rest is released to the grants, or with `keepRemainder` stays held as a new
 * reservation with the same purpose and expiry.
 */
export async function useReservation(
  tx: Db,
  clock: Clock,
  userId: string,
  reservationId: string,
  input: UseReservationInput = {},
): Promise<{ usage: Usage; remainder: Reservation | null }> {
  requireUuid(userId, 'userId');
  if (input.amount !== undefined) requirePositive(input.amount);
  const usedForInput = optionalText(input.usedFor, 'usedFor', 500);
  const actionInput = optionalText(input.action, 'action');
  const key = optionalKey(input.idempotencyKey);

  await lockCustomers(tx, clock, [userId]);
  const reservation = await lockReservation(tx, userId, reservationId);
  const amount = input.amount ?? reservation.amount;
  const usedFor = usedForInput ?? reservation.reservedFor;
  const action = actionInput ?? reservation.action;
  const keepsRemainder = input.keepRemainder === true && amount < reservation.amount;
  if (key) {
    const prior = await findUsageByKey(tx, userId, key);
    if (prior) {
      const remainder = await findReservationByKey(tx, userId, remainderKey(reservation.id));
      const same =
        prior.reservationId === reservation.id &&
        prior.amount === amount &&
        prior.usedFor === usedFor &&
        prior.action === action &&
        (remainder !== null) === keepsRemainder;
      if (!same) throw idempotencyConflict(key);
      return { usage: prior, remainder: remainder && publicReservation(remainder) };
    }
  }
  const now = clock.now();
  moveReservation(stateAt(reservation, now), 'used');
  if (amount > reservation.amount) {
    throw new AppError(
      'validation_failed',
      `the reservation holds ${reservation.amount} credits, not ${amount}`,
      {
        reserved: reservation.amount.toString(),
        requested: amount.toString(),
      },
    );
  }

  const remainderTimeout =
    keepsRemainder && reservation.expiresAt ? secondsUntil(reservation.expiresAt, now) : 0;
  const transfers: TransferInput[] = [];
  const paidBy: GrantPart[] = [];
  const kept: Hold[] = [];
  const returnedTo: string[] = [];
  let left = amount;
  for (const hold of reservation.holds) {
    const take = smaller(hold.amount, left);
    left -= take;
    if (take > 0n) {
      // A post of less than the hold releases the rest of it (TigerBeetle's partial post).
      transfers.push({
        id: newId(),
        pendingId: hold.transferId,
        amount: take,
        flags: { postPendingTransfer: true },
      });
      paidBy.push({ grantId: hold.grantId, amount: take });
    }
    const rest = hold.amount - take;
    if (rest === 0n) continue;
    if (keepsRemainder && take === 0n) {
      kept.push(hold);
    } else if (keepsRemainder) {
      const again: Hold = { grantId: hold.grantId, transferId: newId(), amount: rest };
      kept.push(again);
      transfers.push(holdTransfer(again, reservation, remainderTimeout));
    } else {
      if (take === 0n)
        transfers.push({ id: newId(), pendingId: hold.transferId, flags: { voidPendingTransfer: true } });
      returnedTo.push(hold.grantId);
    }
  }

  const usage: Usage = {
    id: newId(),
    userId: reservation.userId,
    workspaceId: reservation.workspaceId,
    usedFor,
    action,
    amount,
    isReserved: true,
    reservationId: reservation.id,
    reservedFor: reservation.reservedFor,
    paidBy,
    usedAt: now,
  };
  await insertUsage(tx, usage, key);
  let remainder: StoredReservation | null = null;
  if (keepsRemainder) {
    remainder = {
      ...reservation,
      id: newId(),
      amount: reservation.amount - amount,
      usedAmount: 0n,
      state: 'active',
      createdAt: now,
      finishedAt: null,
      holds: kept,
    };
    await insertReservation(tx, remainder, remainderKey(reservation.id));
  }
  await finishReservation(tx, reservation.id, 'used', amount, now);
  const results = await applyTransfers(tx, linked(transfers), { clock });
  if (!allApplied(results)) {
    throw ledgerRefusal(results);
  }
  await drainExpiredGrants(tx, clock, returnedTo);
  return { usage, remainder: remainder && publicReservation(remainder) };
}

/** Returns a reservation's credits to the grants it held them on. */
export async function releaseReservation(
  tx: Db,
  clock: Clock,
  userId: string,
  reservationId: string,
): Promise<Reservation> {
  requireUuid(userId, 'userId');
  await lockCustomers(tx, clock, [userId]);
  const reservation = await lockReservation(tx, userId, reservationId);
  const now = clock.now();
  moveReservation(stateAt(reservation, now), 'released');
  await finishReservation(tx, reservation.id, 'released', 0n, now);
  const voids = reservation.holds.map(
    (hold): TransferInput => ({
      id: newId(),
      pendingId: hold.transferId,
      flags: { voidPendingTransfer: true },
    }),
  );
  const results = await applyTransfers(tx, linked(voids), { clock });
  if (!allApplied(results)) {
    throw ledgerRefusal(results);
  }
  await drainExpiredGrants(
    tx,
    clock,
    reservation.holds.map((h) => h.grantId),
  );
  return { ...publicReservation(reservation), state: 'released', finishedAt: now };
}

const EXPIRY_BATCH = 200;

/**
 * Marks every active reservation past its expiry `expired`, and makes sure the ledger agrees: a hold
 * the ledger has not expired yet is expired now (or, for a part re-held by a partial use whose
 * whole-second timeout ends a moment later, voided). Returns how many reservations expired.
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
      await expireReservations(tx, clock, due.map(toStoredReservation));
      return due.length;
    });
    total += expired;
    if (expired < EXPIRY_BATCH) return total;
  }
}

async function expireReservations(tx: Db, clock: Clock, due: readonly StoredReservation[]): Promise<void> {
  if (due.length === 0) return;
  const holds = due.flatMap((r) => r.holds);
  // Not linked: each hold ends on its own, and the engine expires a due one before it looks at the void.
  const results = await applyTransfers(
    tx,
    holds.map(
      (hold): TransferInput => ({
        id: newId(),
        pendingId: hold.transferId,
        flags: { voidPendingTransfer: true },
      }),
    ),
    { clock },
  );
  const unexpected = results.find((r) => r.result !== 'ok' && r.result !== 'pending_transfer_expired');
  if (unexpected) {
    throw new AppError('internal', 'a reservation hold was neither pending nor expired', {
      transferId: unexpected.id,
      result: unexpected.result,
    });
  }
  await tx.execute(
    sql`UPDATE credits_reservations SET state = 'expired', finished_at = expires_at
        WHERE id = ANY(${sql.param(due.map((r) => r.id))}::uuid[])`,
  );
  await drainExpiredGrants(
    tx,
    clock,
    holds.map((h) => h.grantId),
  );
}

/**
 * The allocation of `amount` over the scope's grants in burn order, or insufficient_funds. Called
 * under the person's lock. Reservations past their expiry are ended first, so credits they held count
 * as available even before the sweep runs.
 */
export async function allocateOrRefuse(
  tx: Db,
  clock: Clock,
  scope: { userId: string; workspaceId: string | null },
  amount: bigint,
): Promise<GrantPart[]> {
  const now = clock.now();
  let spendable = await spendableGrants(tx, now, scope);
  if (spendable.hasDueReservations) {
    const due = await queryRows<ReservationRow>(
      tx,
      sql`SELECT ${reservationColumns} FROM credits_reservations
          WHERE user_id = ${scope.userId} AND state = 'active' AND expires_at <= ${now}
          ORDER BY id FOR UPDATE`,
    );
    await expireReservations(tx, clock, due.map(toStoredReservation));
    spendable = await spendableGrants(tx, now, scope);
  }
  const parts = allocate(spendable.grants, amount);
  if (!parts) throw insufficientFunds(totalOf(spendable.grants), amount);
  return parts;
}

/** A person's reservation; not_found for anyone else's. */
export async function getReservation(db: Db, userId: string, id: string): Promise<Reservation> {
  const [row] =
    isUuid(id) && isUuid(userId)
      ? await queryRows<ReservationRow>(
          db,
          sql`SELECT ${reservationColumns} FROM credits_reservations WHERE id = ${id} AND user_id = ${userId}`,
        )
      : [];
  if (!row) throw notFound('reservation', { id });
  return publicReservation(toStoredReservation(row));
}

/** The remainder of a partial use is keyed after the reservation it came from: at most one each. */
const remainderKey = (reservationId: string): string => `remainder:${reservationId}`;

const idempotencyConflict = (key: string): AppError =>
  new AppError('idempotency_conflict', 'this idempotency key was used with a different request', {
    idempotencyKey: key,
  });

/** Chains transfers so they apply all or none. */
function linked(transfers: TransferInput[]): TransferInput[] {
  return transfers.map((t, index) => ({
    ...t,
    flags: { ...t.flags, linked: index < transfers.length - 1 },
  }));
}

function holdTransfer(
  hold: Hold,
  reservation: { id: string; userId: string },
  timeoutSeconds: number,
): TransferInput {
  return {
    id: hold.transferId,
    debitAccountId: hold.grantId,
    creditAccountId: usedAccountFor(reservation.userId),
    amount: hold.amount,
    ledger: CREDITS_LEDGER,
    code: TRANSFER_CODES.reserve,
    flags: { pending: true },
    timeoutSeconds,
    metadata: { reservationId: reservation.id },
  };
}
