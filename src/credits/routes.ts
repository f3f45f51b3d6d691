import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import { createRouter } from '../core/http';
import { accountRoutes } from './account-routes';
import { type CnameResolver, type CreditsDeps, dnsCnameResolver } from './deps';
import { ensureCreditsLedger } from './engine/ledger';
import { ensureBuiltInActions } from './engine/prices';
import { productRoutes } from './product-routes';
import { purchaseRoutes } from './purchase-routes';
import { spendingRoutes } from './spending-routes';
import { workspaceRoutes } from './workspace-routes';

/** The credits line's ledger and built-in actions; safe to run in every process, at every start. */
export async function prepareCredits(db: Db, clock: Clock): Promise<void> {
  await ensureCreditsLedger(db, clock);
  await ensureBuiltInActions(db, clock);
}

export interface CreditsRouteOptions {
  db: Db;
  clock: Clock;
  publicUrl: string;
  resolveCname?: CnameResolver;
}

/** Everything under /api/credits. */
export function creditsRoutes(options: CreditsRouteOptions) {
  const deps: CreditsDeps = { ...options, resolveCname: options.resolveCname ?? dnsCnameResolver };
  const router = createRouter();
  // The first request of a process makes sure the ledger and the built-in actions are there; a
  // failure is retried by the next request rather than remembered.
  let prepared: Promise<void> | undefined;
  router.use('*', async (_c, next) => {
    prepared ??= prepareCredits(deps.db, deps.clock).catch((error: unknown) => {
      prepared = undefined;
      throw error;
    });
    await prepared;
    await next();
  });
  router.route('/', productRoutes(deps));
  router.route('/', purchaseRoutes(deps));
  router.route('/', workspaceRoutes(deps));
  router.route('/', spendingRoutes(deps));
  router.route('/', accountRoutes(deps));
  return router;
}
