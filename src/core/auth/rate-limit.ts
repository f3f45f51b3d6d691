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

/** Counts one hit for `key`, or refuses it when the window is full. Returns whether the hit was allowed. */
export async function consumeRateLimit(
  db: Db,
  clock: Clock,
  key: string,
  { limit, windowMs }: RateLimit,
  options: { throwWhenExceeded?: boolean } = {},
): Promise<boolean> {
  const now = clock.now();
  const windowFloor = new Date(now.getTime() - windowMs);
  const [row] = await queryRows<{ window_start: string; count: number }>(
    db,
    sql`INSERT INTO core_rate_limits (key, window_start, count) VALUES (${key}, ${now}, 1)
        ON CONFLICT (key) DO UPDATE SET
          window_start = CASE WHEN core_rate_limits.window_start <= ${windowFloor} THEN ${now}
                              ELSE core_rate_limits.window_start END,
          count = CASE WHEN core_rate_limits.window_start <= ${windowFloor} THEN 1
                       ELSE core_rate_limits.count + 1 END
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

export async function recordFailure(db: Db, clock: Clock, key: string): Promise<void> {
  const now = clock.now();
  const [row] = await queryRows<{ failures: number }>(
    db,
    sql`INSERT INTO core_rate_limits (key, window_start, count, failures) VALUES (${key}, ${now}, 0, 1)
        ON CONFLICT (key) DO UPDATE SET failures = core_rate_limits.failures + 1
        RETURNING failures`,
  );
  const failures = row?.failures ?? 0;
  if (failures < FREE_FAILURES) return;
  const lockMs = Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES));
  await db.execute(
    sql`UPDATE core_rate_limits SET locked_until = ${new Date(now.getTime() + lockMs)} WHERE key = ${key}`,
  );
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.execute(sql`UPDATE core_rate_limits SET failures = 0, locked_until = NULL WHERE key = ${key}`);
}
