import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { and, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { pgErrorCode, UNIQUE_VIOLATION } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { lockCustomer } from '../people/customers';
import { whitelabels } from '../schema';

/**
 * A whitelabel reseller's own domain (seed §4): it names the domain, Tally answers the host its
 * CNAME record must point to (the host of PUBLIC_URL) and a token for a TXT record at
 * `_tally-challenge.<domain>` that proves the domain is the reseller's (the seed has no such proof:
 * without it, whoever checks first takes a domain its owner pointed at Tally). Several resellers may
 * claim a name while none has proven it; the first to prove it holds it, and the other claims go.
 * Only a verified domain shows anything. The seed's separate database per reseller is not made: see
 * the README.
 */

export type Whitelabel = typeof whitelabels.$inferSelect;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A host name as DNS has it: lower case, no trailing dot, two labels or more, 253 characters at most,
 * and a top-level label that is not a number (so no IP address) nor a name that never leaves the
 * machine or the local network.
 */
export function normalizeDomain(domain: string): string {
  const host = domain.trim().toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  const top = labels.at(-1) ?? '';
  if (
    host.length > 253 ||
    labels.length < 2 ||
    !labels.every((label) => LABEL.test(label)) ||
    /^\d+$/.test(top) ||
    LOCAL_NAMES.has(top)
  ) {
    throw new AppError('validation_failed', `"${domain}" is not a public domain name`, { field: 'domain' });
  }
  return host;
}

/** Top-level names that never reach the public DNS (RFC 6761, RFC 6762, RFC 8375, RFC 2606). */
const LOCAL_NAMES = new Set([
  'localhost',
  'local',
  'internal',
  'lan',
  'home',
  'arpa',
  'invalid',
  'test',
  'example',
]);

/** Where the TXT record that proves a claim lives. */
export const challengeHostOf = (domain: string): string => `_tally-challenge.${domain}`;

export const cnameTargetOf = (publicUrl: string): string => new URL(publicUrl).hostname.toLowerCase();

/**
 * Why no domain can point its CNAME at this Tally, or null: its public address is the machine's own
 * name (`localhost`, a development install), a single label, or an IP address (a CNAME names a host,
 * never an address).
 */
export function publicAddressProblem(publicUrl: string): string | null {
  const host = cnameTargetOf(publicUrl).replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.endsWith('.localhost');
  if (!loopback && !isIP(host) && host.includes('.')) return null;
  return `This Tally's public address is ${publicUrl}, which a domain's CNAME record cannot point at${loopback ? ' (it is this machine’s own name)' : ''}. Whoever runs this Tally sets PUBLIC_URL to its public host name (for example https://tally.example.com); then set your domain here.`;
}

/**
 * Sets (or changes) the caller's domain. A change forgets the earlier verification: the new name has
 * to be pointed at Tally and checked again. A domain another reseller has is a conflict.
 */
export async function setWhitelabelDomain(
  deps: CreditsDeps,
  actor: Actor,
  input: { domain: string },
): Promise<Whitelabel> {
  const userId = requireUser(actor);
  const domain = normalizeDomain(input.domain);
  const cnameTarget = cnameTargetOf(deps.publicUrl);
  const problem = publicAddressProblem(deps.publicUrl);
  if (problem) throw creditsErrors.error('public_url_not_public', problem, { cname_target: cnameTarget });
  if (domain === cnameTarget || domain.endsWith(`.${cnameTarget}`)) {
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
      const [taken] = await tx
        .select()
        .from(whitelabels)
        .where(and(eq(whitelabels.domain, domain), isNotNull(whitelabels.dnsVerifiedAt)));
      if (taken && taken.userId !== userId) {
        throw creditsErrors.error('domain_taken', `${domain} is already set up by another reseller`, {
          field: 'domain',
        });
      }
      const [before] = await tx
        .select()
        .from(whitelabels)
        .where(eq(whitelabels.userId, userId))
        .for('update');
      if (before && before.domain === domain && before.cnameTarget === cnameTarget) return before;
      const now = deps.clock.now();
      const [row] = before
        ? await tx
            .update(whitelabels)
            .set({
              domain,
              cnameTarget,
              challengeToken: newChallengeToken(),
              dnsVerifiedAt: null,
              lastCheckedAt: null,
              updatedAt: now,
            })
            .where(eq(whitelabels.id, before.id))
            .returning()
        : await tx
            .insert(whitelabels)
            .values({
              id: newId(),
              userId,
              domain,
              cnameTarget,
              challengeToken: newChallengeToken(),
              createdAt: now,
              updatedAt: now,
            })
            .returning();
      await recordAudit(tx, deps.clock, actor, {
        action: 'credits.whitelabel.set_domain',
        objectType: 'credits_whitelabel',
        objectId: row!.id,
        details: { domain, previous: before?.domain ?? null, cnameTarget },
      });
      return row!;
    });
  } catch (error) {
    // A claim made the moment another was verified: the unique index of verified names decides.
    if (pgErrorCode(error) === UNIQUE_VIOLATION) {
      throw creditsErrors.error('domain_taken', `${domain} is already set up by another reseller`, {
        field: 'domain',
      });
    }
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
}

/**
 * Looks up the domain's CNAME record and its challenge TXT record now. The first time both are right
 * the claim is verified, and stays so: a later failed lookup (a DNS hiccup) does not unverify a
 * domain; changing it does. Verifying a name ends the other resellers' unproven claims of it.
 */
export async function checkWhitelabelDns(deps: CreditsDeps, actor: Actor): Promise<DnsCheck> {
  const current = await getWhitelabel(deps, actor);
  const found = await lookUp(() => deps.dns.cname(current.domain)).then((hosts) =>
    hosts.map((host) => host.toLowerCase().replace(/\.$/, '')),
  );
  const texts = await lookUp(() => deps.dns.txt(challengeHostOf(current.domain)));
  const challengeFound = texts.some((chunks) => chunks.join('').trim() === current.challengeToken);
  const provenNow = found.includes(current.cnameTarget) && challengeFound;
  try {
    return await deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const verifiedAt = current.dnsVerifiedAt ?? (provenNow ? now : null);
      const [row] = await tx
        .update(whitelabels)
        .set({ lastCheckedAt: now, dnsVerifiedAt: verifiedAt, updatedAt: now })
        .where(eq(whitelabels.id, current.id))
        .returning();
      const displaced =
        verifiedAt && !current.dnsVerifiedAt
          ? await tx
              .delete(whitelabels)
              .where(
                and(
                  eq(whitelabels.domain, current.domain),
                  isNull(whitelabels.dnsVerifiedAt),
                  ne(whitelabels.id, current.id),
                ),
              )
              .returning({ id: whitelabels.id, userId: whitelabels.userId })
          : [];
      await recordAudit(tx, deps.clock, actor, {
        action: 'credits.whitelabel.check_dns',
        objectType: 'credits_whitelabel',
        objectId: current.id,
        details: {
          domain: current.domain,
          verified: verifiedAt !== null,
          found,
          challengeFound,
          displacedClaims: displaced.map((d) => d.userId),
        },
      });
      return { whitelabel: row!, verified: verifiedAt !== null, found, challengeFound };
    });
  } catch (error) {
    // Another reseller proved the same name at the same moment: theirs it is.
    if (pgErrorCode(error) === UNIQUE_VIOLATION) {
      throw creditsErrors.error('domain_taken', `${current.domain} is already set up by another reseller`, {
        field: 'domain',
      });
    }
    throw error;
  }
}

/** A DNS answer, or nothing when the name has no such record (or the lookup failed: checked again later). */
async function lookUp<T>(query: () => Promise<T[]>): Promise<T[]> {
  try {
    return await query();
  } catch {
    return [];
  }
}

const newChallengeToken = () => `tally-${randomBytes(16).toString('hex')}`;
