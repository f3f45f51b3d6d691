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
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from '../core/access/schema';
import { amountColumn } from '../core/amounts';
import type { CsvStatementMapping } from '../core/banking/csv-statement';

/**
 * The coop line (seed 002, "Plenty"): a buyers club is a core organisation (its name, members and
 * roles are the core's); households, producers and products are the club's own records.
 */

/** The coop's part of a club: how it admits people into households. */
export const clubs = pgTable('coop_clubs', {
  organizationId: uuid('organization_id')
    .primaryKey()
    .references(() => organizations.id),
  /**
   * Whether a household approves a join request only with the code shown to the person who asked
   * (read out in person or by phone): a stranger who picks a neighbour's name cannot get in.
   */
  joinCodeRequired: boolean('join_code_required').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** A household of a club: the people who order, pick up and pay together. */
export const households = pgTable(
  'coop_households',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    /** The seed's `nickname`: how the club calls it ("The Millers", "Flat 3B"). */
    name: text('name').notNull(),
    photoFileId: uuid('photo_file_id'),
    createdBy: uuid('created_by').notNull(),
    /** Set when its last member left or an administrator deleted it: kept for its history, not listed. */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    archivedBy: uuid('archived_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('coop_households_club_idx').on(t.clubId, t.name),
    // Two open households of one club never share a name: members pick theirs from the list by it.
    uniqueIndex('coop_households_open_name')
      .on(t.clubId, sql`lower(${t.name})`)
      .where(sql`${t.archivedAt} IS NULL`),
  ],
);

/** Who is in a household now; a person is in at most one household of a club. */
export const householdMembers = pgTable(
  'coop_household_members',
  {
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    clubId: uuid('club_id').notNull(),
    userId: uuid('user_id').notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('coop_household_members_one_per_club').on(t.clubId, t.userId),
    index('coop_household_members_household_idx').on(t.householdId),
  ],
);

export const joinRequestStates = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type JoinRequestState = (typeof joinRequestStates)[number];

/** A person's request to join a household; any member of it approves or rejects. */
export const joinRequests = pgTable(
  'coop_join_requests',
  {
    id: uuid('id').primaryKey(),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    clubId: uuid('club_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** Shown to the person who asked, typed by the member who approves when the club requires it. */
    code: text('code').notNull(),
    message: text('message').notNull().default(''),
    /** Wrong codes typed so far; at `MAX_WRONG_CODES` the request is rejected. */
    wrongCodes: integer('wrong_codes').notNull().default(0),
    state: text('state', { enum: joinRequestStates }).notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('coop_join_requests_household_idx').on(t.householdId, t.state),
    // One open request per person and club: asking another household withdraws the first.
    uniqueIndex('coop_join_requests_one_pending').on(t.clubId, t.userId).where(sql`${t.state} = 'pending'`),
    check('coop_join_requests_decided', sql`(${t.state} = 'pending') = (${t.decidedAt} IS NULL)`),
  ],
);

/** A link anyone may follow to become a member of a club (the admin's "invite link"). */
export const inviteLinks = pgTable(
  'coop_invite_links',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    /** SHA-256 of the link's secret: the link itself is shown once, to the admin who made it. */
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    uses: integer('uses').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('coop_invite_links_token').on(t.tokenHash),
    index('coop_invite_links_club_idx').on(t.clubId),
  ],
);

export const editorPolicies = ['liaison', 'all_members', 'members'] as const;
/** Who edits a producer's products besides its liaison (seed `ProducerEditors`). */
export type EditorPolicy = (typeof editorPolicies)[number];

/** A producer the club buys from; whoever creates it is its liaison. */
export const producers = pgTable(
  'coop_producers',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    name: text('name').notNull(),
    photoFileId: uuid('photo_file_id'),
    contactEmail: text('contact_email').notNull().default(''),
    phoneNumber: text('phone_number').notNull().default(''),
    location: text('location').notNull().default(''),
    /** The seed's `producer_details`: a free text of what they grow or make, how they deliver. */
    details: text('details').notNull().default(''),
    liaisonUserId: uuid('liaison_user_id').notNull(),
    /** Where the producer is paid: a checked IBAN (compact), and who holds the account. */
    iban: text('iban'),
    accountHolder: text('account_holder'),
    editorPolicy: text('editor_policy', { enum: editorPolicies }).notNull().default('liaison'),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('coop_producers_club_name').on(t.clubId, sql`lower(${t.name})`)],
);

export const producerPeopleRoles = ['editor', 'sorter'] as const;
export type ProducerPeopleRole = (typeof producerPeopleRoles)[number];

/** The people named for a producer: its editors (when the policy is `members`) and its sorters. */
export const producerPeople = pgTable(
  'coop_producer_people',
  {
    producerId: uuid('producer_id')
      .notNull()
      .references(() => producers.id),
    userId: uuid('user_id').notNull(),
    role: text('role', { enum: producerPeopleRoles }).notNull(),
  },
  (t) => [unique('coop_producer_people_unique').on(t.producerId, t.role, t.userId)],
);

export const packagingUnits = ['piece', 'kg', 'g', 'l', 'ml', 'lb', 'oz'] as const;
export type PackagingUnit = (typeof packagingUnits)[number];

/** A product of a producer; what it is at any time is its latest version. */
export const products = pgTable(
  'coop_products',
  {
    id: uuid('id').primaryKey(),
    producerId: uuid('producer_id')
      .notNull()
      .references(() => producers.id),
    clubId: uuid('club_id').notNull(),
    /** The latest version: what the catalogue shows and a new order pins. */
    currentVersion: integer('current_version').notNull(),
    /** Taken off the catalogue; its versions stay for the orders that pinned them. */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('coop_products_producer_idx').on(t.producerId)],
);

/**
 * A product as it was from `created_at` until its next version: an order pins the version it was
 * placed on, so editing a product never changes what was ordered. Amounts are exact integers: the
 * price in cents, rates in basis points, a package's amount in thousandths of its unit.
 */
export const productVersions = pgTable(
  'coop_product_versions',
  {
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    /** The producer's own reference for it (the seed's `product_id`), unique among the producer's products. */
    code: text('code').notNull(),
    description: text('description').notNull().default(''),
    categories: text('categories').array().notNull(),
    unit: text('unit', { enum: packagingUnits }).notNull(),
    /** How much one package holds, in thousandths of the unit (a 500 g bag of a product sold in g: 500000). */
    amountPerPackage: amountColumn('amount_per_package').notNull(),
    /** How many packages make one orderable item (a crate of 6 bottles: 6). */
    packages: integer('packages').notNull(),
    /** Sold by weight: the amount is an estimate, and the bill follows what is weighed. */
    estimate: boolean('estimate').notNull(),
    maximumAvailable: integer('maximum_available'),
    priceCents: amountColumn('price_cents').notNull(),
    vatBasisPoints: integer('vat_basis_points').notNull(),
    marginBasisPoints: integer('margin_basis_points'),
    origin: text('origin'),
    ingredients: text('ingredients'),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.version] }),
    check(
      'coop_product_versions_amounts',
      sql`${t.priceCents} >= 0 AND ${t.amountPerPackage} > 0 AND ${t.packages} > 0`,
    ),
    check(
      'coop_product_versions_rates',
      sql`${t.vatBasisPoints} BETWEEN 0 AND 10000 AND coalesce(${t.marginBasisPoints}, 0) BETWEEN 0 AND 100000`,
    ),
  ],
);

export const allocationRules = ['pro_rata', 'rotation', 'order_time'] as const;
/**
 * How a closed order shares a product ordered beyond its maximum: pro rata (each household gets
 * its share of what there is), rotation (whoever was short of it last time is served first), or
 * order time (first ordered, first served).
 */
export type AllocationRule = (typeof allocationRules)[number];

/** The club's rules for its orders (one row per club, made with its first order or setting). */
export const clubOrderSettings = pgTable('coop_club_order_settings', {
  clubId: uuid('club_id')
    .primaryKey()
    .references(() => clubs.organizationId),
  allocationRule: text('allocation_rule', { enum: allocationRules }).notNull().default('pro_rata'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const orderStatuses = ['preparing', 'open', 'closed', 'processed', 'finished'] as const;
/** The seed's `OrderStatus`; `orders/state.ts` holds the moves between them. */
export type OrderStatus = (typeof orderStatuses)[number];

/** One round of buying: producers say they can deliver, households order, goods arrive, bills are paid. */
export const orders = pgTable(
  'coop_orders',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    /** 1, 2, 3… per club: "order 12" is what members call it. */
    number: integer('number').notNull(),
    status: text('status', { enum: orderStatuses }).notNull(),
    /** When households may no longer order: set when the order opens. */
    deadline: timestamp('deadline', { withTimezone: true }),
    /** Where and when the food is picked up, in the club's words. */
    pickup: text('pickup').notNull().default(''),
    /** The rule that shared out what was short, fixed when the order closed. */
    allocationRule: text('allocation_rule', { enum: allocationRules }),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Null when the deadline closed it. */
    closedBy: uuid('closed_by'),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** How many times the order was reopened after it was processed, to correct deliveries and bills. */
    corrections: integer('corrections').notNull().default(0),
    /** The latest reopening: when, by whom, and why (told to every household whose bill changes). */
    reopenedAt: timestamp('reopened_at', { withTimezone: true }),
    reopenedBy: uuid('reopened_by'),
    reopenReason: text('reopen_reason'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('coop_orders_club_number').on(t.clubId, t.number),
    index('coop_orders_club_idx').on(t.clubId, t.status),
    check('coop_orders_open_deadline', sql`${t.status} = 'preparing' OR ${t.deadline} IS NOT NULL`),
  ],
);

export const producerAnswers = ['available', 'not_available'] as const;
export type ProducerAnswer = (typeof producerAnswers)[number];

/**
 * A producer's part in an order: the liaison's answer while it is prepared, the delivery check
 * after it closed, and the producer's invoice. A producer of the club with no row has not answered.
 */
export const orderProducers = pgTable(
  'coop_order_producers',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    producerId: uuid('producer_id')
      .notNull()
      .references(() => producers.id),
    answer: text('answer', { enum: producerAnswers }).notNull(),
    /** The liaison's word with the answer ("no eggs this week"). */
    note: text('note').notNull().default(''),
    answeredBy: uuid('answered_by').notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull(),
    /** When the liaison confirmed the delivery matches what the check recorded. */
    deliveryConfirmedAt: timestamp('delivery_confirmed_at', { withTimezone: true }),
    deliveryConfirmedBy: uuid('delivery_confirmed_by'),
    /** What the club owes the producer for what was delivered (its price and VAT, no margin), in cents. */
    expectedInvoiceCents: amountColumn('expected_invoice_cents'),
    invoiceFileId: uuid('invoice_file_id'),
    invoiceCents: amountColumn('invoice_cents'),
    invoiceUploadedBy: uuid('invoice_uploaded_by'),
    invoiceUploadedAt: timestamp('invoice_uploaded_at', { withTimezone: true }),
    invoicePaidBy: uuid('invoice_paid_by'),
    invoicePaidAt: timestamp('invoice_paid_at', { withTimezone: true }),
    /** Put in a credit transfer file for the bank: paid once the statement shows it went out. */
    paymentBatchId: uuid('payment_batch_id'),
    paymentSentAt: timestamp('payment_sent_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.producerId] }),
    check('coop_order_producers_paid', sql`${t.invoicePaidAt} IS NULL OR ${t.invoiceFileId} IS NOT NULL`),
  ],
);

/** A household's order in an order: one per household, any of its members edits it. */
export const householdOrders = pgTable(
  'coop_household_orders',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: uuid('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.householdId] })],
);

/**
 * One product in one household's order, from what it ordered to what it pays: the ordered items
 * (while the order is open), what it was allotted when the order closed, what was delivered, and
 * the line of its bill once the order is processed. A line with nothing ordered is a product
 * delivered that nobody ordered, which the household took.
 */
export const orderLines = pgTable(
  'coop_order_lines',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    producerId: uuid('producer_id').notNull(),
    /** The product's version the household saw when it last changed the line: its price and terms. */
    version: integer('version').notNull(),
    /** Items ordered (an item is `packages` × `amount_per_package` of the product's unit). */
    quantity: integer('quantity').notNull(),
    /** The members who set it, for the initials beside it. */
    orderedBy: uuid('ordered_by').array().notNull(),
    /** Since when it has asked for this many: what "order time" serves first. Raising it starts again. */
    orderedAt: timestamp('ordered_at', { withTimezone: true }).notNull(),
    /**
     * Items it gets when that is not what it ordered: fewer, when the product ran short as the order
     * closed (0 for an extra it took). Null: all it ordered, so closing writes only the lines it cuts.
     */
    allotted: integer('allotted'),
    /** Items delivered; null until the delivery check says otherwise (then it is the allotment). */
    deliveredItems: integer('delivered_items'),
    /** Weighed amounts, one per item, in thousandths of the unit, for goods sold by weight. */
    weights: jsonb('weights').$type<string[]>(),
    /** The bill's line, written when the order is processed. */
    netCents: amountColumn('net_cents'),
    vatCents: amountColumn('vat_cents'),
    totalCents: amountColumn('total_cents'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.householdId, t.productId] }),
    index('coop_order_lines_product_idx').on(t.orderId, t.productId),
    check('coop_order_lines_quantity', sql`${t.quantity} >= 0 AND coalesce(${t.allotted}, 0) >= 0`),
  ],
);

export const deliveryOutcomes = ['pending', 'delivered', 'not_available', 'missing'] as const;
/** The seed's `ProductDelivery`, with `pending` before the liaison checked it. */
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/**
 * A product of a closed order: what was ordered and allotted in all, and what the delivery check
 * found. `extra` is a product delivered that nobody ordered; households take `extra_items` of it.
 */
export const orderProducts = pgTable(
  'coop_order_products',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    producerId: uuid('producer_id').notNull(),
    orderedItems: integer('ordered_items').notNull(),
    allottedItems: integer('allotted_items').notNull(),
    /** The most that could be had when the order closed; null when unlimited. */
    maximumAvailable: integer('maximum_available'),
    outcome: text('outcome', { enum: deliveryOutcomes }).notNull().default('pending'),
    comment: text('comment').notNull().default(''),
    /** The producer's new price per unit, in cents, when it changed at delivery. */
    changedPriceCents: amountColumn('changed_price_cents'),
    extra: boolean('extra').notNull().default(false),
    extraItems: integer('extra_items').notNull().default(0),
    recordedBy: uuid('recorded_by'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);

export const billChangeKinds = [
  'allotted',
  'delivered',
  'weighed',
  'not_available',
  'missing',
  'price_changed',
  'extra_taken',
] as const;
export type BillChangeKind = (typeof billChangeKinds)[number];

/**
 * The trail of every change to what a household gets and pays, against what it ordered: who made
 * it (null: Tally, when the order closed), when, the estimate, what was weighed or delivered, the price.
 */
export const billChanges = pgTable(
  'coop_bill_changes',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id').notNull(),
    householdId: uuid('household_id').notNull(),
    productId: uuid('product_id').notNull(),
    kind: text('kind', { enum: billChangeKinds }).notNull(),
    orderedItems: integer('ordered_items').notNull(),
    /** Items (or weighed amount, in thousandths of the unit) the household gets now. */
    items: integer('items'),
    estimateQuantity: amountColumn('estimate_quantity'),
    weighedQuantity: amountColumn('weighed_quantity'),
    priceBeforeCents: amountColumn('price_before_cents'),
    priceAfterCents: amountColumn('price_after_cents'),
    comment: text('comment').notNull().default(''),
    changedBy: uuid('changed_by'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('coop_bill_changes_household_idx').on(t.orderId, t.householdId, t.changedAt)],
);

export const paymentStates = ['due', 'paid', 'bad'] as const;
export type PaymentState = (typeof paymentStates)[number];
export const badPaymentReasons = ['payment_missing', 'bad_amount', 'other'] as const;
/** The seed's `BadPaymentReason`. */
export type BadPaymentReason = (typeof badPaymentReasons)[number];

/** What a household owes for an order once it is processed, and whether it has paid. */
export const bills = pgTable(
  'coop_bills',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    netCents: amountColumn('net_cents').notNull(),
    vatCents: amountColumn('vat_cents').notNull(),
    totalCents: amountColumn('total_cents').notNull(),
    /** The structured creditor reference (ISO 11649) the household quotes with its payment. */
    reference: text('reference').notNull(),
    /** Net and VAT per rate, as the bill lists them. */
    byVatRate: jsonb('by_vat_rate')
      .$type<{ vat_basis_points: string; net_cents: string; vat_cents: string }[]>()
      .notNull(),
    /** What the bookkeeper recorded as received so far. */
    receivedCents: amountColumn('received_cents').notNull(),
    paymentState: text('payment_state', { enum: paymentStates }).notNull(),
    badReason: text('bad_reason', { enum: badPaymentReasons }),
    badText: text('bad_text'),
    /** The household's word that it put a bad payment right. */
    fixNote: text('fix_note'),
    fixedAt: timestamp('fixed_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    checkedBy: uuid('checked_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.householdId] }),
    uniqueIndex('coop_bills_reference').on(t.reference),
    check('coop_bills_bad', sql`(${t.paymentState} = 'bad') = (${t.badReason} IS NOT NULL)`),
  ],
);

/** What happened in an order, in the order it happened: what members read as its activity. */
export const orderEvents = pgTable(
  'coop_order_events',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    /** Null when Tally did it (the deadline closed the order). */
    userId: uuid('user_id'),
    kind: text('kind').notNull(),
    text: text('text').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('coop_order_events_order_idx').on(t.orderId, t.at)],
);

/** The club's bank account: where households pay, and what producers' payments are sent from. */
export const clubBankAccounts = pgTable('coop_club_bank_accounts', {
  clubId: uuid('club_id')
    .primaryKey()
    .references(() => clubs.organizationId),
  accountHolder: text('account_holder').notNull(),
  /** Compact and checked (MOD 97-10). */
  iban: text('iban').notNull(),
  bic: text('bic'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const statementFormats = ['camt053', 'csv'] as const;
export type StatementFormat = (typeof statementFormats)[number];

/** A bank statement the bookkeeper uploaded, kept as it came. */
export const bankStatements = pgTable(
  'coop_bank_statements',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    format: text('format', { enum: statementFormats }).notNull(),
    fileId: uuid('file_id').notNull(),
    /** The bank's id of the statement, when it gives one. */
    bankStatementId: text('bank_statement_id'),
    accountIban: text('account_iban'),
    lines: integer('lines').notNull(),
    /** Lines seen for the first time: a statement imported again adds none. */
    newLines: integer('new_lines').notNull(),
    importedBy: uuid('imported_by').notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('coop_bank_statements_club_idx').on(t.clubId, t.importedAt)],
);

export const bankLineStates = [
  'matched',
  'bad_amount',
  'unmatched',
  'assigned',
  'ignored',
  'outgoing',
] as const;
/**
 * What became of a statement's line: `matched` to a bill and received; `bad_amount` matched by its
 * reference but not for the amount owed, waiting for the bookkeeper to confirm the bad payment;
 * `unmatched` waiting to be assigned by hand; `assigned` by hand; `ignored` (not a household's
 * payment); `outgoing` money the club sent.
 */
export type BankLineState = (typeof bankLineStates)[number];

/** One line of a bank statement, once per bank id, whatever how often its statement is imported. */
export const bankLines = pgTable(
  'coop_bank_lines',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    statementId: uuid('statement_id')
      .notNull()
      .references(() => bankStatements.id),
    /** The bank's own id of the line (its account servicer reference). */
    bankId: text('bank_id').notNull(),
    bookedOn: text('booked_on').notNull(),
    amountCents: amountColumn('amount_cents').notNull(),
    direction: text('direction', { enum: ['credit', 'debit'] }).notNull(),
    counterpartyName: text('counterparty_name').notNull(),
    counterpartyIban: text('counterparty_iban'),
    remittance: text('remittance').notNull(),
    references: text('references').array().notNull(),
    endToEndId: text('end_to_end_id'),
    state: text('state', { enum: bankLineStates }).notNull(),
    /** The bill it pays (or is proposed for, with `confidence`), by order and household. */
    orderId: uuid('order_id'),
    householdId: uuid('household_id'),
    /** How sure the match is, 0 to 100: 100 by reference; by amount and name less. */
    confidence: integer('confidence'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('coop_bank_lines_bank_id').on(t.clubId, t.bankId),
    index('coop_bank_lines_state_idx').on(t.clubId, t.state),
  ],
);

/** A credit transfer file the bookkeeper downloaded to pay producers' invoices at the bank. */
export const paymentBatches = pgTable(
  'coop_payment_batches',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    /** The file's message id, unique per club, as the bank sees it. */
    messageId: text('message_id').notNull(),
    executionDate: text('execution_date').notNull(),
    transfers: integer('transfers').notNull(),
    totalCents: amountColumn('total_cents').notNull(),
    /** The pain.001 document as it was downloaded. */
    xml: text('xml').notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('coop_payment_batches_message').on(t.clubId, t.messageId)],
);

/** How a bank's CSV export reads, saved once per bank by the bookkeeper (`core/banking/csv-statement.ts`). */
export const statementMappings = pgTable(
  'coop_statement_mappings',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    /** The bank's name, as the bookkeeper picks it: "Sparkasse", "GLS". */
    name: text('name').notNull(),
    mapping: jsonb('mapping').$type<CsvStatementMapping>().notNull(),
    updatedBy: uuid('updated_by').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('coop_statement_mappings_name').on(t.clubId, sql`lower(${t.name})`)],
);

/** A club's SEPA direct debit, switched on by the Admin with the club's creditor identifier. */
export const directDebitSettings = pgTable('coop_direct_debit_settings', {
  clubId: uuid('club_id')
    .primaryKey()
    .references(() => clubs.organizationId),
  /** The SEPA creditor identifier, compact and checked (`core/banking/creditor-identifier.ts`). */
  creditorId: text('creditor_id').notNull(),
  updatedBy: uuid('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const mandateStates = ['active', 'revoked'] as const;
export type MandateState = (typeof mandateStates)[number];

/** A household's SEPA direct debit mandate: the club may collect its bills from this account. */
export const directDebitMandates = pgTable(
  'coop_direct_debit_mandates',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    /** The unique mandate reference the debits quote (at most 35 characters of the SEPA set). */
    reference: text('reference').notNull(),
    accountHolder: text('account_holder').notNull(),
    /** Compact and checked (MOD 97-10). */
    iban: text('iban').notNull(),
    bic: text('bic'),
    /** The day of signature the debits quote, YYYY-MM-DD. */
    signedOn: text('signed_on').notNull(),
    signedBy: uuid('signed_by').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
    state: text('state', { enum: mandateStates }).notNull(),
    revokedBy: uuid('revoked_by'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('coop_direct_debit_mandates_reference').on(t.reference),
    // One mandate a household at a time: a new one is signed after the old is revoked.
    uniqueIndex('coop_direct_debit_mandates_active').on(t.householdId).where(sql`${t.state} = 'active'`),
    index('coop_direct_debit_mandates_club_idx').on(t.clubId),
  ],
);

export const collectionStates = ['sent', 'cancelled'] as const;
export type CollectionState = (typeof collectionStates)[number];

/** A direct debit file the bookkeeper downloaded to collect households' bills through the bank. */
export const directDebitCollections = pgTable(
  'coop_direct_debit_collections',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    /** The file's message id, unique per club, as the bank sees it. */
    messageId: text('message_id').notNull(),
    collectionDate: text('collection_date').notNull(),
    debits: integer('debits').notNull(),
    totalCents: amountColumn('total_cents').notNull(),
    /** The pain.008 document as it was downloaded. */
    xml: text('xml').notNull(),
    state: text('state', { enum: collectionStates }).notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    cancelledBy: uuid('cancelled_by'),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [unique('coop_direct_debit_collections_message').on(t.clubId, t.messageId)],
);

export const directDebitStates = ['sent', 'collected', 'returned', 'cancelled'] as const;
/**
 * What became of one bill's debit: `sent` to the bank in a collection; `collected` once the
 * statement shows the money arrived (the bill is paid); `returned` by the household's bank;
 * `cancelled` with its collection before the money arrived.
 */
export type DirectDebitState = (typeof directDebitStates)[number];

/** One bill in a collection: collected once, whatever how often a collection is tried. */
export const directDebits = pgTable(
  'coop_direct_debits',
  {
    id: uuid('id').primaryKey(),
    clubId: uuid('club_id')
      .notNull()
      .references(() => clubs.organizationId),
    collectionId: uuid('collection_id')
      .notNull()
      .references(() => directDebitCollections.id),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    mandateId: uuid('mandate_id')
      .notNull()
      .references(() => directDebitMandates.id),
    /** Unique per club: how the statement's credit (or return) is told to be this debit. */
    endToEndId: text('end_to_end_id').notNull(),
    amountCents: amountColumn('amount_cents').notNull(),
    sequenceType: text('sequence_type', { enum: ['FRST', 'RCUR', 'OOFF'] }).notNull(),
    state: text('state', { enum: directDebitStates }).notNull(),
    collectedAt: timestamp('collected_at', { withTimezone: true }),
    returnedAt: timestamp('returned_at', { withTimezone: true }),
  },
  (t) => [
    unique('coop_direct_debits_end_to_end').on(t.clubId, t.endToEndId),
    // A bill is in one live debit at most: the database refuses collecting it twice, even at once.
    uniqueIndex('coop_direct_debits_live')
      .on(t.orderId, t.householdId)
      .where(sql`${t.state} IN ('sent', 'collected')`),
    index('coop_direct_debits_collection_idx').on(t.collectionId),
  ],
);
