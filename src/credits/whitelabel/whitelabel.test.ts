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
import type { Actor } from '../../core/actor';
import type { CreditsDeps } from '../deps';
import { creditsSpender } from '../engine/spend-batch';
import { checkWhitelabelDns, normalizeDomain } from './service';

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

/** The services with a DNS that answers from a table. */
const depsWith = (records: Record<string, string[]>): CreditsDeps => ({
  db: tally.database.db,
  clock: tally.clock,
  spender: creditsSpender(tally.database, tally.clock),
  publicUrl: 'http://tally.test',
  kinds: tally.context.kinds,
  notificationTypes: tally.context.notificationTypes,
  resolveCname: async (host) => {
    const found = records[host];
    if (!found) throw Object.assign(new Error(`queryCname ENODATA ${host}`), { code: 'ENODATA' });
    return found;
  },
});

let domainCounter = 0;
const freshDomain = () => `app${++domainCounter}-${Date.now()}.example.com`;

describe('a reseller’s domain', () => {
  it('is saved with the CNAME target to point it at, and verified once the DNS says so', async () => {
    const reseller = await customerOf(tally, admin, whitelabelProductId);
    const domain = freshDomain();
    const saved = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: reseller,
      body: { domain: `${domain.toUpperCase()}.` },
    });
    expect(saved).toMatchObject({ domain, cname_target: 'tally.test', dns_verified_at: null });

    const notYet = await checkWhitelabelDns(depsWith({}), actorOf(reseller));
    expect(notYet).toMatchObject({ verified: false, found: [] });
    expect(notYet.whitelabel.lastCheckedAt).not.toBeNull();

    const elsewhere = await checkWhitelabelDns(
      depsWith({ [domain]: ['other.example.net'] }),
      actorOf(reseller),
    );
    expect(elsewhere).toMatchObject({ verified: false, found: ['other.example.net'] });

    tally.clock.advance(60_000);
    const pointed = await checkWhitelabelDns(depsWith({ [domain]: ['Tally.test.'] }), actorOf(reseller));
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

  it('is one reseller’s only (409), and not Tally’s own host', async () => {
    const first = await customerOf(tally, admin, whitelabelProductId);
    const second = await customerOf(tally, admin, whitelabelProductId);
    const domain = freshDomain();
    await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', { as: first, body: { domain } });
    const before = await counts(tally);
    const taken = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
      as: second,
      body: { domain },
    });
    expect(taken.status).toBe(409);
    const ours = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
      as: second,
      body: { domain: 'shop.tally.test' },
    });
    expect(ours.status).toBe(400);
    expect(await counts(tally)).toEqual(before);
    expect((await request(tally, 'GET', '/api/credits/whitelabel', { as: second })).status).toBe(404);
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
      expect(() => normalizeDomain(bad), bad).toThrow(/not a domain name/);
    }
  });
});
