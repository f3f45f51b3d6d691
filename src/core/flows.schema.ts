import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const flowStates = ['running', 'compensating', 'done', 'compensated', 'failed'] as const;

/**
 * One run of a flow (src/core/flows.ts): where it is, what each finished step returned, and the
 * lease of the process driving it, so another process resumes it after a crash.
 */
export const flows = pgTable(
  'core_flows',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    /** What started it, once: a second start with the same name and key finds this run. */
    key: text('key').notNull(),
    state: text('state', { enum: flowStates }).notNull(),
    input: jsonb('input').notNull(),
    /** The index of the next step to run, or while compensating, of the last step left to undo + 1. */
    step: integer('step').notNull().default(0),
    /** Each finished step's output, by step name. */
    outputs: jsonb('outputs').notNull().default({}),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('core_flows_name_key').on(t.name, t.key),
    index('core_flows_due_idx').on(t.nextRunAt).where(sql`${t.state} IN ('running', 'compensating')`),
  ],
);
