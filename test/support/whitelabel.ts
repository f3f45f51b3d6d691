import { sql } from 'drizzle-orm';
import type { TestPerson, TestTally } from './app';
import { buy, customerOf, ok } from './credits';

/**
 * Test support for resellers' domains: a reseller that has claimed one through the API, and the
 * states the domain job would move it to, written as the job writes them, for tests about what a
 * domain in that state does rather than how it gets there.
 */

let domains = 0;

/** A public domain no other claim of this run names. */
export const freshDomain = (label = 'shop') => `${label}${++domains}-${Date.now().toString(36)}.example.com`;

export interface ResellerWithDomain {
  person: TestPerson;
  domain: string;
  whitelabelId: string;
  /** What the TXT record at `_tally-challenge.<domain>` must hold to prove the claim. */
  challenge: string;
}

/** Where the domain job leaves a proven claim: serving, or found drifted since. */
export type SettledDomainState = 'active' | 'suspended';

/**
 * A whitelabel reseller (a new buyer of `whitelabelProductId`, or `person` once it has bought it)
 * that has claimed `domain`, a fresh one unless given: pending, unless `state` says where the domain
 * job has since moved it.
 */
export async function resellerWithDomain(
  tally: TestTally,
  admin: TestPerson,
  whitelabelProductId: string,
  options: { domain?: string; state?: 'pending' | SettledDomainState; person?: TestPerson } = {},
): Promise<ResellerWithDomain> {
  const person = options.person ?? (await customerOf(tally, admin, whitelabelProductId));
  if (options.person) await buy(tally, admin, person.email, whitelabelProductId);
  const claim = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
    as: person,
    body: { domain: options.domain ?? freshDomain() },
  });
  if (options.state && options.state !== 'pending') await moveDomain(tally, claim.id, options.state);
  return { person, domain: claim.domain, whitelabelId: claim.id, challenge: claim.challenge.value };
}

/** The domain job's verdict on a claim, as it writes it. */
export async function moveDomain(
  tally: TestTally,
  whitelabelId: string,
  state: SettledDomainState,
): Promise<void> {
  const now = tally.clock.now();
  await tally.database.db.execute(
    state === 'active'
      ? sql`UPDATE credits_whitelabels
            SET status = 'active', dns_verified_at = ${now}, activated_at = ${now}, suspended_at = NULL,
                suspension_reason = NULL
            WHERE id = ${whitelabelId}`
      : sql`UPDATE credits_whitelabels
            SET status = 'suspended', dns_verified_at = coalesce(dns_verified_at, ${now}),
                activated_at = coalesce(activated_at, ${now}), suspended_at = ${now},
                suspension_reason = 'Its records were found wrong three checks in a row.'
            WHERE id = ${whitelabelId}`,
  );
}
