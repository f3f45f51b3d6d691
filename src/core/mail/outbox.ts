import { sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import { type Db, queryRows } from '../database';
import { AppError } from '../errors';
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
  /** Files sent with it; together at most `MAIL_ATTACHMENTS_MAX_BYTES`. */
  attachments?: readonly MailAttachment[];
}

export interface MailAttachment {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** What a mail may carry in all: what mail servers commonly accept, with room for the encoding. */
export const MAIL_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Queues a mail in the caller's transaction (the outbox): it exists if and only if the change that
 * causes it commits, and a job delivers it afterwards. Returns the message id, or null when a mail
 * with the same dedupe key was queued before.
 */
export async function queueMail(tx: Db, clock: Clock, mail: MailInput): Promise<string | null> {
  const id = newId();
  const attachments = mail.attachments ?? [];
  const size = attachments.reduce((sum, file) => sum + file.bytes.length, 0);
  if (size > MAIL_ATTACHMENTS_MAX_BYTES)
    throw new AppError(
      'payload_too_large',
      `a mail carries at most ${MAIL_ATTACHMENTS_MAX_BYTES} bytes of files`,
    );
  const stored =
    attachments.length === 0
      ? null
      : JSON.stringify(
          attachments.map((file) => ({
            name: file.name,
            content_type: file.contentType,
            base64: file.bytes.toString('base64'),
          })),
        );
  const inserted = await queryRows<{ id: string }>(
    tx,
    sql`INSERT INTO core_mail_messages (id, to_address, user_id, subject, text, html, attachments, template, dedupe_key, state, created_at)
        VALUES (${id}, ${mail.to.toLowerCase()}, ${mail.userId ?? null}, ${mail.subject}, ${mail.text}, ${mail.html ?? null},
          ${stored}::jsonb, ${mail.template}, ${mail.dedupeKey ?? null}, 'queued', ${clock.now()})
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
