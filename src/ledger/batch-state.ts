import { type SQL, sql } from 'drizzle-orm';
import { columnsOf, type Db, queryRows } from '../core/database';
import { newId } from '../core/ids';
import { canonicalJson } from '../core/json';
import { UINT256_MAX } from '../core/money';
import { failedTransfersInsert } from './failures';
import { type StoredTransferRow, toTransfer } from './rows';
import {
  type Balances,
  type PendingState,
  TRANSIENT_RESULTS,
  type Transfer,
  type TransferInput,
  type TransferKind,
  type TransferResult,
  type TransferResultCode,
} from './types';

/**
 * One batch as the engine evaluates it: the locked accounts and the transfers it reads, changed in
 * memory transfer by transfer, then written back at once. A linked chain that fails is undone in
 * memory before anything is written, so "all or none" costs nothing in the database.
 */

export interface AccountState extends Balances {
  id: string;
  ledger: string;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  closed: boolean;
}

export interface AccountRow {
  id: string;
  ledger: string;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  closed: boolean;
  debits_pending: string;
  debits_posted: string;
  credits_pending: string;
  credits_posted: string;
}

/**
 * A transfer as the engine holds it while a batch runs: stored ones, and those this batch creates
 * (no `seq` until written), with its metadata's canonical form for comparing a retry.
 */
export interface TransferState extends Omit<Transfer, 'seq'> {
  seq: bigint | null;
  metadataKey: string;
  isNew: boolean;
}

type Undo = () => void;

export class BatchState {
  // Stryker disable next-line ArrayDeclaration: a rollback pops back to a mark taken after the first entry, never below
  private readonly undoLog: Undo[] = [];
  private readonly created: TransferState[] = [];
  private readonly dirtyAccounts = new Set<string>();
  private readonly changedPendings = new Set<string>();
  /** Ids that failed for a transient reason, earlier (stored) or in this batch. */
  private readonly failed: Map<string, TransferResultCode>;
  private readonly newFailures = new Map<string, TransferResultCode>();

  constructor(
    private readonly accounts: Map<string, AccountState>,
    private readonly transfers: Map<string, TransferState>,
    readonly now: Date,
    failed: ReadonlyMap<string, TransferResultCode> = new Map(),
  ) {
    this.failed = new Map(failed);
  }

  account(id: string): Readonly<AccountState> | undefined {
    return this.accounts.get(id);
  }

  transfer(id: string): Readonly<TransferState> | undefined {
    return this.transfers.get(id);
  }

  /** The result an id failed with before, if it did for a transient reason. */
  failedWith(id: string): TransferResultCode | undefined {
    return this.failed.get(id);
  }

  /** Remembers that an id failed, when the reason could change with time (see TRANSIENT_RESULTS). */
  rememberFailure(id: string, result: TransferResultCode): void {
    if (!TRANSIENT_RESULTS.has(result) || this.failed.has(id)) return;
    this.failed.set(id, result);
    this.newFailures.set(id, result);
  }

  applyGroup(group: readonly TransferInput[]): TransferResult[] {
    const results: TransferResult[] = [];
    let chainStart = -1;
    let undoMark = 0;
    let createdMark = 0;
    let chainFailed: number | null = null;
    for (let index = 0; index < group.length; index++) {
      const input = group[index]!;
      const linked = input.flags?.linked === true;
      if (chainStart === -1 && linked) {
        chainStart = index;
        undoMark = this.undoLog.length;
        createdMark = this.created.length;
        chainFailed = null;
      }
      const open = linked && index === group.length - 1;
      let code: TransferResultCode;
      if (chainFailed !== null) code = 'linked_event_failed';
      else if (open) code = 'linked_event_chain_open';
      else code = this.applyOne(input);
      results.push({ id: input.id, result: code });
      this.rememberFailure(input.id, code);

      if (chainStart !== -1 && chainFailed === null && code !== 'ok' && code !== 'exists') {
        chainFailed = index;
        this.rollback(undoMark, createdMark);
        for (let earlier = chainStart; earlier < index; earlier++)
          results[earlier]!.result = 'linked_event_failed';
      }
      if (!linked) {
        chainStart = -1;
        chainFailed = null;
      }
    }
    return results;
  }

  /** Releases a pending transfer whose timeout has passed; returns whether it did. */
  expireIfDue(pendingId: string): boolean {
    const pending = this.transfers.get(pendingId);
    // What it returns counts only in the sweep, whose due rows are pending and past their timeout
    // unless another transaction posted one between the sweep's read and its lock: a race one
    // connection cannot stage.
    // Stryker disable next-line BooleanLiteral: see above
    if (pending?.kind !== 'pending' || pending.pendingState !== 'pending') return false;
    // Stryker disable next-line BooleanLiteral: see above
    if (!pending.expiresAt || pending.expiresAt.getTime() > this.now.getTime()) return false;
    const debit = this.accounts.get(pending.debitAccountId);
    const credit = this.accounts.get(pending.creditAccountId);
    // Stryker disable next-line ConditionalExpression,LogicalOperator,BooleanLiteral: every caller locks both accounts of the pendings it names; this only keeps a bug from reading undefined
    if (!debit || !credit) return false;
    this.change(debit, { debitsPending: debit.debitsPending - pending.amount });
    this.change(credit, { creditsPending: credit.creditsPending - pending.amount });
    this.setPendingState(pending, 'expired');
    this.create({
      id: newId(),
      kind: 'expire_pending',
      debit,
      credit,
      amount: pending.amount,
      pendingId: pending.id,
      ledger: pending.ledger,
      code: pending.code,
      linked: false,
      timeoutSeconds: 0,
      metadata: {},
    });
    return true;
  }

  private applyOne(input: TransferInput): TransferResultCode {
    const invalid = validateShape(input);
    if (invalid) return invalid;
    if (this.failed.has(input.id)) return 'id_already_failed';
    return isPostOrVoid(input) ? this.postOrVoid(input) : this.createTransfer(input);
  }

  private createTransfer(input: TransferInput): TransferResultCode {
    const kind: TransferKind = input.flags?.pending ? 'pending' : 'posted';
    const amount = input.amount!;
    const existing = this.transfers.get(input.id);
    if (existing) return compareExisting(existing, input, kind, amount);

    const debit = this.accounts.get(input.debitAccountId!);
    if (!debit) return 'debit_account_not_found';
    const credit = this.accounts.get(input.creditAccountId!);
    if (!credit) return 'credit_account_not_found';
    if (debit.ledger !== credit.ledger) return 'accounts_must_have_the_same_ledger';
    if (input.ledger !== debit.ledger) return 'transfer_must_have_the_same_ledger_as_accounts';
    if (debit.closed) return 'debit_account_already_closed';
    if (credit.closed) return 'credit_account_already_closed';

    if (kind === 'pending') {
      if (debit.debitsPending + amount > UINT256_MAX) return 'overflows_debits_pending';
      if (credit.creditsPending + amount > UINT256_MAX) return 'overflows_credits_pending';
    } else {
      if (debit.debitsPosted + amount > UINT256_MAX) return 'overflows_debits_posted';
      if (credit.creditsPosted + amount > UINT256_MAX) return 'overflows_credits_posted';
    }
    if (debit.debitsPending + debit.debitsPosted + amount > UINT256_MAX) return 'overflows_debits';
    if (credit.creditsPending + credit.creditsPosted + amount > UINT256_MAX) return 'overflows_credits';
    if (
      debit.debitsMustNotExceedCredits &&
      debit.debitsPending + debit.debitsPosted + amount > debit.creditsPosted
    ) {
      return 'exceeds_credits';
    }
    if (
      credit.creditsMustNotExceedDebits &&
      credit.creditsPending + credit.creditsPosted + amount > credit.debitsPosted
    ) {
      return 'exceeds_debits';
    }

    if (kind === 'pending') {
      this.change(debit, { debitsPending: debit.debitsPending + amount });
      this.change(credit, { creditsPending: credit.creditsPending + amount });
    } else {
      this.change(debit, { debitsPosted: debit.debitsPosted + amount });
      this.change(credit, { creditsPosted: credit.creditsPosted + amount });
    }
    this.create({
      id: input.id,
      kind,
      debit,
      credit,
      amount,
      pendingId: null,
      ledger: input.ledger!,
      code: input.code!,
      linked: input.flags?.linked === true,
      timeoutSeconds: input.timeoutSeconds ?? 0,
      metadata: input.metadata ?? {},
    });
    return 'ok';
  }

  private postOrVoid(input: TransferInput): TransferResultCode {
    // Stryker disable next-line OptionalChaining: a post or void always has flags (they say which it is)
    const kind: TransferKind = input.flags?.postPendingTransfer ? 'post_pending' : 'void_pending';
    const pending = this.transfers.get(input.pendingId!);
    const existing = this.transfers.get(input.id);
    // Without an amount a post or void means all of the pending (a void's amount is always that).
    if (existing)
      return compareExisting(existing, input, kind, input.amount ?? pending?.amount ?? existing.amount);
    if (!pending) return 'pending_transfer_not_found';
    if (pending.kind !== 'pending') return 'pending_transfer_not_pending';
    if (input.debitAccountId !== undefined && input.debitAccountId !== pending.debitAccountId) {
      return 'pending_transfer_has_different_debit_account_id';
    }
    if (input.creditAccountId !== undefined && input.creditAccountId !== pending.creditAccountId) {
      return 'pending_transfer_has_different_credit_account_id';
    }
    if (input.ledger !== undefined && input.ledger !== pending.ledger)
      return 'pending_transfer_has_different_ledger';
    if (input.code !== undefined && input.code !== pending.code) return 'pending_transfer_has_different_code';
    if (kind === 'post_pending' && (input.amount ?? pending.amount) > pending.amount) {
      return 'exceeds_pending_transfer_amount';
    }
    if (kind === 'void_pending' && input.amount !== undefined && input.amount !== pending.amount) {
      return 'pending_transfer_has_different_amount';
    }
    if (pending.pendingState === 'posted') return 'pending_transfer_already_posted';
    if (pending.pendingState === 'voided') return 'pending_transfer_already_voided';
    // The engine and the holds expire every pending they name before applying anything (expireIfDue),
    // so a pending past its timeout reads as expired here; the second test states the rule where a
    // caller forgot to. Either alone refuses it, so neither alone can be told apart by a test.
    // Stryker disable next-line ConditionalExpression,StringLiteral: see above
    if (pending.pendingState === 'expired') return 'pending_transfer_expired';
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (pending.expiresAt && pending.expiresAt.getTime() <= this.now.getTime())
      return 'pending_transfer_expired';

    const debit = this.accounts.get(pending.debitAccountId);
    const credit = this.accounts.get(pending.creditAccountId);
    // A pending's accounts are locked with it; these keep a bug from reading undefined.
    // Stryker disable next-line ConditionalExpression,StringLiteral: see above
    if (!debit) return 'debit_account_not_found';
    // Stryker disable next-line ConditionalExpression,StringLiteral: see above
    if (!credit) return 'credit_account_not_found';
    // Stryker disable next-line ConditionalExpression: a void names no other amount than the pending's (checked above)
    const amount = kind === 'post_pending' ? (input.amount ?? pending.amount) : pending.amount;
    if (kind === 'post_pending') {
      // Closing an account stops new value moving; releasing a hold (void) is still allowed.
      if (debit.closed) return 'debit_account_already_closed';
      if (credit.closed) return 'credit_account_already_closed';
      // Unreachable while the ledger holds: what a pending moves is already counted in pending + posted,
      // which never exceeds 2^256 - 1. Kept so a broken balance cannot overflow further.
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator,StringLiteral: see above
      if (debit.debitsPosted + amount > UINT256_MAX) return 'overflows_debits_posted';
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator,StringLiteral: see above
      if (credit.creditsPosted + amount > UINT256_MAX) return 'overflows_credits_posted';
      this.change(debit, {
        debitsPending: debit.debitsPending - pending.amount,
        debitsPosted: debit.debitsPosted + amount,
      });
      this.change(credit, {
        creditsPending: credit.creditsPending - pending.amount,
        creditsPosted: credit.creditsPosted + amount,
      });
      this.setPendingState(pending, 'posted');
    } else {
      this.change(debit, { debitsPending: debit.debitsPending - pending.amount });
      this.change(credit, { creditsPending: credit.creditsPending - pending.amount });
      this.setPendingState(pending, 'voided');
    }
    this.create({
      id: input.id,
      kind,
      debit,
      credit,
      amount,
      pendingId: pending.id,
      ledger: pending.ledger,
      code: pending.code,
      // Stryker disable next-line OptionalChaining: a post or void always has flags (they say which it is)
      linked: input.flags?.linked === true,
      timeoutSeconds: 0,
      metadata: input.metadata ?? {},
    });
    return 'ok';
  }

  private change(account: AccountState, next: Partial<Balances>): void {
    const before: Balances = { ...pickBalances(account) };
    const wasDirty = this.dirtyAccounts.has(account.id);
    Object.assign(account, next);
    this.dirtyAccounts.add(account.id);
    this.undoLog.push(() => {
      Object.assign(account, before);
      // Stryker disable next-line BooleanLiteral,ConditionalExpression: left dirty, an account undone to its stored balances is written unchanged
      if (!wasDirty) this.dirtyAccounts.delete(account.id);
    });
  }

  private setPendingState(pending: TransferState, state: PendingState): void {
    const before = pending.pendingState;
    const wasChanged = this.changedPendings.has(pending.id);
    pending.pendingState = state;
    // Stryker disable next-line ConditionalExpression: an update of a row the same statement inserts finds no row (a data-modifying CTE sees the snapshot before it)
    if (!pending.isNew) this.changedPendings.add(pending.id);
    this.undoLog.push(() => {
      pending.pendingState = before;
      // A pending changes state once: a chain cannot change one the batch changed before it. And one
      // left in the set after the undo is written with its stored state.
      // Stryker disable next-line BooleanLiteral,ConditionalExpression: see above
      if (!wasChanged) this.changedPendings.delete(pending.id);
    });
  }

  private create(fields: {
    id: string;
    kind: TransferKind;
    debit: AccountState;
    credit: AccountState;
    amount: bigint;
    pendingId: string | null;
    ledger: string;
    code: string;
    linked: boolean;
    timeoutSeconds: number;
    metadata: Record<string, unknown>;
  }): void {
    const transfer: TransferState = {
      id: fields.id,
      seq: null,
      kind: fields.kind,
      debitAccountId: fields.debit.id,
      creditAccountId: fields.credit.id,
      amount: fields.amount,
      pendingId: fields.pendingId,
      ledger: fields.ledger,
      code: fields.code,
      linked: fields.linked,
      timeoutSeconds: fields.timeoutSeconds,
      expiresAt:
        fields.kind === 'pending' && fields.timeoutSeconds > 0
          ? new Date(this.now.getTime() + fields.timeoutSeconds * 1000)
          : null,
      pendingState: fields.kind === 'pending' ? 'pending' : null,
      metadata: fields.metadata,
      metadataKey: canonicalJson(fields.metadata),
      createdAt: this.now,
      debitAccountBalance: pickBalances(fields.debit),
      creditAccountBalance: pickBalances(fields.credit),
      // Stryker disable next-line BooleanLiteral: read only to skip an update the insert makes needless (see setPendingState)
      isNew: true,
    };
    this.transfers.set(transfer.id, transfer);
    this.created.push(transfer);
    this.undoLog.push(() => {
      this.transfers.delete(transfer.id);
    });
  }

  private rollback(undoMark: number, createdMark: number): void {
    while (this.undoLog.length > undoMark) this.undoLog.pop()!();
    this.created.length = createdMark;
  }

  /**
   * Writes the batch: new transfers, changed accounts, resolved pendings and remembered failures, with
   * whatever the caller adds (`also`: the hold rows, a line's records), as one statement of
   * data-modifying CTEs, so a batch costs the database one round trip to write whatever it carries.
   * They never touch the same row twice: a pending posted in the batch that made it is inserted with
   * its final state.
   */
  async write(tx: Db, also: readonly SQL[] = []): Promise<void> {
    const writes: SQL[] = [...also];
    // Each guard below saves an empty statement, which would write nothing: the result is the same.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (this.newFailures.size > 0) {
      writes.push(
        failedTransfersInsert(
          [...this.newFailures].map(([id, result]) => ({ id, result })),
          this.now,
        ),
      );
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (this.dirtyAccounts.size > 0) {
      const changed = [...this.dirtyAccounts].map((id) => this.accounts.get(id)!);
      const column = (pick: (a: AccountState) => bigint) => sql.param(changed.map((a) => pick(a).toString()));
      writes.push(
        sql`UPDATE ledger_accounts AS a SET debits_pending = u.dp, debits_posted = u.dpo,
              credits_pending = u.cp, credits_posted = u.cpo
            FROM unnest(${sql.param(changed.map((a) => a.id))}::uuid[], ${column((a) => a.debitsPending)}::numeric[],
              ${column((a) => a.debitsPosted)}::numeric[], ${column((a) => a.creditsPending)}::numeric[],
              ${column((a) => a.creditsPosted)}::numeric[]) AS u(id, dp, dpo, cp, cpo)
            WHERE a.id = u.id`,
      );
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (this.changedPendings.size > 0) {
      const changed = [...this.changedPendings].map((id) => this.transfers.get(id)!);
      writes.push(
        sql`UPDATE ledger_transfers AS t SET pending_state = u.state
            FROM unnest(${sql.param(changed.map((t) => t.id))}::uuid[],
              ${sql.param(changed.map((t) => t.pendingState))}::text[]) AS u(id, state)
            WHERE t.id = u.id`,
      );
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    const inserts = this.created.length > 0 ? this.transferInsert(this.created) : null;
    if (!inserts && writes.length === 0) return;
    const ctes = writes.map((write, index) => sql`${sql.raw(`w${index}`)} AS (${write})`);
    if (inserts) ctes.push(sql`created AS (${inserts})`);
    const inserted = await queryRows<{ id: string | null; seq: string | null }>(
      tx,
      sql`WITH ${sql.join(ctes, sql`, `)} ${inserts ? sql`SELECT id, seq FROM created` : sql`SELECT NULL AS id, NULL AS seq`}`,
    );
    for (const row of inserted) {
      const transfer = row.id ? this.transfers.get(row.id) : undefined;
      // Stryker disable next-line LogicalOperator: every row the insert returns is a transfer of this batch, with its seq
      if (transfer && row.seq) transfer.seq = BigInt(row.seq);
    }
  }

  private transferInsert(rows: readonly TransferState[]): SQL {
    const column = columnsOf(rows);
    return sql`INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, pending_id, ledger, code,
          linked, timeout_seconds, expires_at, pending_state, metadata, created_at,
          debit_account_debits_pending, debit_account_debits_posted, debit_account_credits_pending,
          debit_account_credits_posted, credit_account_debits_pending, credit_account_debits_posted,
          credit_account_credits_pending, credit_account_credits_posted)
        SELECT id, kind, dr, cr, amount, pending_id, ledger, code, linked, timeout_seconds, expires_at, pending_state,
          metadata::jsonb, created_at, d1, d2, d3, d4, c1, c2, c3, c4
        FROM unnest(${column((t) => t.id)}::uuid[], ${column((t) => t.kind)}::text[],
          ${column((t) => t.debitAccountId)}::uuid[], ${column((t) => t.creditAccountId)}::uuid[],
          ${column((t) => t.amount.toString())}::numeric[], ${column((t) => t.pendingId)}::uuid[],
          ${column((t) => t.ledger)}::text[], ${column((t) => t.code)}::text[], ${column((t) => t.linked)}::boolean[],
          ${column((t) => t.timeoutSeconds)}::integer[], ${column((t) => t.expiresAt?.toISOString() ?? null)}::timestamptz[],
          ${column((t) => t.pendingState)}::text[], ${column((t) => t.metadataKey)}::text[],
          ${column((t) => t.createdAt.toISOString())}::timestamptz[],
          ${column((t) => t.debitAccountBalance.debitsPending.toString())}::numeric[],
          ${column((t) => t.debitAccountBalance.debitsPosted.toString())}::numeric[],
          ${column((t) => t.debitAccountBalance.creditsPending.toString())}::numeric[],
          ${column((t) => t.debitAccountBalance.creditsPosted.toString())}::numeric[],
          ${column((t) => t.creditAccountBalance.debitsPending.toString())}::numeric[],
          ${column((t) => t.creditAccountBalance.debitsPosted.toString())}::numeric[],
          ${column((t) => t.creditAccountBalance.creditsPending.toString())}::numeric[],
          ${column((t) => t.creditAccountBalance.creditsPosted.toString())}::numeric[])
          WITH ORDINALITY AS u(id, kind, dr, cr, amount, pending_id, ledger, code, linked, timeout_seconds, expires_at,
            pending_state, metadata, created_at, d1, d2, d3, d4, c1, c2, c3, c4, position)
        ORDER BY position
        RETURNING id, seq::text`;
  }
}

function compareExisting(
  existing: TransferState,
  input: TransferInput,
  kind: TransferKind,
  amount: bigint,
): TransferResultCode {
  if (existing.kind !== kind || existing.linked !== (input.flags?.linked === true))
    return 'exists_with_different_flags';
  if ((input.pendingId ?? null) !== existing.pendingId) return 'exists_with_different_pending_id';
  if ((input.timeoutSeconds ?? 0) !== existing.timeoutSeconds) return 'exists_with_different_timeout';
  if (input.debitAccountId !== undefined && input.debitAccountId !== existing.debitAccountId) {
    return 'exists_with_different_debit_account_id';
  }
  if (input.creditAccountId !== undefined && input.creditAccountId !== existing.creditAccountId) {
    return 'exists_with_different_credit_account_id';
  }
  if (amount !== existing.amount) return 'exists_with_different_amount';
  if (canonicalJson(input.metadata ?? {}) !== existing.metadataKey) return 'exists_with_different_metadata';
  if (input.ledger !== undefined && input.ledger !== existing.ledger) return 'exists_with_different_ledger';
  if (input.code !== undefined && input.code !== existing.code) return 'exists_with_different_code';
  return 'exists';
}

/** The checks that need no database, in TigerBeetle's order. */
function validateShape(input: TransferInput): TransferResultCode | null {
  const flags = input.flags ?? {};
  const modes = [flags.pending, flags.postPendingTransfer, flags.voidPendingTransfer].filter(Boolean).length;
  if (modes > 1) return 'flags_are_mutually_exclusive';
  if (isPostOrVoid(input)) {
    if (!input.pendingId) return 'pending_id_must_not_be_zero';
    if (input.pendingId === input.id) return 'pending_id_must_be_different';
    if ((input.timeoutSeconds ?? 0) !== 0) return 'timeout_reserved_for_pending_transfer';
    if (input.amount === 0n) return 'amount_must_not_be_zero';
    return null;
  }
  if (input.pendingId) return 'pending_id_must_be_zero';
  if (!flags.pending && (input.timeoutSeconds ?? 0) !== 0) return 'timeout_reserved_for_pending_transfer';
  if (!input.debitAccountId) return 'debit_account_id_must_not_be_zero';
  if (!input.creditAccountId) return 'credit_account_id_must_not_be_zero';
  if (input.debitAccountId === input.creditAccountId) return 'accounts_must_be_different';
  if (input.amount === undefined || input.amount === 0n) return 'amount_must_not_be_zero';
  if (!input.ledger) return 'ledger_must_not_be_zero';
  if (!input.code) return 'code_must_not_be_zero';
  return null;
}

export const isPostOrVoid = (input: TransferInput): boolean =>
  input.flags?.postPendingTransfer === true || input.flags?.voidPendingTransfer === true;

export const unique = <T>(values: T[]): T[] => [...new Set(values)];

export const pickBalances = (b: Balances): Balances => ({
  debitsPending: b.debitsPending,
  debitsPosted: b.debitsPosted,
  creditsPending: b.creditsPending,
  creditsPosted: b.creditsPosted,
});

export function fromStoredRow(row: StoredTransferRow): TransferState {
  const transfer = toTransfer(row);
  return { ...transfer, metadataKey: canonicalJson(transfer.metadata), isNew: false };
}

export function toPublicTransfer(state: TransferState): Transfer {
  const { metadataKey: _key, isNew: _isNew, seq, ...rest } = state;
  return { ...rest, seq: seq ?? 0n };
}
