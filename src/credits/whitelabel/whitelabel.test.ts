import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { counts, creditsAdmin, customerOf, makeProduct, ok } from '../../../test/support/credits';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { freshDomain, resellerWithDomain } from '../../../test/support/whitelabel';
import type { Actor } from '../../core/actor';
import { queryRows } from '../../core/database';
import type { CreditsDeps } from '../deps';
import { creditsSpender } from '../engine/spend-batch';
import { domainStates } from '../schema';
import { checkDueDomains } from './domain-jobs';
import { domainUrl, isDevelopmentTally, normalizeDomain, publicAddressProblem } from './domain-names';
import { domainMachine } from './domain-state';
import { checkWhitelabelDns, setWhitelabelDomain } from './service';

let tally: TestTally;
let admin: TestPerson;
let whitelabelProductId: string;

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  whitelabelProductId = (await makeProduct(tally, admin, { type: 'whitelabel', credits: 10 })).id;
});

const actorOf = (person: TestPerson): Actor => ({
  userId: person.userId,
  isAdmin: false,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
});

/** The services with a DNS that answers from tables: CNAME records, and TXT records by host. */
const depsWith = (records: Record<string, string[]>, texts: Record<string, string[]> = {}): CreditsDeps => ({
  db: tally.database.db,
  ownDb: tally.database.db,
  clock: tally.clock,
  spender: creditsSpender(tally.database, tally.clock),
  publicUrl: 'http://tally.test',
  kinds: tally.context.kinds,
  notificationTypes: tally.context.notificationTypes,
  dns: {
    cname: async (host) => {
      const found = records[host];
      if (!found) throw Object.assign(new Error(`queryCname ENODATA ${host}`), { code: 'ENODATA' });
      return found;
    },
    txt: async (host) => {
      const found = texts[host];
      if (!found) throw Object.assign(new Error(`queryTxt ENODATA ${host}`), { code: 'ENODATA' });
      // As DNS may split a long TXT value into strings of its own.
      return found.map((value) => [value.slice(0, 10), value.slice(10)]);
    },
  },
});

/** The challenge TXT record a claim asks for, as its owner would add it. */
const proofOf = (domain: string, token: string) => ({ [`_tally-challenge.${domain}`]: [token] });

/** A new reseller that has claimed a domain, a fresh one unless given. */
const claimant = (options: { domain?: string } = {}) =>
  resellerWithDomain(tally, admin, whitelabelProductId, options);

describe('where a domain points', () => {
  it('is the host of the public address, and none when that address is this machine or an IP address', async () => {
    expect(await ok(tally, 200, 'GET', '/api/credits/whitelabel/target', { as: admin })).toEqual({
      cname_target: 'tally.test',
      problem: null,
      development: false,
    });
    expect(publicAddressProblem('https://tally.example.com')).toBeNull();
    for (const url of [
      'http://localhost:3000',
      'http://app.localhost',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
      'http://tally',
    ]) {
      expect(publicAddressProblem(url), url).toContain('cannot point at');
    }
    expect(publicAddressProblem('http://localhost:3000')).toContain('this machine’s own name');

    const reseller = await customerOf(tally, admin, whitelabelProductId);
    const onLaptop = { ...depsWith({}), publicUrl: 'http://localhost:3000' };
    const before = await snapshotTables(tally.database.db, ['credits_whitelabels']);
    await expect(
      setWhitelabelDomain(onLaptop, actorOf(reseller), { domain: freshDomain() }),
    ).rejects.toMatchObject({
      code: 'public_url_not_public',
      message: expect.stringContaining('PUBLIC_URL'),
    });
    await expectUnchanged(tally.database.db, before);
  });
});

describe('a reseller’s domain', () => {
  it('is saved with the CNAME target to point it at, and verified once the DNS says so', async () => {
    const reseller = await customerOf(tally, admin, whitelabelProductId);
    const domain = freshDomain();
    const saved = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: reseller,
      body: { domain: `${domain.toUpperCase()}.` },
    });
    expect(saved).toMatchObject({
      domain,
      url: `https://${domain}`,
      status: 'pending',
      cname_target: 'tally.test',
      dns_verified_at: null,
      failed_checks: 0,
      next_check_at: tally.clock.now().toISOString(),
    });
    expect(saved.challenge).toEqual({
      host: `_tally-challenge.${domain}`,
      value: expect.stringMatching(/^tally-[0-9a-f]{32}$/),
    });

    const notYet = await checkWhitelabelDns(depsWith({}), actorOf(reseller));
    expect(notYet).toMatchObject({ verified: false, found: [], challengeFound: false, lookupFailed: false });
    expect(notYet.problems).toEqual([
      `${domain} has no CNAME record; add one pointing to tally.test`,
      `there is no TXT record at _tally-challenge.${domain}; add one holding ${saved.challenge.value}`,
    ]);
    expect(notYet.whitelabel).toMatchObject({ status: 'pending', failedChecks: 1 });
    expect(notYet.whitelabel.lastCheckedAt).not.toBeNull();

    const elsewhere = await checkWhitelabelDns(
      depsWith({ [domain]: ['other.example.net'] }, proofOf(domain, saved.challenge.value)),
      actorOf(reseller),
    );
    expect(elsewhere).toMatchObject({
      verified: false,
      found: ['other.example.net'],
      challengeFound: true,
      problems: [`the CNAME of ${domain} points to other.example.net, not tally.test`],
    });
    // Pointed at Tally, but not proven: still not verified.
    const unproven = await checkWhitelabelDns(depsWith({ [domain]: ['tally.test'] }), actorOf(reseller));
    expect(unproven).toMatchObject({ verified: false, found: ['tally.test'], challengeFound: false });

    tally.clock.advance(60_000);
    const pointed = await checkWhitelabelDns(
      depsWith({ [domain]: ['Tally.test.'] }, proofOf(domain, saved.challenge.value)),
      actorOf(reseller),
    );
    expect(pointed.verified).toBe(true);
    expect(pointed.whitelabel).toMatchObject({
      status: 'active',
      dnsVerifiedAt: tally.clock.now(),
      activatedAt: tally.clock.now(),
      failedChecks: 0,
    });

    const stored = await ok(tally, 200, 'GET', '/api/credits/whitelabel', { as: reseller });
    expect(stored.dns_verified_at).toBe(tally.clock.now().toISOString());
    // A new domain has to be pointed and checked again.
    const moved = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: reseller,
      body: { domain: freshDomain() },
    });
    expect(moved).toMatchObject({
      status: 'pending',
      dns_verified_at: null,
      activated_at: null,
      failed_checks: 0,
    });
  });

  it('can be claimed by several until one proves it, which then holds it alone', async () => {
    const domain = freshDomain();
    // The squatter claims first; the owner's claim is not refused for it.
    const { person: squatter, challenge: squattersToken } = await claimant({ domain });
    const { person: owner, challenge: ownersToken } = await claimant({ domain });
    expect(ownersToken).not.toBe(squattersToken);
    // The owner points the domain at Tally and adds their own token: the squatter's check finds
    // the CNAME right but not its token, so it verifies nothing.
    const ownersDns = depsWith({ [domain]: ['tally.test'] }, proofOf(domain, ownersToken));
    expect(await checkWhitelabelDns(ownersDns, actorOf(squatter))).toMatchObject({
      verified: false,
      challengeFound: false,
    });
    expect((await checkWhitelabelDns(ownersDns, actorOf(owner))).verified).toBe(true);
    // The proven claim displaced the other, and holds the name; the one displaced is told why.
    expect((await request(tally, 'GET', '/api/credits/whitelabel', { as: squatter })).status).toBe(404);
    const told = await read(await request(tally, 'GET', '/api/notifications', { as: squatter }));
    expect(told.items.map((n: { type: string; title: string }) => [n.type, n.title])).toContainEqual([
      'credits.domain_taken',
      `${domain} was proven by another reseller`,
    ]);
    const ownerTold = await read(await request(tally, 'GET', '/api/notifications', { as: owner }));
    expect(ownerTold.items.map((n: { type: string }) => n.type)).not.toContain('credits.domain_taken');
    const before = await counts(tally);
    const taken = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
      as: squatter,
      body: { domain },
    });
    expect(taken.status).toBe(409);
    expect((await read(taken)).error.code).toBe('domain_taken');
    expect(await counts(tally)).toEqual(before);
  });

  it('is let go after a month suspended with its records still wrong, for whoever proves it next', async () => {
    const { person: reseller, domain, whitelabelId, challenge } = await claimant();
    const status = async () =>
      (await ok(tally, 200, 'GET', '/api/credits/whitelabel', { as: reseller })).status;
    await checkWhitelabelDns(
      depsWith({ [domain]: ['tally.test'] }, proofOf(domain, challenge)),
      actorOf(reseller),
    );
    expect(await status()).toBe('active');
    const lapsed = depsWith({ [domain]: ['parked.example.net'] }, proofOf(domain, challenge));
    for (let check = 0; check < 3; check++) await checkWhitelabelDns(lapsed, actorOf(reseller));
    expect(await status()).toBe('suspended');

    // Suspended a while ago, as if the clock had run (moving the file's clock would end every session).
    const suspendedDaysAgo = (days: number) =>
      tally.database.db.execute(
        sql`UPDATE credits_whitelabels SET suspended_at = ${new Date(tally.clock.now().getTime() - days * 24 * 3600_000)}
            WHERE id = ${whitelabelId}`,
      );
    await suspendedDaysAgo(29);
    await checkWhitelabelDns(lapsed, actorOf(reseller));
    expect(await status()).toBe('suspended');
    await suspendedDaysAgo(31);
    await checkWhitelabelDns(lapsed, actorOf(reseller));
    const released = await ok(tally, 200, 'GET', '/api/credits/whitelabel', { as: reseller });
    expect(released).toMatchObject({ status: 'pending', dns_verified_at: null, activated_at: null });

    // The domain's new owner points it at Tally with its own token, and it is theirs.
    const newcomer = await claimant({ domain });
    const proven = await checkWhitelabelDns(
      depsWith({ [domain]: ['tally.test'] }, proofOf(domain, newcomer.challenge)),
      actorOf(newcomer.person),
    );
    expect(proven.verified).toBe(true);
    expect((await request(tally, 'GET', '/api/credits/whitelabel', { as: reseller })).status).toBe(404);
  });

  it('is never Tally’s own host, an address or a local name', async () => {
    const reseller = await customerOf(tally, admin, whitelabelProductId);
    const before = await counts(tally);
    for (const domain of ['shop.tally.test', '127.0.0.1', 'localhost', 'printer.local', 'db.internal']) {
      const refused = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
        as: reseller,
        body: { domain },
      });
      expect(refused.status, domain).toBe(400);
    }
    expect(await counts(tally)).toEqual(before);
    expect((await request(tally, 'GET', '/api/credits/whitelabel', { as: reseller })).status).toBe(404);
  });

  it('is set up by whitelabel resellers only, and read by them and administrators', async () => {
    const person = await signedInPerson(tally);
    const refused = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
      as: person,
      body: { domain: freshDomain() },
    });
    expect(refused.status).toBe(403);
    expect((await read(refused)).error.code).toBe('forbidden');

    const { person: reseller } = await claimant();
    const other = await request(tally, 'GET', `/api/credits/whitelabel?user_id=${reseller.userId}`, {
      as: person,
    });
    expect(other.status).toBe(404);
    await ok(tally, 200, 'GET', `/api/credits/whitelabel?user_id=${reseller.userId}`, { as: admin });
  });
});

describe('domain names', () => {
  it('are normalised, and refused when they are not host names', () => {
    expect(normalizeDomain(' Shop.Example.COM. ')).toBe('shop.example.com');
    for (const bad of [
      'localhost',
      'exa mple.com',
      '-bad.example.com',
      'a..b.com',
      `${'x'.repeat(64)}.com`,
    ]) {
      expect(() => normalizeDomain(bad), bad).toThrow(/not a public domain name/);
    }
  });
});

describe('a development Tally', () => {
  /** The services of a Tally at http://localhost:3000, whose DNS must never be asked. */
  const onLaptop = (): CreditsDeps => ({
    ...depsWith({}),
    publicUrl: 'http://localhost:3000',
    dns: {
      cname: async () => expect.unreachable('a .localhost name has no records to look up'),
      txt: async () => expect.unreachable('a .localhost name has no records to look up'),
    },
  });
  let names = 0;
  const freshLocalName = () => `acme${++names}-${Date.now().toString(36)}.localhost`;

  it('is one whose public address is this machine, and it says which names it takes', () => {
    for (const url of [
      'http://localhost:3000',
      'http://tally.localhost',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
    ]) {
      expect(isDevelopmentTally(url), url).toBe(true);
    }
    for (const url of ['https://tally.example.com', 'http://tally', 'http://10.0.0.5']) {
      expect(isDevelopmentTally(url), url).toBe(false);
    }
    expect(publicAddressProblem('http://localhost:3000')).toContain('use a name like acme.localhost');
    expect(publicAddressProblem('http://10.0.0.5')).not.toContain('acme.localhost');
    expect(domainUrl('acme.localhost', 'http://localhost:3000')).toBe('http://acme.localhost:3000');
    expect(domainUrl('app.example.com', 'http://localhost:3000')).toBe('https://app.example.com');
    expect(normalizeDomain('Acme.Localhost', { development: true })).toBe('acme.localhost');
    expect(() => normalizeDomain('acme.localhost')).toThrow(/not a public domain name/);
  });

  it('makes a .localhost name active at once, first come first served, and the job leaves it alone', async () => {
    const deps = onLaptop();
    const reseller = await customerOf(tally, admin, whitelabelProductId);
    const name = freshLocalName();
    const active = await setWhitelabelDomain(deps, actorOf(reseller), { domain: name.toUpperCase() });
    expect(active).toMatchObject({
      domain: name,
      status: 'active',
      cnameTarget: 'localhost',
      dnsVerifiedAt: tally.clock.now(),
      activatedAt: tally.clock.now(),
      nextCheckAt: null,
    });
    const audited = await queryRows<{ action: string }>(
      tally.database.db,
      sql`SELECT action FROM core_audit_log WHERE object_id = ${active.id} ORDER BY id`,
    );
    expect(audited.map((row) => row.action)).toEqual([
      'credits.whitelabel.set_domain',
      'credits.whitelabel.verify',
      'credits.whitelabel.activate',
    ]);
    // The reseller made it so: no notification of it.
    const told = await queryRows(
      tally.database.db,
      sql`SELECT 1 FROM core_notifications WHERE user_id = ${reseller.userId}`,
    );
    expect(told).toEqual([]);
    expect(await checkWhitelabelDns(deps, actorOf(reseller))).toMatchObject({
      verified: true,
      whitelabel: { status: 'active' },
    });

    const second = await customerOf(tally, admin, whitelabelProductId);
    const before = await snapshotTables(tally.database.db, ['credits_whitelabels']);
    await expect(setWhitelabelDomain(deps, actorOf(second), { domain: name })).rejects.toMatchObject({
      code: 'domain_taken',
    });
    // A public name has nowhere to point on this Tally.
    await expect(setWhitelabelDomain(deps, actorOf(second), { domain: freshDomain() })).rejects.toMatchObject(
      { code: 'public_url_not_public' },
    );
    await expectUnchanged(tally.database.db, before);

    // However long and whatever the DNS says, the job never checks nor suspends it.
    await tally.database.db.execute(
      sql`UPDATE credits_whitelabels SET next_check_at = ${tally.clock.now()} WHERE id = ${active.id}`,
    );
    tally.clock.advance(7 * 24 * 3600 * 1000);
    await checkDueDomains({ ...deps, dns: depsWith({}).dns });
    const [after] = await queryRows<{ status: string; failed_checks: number }>(
      tally.database.db,
      sql`SELECT status, failed_checks FROM credits_whitelabels WHERE id = ${active.id}`,
    );
    expect(after).toEqual({ status: 'active', failed_checks: 0 });
  });

  it('is refused on a public Tally', async () => {
    const reseller = await customerOf(tally, admin, whitelabelProductId);
    const refused = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
      as: reseller,
      body: { domain: freshLocalName() },
    });
    expect(refused.status).toBe(400);
    expect((await read(refused)).error.code).toBe('validation_failed');
  });
});

describe('a domain’s states', () => {
  it('move pending → verified → active ⇄ suspended, and to pending with a new domain, and no other way', () => {
    const allowed = new Set([
      'pending→verified',
      'verified→active',
      'verified→suspended',
      'verified→pending',
      'active→suspended',
      'active→pending',
      'suspended→active',
      'suspended→pending',
    ]);
    for (const from of domainStates) {
      for (const to of domainStates) {
        if (allowed.has(`${from}→${to}`)) {
          expect(domainMachine.move(from, to)).toBe(to);
        } else {
          expect(() => domainMachine.move(from, to), `${from} → ${to}`).toThrowError(
            expect.objectContaining({ code: `domain_${from}`, status: 409 }),
          );
        }
      }
    }
  });
});
