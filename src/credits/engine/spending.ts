import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { applyBalanceOps } from '../../ledger/engine';
import { ledgerRefusal } from '../../ledger/errors';
import type { BalanceOpResult, Part, Source } from '../../ledger/holds';
import type { ReservationState } from '../schema';
import { burnOrder, type GrantPart, grantsInScope, grantUnexpired, insufficientFunds } from './burn-order';
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
import { CREDITS_LEDGER, derivedId, TRANSFER_CODES, usedAccountFor } from './ledger';
import {
  findReservation,
  findUsage,
  finishReservation,
  insertReservation,
  insertUsage,
  lockReservation,
  type ReservationRow,
  reservationColumns,
} from './records';
import { moveReservation, stateAt } from './reservation-state';

/**
 * Spending credits, on the ledger's prepaid balances (`ledger/holds.ts`): a person's grants in burn
 * order are the balance, the `used` sink (sharded by person) takes what is spent. A charge is a spend;
 * a reservation is a hold, with the same id, used (captured) or released later or expiring by itself.
 *
 * The ledger draws on the grants under its account locks, so two spends of one person never both
 * take the same credits, and the ledger's limit (`debits_must_not_exceed_credits` on every grant) stays
 * the last word. Ids come from the idempotency key (`usageIdFor`, `reservationIdFor`): a retry finds
 * the first attempt's transfers (`exists`) and answers its record, and one that failed for want of
 * credits answers `id_already_failed` ever after.
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

  const id = key ? usageIdFor(userId, key) : newId();
  const now = clock.now();
  const [spent] = await applyBalanceOps(
    tx,
    [
      {
        op: 'spend',
        id,
        ledger: CREDITS_LEDGER,
        code: TRANSFER_CODES.usage,
        from: await sourcesFor(tx, now, { userId, workspaceId }),
        to: usedAccountFor(userId),
        amount,
        metadata: { usageId: id },
      },
    ],
    { clock },
  );
  if (spent!.result === 'exists') {
    const prior = await findUsage(tx, userId, id);
    const same =
      prior !== null &&
      !prior.isReserved &&
      prior.amount === amount &&
      prior.usedFor === usedFor &&
      prior.action === action &&
      prior.workspaceId === workspaceId;
    if (!same) throw idempotencyConflict(key!);
    return prior;
  }
  if (spent!.result !== 'ok') throw spendRefusal(spent!, amount);
  const usage: Usage = {
    id,
    userId,
    workspaceId,
    usedFor,
    action,
    amount,
    isReserved: false,
    reservedFor: null,
    reservationId: null,
    paidBy: grantParts(spent!.parts),
    usedAt: now,
  };
  await insertUsage(tx, usage, key);
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
  const userId = requireUuid(scope.userId, 'userId');
  const workspaceId = optionalUuid(scope.workspaceId, 'workspaceId');
  const amount = requirePositive(input.amount);
  const reservedFor = requireText(input.reservedFor, 'reservedFor');
  const action = optionalText(input.action, 'action');
  const key = optionalKey(input.idempotencyKey);

  const now = clock.now();
  const id = key ? reservationIdFor(userId, key) : newId();
  const [held] = await applyBalanceOps(
    tx,
    [
      {
        op: 'hold',
        id,
        ledger: CREDITS_LEDGER,
        code: TRANSFER_CODES.reserve,
        from: await sourcesFor(tx, now, { userId, workspaceId }),
        to: usedAccountFor(userId),
        amount,
        timeoutSeconds: input.expiresAt ? secondsUntil(input.expiresAt, now) : 0,
        metadata: { reservationId: id },
      },
    ],
    { clock },
  );
  if (held!.result === 'exists') {
    const prior = await findReservation(tx, userId, id, now);
    const same =
      prior !== null &&
      prior.amount === amount &&
      prior.reservedFor === reservedFor &&
      prior.action === action &&
      prior.workspaceId === workspaceId;
    if (!same) throw idempotencyConflict(key!);
    return prior;
  }
  if (held!.result !== 'ok') throw spendRefusal(held!, amount);
  const reservation: Reservation = {
    id,
    userId,
    workspaceId,
    reservedFor,
    action,
    amount,
    usedAmount: 0n,
    state: 'active',
    // The ledger's hold expires at exactly this moment, so the two never disagree.
    expiresAt: held!.hold!.expiresAt,
    createdAt: now,
    finishedAt: null,
  };
  await insertReservation(tx, reservation, key);
  return reservation;
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
 * Uses a reservation: its hold is captured in burn order up to the amount, and the rest is released
 * to the grants, or with `keepRemainder` stays held as a new reservation with the same purpose and
 * expiry (at most one per reservation: its id derives from the reservation's).
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

  const reservation = await lockReservation(tx, userId, reservationId);
  const amount = input.amount ?? reservation.amount;
  const usedFor = usedForInput ?? reservation.reservedFor;
  const action = actionInput ?? reservation.action;
  const keepsRemainder = input.keepRemainder === true && amount < reservation.amount;
  const now = clock.now();
  const id = key ? usageIdFor(userId, key) : newId();
  const remainderId = derivedId('remainder', reservation.id);
  if (reservation.state === 'active' && amount > reservation.amount) {
    throw new AppError(
      'validation_failed',
      `the reservation holds ${reservation.amount} credits, not ${amount}`,
      {
        reserved: reservation.amount.toString(),
        requested: amount.toString(),
      },
    );
  }

  const [captured] = await applyBalanceOps(
    tx,
    [
      {
        op: 'capture',
        id,
        holdId: reservation.id,
        amount,
        ...(keepsRemainder ? { keepRest: { id: remainderId } } : {}),
        metadata: { usageId: id },
      },
    ],
    { clock },
  );
  if (captured!.result === 'exists') {
    const prior = await findUsage(tx, userId, id);
    const remainder = keepsRemainder ? await findReservation(tx, userId, remainderId, now) : null;
    const same =
      prior !== null &&
      prior.reservationId === reservation.id &&
      prior.amount === amount &&
      prior.usedFor === usedFor &&
      prior.action === action;
    if (!same) throw idempotencyConflict(key!);
    return { usage: prior, remainder };
  }
  if (captured!.result !== 'ok') {
    // Other terms under the same key are the caller's conflict; otherwise the reservation's own state
    // names the refusal best (used, released, expired).
    if (!captured!.result.startsWith('exists_with_different'))
      moveReservation(stateAt(reservation, now), 'used');
    throw ledgerRefusal([captured!]);
  }

  const usage: Usage = {
    id,
    userId: reservation.userId,
    workspaceId: reservation.workspaceId,
    usedFor,
    action,
    amount,
    isReserved: true,
    reservationId: reservation.id,
    reservedFor: reservation.reservedFor,
    paidBy: grantParts(captured!.parts),
    usedAt: now,
  };
  await insertUsage(tx, usage, key);
  let remainder: Reservation | null = null;
  const rest = captured!.rest;
  if (rest) {
    remainder = {
      ...reservation,
      id: rest.id,
      amount: rest.amount,
      usedAmount: 0n,
      state: 'active',
      expiresAt: rest.expiresAt,
      createdAt: now,
      finishedAt: null,
    };
    await insertReservation(tx, remainder, remainderKey(reservation.id));
  }
  await finishReservation(tx, reservation.id, 'used', amount, now);
  if (!rest) await drainExpiredGrants(tx, clock, returnedTo(captured!));
  return { usage, remainder };
}

/** Returns a reservation's credits to the grants it held them on. */
export async function releaseReservation(
  tx: Db,
  clock: Clock,
  userId: string,
  reservationId: string,
): Promise<Reservation> {
  requireUuid(userId, 'userId');
  const reservation = await lockReservation(tx, userId, reservationId);
  const now = clock.now();
  moveReservation(stateAt(reservation, now), 'released');
  const [released] = await applyBalanceOps(tx, [{ op: 'release', id: newId(), holdId: reservation.id }], {
    clock,
  });
  if (released!.result !== 'ok') throw ledgerRefusal([released!]);
  await finishReservation(tx, reservation.id, 'released', 0n, now);
  await drainExpiredGrants(tx, clock, returnedTo(released!));
  return { ...reservation, state: 'released', finishedAt: now };
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
      if (due.length === 0) return 0;
      // A hold already past its timeout answers `pending_transfer_expired` and is expired on the spot.
      const results = await applyBalanceOps(
        tx,
        due.map((r) => ({ op: 'release' as const, id: newId(), holdId: r.id })),
        { clock },
      );
      const unexpected = results.find((r) => r.result !== 'ok' && r.result !== 'pending_transfer_expired');
      if (unexpected) {
        throw new AppError('internal', 'a reservation hold was neither held nor expired', {
          reservationId: unexpected.id,
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
        results.flatMap((r) => r.hold?.parts.map((p) => p.accountId) ?? []),
      );
      return due.length;
    });
    total += expired;
    if (expired < EXPIRY_BATCH) return total;
  }
}

/**
 * The grants that pay in a scope, in burn order, as the ledger's balance: those unexpired with
 * something left or held (a hold past its timeout frees its credits when the ledger draws). Each pays
 * until its expiry. Read without a lock: the ledger re-reads what is left in each under its own.
 */
export async function sourcesFor(
  tx: Db,
  now: Date,
  scope: { userId: string; workspaceId: string | null },
): Promise<Source[]> {
  const rows = await queryRows<{ id: string; expires_at: Date | string | null }>(
    tx,
    sql`SELECT g.id, g.expires_at FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
        WHERE ${grantsInScope(scope)} AND ${grantUnexpired(now)}
          AND (a.credits_posted - a.debits_posted > 0)
        ORDER BY ${burnOrder}`,
  );
  return rows.map((r) => ({ accountId: r.id, until: r.expires_at ? new Date(r.expires_at) : null }));
}

/** The error for a spend or hold the ledger refused: too few credits is insufficient_funds with the figures. */
export function spendRefusal(result: BalanceOpResult, requested: bigint): AppError {
  return ledgerRefusal([result], () => insufficientFunds(result.available ?? 0n, requested));
}

/** The grants that paid, from the ledger's parts. */
const grantParts = (parts: readonly Part[]): GrantPart[] =>
  parts.map((p) => ({ grantId: p.accountId, amount: p.amount }));

/** The grants a capture or release gave credits back to (an expired one passes them on to the sink). */
function returnedTo(result: BalanceOpResult): string[] {
  const captured = new Map(result.parts.map((p) => [p.accountId, p.amount]));
  return (result.hold?.parts ?? [])
    .filter((p) => (captured.get(p.accountId) ?? 0n) < p.amount)
    .map((p) => p.accountId);
}

/** A usage's id from its idempotency key: charges and uses share them, per person. */
export const usageIdFor = (userId: string, key: string): string => derivedId('usage', userId, key);

/** A reservation's id (and its hold's) from its idempotency key, per person. */
export const reservationIdFor = (userId: string, key: string): string =>
  derivedId('reservation', userId, key);

/** A person's reservation as it stands now; not_found for anyone else's. */
export async function getReservation(db: Db, clock: Clock, userId: string, id: string): Promise<Reservation> {
  const found = isUuid(id) && isUuid(userId) ? await findReservation(db, userId, id, clock.now()) : null;
  if (!found) throw notFound('reservation', { id });
  return found;
}

/** The remainder of a partial use is keyed after the reservation it came from: at most one each. */
const remainderKey = (reservationId: string): string => `remainder:${reservationId}`;

const idempotencyConflict = (key: string): AppError =>
  new AppError('idempotency_conflict', 'this idempotency key was used with a different request', {
    idempotencyKey: key,
  });
