import { and, asc, inArray, isNull, lte, notLike, or } from 'drizzle-orm';
import { systemActor } from '../../core/actor';
import type { JobRunner } from '../../core/jobs';
import type { Logger } from '../../core/log';
import type { CreditsDeps } from '../deps';
import { whitelabels } from '../schema';
import { readDomainRecords } from './domain-check';
import { recordDomainCheck } from './domain-lifecycle';
import { DOMAIN_CHECK_INTERVALS } from './domain-state';

/** The sweep's name among the credits line's jobs. */
export const DOMAIN_JOB = 'credits.whitelabel_domains';

/** Claims taken per round; a round's lookups run this many at a time. */
const BATCH = 50;
const LOOKUPS_AT_ONCE = 10;
/** Rounds per run at most, so one run ends even when many claims fall due at once. */
const MAX_ROUNDS = 20;

export interface DomainCheckRun {
  checked: number;
  /** Claims whose check threw (logged); each keeps the lease as its next check, so it is tried again. */
  failed: number;
}

/**
 * Takes the claims whose check is due (a claim with no next check yet is due: one made before the job
 * existed) and gives each a lease as its next check, in one short transaction that skips rows another
 * process took: across Tally processes each due claim is checked once, and one whose process died
 * mid-check is checked again when the lease ends.
 */
async function takeDueClaims(deps: CreditsDeps) {
  const now = deps.clock.now();
  const leaseEnd = new Date(now.getTime() + DOMAIN_CHECK_INTERVALS.lease);
  return deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: whitelabels.id })
      .from(whitelabels)
      .where(
        and(
          or(isNull(whitelabels.nextCheckAt), lte(whitelabels.nextCheckAt, now)),
          // Names under .localhost are this machine's: no records to check, never suspended.
          notLike(whitelabels.domain, '%.localhost'),
        ),
      )
      .orderBy(asc(whitelabels.nextCheckAt))
      .limit(BATCH)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(whitelabels)
      .set({ nextCheckAt: leaseEnd })
      .where(
        inArray(
          whitelabels.id,
          due.map((row) => row.id),
        ),
      )
      .returning();
  });
}

/**
 * Checks every claim that is due: its records are read with no transaction open, then what they say
 * is recorded in a transaction of its own per claim (pending → verified → active, drift, suspension,
 * recovery), as the system.
 */
export async function checkDueDomains(deps: CreditsDeps, log?: Logger): Promise<DomainCheckRun> {
  const run: DomainCheckRun = { checked: 0, failed: 0 };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const claims = await takeDueClaims(deps);
    for (let start = 0; start < claims.length; start += LOOKUPS_AT_ONCE) {
      await Promise.all(
        claims.slice(start, start + LOOKUPS_AT_ONCE).map(async (claim) => {
          try {
            const reading = await readDomainRecords(deps.dns, claim);
            await deps.db.transaction((tx) => recordDomainCheck(tx, deps, systemActor, claim.id, reading));
            run.checked += 1;
          } catch (error) {
            run.failed += 1;
            log?.warn({ err: error, whitelabelId: claim.id, domain: claim.domain }, 'domain check failed');
          }
        }),
      );
    }
    if (claims.length < BATCH) break;
  }
  return run;
}

/** Runs the domain check every minute, in every process: the leases keep each claim's check to one. */
export function registerDomainJobs(jobs: JobRunner, deps: CreditsDeps, log?: Logger): void {
  jobs.every(DOMAIN_JOB, 60_000, () => checkDueDomains(deps, log));
}
