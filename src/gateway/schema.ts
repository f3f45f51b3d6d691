import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { authorizationKinds } from '../chain/authorizations';
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
export type { AuthorizationKind } from '../chain/authorizations';

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
    /**
     * Paid into the encrypted credits contract and minted to the payer's own encrypted account (the
     * authorization's `to` is the contract), rather than to the treasury.
     */
    encrypted: boolean('encrypted').notNull().default(false),
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

/**
 * How a grant's holder proves each request: a session key (an Ed25519 key the client holds, named
 * in a grant the wallet signed, which signs every request) or a bearer token (for MCP clients that
 * can only send a header).
 */
export const grantKinds = ['session_key', 'bearer'] as const;
export type GrantKind = (typeof grantKinds)[number];

/**
 * A session grant: what a holder may spend of a person's credits without asking the wallet again.
 * The limits are Tally's to enforce on every charged call: a total cap, a rolling 24-hour budget,
 * caps per provider and per tool, the servers allowed, an expiry, and revocation.
 */
export const grants = pgTable(
  'gateway_grants',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: grantKinds }).notNull(),
    label: text('label').notNull(),
    /** The wallet that signed the grant (session keys), lower case; null for one issued in the web app. */
    walletAddress: text('wallet_address'),
    /** The session key's raw Ed25519 public key, base64url. */
    sessionKey: text('session_key'),
    /** SHA-256 of the bearer token; the token itself is shown once. */
    tokenHash: text('token_hash'),
    /** The token's first characters, to tell tokens apart in a list. */
    tokenPrefix: text('token_prefix'),
    cap: amountColumn('cap').notNull(),
    dailyBudget: amountColumn('daily_budget'),
    /** Caps per provider id and per `<server slug>/<tool>`, in USDC micro-units. */
    providerCaps: jsonb('provider_caps').$type<Record<string, string>>().notNull().default({}),
    toolCaps: jsonb('tool_caps').$type<Record<string, string>>().notNull().default({}),
    /** Server slugs the grant may call; null: any. */
    servers: jsonb('servers').$type<string[] | null>(),
    /** Held and charged under the grant now (a refund gives it back). */
    committed: amountColumn('committed').notNull().default(sql`0`),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('gateway_grants_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('gateway_grants_token_idx').on(t.tokenHash),
    uniqueIndex('gateway_grants_session_key_idx').on(t.sessionKey),
    check('gateway_grants_committed_within_cap', sql`${t.committed} >= 0 AND ${t.committed} <= ${t.cap}`),
    check(
      'gateway_grants_proof',
      sql`(${t.kind} = 'session_key' AND ${t.sessionKey} IS NOT NULL) OR (${t.kind} = 'bearer' AND ${t.tokenHash} IS NOT NULL)`,
    ),
  ],
);

/**
 * What a grant has committed per scope: `provider:<id>`, `tool:<slug>/<tool>`, and per hour
 * (`hour:<ISO hour>`) for the rolling budget, so a limit is checked on a few rows, not on history.
 */
export const grantUsage = pgTable(
  'gateway_grant_usage',
  {
    grantId: uuid('grant_id')
      .notNull()
      .references(() => grants.id),
    scope: text('scope').notNull(),
    amount: amountColumn('amount').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.grantId, t.scope] }),
    check('gateway_grant_usage_not_negative', sql`${t.amount} >= 0`),
  ],
);

/** Nonces of signed requests, kept until the request's expiry: each is accepted once. */
export const requestNonces = pgTable(
  'gateway_request_nonces',
  {
    signer: text('signer').notNull(),
    nonce: text('nonce').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.signer, t.nonce] }),
    index('gateway_request_nonces_expiry_idx').on(t.expiresAt),
  ],
);

/**
 * A call's life, in the seed's words: `processing_request` while the upstream works (its price
 * reserved from a lease, in the memory of the process serving it: rows are written when calls end),
 * then `served` (charged, metrics logged) or `refunded` (the upstream failed or timed out: nothing
 * charged).
 */
export const callStates = ['processing_request', 'served', 'refunded'] as const;
export type CallState = (typeof callStates)[number];

/** Every `tools/call` through Tally: Tally's own metering, the record settlement pays from. */
export const calls = pgTable(
  'gateway_calls',
  {
    /** Derived from the caller and the request's idempotency key: a retry finds its first attempt. */
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    grantId: uuid('grant_id'),
    serverId: uuid('server_id')
      .notNull()
      .references(() => servers.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    tool: text('tool').notNull(),
    price: amountColumn('price').notNull(),
    state: text('state', { enum: callStates }).notNull(),
    /** SHA-256 of the request as Tally received it (method, tool, arguments), hex. */
    requestHash: text('request_hash').notNull(),
    /** Why a call was refunded. */
    failure: text('failure'),
    /** The result given, kept so a retry of the same request is answered without charging again. */
    result: jsonb('result'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    latencyMs: integer('latency_ms'),
    /** The settlement run that paid its provider; null until then. */
    settlementId: uuid('settlement_id'),
  },
  (t) => [
    index('gateway_calls_user_idx').on(t.userId, t.startedAt, t.id),
    index('gateway_calls_server_idx').on(t.serverId, t.startedAt),
    index('gateway_calls_unsettled_idx')
      .on(t.finishedAt)
      .where(sql`${t.settlementId} IS NULL AND ${t.state} = 'served'`),
    check('gateway_calls_price_not_negative', sql`${t.price} >= 0`),
  ],
);

/**
 * A lease: a block of a person's credits held on the ledger (and, under a grant, committed to its
 * limits) from which one Tally process charges calls of one tool without a database round trip per
 * call (`calls/meter.ts`). Served calls are captured from its hold in groups; what is left when it
 * ends is released and given back to the grant. A lease its process never ended (it died) is found
 * by the sweep once its hold has expired, and the grant gets back what was not captured.
 */
export const leases = pgTable(
  'gateway_leases',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    grantId: uuid('grant_id'),
    serverId: uuid('server_id')
      .notNull()
      .references(() => servers.id),
    providerId: uuid('provider_id').notNull(),
    slug: text('slug').notNull(),
    tool: text('tool').notNull(),
    /** What was held and committed to the grant when the lease began. */
    amount: amountColumn('amount').notNull(),
    /** What served calls took of it so far. */
    captured: amountColumn('captured').notNull().default(sql`0`),
    /** The ledger hold now carrying what is not captured (each capture keeps the rest as a new hold). */
    holdId: uuid('hold_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    index('gateway_leases_open_idx').on(t.expiresAt).where(sql`${t.endedAt} IS NULL`),
    check('gateway_leases_captured_within', sql`${t.captured} >= 0 AND ${t.captured} <= ${t.amount}`),
  ],
);

/** A withdrawal: its amount held while the USDC is on its way, then paid (captured) or failed (released). */
export const withdrawalStates = ['pending', 'paid', 'failed'] as const;
export type WithdrawalState = (typeof withdrawalStates)[number];

/** Credits back to USDC on chain, to one of the person's own wallets. */
export const withdrawals = pgTable(
  'gateway_withdrawals',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    toAddress: text('to_address').notNull(),
    amount: amountColumn('amount').notNull(),
    state: text('state', { enum: withdrawalStates }).notNull(),
    /** The ledger hold on the person's credits while the transfer is on its way. */
    holdId: uuid('hold_id').notNull(),
    transactionId: uuid('transaction_id'),
    /**
     * Paid out of the person's encrypted account (a withdrawal the auditor key proves), not by the
     * treasury: `transactionId` stays null until the proof is made and the withdrawal queued.
     */
    encrypted: boolean('encrypted').notNull().default(false),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('gateway_withdrawals_user_idx').on(t.userId, t.createdAt, t.id),
    uniqueIndex('gateway_withdrawals_transaction_idx').on(t.transactionId),
    check('gateway_withdrawals_amount_positive', sql`${t.amount} > 0`),
  ],
);

/** What the platform keeps and when it pays: the administrators' settings, one row. */
export const settings = pgTable('gateway_settings', {
  id: integer('id').primaryKey(),
  /** The platform's fee, in basis points of what calls earned (500 = 5 %). */
  feeBps: integer('fee_bps').notNull(),
  /** Below this a provider's earnings carry forward to the next settlement, micro-USDC. */
  minimumPayout: amountColumn('minimum_payout').notNull(),
  /** Hours between settlements; each settles the served calls that finished before its boundary. */
  intervalHours: integer('interval_hours').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** One settlement run: everything served before `period_end` that no earlier run settled. */
export const settlements = pgTable(
  'gateway_settlements',
  {
    id: uuid('id').primaryKey(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
    feeBps: integer('fee_bps').notNull(),
    minimumPayout: amountColumn('minimum_payout').notNull(),
    calls: integer('calls').notNull(),
    gross: amountColumn('gross').notNull(),
    fees: amountColumn('fees').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('gateway_settlements_period_idx').on(t.periodEnd)],
);

/**
 * A provider's share of a settlement, in the seed's words: its metrics collected, its payout
 * calculated, and its funds paid or claimable.
 */
export const earnings = pgTable(
  'gateway_earnings',
  {
    settlementId: uuid('settlement_id')
      .notNull()
      .references(() => settlements.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    calls: integer('calls').notNull(),
    gross: amountColumn('gross').notNull(),
    fee: amountColumn('fee').notNull(),
    net: amountColumn('net').notNull(),
    /** The provider's share of the run's net, in hundredths of a percent (all shares sum to 10,000). */
    shareBps: integer('share_bps').notNull(),
    /** What the provider's earnings account held after this run: paid out, or carried forward. */
    balanceAfter: amountColumn('balance_after').notNull(),
    payoutId: uuid('payout_id'),
  },
  (t) => [
    primaryKey({ columns: [t.settlementId, t.providerId] }),
    index('gateway_earnings_provider_idx').on(t.providerId),
  ],
);

/**
 * A payout's life: pending while its USDC transfer is on its way (the amount held on the provider's
 * earnings), then paid, or failed (the amount is claimable again).
 */
export const payoutStates = ['pending', 'paid', 'failed'] as const;
export type PayoutState = (typeof payoutStates)[number];

/** USDC paid from a provider's earnings to its payout address, or into its encrypted account. */
export const payouts = pgTable(
  'gateway_payouts',
  {
    id: uuid('id').primaryKey(),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    settlementId: uuid('settlement_id'),
    amount: amountColumn('amount').notNull(),
    toAddress: text('to_address').notNull(),
    state: text('state', { enum: payoutStates }).notNull(),
    holdId: uuid('hold_id').notNull(),
    transactionId: uuid('transaction_id'),
    /** Paid into the provider's encrypted account in this batch, rather than in USDC by a transaction of its own. */
    batchId: uuid('batch_id'),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('gateway_payouts_batch_idx').on(t.batchId),
    index('gateway_payouts_provider_idx').on(t.providerId, t.createdAt),
    uniqueIndex('gateway_payouts_transaction_idx').on(t.transactionId),
    check('gateway_payouts_amount_positive', sql`${t.amount} > 0`),
  ],
);

/** Where a provider's own usage report disagrees with Tally's metering, for an administrator to look at. */
export const discrepancies = pgTable(
  'gateway_discrepancies',
  {
    id: uuid('id').primaryKey(),
    settlementId: uuid('settlement_id')
      .notNull()
      .references(() => settlements.id),
    serverId: uuid('server_id')
      .notNull()
      .references(() => servers.id),
    /** The tool, or null when the report could not be read at all. */
    tool: text('tool'),
    metered: integer('metered'),
    reported: integer('reported'),
    note: text('note').notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: uuid('resolved_by'),
  },
  (t) => [index('gateway_discrepancies_open_idx').on(t.resolvedAt, t.settlementId)],
);

/**
 * An encrypted account on the chain's encrypted credits (contracts/encrypted/): its owner's key
 * registered by the owner's signature, submitted by the treasury. `registering` while that
 * transaction is on its way, then `registered`, or `failed` (the owner may register again).
 */
export const encryptedAccountStates = ['registering', 'registered', 'failed'] as const;
export type EncryptedAccountState = (typeof encryptedAccountStates)[number];

export const encryptedAccounts = pgTable(
  'gateway_encrypted_accounts',
  {
    /** A lower-case 0x address: the owner's wallet, which signed the key's registration. */
    address: text('address').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** The provider paid into this account: one account per provider. */
    providerId: uuid('provider_id').references(() => providers.id),
    /**
     * A person's own credits: their deposits from this wallet are minted to it, and what they spend
     * leaves it for the pool at each settlement. One per person, never a provider's account too.
     */
    spending: boolean('spending').notNull().default(false),
    /** The owner's public key (BabyJubJub, decimal coordinates). */
    keyX: text('key_x').notNull(),
    keyY: text('key_y').notNull(),
    state: text('state', { enum: encryptedAccountStates }).notNull(),
    transactionId: uuid('transaction_id'),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    registeredAt: timestamp('registered_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('gateway_encrypted_accounts_provider_idx').on(t.providerId),
    uniqueIndex('gateway_encrypted_accounts_spending_idx').on(t.userId).where(sql`${t.spending}`),
    check('gateway_encrypted_accounts_one_role', sql`NOT (${t.spending} AND ${t.providerId} IS NOT NULL)`),
    uniqueIndex('gateway_encrypted_accounts_transaction_idx').on(t.transactionId),
    index('gateway_encrypted_accounts_user_idx').on(t.userId),
  ],
);

/**
 * Encrypted payouts paid in one transaction out of the pool (a settlement's, split in batches a
 * block can hold). The treasury pays the settlement's total into the pool in one deposit shared by
 * its batches: `funding` while it is on its way, `proving` until every payout's proof is made and
 * the batch is queued, `paying` while it is on its way, then `paid`; `failed` when the funding
 * failed, or the batch could not be paid (each payout's amount is claimable again).
 */
export const encryptedBatchStates = ['funding', 'proving', 'paying', 'paid', 'failed'] as const;
export type EncryptedBatchState = (typeof encryptedBatchStates)[number];

export const encryptedBatches = pgTable(
  'gateway_encrypted_batches',
  {
    id: uuid('id').primaryKey(),
    settlementId: uuid('settlement_id').references(() => settlements.id),
    total: amountColumn('total').notNull(),
    /**
     * What the treasury's deposit brought into the pool for this batch: the total less what the pool
     * held to spare (the first batch of a run carries the run's whole deposit, the others none).
     */
    funded: amountColumn('funded').notNull().default(sql`0`),
    /** What the batch's sweeps move out of people's accounts into the pool, before its payouts leave it. */
    swept: amountColumn('swept').notNull().default(sql`0`),
    state: text('state', { enum: encryptedBatchStates }).notNull(),
    fundingTransactionId: uuid('funding_transaction_id'),
    payingTransactionId: uuid('paying_transaction_id'),
    /** How many times the batch was proven and sent: a batch proven against a pool that changed meanwhile is refused and proven again. */
    attempts: integer('attempts').notNull().default(0),
    /** Until when one process proves the batch: the others leave it alone meanwhile (proving takes the cores). */
    provingUntil: timestamp('proving_until', { withTimezone: true }),
    /** When the funding was confirmed: from then on the pool holds the total until the batch is paid. */
    fundedAt: timestamp('funded_at', { withTimezone: true }),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('gateway_encrypted_batches_state_idx').on(t.state, t.createdAt),
    index('gateway_encrypted_batches_funding_idx').on(t.fundingTransactionId),
    uniqueIndex('gateway_encrypted_batches_paying_idx').on(t.payingTransactionId),
    check(
      'gateway_encrypted_batches_moves_something',
      sql`${t.total} >= 0 AND ${t.swept} >= 0 AND ${t.total} + ${t.swept} > 0`,
    ),
  ],
);

/**
 * A provider's claim of its encrypted balance to USDC: the withdrawal proven in the provider's
 * browser with its own key, submitted by the treasury. The amount is held on the provider's
 * encrypted-balance account until the withdrawal is confirmed (paid) or fails (claimable again).
 */
export const encryptedClaims = pgTable(
  'gateway_encrypted_claims',
  {
    id: uuid('id').primaryKey(),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    address: text('address').notNull(),
    amount: amountColumn('amount').notNull(),
    state: text('state', { enum: payoutStates }).notNull(),
    holdId: uuid('hold_id').notNull(),
    transactionId: uuid('transaction_id'),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('gateway_encrypted_claims_provider_idx').on(t.providerId, t.createdAt),
    uniqueIndex('gateway_encrypted_claims_pending_idx').on(t.providerId).where(sql`${t.state} = 'pending'`),
    uniqueIndex('gateway_encrypted_claims_transaction_idx').on(t.transactionId),
    check('gateway_encrypted_claims_amount_positive', sql`${t.amount} > 0`),
  ],
);

/**
 * The daily check of the chain against the ledger: every encrypted account, decrypted with the
 * auditor key, must hold what the ledger says (a provider's encrypted account; the pool, what
 * Tally's batches funded and did not pay). Accounts with a move on its way are left to the next run.
 */
export const encryptedAudits = pgTable(
  'gateway_encrypted_audits',
  {
    id: uuid('id').primaryKey(),
    ranAt: timestamp('ran_at', { withTimezone: true }).notNull(),
    checked: integer('checked').notNull(),
    skipped: integer('skipped').notNull(),
    /**
     * `[{ address, providerId, userId, expected, found }]`: `found` is the amount the auditor key
     * read, or null when it is not a small amount; a provider's account names the provider, a
     * person's the person, the pool neither.
     */
    mismatches: jsonb('mismatches')
      .$type<
        {
          address: string;
          providerId?: string | null;
          userId?: string | null;
          expected: string;
          found: string | null;
        }[]
      >()
      .notNull(),
  },
  (t) => [index('gateway_encrypted_audits_ran_idx').on(t.ranAt)],
);

/**
 * What a person spent out of their encrypted account since the last sweep, moved into the pool by
 * a batch (the first moves of a settlement's batches): `pending` until the batch is paid (`done`)
 * or fails (`failed`: the next settlement sweeps it again, since the account still holds it).
 */
export const encryptedSweepStates = ['pending', 'done', 'failed'] as const;

export const encryptedSweeps = pgTable(
  'gateway_encrypted_sweeps',
  {
    id: uuid('id').primaryKey(),
    batchId: uuid('batch_id')
      .notNull()
      .references(() => encryptedBatches.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    address: text('address')
      .notNull()
      .references(() => encryptedAccounts.address),
    amount: amountColumn('amount').notNull(),
    state: text('state', { enum: encryptedSweepStates }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('gateway_encrypted_sweeps_batch_idx').on(t.batchId),
    index('gateway_encrypted_sweeps_address_idx').on(t.address, t.state),
    check('gateway_encrypted_sweeps_amount_positive', sql`${t.amount} > 0`),
  ],
);
