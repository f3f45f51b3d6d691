import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  personWithPassword,
  read,
  request,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import {
  adminKey,
  apiKeyOf,
  buy,
  creditsAdmin,
  customerOf,
  freshEmail,
  makeProduct,
  ok,
} from '../../../test/support/credits';
import { moveDomain, type ResellerWithDomain, resellerWithDomain } from '../../../test/support/whitelabel';
import { queryRows } from '../../core/database';

/**
 * Host routing: a request to a reseller's active domain is served as that reseller's tenant — its
 * brand, its shop — and only its own people act there.
 */

let tally: TestTally;
let admin: TestPerson;

interface Reseller extends ResellerWithDomain {
  productId: string;
  customer: TestPerson;
}

let a: Reseller;
let b: Reseller;
let generic: { id: string };

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  generic = await makeProduct(tally, admin, { type: 'generic', credits: 10 });
  const whitelabel = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 1000,
    permissions: ['create_under_whitelabel_product'],
  });
  a = await activeReseller(whitelabel.id);
  b = await activeReseller(whitelabel.id);
});

/** A reseller with an active domain, a product of its own, and one customer who bought it. */
async function activeReseller(whitelabelProductId: string): Promise<Reseller> {
  const reseller = await resellerWithDomain(tally, admin, whitelabelProductId, { state: 'active' });
  const product = await makeProduct(tally, reseller.person, { type: 'under_whitelabel', credits: 10 });
  const customer = await customerOf(tally, admin, product.id);
  return { ...reseller, productId: product.id, customer };
}

const on = (domain: string, headers: Record<string, string> = {}) => ({ host: `${domain}:443`, ...headers });

describe('the tenant of a host', () => {
  it('is the reseller whose active domain it is, with its brand; none on Tally’s own host or any other', async () => {
    const answer = await ok(tally, 200, 'GET', '/api/tenant', { headers: on(a.domain.toUpperCase()) });
    expect(answer.tenant).toEqual({
      domain: a.domain,
      name: 'Test Person',
      logo_url: null,
      primary_color: null,
      accent_color: null,
    });
    await tally.database.db.execute(
      sql`UPDATE credits_whitelabels SET brand_name = 'Acme Credits', primary_color = '#0b5394'
          WHERE id = ${a.whitelabelId}`,
    );
    tally.clock.advance(6_000);
    expect((await ok(tally, 200, 'GET', '/api/tenant', { headers: on(a.domain) })).tenant).toMatchObject({
      name: 'Acme Credits',
      primary_color: '#0b5394',
    });
    for (const host of ['tally.test', 'unknown.example.org', '127.0.0.1:3000']) {
      expect((await ok(tally, 200, 'GET', '/api/tenant', { headers: { host } })).tenant, host).toBeNull();
    }
  });

  it('stops being served a few seconds after its domain is suspended, and only a pending claim is none', async () => {
    const { domain, whitelabelId } = await resellerWithDomain(
      tally,
      admin,
      (await makeProduct(tally, admin, { type: 'whitelabel', credits: 10 })).id,
    );
    expect((await ok(tally, 200, 'GET', '/api/tenant', { headers: on(domain) })).tenant).toBeNull();
    await ok(tally, 404, 'GET', `/api/tenants/tls-ask?domain=${domain}`);

    await moveDomain(tally, whitelabelId, 'active');
    tally.clock.advance(6_000);
    expect((await ok(tally, 200, 'GET', '/api/tenant', { headers: on(domain) })).tenant?.domain).toBe(domain);
    expect(await ok(tally, 200, 'GET', `/api/tenants/tls-ask?domain=${domain}`)).toEqual({ domain });

    await moveDomain(tally, whitelabelId, 'suspended');
    tally.clock.advance(6_000);
    expect((await ok(tally, 200, 'GET', '/api/tenant', { headers: on(domain) })).tenant).toBeNull();
    await ok(tally, 404, 'GET', `/api/tenants/tls-ask?domain=${domain}`);
  });
});

describe('on a reseller’s domain', () => {
  it('the catalogue is its own shop, whatever the query names', async () => {
    const shop = await ok(tally, 200, 'GET', `/api/credits/catalogue?reseller_domain=${b.domain}`, {
      headers: on(a.domain),
    });
    expect(shop.items.map((item: { id: string }) => item.id)).toEqual([a.productId]);
    const tallys = await ok(tally, 200, 'GET', '/api/credits/catalogue', { headers: { host: 'tally.test' } });
    const ids = tallys.items.map((item: { id: string }) => item.id);
    expect(ids).toContain(generic.id);
    expect(ids).not.toContain(a.productId);
  });

  it('sells only its own products: another’s payment link is not found there', async () => {
    await ok(tally, 200, 'GET', `/api/credits/checkout/${a.productId}`, { headers: on(a.domain) });
    for (const productId of [b.productId, generic.id]) {
      const refused = await ok(tally, 404, 'GET', `/api/credits/checkout/${productId}`, {
        headers: on(a.domain),
      });
      expect(refused.error.code).toBe('not_found');
    }
  });

  it('its owner and its customers act; another reseller’s people, administrators and the operator key are refused', async () => {
    const balance = await ok(tally, 200, 'GET', '/api/credits/balance', {
      as: a.customer,
      headers: on(a.domain),
    });
    expect(balance).toBeDefined();
    await ok(tally, 200, 'GET', '/api/credits/products', { as: a.person, headers: on(a.domain) });

    const keyOfA = await apiKeyOf(tally, a.person, ['credits:read', 'credits:manage']);
    const withKey = { authorization: `Bearer ${keyOfA}` };
    const mine = await ok(tally, 200, 'GET', '/api/credits/products', { headers: on(a.domain, withKey) });
    expect(mine.items.map((p: { id: string }) => p.id)).toEqual([a.productId]);

    const strangers: [string, Parameters<typeof request>[3]][] = [
      ['reseller A’s key on B’s domain', { headers: on(b.domain, withKey) }],
      ['A’s customer on B’s domain', { as: a.customer, headers: on(b.domain) }],
      ['reseller B on A’s domain', { as: b.person, headers: on(a.domain) }],
      ['an administrator on A’s domain', { as: admin, headers: on(a.domain) }],
      ['the operator key on A’s domain', { headers: on(a.domain, adminKey) }],
    ];
    for (const [who, options] of strangers) {
      for (const path of ['/api/credits/balance', '/api/credits/purchases', '/api/auth/me']) {
        const response = await request(tally, 'GET', path, options);
        const body = await read(response);
        expect(response.status, `${who} ${path}`).toBe(403);
        expect(body.error.details).toEqual({ reason: 'other_tenant' });
      }
    }
    // The same people on Tally's own host are who they always were.
    await ok(tally, 200, 'GET', '/api/credits/users', { as: admin, headers: { host: 'tally.test' } });
  });

  it('an administrator is no administrator there, even as the tenant’s owner', async () => {
    await tally.database.db.execute(sql`UPDATE core_users SET is_admin = true WHERE id = ${a.person.userId}`);
    try {
      const refused = await ok(tally, 403, 'GET', '/api/credits/users', {
        as: a.person,
        headers: on(a.domain),
      });
      expect(refused.error.code).toBe('forbidden');
      await ok(tally, 200, 'GET', '/api/credits/users', { as: a.person, headers: { host: 'tally.test' } });
    } finally {
      await tally.database.db.execute(
        sql`UPDATE core_users SET is_admin = false WHERE id = ${a.person.userId}`,
      );
    }
  });

  it('only its own people sign in, and the refused sign-in leaves no session open', async () => {
    const password = 'correct horse battery staple';
    const email = freshEmail('shopper');
    const person = await personWithPassword(tally, password, { email });
    await buy(tally, admin, email, a.productId);

    const signIn = (domain: string) =>
      request(tally, 'POST', '/api/auth/login', { body: { email, password }, headers: on(domain) });
    const openSessions = async () =>
      (
        await queryRows<{ open: number }>(
          tally.database.db,
          sql`SELECT count(*)::int AS open FROM core_sessions WHERE user_id = ${person.userId} AND revoked_at IS NULL`,
        )
      )[0]!.open;
    const before = await openSessions();

    const elsewhere = await signIn(b.domain);
    expect(elsewhere.status).toBe(403);
    expect((await read(elsewhere)).error.details).toEqual({ reason: 'other_tenant' });
    expect(elsewhere.headers.get('set-cookie')).toBeNull();
    expect(await openSessions()).toBe(before);

    const home = await signIn(a.domain);
    expect(home.status).toBe(200);
    expect(home.headers.get('set-cookie')).toContain('tally_session=');
    expect(await openSessions()).toBe(before + 1);
  });

  it('nobody signs up: its people come with a purchase in its shop', async () => {
    const email = freshEmail('visitor');
    const refused = await ok(tally, 403, 'POST', '/api/auth/signup', {
      body: { email, name: 'Visitor' },
      headers: on(a.domain),
    });
    expect(refused.error.details).toEqual({ reason: 'tenant_host' });
    const [row] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM core_users WHERE email = ${email}`,
    );
    expect(row!.n).toBe(0);
  });
});
