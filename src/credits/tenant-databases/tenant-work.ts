import { eq } from 'drizzle-orm';
import type { JobRunner } from '../../core/jobs';
import type { LineContext } from '../../product-line';
import { tenantDatabases, whitelabels } from '../schema';
import type { TenantDatabases } from './registry';
import { prepareTenantDatabase } from './tenancy';

/** How often what a tenant's database takes from Tally's (prices, the reseller) is copied again. */
const PREPARE_EVERY_MS = 10 * 60_000;

/**
 * The work a reseller's own database needs done on it, as Tally's own database has it done: its
 * mail, its sessions' and idempotency keys' sweeps, its holds' and reservations' expiry, its
 * refills — every job registered `tenants` — run by a job runner of its own, one pass each second,
 * beside Tally's. What it takes from Tally's database is copied again every few minutes, so a new
 * price of an action reaches every reseller's shop.
 */
export function registerTenantWork(context: LineContext, databases: TenantDatabases): void {
  const { jobs, ownDb, clock, log } = context;
  const runners = new Map<string, { runner: JobRunner; preparedAt: number }>();
  jobs.every('credits.tenant_work', 1000, async () => {
    const ready = await ownDb
      .select({ id: tenantDatabases.id, whitelabelId: whitelabels.id, userId: tenantDatabases.userId })
      .from(tenantDatabases)
      .innerJoin(whitelabels, eq(whitelabels.userId, tenantDatabases.userId))
      .where(eq(tenantDatabases.state, 'ready'));
    for (const tenant of ready) {
      try {
        const { db } = await databases.open(tenant.whitelabelId);
        let known = runners.get(tenant.id);
        const now = clock.now().getTime();
        if (!known || now - known.preparedAt >= PREPARE_EVERY_MS) {
          await prepareTenantDatabase({ ownDb, clock }, db, tenant.userId);
          known = { runner: known?.runner ?? jobs.forDatabase(db), preparedAt: now };
          runners.set(tenant.id, known);
        }
        await known.runner.tick();
      } catch (error) {
        // One tenant's database being away keeps no other's work waiting.
        log.warn({ err: error, tenantDatabase: tenant.id }, 'tenant work failed');
      }
    }
  });
}
