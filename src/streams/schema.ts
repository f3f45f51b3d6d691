import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { amountColumn } from '../core/amounts';
import { users } from '../core/auth/schema';
import { files } from '../core/files/schema';

/**
 * The streams line (seed 000): producers sell plans that consumers pay for with Superfluid token
 * streams. Amounts are in the super token's smallest unit (wei: super tokens have 18 decimals);
 * a flow rate is wei per second.
 */

/** Someone who sells plans: one per person. */
export const producers = pgTable(
  'streams_producers',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    /** The producer's site, or its address when it has none ("Site name (if applicable, producer address)"). */
    site: text('site').notNull().default(''),
    description: text('description').notNull().default(''),
    /** Where subscribers' streams flow to: a lower-case 0x address. */
    payoutAddress: text('payout_address').notNull(),
    /** What a receipt names the seller by, when it is not `name` (a company's registered name). */
    legalName: text('legal_name'),
    /** The seller's postal address on receipts, several lines. */
    postalAddress: text('postal_address'),
    /** The seller's tax id on receipts (a VAT number). */
    taxId: text('tax_id'),
    /** The VAT rate the producer charges, in basis points (2000: 20 %); null: no VAT charged. */
    vatRateBps: integer('vat_rate_bps'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('streams_producers_user_idx').on(t.userId),
    index('streams_producers_name_idx').on(t.name),
    check(
      'streams_producers_vat_rate',
      sql`${t.vatRateBps} IS NULL OR (${t.vatRateBps} >= 0 AND ${t.vatRateBps} <= 10000)`,
    ),
  ],
);

/** The seed's three plan APIs: a stream, a stream that starts at a cliff date, and a number of uses. */
export const planKinds = ['stream', 'vesting', 'usage'] as const;
export type PlanKind = (typeof planKinds)[number];

export const planStatuses = ['active', 'inactive'] as const;
export type PlanStatus = (typeof planStatuses)[number];

/** The period a stream's price is given for; the flow rate is derived from it. */
export const pricePeriods = ['hour', 'day', 'month'] as const;
export type PricePeriod = (typeof pricePeriods)[number];

/** The super tokens a plan is priced in (the deployment's wrappers of USDC and DAI). */
export const planTokens = ['USDCx', 'DAIx'] as const;
export type PlanToken = (typeof planTokens)[number];

/** What a producer sells. The fields of one kind are null on the others. */
export const plans = pgTable(
  'streams_plans',
  {
    id: uuid('id').primaryKey(),
    producerId: uuid('producer_id')
      .notNull()
      .references(() => producers.id),
    kind: text('kind', { enum: planKinds }).notNull(),
    name: text('name').notNull(),
    externalLink: text('external_link'),
    description: text('description').notNull().default(''),
    /** The most subscribers at once; null: no limit. */
    totalSupply: integer('total_supply'),
    token: text('token', { enum: planTokens }).notNull(),
    /** New subscriptions are taken from then on. */
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: planStatuses }).notNull(),
    /** Stream and vesting: the price per period as the producer typed it, in wei. */
    periodPrice: amountColumn('period_price'),
    period: text('period', { enum: pricePeriods }),
    /** Stream and vesting: wei per second, derived from the price and the period (`flow-rate.ts`). */
    flowRate: amountColumn('flow_rate'),
    /** The uses a subscription may report in a month (the seed's "month limit"); null: no quota. */
    monthLimit: integer('month_limit'),
    /** How long access lasts after Tally closed a subscription's stream before it turned critical. */
    graceSeconds: integer('grace_seconds').notNull().default(0),
    /** Vesting: nothing flows before then; then the start amount is paid and the flow opens. */
    cliffAt: timestamp('cliff_at', { withTimezone: true }),
    startAmount: amountColumn('start_amount'),
    /** Usage: the price of one use, and how many a subscriber buys at least and at most. */
    usagePrice: amountColumn('usage_price'),
    minUsage: integer('min_usage'),
    maxUsage: integer('max_usage'),
    /** The plan card and the widget: a CSS hex colour and an image. */
    backgroundColor: text('background_color').notNull().default('#1c7ed6'),
    imageFileId: uuid('image_file_id').references(() => files.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('streams_plans_producer_idx').on(t.producerId, t.createdAt),
    check(
      'streams_plans_kind_fields',
      sql`CASE ${t.kind}
        WHEN 'usage' THEN ${t.usagePrice} IS NOT NULL AND ${t.minUsage} IS NOT NULL AND ${t.maxUsage} IS NOT NULL AND ${t.flowRate} IS NULL
        WHEN 'vesting' THEN ${t.flowRate} IS NOT NULL AND ${t.cliffAt} IS NOT NULL AND ${t.startAmount} IS NOT NULL
        ELSE ${t.flowRate} IS NOT NULL AND ${t.cliffAt} IS NULL AND ${t.usagePrice} IS NULL END`,
    ),
    check('streams_plans_supply', sql`${t.totalSupply} IS NULL OR ${t.totalSupply} > 0`),
  ],
);

export const checkoutStates = ['reserved', 'completed', 'expired', 'cancelled'] as const;
export type CheckoutState = (typeof checkoutStates)[number];

/**
 * What a checkout does on chain: start a plan (a new flow, a raised flow, or a payment for uses),
 * move a subscription to another plan of the same producer and token (one flow update), or end one
 * subscription of several sharing a flow (the flow lowered by its share, or deleted).
 */
export const checkoutPurposes = ['subscribe', 'change', 'cancel'] as const;
export type CheckoutPurpose = (typeof checkoutPurposes)[number];

/**
 * A subscriber's checkout of a plan: a slot of the plan's supply held while the wallet signs, named
 * on chain by the flow's `userData` (`chain/flow-reference.ts`) so the follower matches the flow to
 * it. A reservation lapses at `expiresAt` unless the flow was seen by then.
 */
export const checkouts = pgTable(
  'streams_checkouts',
  {
    id: uuid('id').primaryKey(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** The wallet that streams, lower case. */
    subscriberAddress: text('subscriber_address').notNull(),
    /** The producer's payout wallet when the checkout began: where the flow must go. */
    receiverAddress: text('receiver_address').notNull(),
    token: text('token', { enum: planTokens }).notNull(),
    /** Stream and vesting: what the flow must add, in wei per second. */
    flowRate: amountColumn('flow_rate'),
    /** Usage: the uses bought, and what they cost in all (wei). */
    uses: integer('uses'),
    amount: amountColumn('amount'),
    purpose: text('purpose', { enum: checkoutPurposes }).notNull().default('subscribe'),
    /** change and cancel: the subscription the checkout ends (its plan's share leaves the flow). */
    replacesSubscriptionId: uuid('replaces_subscription_id').references((): AnyPgColumn => subscriptions.id),
    state: text('state', { enum: checkoutStates }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('streams_checkouts_plan_idx').on(t.planId, t.state, t.expiresAt),
    index('streams_checkouts_user_idx').on(t.userId, t.createdAt),
  ],
);

export const subscriptionStates = ['active', 'at_risk', 'closed', 'liquidated'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

/**
 * Who deleted or lowered the flow that closed a subscription, told by the flow operator the
 * agreement names (`FlowUpdatedExtension`): Tally's operator before the account turned critical,
 * the subscriber, or anyone else (a liquidator of the critical account).
 */
export const closeReasons = ['operator', 'subscriber', 'liquidated'] as const;
export type CloseReason = (typeof closeReasons)[number];

/**
 * A plan a wallet pays for, from the moment its flow was seen on chain. Several plans of one
 * producer in one token share one flow (the protocol allows one per sender, receiver and token):
 * each subscription keeps its own share of the rate.
 */
export const subscriptions = pgTable(
  'streams_subscriptions',
  {
    id: uuid('id').primaryKey(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id),
    checkoutId: uuid('checkout_id')
      .notNull()
      .references(() => checkouts.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    subscriberAddress: text('subscriber_address').notNull(),
    receiverAddress: text('receiver_address').notNull(),
    token: text('token', { enum: planTokens }).notNull(),
    flowRate: amountColumn('flow_rate'),
    state: text('state', { enum: subscriptionStates }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** The chain events that started and closed it: a reorg that takes one away undoes what it did. */
    startEventId: text('start_event_id').notNull(),
    closeEventId: text('close_event_id'),
    /** What streamed is in the ledger up to then (`ledger.ts`); null: nothing yet, from `startedAt`. */
    mirroredUntil: timestamp('mirrored_until', { withTimezone: true }),
    /** Null until the close's flow operator is read (`subscriptions/flows.ts`), and while it streams. */
    closeReason: text('close_reason', { enum: closeReasons }),
    /** The flow operator that closed it, lower case: Tally's, the subscriber, or a liquidator. */
    closedBy: text('closed_by'),
    /**
     * When the wallet's account turns critical (its available balance below zero), as the last
     * run-out scan read it (`subscriptions/runout.ts`); null: never at that rate, or not read yet.
     */
    runsOutAt: timestamp('runs_out_at', { withTimezone: true }),
    /** When a run-out scan last read the wallet (Tally's clock, or the chain's when it is ahead). */
    scannedAt: timestamp('scanned_at', { withTimezone: true }),
    /** When the subscriber was warned that the balance runs out within 7 days, and within 24 hours. */
    warned7dAt: timestamp('warned_7d_at', { withTimezone: true }),
    warned24hAt: timestamp('warned_24h_at', { withTimezone: true }),
    /** The treasury's queued operator delete of the flow (`chain_outgoing`), while one is open. */
    closingTransactionId: uuid('closing_transaction_id'),
    /** Operator deletes queued for the flow: each attempt's idempotency key is its own. */
    closeAttempts: integer('close_attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('streams_subscriptions_checkout_idx').on(t.checkoutId),
    index('streams_subscriptions_plan_idx').on(t.planId, t.state),
    index('streams_subscriptions_flow_idx').on(t.subscriberAddress, t.receiverAddress, t.token),
    // The run-out scan reads every streaming subscription, grouped by account.
    index('streams_subscriptions_live_idx')
      .on(t.token, t.subscriberAddress)
      .where(sql`${t.state} IN ('active', 'at_risk')`),
    // The flow operator's event finds the subscriptions its FlowUpdated closed.
    index('streams_subscriptions_close_event_idx').on(t.closeEventId),
    index('streams_subscriptions_closing_idx').on(t.closingTransactionId),
  ],
);

/**
 * Uses a producer's service reported against a subscription, each under the producer's own key for
 * it (a request id): the same key is counted once, however often it is sent. `month` is the UTC
 * month the use counts in ("2026-12"), the month limit's period.
 */
export const usages = pgTable(
  'streams_usages',
  {
    id: uuid('id').primaryKey(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id),
    key: text('key').notNull(),
    uses: integer('uses').notNull(),
    month: text('month').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('streams_usages_key_idx').on(t.planId, t.key),
    index('streams_usages_month_idx').on(t.subscriptionId, t.month),
    check('streams_usages_positive', sql`${t.uses} > 0`),
  ],
);

/**
 * Uses bought for a usage plan, each paid on chain in one step: the super token's ERC-777 `send`
 * to the producer, whose `userData` names the checkout (`usage/payments.ts`). A wallet's purchases of
 * one plan add up on one subscription; what is left is what was bought less the uses reported.
 */
export const usagePurchases = pgTable(
  'streams_usage_purchases',
  {
    id: uuid('id').primaryKey(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    checkoutId: uuid('checkout_id')
      .notNull()
      .references(() => checkouts.id),
    uses: integer('uses').notNull(),
    amount: amountColumn('amount').notNull(),
    /** The chain event that paid it: a reorg that takes it away takes the purchase away. */
    eventId: text('event_id').notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('streams_usage_purchases_checkout_idx').on(t.checkoutId),
    uniqueIndex('streams_usage_purchases_event_idx').on(t.eventId),
    index('streams_usage_purchases_subscription_idx').on(t.subscriptionId),
    check('streams_usage_purchases_positive', sql`${t.uses} > 0`),
  ],
);
