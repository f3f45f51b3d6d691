import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { applyTransfers } from '../../ledger/engine';
import { firstFailure } from '../../ledger/errors';
import type { TransferInput } from '../../ledger/types';
import type { GrantPart } from './burn-order';
import { allApplied, CREDITS_LEDGER, derivedId, SYSTEM_ACCOUNTS, TRANSFER_CODES } from './ledger';

/**
 * Grant expiry: what is left of a grant past its `expires_at` moves to the expired sink and the grant
 * is marked `expired_at`. Spending and balances ignore a grant from its expiry on, so the sweep only
 * tidies the ledger; it never changes what anyone can spend.
 *
 * Grants of a running holding are left to the refill, which decides how much rolls over first.
 */

const SWEEP_BATCH = 200;

/** Expires every grant whose time has come (outside running holdings); returns how many. */
export async function expireDueGrants(db: Db, clock: Clock): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await db.transaction(async (tx) => {
      const now = clock.now();
      const due = await queryRows<{ id: string }>(
        tx,
        sql`SELECT g.id FROM credits_grants g
            WHERE g.expired_at IS NULL AND g.expires_at <= ${now}
              AND NOT EXISTS (SELECT 1 FROM credits_holdings h
                WHERE h.id = g.holding_id AND h.active AND h.next_refill_at IS NOT NULL)
            ORDER BY g.expires_at, g.id LIMIT ${SWEEP_BATCH}
            FOR UPDATE OF g SKIP LOCKED`,
      );
      if (due.length === 0) return 0;
      const left = await lockLeftInGrants(
        tx,
        due.map((g) => g.id),
      );
      await moveToExpired(tx, clock, left, (grantId) => derivedId('expire', grantId));
      await markExpired(
        tx,
        due.map((g) => g.id),
        now,
      );
      return due.length;
    });
    total += expired;
    if (expired < SWEEP_BATCH) return total;
  }
}

/**
 * Locks the grants' ledger accounts and reads what is left in each (nothing held counts). Read under
 * the lock, so no concurrent spend or release can change it before this transaction moves it.
 */
export async function lockLeftInGrants(tx: Db, grantIds: readonly string[]): Promise<GrantPart[]> {
  if (grantIds.length === 0) return [];
  const rows = await queryRows<{ id: string; remaining: string }>(
    tx,
    sql`SELECT id, (credits_posted - debits_posted - debits_pending)::text AS remaining
        FROM ledger_accounts WHERE id = ANY(${sql.param([...grantIds])}::uuid[]) ORDER BY id FOR UPDATE`,
  );
  const byId = new Map(rows.map((r) => [r.id, BigInt(r.remaining)]));
  return grantIds.map((grantId) => ({ grantId, amount: byId.get(grantId) ?? 0n }));
}

export async function moveToExpired(
  tx: Db,
  clock: Clock,
  parts: readonly GrantPart[],
  transferId: (grantId: string) => string,
): Promise<void> {
  const transfers: TransferInput[] = parts
    .filter((p) => p.amount > 0n)
    .map((p) => ({
      id: transferId(p.grantId),
      debitAccountId: p.grantId,
      creditAccountId: SYSTEM_ACCOUNTS.expired,
      amount: p.amount,
      ledger: CREDITS_LEDGER,
      code: TRANSFER_CODES.expire,
    }));
  if (transfers.length === 0) return;
  const results = await applyTransfers(tx, transfers, { clock });
  if (!allApplied(results)) {
    throw new AppError('internal', 'expiring credits failed in the ledger', {
      result: firstFailure(results),
    });
  }
}

export async function markExpired(tx: Db, grantIds: readonly string[], at: Date): Promise<void> {
  await tx.execute(
    sql`UPDATE credits_grants SET expired_at = ${at} WHERE id = ANY(${sql.param([...grantIds])}::uuid[])`,
  );
}

/**
 * Credits that come back to a grant already expired (a hold released after the expiry) go straight
 * on to the expired sink, so an expired grant never holds spendable credits. Called after the
 * releases in the same transaction, which already holds the grants' ledger accounts.
 */
export async function drainExpiredGrants(tx: Db, clock: Clock, grantIds: readonly string[]): Promise<void> {
  if (grantIds.length === 0) return;
  const rows = await queryRows<{ id: string; remaining: string }>(
    tx,
    sql`SELECT g.id, (a.credits_posted - a.debits_posted - a.debits_pending)::text AS remaining
        FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
        WHERE g.id = ANY(${sql.param([...new Set(grantIds)])}::uuid[]) AND g.expired_at IS NOT NULL
          AND a.credits_posted - a.debits_posted - a.debits_pending > 0`,
  );
  await moveToExpired(
    tx,
    clock,
    rows.map((r) => ({ grantId: r.id, amount: BigInt(r.remaining) })),
    () => newId(),
  );
}
