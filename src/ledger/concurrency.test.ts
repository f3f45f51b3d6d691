import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { freshDatabase, testDatabaseUrl } from '../../test/support/database';
import { systemClock } from '../core/clock';
import { type Db, queryRows } from '../core/database';
import { newId } from '../core/ids';
import { TransferBatcher } from './batcher';
import { applyTransfers } from './engine';
import { findLedgerViolations } from './invariants';
import { createAccounts, createLedger, getAccount } from './service';
import type { TransferInput, TransferResult } from './types';

/**
 * 32 clients on 32 connections move value both ways among a few accounts, one of them limited,
 * with batches that touch several accounts in every order. Lock ordering must keep PostgreSQL from
 * ever detecting a deadlock; the limit must hold whatever the interleaving; sums must balance.
 */
describe.runIf(testDatabaseUrl)('concurrent transfers on PostgreSQL', () => {
  it('never deadlocks, never overdraws, and loses nothing with 32 concurrent clients', async () => {
    const database = await freshDatabase({ postgres: true, poolSize: 40 });
    const deps = { db: database.db, clock: systemClock };
    await createLedger(deps, { code: 'USDC', scale: 6 });
    const ids = Array.from({ length: 5 }, () => newId());
    const [limited, ...open] = ids as [string, ...string[]];
    await createAccounts(deps, [
      { id: limited, ledger: 'USDC', code: 'wallet', flags: { debitsMustNotExceedCredits: true } },
      ...open.map((id) => ({ id, ledger: 'USDC', code: 'pool' })),
    ]);
    const funding: TransferInput = {
      id: newId(),
      debitAccountId: open[0],
      creditAccountId: limited,
      amount: 100n,
      ledger: 'USDC',
      code: 'fund',
    };
    await database.db.transaction((tx) => applyTransfers(tx, [funding], deps));

    const batcher = new TransferBatcher(database, systemClock);
    const applied: TransferInput[] = [funding];
    const errors: unknown[] = [];
    let refusedByLimit = 0;

    const client = async (clientIndex: number) => {
      let seed = clientIndex + 1;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const pick = () => ids[Math.floor(random() * ids.length)]!;
      for (let round = 0; round < 40; round++) {
        const batch: TransferInput[] = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
          // The limited wallet pays more often than it is paid, so it runs dry again and again.
          const debit = random() < 0.35 ? limited : pick();
          let credit = pick();
          while (credit === debit) credit = pick();
          return {
            id: newId(),
            debitAccountId: debit,
            creditAccountId: credit,
            amount: BigInt(1 + Math.floor(random() * 60)),
            ledger: 'USDC',
            code: 'move',
          };
        });
        try {
          const results: TransferResult[] =
            round % 2 === 0
              ? await database.db.transaction((tx) => applyTransfers(tx, batch, deps))
              : await batcher.submit(batch);
          results.forEach((r, index) => {
            if (r.result === 'ok') applied.push(batch[index]!);
            else if (r.result === 'exceeds_credits') refusedByLimit++;
            else errors.push(new Error(`unexpected result ${r.result}`));
          });
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, (_, index) => client(index)));

    expect(errors).toEqual([]);
    expect(refusedByLimit).toBeGreaterThan(0);
    expect(applied.length).toBeGreaterThan(1000);
    for (const id of ids) {
      const account = await getAccount(deps, id);
      const credits = applied.filter((t) => t.creditAccountId === id).reduce((sum, t) => sum + t.amount!, 0n);
      const debits = applied.filter((t) => t.debitAccountId === id).reduce((sum, t) => sum + t.amount!, 0n);
      expect([account.creditsPosted, account.debitsPosted]).toEqual([credits, debits]);
    }
    const wallet = await getAccount(deps, limited);
    expect(wallet.debitsPosted).toBeLessThanOrEqual(wallet.creditsPosted);
    expect(await findLedgerViolations(database.db)).toEqual([]);
  });

  it('starts a batch over, never locking out of order, when a pending it posts appears after its lock', async () => {
    const database = await freshDatabase({ postgres: true, poolSize: 6 });
    const deps = { db: database.db, clock: systemClock };
    await createLedger(deps, { code: 'EUR', scale: 2 });
    const [payer, payee, other] = [newId(), newId(), newId()];
    await createAccounts(
      deps,
      [payer, payee, other].map((id) => ({ id, ledger: 'EUR', code: 'pool' })),
    );
    const pendingId = newId();
    // Another transaction creates the pending and holds its accounts' locks until told to commit.
    let commitPending: () => void = () => {};
    const mayCommit = new Promise<void>((resolve) => {
      commitPending = resolve;
    });
    const pendingCreated = database.db.transaction(async (tx) => {
      const [created] = await applyTransfers(
        tx,
        [
          {
            id: pendingId,
            debitAccountId: payer,
            creditAccountId: payee,
            amount: 40n,
            ledger: 'EUR',
            code: 'hold',
            flags: { pending: true },
          },
        ],
        deps,
      );
      expect(created!.result).toBe('ok');
      await mayCommit;
    });
    await waitUntil(async () => (await getAccount(deps, payer)).debitsPending === 0n);

    // The batch cannot see the pending when it decides what to lock (payer only), then waits on the
    // payer's lock; once the pending commits, the batch finds it holds the payer but not the payee.
    let attempts = 0;
    const batch = database.db.transaction((tx) => {
      attempts++;
      return applyTransfers(
        tx,
        [
          {
            id: newId(),
            debitAccountId: payer,
            creditAccountId: other,
            amount: 1n,
            ledger: 'EUR',
            code: 'move',
          },
          { id: newId(), pendingId, ledger: 'EUR', code: 'hold', flags: { postPendingTransfer: true } },
        ],
        deps,
      );
    });
    await waitUntil(async () => (await lockWaiters(database.db)) > 0);
    commitPending();
    await pendingCreated;
    const results = await batch;

    expect(results.map((r) => r.result)).toEqual(['ok', 'ok']);
    // The first attempt stopped short of locking the payee late; the second locked both in order.
    expect(attempts).toBe(2);
    expect(await getAccount(deps, payee)).toMatchObject({ creditsPosted: 40n, creditsPending: 0n });
    expect(await getAccount(deps, payer)).toMatchObject({ debitsPosted: 41n, debitsPending: 0n });
  });
});

async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('waited 5 s for a condition that never held');
}

/** Sessions of this database waiting on a row lock. */
async function lockWaiters(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return row?.n ?? 0;
}
