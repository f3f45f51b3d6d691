import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const idempotencyStates = ['in_flight', 'done'] as const;

/**
 * One row per Idempotency-Key a caller sent: the request it named (by fingerprint) and, once it
 * finished, the response to replay. Keys are namespaced by their owner as a column, never by a
 * string prefix, so one caller's key can never be read as another's.
 */
export const idempotencyKeys = pgTable(
  'core_idempotency_keys',
  {
    /** The person (user id) or `operator` for the operator key. */
    owner: text('owner').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** SHA-256 of the method, the path with its query, and the body in a canonical form. */
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: idempotencyStates }).notNull(),
    /** When the request began (or was taken over after a crash); an in-flight row older than the lease is stale. */
    lockedAt: timestamp('locked_at', { withTimezone: true }).notNull(),
    responseStatus: integer('response_status'),
    responseContentType: text('response_content_type'),
    responseBody: text('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.key] }), index('core_idempotency_keys_created').on(t.createdAt)],
);
