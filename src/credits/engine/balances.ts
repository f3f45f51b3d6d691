import { type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { type Page, type PageRequest, pageLimit, pageOf, timeFromCursor } from '../../core/paging';
import { type ReservationState, reservationStates } from '../schema';
import { grantsInScope, grantUnexpired } from './burn-order';
import { requireUuid } from './inputs';
import {
  lapsedAt,
  type ReservationRow,
  reservationColumnsAt,
  toReservation,
  toUsage,
  type UsageRow,
  usageColumns,
} from './records';
import type { Reservation, SpendScope, Usage } from './spending';

/**
 * A scope's balance, read from the ledger accounts of the grants that pay in it (a workspace's own
 * and the person's pool; without a workspace, the pool alone) and have not expired by now:
 *
 * - total: the credits granted to those grants (each grant account's credits);
 * - used: what has left them for good (their posted debits): charges, used reservations, negative
 *   adjustments, and for a reseller the credits handed out to its customers' grants;
 * - reserved: what active reservations hold on them (their pending debits), less holds whose
 *   reservation has passed its expiry and only waits for the sweep;
 * - available = total - used - reserved: what a spend can take right now.
 *
 * An expired grant leaves all four at once, so a new refill cycle starts from its own grant; a hold
 * still standing on an expired grant can be used, but counts in no balance.
 */
export interface Balance {
  total: bigint;
  used: bigint;
  reserved: bigint;
  available: bigint;
  /** When the person's latest refill cycle began. */
  refilledAt: Date | null;
  /** When the person's next refill is due (the earliest over their holdings). */
  nextRefillAt: Date | null;
}

export async function getBalance(db: Db, clock: Clock, scope: SpendScope): Promise<Balance> {
  requireUuid(scope.userId, 'userId');
  if (scope.workspaceId) requireUuid(scope.workspaceId, 'workspaceId');
  const now = clock.now();
  const [row] = await queryRows<{
    total: string;
    used: string;
    reserved: string;
    lapsed: string;
    refilled_at: string | null;
    next_refill_at: string | null;
  }>(
    db,
    sql`WITH scoped AS (
          SELECT g.id, a.credits_posted, a.debits_posted, a.debits_pending
          FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
          WHERE ${grantsInScope(scope)} AND ${grantUnexpired(now)})
        SELECT
          (SELECT coalesce(sum(credits_posted), 0)::text FROM scoped) AS total,
          (SELECT coalesce(sum(debits_posted), 0)::text FROM scoped) AS used,
          (SELECT coalesce(sum(debits_pending), 0)::text FROM scoped) AS reserved,
          (SELECT coalesce(sum(t.amount), 0)::text FROM ledger_transfers t
             WHERE t.pending_state = 'pending' AND t.expires_at <= ${now}
               AND t.debit_account_id IN (SELECT id FROM scoped)) AS lapsed,
          (SELECT max(refilled_at)::text FROM credits_holdings
             WHERE user_id = ${scope.userId} AND active) AS refilled_at,
          (SELECT min(next_refill_at)::text FROM credits_holdings
             WHERE user_id = ${scope.userId} AND active) AS next_refill_at`,
  );
  if (!row) throw new AppError('internal', 'the balance query returned nothing');
  const total = BigInt(row.total);
  const used = BigInt(row.used);
  const reserved = BigInt(row.reserved) - BigInt(row.lapsed);
  return {
    total,
    used,
    reserved,
    available: total - used - reserved,
    refilledAt: row.refilled_at ? parseTimestamp(row.refilled_at) : null,
    nextRefillAt: row.next_refill_at ? parseTimestamp(row.next_refill_at) : null,
  };
}

/**
 * History filters. Unlike spending, a listing without a workspace covers all of the person's
 * records; with one, that workspace's only.
 */
export interface UsageFilter extends SpendScope {
  action?: string;
  /** Part of the purpose, in any case: `post` finds `Post:7f3c` and `repost`. */
  usedFor?: string;
  from?: Date;
  to?: Date;
  reservedOnly?: boolean;
  /** Only the usages this grant paid for, in whole or in part. */
  grantId?: string;
}

/** A person's usages, newest first. */
export async function listUsages(db: Db, filter: UsageFilter, page: PageRequest = {}): Promise<Page<Usage>> {
  const conditions = historyScope(filter);
  if (filter.action !== undefined) conditions.push(sql`action = ${filter.action}`);
  if (filter.usedFor !== undefined) {
    conditions.push(sql`used_for ILIKE ${`%${escapeLike(filter.usedFor)}%`} ESCAPE '\\'`);
  }
  if (filter.from) conditions.push(sql`used_at >= ${filter.from}`);
  if (filter.to) conditions.push(sql`used_at < ${filter.to}`);
  if (filter.reservedOnly) conditions.push(sql`is_reserved`);
  if (filter.grantId !== undefined) {
    conditions.push(
      sql`paid_by @> ${JSON.stringify([{ grantId: requireUuid(filter.grantId, 'grantId') }])}::jsonb`,
    );
  }
  const limit = pageLimit(page.limit);
  const cursor = timeFromCursor(page.cursor);
  if (cursor) conditions.push(sql`(used_at, id) < (${cursor.at}, ${cursor.id})`);
  const rows = await queryRows<UsageRow>(
    db,
    sql`SELECT ${usageColumns} FROM credits_usages WHERE ${sql.join(conditions, sql` AND `)}
        ORDER BY used_at DESC, id DESC LIMIT ${limit + 1}`,
  );
  return pageOf(rows.map(toUsage), limit, (u) => ({ at: u.usedAt, id: u.id }));
}

/** One usage, whoever's it is: the caller decides who may read it. */
export async function getUsage(db: Db, id: string): Promise<Usage | null> {
  const [row] = await queryRows<UsageRow>(
    db,
    sql`SELECT ${usageColumns} FROM credits_usages WHERE id = ${requireUuid(id, 'id')}`,
  );
  return row ? toUsage(row) : null;
}

export interface UsageBucket {
  bucket: Date;
  /** The usage's action; `other` for usages recorded without one. */
  action: string;
  amount: bigint;
}

/** Credits used per time bucket (UTC) and action, in [from, to): the dashboard's chart. */
export async function usageByAction(
  db: Db,
  scope: SpendScope,
  range: { from: Date; to: Date; bucket: 'day' | 'hour' },
): Promise<UsageBucket[]> {
  if (range.bucket !== 'day' && range.bucket !== 'hour') {
    throw new AppError('validation_failed', 'bucket must be day or hour');
  }
  const conditions = historyScope(scope);
  conditions.push(sql`used_at >= ${range.from}`, sql`used_at < ${range.to}`);
  const rows = await queryRows<{ bucket: string; action: string; amount: string }>(
    db,
    sql`SELECT (extract(epoch FROM date_trunc(${range.bucket}, used_at, 'UTC')) * 1000)::bigint::text AS bucket,
          coalesce(action, 'other') AS action, sum(amount)::text AS amount
        FROM credits_usages WHERE ${sql.join(conditions, sql` AND `)}
        GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows.map((r) => ({
    bucket: new Date(Number(r.bucket)),
    action: r.action,
    amount: BigInt(r.amount),
  }));
}

export interface ReservationFilter extends SpendScope {
  state?: ReservationState;
}

/** A person's reservations as they stand now (one past its expiry is expired, swept or not), newest first. */
export async function listReservations(
  db: Db,
  clock: Clock,
  filter: ReservationFilter,
  page: PageRequest = {},
): Promise<Page<Reservation>> {
  const now = clock.now();
  const conditions = historyScope(filter);
  if (filter.state !== undefined) {
    if (!reservationStates.includes(filter.state)) {
      throw new AppError('validation_failed', `state must be one of ${reservationStates.join(', ')}`);
    }
    conditions.push(
      filter.state === 'active'
        ? sql`state = 'active' AND NOT ${lapsedAt(now)}`
        : filter.state === 'expired'
          ? sql`(state = 'expired' OR ${lapsedAt(now)})`
          : sql`state = ${filter.state}`,
    );
  }
  const limit = pageLimit(page.limit);
  const cursor = timeFromCursor(page.cursor);
  if (cursor) conditions.push(sql`(created_at, id) < (${cursor.at}, ${cursor.id})`);
  const rows = await queryRows<ReservationRow>(
    db,
    sql`SELECT ${reservationColumnsAt(now)} FROM credits_reservations WHERE ${sql.join(conditions, sql` AND `)}
        ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
  );
  return pageOf(rows.map(toReservation), limit, (r) => ({ at: r.createdAt, id: r.id }));
}

function historyScope(scope: SpendScope): SQL[] {
  const conditions = [sql`user_id = ${requireUuid(scope.userId, 'userId')}`];
  if (scope.workspaceId)
    conditions.push(sql`workspace_id = ${requireUuid(scope.workspaceId, 'workspaceId')}`);
  return conditions;
}

/** The text as itself in a LIKE pattern: its `%`, `_` and `\` match only themselves. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
