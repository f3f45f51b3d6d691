import { sql } from 'drizzle-orm';
import { parseTimestamp } from '../core/database';
import type { Account, PendingState, Transfer, TransferKind } from './types';

/** How ledger rows come back from raw SQL (amounts and times as text), and how they become domain values. */

export interface StoredTransferRow {
  id: string;
  seq: string;
  kind: TransferKind;
  debit_account_id: string;
  credit_account_id: string;
  amount: string;
  pending_id: string | null;
  ledger: string;
  code: string;
  linked: boolean;
  timeout_seconds: number;
  expires_at: string | null;
  pending_state: PendingState | null;
  metadata: Record<string, unknown>;
  created_at: string;
  debit_account_debits_pending: string;
  debit_account_debits_posted: string;
  debit_account_credits_pending: string;
  debit_account_credits_posted: string;
  credit_account_debits_pending: string;
  credit_account_debits_posted: string;
  credit_account_credits_pending: string;
  credit_account_credits_posted: string;
}

const transferColumnList = `id, seq::text, kind, debit_account_id, credit_account_id, amount::text, pending_id,
  ledger, code, linked, timeout_seconds, expires_at::text, pending_state, metadata, created_at::text,
  debit_account_debits_pending::text, debit_account_debits_posted::text, debit_account_credits_pending::text,
  debit_account_credits_posted::text, credit_account_debits_pending::text, credit_account_debits_posted::text,
  credit_account_credits_pending::text, credit_account_credits_posted::text`;

export const transferColumns = sql.raw(transferColumnList);

/** As many NULLs as `transferColumns` has columns after the id: pads another table's rows into a UNION with it. */
export const transferColumnNulls = sql.raw(
  Array.from({ length: transferColumnList.split(',').length - 1 }, () => 'NULL').join(', '),
);

export function toTransfer(row: StoredTransferRow): Transfer {
  return {
    id: row.id,
    seq: BigInt(row.seq),
    kind: row.kind,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: BigInt(row.amount),
    pendingId: row.pending_id,
    ledger: row.ledger,
    code: row.code,
    linked: row.linked,
    timeoutSeconds: row.timeout_seconds,
    expiresAt: row.expires_at ? parseTimestamp(row.expires_at) : null,
    pendingState: row.pending_state,
    metadata: row.metadata ?? {},
    createdAt: parseTimestamp(row.created_at),
    debitAccountBalance: {
      debitsPending: BigInt(row.debit_account_debits_pending),
      debitsPosted: BigInt(row.debit_account_debits_posted),
      creditsPending: BigInt(row.debit_account_credits_pending),
      creditsPosted: BigInt(row.debit_account_credits_posted),
    },
    creditAccountBalance: {
      debitsPending: BigInt(row.credit_account_debits_pending),
      debitsPosted: BigInt(row.credit_account_debits_posted),
      creditsPending: BigInt(row.credit_account_credits_pending),
      creditsPosted: BigInt(row.credit_account_credits_posted),
    },
  };
}

export interface StoredAccountRow {
  id: string;
  ledger: string;
  owner: string | null;
  code: string;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  closed: boolean;
  debits_pending: string;
  debits_posted: string;
  credits_pending: string;
  credits_posted: string;
  metadata: Record<string, unknown>;
  created_at: string;
}

export const accountColumns = sql.raw(`id, ledger, owner, code, debits_must_not_exceed_credits,
  credits_must_not_exceed_debits, closed, debits_pending::text, debits_posted::text, credits_pending::text,
  credits_posted::text, metadata, created_at::text`);

export function toAccount(row: StoredAccountRow): Account {
  return {
    id: row.id,
    ledger: row.ledger,
    owner: row.owner,
    code: row.code,
    flags: {
      debitsMustNotExceedCredits: row.debits_must_not_exceed_credits,
      creditsMustNotExceedDebits: row.credits_must_not_exceed_debits,
      closed: row.closed,
    },
    debitsPending: BigInt(row.debits_pending),
    debitsPosted: BigInt(row.debits_posted),
    creditsPending: BigInt(row.credits_pending),
    creditsPosted: BigInt(row.credits_posted),
    metadata: row.metadata ?? {},
    createdAt: parseTimestamp(row.created_at),
  };
}
