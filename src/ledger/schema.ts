import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { amountColumn } from '../core/amounts';

const amount = amountColumn;

export const ledgers = pgTable(
  'ledger_ledgers',
  {
    code: text('code').primaryKey(),
    scale: integer('scale').notNull(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [check('ledger_scale_range', sql`${t.scale} BETWEEN 0 AND 36`)],
);

export const accounts = pgTable(
  'ledger_accounts',
  {
    id: uuid('id').primaryKey(),
    ledger: text('ledger')
      .notNull()
      .references(() => ledgers.code),
    owner: text('owner'),
    code: text('code').notNull(),
    debitsMustNotExceedCredits: boolean('debits_must_not_exceed_credits').notNull().default(false),
    creditsMustNotExceedDebits: boolean('credits_must_not_exceed_debits').notNull().default(false),
    closed: boolean('closed').notNull().default(false),
    debitsPending: amount('debits_pending').notNull().default(sql`0`),
    debitsPosted: amount('debits_posted').notNull().default(sql`0`),
    creditsPending: amount('credits_pending').notNull().default(sql`0`),
    creditsPosted: amount('credits_posted').notNull().default(sql`0`),
    metadata: jsonb('metadata').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('ledger_accounts_owner_idx').on(t.owner, t.id),
    index('ledger_accounts_ledger_idx').on(t.ledger, t.id),
    // The engine enforces these; the database refuses a write that breaks them all the same.
    check(
      'ledger_accounts_balances_not_negative',
      sql`${t.debitsPending} >= 0 AND ${t.debitsPosted} >= 0 AND ${t.creditsPending} >= 0 AND ${t.creditsPosted} >= 0`,
    ),
    check(
      'ledger_accounts_flags_exclusive',
      sql`NOT (${t.debitsMustNotExceedCredits} AND ${t.creditsMustNotExceedDebits})`,
    ),
    check(
      'ledger_accounts_debits_limit',
      sql`NOT ${t.debitsMustNotExceedCredits} OR ${t.debitsPending} + ${t.debitsPosted} <= ${t.creditsPosted}`,
    ),
    check(
      'ledger_accounts_credits_limit',
      sql`NOT ${t.creditsMustNotExceedDebits} OR ${t.creditsPending} + ${t.creditsPosted} <= ${t.debitsPosted}`,
    ),
  ],
);

export const transferKinds = ['posted', 'pending', 'post_pending', 'void_pending', 'expire_pending'] as const;
export const pendingStates = ['pending', 'posted', 'voided', 'expired'] as const;

export const transfers = pgTable(
  'ledger_transfers',
  {
    id: uuid('id').primaryKey(),
    /** Commit order; the cursor of every history page. */
    seq: bigint('seq', { mode: 'bigint' }).generatedAlwaysAsIdentity().notNull().unique(),
    kind: text('kind', { enum: transferKinds }).notNull(),
    debitAccountId: uuid('debit_account_id')
      .notNull()
      .references(() => accounts.id),
    creditAccountId: uuid('credit_account_id')
      .notNull()
      .references(() => accounts.id),
    amount: amount('amount').notNull(),
    pendingId: uuid('pending_id'),
    ledger: text('ledger').notNull(),
    code: text('code').notNull(),
    linked: boolean('linked').notNull().default(false),
    timeoutSeconds: integer('timeout_seconds').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Only for kind = pending: where the hold stands now. */
    pendingState: text('pending_state', { enum: pendingStates }),
    metadata: jsonb('metadata').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    // Both accounts' balances right after this transfer: the account history without a replay.
    debitAccountDebitsPending: amount('debit_account_debits_pending').notNull(),
    debitAccountDebitsPosted: amount('debit_account_debits_posted').notNull(),
    debitAccountCreditsPending: amount('debit_account_credits_pending').notNull(),
    debitAccountCreditsPosted: amount('debit_account_credits_posted').notNull(),
    creditAccountDebitsPending: amount('credit_account_debits_pending').notNull(),
    creditAccountDebitsPosted: amount('credit_account_debits_posted').notNull(),
    creditAccountCreditsPending: amount('credit_account_credits_pending').notNull(),
    creditAccountCreditsPosted: amount('credit_account_credits_posted').notNull(),
  },
  (t) => [
    index('ledger_transfers_debit_idx').on(t.debitAccountId, t.seq),
    index('ledger_transfers_credit_idx').on(t.creditAccountId, t.seq),
    index('ledger_transfers_pending_id_idx').on(t.pendingId),
    index('ledger_transfers_ledger_idx').on(t.ledger, t.seq),
    index('ledger_transfers_expiry_idx').on(t.expiresAt).where(sql`${t.pendingState} = 'pending'`),
    check('ledger_transfers_amount_positive', sql`${t.amount} > 0`),
    check('ledger_transfers_accounts_differ', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
  ],
);

/**
 * Ids of transfers (and balance operations) that failed for a reason that could change with time: a
 * balance too low, an account or hold not found yet, an account closed. A retry with the same id gets
 * `id_already_failed` instead of succeeding later, as in TigerBeetle since 0.16.4: an idempotency key
 * names one attempt, and its answer never changes.
 */
export const failedTransfers = pgTable('ledger_failed_transfers', {
  id: uuid('id').primaryKey(),
  result: text('result').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const holdStates = ['held', 'captured', 'released', 'expired'] as const;

/**
 * A hold on a prepaid balance: one pending transfer per account it draws on (its parts), all to one
 * sink. Its parts never change; `state` follows them (a capture posts them, a release voids them).
 */
export const holds = pgTable(
  'ledger_holds',
  {
    id: uuid('id').primaryKey(),
    ledger: text('ledger').notNull(),
    code: text('code').notNull(),
    sinkAccountId: uuid('sink_account_id')
      .notNull()
      .references(() => accounts.id),
    amount: amount('amount').notNull(),
    captured: amount('captured').notNull().default(sql`0`),
    state: text('state', { enum: holdStates }).notNull(),
    /** [{ accountId, transferId, amount, until }] in the order they were drawn. */
    parts: jsonb('parts')
      .$type<{ accountId: string; transferId: string; amount: string; until?: string | null }[]>()
      .notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    metadata: jsonb('metadata').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('ledger_holds_expiry_idx').on(t.expiresAt).where(sql`${t.state} = 'held'`),
    check('ledger_holds_amount_positive', sql`${t.amount} > 0`),
    check('ledger_holds_captured_range', sql`${t.captured} >= 0 AND ${t.captured} <= ${t.amount}`),
  ],
);
