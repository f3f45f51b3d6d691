import { sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import { type Db, queryRows } from '../database';
import { newId } from '../ids';
import { enqueueJob } from '../jobs';

export const DELIVER_MAIL_JOB = 'mail.deliver';

export interface MailInput {
  to: string;
  subject: string;
  text: string;
  html?: string;
  template: string;
  userId?: string | null;
  /** Same key, same mail: queued once per key, ever (e.g. `welcome:<userId>`). */
  dedupeKey?: string;
}

/**
 * Queues a mail in the caller's transaction (the outbox): it exists if and only if the change that
 * causes it commits, and a job delivers it afterwards. Returns the message id, or null when a mail
 * with the same dedupe key was queued before.
 */
export async function queueMail(tx: Db, clock: Clock, mail: MailInput): Promise<string | null> {
  const id = newId();
  const inserted = await queryRows<{ id: string }>(
    tx,
    sql`INSERT INTO core_mail_messages (id, to_address, user_id, subject, text, html, template, dedupe_key, state, created_at)
        VALUES (${id}, ${mail.to.toLowerCase()}, ${mail.userId ?? null}, ${mail.subject}, ${mail.text}, ${mail.html ?? null},
          ${mail.template}, ${mail.dedupeKey ?? null}, 'queued', ${clock.now()})
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id`,
  );
  if (inserted.length === 0) return null;
  await enqueueJob(
    tx,
    clock,
    DELIVER_MAIL_JOB,
    { messageId: id },
    { uniqueKey: `${DELIVER_MAIL_JOB}:${id}` },
  );
  return id;
}
