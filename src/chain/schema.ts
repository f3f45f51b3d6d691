import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

/** numeric(78,0) holds any uint256; read and written as a decimal string / bigint. */
const uint256 = (name: string) => numeric(name, { precision: 78, scale: 0 });

/**
 * One row per address Tally sends from on a chain. `next_nonce` is handed out under this row's lock
 * in the transaction that records the outgoing transaction, so two senders (or two processes) never
 * take the same nonce and a nonce is never skipped.
 */
export const signers = pgTable(
  'chain_signers',
  {
    chainId: integer('chain_id').notNull(),
    address: text('address').notNull(),
    nextNonce: bigint('next_nonce', { mode: 'bigint' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.address] })],
);

/**
 * queued: recorded with its nonce, not yet broadcast · pending: broadcast, not yet mined deep enough ·
 * confirmed: mined and successful with enough confirmations · reverted: mined, failed (nonce used) ·
 * cancelled: could not be sent; its nonce was filled by an empty transaction so later ones can land.
 */
export const outgoingStates = ['queued', 'pending', 'confirmed', 'reverted', 'cancelled'] as const;
export type OutgoingState = (typeof outgoingStates)[number];

export const outgoingTransactions = pgTable(
  'chain_outgoing_transactions',
  {
    id: uuid('id').primaryKey(),
    chainId: integer('chain_id').notNull(),
    fromAddress: text('from_address').notNull(),
    nonce: bigint('nonce', { mode: 'bigint' }).notNull(),
    toAddress: text('to_address').notNull(),
    data: text('data').notNull().default('0x'),
    value: uint256('value').notNull().default('0'),
    gasLimit: uint256('gas_limit').notNull(),
    /** The fees of the latest broadcast; a stuck transaction is re-sent with both raised. */
    maxFeePerGas: uint256('max_fee_per_gas'),
    maxPriorityFeePerGas: uint256('max_priority_fee_per_gas'),
    /** What it is for ('faucet', 'payout', …): shown on the chain status page. */
    purpose: text('purpose').notNull(),
    /** The caller's key: asking twice with the same key returns the first transaction. */
    idempotencyKey: text('idempotency_key'),
    state: text('state', { enum: outgoingStates }).notNull().default('queued'),
    /** Every hash broadcast for this nonce: after a fee bump any of them may be the one mined. */
    hashes: jsonb('hashes').$type<string[]>().notNull().default([]),
    /** The newest version a node accepted; a newer one is sent again as it is until a node takes it. */
    acceptedHash: text('accepted_hash'),
    minedHash: text('mined_hash'),
    blockNumber: bigint('block_number', { mode: 'bigint' }),
    gasUsed: uint256('gas_used'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** When the sender next looks at it: broadcast, check for a receipt, or bump the fee. */
    nextCheckAt: timestamp('next_check_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    metadata: jsonb('metadata').notNull().default({}),
  },
  (t) => [
    unique('chain_outgoing_nonce_unique').on(t.chainId, t.fromAddress, t.nonce),
    unique('chain_outgoing_idempotency_unique').on(t.chainId, t.idempotencyKey),
    index('chain_outgoing_open_idx').on(t.nextCheckAt).where(sql`${t.state} IN ('queued', 'pending')`),
    index('chain_outgoing_created_idx').on(t.createdAt),
    index('chain_outgoing_state_idx').on(t.state, t.id),
    check('chain_outgoing_nonce_not_negative', sql`${t.nonce} >= 0`),
  ],
);

/**
 * A follower's position: the last block it has read (confirmed or not). Followers are named by what
 * they watch, so a product line adding a watcher starts its own cursor.
 */
export const cursors = pgTable(
  'chain_cursors',
  {
    follower: text('follower').notNull(),
    chainId: integer('chain_id').notNull(),
    blockNumber: bigint('block_number', { mode: 'bigint' }).notNull(),
    blockHash: text('block_hash').notNull(),
    /**
     * Every block up to this one was read a second time once deep enough (a provider's backend
     * behind the head can answer a first read with nothing): only events up to it are confirmed.
     */
    verifiedNumber: bigint('verified_number', { mode: 'bigint' }).notNull(),
    verifiedHash: text('verified_hash').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.follower, t.chainId] })],
);

/** The recent blocks a follower has read, kept to notice a reorg and find where the chains part. */
export const seenBlocks = pgTable(
  'chain_seen_blocks',
  {
    follower: text('follower').notNull(),
    chainId: integer('chain_id').notNull(),
    number: bigint('number', { mode: 'bigint' }).notNull(),
    hash: text('hash').notNull(),
    parentHash: text('parent_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.follower, t.chainId, t.number] })],
);

/**
 * seen: in a block not yet deep enough · confirmed: deep enough, handed to the follower's handler
 * (exactly once) · orphaned: its block left the chain; if it had been confirmed, the handler's
 * rollback ran in the same transaction.
 */
export const eventStates = ['seen', 'confirmed', 'orphaned'] as const;
export type EventState = (typeof eventStates)[number];

export const events = pgTable(
  'chain_events',
  {
    id: uuid('id').primaryKey(),
    follower: text('follower').notNull(),
    chainId: integer('chain_id').notNull(),
    blockNumber: bigint('block_number', { mode: 'bigint' }).notNull(),
    blockHash: text('block_hash').notNull(),
    /** When the block was made, as the chain says: streams account from it. */
    blockTimestamp: timestamp('block_timestamp', { withTimezone: true }).notNull(),
    transactionHash: text('transaction_hash').notNull(),
    logIndex: integer('log_index').notNull(),
    address: text('address').notNull(),
    eventName: text('event_name').notNull(),
    /** The decoded arguments, bigints as decimal strings. */
    args: jsonb('args').notNull(),
    state: text('state', { enum: eventStates }).notNull().default('seen'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    orphanedAt: timestamp('orphaned_at', { withTimezone: true }),
  },
  (t) => [
    unique('chain_events_log_unique').on(t.follower, t.chainId, t.blockHash, t.logIndex),
    index('chain_events_open_idx').on(t.follower, t.chainId, t.blockNumber).where(sql`${t.state} = 'seen'`),
    index('chain_events_tx_idx').on(t.transactionHash),
  ],
);

/**
 * The one chain this database serves (one row): its id, its genesis block and its tokens. A process
 * connected to another chain refuses to start, rather than mix that chain's cursors, nonces and
 * transactions with this one's.
 */
export const chainBinding = pgTable('chain_binding', {
  /** Always 'this': the table holds one row. */
  id: text('id').primaryKey(),
  chainId: integer('chain_id').notNull(),
  genesisHash: text('genesis_hash').notNull(),
  /** Token symbol → address, as deployed or configured. */
  tokens: jsonb('tokens').$type<Record<string, string>>().notNull(),
  boundAt: timestamp('bound_at', { withTimezone: true }).notNull(),
});
