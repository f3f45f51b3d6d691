import { sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import { type Db, inSlices, queryRows } from '../database';
import { AppError } from '../errors';
import { newId } from '../ids';

export const DELIVER_MAIL_JOB = 'mail.deliver';

export interface MailInput {
  to: string;
  /**
   * Who it is from, when not Tally's configured MAIL_FROM: a mailbox made by `fromMailbox`, so a
   * display name somebody typed can add no header.
   */
  from?: string;
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

/**
 * A From header's mailbox, `"Display Name" <address>` (RFC 5322 §3.4): the name is someone's own
 * words (a reseller's brand), so its line breaks and other control characters become spaces — a CR or
 * LF would start a header of its own — and its quotes and backslashes are escaped inside the quoted
 * string. The address is the caller's (Tally builds it from a verified domain) and is refused unless
 * it is a plain `local@domain`.
 */
export function fromMailbox(displayName: string, address: string): string {
  if (!/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/.test(address)) {
    throw new AppError('internal', `not a sender address: ${JSON.stringify(address)}`);
  }
  const name = displayName
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\"]/g, (c) => `\\${c}`);
  return name === '' ? address : `"${name}" <${address}>`;
}

/** What a mail may carry in all: what mail servers commonly accept, with room for the encoding. */
export const MAIL_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Queues a mail in the caller's transaction (the outbox): it exists if and only if the change that
 * causes it commits, and a job delivers it afterwards. Returns the message id, or null when a mail
 * with the same dedupe key was queued before.
 */
export async function queueMail(tx: Db, clock: Clock, mail: MailInput): Promise<string | null> {
  const [id] = await queueMails(tx, clock, [mail]);
  return id ?? null;
}

/**
 * Queues many mails in three statements, whatever their number (an order that opens tells every
 * household): the messages, then one delivery job for each that was new. Returns each mail's id in
 * the order given, null where its dedupe key was used before (or earlier in the same list).
 */
export async function queueMails(
  tx: Db,
  clock: Clock,
  mails: readonly MailInput[],
): Promise<(string | null)[]> {
  if (mails.length === 0) return [];
  const now = clock.now();
  const rows = mails.map((mail) => ({ id: newId(), mail, attachments: storedAttachments(mail) }));
  const inserted = new Set<string>();
  await inSlices(rows, async (slice) => {
    const part = <T>(pick: (row: (typeof rows)[number]) => T) => sql.param(slice.map(pick));
    const made = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO core_mail_messages (id, to_address, from_address, user_id, subject, text, html, attachments, template, dedupe_key, state, created_at)
          SELECT id, to_address, from_address, user_id, subject, text, html, attachments::jsonb, template, dedupe_key, 'queued', ${now}::timestamptz
          FROM unnest(${part((r) => r.id)}::uuid[], ${part((r) => r.mail.to.toLowerCase())}::text[],
                      ${part((r) => r.mail.from ?? null)}::text[],
                      ${part((r) => r.mail.userId ?? null)}::uuid[], ${part((r) => r.mail.subject)}::text[],
                      ${part((r) => r.mail.text)}::text[], ${part((r) => r.mail.html ?? null)}::text[],
                      ${part((r) => r.attachments)}::text[], ${part((r) => r.mail.template)}::text[],
                      ${part((r) => r.mail.dedupeKey ?? null)}::text[])
            WITH ORDINALITY AS m(id, to_address, from_address, user_id, subject, text, html, attachments, template, dedupe_key, n)
          ORDER BY n
          ON CONFLICT (dedupe_key) DO NOTHING
          RETURNING id`,
    );
    for (const row of made) inserted.add(row.id);
  });
  const queued = rows.filter((row) => inserted.has(row.id)).map((row) => row.id);
  await inSlices(queued, (ids) =>
    tx.execute(sql`
      INSERT INTO core_jobs (id, name, payload, state, run_at, attempts, max_attempts, unique_key, created_at)
      SELECT job_id, ${DELIVER_MAIL_JOB}, jsonb_build_object('messageId', message_id), 'queued', ${now}::timestamptz, 0,
        ${MAIL_DELIVERY_JOB_ATTEMPTS}, ${`${DELIVER_MAIL_JOB}:`} || message_id, ${now}::timestamptz
      FROM unnest(${sql.param(ids.map(() => newId()))}::uuid[], ${sql.param(ids)}::uuid[]) AS j(job_id, message_id)
      ON CONFLICT (unique_key) DO NOTHING`),
  );
  return rows.map((row) => (inserted.has(row.id) ? row.id : null));
}

/** A delivery job's own attempts; each failed send queues the next attempt as a job of its own. */
const MAIL_DELIVERY_JOB_ATTEMPTS = 10;

function storedAttachments(mail: MailInput): string | null {
  const attachments = mail.attachments ?? [];
  const size = attachments.reduce((sum, file) => sum + file.bytes.length, 0);
  if (size > MAIL_ATTACHMENTS_MAX_BYTES)
    throw new AppError(
      'payload_too_large',
      `a mail carries at most ${MAIL_ATTACHMENTS_MAX_BYTES} bytes of files`,
    );
  if (attachments.length === 0) return null;
  return JSON.stringify(
    attachments.map((file) => ({
      name: file.name,
      content_type: file.contentType,
      base64: file.bytes.toString('base64'),
    })),
  );
}
