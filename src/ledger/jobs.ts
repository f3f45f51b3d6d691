import type { JobRunner } from '../core/jobs';
import { expireDuePendingTransfers } from './engine';
import type { LedgerDeps } from './service';

const SWEEP_BATCH = 1000;

/**
 * Pending transfers expire by themselves: a sweep releases every hold whose timeout has passed.
 * Posting or voiding checks the timeout too, so a late sweep never lets an expired hold be posted.
 */
export function registerLedgerJobs(jobs: JobRunner, { db, clock }: LedgerDeps): void {
  jobs.every(
    'ledger.expire_pending_transfers',
    1000,
    async () => {
      let expired = SWEEP_BATCH;
      while (expired === SWEEP_BATCH) {
        expired = await db.transaction((tx) => expireDuePendingTransfers(tx, { clock }, SWEEP_BATCH));
      }
    },
    // A tenant's own ledger holds its people's reservations: they expire there too.
    { tenants: true },
  );
}
