/**
 * The ledger's vocabulary, named as TigerBeetle names it. Amounts are bigint minor units.
 */

export interface Ledger {
  code: string;
  scale: number;
  name: string;
  createdAt: Date;
}

export interface AccountFlags {
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  closed: boolean;
}

export interface Balances {
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

export interface Account extends Balances {
  id: string;
  ledger: string;
  owner: string | null;
  code: string;
  flags: AccountFlags;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface AccountInput {
  id: string;
  ledger: string;
  code: string;
  owner?: string | null;
  flags?: { debitsMustNotExceedCredits?: boolean; creditsMustNotExceedDebits?: boolean };
  metadata?: Record<string, unknown>;
}

export type CreateAccountResult =
  | 'ok'
  | 'exists'
  | 'flags_are_mutually_exclusive'
  | 'ledger_not_found'
  | 'exists_with_different_ledger'
  | 'exists_with_different_code'
  | 'exists_with_different_owner'
  | 'exists_with_different_flags'
  | 'exists_with_different_metadata';

export interface TransferFlags {
  /** This transfer and the next succeed or fail together. */
  linked?: boolean;
  /** A hold: the amount is reserved on both accounts until posted, voided or expired. */
  pending?: boolean;
  postPendingTransfer?: boolean;
  voidPendingTransfer?: boolean;
}

export interface TransferInput {
  id: string;
  /** Required for posted and pending transfers; for post/void, optional and must match the pending's. */
  debitAccountId?: string;
  creditAccountId?: string;
  /** Required for posted and pending; for a post, omitted means the whole pending amount; for a void, must match if given. */
  amount?: bigint;
  pendingId?: string;
  ledger?: string;
  code?: string;
  /** Seconds a pending transfer may wait before it expires by itself; 0 means never. */
  timeoutSeconds?: number;
  flags?: TransferFlags;
  metadata?: Record<string, unknown>;
}

export type TransferKind = 'posted' | 'pending' | 'post_pending' | 'void_pending' | 'expire_pending';
export type PendingState = 'pending' | 'posted' | 'voided' | 'expired';

export interface Transfer {
  id: string;
  seq: bigint;
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
  createdAt: Date;
  debitAccountBalance: Balances;
  creditAccountBalance: Balances;
}

/** One result per transfer, in TigerBeetle's order of precedence. `ok` and `exists` are successes. */
export const transferResultCodes = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'flags_are_mutually_exclusive',
  'pending_id_must_be_zero',
  'pending_id_must_not_be_zero',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'debit_account_id_must_not_be_zero',
  'credit_account_id_must_not_be_zero',
  'accounts_must_be_different',
  'amount_must_not_be_zero',
  'ledger_must_not_be_zero',
  'code_must_not_be_zero',
  'exists_with_different_flags',
  'exists_with_different_pending_id',
  'exists_with_different_timeout',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_metadata',
  'exists_with_different_ledger',
  'exists_with_different_code',
  'exists',
  'id_already_failed',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_ledger',
  'transfer_must_have_the_same_ledger_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_ledger',
  'pending_transfer_has_different_code',
  'exceeds_pending_transfer_amount',
  'pending_transfer_has_different_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'debit_account_already_closed',
  'credit_account_already_closed',
  'overflows_debits_pending',
  'overflows_credits_pending',
  'overflows_debits_posted',
  'overflows_credits_posted',
  'overflows_debits',
  'overflows_credits',
  'exceeds_credits',
  'exceeds_debits',
] as const;

export type TransferResultCode = (typeof transferResultCodes)[number];

export interface TransferResult {
  id: string;
  result: TransferResultCode;
  /** The stored transfer, for `ok` and `exists`. */
  transfer?: Transfer;
}

export const isSuccess = (result: TransferResultCode): boolean => result === 'ok' || result === 'exists';

/**
 * Results that depend on the ledger's state at the time, not on the request: the same request could
 * succeed later. The id of a transfer that failed with one is remembered, and a retry with it gets
 * `id_already_failed` (TigerBeetle's rule), so a retried idempotency key never succeeds late.
 */
export const TRANSIENT_RESULTS: ReadonlySet<TransferResultCode> = new Set([
  'debit_account_not_found',
  'credit_account_not_found',
  'pending_transfer_not_found',
  'exceeds_credits',
  'exceeds_debits',
  'debit_account_already_closed',
  'credit_account_already_closed',
]);
