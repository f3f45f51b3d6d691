import type { DomainResolver } from '../deps';
import { challengeHostOf } from './domain-names';

/**
 * What the DNS says of a claim's two records, and what that means: right, wrong (a definitive
 * answer its owner can act on), or unknown (the lookup failed, which says nothing about the records).
 */

/** One lookup: the records found, none (the name or the record does not exist), or no answer at all. */
export type Lookup<T> = { kind: 'found'; records: T[] } | { kind: 'none' } | { kind: 'failed'; code: string };

/**
 * `node:dns` codes that are the DNS's own definitive answer: NXDOMAIN (ENOTFOUND) and an empty answer
 * (ENODATA). Every other code (ETIMEOUT, ESERVFAIL, ECONNREFUSED, EREFUSED…) means no answer came.
 */
const NO_SUCH_RECORD = new Set(['ENOTFOUND', 'ENODATA']);

async function lookUp<T>(query: () => Promise<T[]>): Promise<Lookup<T>> {
  try {
    const records = await query();
    return records.length === 0 ? { kind: 'none' } : { kind: 'found', records };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && NO_SUCH_RECORD.has(code)) return { kind: 'none' };
    return { kind: 'failed', code: typeof code === 'string' ? code : 'EUNKNOWN' };
  }
}

/** A claim as the check needs it. */
export interface ClaimRecords {
  domain: string;
  cnameTarget: string;
  challengeToken: string;
}

export interface DomainReading {
  /** The claim the records were read for: a reading of an older claim of the row is dropped. */
  claim: ClaimRecords;
  /** Where the domain's CNAME record points (lower case, no trailing dot). */
  cname: Lookup<string>;
  /** The values of the TXT records at `_tally-challenge.<domain>`, each record's strings joined. */
  challenge: Lookup<string>;
}

/** Looks both records up, side by side. No transaction is open: DNS can take seconds. */
export async function readDomainRecords(dns: DomainResolver, claim: ClaimRecords): Promise<DomainReading> {
  const [cname, challenge] = await Promise.all([
    lookUp(() => dns.cname(claim.domain)).then(
      (found): Lookup<string> =>
        found.kind === 'found'
          ? { kind: 'found', records: found.records.map((host) => host.toLowerCase().replace(/\.$/, '')) }
          : found,
    ),
    lookUp(() => dns.txt(challengeHostOf(claim.domain))).then(
      (found): Lookup<string> =>
        found.kind === 'found'
          ? { kind: 'found', records: found.records.map((chunks) => chunks.join('').trim()) }
          : found,
    ),
  ]);
  return { claim, cname, challenge };
}

export type DomainVerdict =
  | { answer: 'right' }
  /** Each problem in words its owner can act on. */
  | { answer: 'wrong'; problems: string[] }
  /** The lookups that failed, by `node:dns` code. */
  | { answer: 'failed'; failures: string[] };

/**
 * Right when both records are; wrong when either is definitively wrong (whatever the other lookup
 * did); otherwise a lookup failed, and nothing is known.
 */
export function judgeReading({ claim, cname, challenge }: DomainReading): DomainVerdict {
  const problems: string[] = [];
  if (cname.kind === 'none') {
    problems.push(`${claim.domain} has no CNAME record; add one pointing to ${claim.cnameTarget}`);
  } else if (cname.kind === 'found' && !cname.records.includes(claim.cnameTarget)) {
    problems.push(
      `the CNAME of ${claim.domain} points to ${cname.records.join(', ')}, not ${claim.cnameTarget}`,
    );
  }
  const challengeHost = challengeHostOf(claim.domain);
  if (challenge.kind === 'none') {
    problems.push(`there is no TXT record at ${challengeHost}; add one holding ${claim.challengeToken}`);
  } else if (challenge.kind === 'found' && !challenge.records.includes(claim.challengeToken)) {
    problems.push(`the TXT record at ${challengeHost} does not hold ${claim.challengeToken}`);
  }
  if (problems.length > 0) return { answer: 'wrong', problems };
  const failures = [cname, challenge].flatMap((lookup) => (lookup.kind === 'failed' ? [lookup.code] : []));
  if (failures.length > 0) return { answer: 'failed', failures };
  return { answer: 'right' };
}

/** What a reading found, for the API and the audit log: where the CNAME points, and whether the token is there. */
export function foundRecords({ claim, cname, challenge }: DomainReading) {
  return {
    found: cname.kind === 'found' ? cname.records : [],
    challengeFound: challenge.kind === 'found' && challenge.records.includes(claim.challengeToken),
  };
}
