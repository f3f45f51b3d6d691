import { loadConfig } from '../../core/config';
import type { LineContext } from '../../product-line';
import { registerTenantDatabaseJobs } from './provisioning';
import { TenantDatabases } from './registry';
import { type TenantDatabaseDeps, type TenantDatabaseSettings, tenantDatabaseSettings } from './settings';

/**
 * The credits line's share of tenant databases: their services' deps, the sweep that provisions
 * them, and one registry of open databases per Tally (per main database handle), closed when it stops.
 */
export function tenantDatabaseAssembly(configured?: TenantDatabaseSettings) {
  let settings = configured;
  const registries = new WeakMap<object, TenantDatabases>();
  // Which tenants have databases is Tally's own to know, whichever database the work in progress has.
  const deps = ({ ownDb, clock, keys, log }: LineContext): TenantDatabaseDeps => ({
    db: ownDb,
    clock,
    keys,
    log,
    // Read when first needed, from the same environment the server's settings come from: the tenants'
    // databases go beside the main one (DATABASE_URL's server, or TALLY_HOME/tenants).
    get settings() {
      settings ??= tenantDatabaseSettings(loadConfig());
      return settings;
    },
  });
  return {
    deps,
    registry(context: LineContext): TenantDatabases {
      let registry = registries.get(context.ownDb);
      if (!registry) {
        registry = new TenantDatabases(deps(context));
        registries.set(context.ownDb, registry);
      }
      return registry;
    },
    jobs: (context: LineContext) => registerTenantDatabaseJobs(context.jobs, deps(context)),
    async stop(context: LineContext): Promise<void> {
      const registry = registries.get(context.ownDb);
      registries.delete(context.ownDb);
      await registry?.close();
    },
  };
}
