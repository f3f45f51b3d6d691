import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../test/support/database';
import { expectLedgerSound, floatReseller, floatTally } from '../../../test/support/float';
import { systemActor } from '../../core/actor';
import { queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { withDatabase } from '../../core/request-database';
import { systemDomainResolver } from '../deps';
import { getBalance } from '../engine/balances';
import { creditsSpender } from '../engine/spend-batch';
import { enterPurchase } from '../purchases/service';
import { products } from '../schema';
import { applyPendingTopUps } from './apply';
import { topUpFloat } from './top-ups';

/**
 * Purchases on a reseller's shop commit in its own database alone, drawing on its float: however many
 * race for the last credits, exactly as many as the float covers go through and the rest are refused.
 */

const FLOAT = 60n;
const PRICE = 5n;

describe.runIf(testDatabaseUrl)('purchases racing for the last float credits (PostgreSQL)', () => {
  it(`${(2n * FLOAT) / PRICE} purchases of ${PRICE} on a float of ${FLOAT}: exactly ${FLOAT / PRICE} go through`, async () => {
    const f = await floatTally();
    const { tally } = f;
    const reseller = await floatReseller(f, 1000n);
    await topUpFloat(f.deps, { ...systemActor, userId: reseller.userId, isAdmin: false }, { amount: FLOAT });
    expect(await applyPendingTopUps(f.deps)).toEqual({ applied: 1, failed: 0 });
    const tenant = (await f.deps.tenants.open(reseller.whitelabelId)).db;

    // The reseller's under-whitelabel product, as it stands in its own database.
    const now = tally.clock.now();
    const productId = newId();
    await tenant.insert(products).values({
      id: productId,
      ownerUserId: reseller.userId,
      type: 'under_whitelabel',
      name: 'Shop credits',
      creditsPerCycle: PRICE,
      refillCycle: 'none',
      createdAt: now,
      updatedAt: now,
    });

    const { context } = tally;
    // The services as a request on the reseller's domain runs them: on the scoped handle.
    const deps = {
      db: context.db,
      ownDb: context.ownDb,
      clock: tally.clock,
      spender: creditsSpender({ db: context.db, parallelism: 1 }, tally.clock),
      publicUrl: context.publicUrl,
      kinds: context.kinds,
      notificationTypes: context.notificationTypes,
      dns: systemDomainResolver,
    };
    const attempts = Number((2n * FLOAT) / PRICE);
    const outcomes = await Promise.allSettled(
      Array.from({ length: attempts }, (_, i) =>
        withDatabase(tenant, () =>
          enterPurchase(deps, systemActor, {
            email: `buyer-${i}-${newId().slice(-6)}@example.test`,
            productId,
            orderReference: `race-${i}`,
          }),
        ),
      ),
    );
    const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(Number(FLOAT / PRICE));
    expect(refusals).toHaveLength(attempts - Number(FLOAT / PRICE));
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).code).toBe('insufficient_funds');
    }

    const float = await getBalance(tenant, tally.clock, { userId: reseller.userId });
    expect(float).toMatchObject({ total: FLOAT, used: FLOAT, available: 0n });
    await expectLedgerSound(tenant);
    // Tally's own database saw none of it: the purchases are the tenant's alone.
    const [mainPurchases] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM credits_purchases`,
    );
    expect(mainPurchases?.n).toBe(0);
  });
});
