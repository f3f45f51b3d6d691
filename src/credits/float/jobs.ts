import type { JobRunner } from '../../core/jobs';
import { applyPendingTopUps } from './apply';
import { runAutoTopUps } from './auto-top-up';
import { reconcileFloats } from './reconcile';
import type { FloatDeps } from './top-ups';

export const FLOAT_JOBS = {
  apply: 'credits.float_top_ups',
  auto: 'credits.float_auto_top_ups',
  reconcile: 'credits.float_reconcile',
} as const;

/**
 * The float's work runs on Tally's own database (never `tenants`): the outbox, the settings and the
 * reconciliations are Tally's, and each run opens the tenants' databases it needs itself.
 */
export function registerFloatJobs(jobs: JobRunner, deps: FloatDeps): void {
  jobs.every(FLOAT_JOBS.apply, 5_000, () => applyPendingTopUps(deps));
  jobs.every(FLOAT_JOBS.auto, 30_000, () => runAutoTopUps(deps));
  jobs.define(FLOAT_JOBS.reconcile, async () => {
    await reconcileFloats(deps);
  });
  // Daily, once across processes (a schedule enqueues each occurrence once).
  jobs.schedule(FLOAT_JOBS.reconcile, '30 3 * * *');
}
