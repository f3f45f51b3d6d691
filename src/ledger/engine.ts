import { sql } from 'drizzle-orm';
import type { Clock } from '../core/clock';
import { type Db, queryRows } from '../core/database';
import { AppError } from '../core/errors';
import { isUuid, newId } from '../core/ids';
import { canonicalJson } from '../core/json';
import { UINT256_MAX } from '../core/money';
import { type StoredTransferRow, toTransfer, transferColumns } from './rows';
import type {
  Balances,
  PendingState,
  Transfer,
  TransferInput,
  TransferKind,
  TransferResult,
  TransferResultCode,
} from './types';

/**
 * The transfer engine: applies batches of transfers inside the caller's transaction with
 * TigerBeetle's semantics.
 *
 * Every account a batch touches is locked up front with `ORDER BY id FOR UPDATE`, so two batches
 * that share accounts wait for each other in the same order and never deadlock. The batch is then
 * evaluated in memory against the locked balances, and written back with one insert of all new
 * transfers and one update of all changed accounts. A linked chain that fails is undone in memory
 * before anything is written, so "all or none" costs nothing in the database.
 */

interface AccountState extends Balances {
  id: string;
  ledger: string;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  closed: boolean;
}

interface AccountRow {
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

/** A transfer as the engine holds it while a batch runs: stored ones, and those this batch creates. */
interface TransferState {
  id: string;
  seq: bigint | null;
  kind: TransferKind;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  pendingId: string | null;
  ledger: string;
  code: string;
  linked: boolean;
  timeoutSeconds: number;
  expiresAt: Date | null;
  pendingState: PendingState | null;
  metadata: Record<string, unknown>;
  metadataKey: string;
  createdAt: Date;
  debitAccountBalance: Balances;
  creditAccountBalance: Balances;
  isNew: boolean;
}

type Undo = () => void;

export interface ApplyOptions {
  clock: Clock;
}

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
  { clock }: ApplyOptions,
): Promise<TransferResult[][]> {
  const now = clock.now();
  const inputs = groups.flat();
  for (const input of inputs) assertWellFormed(input);

  const referencedPendingIds = unique(
    inputs
      .filter(isPostOrVoid)
      .map((t) => t.pendingId)
      .filter(isUuidString),
  );
  const accountIds = new Set<string>();
  for (const input of inputs) {
    if (isUuidString(input.debitAccountId)) accountIds.add(input.debitAccountId);
    if (isUuidString(input.creditAccountId)) accountIds.add(input.creditAccountId);
  }
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
  const lookupIds = unique([...inputs.map((t) => t.id), ...referencedPendingIds]);
  const stored = await queryRows<StoredTransferRow>(
    tx,
    sql`SELECT ${transferColumns} FROM ledger_transfers WHERE id = ANY(${sql.param(lookupIds)}::uuid[])`,
  );
  for (const row of stored) transfers.set(row.id, fromStoredRow(row));

  // A pending created between our first read and our lock has accounts we do not hold yet.
  const unlocked = stored
    .flatMap((r) => [r.debit_account_id, r.credit_account_id])
    .filter((id) => !accounts.has(id));
  if (unlocked.length > 0) await lockAccounts(tx, unique(unlocked), accounts);

  const batch = new BatchState(accounts, transfers, now);
  for (const id of referencedPendingIds) batch.expireIfDue(id);

  const results: TransferResult[][] = groups.map((group) => batch.applyGroup(group));
  await batch.write(tx);

  for (const groupResults of results) {
    for (const result of groupResults) {
      const state =
        result.result === 'ok' || result.result === 'exists' ? transfers.get(result.id) : undefined;
      if (state) result.transfer = toPublicTransfer(state);
    }
  }
  return results;
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
  if (due.length === 0) return 0;
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
  return expired;
}

async function lockAccounts(tx: Db, ids: string[], into: Map<string, AccountState>): Promise<void> {
  if (ids.length === 0) return;
  const rows = await queryRows<AccountRow>(
    tx,
    sql`SELECT id, ledger, debits_must_not_exceed_credits, credits_must_not_exceed_debits, closed,
          debits_pending::text, debits_posted::text, credits_pending::text, credits_posted::text
        FROM ledger_accounts WHERE id = ANY(${sql.param(ids)}::uuid[]) ORDER BY id FOR UPDATE`,
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

class BatchState {
  private readonly undoLog: Undo[] = [];
  private readonly created: TransferState[] = [];
  private readonly dirtyAccounts = new Set<string>();
  private readonly changedPendings = new Set<string>();

  constructor(
    private readonly accounts: Map<string, AccountState>,
    private readonly transfers: Map<string, TransferState>,
    private readonly now: Date,
  ) {}

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
    if (pending?.kind !== 'pending' || pending.pendingState !== 'pending') return false;
    if (!pending.expiresAt || pending.expiresAt.getTime() > this.now.getTime()) return false;
    const debit = this.accounts.get(pending.debitAccountId);
    const credit = this.accounts.get(pending.creditAccountId);
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
    const kind: TransferKind = input.flags?.postPendingTransfer ? 'post_pending' : 'void_pending';
    const pending = this.transfers.get(input.pendingId!);
    const existing = this.transfers.get(input.id);
    if (existing) {
      const whole = pending?.amount ?? existing.amount;
      return compareExisting(
        existing,
        input,
        kind,
        input.amount ?? (kind === 'post_pending' ? whole : existing.amount),
      );
    }
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
    if (kind === 'post_pending' && input.amount !== undefined && input.amount > pending.amount) {
      return 'exceeds_pending_transfer_amount';
    }
    if (kind === 'void_pending' && input.amount !== undefined && input.amount !== pending.amount) {
      return 'pending_transfer_has_different_amount';
    }
    if (pending.pendingState === 'posted') return 'pending_transfer_already_posted';
    if (pending.pendingState === 'voided') return 'pending_transfer_already_voided';
    if (pending.pendingState === 'expired') return 'pending_transfer_expired';
    if (pending.expiresAt && pending.expiresAt.getTime() <= this.now.getTime())
      return 'pending_transfer_expired';

    const debit = this.accounts.get(pending.debitAccountId);
    const credit = this.accounts.get(pending.creditAccountId);
    if (!debit) return 'debit_account_not_found';
    if (!credit) return 'credit_account_not_found';
    const amount = kind === 'post_pending' ? (input.amount ?? pending.amount) : pending.amount;
    if (kind === 'post_pending') {
      // Closing an account stops new value moving; releasing a hold (void) is still allowed.
      if (debit.closed) return 'debit_account_already_closed';
      if (credit.closed) return 'credit_account_already_closed';
      if (debit.debitsPosted + amount > UINT256_MAX) return 'overflows_debits_posted';
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
      if (!wasDirty) this.dirtyAccounts.delete(account.id);
    });
  }

  private setPendingState(pending: TransferState, state: PendingState): void {
    const before = pending.pendingState;
    const wasChanged = this.changedPendings.has(pending.id);
    pending.pendingState = state;
    if (!pending.isNew) this.changedPendings.add(pending.id);
    this.undoLog.push(() => {
      pending.pendingState = before;
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

  async write(tx: Db): Promise<void> {
    if (this.created.length > 0) {
      const rows = this.created;
      const column = <T>(pick: (t: TransferState) => T) => sql.param(rows.map(pick));
      const inserted = await queryRows<{ id: string; seq: string }>(
        tx,
        sql`INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, pending_id, ledger, code,
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
            RETURNING id, seq::text`,
      );
      for (const row of inserted) {
        const transfer = this.transfers.get(row.id);
        if (transfer) transfer.seq = BigInt(row.seq);
      }
    }
    if (this.dirtyAccounts.size > 0) {
      const changed = [...this.dirtyAccounts].map((id) => this.accounts.get(id)!);
      const column = (pick: (a: AccountState) => bigint) => sql.param(changed.map((a) => pick(a).toString()));
      await tx.execute(
        sql`UPDATE ledger_accounts AS a SET debits_pending = u.dp, debits_posted = u.dpo,
              credits_pending = u.cp, credits_posted = u.cpo
            FROM unnest(${sql.param(changed.map((a) => a.id))}::uuid[], ${column((a) => a.debitsPending)}::numeric[],
              ${column((a) => a.debitsPosted)}::numeric[], ${column((a) => a.creditsPending)}::numeric[],
              ${column((a) => a.creditsPosted)}::numeric[]) AS u(id, dp, dpo, cp, cpo)
            WHERE a.id = u.id`,
      );
    }
    if (this.changedPendings.size > 0) {
      const changed = [...this.changedPendings].map((id) => this.transfers.get(id)!);
      await tx.execute(
        sql`UPDATE ledger_transfers AS t SET pending_state = u.state
            FROM unnest(${sql.param(changed.map((t) => t.id))}::uuid[],
              ${sql.param(changed.map((t) => t.pendingState))}::text[]) AS u(id, state)
            WHERE t.id = u.id`,
      );
    }
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

const isPostOrVoid = (input: TransferInput): boolean =>
  input.flags?.postPendingTransfer === true || input.flags?.voidPendingTransfer === true;

const isUuidString = (value: string | undefined): value is string => value !== undefined && isUuid(value);

const unique = <T>(values: T[]): T[] => [...new Set(values)];

const pickBalances = (b: Balances): Balances => ({
  debitsPending: b.debitsPending,
  debitsPosted: b.debitsPosted,
  creditsPending: b.creditsPending,
  creditsPosted: b.creditsPosted,
});

function fromStoredRow(row: StoredTransferRow): TransferState {
  const transfer = toTransfer(row);
  return { ...transfer, metadataKey: canonicalJson(transfer.metadata), isNew: false };
}

function toPublicTransfer(state: TransferState): Transfer {
  const { metadataKey: _key, isNew: _isNew, seq, ...rest } = state;
  return { ...rest, seq: seq ?? 0n };
}
