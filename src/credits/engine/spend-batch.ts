import { type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { type AuditEntryInput, auditInsert } from '../../core/audit/service';
import type { Clock } from '../../core/clock';
import { type Database, type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { GroupCommit } from '../../core/group-commit';
import { newId } from '../../core/ids';
import { applyBalanceOps } from '../../ledger/engine';
import { ledgerRefusal } from '../../ledger/errors';
import type { BalanceOp, BalanceOpResult, HoldState, Part, Source } from '../../ledger/holds';
import { creditsErrors } from '../errors';
import type { ReservationState } from '../schema';
import { burnOrder, type GrantPart, insufficientFunds } from './burn-order';
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
  type Finish,
  findReservation,
  findUsage,
  finishReservations,
  insertReservations,
  insertUsages,
  type LockedReservation,
  lockReservations,
} from './records';
import { moveReservation, reservationMachine, stateAt } from './reservation-state';
import type { Reservation, SpendScope, Usage } from './spending';

/**
 * Spends as a batch: charges, reservations, uses and releases, many in one transaction. Each is a
 * ledger operation (`ledger/holds.ts`) on the person's grants in burn order; all of them go to the
 * ledger together, and their records (usages, reservations, audit entries) are written with one
 * statement each. One call's refusal is that call's alone.
 *
 * Run with one call inside a caller's transaction (`chargeCredits` and the others in spending.ts),
 * or with many through `creditsSpender`'s group commit, which the API's hot routes use: 32 clients
 * then share a commit instead of queueing for one each.
 */

interface CallBase {
  /** Checked again in the batch's transaction, under a share lock: an archive that committed first refuses the spend. */
  openWorkspaceId?: string | null;
  /** The audit entry of a spend that happened (none for a replay). */
  audit?: (done: SpendDone) => { actor: Actor; entry: AuditEntryInput };
}

export interface ChargeCall extends CallBase {
  kind: 'charge';
  userId: string;
  workspaceId: string | null;
  amount: bigint;
  usedFor: string;
  action: string | null;
  key: string | null;
}

export interface ReserveCall extends CallBase {
  kind: 'reserve';
  userId: string;
  workspaceId: string | null;
  amount: bigint;
  reservedFor: string;
  action: string | null;
  key: string | null;
  /** 0 = until the grants end. */
  timeoutSeconds: number;
}

export interface UseCall extends CallBase {
  kind: 'use';
  userId: string;
  reservationId: string;
  amount: bigint | null;
  usedFor: string | null;
  action: string | null;
  key: string | null;
  keepRemainder: boolean;
}

export interface ReleaseCall extends CallBase {
  kind: 'release';
  userId: string;
  reservationId: string;
}

export type SpendCall = ChargeCall | ReserveCall | UseCall | ReleaseCall;

export interface SpendDone {
  usage?: Usage;
  reservation?: Reservation;
  /** What a use with keepRemainder kept reserved. */
  remainder?: Reservation | null;
  /** The same idempotency key and request again: the first attempt's records. */
  replayed: boolean;
}

export type SpendOutcome = { ok: true; done: SpendDone } | { ok: false; error: AppError };

export interface ChargeInput {
  amount: bigint;
  usedFor: string;
  action?: string | null;
  idempotencyKey?: string | null;
}

export function chargeCall(scope: SpendScope, input: ChargeInput): ChargeCall {
  return {
    kind: 'charge',
    userId: requireUuid(scope.userId, 'userId'),
    workspaceId: optionalUuid(scope.workspaceId, 'workspaceId'),
    amount: requirePositive(input.amount),
    usedFor: requireText(input.usedFor, 'usedFor'),
    action: optionalText(input.action, 'action'),
    key: optionalKey(input.idempotencyKey),
  };
}

export interface ReserveInput {
  amount: bigint;
  reservedFor: string;
  action?: string | null;
  /** When the credits go back by themselves; rounded up to a whole second after now (the ledger's timeouts are seconds). */
  expiresAt?: Date | null;
  idempotencyKey?: string | null;
}

export function reserveCall(scope: SpendScope, input: ReserveInput, now: Date): ReserveCall {
  return {
    kind: 'reserve',
    userId: requireUuid(scope.userId, 'userId'),
    workspaceId: optionalUuid(scope.workspaceId, 'workspaceId'),
    amount: requirePositive(input.amount),
    reservedFor: requireText(input.reservedFor, 'reservedFor'),
    action: optionalText(input.action, 'action'),
    key: optionalKey(input.idempotencyKey),
    timeoutSeconds: input.expiresAt ? secondsUntil(input.expiresAt, now) : 0,
  };
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

export function useCall(userId: string, reservationId: string, input: UseReservationInput): UseCall {
  return {
    kind: 'use',
    userId: requireUuid(userId, 'userId'),
    reservationId,
    amount: input.amount === undefined ? null : requirePositive(input.amount),
    usedFor: optionalText(input.usedFor, 'usedFor', 500),
    action: optionalText(input.action, 'action'),
    key: optionalKey(input.idempotencyKey),
    keepRemainder: input.keepRemainder === true,
  };
}

export const releaseCall = (userId: string, reservationId: string): ReleaseCall => ({
  kind: 'release',
  userId: requireUuid(userId, 'userId'),
  reservationId,
});

/**
 * A client's Idempotency-Key as the line stores it, in the paying person's namespace: prefixed, so it
 * can never take the form of a key the line makes itself (a workspace charge's `ws:<workspace>:<caller>:…`,
 * a remainder's `remainder:<reservation>`). Without it, a member could send such a key and have the
 * payer's own later request answered as a replay of theirs.
 */
export const clientKey = (key: string): string => `${CLIENT_KEY}${key}`;
const CLIENT_KEY = 'key:';

/** A key as its sender knows it: a client's without the prefix the line stores it under. */
const keyAsSent = (key: string | null): string | null =>
  key?.startsWith(CLIENT_KEY) ? key.slice(CLIENT_KEY.length) : key;

/** A usage's id from its idempotency key: charges and uses share them, per person. */
export const usageIdFor = (userId: string, key: string): string => derivedId('usage', userId, key);

/** A reservation's id (and its hold's) from its idempotency key, per person. */
export const reservationIdFor = (userId: string, key: string): string =>
  derivedId('reservation', userId, key);

/** The one reservation a partial use may keep back; its id derives from the reservation's. */
const remainderIdFor = (reservationId: string): string => derivedId('remainder', reservationId);

/** The remainder is also keyed after the reservation it came from: at most one each. */
const remainderKey = (reservationId: string): string => `remainder:${reservationId}`;

/** What one call becomes once the batch has read what it needs. */
interface Planned {
  op: BalanceOp;
  /** The reservation a use or release acts on, as locked. */
  reservation?: Reservation;
  /** A use's amount, its purpose and action, resolved against the reservation. */
  amount?: bigint;
  usedFor?: string;
  action?: string | null;
}

export async function runSpendBatch(
  tx: Db,
  clock: Clock,
  calls: readonly SpendCall[],
): Promise<SpendOutcome[]> {
  const now = clock.now();
  const outcomes: (SpendOutcome | undefined)[] = calls.map(() => undefined);
  const reservations = await lockReservations(
    tx,
    // Stryker disable next-line ConditionalExpression,ArrayDeclaration: a charge or reserve has no reservation id; locking none, or an id that is no reservation, locks nothing
    calls.flatMap((c) => (c.kind === 'use' || c.kind === 'release' ? [c.reservationId] : [])),
  );
  const archived = await archivedWorkspaces(
    tx,
    calls.flatMap((c) => (c.openWorkspaceId ? [c.openWorkspaceId] : [])),
  );
  // Stryker disable next-line ConditionalExpression: a use or release draws on no sources; reading some for it only costs
  const drawing = calls.map((c) => (c.kind === 'charge' || c.kind === 'reserve' ? c : null));
  const sources = await sourcesForScopes(
    tx,
    now,
    drawing.map((c) => (c ? { userId: c.userId, workspaceId: c.workspaceId } : null)),
  );

  const planned: (Planned | null)[] = calls.map((call, index) => {
    try {
      if (call.openWorkspaceId && archived.has(call.openWorkspaceId)) {
        throw creditsErrors.error('workspace_archived', 'the workspace is archived', {
          workspace_id: call.openWorkspaceId,
        });
      }
      return plan(call, sources[index]!, reservations, now);
    } catch (error) {
      // Stryker disable next-line ConditionalExpression: planning throws only AppErrors; anything else is a bug, thrown rather than answered
      if (!(error instanceof AppError)) throw error;
      outcomes[index] = { ok: false, error };
      return null;
    }
  });
  const ops = planned.flatMap((p) => (p ? [p.op] : []));
  const writes = new Writes();
  const replays: number[] = [];
  // The records are written inside the ledger's own write statement: one round trip for both.
  const settle = (results: readonly BalanceOpResult[]): SQL[] => {
    const resultOf = new Map(results.map((r) => [r.id, r]));
    planned.forEach((p, index) => {
      if (!p) return;
      const call = calls[index]!;
      const result = resultOf.get(p.op.id)!;
      if (result.result === 'exists') {
        replays.push(index);
        return;
      }
      if (result.result !== 'ok') {
        outcomes[index] = { ok: false, error: refusalOf(call, result) };
        return;
      }
      const done = writes.record(call, p, result, now);
      outcomes[index] = { ok: true, done };
      if (call.audit) writes.audits.push(call.audit(done));
    });
    return writes.statements(clock);
  };
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no operation the ledger locks, reads and writes nothing; the guard saves its call
  if (ops.length > 0) await applyBalanceOps(tx, ops, { clock, alsoWrite: settle });
  // What a capture or release gives back lands on grants still running: a hold never outlives the
  // grants it draws on (the ledger cuts its timeout to their ends), and one past its end is refused.
  // Credits that lapsed holds leave on ended grants are the expiry sweep's (spending.ts).
  for (const index of replays) {
    outcomes[index] = await replayOf(tx, calls[index]!, planned[index]!, now);
  }
  return outcomes as SpendOutcome[];
}

function plan(
  call: SpendCall,
  from: Source[],
  reservations: Map<string, LockedReservation>,
  now: Date,
): Planned {
  switch (call.kind) {
    case 'charge': {
      const id = call.key ? usageIdFor(call.userId, call.key) : newId();
      return {
        op: {
          op: 'spend',
          id,
          ledger: CREDITS_LEDGER,
          code: TRANSFER_CODES.usage,
          from,
          to: usedAccountFor(call.userId),
          amount: call.amount,
          metadata: { usageId: id },
        },
      };
    }
    case 'reserve': {
      const id = call.key ? reservationIdFor(call.userId, call.key) : newId();
      return {
        op: {
          op: 'hold',
          id,
          ledger: CREDITS_LEDGER,
          code: TRANSFER_CODES.reserve,
          from,
          to: usedAccountFor(call.userId),
          amount: call.amount,
          timeoutSeconds: call.timeoutSeconds,
          metadata: { reservationId: id },
        },
      };
    }
    case 'use': {
      const { reservation, hold } = reservationOf(call, reservations);
      const state = stateAt(reservation, now);
      // A use that already happened may be its own replay: the ledger tells (`exists`).
      if (!(state === 'used' && call.key)) moveReservation(state, 'used');
      const amount = call.amount ?? reservation.amount;
      if (state === 'active' && amount > reservation.amount) {
        throw new AppError(
          'validation_failed',
          `the reservation holds ${reservation.amount} credits, not ${amount}`,
          {
            reserved: reservation.amount.toString(),
            requested: amount.toString(),
          },
        );
      }
      const id = call.key ? usageIdFor(call.userId, call.key) : newId();
      return {
        op: {
          op: 'capture',
          id,
          holdId: reservation.id,
          // Stryker disable next-line ObjectLiteral: the hold as locked with the reservation saves the ledger reading it again; without it the ledger reads the same hold
          ...(hold ? { hold } : {}),
          amount,
          // The ledger keeps back only what is left: nothing, when all is used.
          ...(call.keepRemainder ? { keepRest: { id: remainderIdFor(reservation.id) } } : {}),
          metadata: { usageId: id },
        },
        reservation,
        amount,
        usedFor: call.usedFor ?? reservation.reservedFor,
        action: call.action ?? reservation.action,
      };
    }
    case 'release': {
      const { reservation, hold } = reservationOf(call, reservations);
      moveReservation(stateAt(reservation, now), 'released');
      return {
        // Stryker disable next-line ObjectLiteral: as for a use, the hold passed only saves a read
        op: { op: 'release', id: newId(), holdId: reservation.id, ...(hold ? { hold } : {}) },
        reservation,
      };
    }
  }
}

function reservationOf(
  call: UseCall | ReleaseCall,
  reservations: Map<string, LockedReservation>,
): LockedReservation {
  const locked = reservations.get(call.reservationId);
  if (!locked || locked.reservation.userId !== call.userId) {
    throw notFound('reservation', { id: call.reservationId });
  }
  return locked;
}

/** A hold's state once it has ended, in the reservation's words. */
const reservationStateOf: Partial<Record<HoldState, ReservationState>> = {
  captured: 'used',
  released: 'released',
  expired: 'expired',
};

/** The error for a spend or hold the ledger refused: too few credits is insufficient_funds with the figures. */
export function spendRefusal(result: BalanceOpResult, requested: bigint): AppError {
  return ledgerRefusal([result], () => insufficientFunds(result.available ?? 0n, requested));
}

/** A key sent again with another request: the same answer whether the ledger or the records tell. */
const keyConflict = (call: SpendCall): AppError =>
  new AppError('idempotency_conflict', 'this idempotency key was used with a different request', {
    idempotencyKey: 'key' in call ? keyAsSent(call.key) : null,
  });

function refusalOf(call: SpendCall, result: BalanceOpResult): AppError {
  if (result.result.startsWith('exists_with_different')) return keyConflict(call);
  if (call.kind === 'charge' || call.kind === 'reserve') return spendRefusal(result, call.amount);
  // A hold found ended, whatever the ledger checked first (a use asking more than a used hold held
  // is refused as used): the move is refused in the reservation's words.
  const ended = result.hold && reservationStateOf[result.hold.state];
  if (ended) return reservationMachine.refusal(ended, call.kind === 'use' ? 'used' : 'released');
  return ledgerRefusal([result]);
}

/** The records a batch writes, gathered call by call and written with one statement each. */
class Writes {
  readonly usages: { usage: Usage; key: string | null }[] = [];
  readonly reservations: { reservation: Reservation; key: string | null }[] = [];
  readonly finishes: Finish[] = [];
  readonly audits: { actor: Actor; entry: AuditEntryInput }[] = [];

  record(call: SpendCall, p: Planned, result: BalanceOpResult, now: Date): SpendDone {
    switch (call.kind) {
      case 'charge': {
        const usage: Usage = {
          id: p.op.id,
          userId: call.userId,
          workspaceId: call.workspaceId,
          usedFor: call.usedFor,
          action: call.action,
          amount: call.amount,
          isReserved: false,
          reservedFor: null,
          reservationId: null,
          paidBy: grantParts(result.parts),
          usedAt: now,
        };
        this.usages.push({ usage, key: call.key });
        return { usage, replayed: false };
      }
      case 'reserve': {
        const reservation: Reservation = {
          id: p.op.id,
          userId: call.userId,
          workspaceId: call.workspaceId,
          reservedFor: call.reservedFor,
          action: call.action,
          amount: call.amount,
          usedAmount: 0n,
          state: 'active',
          // The ledger's hold expires at exactly this moment, so the two never disagree.
          expiresAt: result.hold!.expiresAt,
          createdAt: now,
          finishedAt: null,
        };
        this.reservations.push({ reservation, key: call.key });
        return { reservation, replayed: false };
      }
      case 'use': {
        const reservation = p.reservation!;
        const usage: Usage = {
          id: p.op.id,
          userId: reservation.userId,
          workspaceId: reservation.workspaceId,
          usedFor: p.usedFor!,
          action: p.action ?? null,
          amount: p.amount!,
          isReserved: true,
          reservationId: reservation.id,
          reservedFor: reservation.reservedFor,
          paidBy: grantParts(result.parts),
          usedAt: now,
        };
        this.usages.push({ usage, key: call.key });
        this.finishes.push({ id: reservation.id, state: 'used', usedAmount: p.amount!, at: now });
        const rest = result.rest;
        let remainder: Reservation | null = null;
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
          this.reservations.push({ reservation: remainder, key: remainderKey(reservation.id) });
        }
        return { usage, remainder, replayed: false };
      }
      case 'release': {
        const reservation = p.reservation!;
        this.finishes.push({ id: reservation.id, state: 'released', usedAmount: 0n, at: now });
        return { reservation: { ...reservation, state: 'released', finishedAt: now }, replayed: false };
      }
    }
  }

  statements(clock: Clock): SQL[] {
    return [
      insertReservations(this.reservations),
      insertUsages(this.usages),
      finishReservations(this.finishes),
      auditInsert(clock, this.audits),
    ].filter((statement): statement is SQL => statement !== null);
  }
}

/** A call the ledger found done already: the first attempt's records, if the request is the same. */
async function replayOf(tx: Db, call: SpendCall, p: Planned, now: Date): Promise<SpendOutcome> {
  const conflict = (): SpendOutcome => ({ ok: false, error: keyConflict(call) });
  // The ledger compared what it holds (the kind of operation, the amount, the hold a use captures)
  // before it said `exists`; the records hold the line's own terms, compared here. The records are
  // written with the ledger's transfers, so a replay always finds them.
  switch (call.kind) {
    case 'charge': {
      const prior = await findUsage(tx, call.userId, p.op.id);
      const same =
        // Stryker disable next-line ConditionalExpression: see above
        prior !== null &&
        prior.usedFor === call.usedFor &&
        prior.action === call.action &&
        prior.workspaceId === call.workspaceId;
      return same ? { ok: true, done: { usage: prior, replayed: true } } : conflict();
    }
    case 'reserve': {
      const prior = await findReservation(tx, call.userId, p.op.id, now);
      const same =
        // Stryker disable next-line ConditionalExpression: see above
        prior !== null &&
        prior.reservedFor === call.reservedFor &&
        prior.action === call.action &&
        prior.workspaceId === call.workspaceId;
      return same ? { ok: true, done: { reservation: prior, replayed: true } } : conflict();
    }
    case 'use': {
      const prior = await findUsage(tx, call.userId, p.op.id);
      // Stryker disable next-line ConditionalExpression: a use's operation is always a capture (the test narrows its type)
      const keepRest = p.op.op === 'capture' ? p.op.keepRest : undefined;
      const remainder = keepRest ? await findReservation(tx, call.userId, keepRest.id, now) : null;
      // Stryker disable next-line ConditionalExpression: see above
      const same = prior !== null && prior.usedFor === p.usedFor && prior.action === p.action;
      return same ? { ok: true, done: { usage: prior, remainder, replayed: true } } : conflict();
    }
    // Stryker disable next-line all: unreachable, kept so a release that did replay is an error, not a success
    case 'release':
      // A release has no key: its id is new every time, so it never replays.
      // Stryker disable next-line all: see above
      return { ok: false, error: new AppError('internal', 'a release was found done already') };
  }
}

/** The grants that paid, from the ledger's parts. */
const grantParts = (parts: readonly Part[]): GrantPart[] =>
  parts.map((p) => ({ grantId: p.accountId, amount: p.amount }));

/** Of these workspaces, those archived, read under a share lock that an archive's update waits on. */
async function archivedWorkspaces(tx: Db, ids: readonly string[]): Promise<Set<string>> {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: no ids find no workspace; the guard saves a query
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ organization_id: string }>(
    tx,
    sql`SELECT organization_id FROM credits_workspaces
        WHERE organization_id = ANY(${sql.param([...new Set(ids)])}::uuid[]) AND archived_at IS NOT NULL
        ORDER BY organization_id FOR SHARE`,
  );
  return new Set(rows.map((r) => r.organization_id));
}

/**
 * The grants that pay in each scope, in burn order, as the ledger's balance, in one query: those
 * unexpired with anything not yet spent (held credits free up when a hold ends). Each pays until its
 * expiry. The ledger re-reads what is left in each under its own locks.
 */
export async function sourcesForScopes(
  tx: Db,
  now: Date,
  scopes: readonly ({ userId: string; workspaceId: string | null } | null)[],
): Promise<Source[][]> {
  const wanted = scopes.flatMap((scope, index) => (scope ? [{ ...scope, index }] : []));
  const found: Source[][] = scopes.map(() => []);
  // Stryker disable next-line ConditionalExpression: no scopes find no grants; the guard saves a query
  if (wanted.length === 0) return found;
  const rows = await queryRows<{ n: number; id: string; expires_at: string | null }>(
    tx,
    sql`SELECT s.n::int AS n, g.id, g.expires_at::text
        FROM unnest(${sql.param(wanted.map((w) => w.userId))}::uuid[],
          ${sql.param(wanted.map((w) => w.workspaceId))}::uuid[],
          ${sql.param(wanted.map((w) => w.index))}::int[]) AS s(user_id, workspace_id, n)
        JOIN credits_grants g ON g.user_id = s.user_id
          AND (g.workspace_id IS NULL OR g.workspace_id = s.workspace_id)
        JOIN ledger_accounts a ON a.id = g.id
        WHERE g.expired_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > ${now})
          AND a.credits_posted - a.debits_posted > 0
        ORDER BY s.n, ${burnOrder}`,
  );
  for (const row of rows) {
    found[row.n]!.push({ accountId: row.id, until: row.expires_at ? parseTimestamp(row.expires_at) : null });
  }
  return found;
}

/**
 * The group commit of spends for the API's hot routes. A refusal is answered as a value and the batch
 * commits, so what the ledger remembers of a failed id stays remembered.
 */
export type CreditsSpender = GroupCommit<SpendCall, SpendOutcome>;

export function creditsSpender(database: Pick<Database, 'db' | 'parallelism'>, clock: Clock): CreditsSpender {
  return new GroupCommit(database, (tx, calls) => runSpendBatch(tx, clock, calls), SPENDS_PER_COMMIT);
}

/** Enough for 32 clients' calls at once; more only makes the one transaction longer. */
const SPENDS_PER_COMMIT = 256;

/** The outcome of a spend, or its refusal thrown. */
export function doneOrThrow(outcome: SpendOutcome): SpendDone {
  if (!outcome.ok) throw outcome.error;
  return outcome.done;
}
