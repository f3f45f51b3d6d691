import { sql } from 'drizzle-orm';
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/support/database';
import { TestClock } from '../../core/clock';
import { queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { EVENTS_PER_STATEMENT, FollowerStore, type Header, type NewEventRow } from './store';

const clock = new TestClock();
const hashOf = (n: bigint): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const header = (number: bigint): Header => ({
  number,
  hash: hashOf(number + 1000n),
  parentHash: number === 0n ? hashOf(0n) : hashOf(number + 999n),
  timestamp: new Date(Date.UTC(2026, 0, 1) + Number(number) * 2000),
});

describe('the follower’s store', () => {
  it('stores a range of more events than one statement can take, each once, however often it is read', async () => {
    const database = await freshDatabase();
    const store = new FollowerStore(database.db, clock, 'busy.token', 31337);
    const [genesis, start, tip] = [header(0n), header(1n), header(2n)];
    await store.createCursor(start, genesis);
    // A busy contract's block: more Transfer logs than a statement has parameters for in one INSERT.
    const count = 3 * EVENTS_PER_STATEMENT + 7;
    expect(count * 12).toBeGreaterThan(65_535);
    const rows: NewEventRow[] = Array.from({ length: count }, (_, logIndex) => ({
      id: newId(),
      follower: 'busy.token',
      chainId: 31337,
      blockNumber: tip.number,
      blockHash: tip.hash,
      blockTimestamp: tip.timestamp,
      transactionHash: hashOf(BigInt(logIndex)),
      logIndex,
      address: '0x0000000000000000000000000000000000000001',
      eventName: 'Transfer',
      args: { value: String(logIndex) },
      createdAt: clock.now(),
    }));

    const cursor = (await store.readCursor())!;
    expect(await store.storeRange(cursor, tip, rows, 0n)).toEqual({ inserted: count, revived: 0 });
    // The second reading of the range, once deep enough, finds every log stored already.
    const moved = (await store.readCursor())!;
    expect(moved.number).toBe(tip.number);
    expect(await store.storeVerified(moved, tip, rows)).toEqual({ inserted: 0, revived: 0 });
    const [stored] = await queryRows<{ n: number; distinct_logs: number }>(
      database.db,
      sql`SELECT count(*)::int AS n, count(DISTINCT log_index)::int AS distinct_logs FROM chain_events`,
    );
    expect(stored).toEqual({ n: count, distinct_logs: count });
    expect((await store.readCursor())!.verified.number).toBe(tip.number);
  }, 60_000);
});
