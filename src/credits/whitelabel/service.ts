import { eq } from 'drizzle-orm';
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
 * CNAME record must point to (the host of PUBLIC_URL), and a check resolves the record and notes when
 * it first pointed right. The seed's separate database per reseller is not made: see the README.
 */

export type Whitelabel = typeof whitelabels.$inferSelect;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name as DNS has it: lower case, no trailing dot, two labels or more, 253 characters at most. */
export function normalizeDomain(domain: string): string {
  const host = domain.trim().toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    throw new AppError('validation_failed', `"${domain}" is not a domain name`, { field: 'domain' });
  }
  return host;
}

export const cnameTargetOf = (publicUrl: string): string => new URL(publicUrl).hostname.toLowerCase();

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
      const [taken] = await tx.select().from(whitelabels).where(eq(whitelabels.domain, domain));
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
            .set({ domain, cnameTarget, dnsVerifiedAt: null, lastCheckedAt: null, updatedAt: now })
            .where(eq(whitelabels.id, before.id))
            .returning()
        : await tx
            .insert(whitelabels)
            .values({ id: newId(), userId, domain, cnameTarget, createdAt: now, updatedAt: now })
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
    // Two resellers claiming one domain at the same moment: the unique index decides.
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
  /** Whether the CNAME record points at Tally now. */
  verified: boolean;
  /** What the domain's CNAME records point to now (empty when it has none). */
  found: string[];
}

/**
 * Looks up the domain's CNAME record now. The first time it points at Tally, `dns_verified_at` is
 * set, and stays: a later failed lookup (a DNS hiccup) does not unverify a domain; changing it does.
 */
export async function checkWhitelabelDns(deps: CreditsDeps, actor: Actor): Promise<DnsCheck> {
  const current = await getWhitelabel(deps, actor);
  let found: string[];
  try {
    found = (await deps.resolveCname(current.domain)).map((host) => host.toLowerCase().replace(/\.$/, ''));
  } catch {
    found = [];
  }
  const verified = found.includes(current.cnameTarget);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [row] = await tx
      .update(whitelabels)
      .set({
        lastCheckedAt: now,
        dnsVerifiedAt: verified && !current.dnsVerifiedAt ? now : current.dnsVerifiedAt,
        updatedAt: now,
      })
      .where(eq(whitelabels.id, current.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.whitelabel.check_dns',
      objectType: 'credits_whitelabel',
      objectId: current.id,
      details: { domain: current.domain, verified, found },
    });
    return { whitelabel: row!, verified, found };
  });
}
