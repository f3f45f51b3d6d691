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
import type { Actor } from '../../core/actor';
import type { CreditsDeps } from '../deps';
import { creditsSpender } from '../engine/spend-batch';
import { checkWhitelabelDns, normalizeDomain, publicAddressProblem, setWhitelabelDomain } from './service';

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
const proofOf = (saved: { challenge: { host: string; value: string } }) => ({
  [saved.challenge.host]: [saved.challenge.value],
});

let domainCounter = 0;
const freshDomain = () => `app${++domainCounter}-${Date.now()}.example.com`;

describe('where a domain points', () => {
  it('is the host of the public address, and none when that address is this machine or an IP address', async () => {
    expect(await ok(tally, 200, 'GET', '/api/credits/whitelabel/target', { as: admin })).toEqual({
      cname_target: 'tally.test',
      problem: null,
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
    expect(saved).toMatchObject({ domain, cname_target: 'tally.test', dns_verified_at: null });
    expect(saved.challenge).toEqual({
      host: `_tally-challenge.${domain}`,
      value: expect.stringMatching(/^tally-[0-9a-f]{32}$/),
    });

    const notYet = await checkWhitelabelDns(depsWith({}), actorOf(reseller));
    expect(notYet).toMatchObject({ verified: false, found: [], challengeFound: false });
    expect(notYet.whitelabel.lastCheckedAt).not.toBeNull();

    const elsewhere = await checkWhitelabelDns(
      depsWith({ [domain]: ['other.example.net'] }, proofOf(saved)),
      actorOf(reseller),
    );
    expect(elsewhere).toMatchObject({ verified: false, found: ['other.example.net'], challengeFound: true });
    // Pointed at Tally, but not proven: still not verified.
    const unproven = await checkWhitelabelDns(depsWith({ [domain]: ['tally.test'] }), actorOf(reseller));
    expect(unproven).toMatchObject({ verified: false, found: ['tally.test'], challengeFound: false });

    tally.clock.advance(60_000);
    const pointed = await checkWhitelabelDns(
      depsWith({ [domain]: ['Tally.test.'] }, proofOf(saved)),
      actorOf(reseller),
    );
    expect(pointed.verified).toBe(true);
    expect(pointed.whitelabel.dnsVerifiedAt).toEqual(tally.clock.now());

    const stored = await ok(tally, 200, 'GET', '/api/credits/whitelabel', { as: reseller });
    expect(stored.dns_verified_at).toBe(tally.clock.now().toISOString());
    // A new domain has to be pointed and checked again.
    const moved = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: reseller,
      body: { domain: freshDomain() },
    });
    expect(moved.dns_verified_at).toBeNull();
  });

  it('can be claimed by several until one proves it, which then holds it alone', async () => {
    const squatter = await customerOf(tally, admin, whitelabelProductId);
    const owner = await customerOf(tally, admin, whitelabelProductId);
    const domain = freshDomain();
    // The squatter claims first; the owner's claim is not refused for it.
    const squatted = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: squatter,
      body: { domain },
    });
    const claimed = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: owner,
      body: { domain },
    });
    expect(claimed.challenge.value).not.toBe(squatted.challenge.value);
    // The owner points the domain at Tally and adds their own token: the squatter's check finds
    // the CNAME right but not its token, so it verifies nothing.
    const ownersDns = depsWith({ [domain]: ['tally.test'] }, proofOf(claimed));
    expect(await checkWhitelabelDns(ownersDns, actorOf(squatter))).toMatchObject({
      verified: false,
      challengeFound: false,
    });
    expect((await checkWhitelabelDns(ownersDns, actorOf(owner))).verified).toBe(true);
    // The proven claim displaced the other, and holds the name.
    expect((await request(tally, 'GET', '/api/credits/whitelabel', { as: squatter })).status).toBe(404);
    const before = await counts(tally);
    const taken = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
      as: squatter,
      body: { domain },
    });
    expect(taken.status).toBe(409);
    expect((await read(taken)).error.code).toBe('domain_taken');
    expect(await counts(tally)).toEqual(before);
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

    const reseller = await customerOf(tally, admin, whitelabelProductId);
    await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: reseller,
      body: { domain: freshDomain() },
    });
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
