import type { ProductLine } from '../product-line';
import { makeCreditsDemo } from './demo';
import { type CnameResolver, dnsCnameResolver } from './deps';
import { registerCreditsJobs } from './engine/jobs';
import { ensureCreditsLedger } from './engine/ledger';
import { ensureBuiltInActions } from './engine/prices';
import { creditsErrors } from './errors';
import { creditsRoutes } from './routes';
import { creditsScopeDescriptions } from './scopes';
import { workspaceKind } from './workspaces';

export interface CreditsLineOptions {
  /** How whitelabel domains are checked: the DNS by default, a resolver of the test's in tests. */
  resolveCname?: CnameResolver;
}

/** The credits line: SaaS credits, workspaces and whitelabel resellers (seed 003). */
export function defineCreditsLine(options: CreditsLineOptions = {}): ProductLine {
  const resolveCname = options.resolveCname ?? dnsCnameResolver;
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
    },
    routes: ({ db, clock, publicUrl, kinds }) => creditsRoutes({ db, clock, publicUrl, kinds, resolveCname }),
    jobs: ({ jobs, db, clock, log }) => registerCreditsJobs(jobs, { db, clock, log }),
    demo: ({ db, clock, publicUrl, kinds }, actor) =>
      makeCreditsDemo({ db, clock, publicUrl, kinds, resolveCname }, actor),
  };
}

export const creditsLine: ProductLine = defineCreditsLine();
