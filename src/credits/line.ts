import type { LineContext, ProductLine } from '../product-line';
import { checkoutNotificationTypes } from './checkout/notifications';
import {
  CHECKOUT_PURPOSE,
  checkoutAuthorizations,
  checkoutSettlement,
  ensureCheckoutLedger,
} from './checkout/service';
import { registerTenantCheckoutPurchases } from './checkout/tenant-purchases';
import { creditsCommand } from './command';
import { makeCreditsDemo } from './demo';
import { type CreditsDeps, type DomainResolver, systemDomainResolver } from './deps';
import { registerCreditsJobs } from './engine/jobs';
import { ensureCreditsLedger } from './engine/ledger';
import { ensureBuiltInActions } from './engine/prices';
import { type CreditsSpender, creditsSpender } from './engine/spend-batch';
import { creditsErrors } from './errors';
import { floatErrors } from './float/errors';
import { registerFloatJobs } from './float/jobs';
import { floatNotificationTypes } from './float/notifications';
import type { FloatDeps } from './float/top-ups';
import { creditsNotificationTypes } from './notifications';
import { creditsRoutes } from './routes';
import { creditsScopeDescriptions } from './scopes';
import { tenantDatabaseAssembly } from './tenant-databases/assembly';
import type { TenantDatabases } from './tenant-databases/registry';
import type { TenantDatabaseSettings } from './tenant-databases/settings';
import { registerTenantWork } from './tenant-databases/tenant-work';
import { registerDomainJobs } from './whitelabel/domain-jobs';
import { whitelabelTenants } from './whitelabel/tenants';
import { workspaceKind } from './workspaces/service';

export interface CreditsLineOptions {
  /** How whitelabel domains are checked: the system's DNS by default. */
  dns?: DomainResolver;
  /** Where resellers' own databases are made: beside the main database of this process's settings by default. */
  tenantDatabases?: TenantDatabaseSettings;
}

export interface CreditsLine extends ProductLine {
  /** The resellers' own databases this Tally has open (one registry per Tally). */
  tenantDatabases(context: LineContext): TenantDatabases;
}

/** The credits line: SaaS credits, workspaces and whitelabel resellers (seed 003). */
export function defineCreditsLine(options: CreditsLineOptions = {}): CreditsLine {
  const dns = options.dns ?? systemDomainResolver;
  const tenantDatabases = tenantDatabaseAssembly(options.tenantDatabases);
  // One group commit per Tally (its database handle), shared by its routes, its watchers and its demo.
  const spenders = new WeakMap<object, CreditsSpender>();
  return {
    name: 'credits',
    label: 'Credits',
    scopes: creditsScopeDescriptions,
    errors: { ...creditsErrors.definitions, ...floatErrors.definitions },
    organizationKinds: [workspaceKind],
    // Its ledger and built-in actions; safe to run in every process, at every start.
    prepare: async ({ db, clock }) => {
      await ensureCreditsLedger(db, clock);
      await ensureBuiltInActions(db, clock);
      await ensureCheckoutLedger(db, clock);
    },
    notificationTypes: {
      ...creditsNotificationTypes,
      ...floatNotificationTypes,
      ...checkoutNotificationTypes,
    },
    routes: (context) =>
      creditsRoutes(creditsDeps(context), context.files, tenantDatabases.deps(context), floatDeps(context)),
    jobs: (context) => {
      const { jobs, db, clock, log } = context;
      registerCreditsJobs(jobs, { db, clock, log });
      registerDomainJobs(jobs, creditsDeps(context), log);
      tenantDatabases.jobs(context);
      registerTenantWork(context, tenantDatabases.registry(context));
      registerFloatJobs(jobs, floatDeps(context));
      registerTenantCheckoutPurchases(jobs, { credits: creditsDeps(context), float: floatDeps(context) });
    },
    commands: [creditsCommand],
    stop: (context) => tenantDatabases.stop(context),
    tenantDatabases: (context) => tenantDatabases.registry(context),
    tenants: (context) => whitelabelTenants({ ...context, databases: tenantDatabases.registry(context) }),
    demo: (context, actor) => makeCreditsDemo(creditsDeps(context), actor, context.files),
    authorizations: (context) => checkoutAuthorizations(creditsDeps(context)),
    settlements: (context) => ({
      [CHECKOUT_PURPOSE]: checkoutSettlement(creditsDeps(context), context.chain),
    }),
  };
  function creditsDeps(context: LineContext): CreditsDeps {
    const { db, clock, publicUrl, kinds, notificationTypes, chain } = context;
    let spender = spenders.get(db);
    if (!spender) {
      spender = creditsSpender(context, clock);
      spenders.set(db, spender);
    }
    return { db, ownDb: context.ownDb, clock, spender, publicUrl, kinds, notificationTypes, dns, chain };
  }
  /** The float moves credits between Tally's own database and a tenant's: it is given Tally's. */
  function floatDeps(context: LineContext): FloatDeps {
    const { ownDb, clock, log, publicUrl, notificationTypes } = context;
    return {
      db: ownDb,
      clock,
      log,
      tenants: tenantDatabases.registry(context),
      notifier: { clock, types: notificationTypes, publicUrl },
    };
  }
}

export const creditsLine: ProductLine = defineCreditsLine();
