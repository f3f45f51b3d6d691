import { sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import { type Db, queryRows } from '../database';

const HOUR = 3600 * 1000;

/**
 * Rows anonymous callers leave behind, forgotten once they can no longer matter: sign-in nonces an
 * hour after they expired, and rate-limit rows a day after their window began, when no lock holds.
 * A sweep any process may run.
 */
export async function sweepAuthLeftovers(
  db: Db,
  clock: Clock,
): Promise<{ nonces: number; rateLimits: number }> {
  const now = clock.now().getTime();
  const nonces = await queryRows<{ nonce: string }>(
    db,
    sql`DELETE FROM core_siwe_nonces WHERE expires_at < ${new Date(now - HOUR)} RETURNING nonce`,
  );
  const rateLimits = await queryRows<{ key: string }>(
    db,
    sql`DELETE FROM core_rate_limits
        WHERE window_start < ${new Date(now - 24 * HOUR)} AND (locked_until IS NULL OR locked_until < ${new Date(now)})
        RETURNING key`,
  );
  return { nonces: nonces.length, rateLimits: rateLimits.length };
}
