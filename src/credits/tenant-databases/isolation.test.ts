import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  personWithPassword,
  read,
  request,
  type TestPerson,
  type TestTally,
} from '../../../test/support/app';
import { buy, creditsAdmin, customerOf, freshEmail, makeProduct, ok } from '../../../test/support/credits';
import { shopServices, tenantTally, tickUntil } from '../../../test/support/tenant-databases';
import { systemActor } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import { withDatabase } from '../../core/request-database';
import type { CreditsLine } from '../line';
import { enterPurchase } from '../purchases/service';

/**
 * Three shops side by side: two on databases of their own (A and B) and one on Tally's (C). Whatever
 * is read as A, on A's domain, holds nothing of B's or C's; a key or a session of one opens nothing on
 * another's domain.
 */

let tally: TestTally;
let line: CreditsLine;
let admin: TestPerson;
const password = 'a long enough passphrase';

interface Shop {
  domain: string;
  owner: TestPerson;
  whitelabelId: string;
  /** The owner's API key, made on its own domain (or on Tally's, for a shop on Tally's database). */
  key: string;
  productId: string;
  customerEmail: string;
  db: Db | null;
}

let a: Shop;
let b: Shop;
let c: Shop;
let counter = 0;
const hostOf = (shop: Shop, headers: Record<string, string> = {}) => ({ host: shop.domain, ...headers });
const keyed = (shop: Shop) => ({ authorization: `Bearer ${shop.key}` });

async function openShop(whitelabelProductId: string, ownDatabase: boolean): Promise<Shop> {
  const email = freshEmail(`owner${++counter}`);
  const owner = await personWithPassword(tally, password, { email, name: `Shop ${counter}` });
  await buy(tally, admin, email, whitelabelProductId);
  const domain = `shop${counter}-${Date.now()}.example.com`;
  const { id: whitelabelId } = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
    as: owner,
    body: { domain },
  });
  if (ownDatabase) await ok(tally, 200, 'POST', '/api/credits/whitelabel/database', { as: owner });
  await tally.database.db.execute(
    sql`UPDATE credits_whitelabels SET status = 'active', dns_verified_at = now(), activated_at = now()
        WHERE id = ${whitelabelId}`,
  );
  return { domain, owner, whitelabelId, key: '', productId: '', customerEmail: '', db: null };
}

/** The shop's product, a customer who bought it, and the owner's key: made on the shop's own domain. */
async function stock(shop: Shop) {
  const headers = shop.db ? hostOf(shop) : {};
  let session = shop.owner.cookie;
  if (shop.db) {
    const signedIn = await request(tally, 'POST', '/api/auth/login', {
      body: { email: shop.owner.email, password },
      headers,
    });
    expect(signedIn.status).toBe(200);
    session = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    // Credits of its own in its database, through the float, before it can make a product there.
    await ok(tally, 201, 'POST', '/api/credits/whitelabel/float/top-ups', {
      as: shop.owner,
      body: { amount: '200' },
    });
    await tickUntil(
      tally,
      async () =>
        (
          await queryRows<{ n: number }>(
            tally.database.db,
            sql`SELECT count(*)::int AS n FROM credits_float_top_ups
              WHERE reseller_user_id = ${shop.owner.userId} AND state = 'applied'`,
          )
        )[0]!.n === 1,
    );
  }
  const as = { ...headers, cookie: session, 'x-requested-with': 'tally-web' };
  shop.productId = (
    await ok(tally, 201, 'POST', '/api/credits/products', {
      headers: as,
      body: {
        type: 'under_whitelabel',
        name: `Plan of ${shop.domain}`,
        credits_per_cycle: '10',
        refill_cycle: 'month',
        permissions: [],
      },
    })
  ).id;
  shop.key = (
    await ok(tally, 201, 'POST', '/api/auth/api-keys', {
      headers: as,
      body: { name: 'shop admin', scopes: ['credits:read', 'credits:manage'] },
    })
  ).secret;
  shop.customerEmail = freshEmail(`customer${counter}`);
  const sale = {
    email: shop.customerEmail,
    productId: shop.productId,
    orderReference: `sale-${shop.domain}`,
  };
  if (shop.db) await withDatabase(shop.db, () => enterPurchase(shopServices(tally), systemActor, sale));
  else await buy(tally, admin, shop.customerEmail, shop.productId);
}

beforeAll(async () => {
  ({ tally, line } = await tenantTally());
  admin = await creditsAdmin(tally);
  const whitelabel = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 1000,
    permissions: ['create_under_whitelabel_product'],
  });
  a = await openShop(whitelabel.id, true);
  b = await openShop(whitelabel.id, true);
  c = await openShop(whitelabel.id, false);
  await tickUntil(
    tally,
    async () =>
      (
        await queryRows<{ n: number }>(
          tally.database.db,
          sql`SELECT count(*)::int AS n FROM credits_tenant_databases WHERE state = 'ready'`,
        )
      )[0]!.n === 2,
  );
  a.db = (await line.tenantDatabases(tally.context).open(a.whitelabelId)).db;
  b.db = (await line.tenantDatabases(tally.context).open(b.whitelabelId)).db;
  tally.clock.advance(6_000);
  for (const shop of [a, b, c]) await stock(shop);
}, 240_000);

describe('shops side by side', () => {
  it('each reads, as its owner on its own domain, only its own products, purchases, customers and credits', async () => {
    for (const [shop, others] of [
      [a, [b, c]],
      [b, [a, c]],
      [c, [a, b]],
    ] as const) {
      const as = hostOf(shop, keyed(shop));
      const seen = JSON.stringify([
        await ok(tally, 200, 'GET', '/api/credits/products', { headers: as }),
        await ok(tally, 200, 'GET', '/api/credits/purchases', { headers: as }),
        await ok(tally, 200, 'GET', '/api/credits/whitelabel/customers', { headers: as }),
        await ok(tally, 200, 'GET', '/api/credits/catalogue', { headers: hostOf(shop) }),
        await ok(tally, 200, 'GET', '/api/credits/balance', { headers: as }),
      ]);
      expect(seen, shop.domain).toContain(shop.productId);
      expect(seen, shop.domain).toContain(shop.customerEmail);
      for (const other of others) {
        expect(seen, `${shop.domain} sees ${other.domain}`).not.toContain(other.productId);
        expect(seen, `${shop.domain} sees ${other.domain}`).not.toContain(other.customerEmail);
        expect(seen, `${shop.domain} sees ${other.domain}`).not.toContain(other.owner.userId);
      }
    }
  });

  it('keeps each shop’s rows in its own database: its product and customer are nowhere else', async () => {
    const where = async (db: Db, shop: Shop) =>
      (
        await queryRows<{ products: number; people: number }>(
          db,
          sql`SELECT (SELECT count(*)::int FROM credits_products WHERE id = ${shop.productId}) AS products,
                     (SELECT count(*)::int FROM core_users WHERE email = ${shop.customerEmail}) AS people`,
        )
      )[0];
    const databases = { a: a.db!, b: b.db!, tally: tally.database.db };
    expect(await where(databases.a, a)).toEqual({ products: 1, people: 1 });
    expect(await where(databases.b, a)).toEqual({ products: 0, people: 0 });
    expect(await where(databases.tally, a)).toEqual({ products: 0, people: 0 });
    expect(await where(databases.b, b)).toEqual({ products: 1, people: 1 });
    expect(await where(databases.a, b)).toEqual({ products: 0, people: 0 });
    expect(await where(databases.tally, c)).toEqual({ products: 1, people: 1 });
    expect(await where(databases.a, c)).toEqual({ products: 0, people: 0 });
  });

  it('refuses a shop owner’s key on any other shop’s domain, and on Tally’s', async () => {
    for (const [shop, elsewhere] of [
      [a, [b.domain, c.domain, 'tally.test']],
      [b, [a.domain, c.domain, 'tally.test']],
      [c, [a.domain, b.domain]],
    ] as const) {
      for (const host of elsewhere) {
        const response = await request(tally, 'GET', '/api/credits/products', {
          headers: { host, ...keyed(shop) },
        });
        const body = await read(response);
        expect([401, 403], `${shop.domain}'s key on ${host}: ${JSON.stringify(body)}`).toContain(
          response.status,
        );
        expect(JSON.stringify(body)).not.toContain(shop.productId);
      }
    }
  });

  it('knows a customer of the shop on Tally’s database there, and nobody there on a shop with its own', async () => {
    const person = await customerOf(tally, admin, c.productId);
    await ok(tally, 200, 'GET', '/api/credits/balance', { as: person, headers: hostOf(c) });
    // Tally's session is not in A's database: on A's domain the person is signed out.
    const signedOut = await ok(tally, 401, 'GET', '/api/credits/balance', { as: person, headers: hostOf(a) });
    expect(signedOut.error.code).toBe('unauthorized');
  });
});
