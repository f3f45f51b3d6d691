import { type SQL, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../actor';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid } from '../ids';
import { idFromCursor, type Page, pageLimit, pageOf } from '../paging';
import type { mailStates, StoredAttachment } from './schema';
import type { TransportName } from './transport';

/**
 * The Mailbox: the mail Tally sent, readable in the web app. It is the developer's mail catcher when no
 * SMTP server is configured; with one, it is the operator's record of what went out.
 */

export interface MailboxDeps {
  db: Db;
  /** True when no SMTP server is configured, so the Mailbox is where mail is delivered. */
  mailboxEnabled: boolean;
  /**
   * True on a developer's own machine (no SMTP, listening on loopback only): the Mailbox is then a
   * mail catcher anyone at the machine reads, signed in or not, so a first sign-up can follow the
   * link that confirms it.
   */
  openToVisitors: boolean;
}

export type MailState = (typeof mailStates)[number];

export interface MailSummary {
  id: string;
  to: string;
  userId: string | null;
  subject: string;
  template: string;
  state: MailState;
  transport: TransportName | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface MailMessage extends MailSummary {
  text: string;
  html: string | null;
  /** The files it carries, by name; each is read on its own (`getMailAttachment`). */
  attachments: { name: string; contentType: string; size: number }[];
}

export interface MailboxFilter {
  /** Only mail to this address. */
  to?: string;
  cursor?: string;
  limit?: number;
}

interface MailRow {
  id: string;
  to_address: string;
  user_id: string | null;
  subject: string;
  template: string;
  state: MailState;
  transport: TransportName | null;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  text?: string;
  html?: string | null;
  attachments?: StoredAttachment[] | null;
}

const SUMMARY_COLUMNS = sql`id, to_address, user_id, subject, template, state, transport, attempts, last_error,
  created_at::text AS created_at, sent_at::text AS sent_at`;

/** Messages newest first, paged; an administrator sees all, a person the mail addressed to them. */
export async function listMailbox(
  deps: MailboxDeps,
  actor: Actor,
  filter: MailboxFilter = {},
): Promise<Page<MailSummary>> {
  const readable = await readableMail(deps, actor);
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const conditions: SQL[] = [readable];
  if (filter.to) conditions.push(sql`to_address = ${filter.to.toLowerCase()}`);
  if (before) conditions.push(sql`id < ${before}`);
  const rows = await queryRows<MailRow>(
    deps.db,
    sql`SELECT ${SUMMARY_COLUMNS} FROM core_mail_messages
        WHERE ${sql.join(conditions, sql` AND `)} ORDER BY id DESC LIMIT ${limit + 1}`,
  );
  return pageOf(rows.map(toSummary), limit, (message) => ({ id: message.id }));
}

/** One message with its body; a message the actor may not read is "not found", so its existence does not leak. */
export async function getMailMessage(deps: MailboxDeps, actor: Actor, id: string): Promise<MailMessage> {
  const readable = await readableMail(deps, actor);
  if (!isUuid(id)) throw notFound('message', { id });
  const [row] = await queryRows<MailRow>(
    deps.db,
    sql`SELECT ${SUMMARY_COLUMNS}, text, html, attachments FROM core_mail_messages WHERE id = ${id} AND ${readable}`,
  );
  if (!row) throw notFound('message', { id });
  return {
    ...toSummary(row),
    text: row.text ?? '',
    html: row.html ?? null,
    attachments: (row.attachments ?? []).map((file) => ({
      name: file.name,
      contentType: file.content_type,
      size: Buffer.byteLength(file.base64, 'base64'),
    })),
  };
}

/** A file a message carries (its position among them, from 0), for whoever may read the message. */
export async function getMailAttachment(
  deps: MailboxDeps,
  actor: Actor,
  id: string,
  index: number,
): Promise<{ name: string; contentType: string; bytes: Buffer }> {
  const readable = await readableMail(deps, actor);
  if (!isUuid(id)) throw notFound('message', { id });
  const [row] = await queryRows<{ attachments: StoredAttachment[] | null }>(
    deps.db,
    sql`SELECT attachments FROM core_mail_messages WHERE id = ${id} AND ${readable}`,
  );
  if (!row) throw notFound('message', { id });
  const file = row.attachments?.[index];
  if (!file) throw notFound('attachment', { id, index });
  return { name: file.name, contentType: file.content_type, bytes: Buffer.from(file.base64, 'base64') };
}

/**
 * The condition on core_mail_messages that selects what `actor` may read. With real SMTP a person gets
 * their mail in their inbox and not here: an address is only proven by reading what is sent to it, and
 * serving a copy to whoever signed up with that address would let them read, say, the link that
 * verifies it. Without SMTP (development) the Mailbox is the inbox, which is its whole point.
 */
async function readableMail(deps: MailboxDeps, actor: Actor): Promise<SQL> {
  // Mail carries sign-in, reset and invitation links: a machine client's key has no business reading it.
  if (actor.apiKeyId)
    throw new AppError('forbidden', 'the Mailbox is read in a signed-in session, not with an API key');
  if (deps.mailboxEnabled && deps.openToVisitors) return sql`TRUE`;
  const userId = requireUser(actor);
  if (actor.isAdmin) return sql`TRUE`;
  if (!deps.mailboxEnabled) {
    throw new AppError('forbidden', 'mail is sent by SMTP: read it in your own inbox');
  }
  const [person] = await queryRows<{ email: string | null }>(
    deps.db,
    sql`SELECT email FROM core_users WHERE id = ${userId}`,
  );
  return person?.email ? sql`to_address = ${person.email}` : sql`FALSE`;
}

const toSummary = (row: MailRow): MailSummary => ({
  id: row.id,
  to: row.to_address,
  userId: row.user_id,
  subject: row.subject,
  template: row.template,
  state: row.state,
  transport: row.transport,
  attempts: row.attempts,
  lastError: row.last_error,
  createdAt: parseTimestamp(row.created_at),
  sentAt: row.sent_at === null ? null : parseTimestamp(row.sent_at),
});
