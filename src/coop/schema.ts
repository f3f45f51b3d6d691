import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from '../core/access/schema';

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
