import { type SQL, sql } from 'drizzle-orm';
import { v5 as uuidv5 } from 'uuid';
import { columnsOf, type Db, parseTimestamp, queryRows } from '../core/database';
import { AppError } from '../core/errors';
import { isUuid } from '../core/ids';
import { smaller, UINT256_MAX } from '../core/money';
import type { BatchState } from './batch-state';
import type { Balances, TransferInput, TransferResult, TransferResultCode } from './types';

/**
 * Prepaid balances with holds: what a line needs to sell anything paid in advance (credits, an MCP
 * call's price, a quota of N uses). A balance is one or more accounts drawn on in a stated order; value
 * leaves it for a sink, at once (a spend) or held first (a hold) and later captured, in part or whole,
 * or released. Every operation is a set of ordinary linked transfers the engine applies under its
 * account locks, so the ledger's own limits and `exists` checks stay the last word.
 *
 * Ids come from the caller: an operation's id names its first transfer, and the others derive from it
 * (`partId`), so a retried operation finds what the first attempt did instead of moving value twice,
 * and one that failed for a transient reason answers `id_already_failed` ever after.
 */

/** One account of a balance, and the moment it stops paying (an expiring grant); null = never. */
export interface Source {
  accountId: string;
  until?: Date | null;
}

interface DrawFields {
  /** The operation's id: from the caller's idempotency key (see `idFromKey`) or random. */
  id: string;
  ledger: string;
  code: string;
  /** The balance, in the order it is drawn on. */
  from: readonly Source[];
  /** Where the value goes (one shard of a sink, see `shardedSink`). */
  to: string;
  amount: bigint;
  metadata?: Record<string, unknown>;
}

/** Moves `amount` out of the balance now, drawing on its accounts in order. */
export interface SpendOp extends DrawFields {
  op: 'spend';
}

/**
 * Holds `amount` of the balance. A hold never outlives an account it draws on: its timeout is cut
 * to the earliest `until` among them, and an account that stops paying within a second is skipped.
 */
export interface HoldOp extends DrawFields {
  op: 'hold';
  /** Seconds until the hold expires by itself; 0 or absent = never (or the sources' `until`). */
  timeoutSeconds?: number;
}

/** Captures all of a hold, or `amount` of it in the order it was drawn (the rest is released). */
export interface CaptureOp {
  op: 'capture';
  id: string;
  holdId: string;
  /** The hold as the caller read it (`holdJson`), which saves the ledger reading it: its parts never change. */
  hold?: Hold;
  amount?: bigint;
  /**
   * Keep what is not captured held, as a new hold with this id, on the same accounts, ending with the
   * hold in whole seconds (up to one sooner); with less than a second left, the rest is released.
   */
  keepRest?: { id: string };
  metadata?: Record<string, unknown>;
}

/** Releases a hold: what it held is free again. */
export interface ReleaseOp {
  op: 'release';
  id: string;
  holdId: string;
  /** As for a capture: the hold as the caller read it. */
  hold?: Hold;
  metadata?: Record<string, unknown>;
}

export type BalanceOp = SpendOp | HoldOp | CaptureOp | ReleaseOp;

/** What one account of a balance gave (or holds) in an operation. */
export interface Part {
  accountId: string;
  transferId: string;
  amount: bigint;
  /** When the account stops paying, as the balance said (null: never; absent: not known). */
  until?: Date | null;
}

export const holdStates = ['held', 'captured', 'released', 'expired'] as const;
export type HoldState = (typeof holdStates)[number];

export interface Hold {
  id: string;
  ledger: string;
  code: string;
  sinkAccountId: string;
  amount: bigint;
  captured: bigint;
  /** As of the read: a hold past its expiry reads `expired` before any sweep has run. */
  state: HoldState;
  parts: Part[];
  timeoutSeconds: number;
  expiresAt: Date | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface BalanceOpResult {
  id: string;
  /** The transfer vocabulary: `ok`, `exists` (a replay), or why nothing moved. */
  result: TransferResultCode;
  /** What moved: a spend's parts, a hold's held parts, a capture's captured parts; empty on failure. */
  parts: Part[];
  /** The hold the operation placed, captured or released, as it stands after it (also when refused). */
  hold?: Hold;
  /** The new hold a capture with `keepRest` left. */
  rest?: Hold;
  /** With `exceeds_credits`: what the balance could give. */
  available?: bigint;
}

/** The namespace of the ledger's derived ids (UUIDv5). */
const LEDGER_NAMESPACE = '5b0c8f0e-3d0e-4a55-9a57-6f1b6c0f2f11';

/**
 * A deterministic id from an idempotency key and whatever scopes it (a person, a line): the same key
 * always names the same operation. `namespace` is the line's own UUID, so two lines never collide.
 */
export const idFromKey = (namespace: string, ...parts: string[]): string =>
  uuidv5(parts.join('|'), namespace);

/** The id of an operation's transfer number `index`: the first carries the operation's own id. */
export const partId = (opId: string, index: number): string =>
  index === 0 ? opId : uuidv5(`${opId}|${index}`, LEDGER_NAMESPACE);

/**
 * A hot sink split into shards: every transfer into a sink locks its account until commit, so one
 * account would let one payer's spend commit at a time. A payer always uses the same shard; the sink's
 * balance is the sum of its shards (`readSinkBalance`).
 */
export interface ShardedSink {
  ids: readonly string[];
  shardFor: (key: string) => string;
}

export function shardedSink(ids: readonly string[]): ShardedSink {
  if (ids.length === 0) throw new AppError('internal', 'a sink needs at least one account');
  return { ids, shardFor: (key) => ids[fnv1a(key) % ids.length]! };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The balances of a sink's shards added up. */
export async function readSinkBalance(db: Db, sink: Pick<ShardedSink, 'ids'>): Promise<Balances> {
  const [row] = await queryRows<{ dp: string; dpo: string; cp: string; cpo: string }>(
    db,
    sql`SELECT coalesce(sum(debits_pending), 0)::text AS dp, coalesce(sum(debits_posted), 0)::text AS dpo,
          coalesce(sum(credits_pending), 0)::text AS cp, coalesce(sum(credits_posted), 0)::text AS cpo
        FROM ledger_accounts WHERE id = ANY(${sql.param([...sink.ids])}::uuid[])`,
  );
  // An aggregate without GROUP BY always returns its one row.
  const sums = row!;
  return {
    debitsPending: BigInt(sums.dp),
    debitsPosted: BigInt(sums.dpo),
    creditsPending: BigInt(sums.cp),
    creditsPosted: BigInt(sums.cpo),
  };
}

/** A hold's state at a moment: one past its expiry is expired even if no sweep has said so yet. */
export const holdStateAt = (hold: Pick<Hold, 'state' | 'expiresAt'>, now: Date): HoldState =>
  hold.state === 'held' && hold.expiresAt !== null && hold.expiresAt.getTime() <= now.getTime()
    ? 'expired'
    : hold.state;

/** A hold as it stands at a moment (its state by `holdStateAt`). */
const holdAsOf = (hold: Hold, now: Date): Hold => ({ ...hold, state: holdStateAt(hold, now) });

/** A hold as it stands now; null if there is none with that id. */
export async function readHold(db: Db, id: string, now: Date): Promise<Hold | null> {
  if (!isUuid(id)) return null;
  const [row] = await queryRows<HoldRow>(db, sql`SELECT ${holdColumns} FROM ledger_holds WHERE id = ${id}`);
  if (!row) return null;
  return holdAsOf(toHold(row), now);
}

/** Inputs the edges should have refused; reaching here is a caller's bug, not a result. */
export function assertWellFormedOp(op: BalanceOp): void {
  const ids: [string, string | undefined][] = [['id', op.id]];
  if (op.op === 'spend' || op.op === 'hold') {
    ids.push(['to', op.to], ...op.from.map((s): [string, string] => ['from', s.accountId]));
    if (new Set(op.from.map((s) => s.accountId)).size !== op.from.length) {
      throw new AppError('validation_failed', 'a balance names each account once');
    }
  } else {
    ids.push(['holdId', op.holdId]);
    // Stryker disable next-line ConditionalExpression: only a capture has keepRest (a release's is never set)
    if (op.op === 'capture' && op.keepRest) ids.push(['keepRest.id', op.keepRest.id]);
  }
  for (const [field, value] of ids) {
    // Stryker disable next-line StringLiteral: any text that is not a UUID stands in for a missing id
    if (!isUuid(value ?? '')) throw new AppError('validation_failed', `${field} "${value}" is not a UUID`);
  }
  // A release has no amount; a capture may leave it out (all of the hold).
  const amount = (op as { amount?: bigint }).amount ?? 0n;
  if (amount < 0n || amount > UINT256_MAX) {
    throw new AppError('validation_failed', 'amount must be between 0 and 2^256-1');
  }
  const timeout = op.op === 'hold' ? (op.timeoutSeconds ?? 0) : 0;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > 2 ** 31 - 1) {
    throw new AppError('validation_failed', 'timeoutSeconds must be a non-negative 32-bit integer');
  }
}

/**
 * The holds a batch of operations touches, read before the accounts are locked (a hold's parts never
 * change, so which accounts to lock is known from them), and the hold rows the batch writes.
 */
export class HoldBook {
  private readonly created: Hold[] = [];
  private readonly finished = new Set<string>();

  private constructor(private readonly holds: Map<string, Hold>) {}

  static async load(tx: Db, ops: readonly BalanceOp[]): Promise<HoldBook> {
    // Only the holds to capture or release that the caller did not read with its own rows: a replayed
    // hold is found by its stored transfer (`loadReplays`).
    const book = new HoldBook(new Map());
    const ids = new Set<string>();
    for (const op of ops) {
      if (op.op !== 'capture' && op.op !== 'release') continue;
      // Stryker disable next-line ConditionalExpression: reading the hold instead finds the same one, one query later
      if (op.hold?.id === op.holdId) book.holds.set(op.holdId, op.hold);
      else ids.add(op.holdId);
    }
    await book.read(tx, [...ids]);
    return book;
  }

  /**
   * Reads, under the lock, the holds a replay needs that committed after `load` looked: a retry that
   * waited on the first attempt's locks finds its transfers stored, and needs its hold too.
   */
  async loadReplays(tx: Db, ops: readonly BalanceOp[], isStored: (id: string) => boolean): Promise<void> {
    const missing = ops.flatMap((op) => {
      if (!isStored(op.id)) return [];
      if (op.op === 'hold') return this.holds.has(op.id) ? [] : [op.id];
      if (op.op === 'capture' && op.keepRest && !this.holds.has(op.keepRest.id)) return [op.keepRest.id];
      return [];
    });
    await this.read(tx, missing);
  }

  private async read(tx: Db, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await queryRows<HoldRow>(
      tx,
      sql`SELECT ${holdColumns} FROM ledger_holds WHERE id = ANY(${sql.param([...ids])}::uuid[])`,
    );
    for (const row of rows) this.holds.set(row.id, toHold(row));
  }

  /** Every account the operations move value on: to be locked before anything is evaluated. */
  accountIds(ops: readonly BalanceOp[]): string[] {
    const ids: string[] = [];
    for (const op of ops) {
      if (op.op === 'spend' || op.op === 'hold') {
        ids.push(op.to, ...op.from.map((s) => s.accountId));
      } else {
        const hold = this.holds.get(op.holdId);
        if (hold) ids.push(hold.sinkAccountId, ...hold.parts.map((p) => p.accountId));
      }
    }
    return ids;
  }

  /**
   * The stored transfers the operations need: the parts of their holds, and every transfer they would
   * write, which a replay finds stored.
   */
  transferIds(ops: readonly BalanceOp[]): string[] {
    const ids: string[] = [];
    for (const op of ops) {
      ids.push(op.id);
      if (op.op === 'capture' || op.op === 'release') {
        const hold = this.holds.get(op.holdId);
        if (!hold) continue;
        hold.parts.forEach((part, index) => {
          ids.push(part.transferId, partId(op.id, index));
          if (op.op === 'capture' && op.keepRest) ids.push(partId(op.keepRest.id, index));
        });
      }
    }
    return ids;
  }

  get(id: string): Hold | undefined {
    return this.holds.get(id);
  }

  place(hold: Hold): void {
    this.holds.set(hold.id, hold);
    this.created.push(hold);
  }

  finish(hold: Hold, state: HoldState, captured: bigint, at: Date): Hold {
    const finished = { ...hold, state, captured, finishedAt: state === 'expired' ? hold.expiresAt : at };
    this.holds.set(hold.id, finished);
    const justPlaced = this.created.findIndex((h) => h.id === hold.id);
    if (justPlaced >= 0) this.created[justPlaced] = finished;
    else this.finished.add(hold.id);
    return finished;
  }

  /** The statements that write the batch's new and ended holds (see `BatchState.write`). */
  writes(): SQL[] {
    const writes: SQL[] = [];
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty unnest writes nothing; the check saves a statement
    if (this.created.length > 0) {
      const rows = this.created;
      const column = columnsOf(rows);
      writes.push(
        sql`INSERT INTO ledger_holds (id, ledger, code, sink_account_id, amount, captured, state, parts, timeout_seconds,
              expires_at, metadata, created_at, finished_at)
            SELECT * FROM unnest(${column((h) => h.id)}::uuid[], ${column((h) => h.ledger)}::text[],
              ${column((h) => h.code)}::text[], ${column((h) => h.sinkAccountId)}::uuid[],
              ${column((h) => h.amount.toString())}::numeric[], ${column((h) => h.captured.toString())}::numeric[],
              ${column((h) => h.state)}::text[], ${column((h) => JSON.stringify(storedParts(h.parts)))}::jsonb[],
              ${column((h) => h.timeoutSeconds)}::integer[], ${column((h) => h.expiresAt?.toISOString() ?? null)}::timestamptz[],
              ${column((h) => JSON.stringify(h.metadata))}::jsonb[], ${column((h) => h.createdAt.toISOString())}::timestamptz[],
              ${column((h) => h.finishedAt?.toISOString() ?? null)}::timestamptz[])`,
      );
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: as above
    if (this.finished.size > 0) {
      const rows = [...this.finished].map((id) => this.holds.get(id)!);
      writes.push(
        sql`UPDATE ledger_holds AS h SET state = u.state, captured = u.captured, finished_at = u.finished_at
            FROM unnest(${sql.param(rows.map((h) => h.id))}::uuid[], ${sql.param(rows.map((h) => h.state))}::text[],
              ${sql.param(rows.map((h) => h.captured.toString()))}::numeric[],
              ${sql.param(rows.map((h) => h.finishedAt?.toISOString() ?? null))}::timestamptz[])
              AS u(id, state, captured, finished_at)
            WHERE h.id = u.id`,
      );
    }
    return writes;
  }
}

/**
 * A spend that is retried finds its first transfer stored; its other parts are read here (rarely: only
 * replays), a few ids at a time until one is missing.
 */
export async function spendReplayIds(
  ops: readonly BalanceOp[],
  isStored: (id: string) => boolean,
  load: (ids: string[]) => Promise<void>,
): Promise<void> {
  const CHUNK = 16;
  for (const op of ops) {
    if (op.op !== 'spend' || !isStored(op.id)) continue;
    for (let from = 1; ; from += CHUNK) {
      const ids = Array.from({ length: CHUNK }, (_, i) => partId(op.id, from + i));
      await load(ids);
      if (!ids.every(isStored)) break;
    }
  }
}

/** Evaluates one operation against the batch's locked accounts; changes nothing if it fails. */
export function evaluateOp(batch: BatchState, book: HoldBook, op: BalanceOp): BalanceOpResult {
  const outcome =
    op.op === 'spend' || op.op === 'hold'
      ? draw(batch, book, op)
      : op.op === 'capture'
        ? capture(batch, book, op)
        : release(batch, book, op);
  // The batch keeps only transient refusals (TigerBeetle's rule), never a success.
  batch.rememberFailure(op.id, outcome.result);
  return outcome;
}

const refused = (op: BalanceOp, result: TransferResultCode, available?: bigint): BalanceOpResult => ({
  id: op.id,
  result,
  parts: [],
  ...(available === undefined ? {} : { available }),
});

function draw(batch: BatchState, book: HoldBook, op: SpendOp | HoldOp): BalanceOpResult {
  if (op.from.some((s) => s.accountId === op.to)) return refused(op, 'accounts_must_be_different');
  if (op.amount === 0n) return refused(op, 'amount_must_not_be_zero');
  if (batch.transfer(op.id))
    return op.op === 'spend' ? spendReplay(batch, op) : holdReplay(book, op, batch.now);
  if (batch.failedWith(op.id)) return refused(op, 'id_already_failed');
  if (!batch.account(op.to)) return refused(op, 'credit_account_not_found');

  const now = batch.now.getTime();
  // A hold that would end within a second is no hold: such an account is skipped for holds.
  const endsBy = (source: Source) =>
    source.until ? source.until.getTime() - (op.op === 'hold' ? 1000 : 0) : null;
  const parts: Part[] = [];
  let left = op.amount;
  let cap: number | null = null;
  for (const source of op.from) {
    if (left === 0n) break;
    const account = batch.account(source.accountId);
    if (!account) return refused(op, 'debit_account_not_found');
    const end = endsBy(source);
    if (end !== null && end <= now) continue;
    const available = account.debitsMustNotExceedCredits
      ? account.creditsPosted - account.debitsPosted - account.debitsPending
      : left;
    const take = smaller(available, left);
    if (take <= 0n) continue;
    parts.push({
      accountId: source.accountId,
      transferId: partId(op.id, parts.length),
      amount: take,
      // A hold remembers when each account stops paying: a release onto an ended one is the line's to tidy.
      ...(op.op === 'hold' ? { until: source.until ?? null } : {}),
    });
    left -= take;
    if (source.until) {
      const seconds = Math.floor((source.until.getTime() - now) / 1000);
      cap = cap === null ? seconds : Math.min(cap, seconds);
    }
  }
  if (left > 0n) return refused(op, 'exceeds_credits', op.amount - left);

  const requested = op.op === 'hold' ? (op.timeoutSeconds ?? 0) : 0;
  const timeoutSeconds =
    op.op === 'hold' && cap !== null ? (requested === 0 ? cap : Math.min(requested, cap)) : requested;
  const failure = applyAll(
    batch,
    parts.map((part) => ({
      id: part.transferId,
      debitAccountId: part.accountId,
      creditAccountId: op.to,
      amount: part.amount,
      ledger: op.ledger,
      code: op.code,
      timeoutSeconds,
      flags: { pending: op.op === 'hold' },
      metadata: op.metadata,
    })),
  );
  if (failure) return refused(op, failure);
  if (op.op === 'spend') return { id: op.id, result: 'ok', parts };
  const hold: Hold = {
    id: op.id,
    ledger: op.ledger,
    code: op.code,
    sinkAccountId: op.to,
    amount: op.amount,
    captured: 0n,
    state: 'held',
    parts,
    timeoutSeconds,
    expiresAt: timeoutSeconds > 0 ? new Date(now + timeoutSeconds * 1000) : null,
    metadata: op.metadata ?? {},
    createdAt: batch.now,
    finishedAt: null,
  };
  book.place(hold);
  return { id: op.id, result: 'ok', parts, hold };
}

function spendReplay(batch: BatchState, op: SpendOp): BalanceOpResult {
  const parts: Part[] = [];
  for (let index = 0; ; index++) {
    const stored = batch.transfer(partId(op.id, index));
    if (!stored) break;
    if (stored.kind !== 'posted') return refused(op, 'exists_with_different_flags');
    if (stored.creditAccountId !== op.to) return refused(op, 'exists_with_different_credit_account_id');
    if (stored.ledger !== op.ledger) return refused(op, 'exists_with_different_ledger');
    if (stored.code !== op.code) return refused(op, 'exists_with_different_code');
    parts.push({ accountId: stored.debitAccountId, transferId: stored.id, amount: stored.amount });
  }
  const total = parts.reduce((sum, p) => sum + p.amount, 0n);
  if (total !== op.amount) return refused(op, 'exists_with_different_amount');
  return { id: op.id, result: 'exists', parts };
}

function holdReplay(book: HoldBook, op: HoldOp, now: Date): BalanceOpResult {
  const hold = book.get(op.id);
  // The id names a transfer that is not a hold's: it was used for something else.
  if (!hold) return refused(op, 'exists_with_different_flags');
  if (hold.sinkAccountId !== op.to) return refused(op, 'exists_with_different_credit_account_id');
  if (hold.amount !== op.amount) return refused(op, 'exists_with_different_amount');
  if (hold.ledger !== op.ledger) return refused(op, 'exists_with_different_ledger');
  if (hold.code !== op.code) return refused(op, 'exists_with_different_code');
  return { id: op.id, result: 'exists', parts: hold.parts, hold: holdAsOf(hold, now) };
}

/**
 * Where a hold stands, from its parts as read under the lock (the hold row is read before it). A part
 * past its timeout is expired on the spot, so a late sweep never lets an expired hold be used.
 */
function holdStanding(batch: BatchState, hold: Hold): TransferResultCode | null {
  for (const part of hold.parts) batch.expireIfDue(part.transferId);
  for (const part of hold.parts) {
    const transfer = batch.transfer(part.transferId);
    // A hold a caller passed in (or a corrupt row) that its transfers do not bear out moves nothing.
    if (
      transfer &&
      (transfer.kind !== 'pending' ||
        transfer.amount !== part.amount ||
        transfer.debitAccountId !== part.accountId ||
        transfer.creditAccountId !== hold.sinkAccountId)
    ) {
      throw new AppError('internal', 'a hold does not match its pending transfers', { holdId: hold.id });
    }
    const state = transfer?.pendingState;
    if (state === 'posted') return 'pending_transfer_already_posted';
    if (state === 'voided') return 'pending_transfer_already_voided';
    if (state === 'expired') return 'pending_transfer_expired';
    if (state !== 'pending') return 'pending_transfer_not_found';
  }
  return null;
}

/**
 * Why a first attempt (not a replay) to capture or release `hold` moves nothing: its id failed
 * before, or the hold no longer stands; a hold found past its expiry is marked expired on the way.
 * Null when it may go on.
 */
function refusalOfFirstAttempt(
  batch: BatchState,
  book: HoldBook,
  op: CaptureOp | ReleaseOp,
  hold: Hold,
): BalanceOpResult | null {
  if (batch.failedWith(op.id)) return refused(op, 'id_already_failed');
  const standing = holdStanding(batch, hold);
  if (!standing) return null;
  const after =
    standing === 'pending_transfer_expired' && hold.state === 'held'
      ? book.finish(hold, 'expired', 0n, batch.now)
      : holdAsOf(hold, batch.now);
  return { ...refused(op, standing), hold: after };
}

function capture(batch: BatchState, book: HoldBook, op: CaptureOp): BalanceOpResult {
  const hold = book.get(op.holdId);
  if (!hold) return refused(op, batch.failedWith(op.id) ? 'id_already_failed' : 'pending_transfer_not_found');
  const refusedWithHold = (result: TransferResultCode) => ({
    ...refused(op, result),
    hold: holdAsOf(hold, batch.now),
  });
  if (op.amount === 0n) return refusedWithHold('amount_must_not_be_zero');
  const amount = op.amount ?? hold.amount;
  if (amount > hold.amount) return refusedWithHold('exceeds_pending_transfer_amount');
  const replay = batch.transfer(op.id) !== undefined;
  const refusal = replay ? null : refusalOfFirstAttempt(batch, book, op, hold);
  if (refusal) return refusal;

  // The rest ends when the hold would have, in the ledger's whole seconds (so up to a second sooner);
  // with less than a second left there is nothing worth keeping, and it is released.
  // A replay keeps what the first attempt kept, as it kept it.
  const keptBefore = replay && op.keepRest ? book.get(op.keepRest.id) : undefined;
  const restTimeout = keptBefore
    ? keptBefore.timeoutSeconds
    : hold.expiresAt
      ? Math.floor((hold.expiresAt.getTime() - batch.now.getTime()) / 1000)
      : 0;
  const keepsRest =
    op.keepRest !== undefined &&
    (replay ? keptBefore !== undefined : hold.expiresAt === null || restTimeout >= 1);
  const transfers: TransferInput[] = [];
  const captured: Part[] = [];
  const rest: Part[] = [];
  let left = amount;
  hold.parts.forEach((part, index) => {
    const take = smaller(part.amount, left);
    left -= take;
    const id = partId(op.id, index);
    transfers.push(
      take > 0n
        ? {
            id,
            pendingId: part.transferId,
            amount: take,
            flags: { postPendingTransfer: true },
            metadata: op.metadata,
          }
        : { id, pendingId: part.transferId, flags: { voidPendingTransfer: true }, metadata: op.metadata },
    );
    if (take > 0n) captured.push({ accountId: part.accountId, transferId: id, amount: take });
    if (keepsRest && op.keepRest && part.amount > take) {
      rest.push({
        accountId: part.accountId,
        transferId: partId(op.keepRest.id, rest.length),
        amount: part.amount - take,
        ...(part.until === undefined ? {} : { until: part.until }),
      });
    }
  });
  for (const part of rest) {
    transfers.push({
      id: part.transferId,
      debitAccountId: part.accountId,
      creditAccountId: hold.sinkAccountId,
      amount: part.amount,
      ledger: hold.ledger,
      code: hold.code,
      timeoutSeconds: restTimeout,
      flags: { pending: true },
      metadata: hold.metadata,
    });
  }
  const failure = applyAll(batch, transfers, replay);
  if (failure) return refused(op, failure);
  if (replay) {
    const restHold = op.keepRest ? book.get(op.keepRest.id) : undefined;
    const now = batch.now;
    return {
      id: op.id,
      result: 'exists',
      parts: captured,
      hold: holdAsOf(hold, now),
      ...(restHold ? { rest: holdAsOf(restHold, now) } : {}),
    };
  }
  const after = book.finish(hold, 'captured', amount, batch.now);
  if (!op.keepRest || rest.length === 0) return { id: op.id, result: 'ok', parts: captured, hold: after };
  const restHold: Hold = {
    ...hold,
    id: op.keepRest.id,
    amount: hold.amount - amount,
    captured: 0n,
    state: 'held',
    parts: rest,
    timeoutSeconds: restTimeout,
    expiresAt: restTimeout > 0 ? new Date(batch.now.getTime() + restTimeout * 1000) : null,
    createdAt: batch.now,
    finishedAt: null,
  };
  book.place(restHold);
  return { id: op.id, result: 'ok', parts: captured, hold: after, rest: restHold };
}

function release(batch: BatchState, book: HoldBook, op: ReleaseOp): BalanceOpResult {
  const hold = book.get(op.holdId);
  if (!hold) return refused(op, batch.failedWith(op.id) ? 'id_already_failed' : 'pending_transfer_not_found');
  const replay = batch.transfer(op.id) !== undefined;
  const refusal = replay ? null : refusalOfFirstAttempt(batch, book, op, hold);
  if (refusal) return refusal;
  const failure = applyAll(
    batch,
    hold.parts.map((part, index) => ({
      id: partId(op.id, index),
      pendingId: part.transferId,
      flags: { voidPendingTransfer: true },
      metadata: op.metadata,
    })),
    replay,
  );
  if (failure) return refused(op, failure);
  if (replay) return { id: op.id, result: 'exists', parts: [], hold: holdAsOf(hold, batch.now) };
  return { id: op.id, result: 'ok', parts: [], hold: book.finish(hold, 'released', 0n, batch.now) };
}

/**
 * Applies the transfers as one linked chain; the cause when it fails. A replay must find every one of
 * them stored as they are now (`exists`); a transfer that is new in a replay means other terms.
 */
function applyAll(batch: BatchState, transfers: TransferInput[], replay = false): TransferResultCode | null {
  if (replay && !transfers.every((t) => batch.transfer(t.id))) return 'exists_with_different_flags';
  const results: TransferResult[] = batch.applyGroup(
    transfers.map((t, index) => ({ ...t, flags: { ...t.flags, linked: index < transfers.length - 1 } })),
  );
  const cause =
    results.find((r) => r.result !== 'ok' && r.result !== 'exists' && r.result !== 'linked_event_failed') ??
    results.find((r) => r.result !== 'ok' && r.result !== 'exists');
  if (cause) return cause.result;
  if (replay && results.some((r) => r.result === 'ok')) {
    throw new AppError('internal', 'a replayed operation moved value the first attempt had not');
  }
  return null;
}

interface StoredPart {
  accountId: string;
  transferId: string;
  amount: string;
  until?: string | null;
}

const storedParts = (parts: readonly Part[]): StoredPart[] =>
  parts.map((p) => ({
    accountId: p.accountId,
    transferId: p.transferId,
    amount: p.amount.toString(),
    ...(p.until === undefined ? {} : { until: p.until?.toISOString() ?? null }),
  }));

const fromStoredPart = (p: StoredPart): Part => ({
  accountId: p.accountId,
  transferId: p.transferId,
  amount: BigInt(p.amount),
  ...(p.until === undefined ? {} : { until: p.until === null ? null : new Date(p.until) }),
});

interface HoldRow {
  id: string;
  ledger: string;
  code: string;
  sink_account_id: string;
  amount: string;
  captured: string;
  state: HoldState;
  parts: StoredPart[];
  timeout_seconds: number;
  expires_at: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  finished_at: string | null;
}

const holdColumns = sql.raw(
  'id, ledger, code, sink_account_id, amount::text, captured::text, state, parts, timeout_seconds, ' +
    'expires_at::text, metadata, created_at::text, finished_at::text',
);

const toHold = (row: HoldRow): Hold => ({
  id: row.id,
  ledger: row.ledger,
  code: row.code,
  sinkAccountId: row.sink_account_id,
  amount: BigInt(row.amount),
  captured: BigInt(row.captured),
  state: row.state,
  parts: row.parts.map(fromStoredPart),
  timeoutSeconds: row.timeout_seconds,
  expiresAt: row.expires_at ? parseTimestamp(row.expires_at) : null,
  metadata: row.metadata ?? {},
  createdAt: parseTimestamp(row.created_at),
  finishedAt: row.finished_at ? parseTimestamp(row.finished_at) : null,
});

/**
 * A hold as one JSON value, read by a line together with its own rows (`holdFromJson` turns it back):
 * the line passes it to a capture or release, which then need not read it again. `idColumn` names the
 * hold's id in the line's query.
 */
export const holdJson = (idColumn: string): SQL =>
  sql.raw(`(SELECT json_build_object('id', h.id, 'ledger', h.ledger, 'code', h.code,
    'sink_account_id', h.sink_account_id, 'amount', h.amount::text, 'captured', h.captured::text, 'state', h.state,
    'parts', h.parts, 'timeout_seconds', h.timeout_seconds, 'expires_at', h.expires_at::text, 'metadata', h.metadata,
    'created_at', h.created_at::text, 'finished_at', h.finished_at::text)
    FROM ledger_holds h WHERE h.id = ${idColumn})`);

export const holdFromJson = (json: unknown): Hold | null => (json ? toHold(json as HoldRow) : null);

/** Marks holds whose parts have all expired (the sweep's follow-up); returns how many. */
export async function markExpiredHolds(tx: Db, now: Date): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE ledger_holds h SET state = 'expired', finished_at = h.expires_at
        WHERE h.state = 'held' AND h.expires_at <= ${now}
          AND NOT EXISTS (
            SELECT 1 FROM jsonb_array_elements(h.parts) AS p
            JOIN ledger_transfers t ON t.id = (p->>'transferId')::uuid
            WHERE t.pending_state = 'pending')
        RETURNING h.id`,
  );
  return rows.length;
}
