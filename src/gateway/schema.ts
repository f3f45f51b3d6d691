import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { amountColumn } from '../core/amounts';
import { users } from '../core/auth/schema';
import { files } from '../core/files/schema';

/**
 * The gateway line. Balances are never stored here: every USDC micro-unit a person deposits, holds
 * for a call, spends or withdraws, and every provider's earnings, is a ledger transfer (ledger
 * `USDC`, scale 6); these tables say what the ledger's accounts and transfers mean.
 */

/** A provider's KYC: none yet, documents submitted, then an administrator's decision. */
export const kycStates = ['none', 'submitted', 'approved', 'rejected'] as const;
export type KycState = (typeof kycStates)[number];

/** Someone who runs MCP servers behind the gateway and is paid for the calls they serve. One per person. */
export const providers = pgTable(
  'gateway_providers',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    /** Where payouts go: a lower-case 0x address. */
    payoutAddress: text('payout_address').notNull(),
    kycState: text('kyc_state', { enum: kycStates }).notNull().default('none'),
    kycSubmittedAt: timestamp('kyc_submitted_at', { withTimezone: true }),
    kycReviewedAt: timestamp('kyc_reviewed_at', { withTimezone: true }),
    kycReviewedBy: uuid('kyc_reviewed_by'),
    /** The reviewer's words: why documents were rejected, or a note on approval. */
    kycNote: text('kyc_note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('gateway_providers_user_idx').on(t.userId),
    index('gateway_providers_kyc_idx').on(t.kycState, t.kycSubmittedAt),
  ],
);

export const kycDocumentKinds = ['identity', 'company_registration', 'proof_of_address', 'other'] as const;
export type KycDocumentKind = (typeof kycDocumentKinds)[number];

/** The files a provider submitted for KYC (kept by the core's file store, owned by the provider's person). */
export const kycDocuments = pgTable(
  'gateway_kyc_documents',
  {
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id),
    kind: text('kind', { enum: kycDocumentKinds }).notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.fileId] })],
);

/** Whether a server takes calls: its provider can pause it (calls then refused, nothing charged). */
export const serverStates = ['active', 'paused'] as const;
export type ServerState = (typeof serverStates)[number];

/** An MCP server a provider registered: reachable through Tally at `/mcp/<slug>`. */
export const servers = pgTable(
  'gateway_servers',
  {
    id: uuid('id').primaryKey(),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    /** The path segment of `/mcp/<slug>`: lower case, unique for ever (a deleted server's slug is not reused). */
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** The upstream's Streamable HTTP endpoint. */
    upstreamUrl: text('upstream_url').notNull(),
    /** A header Tally sends the upstream (its name in the clear; its value sealed by the keyring). */
    upstreamHeaderName: text('upstream_header_name'),
    upstreamHeaderSealed: text('upstream_header_sealed'),
    /** The provider's own usage report, polled at settlement and compared with Tally's metering. */
    usageUrl: text('usage_url'),
    state: text('state', { enum: serverStates }).notNull().default('active'),
    /** What the upstream said of itself at the last check. */
    upstreamName: text('upstream_name'),
    upstreamVersion: text('upstream_version'),
    protocolVersion: text('protocol_version'),
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    /** Why the last check failed; null when it worked. */
    checkError: text('check_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('gateway_servers_slug_idx').on(t.slug),
    index('gateway_servers_provider_idx').on(t.providerId, t.createdAt),
    check(
      'gateway_servers_header_whole',
      sql`(${t.upstreamHeaderName} IS NULL) = (${t.upstreamHeaderSealed} IS NULL)`,
    ),
  ],
);

/**
 * A tool a server offers, as its last `tools/list` said, with the provider's price. A tool without a
 * price cannot be called through Tally: a provider never gives calls away by forgetting to price one.
 */
export const tools = pgTable(
  'gateway_tools',
  {
    serverId: uuid('server_id')
      .notNull()
      .references(() => servers.id),
    name: text('name').notNull(),
    title: text('title'),
    description: text('description').notNull().default(''),
    inputSchema: jsonb('input_schema').notNull(),
    /** USDC micro-units per call; 0 is free by the provider's choice; null is not priced yet. */
    price: amountColumn('price'),
    /** Whether the upstream's last `tools/list` had it; a tool that left keeps its price for when it returns. */
    listed: boolean('listed').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.serverId, t.name] }),
    check('gateway_tools_price_not_negative', sql`${t.price} IS NULL OR ${t.price} >= 0`),
  ],
);

/**
 * A deposit's life, in the seed's words: the signed authorization is received (Tally submits it and
 * waits for confirmations), then credits are issued; or it failed on chain (expired, cancelled, the
 * payer's USDC gone) and nothing is credited.
 */
export const depositStates = ['payment_received', 'credits_issued', 'failed'] as const;
export type DepositState = (typeof depositStates)[number];

/** The EIP-3009 call that moves the USDC: `receiveWithAuthorization` (only the payee may submit it) or `transferWithAuthorization`. */
export const authorizationKinds = ['receive', 'transfer'] as const;
export type AuthorizationKind = (typeof authorizationKinds)[number];

/** A USDC deposit by EIP-3009 authorization: credited once per (payer, nonce), whatever the restarts. */
export const deposits = pgTable(
  'gateway_deposits',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: authorizationKinds }).notNull(),
    /** The payer (the authorization's `from`), lower case. */
    fromAddress: text('from_address').notNull(),
    value: amountColumn('value').notNull(),
    validAfter: amountColumn('valid_after').notNull(),
    validBefore: amountColumn('valid_before').notNull(),
    /** The authorization's bytes32 nonce, lower-case hex. */
    nonce: text('nonce').notNull(),
    signature: text('signature').notNull(),
    state: text('state', { enum: depositStates }).notNull(),
    /** The treasury's transaction that submits the authorization. */
    transactionId: uuid('transaction_id'),
    /** The chain event that credited it (its ledger transfer derives from it); null until then. */
    creditEventId: uuid('credit_event_id'),
    creditedAt: timestamp('credited_at', { withTimezone: true }),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('gateway_deposits_authorization_idx').on(t.fromAddress, t.nonce),
    index('gateway_deposits_user_idx').on(t.userId, t.createdAt, t.id),
    check('gateway_deposits_value_positive', sql`${t.value} > 0`),
  ],
);
