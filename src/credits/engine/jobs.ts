import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import type { JobRunner } from '../../core/jobs';
import type { Logger } from '../../core/log';
import { expireDueGrants } from './expiry';
import { refillDueHoldings } from './refill';
import { expireDueReservations } from './spending';

/**
 * The credits line's sweeps. Each is safe to run in every process at once (rows are claimed with
 * `FOR UPDATE SKIP LOCKED` and every step is idempotent), so they run as interval sweeps. Spending
 * never waits for them: it ignores expired grants and ends a person's lapsed reservations itself.
 */
export function registerCreditsJobs(
  jobs: JobRunner,
  { db, clock, log }: { db: Db; clock: Clock; log?: Logger },
): void {
  // A reseller's own database holds its customers' holdings, reservations and grants: all three run there too.
  const tenants = { tenants: true };
  jobs.every('credits.refill_holdings', 60_000, () => refillDueHoldings(db, clock, log), tenants);
  jobs.every('credits.expire_reservations', 10_000, () => expireDueReservations(db, clock), tenants);
  jobs.every('credits.expire_grants', 60_000, () => expireDueGrants(db, clock), tenants);
}
