import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Where an owner (a producer of the streams line, or any line's own kind of owner) wants events
 * sent. The owner is a kind and an id rather than a foreign key, so any line can own endpoints
 * without the core knowing its tables.
 */
export const webhookEndpoints = pgTable(
  'core_webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    /** Who owns it, in the owning line's words (`streams.producer`). */
    ownerKind: text('owner_kind').notNull(),
    ownerId: uuid('owner_id').notNull(),
    url: text('url').notNull(),
    eventTypes: text('event_types').array().notNull(),
    /** The signing secret, sealed with the installation's keyring: Tally needs it in clear to sign. */
    secretSealed: text('secret_sealed').notNull(),
    /** The secret before the last rotation, still signing alongside the new one until it expires. */
    previousSecretSealed: text('previous_secret_sealed'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('core_webhook_endpoints_owner_idx').on(t.ownerKind, t.ownerId, t.id)],
);

/** Something that happened to an owner, as its endpoints receive it; kept only when one wants it. */
export const webhookEvents = pgTable(
  'core_webhook_events',
  {
    /** Chosen by the caller when it must be deterministic (the same happening queued twice is one event). */
    id: uuid('id').primaryKey(),
    ownerKind: text('owner_kind').notNull(),
    ownerId: uuid('owner_id').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('core_webhook_events_created_idx').on(t.createdAt)],
);

export const webhookDeliveryStates = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryState = (typeof webhookDeliveryStates)[number];

/**
 * One event on its way to one endpoint: written in the transaction of the change that causes the
 * event (an outbox), then attempted by the delivery sweep until the endpoint answers 2xx or the
 * attempts run out.
 */
export const webhookDeliveries = pgTable(
  'core_webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    /** The endpoint's owner again, so an owner's log is read from one index. */
    ownerKind: text('owner_kind').notNull(),
    ownerId: uuid('owner_id').notNull(),
    state: text('state', { enum: webhookDeliveryStates }).notNull(),
    /** Attempts started, the one in flight included. */
    attempts: integer('attempts').notNull().default(0),
    /** The attempt after which a failure is final: the retry schedule's last, or one more after a redelivery. */
    finalAttempt: integer('final_attempt').notNull(),
    /** When the next attempt is due; null once delivered or failed. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /** A worker's lease on the attempt in flight: until then no other worker takes it. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('core_webhook_deliveries_event_endpoint_idx').on(t.eventId, t.endpointId),
    index('core_webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
    index('core_webhook_deliveries_owner_idx').on(t.ownerKind, t.ownerId, t.createdAt, t.id),
    index('core_webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt, t.id),
  ],
);

/** Every attempt of a delivery, as the endpoint answered it: what an owner's support asks first. */
export const webhookAttempts = pgTable(
  'core_webhook_attempts',
  {
    id: uuid('id').primaryKey(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** The endpoint's HTTP status; null when no answer came (refused connection, timeout). */
    statusCode: integer('status_code'),
    /** The start of the endpoint's answer, bounded. */
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
  },
  (t) => [index('core_webhook_attempts_delivery_idx').on(t.deliveryId, t.number)],
);
