import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/database';
import { TestClock } from '../core/clock';
import { newId } from '../core/ids';
import { JobRunner } from '../core/jobs';
import { silentLogger } from '../core/log';
import { applyTransfers } from './engine';
import { registerLedgerJobs } from './jobs';
import { createAccounts, createLedger, getAccount, getTransfer } from './service';

describe('the hold expiry sweep', () => {
  it('releases holds whose timeout passed on the worker tick, and only those', async () => {
    const { db } = await freshDatabase();
    const clock = new TestClock('2026-02-01T00:00:00Z');
    const deps = { db, clock };
    const jobs = new JobRunner(db, clock, silentLogger);
    registerLedgerJobs(jobs, deps);
    await createLedger(deps, { code: 'CREDIT', scale: 0 });
    const [payer, payee] = [newId(), newId()];
    await createAccounts(deps, [
      { id: payer, ledger: 'CREDIT', code: 'user' },
      { id: payee, ledger: 'CREDIT', code: 'app' },
    ]);
    const holds = Array.from({ length: 1205 }, (_, i) => ({
      id: newId(),
      debitAccountId: payer,
      creditAccountId: payee,
      amount: 1n,
      ledger: 'CREDIT',
      code: 'reserve',
      flags: { pending: true },
      timeoutSeconds: i < 1200 ? 10 : 60,
    }));
    await db.transaction((tx) => applyTransfers(tx, holds, deps));
    expect((await getAccount(deps, payer)).debitsPending).toBe(1205n);

    clock.advance(10_000);
    await jobs.tick();
    // More than one sweep batch of 1000 expired in one tick; the 60-second holds still stand.
    expect((await getAccount(deps, payer)).debitsPending).toBe(5n);
    expect((await getTransfer(deps, holds[0]!.id)).pendingState).toBe('expired');
    expect((await getTransfer(deps, holds[1204]!.id)).pendingState).toBe('pending');
  });
});
