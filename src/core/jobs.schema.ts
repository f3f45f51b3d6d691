import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const jobStates = ['queued', 'running', 'done', 'failed'] as const;

export const jobs = pgTable(
  'core_jobs',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    payload: jsonb('payload').notNull().default({}),
    state: text('state', { enum: jobStates }).notNull().default('queued'),
    runAt: timestamp('run_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(10),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    /** A scheduled occurrence's key (`name@2026-01-01T00:00:00.000Z`): inserted once, whoever inserts it. */
    uniqueKey: text('unique_key').unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('core_jobs_due_idx').on(t.runAt).where(sql`${t.state} = 'queued'`),
    index('core_jobs_lease_idx').on(t.lockedUntil).where(sql`${t.state} = 'running'`),
  ],
);

export const schedules = pgTable('core_schedules', {
  name: text('name').primaryKey(),
  cron: text('cron').notNull(),
  /** The next occurrence not yet turned into a job; everything before it has been enqueued. */
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
