import { type SQL, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../actor';
import { recordAudit } from '../audit/service';
import type { Clock } from '../clock';
import { type Db, inSlices, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid, newId } from '../ids';
import { queueMails } from '../mail/outbox';
import { action, oneLine, paragraph, renderMail, subject } from '../mail/template';
import { idFromCursor, type Page, pageLimit, pageOf } from '../paging';
import {
  isNotificationChannel,
  type NotificationChannel,
  type NotificationTypes,
  reachesEmail,
  reachesInApp,
} from './registry';

export interface NotificationDeps {
  db: Db;
  clock: Clock;
  /** The types this Tally's lines send. */
  types: NotificationTypes;
}

/** What sending a notification needs besides the caller's transaction. */
export interface Notifier {
  clock: Clock;
  types: NotificationTypes;
  /** Turns a path link into one that works from a mail. */
  publicUrl?: string;
  /**
   * Mail in someone else's name (a reseller's customers hear from its brand, at its domain): the
   * From (a `fromMailbox`) and the name the mail's link opens, instead of Tally's.
   */
  sender?: { from: string; name: string };
}

/** Both are among the core's scopes (src/core/auth/api-keys.ts). */

export interface NotifyInput {
  userId: string;
  type: string;
  title: string;
  body?: string;
  /** A path in the web app (`/coop/orders/…`) or an absolute URL. */
  link?: string;
  data?: Record<string, unknown>;
  /** Once per person per key: the same event never notifies one person twice (e.g. `order_ready:<orderId>`). */
  dedupeKey?: string;
}

export interface NotifyResult {
  channel: NotificationChannel;
  /** Null when the channel skips the app, or the dedupe key was used before. */
  notificationId: string | null;
  /** Null when the channel skips email, the person has no address, or the dedupe key was used before. */
  mailId: string | null;
}

/**
 * Notifies a person in the caller's transaction, by the channel they chose for the type (or its
 * default): the in-app row and the queued mail exist exactly when the change that causes them commits.
 * `publicUrl` turns a path link into one that works from a mail.
 */
export async function notify(tx: Db, notifier: Notifier, input: NotifyInput): Promise<NotifyResult> {
  const [result] = await notifyAll(tx, notifier, [input]);
  return result!;
}

/**
 * Notifies many people at once (every household of a club), each by their own channel, in a fixed
 * number of statements whatever their number: their addresses and settings, the in-app rows, the
 * mails and their delivery jobs. Results come in the order of `inputs`.
 */
export async function notifyAll(
  tx: Db,
  { clock, types, publicUrl, sender }: Notifier,
  inputs: readonly NotifyInput[],
): Promise<NotifyResult[]> {
  if (inputs.length === 0) return [];
  for (const input of inputs) if (!isUuid(input.userId)) throw notFound('person', { userId: input.userId });
  const userIds = [...new Set(inputs.map((input) => input.userId))];
  const typeNames = [...new Set(inputs.map((input) => input.type))];
  const people = await queryRows<{
    id: string;
    email: string | null;
    type: string | null;
    channel: NotificationChannel | null;
  }>(
    tx,
    sql`SELECT u.id, u.email, s.type, s.channel FROM core_users u
        LEFT JOIN core_notification_settings s ON s.user_id = u.id AND s.type = ANY(${sql.param(typeNames)}::text[])
        WHERE u.id = ANY(${sql.param(userIds)}::uuid[])`,
  );
  const emails = new Map(people.map((p) => [p.id, p.email]));
  const chosen = new Map(people.filter((p) => p.type !== null).map((p) => [`${p.id}|${p.type}`, p.channel!]));
  const now = clock.now();
  const planned = inputs.map((input) => {
    if (!emails.has(input.userId)) throw notFound('person', { userId: input.userId });
    const channel = chosen.get(`${input.userId}|${input.type}`) ?? types.defaultChannelOf(input.type);
    // The unique keys are global; scoping them by person lets one event notify many people once each.
    const dedupeKey = input.dedupeKey === undefined ? null : `${input.userId}:${input.dedupeKey}`;
    return { input, channel, dedupeKey, id: reachesInApp(channel) ? newId() : null };
  });

  const inApp = planned.filter((p) => p.id !== null);
  const inserted = new Set<string>();
  await inSlices(inApp, async (slice) => {
    const column = <T>(pick: (p: (typeof slice)[number]) => T) => sql.param(slice.map(pick));
    const made = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO core_notifications (id, user_id, type, title, body, link, data, dedupe_key, created_at)
          SELECT id, user_id, type, title, body, link, data::jsonb, dedupe_key, ${now}::timestamptz
          FROM unnest(${column((p) => p.id)}::uuid[], ${column((p) => p.input.userId)}::uuid[],
                      ${column((p) => p.input.type)}::text[], ${column((p) => p.input.title)}::text[],
                      ${column((p) => p.input.body ?? '')}::text[], ${column((p) => p.input.link ?? null)}::text[],
                      ${column((p) => JSON.stringify(p.input.data ?? {}))}::text[], ${column((p) => p.dedupeKey)}::text[])
            WITH ORDINALITY AS n(id, user_id, type, title, body, link, data, dedupe_key, position)
          ORDER BY position
          ON CONFLICT (dedupe_key) DO NOTHING
          RETURNING id`,
    );
    for (const row of made) inserted.add(row.id);
  });

  const byMail = planned.filter((p) => reachesEmail(p.channel) && emails.get(p.input.userId));
  const mailIds = await queueMails(
    tx,
    clock,
    byMail.map((p) => ({
      to: emails.get(p.input.userId)!,
      userId: p.input.userId,
      ...(sender ? { from: sender.from } : {}),
      ...notificationMail(p.input, publicUrl, sender?.name ?? 'Tally'),
      dedupeKey: p.dedupeKey === null ? undefined : `notification:${p.dedupeKey}`,
    })),
  );
  const mailOf = new Map(byMail.map((p, index) => [p, mailIds[index] ?? null]));
  return planned.map((p) => ({
    channel: p.channel,
    notificationId: p.id !== null && inserted.has(p.id) ? p.id : null,
    mailId: mailOf.get(p) ?? null,
  }));
}

function notificationMail(input: NotifyInput, publicUrl: string | undefined, appName: string) {
  const link =
    input.link && publicUrl && !/^https?:\/\//i.test(input.link)
      ? `${publicUrl}${input.link.startsWith('/') ? '' : '/'}${input.link}`
      : input.link;
  return renderMail('notification', {
    subject: subject`${input.title}`,
    blocks: [
      paragraph`${input.body || input.title}`,
      ...(link ? [action(`Open in ${oneLine(appName)}`, link)] : []),
      paragraph`You can choose which notifications reach you by email in your notification settings.`,
    ],
  });
}

export interface Notification {
  id: string;
  type: string;
  title: string;
  body: string;
  link: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
  readAt: Date | null;
}

interface NotificationRow {
  id: string;
  type: string;
  title: string;
  body: string;
  link: string | null;
  data: Record<string, unknown>;
  created_at: string;
  read_at: string | null;
}

const NOTIFICATION_COLUMNS = sql`id, type, title, body, link, data, created_at::text AS created_at,
  read_at::text AS read_at`;

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  type: row.type,
  title: row.title,
  body: row.body,
  link: row.link,
  data: row.data,
  createdAt: parseTimestamp(row.created_at),
  readAt: row.read_at === null ? null : parseTimestamp(row.read_at),
});

export interface NotificationFilter {
  unreadOnly?: boolean;
  cursor?: string;
  limit?: number;
}

/** The signed-in person's notifications, newest first, paged. */
export async function listNotifications(
  { db }: Pick<NotificationDeps, 'db'>,
  actor: Actor,
  filter: NotificationFilter = {},
): Promise<Page<Notification>> {
  const userId = requireUser(actor);
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const conditions: SQL[] = [sql`user_id = ${userId}`];
  if (filter.unreadOnly) conditions.push(sql`read_at IS NULL`);
  if (before) conditions.push(sql`id < ${before}`);
  const rows = await queryRows<NotificationRow>(
    db,
    sql`SELECT ${NOTIFICATION_COLUMNS} FROM core_notifications
        WHERE ${sql.join(conditions, sql` AND `)} ORDER BY id DESC LIMIT ${limit + 1}`,
  );
  return pageOf(rows.map(toNotification), limit, (notification) => ({ id: notification.id }));
}

export async function countUnreadNotifications(
  { db }: Pick<NotificationDeps, 'db'>,
  actor: Actor,
): Promise<number> {
  const userId = requireUser(actor);
  const [row] = await queryRows<{ unread: number }>(
    db,
    sql`SELECT count(*)::int AS unread FROM core_notifications WHERE user_id = ${userId} AND read_at IS NULL`,
  );
  return row?.unread ?? 0;
}

/**
 * Marks one of the person's notifications read (again: a no-op keeping the first time). Another
 * person's notification is "not found", not "forbidden": whether it exists is not theirs to learn.
 */
export async function markNotificationRead(
  { db, clock }: NotificationDeps,
  actor: Actor,
  id: string,
): Promise<Notification> {
  const userId = requireUser(actor);
  if (!isUuid(id)) throw notFound('notification', { id });
  return db.transaction(async (tx) => {
    const [row] = await queryRows<NotificationRow>(
      tx,
      sql`UPDATE core_notifications SET read_at = COALESCE(read_at, ${clock.now()})
          WHERE id = ${id} AND user_id = ${userId}
          RETURNING ${NOTIFICATION_COLUMNS}`,
    );
    if (!row) throw notFound('notification', { id });
    await recordAudit(tx, clock, actor, {
      action: 'notification.read',
      objectType: 'notification',
      objectId: id,
    });
    return toNotification(row);
  });
}

/** Marks every unread notification of the person read; returns how many it marked. */
export async function markAllNotificationsRead(
  { db, clock }: NotificationDeps,
  actor: Actor,
): Promise<number> {
  const userId = requireUser(actor);
  return db.transaction(async (tx) => {
    const marked = await queryRows<{ id: string }>(
      tx,
      sql`UPDATE core_notifications SET read_at = ${clock.now()}
          WHERE user_id = ${userId} AND read_at IS NULL RETURNING id`,
    );
    await recordAudit(tx, clock, actor, {
      action: 'notification.read_all',
      objectType: 'notification',
      details: { count: marked.length },
    });
    return marked.length;
  });
}

export interface NotificationSetting {
  type: string;
  label: string;
  /** Where this type goes for the person now: their choice, or the default. */
  channel: NotificationChannel;
  defaultChannel: NotificationChannel;
  /** True when the person chose the channel, false when it is the type's default. */
  chosen: boolean;
}

/** Every registered type with where it goes for the signed-in person. */
export async function getNotificationSettings(
  { db, types }: Pick<NotificationDeps, 'db' | 'types'>,
  actor: Actor,
): Promise<NotificationSetting[]> {
  const userId = requireUser(actor);
  const rows = await queryRows<{ type: string; channel: NotificationChannel }>(
    db,
    sql`SELECT type, channel FROM core_notification_settings WHERE user_id = ${userId}`,
  );
  const chosen = new Map(rows.map((row) => [row.type, row.channel]));
  return types.list().map((definition) => {
    const channel = chosen.get(definition.type);
    return {
      type: definition.type,
      label: definition.label,
      channel: channel ?? definition.defaultChannel,
      defaultChannel: definition.defaultChannel,
      chosen: channel !== undefined,
    };
  });
}

/** Sets where one registered type goes for the signed-in person. */
export async function updateNotificationSetting(
  { db, clock, types }: NotificationDeps,
  actor: Actor,
  input: { type: string; channel: string },
): Promise<NotificationSetting> {
  const userId = requireUser(actor);
  const { channel } = input;
  if (!isNotificationChannel(channel)) {
    throw new AppError('validation_failed', `channel: "${channel}" is not one of in_app, email, both, none`, {
      channel,
    });
  }
  const definition = types.find(input.type);
  if (!definition) throw notFound(`notification type "${input.type}"`);
  return db.transaction(async (tx) => {
    const [previous] = await queryRows<{ channel: NotificationChannel }>(
      tx,
      sql`SELECT channel FROM core_notification_settings WHERE user_id = ${userId} AND type = ${definition.type}
          FOR UPDATE`,
    );
    await tx.execute(sql`
      INSERT INTO core_notification_settings (user_id, type, channel, updated_at)
      VALUES (${userId}, ${definition.type}, ${channel}, ${clock.now()})
      ON CONFLICT (user_id, type) DO UPDATE SET channel = EXCLUDED.channel, updated_at = EXCLUDED.updated_at`);
    await recordAudit(tx, clock, actor, {
      action: 'notification_setting.update',
      objectType: 'notification_setting',
      objectId: definition.type,
      details: { channel, previous: previous?.channel ?? null },
    });
    return {
      type: definition.type,
      label: definition.label,
      channel,
      defaultChannel: definition.defaultChannel,
      chosen: true,
    };
  });
}
