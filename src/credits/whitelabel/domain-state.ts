import { defineStateMachine } from '../../core/state-machine';
import type { DomainState } from '../schema';
import { isDevelopmentDomain } from './domain-names';

/**
 * A claimed domain is `pending` until both of its records are found; then `verified` (proven the
 * reseller's, so the name is theirs alone) and, at once today, `active` (serving the reseller's
 * customers). An active domain whose records go wrong several checks in a row is `suspended`, and
 * `active` again as soon as they are right. A new domain is a new claim: `pending` from any state.
 */
export const domainMachine = defineStateMachine<DomainState>({
  name: 'domain',
  moves: {
    pending: ['verified'],
    verified: ['active', 'suspended', 'pending'],
    active: ['suspended', 'pending'],
    suspended: ['active', 'pending'],
  },
  refusals: {
    pending: 'the domain is not proven yet: it cannot serve or be suspended',
    verified: 'the domain is verified already',
    active: 'the domain is active already',
    suspended: 'the domain is suspended: it is active again only once its records are right',
  },
});

/** Wrong answers in a row after which a verified or active domain is suspended. */
export const SUSPEND_AFTER_FAILED_CHECKS = 3;

/**
 * How long a domain stays suspended, its records still wrong, before its claim is released: a
 * domain that lapsed, or was sold, must not stay a reseller's on Tally for good.
 */
export const RELEASE_AFTER_SUSPENDED_MS = 30 * 24 * 60 * 60_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How often the domain job looks at a claim's records. A pending claim is checked every minute for
 * its first day of wrong answers (1,440 checks: the reseller is likely adding the records now), then
 * every quarter of an hour; an active domain hourly, every ten minutes once a check found it wrong (so
 * a drift suspends it twenty minutes after it was first seen, and a record being edited does not),
 * five minutes after a lookup that failed; a suspended domain every five minutes for a day, then
 * every quarter of an hour.
 */
export const DOMAIN_CHECK_INTERVALS = {
  pending: MINUTE,
  pendingFastChecks: DAY / MINUTE,
  pendingLater: 15 * MINUTE,
  active: HOUR,
  afterWrongAnswer: 10 * MINUTE,
  afterFailedLookup: 5 * MINUTE,
  suspended: 5 * MINUTE,
  suspendedFastFor: DAY,
  suspendedLater: 15 * MINUTE,
  /** How long a check the job has started holds its claim: a process that died mid-check is retried then. */
  lease: 5 * MINUTE,
} as const;

/**
 * When a claim is checked next, after a check whose answer was right, wrong or failed; never for a
 * `.localhost` name, which has no records to check and is never suspended.
 */
export function nextCheckAt(
  claim: { domain: string; status: DomainState; failedChecks: number; suspendedAt: Date | null },
  answer: 'right' | 'wrong' | 'failed',
  now: Date,
): Date | null {
  if (isDevelopmentDomain(claim.domain)) return null;
  const after = (ms: number) => new Date(now.getTime() + ms);
  const every = DOMAIN_CHECK_INTERVALS;
  switch (claim.status) {
    case 'pending':
      return after(claim.failedChecks < every.pendingFastChecks ? every.pending : every.pendingLater);
    case 'verified':
      return after(every.pending);
    case 'active':
      if (answer === 'failed') return after(every.afterFailedLookup);
      return after(claim.failedChecks > 0 ? every.afterWrongAnswer : every.active);
    case 'suspended': {
      const since = now.getTime() - (claim.suspendedAt ?? now).getTime();
      return after(since < every.suspendedFastFor ? every.suspended : every.suspendedLater);
    }
  }
}
