import { bigint, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Files people uploaded (an invoice, a delivery note): the bytes are in the file store, named by id. */
export const files = pgTable(
  'core_files',
  {
    id: uuid('id').primaryKey(),
    ownerUserId: uuid('owner_user_id'),
    /** The name it was uploaded with, for the download; never used as a path. */
    name: text('name').notNull(),
    /** Sniffed from the bytes, never taken from the request. */
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('core_files_owner_idx').on(t.ownerUserId, t.id)],
);
