import { sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError } from '../errors';

/**
 * Rate limits and slow-downs shared by every Tally process through one table.
 * - `consumeRateLimit`: at most `limit` hits per fixed window per key; past it, `rate_limited`.
 * - `recordFailure` / `assertNotLocked` / `clearFailures`: after `FREE_FAILURES` failures in a row a
 *   key is locked for a time that doubles with each further failure, up to `MAX_LOCK_MS`.
 */

const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60 * 1000;

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export function rateLimited(retryAfterMs: number, message = 'too many attempts; try again later'): AppError {
  return new AppError('rate_limited', message, {
    retry_after_seconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}

/**
 * Counts `hits` (one by default) for `key`, or refuses them when they would overfill the window.
 * Returns whether they were allowed.
 */
export async function consumeRateLimit(
  db: Db,
  clock: Clock,
  key: string,
  { limit, windowMs }: RateLimit,
  options: { throwWhenExceeded?: boolean; hits?: number } = {},
): Promise<boolean> {
  const hits = options.hits ?? 1;
  const now = clock.now();
  const windowFloor = new Date(now.getTime() - windowMs);
  const [row] = await queryRows<{ window_start: string; count: number }>(
    db,
    sql`INSERT INTO core_rate_limits (key, window_start, count) VALUES (${key}, ${now}, ${hits})
        ON CONFLICT (key) DO UPDATE SET
          window_start = CASE WHEN core_rate_limits.window_start <= ${windowFloor} THEN ${now}
                              ELSE core_rate_limits.window_start END,
          count = CASE WHEN core_rate_limits.window_start <= ${windowFloor} THEN ${hits}
                       ELSE core_rate_limits.count + ${hits} END
        RETURNING window_start::text, count`,
  );
  if (!row || row.count <= limit) return true;
  if (options.throwWhenExceeded === false) return false;
  const resetsAt = parseTimestamp(row.window_start).getTime() + windowMs;
  throw rateLimited(resetsAt - now.getTime());
}

export async function assertNotLocked(db: Db, clock: Clock, key: string): Promise<void> {
  const [row] = await queryRows<{ locked_until: string | null }>(
    db,
    sql`SELECT locked_until::text FROM core_rate_limits WHERE key = ${key}`,
  );
  const lockedUntil = row?.locked_until ? parseTimestamp(row.locked_until).getTime() : 0;
  const now = clock.now().getTime();
  if (lockedUntil > now)
    throw rateLimited(lockedUntil - now, 'too many failed attempts; wait before trying again');
}

async function countFailure(db: Db, clock: Clock, key: string): Promise<number> {
  const [row] = await queryRows<{ failures: number }>(
    db,
    sql`INSERT INTO core_rate_limits (key, window_start, count, failures) VALUES (${key}, ${clock.now()}, 0, 1)
        ON CONFLICT (key) DO UPDATE SET failures = core_rate_limits.failures + 1
        RETURNING failures`,
  );
  return row?.failures ?? 0;
}

async function lockAfter(db: Db, clock: Clock, key: string, failures: number): Promise<number> {
  if (failures < FREE_FAILURES) return 0;
  const lockMs = Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES));
  await db.execute(
    sql`UPDATE core_rate_limits SET locked_until = ${new Date(clock.now().getTime() + lockMs)} WHERE key = ${key}`,
  );
  return lockMs;
}

export async function recordFailure(db: Db, clock: Clock, key: string): Promise<void> {
  await lockAfter(db, clock, key, await countFailure(db, clock, key));
}

/**
 * Counts an attempt as failed before it is checked, and sets the lock its count calls for, in one
 * atomic statement that only an unlocked key passes: attempts sent in parallel cannot all slip past
 * the lock before any of them is counted. The caller clears the count when the attempt succeeds.
 */
export async function claimAttempt(db: Db, clock: Clock, key: string): Promise<void> {
  const now = clock.now();
  const claimed = await queryRows<{ failures: number }>(
    db,
    sql`INSERT INTO core_rate_limits (key, window_start, count, failures) VALUES (${key}, ${now}, 0, 1)
        ON CONFLICT (key) DO UPDATE SET
          failures = core_rate_limits.failures + 1,
          locked_until = CASE WHEN core_rate_limits.failures + 1 >= ${FREE_FAILURES}
            THEN ${now}::timestamptz + make_interval(secs => least(${MAX_LOCK_MS / 1000},
              power(2, core_rate_limits.failures + 1 - ${FREE_FAILURES})))
            ELSE core_rate_limits.locked_until END
        WHERE core_rate_limits.locked_until IS NULL OR core_rate_limits.locked_until <= ${now}
        RETURNING failures`,
  );
  if (claimed.length === 0) await assertNotLocked(db, clock, key);
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.execute(sql`UPDATE core_rate_limits SET failures = 0, locked_until = NULL WHERE key = ${key}`);
}
