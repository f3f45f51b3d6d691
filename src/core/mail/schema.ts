import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A file a mail carries (an order sheet for a producer), its bytes kept with the message until it is sent. */
export interface StoredAttachment {
  name: string;
  content_type: string;
  base64: string;
}

export const mailStates = ['queued', 'sent', 'failed'] as const;

/**
 * Every mail Tally sends: written in the transaction of the change that causes it (an outbox) and
 * delivered by a job. Without SMTP the message is delivered to the built-in Mailbox instead.
 */
export const mailMessages = pgTable(
  'core_mail_messages',
  {
    id: uuid('id').primaryKey(),
    toAddress: text('to_address').notNull(),
    /**
     * The From of this message (`"Brand" <no-reply@brand.example>`), for mail sent in someone else's
     * name (a reseller's customers hear from its brand); null: the configured MAIL_FROM.
     */
    fromAddress: text('from_address'),
    userId: uuid('user_id'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    /** In the row itself, so the mail and its files exist together or not at all (the outbox). */
    attachments: jsonb('attachments').$type<StoredAttachment[]>(),
    /** What kind of mail it is (welcome, password_reset, invitation, notification…). */
    template: text('template').notNull(),
    /** A person never gets the same mail twice: the second insert with this key is a no-op. */
    dedupeKey: text('dedupe_key').unique(),
    state: text('state', { enum: mailStates }).notNull().default('queued'),
    /** `smtp` or `mailbox`, once delivered. */
    transport: text('transport'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('core_mail_created_idx').on(t.createdAt), index('core_mail_to_idx').on(t.toAddress, t.id)],
);
