import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  personWithPassword,
  request,
  type TestPerson,
  type TestTally,
} from '../../../test/support/app';
import { creditsAdmin, freshEmail, makeProduct, ok } from '../../../test/support/credits';
import { shopServices, tenantTally, tickUntil } from '../../../test/support/tenant-databases';
import { moveDomain, type ResellerWithDomain, resellerWithDomain } from '../../../test/support/whitelabel';
import { systemActor } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { withDatabase } from '../../core/request-database';
import { enterPurchase } from '../purchases/service';

/**
 * A reseller whose shop runs on a database of its own manages its business on Tally's site as well as
 * on its own domain: its customers and what its float funded them are read from its shop's database,
 * its pool from Tally's, whichever host it asks on and whatever state its domain is in.
 */

let tally: TestTally;
let admin: TestPerson;
const password = 'a long enough passphrase';
let shop: ResellerWithDomain;
let shopDb: Db;
/** The reseller's session on its own domain (the one on Tally's is `shop.person`). */
let onDomain: Record<string, string>;
let product: Body;
const customerEmail = freshEmail('own-shop-customer');

const count = async (db: Db, query: ReturnType<typeof sql>) =>
  (await queryRows<{ n: number }>(db, query))[0]!.n;

beforeAll(async () => {
  let line: Awaited<ReturnType<typeof tenantTally>>['line'];
  ({ tally, line } = await tenantTally());
  admin = await creditsAdmin(tally);
  const whitelabel = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 1000,
    permissions: ['create_under_whitelabel_product'],
  });
  const person = await personWithPassword(tally, password, {
    email: freshEmail('own-shop'),
    name: 'Own Shop',
  });
  shop = await resellerWithDomain(tally, admin, whitelabel.id, { person, state: 'active' });
  await ok(tally, 200, 'POST', '/api/credits/whitelabel/database', { as: shop.person });
  await tickUntil(
    tally,
    async () =>
      (await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM credits_tenant_databases
            WHERE user_id = ${shop.person.userId} AND state = 'ready'`,
      )) === 1,
  );
  shopDb = (await line.tenantDatabases(tally.context).open(shop.whitelabelId)).db;
  await ok(tally, 201, 'POST', '/api/credits/whitelabel/float/top-ups', {
    as: shop.person,
    body: { amount: '200' },
  });
  await tickUntil(
    tally,
    async () =>
      (await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM credits_float_top_ups
            WHERE reseller_user_id = ${shop.person.userId} AND state = 'applied'`,
      )) === 1,
  );
  // The host's answer is kept a few seconds: the domain serves from the database once it is ready.
  tally.clock.advance(6_000);
  const signedIn = await request(tally, 'POST', '/api/auth/login', {
    body: { email: shop.person.email, password },
    headers: { host: shop.domain },
  });
  expect(signedIn.status).toBe(200);
  onDomain = {
    host: shop.domain,
    cookie: signedIn.headers.get('set-cookie')!.split(';')[0]!,
    'x-requested-with': 'tally-web',
  };
  product = await ok(tally, 201, 'POST', '/api/credits/products', {
    headers: onDomain,
    body: {
      type: 'under_whitelabel',
      name: 'Own Starter',
      credits_per_cycle: '30',
      refill_cycle: 'month',
      permissions: [],
    },
  });
  await withDatabase(shopDb, () =>
    enterPurchase(shopServices(tally), systemActor, {
      email: customerEmail,
      productId: product.id,
      orderReference: `own-shop-${newId()}`,
    }),
  );
});

const customersOn = (headers: { as: TestPerson } | { headers: Record<string, string> }) =>
  ok(tally, 200, 'GET', '/api/credits/whitelabel/customers', headers);
const poolOn = (headers: { as: TestPerson } | { headers: Record<string, string> }) =>
  ok(tally, 200, 'GET', '/api/credits/whitelabel/pool', headers);

const theCustomer = () => ({
  email: customerEmail,
  products: [{ id: product.id, name: 'Own Starter', active: true }],
  granted: '30',
  used: '0',
  reserved: '0',
  available: '30',
  last_used_at: null,
});

/** Tally's pool of 1,000, 200 of it moved into the float, out of which the customer got 30. */
const thePool = {
  total: '1000',
  handed_out: '30',
  moved_to_float: '200',
  spent: '0',
  reserved: '0',
  available: '800',
  customers: 1,
};

describe('a shop on its own database, on Tally’s site', () => {
  it('lists the customers its database holds, with what its float funded them', async () => {
    // Tally's database has none of them: the customer was made in the shop's.
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM core_users WHERE email = ${customerEmail}`,
      ),
    ).toBe(0);
    const list = await customersOn({ as: shop.person });
    expect(list.items).toEqual([expect.objectContaining(theCustomer())]);
    expect(list.next_cursor).toBeNull();
    expect((await customersOn({ as: shop.person })).items).toHaveLength(1);
    const found = await ok(tally, 200, 'GET', '/api/credits/whitelabel/customers?q=own-shop-customer', {
      as: shop.person,
    });
    expect(found.items).toHaveLength(1);
  });

  it('shows the pool from Tally’s database and what went to customers from the shop’s', async () => {
    expect(await poolOn({ as: shop.person })).toEqual(thePool);
  });
});

describe('a shop on its own database, on its own domain', () => {
  it('shows the same customers and pool as on Tally’s site', async () => {
    expect((await customersOn({ headers: onDomain })).items).toEqual([
      expect.objectContaining(theCustomer()),
    ]);
    expect(await poolOn({ headers: onDomain })).toEqual(thePool);
  });
});

describe('a shop on its own database, its domain not live', () => {
  it('still shows its customers on Tally’s site while the domain is suspended', async () => {
    await moveDomain(tally, shop.whitelabelId, 'suspended');
    try {
      expect((await customersOn({ as: shop.person })).items).toEqual([
        expect.objectContaining(theCustomer()),
      ]);
      expect(await poolOn({ as: shop.person })).toEqual(thePool);
    } finally {
      await moveDomain(tally, shop.whitelabelId, 'active');
    }
  });

  it('answers that the shop is moving while it is copied between databases, as its domain does', async () => {
    const moveId = newId();
    await tally.database.db.execute(
      sql`INSERT INTO credits_tenant_moves (id, reseller_user_id, direction, state, started_at)
          VALUES (${moveId}, ${shop.person.userId}, 'into_own', 'moving', ${tally.clock.now()})`,
    );
    try {
      const moving = await ok(tally, 503, 'GET', '/api/credits/whitelabel/customers', { as: shop.person });
      expect(moving.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('moving') });
      await ok(tally, 503, 'GET', '/api/credits/whitelabel/pool', { as: shop.person });
    } finally {
      await tally.database.db.execute(sql`DELETE FROM credits_tenant_moves WHERE id = ${moveId}`);
    }
  });
});
