import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { read, request, type TestTally, testTally } from '../../../test/support/app';
import { queryRows } from '../database';
import { NONCES_PER_IP } from './siwe';
import { sweepAuthLeftovers } from './sweep';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally({ lines: [] });
});

const count = async (table: 'core_siwe_nonces' | 'core_rate_limits') =>
  (
    await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`,
    )
  )[0]!.n;

describe('what anonymous callers leave behind', () => {
  it('is bounded: an address gets a limited number of sign-in nonces', async () => {
    for (let i = 0; i < NONCES_PER_IP.limit; i++) {
      expect((await request(tally, 'GET', '/api/auth/siwe/nonce')).status).toBe(200);
    }
    const refused = await request(tally, 'GET', '/api/auth/siwe/nonce');
    expect(refused.status).toBe(429);
    expect((await read(refused)).error.code).toBe('rate_limited');
    expect(await count('core_siwe_nonces')).toBe(NONCES_PER_IP.limit);
  });

  it('is swept once it can no longer matter, and what still matters stays', async () => {
    const db = tally.database.db;
    const now = tally.clock.now().getTime();
    await db.execute(sql`
      INSERT INTO core_rate_limits (key, window_start, count, failures, locked_until) VALUES
        ('old:free', ${new Date(now - 2 * 86_400_000)}, 3, 0, NULL),
        ('old:locked', ${new Date(now - 2 * 86_400_000)}, 0, 9, ${new Date(now + 2 * 3_600_000)}),
        ('recent', ${new Date(now - 60_000)}, 1, 0, NULL)`);
    expect(await sweepAuthLeftovers(db, tally.clock)).toEqual({ nonces: 0, rateLimits: 1 });
    tally.clock.advance(71 * 60_000); // the nonces expired ten minutes after issue, and an hour has passed
    const swept = await sweepAuthLeftovers(db, tally.clock);
    expect(swept.nonces).toBe(NONCES_PER_IP.limit);
    expect(await count('core_siwe_nonces')).toBe(0);
    const keys = await queryRows<{ key: string }>(db, sql`SELECT key FROM core_rate_limits ORDER BY key`);
    expect(keys.map((k) => k.key)).toContain('old:locked');
    expect(keys.map((k) => k.key)).toContain('recent');
    expect(keys.map((k) => k.key)).not.toContain('old:free');
  });
});
