import { describe, expect, it } from 'vitest';
import { freshDatabase, testDatabaseUrl } from '../../test/support/database';
import { systemClock } from '../core/clock';
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
});
