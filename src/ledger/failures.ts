import { type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import { failuresOf } from './errors';
import type { TransferResultCode } from './types';

/**
 * The statement that remembers ids that failed for a transient reason: the engine's own, in its
 * batch's write, and `keepingFailures`'s after a rollback. An id stored as a transfer meanwhile, or
 * remembered already, is left as it is.
 */
export function failedTransfersInsert(
  failures: readonly { id: string; result: TransferResultCode }[],
  at: Date,
): SQL {
  return sql`INSERT INTO ledger_failed_transfers (id, result, created_at)
    SELECT id, result, ${at} FROM unnest(${sql.param(failures.map((f) => f.id))}::uuid[],
      ${sql.param(failures.map((f) => f.result))}::text[]) AS u(id, result)
    WHERE NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id = u.id)
    ON CONFLICT (id) DO NOTHING`;
}

/**
 * Runs `work` in a transaction, and when it throws a ledger refusal, remembers the ids that failed
 * for a transient reason after the rollback has undone the engine's own record of them. A line that
 * turns a refused spend into an error (and so rolls its transaction back) runs its spends in this, so
 * a retried idempotency key still answers `id_already_failed` instead of succeeding later.
 */
export async function keepingFailures<T>(db: Db, clock: Clock, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (error) {
    const failures = failuresOf(error);
    if (failures.length > 0) await db.execute(failedTransfersInsert(failures, clock.now()));
    throw error;
  }
}
