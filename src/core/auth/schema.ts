import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** People. A person signs in with an email and password, with a wallet (Sign-In with Ethereum), or both. */
export const users = pgTable(
  'core_users',
  {
    id: uuid('id').primaryKey(),
    /** Lower-cased; null for a wallet-only person. */
    email: text('email').unique(),
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    name: text('name').notNull().default(''),
    /** Argon2id PHC string; null when the person has no password (wallet-only). */
    passwordHash: text('password_hash'),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    /** A platform operator: reads the audit log, manages everything. */
    isAdmin: boolean('is_admin').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('core_users_created_idx').on(t.createdAt)],
);

/** Signed-in browsers. The cookie carries a random token; only its SHA-256 is stored. */
export const sessions = pgTable(
  'core_sessions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('core_sessions_user_idx').on(t.userId)],
);

export const authTokenPurposes = ['verify_email', 'password_reset', 'temporary_password'] as const;

/**
 * Single-use, expiring links mailed to a person (confirm the address, reset the password); only the
 * token's SHA-256 is stored.
 */
export const authTokens = pgTable(
  'core_auth_tokens',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    purpose: text('purpose', { enum: authTokenPurposes }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    ip: text('ip'),
  },
  (t) => [index('core_auth_tokens_user_idx').on(t.userId, t.purpose)],
);

/** Wallets linked to a person; the address is lower-case hex. */
export const wallets = pgTable(
  'core_wallets',
  {
    address: text('address').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('core_wallets_user_idx').on(t.userId)],
);

/** Sign-In with Ethereum nonces: issued by the server, used once, short-lived. */
export const siweNonces = pgTable(
  'core_siwe_nonces',
  {
    nonce: text('nonce').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('core_siwe_nonces_expiry_idx').on(t.expiresAt)],
);

/** Keys for machine clients: shown once, stored as SHA-256, scoped, revocable. */
export const apiKeys = pgTable(
  'core_api_keys',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    /** The first characters of the key, shown so a person can tell keys apart. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    scopes: text('scopes').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('core_api_keys_user_idx').on(t.userId)],
);

/**
 * Counters behind rate limits and slow-downs, shared by every process: a fixed window per key
 * (`signin:ip:…`, `signin:email:…`, `reset:email:…`), and a run of failures that locks a key for
 * longer each time.
 */
export const rateLimits = pgTable(
  'core_rate_limits',
  {
    key: text('key').primaryKey(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull(),
    failures: integer('failures').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
  },
  (t) => [index('core_rate_limits_window_idx').on(t.windowStart).where(sql`${t.lockedUntil} IS NULL`)],
);
