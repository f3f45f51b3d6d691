import { and, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Db } from '../../core/database';
import { notify } from '../../core/notifications/service';
import type { CreditsDeps } from '../deps';
import { CREDITS_NOTIFICATIONS } from '../notifications';
import type { DomainState } from '../schema';
import { tenantDatabases, whitelabels } from '../schema';
import { type DomainReading, type DomainVerdict, judgeReading } from './domain-check';
import { domainUrl } from './domain-names';
import {
  domainMachine,
  nextCheckAt,
  RELEASE_AFTER_SUSPENDED_MS,
  SUSPEND_AFTER_FAILED_CHECKS,
} from './domain-state';

/**
 * A claim's moves between its states, each in the caller's transaction with its audit entry, and
 * what a check of its records does to it. The owner is told of a move they did not make themselves
 * (the job's): a domain that went live, was suspended, or is active again.
 */

export type Whitelabel = typeof whitelabels.$inferSelect;
type Moves = Pick<CreditsDeps, 'clock' | 'publicUrl' | 'notificationTypes'>;

const DOMAIN_PAGE = '/credits/reseller/domain';

async function moveDomain(
  tx: Db,
  deps: Moves,
  actor: Actor,
  claim: Whitelabel,
  to: DomainState,
  changes: Partial<Whitelabel>,
  details: Record<string, unknown> = {},
): Promise<Whitelabel> {
  const status = domainMachine.move(claim.status, to);
  const [moved] = await tx
    .update(whitelabels)
    .set({ ...changes, status, updatedAt: deps.clock.now() })
    .where(eq(whitelabels.id, claim.id))
    .returning();
  await recordAudit(tx, deps.clock, actor, {
    action: `credits.whitelabel.${ACTIONS[to]}`,
    objectType: 'credits_whitelabel',
    objectId: claim.id,
    details: { domain: claim.domain, from: claim.status, to, ...details },
  });
  return moved!;
}

const ACTIONS: Record<DomainState, string> = {
  pending: 'set_domain',
  verified: 'verify',
  active: 'activate',
  suspended: 'suspend',
};

async function tellOwner(
  tx: Db,
  deps: Moves,
  actor: Actor,
  claim: Whitelabel,
  message: { type: string; title: string; body: string; dedupeKey: string },
): Promise<void> {
  // Whoever made the move sees it on the page; the owner hears of what the job did.
  if (actor.userId === claim.userId) return;
  await notify(
    tx,
    { clock: deps.clock, types: deps.notificationTypes, publicUrl: deps.publicUrl },
    {
      userId: claim.userId,
      link: DOMAIN_PAGE,
      data: { whitelabelId: claim.id, domain: claim.domain },
      ...message,
    },
  );
}

/**
 * Proves a pending claim: the first proof of a name wins it (the unique index over verified names
 * settles a race), and every other reseller's unproven claim of it goes. Null when another reseller
 * holds the name already: this claim goes instead.
 */
export async function verifyDomain(
  tx: Db,
  deps: Moves,
  actor: Actor,
  claim: Whitelabel,
): Promise<Whitelabel | null> {
  const now = deps.clock.now();
  const [holder] = await tx
    .select({ id: whitelabels.id })
    .from(whitelabels)
    .where(
      and(
        eq(whitelabels.domain, claim.domain),
        isNotNull(whitelabels.dnsVerifiedAt),
        ne(whitelabels.id, claim.id),
      ),
    );
  if (holder) {
    await tx.delete(whitelabels).where(eq(whitelabels.id, claim.id));
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.whitelabel.displace',
      objectType: 'credits_whitelabel',
      objectId: claim.id,
      details: { domain: claim.domain, heldBy: holder.id },
    });
    return null;
  }
  const displaced = await tx
    .delete(whitelabels)
    .where(
      and(
        eq(whitelabels.domain, claim.domain),
        isNull(whitelabels.dnsVerifiedAt),
        ne(whitelabels.id, claim.id),
      ),
    )
    .returning({ id: whitelabels.id, userId: whitelabels.userId });
  // A claim that ends without its owner doing anything is news to them: say why, and what to do.
  for (const other of displaced) {
    await notify(
      tx,
      { clock: deps.clock, types: deps.notificationTypes, publicUrl: deps.publicUrl },
      {
        userId: other.userId,
        type: CREDITS_NOTIFICATIONS.domainTaken,
        title: `${claim.domain} was proven by another reseller`,
        body: `Another reseller put its own token in the TXT record of ${claim.domain} and pointed the domain at Tally before you did, so the domain is theirs here and your claim of it ended. If the domain is yours, whoever controls its DNS gave it to them: take it back there, then ask Tally's support.`,
        link: DOMAIN_PAGE,
        data: { whitelabelId: other.id, domain: claim.domain },
        dedupeKey: `credits_domain_taken:${other.id}`,
      },
    );
  }
  return moveDomain(
    tx,
    deps,
    actor,
    claim,
    'verified',
    { dnsVerifiedAt: now, failedChecks: 0 },
    { displacedClaims: displaced.map((d) => d.userId) },
  );
}

/**
 * The step from verified to active: the domain serves the reseller's customers from now on. A
 * reseller that asked for a database of its own waits until it is ready (its customers' data goes
 * nowhere else): the domain stays verified, and the job takes the step again at every check.
 */
export async function activateDomain(
  tx: Db,
  deps: Moves,
  actor: Actor,
  claim: Whitelabel,
): Promise<Whitelabel> {
  const [own] = await tx
    .select({ state: tenantDatabases.state })
    .from(tenantDatabases)
    .where(eq(tenantDatabases.userId, claim.userId));
  // A database being made holds the domain back until it can serve; a retired one is not served.
  if (own && own.state !== 'ready' && own.state !== 'retired') return claim;
  const active = await moveDomain(tx, deps, actor, claim, 'active', {
    activatedAt: deps.clock.now(),
    failedChecks: 0,
  });
  await tellOwner(tx, deps, actor, active, {
    type: CREDITS_NOTIFICATIONS.domainActive,
    title: `${active.domain} is live`,
    body: `Its DNS records are right: your customers reach your products at ${domainUrl(active.domain, deps.publicUrl)}.`,
    dedupeKey: `credits_domain_active:${active.id}:${active.challengeToken}`,
  });
  return active;
}

/**
 * A domain suspended for a month, its records still wrong, is let go: the claim is pending again, no
 * longer proven, so whoever points the domain at Tally with their own token can take it; if its
 * reseller puts the records right, the claim is proven and active again as any new one.
 */
async function releaseDomain(
  tx: Db,
  deps: Moves,
  actor: Actor,
  claim: Whitelabel,
  reason: string,
): Promise<Whitelabel> {
  const released = await moveDomain(
    tx,
    deps,
    actor,
    claim,
    'pending',
    { dnsVerifiedAt: null, activatedAt: null, suspendedAt: null, suspensionReason: null, failedChecks: 0 },
    { reason, released: true },
  );
  await tellOwner(tx, deps, actor, released, {
    type: CREDITS_NOTIFICATIONS.domainReleased,
    title: `${released.domain} was let go`,
    body: `${reason} It stayed so for a month after the domain was suspended, so it is no longer held for you: anyone who points it at Tally and proves it with their own TXT record can take it. Put both records right and it is yours and live again.`,
    dedupeKey: `credits_domain_released:${released.id}:${deps.clock.now().toISOString()}`,
  });
  return released;
}

async function suspendDomain(
  tx: Db,
  deps: Moves,
  actor: Actor,
  claim: Whitelabel,
  reason: string,
): Promise<Whitelabel> {
  const now = deps.clock.now();
  const suspended = await moveDomain(
    tx,
    deps,
    actor,
    claim,
    'suspended',
    { suspendedAt: now, suspensionReason: reason },
    { reason },
  );
  await tellOwner(tx, deps, actor, suspended, {
    type: CREDITS_NOTIFICATIONS.domainSuspended,
    title: `${suspended.domain} is suspended`,
    body: `${reason} Tally found it so ${SUSPEND_AFTER_FAILED_CHECKS} checks in a row, so your customers no longer reach your products there. Put the record right at your DNS provider: the domain is active again at the first check that finds both records right.`,
    dedupeKey: `credits_domain_suspended:${suspended.id}:${now.toISOString()}`,
  });
  return suspended;
}

async function reactivateDomain(tx: Db, deps: Moves, actor: Actor, claim: Whitelabel): Promise<Whitelabel> {
  const now = deps.clock.now();
  const active = await moveDomain(
    tx,
    deps,
    actor,
    claim,
    'active',
    { activatedAt: now, suspendedAt: null, suspensionReason: null, failedChecks: 0 },
    { suspendedAt: claim.suspendedAt?.toISOString() ?? null, reason: claim.suspensionReason },
  );
  await tellOwner(tx, deps, actor, active, {
    type: CREDITS_NOTIFICATIONS.domainReactivated,
    title: `${active.domain} is active again`,
    body: `Its DNS records are right again: your customers reach your products at ${domainUrl(active.domain, deps.publicUrl)}.`,
    dedupeKey: `credits_domain_reactivated:${active.id}:${now.toISOString()}`,
  });
  return active;
}

/** Problems as one sentence its owner reads: "The CNAME of … points to …, not …." */
export const inWords = (problems: readonly string[]): string => {
  const text = problems.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
};

export type RecordedCheck =
  | { outcome: 'checked'; whitelabel: Whitelabel; verdict: DomainVerdict }
  /** Another reseller had proven the name first: this claim is gone. */
  | { outcome: 'displaced'; verdict: DomainVerdict }
  /** The claim changed (a new domain, a new token) since its records were read: the reading is dropped. */
  | { outcome: 'stale' };

/**
 * What a reading does to its claim, in `tx` under the claim's row lock. A right answer clears the
 * count of wrong ones and moves the claim on (pending → verified → active, suspended → active); a wrong
 * one counts, and the third in a row suspends a verified or active domain; a failed lookup counts
 * nothing. Either way the claim is given its next check.
 */
export async function recordDomainCheck(
  tx: Db,
  deps: Moves,
  actor: Actor,
  claimId: string,
  reading: DomainReading,
): Promise<RecordedCheck> {
  const [claim] = await tx.select().from(whitelabels).where(eq(whitelabels.id, claimId)).for('update');
  if (
    !claim ||
    claim.domain !== reading.claim.domain ||
    claim.challengeToken !== reading.claim.challengeToken ||
    claim.cnameTarget !== reading.claim.cnameTarget
  ) {
    return { outcome: 'stale' };
  }
  const verdict = judgeReading(reading);
  let current: Whitelabel = claim;
  let failedChecks = claim.failedChecks;
  if (verdict.answer === 'right') {
    failedChecks = 0;
    if (current.status === 'pending') {
      const verified = await verifyDomain(tx, deps, actor, current);
      if (!verified) return { outcome: 'displaced', verdict };
      current = verified;
    }
    if (current.status === 'verified') current = await activateDomain(tx, deps, actor, current);
    if (current.status === 'suspended') current = await reactivateDomain(tx, deps, actor, current);
  } else if (verdict.answer === 'wrong') {
    failedChecks += 1;
    const serving = current.status === 'active' || current.status === 'verified';
    if (serving && failedChecks >= SUSPEND_AFTER_FAILED_CHECKS) {
      current = await suspendDomain(tx, deps, actor, current, inWords(verdict.problems));
    } else if (
      current.status === 'suspended' &&
      current.suspendedAt &&
      deps.clock.now().getTime() - current.suspendedAt.getTime() >= RELEASE_AFTER_SUSPENDED_MS
    ) {
      current = await releaseDomain(tx, deps, actor, current, inWords(verdict.problems));
    }
  }
  const now = deps.clock.now();
  // A suspended domain's reason is what is wrong now, as its owner fixes one record and then the other.
  const suspensionReason =
    current.status === 'suspended' && verdict.answer === 'wrong'
      ? inWords(verdict.problems)
      : current.suspensionReason;
  const [checked] = await tx
    .update(whitelabels)
    .set({
      failedChecks,
      suspensionReason,
      lastCheckedAt: now,
      nextCheckAt: nextCheckAt({ ...current, failedChecks }, verdict.answer, now),
      updatedAt: now,
    })
    .where(eq(whitelabels.id, claim.id))
    .returning();
  return { outcome: 'checked', whitelabel: checked!, verdict };
}
