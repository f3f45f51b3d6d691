import { and, eq } from 'drizzle-orm';
import { users } from '../../core/auth/schema';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { withDatabase } from '../../core/request-database';
import { ensureCreditsLedger } from '../engine/ledger';
import { ensureBuiltInActions } from '../engine/prices';
import { actionPrices, customers, holdings, products } from '../schema';

/**
 * What a reseller's own database needs from Tally's before it serves the reseller's shop, copied in
 * by `prepareTenantDatabase` whenever the database is opened and again by the tenant's sweep:
 *
 * - the credits ledger and its built-in actions, as every database of Tally's has them;
 * - the prices of actions, which Tally's administrators set for every reseller alike;
 * - the reseller itself: its account (so it signs in on its own domain with its own password),
 *   its customer row as a whitelabel reseller, and the whitelabel products it holds with its
 *   holdings of them — they carry its permissions (making products, the actions its products may
 *   grant). Those holdings never refill there (no next refill): the reseller's credits in its own
 *   database are only what its float moved in, so it can never sell more than that.
 *
 * Everything is written with upserts, so running it again changes only what changed on Tally's side.
 */
export async function prepareTenantDatabase(
  deps: { ownDb: Db; clock: Clock },
  tenantDb: Db,
  ownerUserId: string,
): Promise<void> {
  const { ownDb, clock } = deps;
  await withDatabase(tenantDb, async () => {
    await ensureCreditsLedger(tenantDb, clock);
    await ensureBuiltInActions(tenantDb, clock);
  });
  const [owner] = await ownDb.select().from(users).where(eq(users.id, ownerUserId));
  if (!owner) throw new Error(`the reseller ${ownerUserId} of a tenant database has no account`);
  const prices = await ownDb.select().from(actionPrices);
  const held = await ownDb
    .select({ holding: holdings, product: products })
    .from(holdings)
    .innerJoin(products, eq(products.id, holdings.productId))
    .where(and(eq(holdings.userId, ownerUserId), eq(products.type, 'whitelabel')));
  const now = clock.now();
  await tenantDb.transaction(async (tx) => {
    await tx
      .insert(users)
      .values({ ...owner, isAdmin: false })
      .onConflictDoUpdate({
        target: users.id,
        set: {
          email: owner.email,
          emailVerifiedAt: owner.emailVerifiedAt,
          name: owner.name,
          passwordHash: owner.passwordHash,
          passwordChangedAt: owner.passwordChangedAt,
          isAdmin: false,
          updatedAt: owner.updatedAt,
        },
      });
    await tx
      .insert(customers)
      .values({ userId: ownerUserId, type: 'whitelabel', onboardedAt: now, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: customers.userId, set: { type: 'whitelabel', updatedAt: now } });
    for (const price of prices) {
      await tx
        .insert(actionPrices)
        .values(price)
        .onConflictDoUpdate({
          target: actionPrices.action,
          set: { label: price.label, price: price.price, builtIn: price.builtIn, updatedAt: price.updatedAt },
        });
    }
    for (const { holding, product } of held) {
      await tx
        .insert(products)
        .values(product)
        .onConflictDoUpdate({
          target: products.id,
          set: {
            name: product.name,
            description: product.description,
            permissions: product.permissions,
            active: product.active,
            updatedAt: product.updatedAt,
          },
        });
      await tx
        .insert(holdings)
        .values({ ...holding, nextRefillAt: null })
        .onConflictDoUpdate({ target: holdings.id, set: { active: holding.active, nextRefillAt: null } });
    }
  });
}
