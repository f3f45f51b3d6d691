import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { newId } from '../../core/ids';
import { JobRunner } from '../../core/jobs';
import { silentLogger } from '../../core/log';
import { getBalance } from './balances';
import { getGrant } from './grants';
import { registerCreditsJobs } from './jobs';
import { startHolding } from './refill';
import { getReservation, reserveCredits } from './spending';
import { creditsFixture, give, person } from './test-fixtures';

describe('the credits sweeps', () => {
  it('refill holdings, expire reservations and expire grants on the worker tick', async () => {
    const f = await creditsFixture();
    const jobs = new JobRunner(f.db, f.clock, silentLogger);
    registerCreditsJobs(jobs, { db: f.db, clock: f.clock, log: silentLogger });
    const userId = person();
    const productId = newId();
    await f.db.execute(
      sql`INSERT INTO credits_products (id, type, name, credits_per_cycle, refill_cycle, created_at, updated_at)
          VALUES (${productId}, 'generic', 'Daily', 10, 'day', ${f.clock.now()}, ${f.clock.now()})`,
    );
    await f.db.transaction((tx) =>
      startHolding(tx, f.clock, {
        userId,
        purchaseId: newId(),
        product: {
          id: productId,
          creditsPerCycle: 10n,
          refillCycle: 'day',
          rolloverCredits: 0n,
          ownerUserId: null,
          type: 'generic',
        },
      }),
    );
    const trial = await give(f, userId, 5n, {
      source: 'adjustment',
      reason: 'trial',
      expiresAt: new Date(f.clock.now().getTime() + 60_000),
    });
    const reservation = await f.db.transaction((tx) =>
      reserveCredits(
        tx,
        f.clock,
        { userId },
        { amount: 2n, reservedFor: 'job', expiresAt: new Date(f.clock.now().getTime() + 30_000) },
      ),
    );

    f.clock.advance(86_400_000);
    await jobs.tick();
    expect((await getReservation(f.db, f.clock, userId, reservation.id)).state).toBe('expired');
    expect((await getGrant(f.db, trial.id))?.expiredAt).not.toBeNull();
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({
      total: 10n,
      used: 0n,
      reserved: 0n,
      available: 10n,
      refilledAt: f.clock.now(),
    });
  });
});
