import { randomBytes } from 'node:crypto';
import { and, eq, isNotNull } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { pgErrorCode, UNIQUE_VIOLATION } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { lockCustomer } from '../people/customers';
import { whitelabels } from '../schema';
import { type DomainVerdict, foundRecords, readDomainRecords } from './domain-check';
import { activateDomain, recordDomainCheck, verifyDomain, type Whitelabel } from './domain-lifecycle';
import {
  cnameTargetOf,
  isDevelopmentDomain,
  isDevelopmentTally,
  normalizeDomain,
  publicAddressProblem,
} from './domain-names';
import { domainMachine } from './domain-state';

/**
 * A whitelabel reseller's own domain (seed §4): it names the domain, Tally answers the host its
 * CNAME record must point to (the host of PUBLIC_URL) and a token for a TXT record at
 * `_tally-challenge.<domain>` that proves the domain is the reseller's (the seed has no such proof:
 * without it, whoever checks first takes a domain its owner pointed at Tally). Several resellers may
 * claim a name while none has proven it; the first to prove it holds it, and the other claims go.
 * The domain job (domain-jobs.ts) checks every claim's records on its schedule; the reseller may
 * check now. The seed's separate database per reseller is not made: see the README.
 */

const taken = (domain: string) =>
  creditsErrors.error('domain_taken', `${domain} is already set up by another reseller`, { field: 'domain' });

/**
 * Sets (or changes) the caller's domain: a new claim, `pending` until its records are found, its
 * first check at the job's next run. A domain another reseller has proven is a conflict. On a
 * development Tally the name is one under `.localhost`, which reaches this machine with no records to
 * add: its claim is verified and active at once, first come first served.
 */
export async function setWhitelabelDomain(
  deps: CreditsDeps,
  actor: Actor,
  input: { domain: string },
): Promise<Whitelabel> {
  const userId = requireUser(actor);
  const development = isDevelopmentTally(deps.publicUrl);
  const domain = normalizeDomain(input.domain, { development });
  const cnameTarget = cnameTargetOf(deps.publicUrl);
  const problem = publicAddressProblem(deps.publicUrl);
  if (problem && !(development && isDevelopmentDomain(domain))) {
    throw creditsErrors.error('public_url_not_public', problem, { cname_target: cnameTarget });
  }
  if (domain === cnameTarget || (!development && domain.endsWith(`.${cnameTarget}`))) {
    throw new AppError('validation_failed', `${domain} is Tally's own; use a domain of yours`, {
      field: 'domain',
    });
  }
  try {
    return await deps.db.transaction(async (tx) => {
      const customer = await lockCustomer(tx, userId);
      if (customer?.type !== 'whitelabel') {
        throw new AppError(
          'forbidden',
          'only whitelabel resellers set up a domain; buy a whitelabel product first',
        );
      }
      const [holder] = await tx
        .select()
        .from(whitelabels)
        .where(and(eq(whitelabels.domain, domain), isNotNull(whitelabels.dnsVerifiedAt)));
      if (holder && holder.userId !== userId) throw taken(domain);
      const [before] = await tx
        .select()
        .from(whitelabels)
        .where(eq(whitelabels.userId, userId))
        .for('update');
      if (before && before.domain === domain && before.cnameTarget === cnameTarget) return before;
      const now = deps.clock.now();
      // A new claim: nothing of the earlier domain's proof, activation or drift carries over.
      const claim = {
        domain,
        cnameTarget,
        challengeToken: newChallengeToken(),
        status: 'pending' as const,
        dnsVerifiedAt: null,
        activatedAt: null,
        suspendedAt: null,
        suspensionReason: null,
        failedChecks: 0,
        lastCheckedAt: null,
        nextCheckAt: isDevelopmentDomain(domain) ? null : now,
        updatedAt: now,
      };
      if (before && before.status !== 'pending') domainMachine.move(before.status, 'pending');
      const [row] = before
        ? await tx.update(whitelabels).set(claim).where(eq(whitelabels.id, before.id)).returning()
        : await tx
            .insert(whitelabels)
            .values({ ...claim, id: newId(), userId, createdAt: now })
            .returning();
      await recordAudit(tx, deps.clock, actor, {
        action: 'credits.whitelabel.set_domain',
        objectType: 'credits_whitelabel',
        objectId: row!.id,
        details: {
          domain,
          previous: before?.domain ?? null,
          previousStatus: before?.status ?? null,
          cnameTarget,
        },
      });
      if (!isDevelopmentDomain(domain)) return row!;
      const verified = await verifyDomain(tx, deps, actor, row!);
      if (!verified) throw taken(domain);
      return activateDomain(tx, deps, actor, verified);
    });
  } catch (error) {
    // A claim made the moment another was verified: the unique index of verified names decides.
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw taken(domain);
    throw error;
  }
}

/** The caller's domain set-up, or for an administrator anyone's. */
export async function getWhitelabel(deps: CreditsDeps, actor: Actor, userId?: string): Promise<Whitelabel> {
  const subject = userId ?? requireUser(actor);
  if (subject !== actor.userId && !actor.isAdmin) throw notFound('whitelabel set-up');
  const [row] = await deps.db.select().from(whitelabels).where(eq(whitelabels.userId, subject));
  if (!row) throw notFound('whitelabel set-up');
  return row;
}

export interface DnsCheck {
  whitelabel: Whitelabel;
  /** Whether the domain is the reseller's, proven and pointed at Tally: now, or since earlier. */
  verified: boolean;
  /** What the domain's CNAME records point to now (empty when it has none). */
  found: string[];
  /** Whether the TXT record at `_tally-challenge.<domain>` holds this claim's token now. */
  challengeFound: boolean;
  /** What is wrong with the records, in words; empty when they are right or the lookup failed. */
  problems: string[];
  /** Whether a lookup got no answer (a timeout, a failing server): nothing was learnt or counted. */
  lookupFailed: boolean;
}

/**
 * Looks up the caller's records now and does what the job would do with the answer: the same moves
 * (pending → verified → active, the count of wrong answers, suspension, recovery), the same next check.
 * A `.localhost` name has no records to look up. Proving a name ends the other resellers' unproven
 * claims of it; a name another reseller proved first ends this claim.
 */
export async function checkWhitelabelDns(deps: CreditsDeps, actor: Actor): Promise<DnsCheck> {
  const current = await getWhitelabel(deps, actor);
  if (isDevelopmentDomain(current.domain)) {
    return {
      whitelabel: current,
      verified: current.dnsVerifiedAt !== null,
      found: [],
      challengeFound: false,
      problems: [],
      lookupFailed: false,
    };
  }
  const reading = await readDomainRecords(deps.dns, current);
  const { found, challengeFound } = foundRecords(reading);
  try {
    const recorded = await deps.db.transaction(async (tx) => {
      const result = await recordDomainCheck(tx, deps, actor, current.id, reading);
      const verdict: DomainVerdict | null = result.outcome === 'stale' ? null : result.verdict;
      await recordAudit(tx, deps.clock, actor, {
        action: 'credits.whitelabel.check_dns',
        objectType: 'credits_whitelabel',
        objectId: current.id,
        details: {
          domain: current.domain,
          outcome: result.outcome,
          answer: verdict?.answer ?? null,
          found,
          challengeFound,
          status: result.outcome === 'checked' ? result.whitelabel.status : null,
        },
      });
      return { result, verdict };
    });
    const { result, verdict } = recorded;
    if (result.outcome === 'displaced') throw taken(current.domain);
    if (result.outcome === 'stale') {
      // The domain changed while its records were read: the new claim, checked at the job's next run.
      const changed = await getWhitelabel(deps, actor);
      return {
        whitelabel: changed,
        verified: changed.dnsVerifiedAt !== null,
        found: [],
        challengeFound: false,
        problems: [],
        lookupFailed: false,
      };
    }
    return {
      whitelabel: result.whitelabel,
      verified: result.whitelabel.dnsVerifiedAt !== null,
      found,
      challengeFound,
      problems: verdict?.answer === 'wrong' ? verdict.problems : [],
      lookupFailed: verdict?.answer === 'failed',
    };
  } catch (error) {
    // Another reseller proved the same name at the same moment: theirs it is.
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw taken(current.domain);
    throw error;
  }
}

const newChallengeToken = () => `tally-${randomBytes(16).toString('hex')}`;
