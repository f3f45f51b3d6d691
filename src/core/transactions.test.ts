import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { freshDatabase, testDatabaseUrl } from '../../test/support/database';
import { MAX_TRANSACTION_ATTEMPTS, pgErrorCode, queryRows, TransactionConflict } from './database';

/** Every transaction of Tally goes through `db.transaction`, which runs a conflicted one again. */

describe('the transaction helper', () => {
  it('runs a transaction that ends in a conflict again, with nothing of the first attempt kept', async () => {
    const { db } = await freshDatabase();
    await db.execute(sql`CREATE TABLE retry_probe (n int)`);
    let runs = 0;
    const result = await db.transaction(async (tx) => {
      runs++;
      await tx.execute(sql`INSERT INTO retry_probe VALUES (${runs})`);
      if (runs < 3) throw new TransactionConflict('start over');
      return 'done';
    });
    expect(result).toBe('done');
    expect(runs).toBe(3);
    expect(await queryRows<{ n: number }>(db, sql`SELECT n FROM retry_probe`)).toEqual([{ n: 3 }]);
  });

  it('gives up after a bounded number of attempts, and never retries any other error', async () => {
    const { db } = await freshDatabase();
    let runs = 0;
    await expect(
      db.transaction(async () => {
        runs++;
        throw new TransactionConflict('always');
      }),
    ).rejects.toThrow('always');
    expect(runs).toBe(MAX_TRANSACTION_ATTEMPTS);

    runs = 0;
    await expect(
      db.transaction(async () => {
        runs++;
        throw new Error('a bug');
      }),
    ).rejects.toThrow('a bug');
    expect(runs).toBe(1);
  });

  it('does not retry a savepoint on its own: the conflict reaches the whole transaction', async () => {
    const { db } = await freshDatabase();
    let outer = 0;
    let inner = 0;
    await db.transaction(async (tx) => {
      outer++;
      await tx.transaction(async () => {
        inner++;
        if (outer === 1) throw new TransactionConflict('start over');
      });
    });
    expect([outer, inner]).toEqual([2, 2]);
  });
});

describe.runIf(testDatabaseUrl)('deadlocks on PostgreSQL', () => {
  it('two transactions that lock two rows in opposite orders both commit', async () => {
    const database = await freshDatabase({ postgres: true, poolSize: 4 });
    const { db } = database;
    await db.execute(sql`CREATE TABLE deadlock_probe (id int PRIMARY KEY, touched int NOT NULL DEFAULT 0)`);
    await db.execute(sql`INSERT INTO deadlock_probe VALUES (1, 0), (2, 0)`);
    let deadlocks = 0;
    const bothHoldTheirFirst = barrier(2);
    const lockInOrder = (first: number, second: number) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`UPDATE deadlock_probe SET touched = touched + 1 WHERE id = ${first}`);
        await bothHoldTheirFirst();
        try {
          await tx.execute(sql`UPDATE deadlock_probe SET touched = touched + 1 WHERE id = ${second}`);
        } catch (error) {
          if (pgErrorCode(error) === '40P01') deadlocks++;
          throw error;
        }
      });
    await Promise.all([lockInOrder(1, 2), lockInOrder(2, 1)]);
    // PostgreSQL broke the cycle by failing one; the helper ran it again and it went through.
    expect(deadlocks).toBe(1);
    expect(await queryRows(db, sql`SELECT id, touched FROM deadlock_probe ORDER BY id`)).toEqual([
      { id: 1, touched: 2 },
      { id: 2, touched: 2 },
    ]);
  });
});

/** Resolves once `parties` callers wait on it; later callers (a retry) pass straight through. */
function barrier(parties: number): () => Promise<void> {
  let waiting = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    waiting++;
    if (waiting >= parties) open();
    return opened;
  };
}
