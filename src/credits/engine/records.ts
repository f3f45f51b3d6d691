import { type SQL, sql } from 'drizzle-orm';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { isUuid } from '../../core/ids';
import { type Hold, holdFromJson, holdJson } from '../../ledger/holds';
import type { ReservationState } from '../schema';
import type { Reservation, Usage } from './spending';

/** How usages and reservations are stored: their rows, and the statements that read and write them. */

/** A person's reservation as it stands at `now`; null for anyone else's. */
export async function findReservation(
  tx: Db,
  userId: string,
  id: string,
  now: Date,
): Promise<Reservation | null> {
  const [row] = await queryRows<ReservationRow>(
    tx,
    sql`SELECT ${reservationColumnsAt(now)} FROM credits_reservations WHERE id = ${id} AND user_id = ${userId}`,
  );
  return row ? toReservation(row) : null;
}

/** Any person's reservation by its id alone, as it stands at `now` (the caller decides who may see it). */
export async function findReservationById(tx: Db, id: string, now: Date): Promise<Reservation | null> {
  if (!isUuid(id)) return null;
  const [row] = await queryRows<ReservationRow>(
    tx,
    sql`SELECT ${reservationColumnsAt(now)} FROM credits_reservations WHERE id = ${id}`,
  );
  return row ? toReservation(row) : null;
}

export async function findUsage(tx: Db, userId: string, id: string): Promise<Usage | null> {
  const [row] = await queryRows<UsageRow>(
    tx,
    sql`SELECT ${usageColumns} FROM credits_usages WHERE id = ${id} AND user_id = ${userId}`,
  );
  return row ? toUsage(row) : null;
}

/** How a use or a release ends a reservation. */
export interface Finish {
  id: string;
  state: ReservationState;
  usedAmount: bigint;
  at: Date;
}

/** The statement that ends these reservations; null for none. */
export function finishReservations(finishes: readonly Finish[]): SQL | null {
  if (finishes.length === 0) return null;
  return sql`UPDATE credits_reservations AS r SET state = u.state, used_amount = u.used_amount, finished_at = u.at
        FROM unnest(${sql.param(finishes.map((f) => f.id))}::uuid[], ${sql.param(finishes.map((f) => f.state))}::text[],
          ${sql.param(finishes.map((f) => f.usedAmount.toString()))}::numeric[],
          ${sql.param(finishes.map((f) => f.at.toISOString()))}::timestamptz[]) AS u(id, state, used_amount, at)
        WHERE r.id = u.id`;
}

/** The statement that inserts usages, with the idempotency key each was made under (null: none). */
export function insertUsages(rows: readonly { usage: Usage; key: string | null }[]): SQL | null {
  if (rows.length === 0) return null;
  const column = <T>(pick: (u: Usage, key: string | null) => T) =>
    sql.param(rows.map((r) => pick(r.usage, r.key)));
  return sql`INSERT INTO credits_usages (id, user_id, workspace_id, used_for, action, amount, is_reserved, reservation_id,
          paid_by, idempotency_key, used_at)
        SELECT * FROM unnest(${column((u) => u.id)}::uuid[], ${column((u) => u.userId)}::uuid[],
          ${column((u) => u.workspaceId)}::uuid[], ${column((u) => u.usedFor)}::text[], ${column((u) => u.action)}::text[],
          ${column((u) => u.amount.toString())}::numeric[], ${column((u) => u.isReserved)}::boolean[],
          ${column((u) => u.reservationId)}::uuid[],
          ${column((u) => JSON.stringify(u.paidBy.map((p) => ({ grantId: p.grantId, amount: p.amount.toString() }))))}::jsonb[],
          ${column((_u, key) => key)}::text[], ${column((u) => u.usedAt.toISOString())}::timestamptz[])`;
}

/** The statement that inserts reservations with their keys; a reservation's hold is the ledger hold with its id. */
export function insertReservations(
  rows: readonly { reservation: Reservation; key: string | null }[],
): SQL | null {
  if (rows.length === 0) return null;
  const column = <T>(pick: (r: Reservation, key: string | null) => T) =>
    sql.param(rows.map((row) => pick(row.reservation, row.key)));
  return sql`INSERT INTO credits_reservations (id, user_id, workspace_id, reserved_for, action, amount, used_amount, state,
          idempotency_key, expires_at, created_at)
        SELECT id, user_id, workspace_id, reserved_for, action, amount, 0, 'active', idempotency_key, expires_at, created_at
        FROM unnest(${column((r) => r.id)}::uuid[], ${column((r) => r.userId)}::uuid[],
          ${column((r) => r.workspaceId)}::uuid[], ${column((r) => r.reservedFor)}::text[], ${column((r) => r.action)}::text[],
          ${column((r) => r.amount.toString())}::numeric[], ${column((_r, key) => key)}::text[],
          ${column((r) => r.expiresAt?.toISOString() ?? null)}::timestamptz[],
          ${column((r) => r.createdAt.toISOString())}::timestamptz[])
          AS u(id, user_id, workspace_id, reserved_for, action, amount, idempotency_key, expires_at, created_at)`;
}

/** A reservation and its hold in the ledger (none for one finished before holds were the ledger's). */
export interface LockedReservation {
  reservation: Reservation;
  hold: Hold | null;
}

/** Reservations locked for the rest of the transaction, with their holds, by id: one query. */
export async function lockReservations(
  tx: Db,
  ids: readonly string[],
): Promise<Map<string, LockedReservation>> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return new Map();
  const rows = await queryRows<ReservationRow & { hold: unknown }>(
    tx,
    sql`SELECT ${reservationColumns}, ${holdJson('credits_reservations.id')} AS hold
        FROM credits_reservations WHERE id = ANY(${sql.param(valid)}::uuid[])
        ORDER BY id FOR UPDATE`,
  );
  return new Map(
    rows.map((row) => [row.id, { reservation: toReservation(row), hold: holdFromJson(row.hold) }]),
  );
}

export async function findUsageByKey(tx: Db, userId: string, key: string): Promise<Usage | null> {
  const [row] = await queryRows<UsageRow>(
    tx,
    sql`SELECT ${usageColumns} FROM credits_usages WHERE user_id = ${userId} AND idempotency_key = ${key}`,
  );
  return row ? toUsage(row) : null;
}

/** One person's usages recorded under any of these idempotency keys, oldest first. */
export async function findUsagesByKeys(tx: Db, userId: string, keys: readonly string[]): Promise<Usage[]> {
  if (keys.length === 0) return [];
  const rows = await queryRows<UsageRow>(
    tx,
    sql`SELECT ${usageColumns} FROM credits_usages
        WHERE user_id = ${userId} AND idempotency_key IN (${sql.join(
          keys.map((key) => sql`${key}`),
          sql`, `,
        )})
        ORDER BY used_at, id`,
  );
  return rows.map(toUsage);
}

export interface UsageRow {
  id: string;
  user_id: string;
  workspace_id: string | null;
  used_for: string;
  action: string | null;
  amount: string;
  is_reserved: boolean;
  reservation_id: string | null;
  reserved_for: string | null;
  paid_by: { grantId: string; amount: string }[];
  used_at: string;
}

/** Read from credits_usages; a reserved use shows what its credits were reserved for. */
export const usageColumns = sql.raw(
  'id, user_id, workspace_id, used_for, action, amount::text, is_reserved, reservation_id, paid_by, used_at::text, ' +
    '(SELECT r.reserved_for FROM credits_reservations r WHERE r.id = credits_usages.reservation_id) AS reserved_for',
);

export const toUsage = (row: UsageRow): Usage => ({
  id: row.id,
  userId: row.user_id,
  workspaceId: row.workspace_id,
  usedFor: row.used_for,
  action: row.action,
  amount: BigInt(row.amount),
  isReserved: row.is_reserved,
  reservationId: row.reservation_id,
  reservedFor: row.reserved_for,
  paidBy: row.paid_by.map((p) => ({ grantId: p.grantId, amount: BigInt(p.amount) })),
  usedAt: parseTimestamp(row.used_at),
});

export interface ReservationRow {
  id: string;
  user_id: string;
  workspace_id: string | null;
  reserved_for: string;
  action: string | null;
  amount: string;
  used_amount: string;
  state: ReservationState;
  expires_at: string | null;
  created_at: string;
  finished_at: string | null;
}

/** As stored: what the sweep and the locking writers read. */
export const reservationColumns = sql.raw(
  'id, user_id, workspace_id, reserved_for, action, amount::text, used_amount::text, state, ' +
    'expires_at::text, created_at::text, finished_at::text',
);

/** An active reservation past its expiry, as of `now`, whether or not the sweep has marked it. */
export const lapsedAt = (now: Date): SQL =>
  sql`(state = 'active' AND expires_at IS NOT NULL AND expires_at <= ${now})`;

/** As a reader sees it at `now`: one past its expiry reads expired, finished at its expiry, swept or not. */
export const reservationColumnsAt = (now: Date): SQL =>
  sql`id, user_id, workspace_id, reserved_for, action, amount::text, used_amount::text,
    CASE WHEN ${lapsedAt(now)} THEN 'expired' ELSE state END AS state, expires_at::text, created_at::text,
    CASE WHEN ${lapsedAt(now)} THEN expires_at::text ELSE finished_at::text END AS finished_at`;

export const toReservation = (row: ReservationRow): Reservation => ({
  id: row.id,
  userId: row.user_id,
  workspaceId: row.workspace_id,
  reservedFor: row.reserved_for,
  action: row.action,
  amount: BigInt(row.amount),
  usedAmount: BigInt(row.used_amount),
  state: row.state,
  expiresAt: row.expires_at ? parseTimestamp(row.expires_at) : null,
  createdAt: parseTimestamp(row.created_at),
  finishedAt: row.finished_at ? parseTimestamp(row.finished_at) : null,
});
