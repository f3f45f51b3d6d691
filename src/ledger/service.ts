import { type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../core/actor';
import { type AuditEntryInput, recordAudit } from '../core/audit/service';
import type { Clock } from '../core/clock';
import { type Db, parseTimestamp, queryRows } from '../core/database';
import { AppError, notFound } from '../core/errors';
import { canonicalJson } from '../core/json';
import { idFromCursor, type Page, type PageRequest, pageLimit, pageOf, seqFromCursor } from '../core/paging';
import {
  accountColumns,
  type StoredAccountRow,
  type StoredTransferRow,
  toAccount,
  toTransfer,
  transferColumns,
} from './rows';
import type { Account, AccountInput, Balances, CreateAccountResult, Ledger, Transfer } from './types';

export interface LedgerDeps {
  db: Db;
  clock: Clock;
  /** Who asks; when given, each change is written to the audit log in its own transaction. */
  actor?: Actor;
}

async function audit(tx: Db, { clock, actor }: LedgerDeps, entry: AuditEntryInput): Promise<void> {
  if (actor) await recordAudit(tx, clock, actor, entry);
}

export const LEDGER_CODE = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

export interface LedgerInput {
  code: string;
  scale: number;
  name?: string;
}

/** Creates a ledger (an asset and its scale). Creating it again with the same scale returns it. */
export async function createLedger(deps: LedgerDeps, input: LedgerInput): Promise<Ledger> {
  const { db, clock } = deps;
  if (!LEDGER_CODE.test(input.code)) {
    throw new AppError(
      'validation_failed',
      'ledger code must start with a letter and use letters, digits, _ . : -',
    );
  }
  if (!Number.isInteger(input.scale) || input.scale < 0 || input.scale > 36) {
    throw new AppError('validation_failed', 'scale must be an integer from 0 to 36');
  }
  const ledger = await db.transaction(async (tx) => {
    const inserted = await queryRows<{ code: string }>(
      tx,
      sql`INSERT INTO ledger_ledgers (code, scale, name, created_at)
          VALUES (${input.code}, ${input.scale}, ${input.name ?? input.code}, ${clock.now()})
          ON CONFLICT (code) DO NOTHING RETURNING code`,
    );
    if (inserted.length > 0) {
      await audit(tx, deps, {
        action: 'ledger.create',
        objectType: 'ledger',
        objectId: input.code,
        details: { ...input },
      });
    }
    return getLedger({ db: tx }, input.code);
  });
  if (ledger.scale !== input.scale) {
    throw new AppError('conflict', `ledger ${input.code} exists with scale ${ledger.scale}`, {
      code: 'exists_with_different_scale',
    });
  }
  return ledger;
}

export async function getLedger({ db }: Pick<LedgerDeps, 'db'>, code: string): Promise<Ledger> {
  const [row] = await queryRows<{ code: string; scale: number; name: string; created_at: string }>(
    db,
    sql`SELECT code, scale, name, created_at::text FROM ledger_ledgers WHERE code = ${code}`,
  );
  if (!row) throw notFound('ledger', { ledger: code });
  return { code: row.code, scale: row.scale, name: row.name, createdAt: parseTimestamp(row.created_at) };
}

export async function listLedgers({ db }: Pick<LedgerDeps, 'db'>): Promise<Ledger[]> {
  const rows = await queryRows<{ code: string; scale: number; name: string; created_at: string }>(
    db,
    sql`SELECT code, scale, name, created_at::text FROM ledger_ledgers ORDER BY code`,
  );
  return rows.map((row) => ({
    code: row.code,
    scale: row.scale,
    name: row.name,
    createdAt: parseTimestamp(row.created_at),
  }));
}

export interface CreateAccountOutcome {
  id: string;
  result: CreateAccountResult;
  account?: Account;
}

/**
 * Creates accounts, each on its own: the account id is the idempotency key, so a retry returns
 * `exists`, and the same id with other fields returns `exists_with_different_*`.
 */
export async function createAccounts(
  deps: LedgerDeps,
  inputs: readonly AccountInput[],
): Promise<CreateAccountOutcome[]> {
  const { db, clock } = deps;
  return db.transaction(async (tx) => {
    const ledgerCodes = [...new Set(inputs.map((i) => i.ledger))];
    const known = new Set(
      (
        await queryRows<{ code: string }>(
          tx,
          sql`SELECT code FROM ledger_ledgers WHERE code = ANY(${sql.param(ledgerCodes)}::text[])`,
        )
      ).map((r) => r.code),
    );
    const outcomes: CreateAccountOutcome[] = [];
    for (const input of inputs) {
      const flags = input.flags ?? {};
      if (flags.debitsMustNotExceedCredits && flags.creditsMustNotExceedDebits) {
        outcomes.push({ id: input.id, result: 'flags_are_mutually_exclusive' });
        continue;
      }
      if (!known.has(input.ledger)) {
        outcomes.push({ id: input.id, result: 'ledger_not_found' });
        continue;
      }
      const inserted = await queryRows<StoredAccountRow>(
        tx,
        sql`INSERT INTO ledger_accounts (id, ledger, owner, code, debits_must_not_exceed_credits,
              credits_must_not_exceed_debits, metadata, created_at)
            VALUES (${input.id}, ${input.ledger}, ${input.owner ?? null}, ${input.code},
              ${flags.debitsMustNotExceedCredits === true}, ${flags.creditsMustNotExceedDebits === true},
              ${canonicalJson(input.metadata ?? {})}::jsonb, ${clock.now()})
            ON CONFLICT (id) DO NOTHING
            RETURNING ${accountColumns}`,
      );
      if (inserted[0]) {
        outcomes.push({ id: input.id, result: 'ok', account: toAccount(inserted[0]) });
        continue;
      }
      const existing = await getAccount({ db: tx }, input.id);
      outcomes.push({ id: input.id, result: compareAccount(existing, input), account: existing });
    }
    const created = outcomes.filter((o) => o.result === 'ok').map((o) => o.id);
    if (created.length > 0) {
      await audit(tx, deps, {
        action: 'ledger.accounts_create',
        objectType: 'ledger_account',
        details: { ids: created },
      });
    }
    return outcomes;
  });
}

function compareAccount(existing: Account, input: AccountInput): CreateAccountResult {
  const flags = input.flags ?? {};
  if (
    existing.flags.debitsMustNotExceedCredits !== (flags.debitsMustNotExceedCredits === true) ||
    existing.flags.creditsMustNotExceedDebits !== (flags.creditsMustNotExceedDebits === true)
  ) {
    return 'exists_with_different_flags';
  }
  if (existing.ledger !== input.ledger) return 'exists_with_different_ledger';
  if (existing.code !== input.code) return 'exists_with_different_code';
  if (existing.owner !== (input.owner ?? null)) return 'exists_with_different_owner';
  if (canonicalJson(existing.metadata) !== canonicalJson(input.metadata ?? {}))
    return 'exists_with_different_metadata';
  return 'exists';
}

export async function getAccount({ db }: Pick<LedgerDeps, 'db'>, id: string): Promise<Account> {
  const [row] = await queryRows<StoredAccountRow>(
    db,
    sql`SELECT ${accountColumns} FROM ledger_accounts WHERE id = ${id}`,
  );
  if (!row) throw notFound('account', { id });
  return toAccount(row);
}

export interface AccountFilter {
  ledger?: string;
  owner?: string;
  code?: string;
  cursor?: string;
  limit?: number;
}

export async function listAccounts(
  { db }: Pick<LedgerDeps, 'db'>,
  filter: AccountFilter = {},
): Promise<Page<Account>> {
  const limit = pageLimit(filter.limit);
  const after = idFromCursor(filter.cursor);
  const conditions: SQL[] = [sql`TRUE`];
  if (filter.ledger) conditions.push(sql`ledger = ${filter.ledger}`);
  if (filter.owner) conditions.push(sql`owner = ${filter.owner}`);
  if (filter.code) conditions.push(sql`code = ${filter.code}`);
  if (after) conditions.push(sql`id > ${after}`);
  const rows = await queryRows<StoredAccountRow>(
    db,
    sql`SELECT ${accountColumns} FROM ledger_accounts
        WHERE ${sql.join(conditions, sql` AND `)} ORDER BY ledger_accounts.id LIMIT ${limit + 1}`,
  );
  return pageOf(rows.map(toAccount), limit, (a) => ({ id: a.id }));
}

/** Closes an account: it takes part in no new transfer or post; holds on it can still be voided or expire. */
export async function setAccountClosed(deps: LedgerDeps, id: string, closed: boolean): Promise<Account> {
  return deps.db.transaction(async (tx) => {
    const rows = await queryRows<{ id: string }>(
      tx,
      sql`UPDATE ledger_accounts SET closed = ${closed} WHERE id = ${id} RETURNING id`,
    );
    if (rows.length === 0) throw notFound('account', { id });
    await audit(tx, deps, {
      action: closed ? 'ledger.account_close' : 'ledger.account_reopen',
      objectType: 'ledger_account',
      objectId: id,
    });
    return getAccount({ db: tx }, id);
  });
}

export async function getTransfer({ db }: Pick<LedgerDeps, 'db'>, id: string): Promise<Transfer> {
  const [row] = await queryRows<StoredTransferRow>(
    db,
    sql`SELECT ${transferColumns} FROM ledger_transfers WHERE id = ${id}`,
  );
  if (!row) throw notFound('transfer', { id });
  return toTransfer(row);
}

export interface TransferFilter {
  ledger?: string;
  accountId?: string;
  cursor?: string;
  limit?: number;
}

export async function listTransfers(
  { db }: Pick<LedgerDeps, 'db'>,
  filter: TransferFilter = {},
): Promise<Page<Transfer>> {
  const limit = pageLimit(filter.limit);
  const after = seqFromCursor(filter.cursor) ?? -1n;
  const ledger = filter.ledger ? sql`AND ledger = ${filter.ledger}` : sql``;
  // Ordered by the stored bigint (the select list's seq is text, so every ORDER BY names the table's
  // column); an account's transfers come from its two indexes, merged, so no page scans the ledger.
  const rows = filter.accountId
    ? await queryRows<StoredTransferRow>(
        db,
        sql`SELECT ${transferColumns} FROM (
              (SELECT * FROM ledger_transfers WHERE debit_account_id = ${filter.accountId} AND seq > ${after} ${ledger}
                ORDER BY seq LIMIT ${limit + 1})
              UNION ALL
              (SELECT * FROM ledger_transfers WHERE credit_account_id = ${filter.accountId} AND seq > ${after} ${ledger}
                ORDER BY seq LIMIT ${limit + 1})
            ) AS t ORDER BY t.seq LIMIT ${limit + 1}`,
      )
    : await queryRows<StoredTransferRow>(
        db,
        sql`SELECT ${transferColumns} FROM ledger_transfers WHERE ledger_transfers.seq > ${after} ${ledger}
            ORDER BY ledger_transfers.seq LIMIT ${limit + 1}`,
      );
  return pageOf(rows.map(toTransfer), limit, (t) => ({ seq: t.seq }));
}

export interface HistoryEntry {
  transfer: Transfer;
  /** Which side of the transfer this account was on. */
  side: 'debit' | 'credit';
  /** This account's balances right after the transfer. */
  balance: Balances;
}

/** An account's transfers in commit order, each with the account's balances right after it. */
export async function getAccountHistory(
  deps: Pick<LedgerDeps, 'db'>,
  accountId: string,
  options: PageRequest = {},
): Promise<Page<HistoryEntry>> {
  await getAccount(deps, accountId);
  const limit = pageLimit(options.limit);
  const after = seqFromCursor(options.cursor) ?? -1n;
  const rows = await queryRows<StoredTransferRow>(
    deps.db,
    sql`SELECT ${transferColumns} FROM (
          (SELECT * FROM ledger_transfers WHERE debit_account_id = ${accountId} AND seq > ${after} ORDER BY seq LIMIT ${limit + 1})
          UNION ALL
          (SELECT * FROM ledger_transfers WHERE credit_account_id = ${accountId} AND seq > ${after} ORDER BY seq LIMIT ${limit + 1})
        ) AS t ORDER BY t.seq LIMIT ${limit + 1}`,
  );
  const entries = rows.map(toTransfer).map((transfer): HistoryEntry => {
    const side = transfer.debitAccountId === accountId ? 'debit' : 'credit';
    return {
      transfer,
      side,
      balance: side === 'debit' ? transfer.debitAccountBalance : transfer.creditAccountBalance,
    };
  });
  return pageOf(entries, limit, (e) => ({ seq: e.transfer.seq }));
}
