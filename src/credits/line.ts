import type { LineContext, ProductLine } from '../product-line';
import {
  CHECKOUT_PURPOSE,
  checkoutAuthorizations,
  checkoutSettlement,
  ensureCheckoutLedger,
} from './checkout/service';
import { makeCreditsDemo } from './demo';
import { type CreditsDeps, type DomainResolver, systemDomainResolver } from './deps';
import { registerCreditsJobs } from './engine/jobs';
import { ensureCreditsLedger } from './engine/ledger';
import { ensureBuiltInActions } from './engine/prices';
import { type CreditsSpender, creditsSpender } from './engine/spend-batch';
import { creditsErrors } from './errors';
import { creditsNotificationTypes } from './notifications';
import { creditsRoutes } from './routes';
import { creditsScopeDescriptions } from './scopes';
import { whitelabelTenants } from './whitelabel/tenants';
import { workspaceKind } from './workspaces/service';

export interface CreditsLineOptions {
  /** How whitelabel domains are checked: the system's DNS by default. */
  dns?: DomainResolver;
}

/** The credits line: SaaS credits, workspaces and whitelabel resellers (seed 003). */
export function defineCreditsLine(options: CreditsLineOptions = {}): ProductLine {
  const dns = options.dns ?? systemDomainResolver;
  // One group commit per Tally (its database handle), shared by its routes, its watchers and its demo.
  const spenders = new WeakMap<object, CreditsSpender>();
  return {
    name: 'credits',
    label: 'Credits',
    scopes: creditsScopeDescriptions,
    errors: creditsErrors.definitions,
    organizationKinds: [workspaceKind],
    // Its ledger and built-in actions; safe to run in every process, at every start.
    prepare: async ({ db, clock }) => {
      await ensureCreditsLedger(db, clock);
      await ensureBuiltInActions(db, clock);
      await ensureCheckoutLedger(db, clock);
    },
    notificationTypes: creditsNotificationTypes,
    routes: (context) => creditsRoutes(creditsDeps(context)),
    jobs: ({ jobs, db, clock, log }) => registerCreditsJobs(jobs, { db, clock, log }),
    tenants: ({ db }) => whitelabelTenants(db),
    demo: (context, actor) => makeCreditsDemo(creditsDeps(context), actor),
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
    return { db, clock, spender, publicUrl, kinds, notificationTypes, dns, chain };
  }
}

export const creditsLine: ProductLine = defineCreditsLine();
