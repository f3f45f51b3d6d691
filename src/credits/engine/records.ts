import { sql } from 'drizzle-orm';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { notFound } from '../../core/errors';
import { isUuid } from '../../core/ids';
import type { ReservationState } from '../schema';
import type { Reservation, Usage } from './spending';

/** How usages and reservations are stored: their rows, and the statements that read and write them. */

/** One pending ledger transfer of a reservation. */
export interface Hold {
  grantId: string;
  transferId: string;
  amount: bigint;
}

export interface StoredReservation extends Reservation {
  holds: Hold[];
}

export async function lockReservation(tx: Db, userId: string, id: string): Promise<StoredReservation> {
  const [row] = isUuid(id)
    ? await queryRows<ReservationRow>(
        tx,
        sql`SELECT ${reservationColumns} FROM credits_reservations
            WHERE id = ${id} AND user_id = ${userId} FOR UPDATE`,
      )
    : [];
  if (!row) throw notFound('reservation', { id });
  return toStoredReservation(row);
}

export async function finishReservation(
  tx: Db,
  id: string,
  state: ReservationState,
  usedAmount: bigint,
  at: Date,
): Promise<void> {
  await tx.execute(
    sql`UPDATE credits_reservations SET state = ${state}, used_amount = ${usedAmount.toString()}, finished_at = ${at}
        WHERE id = ${id}`,
  );
}

export async function insertUsage(tx: Db, usage: Usage, key: string | null): Promise<void> {
  const paidBy = usage.paidBy.map((p) => ({ grantId: p.grantId, amount: p.amount.toString() }));
  await tx.execute(
    sql`INSERT INTO credits_usages (id, user_id, workspace_id, used_for, action, amount, is_reserved, reservation_id,
          paid_by, idempotency_key, used_at)
        VALUES (${usage.id}, ${usage.userId}, ${usage.workspaceId}, ${usage.usedFor}, ${usage.action},
          ${usage.amount.toString()}, ${usage.isReserved}, ${usage.reservationId}, ${JSON.stringify(paidBy)}::jsonb,
          ${key}, ${usage.usedAt})`,
  );
}

export async function insertReservation(tx: Db, r: StoredReservation, key: string | null): Promise<void> {
  const holds = r.holds.map((h) => ({
    grantId: h.grantId,
    transferId: h.transferId,
    amount: h.amount.toString(),
  }));
  await tx.execute(
    sql`INSERT INTO credits_reservations (id, user_id, workspace_id, reserved_for, action, amount, used_amount, state,
          holds, idempotency_key, expires_at, created_at)
        VALUES (${r.id}, ${r.userId}, ${r.workspaceId}, ${r.reservedFor}, ${r.action}, ${r.amount.toString()}, 0,
          'active', ${JSON.stringify(holds)}::jsonb, ${key}, ${r.expiresAt}, ${r.createdAt})`,
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

export async function findReservationByKey(
  tx: Db,
  userId: string,
  key: string,
): Promise<StoredReservation | null> {
  const [row] = await queryRows<ReservationRow>(
    tx,
    sql`SELECT ${reservationColumns} FROM credits_reservations WHERE user_id = ${userId} AND idempotency_key = ${key}`,
  );
  return row ? toStoredReservation(row) : null;
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
  holds: { grantId: string; transferId: string; amount: string }[];
  expires_at: string | null;
  created_at: string;
  finished_at: string | null;
}

export const reservationColumns = sql.raw(
  'id, user_id, workspace_id, reserved_for, action, amount::text, used_amount::text, state, holds, ' +
    'expires_at::text, created_at::text, finished_at::text',
);

export const toStoredReservation = (row: ReservationRow): StoredReservation => ({
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
  holds: row.holds.map((h) => ({ grantId: h.grantId, transferId: h.transferId, amount: BigInt(h.amount) })),
});

export const toReservation = (row: ReservationRow): Reservation =>
  publicReservation(toStoredReservation(row));

export function publicReservation({ holds: _holds, ...reservation }: StoredReservation): Reservation {
  return reservation;
}
