import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { isUuid } from '../../core/ids';

/**
 * Locks the `credits_customers` rows of these people for the rest of the transaction, creating any
 * that is missing (as a generic customer). Every change that takes credits out of a person's grants
 * holds this lock, so their spending is serialised: an allocation computed under it stays true until
 * commit, and a retried request sees the first one's result.
 *
 * Several rows are locked in user-id order, as every caller does, so two transactions never wait on
 * each other in a circle.
 */
export async function lockCustomers(tx: Db, clock: Clock, userIds: readonly string[]): Promise<void> {
  const ids = [...new Set(userIds.map((id) => id.toLowerCase()))].sort();
  for (const id of ids) {
    if (!isUuid(id)) throw new AppError('validation_failed', `user id "${id}" is not a UUID`);
  }
  // The common case is one known person: one statement.
  if (ids.length === 1 && (await lockRows(tx, ids)) === 1) return;
  const now = clock.now();
  await tx.execute(
    sql`INSERT INTO credits_customers (user_id, type, created_at, updated_at)
        SELECT id, 'generic', ${now}, ${now} FROM unnest(${sql.param(ids)}::uuid[]) WITH ORDINALITY AS u(id, n)
        ORDER BY n
        ON CONFLICT (user_id) DO NOTHING`,
  );
  const locked = await lockRows(tx, ids);
  if (locked !== ids.length) throw new AppError('internal', 'a credits customer row could not be locked');
}

async function lockRows(tx: Db, ids: readonly string[]): Promise<number> {
  const rows = await queryRows<{ user_id: string }>(
    tx,
    sql`SELECT user_id FROM credits_customers WHERE user_id = ANY(${sql.param(ids)}::uuid[])
        ORDER BY user_id FOR UPDATE`,
  );
  return rows.length;
}
