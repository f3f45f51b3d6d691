import { eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import { creditsErrors } from '../errors';
import { lockCustomer } from '../people/customers';
import { customers, tenantDatabases, whitelabels } from '../schema';
import type { TenantDatabase } from './provisioning';
import {
  newTenantDatabaseName,
  newTenantPassword,
  passwordPurpose,
  type TenantDatabaseDeps,
} from './settings';

/**
 * A whitelabel reseller asks for its own database (seed §4 step 4, after setting its domain). Asking
 * again answers the same one: a reseller has one database, whatever its domain claims. The name and
 * password are made now and the password sealed, so every try of provisioning uses the same ones;
 * the job makes the database.
 */
export async function requestTenantDatabase(deps: TenantDatabaseDeps, actor: Actor): Promise<TenantDatabase> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    // The reseller's credits row serialises its requests: two at once make one database.
    const customer = await lockCustomer(tx, userId);
    if (customer?.type !== 'whitelabel') throw onlyResellers();
    const [existing] = await tx.select().from(tenantDatabases).where(eq(tenantDatabases.userId, userId));
    if (existing) return existing;
    const [setUp] = await tx
      .select({ id: whitelabels.id })
      .from(whitelabels)
      .where(eq(whitelabels.userId, userId));
    if (!setUp) throw notFound('whitelabel set-up', { reason: 'set your domain first' });
    // What the shop already has on Tally's database must follow it into its own, or its customers
    // could no longer sign in on its domain: that is a move (move.ts), which Tally's operators run.
    const [started] = await queryRows<{ customers: number; products: number }>(
      tx,
      sql`SELECT (SELECT count(*)::int FROM credits_customers WHERE reseller_user_id = ${userId}) AS customers,
                 (SELECT count(*)::int FROM credits_products WHERE owner_user_id = ${userId}) AS products`,
    );
    if (started && (started.customers > 0 || started.products > 0)) {
      throw creditsErrors.error(
        'shop_already_started',
        `your shop already has ${started.products} product(s) and ${started.customers} customer(s) on Tally's database, which must move with it: ask Tally to move your shop into a database of its own`,
        { products: started.products, customers: started.customers },
      );
    }
    const row = await insertTenantDatabase(deps, tx, userId);
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.tenant_database.request',
      objectType: 'credits_tenant_database',
      objectId: row.id,
      details: { engine: row.engine, whitelabelId: setUp.id },
    });
    return row;
  });
}

/**
 * A reseller's database row as provisioning starts from it: its name and sealed password made now,
 * so every try of provisioning uses the same ones.
 */
export async function insertTenantDatabase(
  deps: Pick<TenantDatabaseDeps, 'clock' | 'keys' | 'settings'>,
  tx: Db,
  userId: string,
): Promise<TenantDatabase> {
  const now = deps.clock.now();
  const name = newTenantDatabaseName();
  const onServer = deps.settings.engine === 'postgres';
  const [row] = await tx
    .insert(tenantDatabases)
    .values({
      id: newId(),
      userId,
      engine: deps.settings.engine,
      state: 'requested',
      databaseName: name,
      roleName: onServer ? name : null,
      sealedPassword: onServer ? deps.keys.seal(passwordPurpose(name), newTenantPassword()) : null,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

/** The caller's database, or for an administrator anyone's. */
export async function getTenantDatabase(
  deps: { db: Db },
  actor: Actor,
  userId?: string,
): Promise<TenantDatabase> {
  const subject = userId ?? requireUser(actor);
  if (subject !== actor.userId && !actor.isAdmin) throw notFound('tenant database');
  if (!actor.isAdmin) {
    const [customer] = await deps.db
      .select({ type: customers.type })
      .from(customers)
      .where(eq(customers.userId, subject));
    if (customer?.type !== 'whitelabel') throw onlyResellers();
  }
  const [row] = await deps.db.select().from(tenantDatabases).where(eq(tenantDatabases.userId, subject));
  if (!row) throw notFound('tenant database');
  return row;
}

const onlyResellers = () =>
  new AppError(
    'forbidden',
    'only whitelabel resellers have a database of their own; buy a whitelabel product first',
  );
