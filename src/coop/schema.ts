import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
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
