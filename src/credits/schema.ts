import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { authorizationKinds } from '../chain/authorizations';
import { organizations as organizationsTable } from '../core/access/schema';
import { amountColumn } from '../core/amounts';

/**
 * The credits line. Balances are never stored here: every credit is a ledger transfer (ledger
 * `CREDITS`, scale 0), and these tables say what the ledger's accounts and transfers mean.
 */

export const productTypes = ['generic', 'whitelabel', 'under_whitelabel'] as const;
export type ProductType = (typeof productTypes)[number];

export const userTypes = ['generic', 'whitelabel', 'under_whitelabel', 'admin'] as const;
export type UserType = (typeof userTypes)[number];

export const refillCycles = ['none', 'day', 'week', 'month', 'year'] as const;
export type RefillCycle = (typeof refillCycles)[number];

/**
 * The credits line's part of a workspace: the organisation (its name, members, roles) is the core's,
 * keyed by the same id; who pays for it and whether it is archived are the line's.
 */
export const workspaces = pgTable(
  'credits_workspaces',
  {
    organizationId: uuid('organization_id')
      .primaryKey()
      .references(() => organizationsTable.id),
    /** The person whose credits it spends: who made it, whoever its owners later are. */
    billingUserId: uuid('billing_user_id').notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('credits_workspaces_billing_idx').on(t.billingUserId)],
);

/** What a product is and grants. Generic and whitelabel ones are an administrator's; under-whitelabel ones a reseller's. */
export const products = pgTable(
  'credits_products',
  {
    id: uuid('id').primaryKey(),
    /** The whitelabel reseller who made an under-whitelabel product; null for an administrator's. */
    ownerUserId: uuid('owner_user_id'),
    type: text('type', { enum: productTypes }).notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    creditsPerCycle: amountColumn('credits_per_cycle').notNull(),
    refillCycle: text('refill_cycle', { enum: refillCycles }).notNull(),
    /** Unused credits of a cycle that stay when the next cycle's grant arrives (0: none). */
    rolloverCredits: amountColumn('rollover_credits').notNull().default(sql`0`),
    /** The actions (permission keys) the product lets its holder take. */
    permissions: jsonb('permissions').$type<string[]>().notNull().default([]),
    /** What the product is sold for, shown only: purchases happen on the sales platform. */
    displayPriceMinor: amountColumn('display_price_minor').notNull().default(sql`0`),
    displayCurrency: text('display_currency').notNull().default('USD'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('credits_products_owner_idx').on(t.ownerUserId, t.id),
    check('credits_products_credits_positive', sql`${t.creditsPerCycle} > 0`),
    check(
      'credits_products_rollover_range',
      sql`${t.rolloverCredits} >= 0 AND ${t.rolloverCredits} <= ${t.creditsPerCycle}`,
    ),
    check(
      'credits_products_owner_by_type',
      sql`(${t.type} = 'under_whitelabel') = (${t.ownerUserId} IS NOT NULL)`,
    ),
  ],
);

/**
 * A person as the credits line knows them: their type (set by what they bought), the reseller they
 * bought from, and whether they have finished their first login. The row is also the lock that
 * serialises one person's spending.
 */
export const customers = pgTable('credits_customers', {
  userId: uuid('user_id').primaryKey(),
  type: text('type', { enum: userTypes }).notNull(),
  resellerUserId: uuid('reseller_user_id'),
  /** Set when the first login has set a password and made the first workspace. */
  onboardedAt: timestamp('onboarded_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** A sales platform that reports purchases by webhook, with its signing secret. */
export const integrations = pgTable('credits_integrations', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** HMAC-SHA256 key of the webhook signature; needed in clear to verify, shown once at creation. */
  secret: text('secret').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
});

export const purchaseSources = ['webhook', 'admin', 'checkout'] as const;
export type PurchaseSource = (typeof purchaseSources)[number];

/** What became of a webhook delivery: a purchase recorded, one recorded before, or refused (and why). */
export const deliveryOutcomes = ['recorded', 'already_recorded', 'refused'] as const;
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/**
 * Every delivery an integration's webhook received, failures included: what a platform's support
 * asks first ("did you get it, and what did you answer?"). A body is read only once its signature
 * holds, so a refused unsigned delivery keeps no order id.
 */
export const webhookDeliveries = pgTable(
  'credits_webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    integrationId: uuid('integration_id')
      .notNull()
      .references(() => integrations.id),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    outcome: text('outcome', { enum: deliveryOutcomes }).notNull(),
    /** The HTTP status Tally answered. */
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    /** Which check refused it (`bad_signature`, `stale_timestamp`, …), when the error names one. */
    reason: text('reason'),
    message: text('message'),
    orderId: text('order_id'),
    purchaseId: uuid('purchase_id'),
    bodyBytes: integer('body_bytes').notNull(),
  },
  (t) => [index('credits_webhook_deliveries_integration_idx').on(t.integrationId, t.receivedAt, t.id)],
);

export const purchases = pgTable(
  'credits_purchases',
  {
    id: uuid('id').primaryKey(),
    source: text('source', { enum: purchaseSources }).notNull(),
    integrationId: uuid('integration_id'),
    /** The platform's order id: a second delivery of the same order changes nothing. */
    orderId: text('order_id').notNull(),
    email: text('email').notNull(),
    productId: uuid('product_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** Whether the purchase registered the person (and mailed a temporary password). */
    registered: boolean('registered').notNull(),
    /** What the buyer paid, when the platform or the administrator said (minor units of the currency). */
    amountPaidMinor: amountColumn('amount_paid_minor'),
    amountPaidCurrency: text('amount_paid_currency'),
    /** The raw payload or the administrator's note, for support. */
    details: jsonb('details').notNull().default({}),
    createdByUserId: uuid('created_by_user_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('credits_purchases_order_unique').on(t.source, t.integrationId, t.orderId),
    index('credits_purchases_user_idx').on(t.userId, t.id),
  ],
);

/** A person's holding of a product: what each cycle's refill grants, and when the next one is due. */
export const holdings = pgTable(
  'credits_holdings',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    productId: uuid('product_id').notNull(),
    purchaseId: uuid('purchase_id').notNull(),
    /** The cycle the latest grant covers began here; the next refill is one cycle later. */
    cycleStartedAt: timestamp('cycle_started_at', { withTimezone: true }).notNull(),
    nextRefillAt: timestamp('next_refill_at', { withTimezone: true }),
    refilledAt: timestamp('refilled_at', { withTimezone: true }).notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('credits_holdings_user_idx').on(t.userId),
    index('credits_holdings_due_idx')
      .on(t.nextRefillAt)
      .where(sql`${t.active} AND ${t.nextRefillAt} IS NOT NULL`),
  ],
);

/** `float`: a whitelabel reseller's credits moved into its own database (src/credits/float/). */
export const grantSources = ['purchase', 'refill', 'adjustment', 'rollover', 'float'] as const;
export type GrantSource = (typeof grantSources)[number];

/**
 * A grant of credits; its id is the ledger account holding what is left of it. Usage burns grants
 * in order: priority (lower first), earliest expiry (none last), oldest.
 */
export const grants = pgTable(
  'credits_grants',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    /** A grant for one workspace only; null for the person's own pool. */
    workspaceId: uuid('workspace_id'),
    source: text('source', { enum: grantSources }).notNull(),
    holdingId: uuid('holding_id'),
    productId: uuid('product_id'),
    amount: amountColumn('amount').notNull(),
    priority: integer('priority').notNull().default(100),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Why an administrator adjusted credits; required for adjustments. */
    reason: text('reason'),
    createdByUserId: uuid('created_by_user_id'),
    /** Set when an expiry moved what was left of it out of reach. */
    expiredAt: timestamp('expired_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('credits_grants_user_idx').on(t.userId, t.workspaceId),
    index('credits_grants_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.expiredAt} IS NULL AND ${t.expiresAt} IS NOT NULL`),
    check('credits_grants_amount_positive', sql`${t.amount} > 0`),
    check('credits_grants_adjustment_reason', sql`${t.source} <> 'adjustment' OR ${t.reason} IS NOT NULL`),
  ],
);

export const reservationStates = ['active', 'used', 'released', 'expired'] as const;
export type ReservationState = (typeof reservationStates)[number];

/**
 * Credits held for something (`reserved_for`) until used, released or expired. Its hold in the ledger
 * (`ledger_holds`, one pending transfer per grant drawn on) has the same id.
 */
export const reservations = pgTable(
  'credits_reservations',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    workspaceId: uuid('workspace_id'),
    reservedFor: text('reserved_for').notNull(),
    action: text('action'),
    amount: amountColumn('amount').notNull(),
    usedAmount: amountColumn('used_amount').notNull().default(sql`0`),
    state: text('state', { enum: reservationStates }).notNull().default('active'),
    idempotencyKey: text('idempotency_key'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    unique('credits_reservations_idempotency_unique').on(t.userId, t.idempotencyKey),
    index('credits_reservations_user_idx').on(t.userId, t.state),
    index('credits_reservations_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('credits_reservations_expiry_idx').on(t.expiresAt).where(sql`${t.state} = 'active'`),
    check('credits_reservations_amount_positive', sql`${t.amount} > 0`),
    check('credits_reservations_used_range', sql`${t.usedAmount} >= 0 AND ${t.usedAmount} <= ${t.amount}`),
  ],
);

/** Every use of credits: what for, how much, from a reservation or not, and which grants paid. */
export const usages = pgTable(
  'credits_usages',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    workspaceId: uuid('workspace_id'),
    usedFor: text('used_for').notNull(),
    action: text('action'),
    amount: amountColumn('amount').notNull(),
    isReserved: boolean('is_reserved').notNull(),
    reservationId: uuid('reservation_id'),
    /** The grants that paid, in burn order: [{ grantId, amount }]. */
    paidBy: jsonb('paid_by').$type<{ grantId: string; amount: string }[]>().notNull(),
    idempotencyKey: text('idempotency_key'),
    usedAt: timestamp('used_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('credits_usages_idempotency_unique').on(t.userId, t.idempotencyKey),
    index('credits_usages_user_idx').on(t.userId, t.usedAt, t.id),
    index('credits_usages_workspace_idx').on(t.workspaceId, t.usedAt, t.id),
    check('credits_usages_amount_positive', sql`${t.amount} > 0`),
  ],
);

/** The price in credits of each action; built-in ones are always there, the host application adds its own. */
export const actionPrices = pgTable('credits_action_prices', {
  action: text('action').primaryKey(),
  label: text('label').notNull(),
  price: amountColumn('price').notNull(),
  builtIn: boolean('built_in').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const domainStates = ['pending', 'verified', 'active', 'suspended'] as const;
export type DomainState = (typeof domainStates)[number];

/**
 * A whitelabel reseller's own domain, pointed at Tally by a CNAME record and proven theirs by a TXT
 * record holding the claim's token. Several resellers may claim a name; only one can hold it verified.
 */
export const whitelabels = pgTable(
  'credits_whitelabels',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull().unique(),
    domain: text('domain').notNull(),
    /** The host name the reseller's CNAME record must point to. */
    cnameTarget: text('cname_target').notNull(),
    /** What the TXT record at `_tally-challenge.<domain>` must hold: new with every claim. */
    challengeToken: text('challenge_token').notNull(),
    /**
     * `pending` until both records are found; `verified` once they are; `active` once the domain
     * serves as the reseller's (its database ready, when it has one of its own); `suspended` when
     * its records drifted after that, until they are right again.
     */
    status: text('status', { enum: domainStates }).notNull().default('pending'),
    dnsVerifiedAt: timestamp('dns_verified_at', { withTimezone: true }),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    /** Why the domain was suspended, in words its owner reads. */
    suspensionReason: text('suspension_reason'),
    /** Checks in a row that found the records wrong: one bad answer is a hiccup, not a drift. */
    failedChecks: integer('failed_checks').notNull().default(0),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
    /** When the domain job looks at the records next. */
    nextCheckAt: timestamp('next_check_at', { withTimezone: true }),
    /** The name the reseller's customers see instead of Tally's; the reseller's own name when null. */
    brandName: text('brand_name'),
    /** The logo, an image in the core's file store (`core_files`). */
    logoFileId: uuid('logo_file_id'),
    /** `#rrggbb`: buttons, links and the header; Tally's own when null. */
    primaryColor: text('primary_color'),
    accentColor: text('accent_color'),
    /** Connection settings of a separate database, for when resellers get their own. */
    database: jsonb('database'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check(
      'credits_whitelabels_status_check',
      sql`${t.status} IN ('pending', 'verified', 'active', 'suspended')`,
    ),
    check(
      'credits_whitelabels_colors_check',
      sql`(${t.primaryColor} IS NULL OR ${t.primaryColor} ~ '^#[0-9a-f]{6}$') AND (${t.accentColor} IS NULL OR ${t.accentColor} ~ '^#[0-9a-f]{6}$')`,
    ),
    index('credits_whitelabels_next_check_idx').on(t.nextCheckAt),
    uniqueIndex('credits_whitelabels_verified_domain_idx')
      .on(t.domain)
      .where(sql`${t.dnsVerifiedAt} IS NOT NULL`),
    index('credits_whitelabels_domain_idx').on(t.domain),
  ],
);

/**
 * A purchase through Tally's own checkout (a product's payment link): the buyer's address and an
 * EIP-3009 authorization of the product's price in USDC to the treasury. `awaiting_payment` while
 * the treasury's submission is on its way; `paid` once the chain's `AuthorizationUsed` is confirmed
 * (the purchase made then, as a webhook makes one); `failed` when the chain refused it or the payer
 * cancelled it; `reversed` when a reorg deeper than the confirmations took a paid one back (the
 * purchase stands; administrators are told).
 */
export const checkoutStates = ['awaiting_payment', 'paid', 'failed', 'reversed'] as const;
export type CheckoutState = (typeof checkoutStates)[number];

export const checkouts = pgTable(
  'credits_checkouts',
  {
    id: uuid('id').primaryKey(),
    /**
     * No reference to `credits_products`: a shop on its own database sells a product of that
     * database, which Tally's (where every checkout is recorded) does not hold.
     */
    productId: uuid('product_id').notNull(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    /** The price as shown (the product's USD price) and as paid (USDC micro-units). */
    priceMinor: amountColumn('price_minor').notNull(),
    priceCurrency: text('price_currency').notNull(),
    value: amountColumn('value').notNull(),
    kind: text('kind', { enum: authorizationKinds }).notNull(),
    fromAddress: text('from_address').notNull(),
    nonce: text('nonce').notNull(),
    validAfter: amountColumn('valid_after').notNull(),
    validBefore: amountColumn('valid_before').notNull(),
    signature: text('signature').notNull(),
    state: text('state', { enum: checkoutStates }).notNull(),
    transactionId: uuid('transaction_id'),
    paidEventId: text('paid_event_id'),
    purchaseId: uuid('purchase_id'),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /**
     * The reseller whose own database makes the purchase (its shop's product is there), or null when
     * the purchase is made on Tally's database as the payment is booked.
     */
    tenantUserId: uuid('tenant_user_id'),
    /** Failed tries of a tenant checkout's purchase; each waits longer before the next. */
    purchaseAttempts: integer('purchase_attempts').notNull().default(0),
    /** When the purchase job may take the checkout next: a try's lease, or the backoff after a failure. */
    purchaseDueAt: timestamp('purchase_due_at', { withTimezone: true }),
    /** When the reseller was told this purchase waits for its float: it is told once. */
    floatShortNotifiedAt: timestamp('float_short_notified_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('credits_checkouts_authorization_idx').on(t.fromAddress, t.nonce),
    index('credits_checkouts_transaction_idx').on(t.transactionId),
    // The purchase job's queue: paid tenant checkouts whose purchase is still to be made.
    index('credits_checkouts_tenant_purchase_idx')
      .on(t.purchaseDueAt)
      .where(sql`${t.tenantUserId} IS NOT NULL AND ${t.purchaseId} IS NULL`),
  ],
);

export const tenantDatabaseEngines = ['postgres', 'pglite'] as const;
export type TenantDatabaseEngine = (typeof tenantDatabaseEngines)[number];

/**
 * `requested` when the reseller asked; `created` once the role and the database exist (PostgreSQL)
 * or the data folder does (PGlite); `migrated` once Tally's tables are in it; `ready` for good. A
 * step that failed leaves it `failed` with the error, and it is tried again from the first step
 * (every step finds what an earlier try made and carries on). `retired` once the reseller's shop
 * moved back to Tally's database (`tally credits tenant-move`): the database is kept as it was
 * left, and never served again.
 */
export const tenantDatabaseStates = [
  'requested',
  'created',
  'migrated',
  'ready',
  'failed',
  'retired',
] as const;
export type TenantDatabaseState = (typeof tenantDatabaseStates)[number];

/**
 * A whitelabel reseller's own database (seed §4 step 4), one per reseller. It belongs to the
 * reseller, not to one domain claim: an unproven claim is deleted when another reseller proves the
 * name, and the database must outlive that. Its name is random, never derived from the domain.
 */
export const tenantDatabases = pgTable(
  'credits_tenant_databases',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull().unique(),
    engine: text('engine', { enum: tenantDatabaseEngines }).notNull(),
    state: text('state', { enum: tenantDatabaseStates }).notNull().default('requested'),
    /** `tally_t_<16 hex>`: the database on the server, or the data folder under the tenants' folder. */
    databaseName: text('database_name').notNull().unique(),
    /** The role that owns the database and alone may connect to it (PostgreSQL only). */
    roleName: text('role_name').unique(),
    /** The role's password, sealed by the keyring under a purpose of its own (PostgreSQL only). */
    sealedPassword: text('sealed_password'),
    /** Failed tries since the last step that succeeded. */
    attempts: integer('attempts').notNull().default(0),
    /** Why the last try failed, in the driver's words, never with credentials. */
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    /** The lease of the process advancing it: two processes never run its steps at once. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    readyAt: timestamp('ready_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('credits_tenant_databases_engine_check', sql`${t.engine} IN ('postgres', 'pglite')`),
    check(
      'credits_tenant_databases_state_check',
      sql`${t.state} IN ('requested', 'created', 'migrated', 'ready', 'failed', 'retired')`,
    ),
    check(
      'credits_tenant_databases_credentials_check',
      sql`(${t.engine} = 'postgres') = (${t.roleName} IS NOT NULL AND ${t.sealedPassword} IS NOT NULL)`,
    ),
    index('credits_tenant_databases_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.state} NOT IN ('ready', 'retired')`),
  ],
);

export const floatTopUpTriggers = ['manual', 'automatic'] as const;
export type FloatTopUpTrigger = (typeof floatTopUpTriggers)[number];

/** `pending` once the credits left Tally's ledger; `applied` once they arrived in the tenant's. */
export const floatTopUpStates = ['pending', 'applied'] as const;
export type FloatTopUpState = (typeof floatTopUpStates)[number];

/**
 * The outbox of a reseller's float (src/credits/float/): each row is credits drawn out of the
 * reseller's pool on Tally's ledger, in the same transaction, and still to be granted in its own
 * database (`pending`) or granted there (`applied`). The ids of both sides derive from the row's id.
 */
export const floatTopUps = pgTable(
  'credits_float_top_ups',
  {
    id: uuid('id').primaryKey(),
    resellerUserId: uuid('reseller_user_id').notNull(),
    amount: amountColumn('amount').notNull(),
    trigger: text('trigger', { enum: floatTopUpTriggers }).notNull(),
    state: text('state', { enum: floatTopUpStates }).notNull().default('pending'),
    /** Who asked; null for the automatic top-up. */
    createdByUserId: uuid('created_by_user_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    /** Tries that failed to apply it; the next waits `backoffMs(attempts)`. */
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The lease of the process applying it, or when the next try is due after a failure. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
  },
  (t) => [
    check('credits_float_top_ups_amount_positive', sql`${t.amount} > 0`),
    check('credits_float_top_ups_trigger_check', sql`${t.trigger} IN ('manual', 'automatic')`),
    check('credits_float_top_ups_state_check', sql`${t.state} IN ('pending', 'applied')`),
    check(
      'credits_float_top_ups_applied_check',
      sql`(${t.state} = 'applied') = (${t.appliedAt} IS NOT NULL)`,
    ),
    index('credits_float_top_ups_reseller_idx').on(t.resellerUserId, t.createdAt),
    index('credits_float_top_ups_pending_idx').on(t.lockedUntil).where(sql`${t.state} = 'pending'`),
  ],
);

/** A reseller's automatic top-up: when its float falls under `threshold`, `amount` more is moved in. */
export const floatSettings = pgTable(
  'credits_float_settings',
  {
    resellerUserId: uuid('reseller_user_id').primaryKey(),
    autoTopUp: boolean('auto_top_up').notNull().default(false),
    threshold: amountColumn('threshold').notNull(),
    amount: amountColumn('amount').notNull(),
    /**
     * When the reseller was told its credits on Tally do not cover the automatic top-up; cleared by
     * the next top-up that goes through, so it is told once per shortfall, not at every run.
     */
    shortNotifiedAt: timestamp('short_notified_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [check('credits_float_settings_amount_positive', sql`${t.amount} > 0`)],
);

/**
 * One reconciliation of a reseller's float: what left Tally's ledger for it, what arrived in its
 * own database's, and the top-ups in flight between them. A non-zero `difference` was flagged.
 */
export const floatReconciliations = pgTable(
  'credits_float_reconciliations',
  {
    id: uuid('id').primaryKey(),
    resellerUserId: uuid('reseller_user_id').notNull(),
    /** The credits posted to the reseller's float account on Tally's ledger. */
    mainTotal: amountColumn('main_total').notNull(),
    /** The credits the float source account of the reseller's ledger gave out. */
    tenantTotal: amountColumn('tenant_total').notNull(),
    /** Pending top-ups not yet arrived in the tenant's ledger: gone from one side, not yet on the other. */
    pendingTotal: amountColumn('pending_total').notNull(),
    pendingCount: integer('pending_count').notNull(),
    /** main - pending - tenant (may be negative): 0 when both ledgers agree. */
    difference: amountColumn('difference').notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('credits_float_reconciliations_reseller_idx').on(t.resellerUserId, t.checkedAt)],
);

export const tenantMoveDirections = ['into_own', 'back_to_shared'] as const;
export type TenantMoveDirection = (typeof tenantMoveDirections)[number];

/**
 * `preparing` while the database it goes to is made (the shop is served as before); `moving` while
 * the shop is copied (its domain answers that it is unavailable); `done` once it is served from
 * where it went.
 */
export const tenantMoveStates = ['preparing', 'moving', 'done'] as const;
export type TenantMoveState = (typeof tenantMoveStates)[number];

/**
 * A reseller's shop moved between Tally's database and its own (src/credits/tenant-databases/move.ts).
 * The row is the move's progress: a move cut short is carried on by running the command again,
 * and its id names every ledger transfer it made, so no credit moves twice.
 */
export const tenantMoves = pgTable(
  'credits_tenant_moves',
  {
    id: uuid('id').primaryKey(),
    resellerUserId: uuid('reseller_user_id').notNull(),
    direction: text('direction', { enum: tenantMoveDirections }).notNull(),
    state: text('state', { enum: tenantMoveStates }).notNull(),
    /** What was moved: rows per table, people, grants and their credits (`{ rows: {...}, credits: "…" }`). */
    moved: jsonb('moved').notNull().default({}),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    check('credits_tenant_moves_direction_check', sql`${t.direction} IN ('into_own', 'back_to_shared')`),
    check('credits_tenant_moves_state_check', sql`${t.state} IN ('preparing', 'moving', 'done')`),
    // One move at a time per shop.
    uniqueIndex('credits_tenant_moves_open_idx').on(t.resellerUserId).where(sql`${t.state} <> 'done'`),
  ],
);
