import { type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock';
import { type Db, queryRows, TransactionConflict } from '../core/database';
import { AppError } from '../core/errors';
import { isUuid } from '../core/ids';
import { UINT256_MAX } from '../core/money';
import {
  type AccountRow,
  type AccountState,
  BatchState,
  fromStoredRow,
  isPostOrVoid,
  type TransferState,
  toPublicTransfer,
  unique,
} from './batch-state';
import {
  assertWellFormedOp,
  type BalanceOp,
  type BalanceOpResult,
  evaluateOp,
  HoldBook,
  markExpiredHolds,
  spendReplayIds,
} from './holds';
import { type StoredTransferRow, transferColumnNulls, transferColumns } from './rows';
import type { TransferInput, TransferResult, TransferResultCode } from './types';

/**
 * The transfer engine: applies batches of transfers, and operations on prepaid balances (`holds.ts`),
 * inside the caller's transaction with TigerBeetle's semantics.
 *
 * Every account a batch touches is locked up front with `ORDER BY id FOR UPDATE`, so two batches
 * that share accounts wait for each other in the same order and never deadlock. The batch is then
 * evaluated in memory against the locked balances (`batch-state.ts`), and written back with one insert
 * of all new transfers and one update of all changed accounts.
 */

export interface ApplyOptions {
  clock: Clock;
}

export interface CallOptions extends ApplyOptions {
  /**
   * A line's own writes, from the results, to go into the ledger's one write statement (as CTEs):
   * its records of what moved cost no round trip of their own, and commit or fail with the transfers.
   */
  alsoWrite?: (results: readonly LedgerCallResult[]) => SQL[];
}

/** One caller's part of a batch: its own transfers (a linked chain never leaves them), or one operation. */
export type LedgerCall = { transfers: readonly TransferInput[] } | { op: BalanceOp };
export type LedgerCallResult = { transfers: TransferResult[] } | { op: BalanceOpResult };

export async function applyTransfers(
  tx: Db,
  inputs: readonly TransferInput[],
  options: ApplyOptions,
): Promise<TransferResult[]> {
  const [results] = await applyTransferGroups(tx, [inputs], options);
  return results ?? [];
}

/**
 * Applies several clients' batches in one transaction. A linked chain never crosses from one
 * group into the next: each group is evaluated as if it had been sent alone.
 */
export async function applyTransferGroups(
  tx: Db,
  groups: readonly (readonly TransferInput[])[],
  options: ApplyOptions,
): Promise<TransferResult[][]> {
  const results = await applyLedgerCalls(
    tx,
    groups.map((transfers) => ({ transfers })),
    options,
  );
  return results.map((r) => ('transfers' in r ? r.transfers : []));
}

/** Applies operations on prepaid balances (spend, hold, capture, release) in the caller's transaction. */
export async function applyBalanceOps(
  tx: Db,
  ops: readonly BalanceOp[],
  options: ApplyOptions & { alsoWrite?: (results: readonly BalanceOpResult[]) => SQL[] },
): Promise<BalanceOpResult[]> {
  const opResults = (results: readonly LedgerCallResult[]) =>
    results.flatMap((r) => ('op' in r ? [r.op] : []));
  const { alsoWrite } = options;
  const results = await applyLedgerCalls(
    tx,
    ops.map((op) => ({ op })),
    { clock: options.clock, ...(alsoWrite ? { alsoWrite: (all) => alsoWrite(opResults(all)) } : {}) },
  );
  return opResults(results);
}

/** Applies callers' transfers and operations in one transaction, each evaluated as if sent alone, in order. */
export async function applyLedgerCalls(
  tx: Db,
  calls: readonly LedgerCall[],
  { clock, alsoWrite }: CallOptions,
): Promise<LedgerCallResult[]> {
  const now = clock.now();
  const inputs = calls.flatMap((c) => ('transfers' in c ? c.transfers : []));
  const ops = calls.flatMap((c) => ('op' in c ? [c.op] : []));
  for (const input of inputs) assertWellFormed(input);
  for (const op of ops) assertWellFormedOp(op);

  const book = await HoldBook.load(tx, ops);
  // Stryker disable next-line MethodExpression: a pending id on any other transfer is refused by its result; reading it as well changes nothing
  const referencedPendingIds = unique(
    inputs
      .filter(isPostOrVoid)
      .map((t) => t.pendingId)
      .filter(isDefined),
  );
  const accountIds = new Set<string>(book.accountIds(ops));
  for (const input of inputs) {
    // Stryker disable next-line ConditionalExpression: an absent account adds null to the lock list, which matches no row
    if (isDefined(input.debitAccountId)) accountIds.add(input.debitAccountId);
    // Stryker disable next-line ConditionalExpression: as above
    if (isDefined(input.creditAccountId)) accountIds.add(input.creditAccountId);
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the query with no ids finds nothing; the test saves a round trip
  if (referencedPendingIds.length > 0) {
    const pendings = await queryRows<{ debit_account_id: string; credit_account_id: string }>(
      tx,
      sql`SELECT debit_account_id, credit_account_id FROM ledger_transfers
          WHERE id = ANY(${sql.param(referencedPendingIds)}::uuid[])`,
    );
    for (const p of pendings) {
      accountIds.add(p.debit_account_id);
      accountIds.add(p.credit_account_id);
    }
  }

  const accounts = new Map<string, AccountState>();
  await lockAccounts(tx, [...accountIds], accounts);

  const transfers = new Map<string, TransferState>();
  const failed = new Map<string, TransferResultCode>();
  const lookupIds = unique([...inputs.map((t) => t.id), ...referencedPendingIds, ...book.transferIds(ops)]);
  // Holds on a balance's accounts that passed their timeout count as released: expired here, before
  // anything is drawn, when both their accounts are locked (the sweep gets the others).
  const sourceIds = unique(
    ops.flatMap((op) => (op.op === 'spend' || op.op === 'hold' ? op.from.map((s) => s.accountId) : [])),
  );
  const due = await readStored(
    tx,
    lookupIds,
    { sourceIds, lockedIds: [...accounts.keys()], now },
    transfers,
    failed,
  );
  await spendReplayIds(
    ops,
    (id) => transfers.has(id),
    (ids) => readStored(tx, ids, null, transfers, failed).then(() => undefined),
  );
  await book.loadReplays(tx, ops, (id) => transfers.has(id));

  // A pending committed between our first read and our lock has accounts we do not hold. Locking
  // them now would take locks out of order (a deadlock with another batch doing the same): start
  // over instead; the next attempt reads the pending before it locks, and locks all in order.
  // (A hold's accounts are on its row, read before the lock; stored transfers read only to answer
  // `exists` are compared, never written: their accounts need no lock.)
  // Stryker disable all: reached only when another connection commits a pending between two reads; concurrency.test.ts proves it on PostgreSQL
  const unlocked = referencedPendingIds
    .flatMap((id) => {
      const pending = transfers.get(id);
      return pending ? [pending.debitAccountId, pending.creditAccountId] : [];
    })
    .filter((id) => !accounts.has(id));
  if (unlocked.length > 0) {
    throw new TransactionConflict('a pending transfer appeared on accounts this batch had not locked');
  }
  // Stryker restore all

  const batch = new BatchState(accounts, transfers, now, failed);
  for (const id of [...referencedPendingIds, ...due]) batch.expireIfDue(id);

  const results: LedgerCallResult[] = calls.map((call) =>
    'transfers' in call
      ? { transfers: batch.applyGroup(call.transfers) }
      : { op: evaluateOp(batch, book, call.op) },
  );
  await batch.write(tx, [...book.writes(), ...(alsoWrite?.(results) ?? [])]);

  for (const result of results) {
    if (!('transfers' in result)) continue;
    for (const r of result.transfers) {
      const state = r.result === 'ok' || r.result === 'exists' ? transfers.get(r.id) : undefined;
      if (state) r.transfer = toPublicTransfer(state);
    }
  }
  return results;
}

/**
 * Reads stored transfers and remembered failures by id in one round trip, and with `due`, the pending
 * transfers past their timeout that debit one of `sourceIds` and credit a locked account. Returns the
 * ids of those due ones.
 */
async function readStored(
  tx: Db,
  ids: readonly string[],
  due: { sourceIds: string[]; lockedIds: string[]; now: Date } | null,
  transfers: Map<string, TransferState>,
  failed: Map<string, TransferResultCode>,
): Promise<string[]> {
  // Stryker disable next-line ConditionalExpression: with nothing to look for the query finds nothing; the test saves a round trip
  if (ids.length === 0 && !due?.sourceIds.length) return [];
  const idParam = sql.param([...ids]);
  const dueBranch = due?.sourceIds.length
    ? sql`UNION ALL
        SELECT ${transferColumns}, NULL, TRUE FROM ledger_transfers
        WHERE pending_state = 'pending' AND expires_at <= ${due.now}
          AND debit_account_id = ANY(${sql.param(due.sourceIds)}::uuid[])
          AND credit_account_id = ANY(${sql.param(due.lockedIds)}::uuid[])
          AND id <> ALL(${idParam}::uuid[])`
    : sql``;
  const rows = await queryRows<
    StoredTransferRow & { failed_result: TransferResultCode | null; due: boolean }
  >(
    tx,
    sql`SELECT ${transferColumns}, NULL::text AS failed_result, FALSE AS due FROM ledger_transfers
          WHERE id = ANY(${idParam}::uuid[])
        ${dueBranch}
        UNION ALL
        SELECT id, ${transferColumnNulls}, result, FALSE FROM ledger_failed_transfers WHERE id = ANY(${idParam}::uuid[])`,
  );
  // Stryker disable next-line ArrayDeclaration: expireIfDue finds no transfer under a made-up id
  const dueIds: string[] = [];
  for (const row of rows) {
    if (row.failed_result !== null) {
      failed.set(row.id, row.failed_result);
      continue;
    }
    transfers.set(row.id, fromStoredRow(row));
    // Stryker disable next-line ConditionalExpression: expireIfDue expires only a pending past its timeout with both accounts locked, as the due rows are
    if (row.due) dueIds.push(row.id);
  }
  return dueIds;
}

/** Releases every pending transfer whose timeout has passed (at most `limit`); returns how many expired. */
export async function expireDuePendingTransfers(
  tx: Db,
  { clock }: ApplyOptions,
  limit = 1000,
): Promise<number> {
  const now = clock.now();
  const due = await queryRows<{ id: string; debit_account_id: string; credit_account_id: string }>(
    tx,
    sql`SELECT id, debit_account_id, credit_account_id FROM ledger_transfers
        WHERE pending_state = 'pending' AND expires_at <= ${now}
        ORDER BY expires_at LIMIT ${limit}`,
  );
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with none due the block locks, reads and writes nothing
  if (due.length > 0) {
    const accounts = new Map<string, AccountState>();
    await lockAccounts(tx, unique(due.flatMap((d) => [d.debit_account_id, d.credit_account_id])), accounts);
    const stored = await queryRows<StoredTransferRow>(
      tx,
      sql`SELECT ${transferColumns} FROM ledger_transfers WHERE id = ANY(${sql.param(due.map((d) => d.id))}::uuid[])`,
    );
    const transfers = new Map(stored.map((row) => [row.id, fromStoredRow(row)]));
    const batch = new BatchState(accounts, transfers, now);
    let expired = 0;
    for (const { id } of due) if (batch.expireIfDue(id)) expired++;
    await batch.write(tx);
    await markExpiredHolds(tx, now);
    return expired;
  }
  await markExpiredHolds(tx, now);
  return 0;
}

async function lockAccounts(tx: Db, ids: string[], into: Map<string, AccountState>): Promise<void> {
  // Stryker disable next-line ConditionalExpression: locking no ids locks nothing; the test saves a round trip
  if (ids.length === 0) return;
  const rows = await queryRows<AccountRow>(
    tx,
    sql`SELECT id, ledger, debits_must_not_exceed_credits, credits_must_not_exceed_debits, closed,
          debits_pending::text, debits_posted::text, credits_pending::text, credits_posted::text
        FROM ledger_accounts WHERE id = ANY(${sql.param(unique(ids))}::uuid[]) ORDER BY id FOR UPDATE`,
  );
  for (const row of rows) {
    into.set(row.id, {
      id: row.id,
      ledger: row.ledger,
      debitsMustNotExceedCredits: row.debits_must_not_exceed_credits,
      creditsMustNotExceedDebits: row.credits_must_not_exceed_debits,
      closed: row.closed,
      debitsPending: BigInt(row.debits_pending),
      debitsPosted: BigInt(row.debits_posted),
      creditsPending: BigInt(row.credits_pending),
      creditsPosted: BigInt(row.credits_posted),
    });
  }
}

/** Inputs the edges should never let through; reaching here is a caller's bug, not a result code. */
function assertWellFormed(input: TransferInput): void {
  if (!isUuid(input.id)) throw new AppError('validation_failed', `transfer id "${input.id}" is not a UUID`);
  for (const [field, value] of [
    ['debitAccountId', input.debitAccountId],
    ['creditAccountId', input.creditAccountId],
    ['pendingId', input.pendingId],
  ] as const) {
    if (value !== undefined && !isUuid(value)) {
      throw new AppError('validation_failed', `${field} "${value}" is not a UUID`);
    }
  }
  if (input.amount !== undefined && (input.amount < 0n || input.amount > UINT256_MAX)) {
    throw new AppError('validation_failed', 'amount must be between 0 and 2^256-1');
  }
  const timeout = input.timeoutSeconds ?? 0;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > 2 ** 31 - 1) {
    throw new AppError('validation_failed', 'timeoutSeconds must be a non-negative 32-bit integer');
  }
}

/** assertWellFormed has refused every id that is not a UUID: present is enough here. */
const isDefined = (value: string | undefined): value is string => value !== undefined;
