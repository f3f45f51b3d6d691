import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import {
  apiKeyOf,
  balanceOf,
  buy,
  counts,
  creditsAdmin,
  customerOf,
  freshEmail,
  makeProduct,
  ok,
  setPrice,
} from '../../../test/support/credits';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';

let tally: TestTally;
let admin: TestPerson;
let whitelabelProduct: { id: string };

const RESELLER_PERMISSIONS = ['create_under_whitelabel_product', 'create_workspace', 'generate_image'];

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  await setPrice(tally, admin, 'generate_image', 2);
  await setPrice(tally, admin, 'generate_post', 3);
  whitelabelProduct = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 100,
    permissions: RESELLER_PERMISSIONS,
  });
});

/** A reseller with 100 credits, from the whitelabel product. */
const newReseller = () => customerOf(tally, admin, whitelabelProduct.id);

async function refused(
  as: TestPerson,
  method: string,
  path: string,
  body: unknown,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const before = await counts(tally);
  const balance = await balanceOf(tally, as);
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  expect(answer.error.code).toBe(code);
  expect(await counts(tally)).toEqual(before);
  expect(await balanceOf(tally, as)).toEqual(balance);
  return answer.error;
}

const resellerProduct = (credits: number, permissions: string[] = ['generate_image']) => ({
  name: 'Starter',
  credits_per_cycle: String(credits),
  refill_cycle: 'month',
  permissions,
});

describe('administrators’ products', () => {
  it('makes generic and whitelabel products, lists, changes and deactivates them', async () => {
    const product = await makeProduct(tally, admin, {
      type: 'generic',
      credits: 40,
      permissions: ['generate_post'],
    });
    expect(product).toMatchObject({
      type: 'generic',
      owner_user_id: null,
      credits_per_cycle: '40',
      active: true,
    });
    const changed = await ok(tally, 200, 'PATCH', `/api/credits/products/${product.id}`, {
      as: admin,
      body: { name: 'Pro', display_price: { amount_minor: '4900', currency: 'EUR' }, active: false },
    });
    expect(changed).toMatchObject({
      name: 'Pro',
      display_price: { amount_minor: '4900', currency: 'EUR' },
      active: false,
    });
    const list = await ok(tally, 200, 'GET', '/api/credits/products?type=generic&active=false', {
      as: admin,
    });
    expect(list.items.map((p: { id: string }) => p.id)).toContain(product.id);
  });

  it('refuses a display price past a million of its currency, or a currency that is none, and saves nothing', async () => {
    const make = (amount_minor: string, currency: string) =>
      request(tally, 'POST', '/api/credits/products', {
        as: admin,
        body: {
          type: 'generic',
          name: `Priced ${amount_minor} ${currency}`,
          credits_per_cycle: '100',
          refill_cycle: 'none',
          permissions: [],
          display_price: { amount_minor, currency },
        },
      });
    const before = await snapshotTables(tally.database.db, ['credits_products']);
    // "49,00" read as 4,900.00 is fine; a stray run of zeros is not.
    for (const [amount, currency, path] of [
      ['100000001', 'USD', 'display_price.amount_minor'],
      ['100000000000099', 'USD', 'display_price.amount_minor'],
      ['1000001', 'JPY', 'display_price.amount_minor'],
      ['1000000001', 'BHD', 'display_price.amount_minor'],
      ['100', 'XYZ', 'display_price.currency'],
    ] as const) {
      const refused = await make(amount, currency);
      expect(refused.status, `${amount} ${currency}`).toBe(400);
      const body = await refused.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.issues[0].path).toBe(path);
    }
    await expectUnchanged(tally.database.db, before);
    expect((await make('100000000', 'USD')).status).toBe(201);
    const yen = await read(await make('1000000', 'JPY'));
    expect(yen.display_price).toEqual({ amount_minor: '1000000', currency: 'JPY' });
    const raised = await request(tally, 'PATCH', `/api/credits/products/${yen.id}`, {
      as: admin,
      body: { display_price: { amount_minor: '1000001', currency: 'JPY' } },
    });
    expect(raised.status).toBe(400);
    expect(
      (await read(await request(tally, 'GET', `/api/credits/products/${yen.id}`, { as: admin })))
        .display_price,
    ).toEqual({ amount_minor: '1000000', currency: 'JPY' });
  });

  it('keeps amounts past 64 bits exactly (numeric(78,0)), and refuses one past 2^256', async () => {
    const huge = '123456789012345678901234567890';
    const product = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: admin,
      body: {
        type: 'generic',
        name: `Huge ${Date.now()}`,
        credits_per_cycle: huge,
        refill_cycle: 'none',
        permissions: [],
        display_price: { amount_minor: '4900', currency: 'EUR' },
      },
    });
    expect(product).toMatchObject({ credits_per_cycle: huge, display_price: { amount_minor: '4900' } });
    const read = await ok(tally, 200, 'GET', `/api/credits/products/${product.id}`, { as: admin });
    expect(read.credits_per_cycle).toBe(huge);
    const tooBig = await request(tally, 'POST', '/api/credits/products', {
      as: admin,
      body: {
        type: 'generic',
        name: 'Too big',
        credits_per_cycle: (1n << 256n).toString(),
        refill_cycle: 'none',
        permissions: [],
      },
    });
    expect(tooBig.status).toBe(400);
  });

  it('refuses a permission that is not a priced action, and rollover above the credits', async () => {
    await refused(
      admin,
      'POST',
      '/api/credits/products',
      { type: 'generic', ...resellerProduct(10, ['fly_to_the_moon']) },
      400,
      'validation_failed',
    );
    await refused(
      admin,
      'POST',
      '/api/credits/products',
      { type: 'generic', ...resellerProduct(10), rollover_credits: '11' },
      400,
      'validation_failed',
    );
  });

  it('refuses a generic person (403), who sees no products but their own (none)', async () => {
    const person = await signedInPerson(tally);
    await refused(
      person,
      'POST',
      '/api/credits/products',
      { type: 'generic', ...resellerProduct(10) },
      403,
      'forbidden',
    );
    await refused(person, 'POST', '/api/credits/products', resellerProduct(10), 403, 'forbidden');
    const list = await ok(tally, 200, 'GET', '/api/credits/products', { as: person });
    expect(list.items).toEqual([]);
    expect(
      (await request(tally, 'GET', `/api/credits/products/${whitelabelProduct.id}`, { as: person })).status,
    ).toBe(404);
  });

  it('does not let an administrator make an under-whitelabel product for no reseller', async () => {
    await refused(
      admin,
      'POST',
      '/api/credits/products',
      { type: 'under_whitelabel', ...resellerProduct(10) },
      403,
      'forbidden',
    );
  });
});

describe('resellers’ products', () => {
  it('costs the create_under_whitelabel_product price and stays within what the reseller holds', async () => {
    const reseller = await newReseller();
    const product = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(30),
    });
    expect(product).toMatchObject({
      type: 'under_whitelabel',
      owner_user_id: reseller.userId,
      // Pages show the reseller by name, not by id.
      owner: { name: 'Test Person', email: reseller.email },
      permissions: ['generate_image'],
    });
    expect(await balanceOf(tally, reseller)).toMatchObject({ total: '100', used: '5', available: '95' });
    const usages = await ok(tally, 200, 'GET', '/api/credits/usages', { as: reseller });
    expect(usages.items[0]).toMatchObject({
      action: 'create_under_whitelabel_product',
      amount: '5',
      used_for: `product:${product.id}`,
    });
  });

  it('only with the actions its own products grant (403 naming what is missing)', async () => {
    const reseller = await newReseller();
    const error = await refused(
      reseller,
      'POST',
      '/api/credits/products',
      resellerProduct(10, ['generate_image', 'generate_post']),
      403,
      'forbidden',
    );
    expect(error.details).toMatchObject({ missing: ['generate_post'] });
  });

  it('with no more credits per cycle than it has available after paying for it', async () => {
    const reseller = await newReseller();
    const error = await refused(
      reseller,
      'POST',
      '/api/credits/products',
      resellerProduct(96),
      422,
      'insufficient_funds',
    );
    expect(error.details).toMatchObject({ available: '100', cost: '5' });
    await ok(tally, 201, 'POST', '/api/credits/products', { as: reseller, body: resellerProduct(95) });
    expect((await balanceOf(tally, reseller)).available).toBe('95');
  });

  it('funds its buyers out of its own credits, and makes them its under-whitelabel customers', async () => {
    const reseller = await newReseller();
    const product = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(30),
    });
    const email = freshEmail();
    const purchase = await buy(tally, admin, email, product.id);
    expect(await balanceOf(tally, reseller)).toMatchObject({ total: '100', used: '35', available: '65' });
    const buyer = await ok(tally, 200, 'GET', `/api/credits/users/${purchase.user_id}`, { as: admin });
    expect(buyer).toMatchObject({
      type: 'under_whitelabel',
      reseller_user_id: reseller.userId,
      permissions: ['generate_image'],
      balance: { total: '30', available: '30' },
    });
  });

  it('cannot oversell: a purchase it cannot fund is refused and records nothing', async () => {
    const reseller = await newReseller();
    const product = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(60),
    });
    await buy(tally, admin, freshEmail(), product.id);
    expect((await balanceOf(tally, reseller)).available).toBe('35');
    const before = await counts(tally);
    const response = await request(tally, 'POST', '/api/credits/purchases', {
      as: admin,
      body: { email: freshEmail(), product_id: product.id, order_reference: `oversold-${Date.now()}` },
    });
    expect(response.status).toBe(422);
    expect((await read(response)).error.code).toBe('insufficient_funds');
    expect(await counts(tally)).toEqual(before);
    expect((await balanceOf(tally, reseller)).available).toBe('35');
  });

  it('cannot buy its own product', async () => {
    const reseller = await newReseller();
    const product = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(10),
    });
    const before = await counts(tally);
    const response = await request(tally, 'POST', '/api/credits/purchases', {
      as: admin,
      body: { email: reseller.email, product_id: product.id, order_reference: `self-${Date.now()}` },
    });
    expect(response.status).toBe(422);
    expect(await counts(tally)).toEqual(before);
  });

  it('sees and changes its own products only; a raise is checked against what it has', async () => {
    const reseller = await newReseller();
    const other = await newReseller();
    const mine = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(10),
    });
    const theirs = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: other,
      body: resellerProduct(10),
    });
    const list = await ok(tally, 200, 'GET', '/api/credits/products', { as: reseller });
    expect(list.items.map((p: { id: string }) => p.id)).toEqual([mine.id]);
    await refused(
      reseller,
      'PATCH',
      `/api/credits/products/${theirs.id}`,
      { active: false },
      404,
      'not_found',
    );
    await refused(
      reseller,
      'PATCH',
      `/api/credits/products/${mine.id}`,
      { credits_per_cycle: '96' },
      422,
      'insufficient_funds',
    );
    await refused(
      reseller,
      'PATCH',
      `/api/credits/products/${mine.id}`,
      { permissions: ['generate_post'] },
      403,
      'forbidden',
    );
    const lowered = await ok(tally, 200, 'PATCH', `/api/credits/products/${mine.id}`, {
      as: reseller,
      body: { credits_per_cycle: '5', active: false },
    });
    expect(lowered).toMatchObject({ credits_per_cycle: '5', active: false });
    // Administrators see and change every product.
    await ok(tally, 200, 'PATCH', `/api/credits/products/${theirs.id}`, {
      as: admin,
      body: { active: false },
    });
  });
});

describe('user types follow what people buy', () => {
  it('rise from generic to whitelabel, and never fall back; administrators are reported as admin', async () => {
    const generic = await makeProduct(tally, admin, { type: 'generic', credits: 1 });
    const email = freshEmail();
    const first = await buy(tally, admin, email, generic.id);
    const profile = () => ok(tally, 200, 'GET', `/api/credits/users/${first.user_id}`, { as: admin });
    expect((await profile()).type).toBe('generic');
    await buy(tally, admin, email, whitelabelProduct.id);
    expect((await profile()).type).toBe('whitelabel');
    await buy(tally, admin, email, generic.id);
    expect((await profile()).type).toBe('whitelabel');

    const users = await ok(tally, 200, 'GET', '/api/credits/users?type=whitelabel&limit=200', { as: admin });
    const listed = users.items.find((u: { user_id: string }) => u.user_id === first.user_id);
    expect(listed).toMatchObject({ type: 'whitelabel', balance: { total: '102' } });
    const admins = await ok(tally, 200, 'GET', '/api/credits/users?type=admin', { as: admin });
    expect(admins.items.map((u: { user_id: string }) => u.user_id)).toContain(admin.userId);
  });

  it('an administrator makes another one, and cannot unmake themselves', async () => {
    const person = await signedInPerson(tally);
    // Never with a key: not an administrator's key of any scope, not the operator's.
    for (const key of [
      await apiKeyOf(tally, admin, ['notifications:read']),
      await apiKeyOf(tally, admin, ['credits:manage']),
      TEST_ADMIN_KEY,
    ]) {
      const byKey = await request(tally, 'PUT', `/api/credits/users/${person.userId}/admin`, {
        headers: { authorization: `Bearer ${key}` },
        body: { is_admin: true },
      });
      expect(byKey.status).toBe(403);
    }
    expect((await ok(tally, 200, 'GET', '/api/credits/me', { as: person })).type).not.toBe('admin');
    await refused(person, 'GET', '/api/credits/users', undefined, 403, 'forbidden');
    await ok(tally, 200, 'PUT', `/api/credits/users/${person.userId}/admin`, {
      as: admin,
      body: { is_admin: true },
    });
    expect((await ok(tally, 200, 'GET', '/api/credits/me', { as: person })).type).toBe('admin');
    await refused(
      admin,
      'PUT',
      `/api/credits/users/${admin.userId}/admin`,
      { is_admin: false },
      422,
      'domain_rule',
    );
  });
});

describe('the public catalogue', () => {
  const catalogue = async (query = '') => {
    const response = await request(tally, 'GET', `/api/credits/catalogue${query}`);
    const body = await read(response);
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.items as { id: string; type: string }[];
  };
  const ids = (items: { id: string }[]) => items.map((item) => item.id);

  it('shows a visitor the active generic and whitelabel products, with labels and prices', async () => {
    const generic = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: admin,
      body: {
        type: 'generic',
        name: 'Catalogue starter',
        description: 'For a start',
        credits_per_cycle: '40',
        refill_cycle: 'month',
        rollover_credits: '10',
        permissions: ['generate_image'],
        display_price: { amount_minor: '4990', currency: 'EUR' },
      },
    });
    const reseller = await newReseller();
    const underWhitelabel = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(10),
    });

    const items = await catalogue();
    expect(items.find((item) => item.id === generic.id)).toEqual({
      id: generic.id,
      type: 'generic',
      name: 'Catalogue starter',
      description: 'For a start',
      credits_per_cycle: '40',
      refill_cycle: 'month',
      rollover_credits: '10',
      permissions: [{ action: 'generate_image', label: 'generate image' }],
      display_price: { amount_minor: '4990', currency: 'EUR' },
    });
    expect(ids(items)).toContain(whitelabelProduct.id);
    expect(ids(items)).not.toContain(underWhitelabel.id);
    expect(new Set(items.map((item) => item.type))).toEqual(new Set(['generic', 'whitelabel']));

    await ok(tally, 200, 'PATCH', `/api/credits/products/${generic.id}`, {
      as: admin,
      body: { active: false },
    });
    expect(ids(await catalogue())).not.toContain(generic.id);
  });

  it('shows the active products of the reseller whose active domain it is, and nothing before', async () => {
    const reseller = await newReseller();
    const other = await newReseller();
    const domain = `shop-${Date.now()}.example.com`;
    await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', { as: reseller, body: { domain } });
    const sold = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(10),
    });
    const retired = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: { ...resellerProduct(10), active: false },
    });
    const othersProduct = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: other,
      body: resellerProduct(10),
    });

    // A claim nobody has proven yet could be anyone's: it shows nothing.
    expect(await catalogue(`?reseller_domain=${domain}`)).toEqual([]);
    // Proven but not yet serving (its own database still being made): nothing either.
    await tally.database.db.execute(
      sql`UPDATE credits_whitelabels SET status = 'verified', dns_verified_at = ${tally.clock.now()}
          WHERE domain = ${domain}`,
    );
    expect(await catalogue(`?reseller_domain=${domain}`)).toEqual([]);
    // As the domain job marks it (domain-lifecycle.test.ts proves the job itself).
    await tally.database.db.execute(
      sql`UPDATE credits_whitelabels SET status = 'active', dns_verified_at = ${tally.clock.now()},
            activated_at = ${tally.clock.now()} WHERE domain = ${domain}`,
    );
    const items = await catalogue(`?reseller_domain=${domain.toUpperCase()}`);
    expect(ids(items)).toEqual([sold.id]);
    expect(items[0]).toMatchObject({
      type: 'under_whitelabel',
      permissions: [{ action: 'generate_image', label: 'generate image' }],
    });
    expect(ids(items)).not.toContain(retired.id);
    expect(ids(items)).not.toContain(othersProduct.id);

    expect(await catalogue('?reseller_domain=nobody.example.com')).toEqual([]);
  });
});

describe('a reseller’s purchases', () => {
  it('lists its own purchases and those of its products, not other resellers’', async () => {
    const reseller = await newReseller();
    const other = await newReseller();
    const product = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: resellerProduct(10),
    });
    const othersProduct = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: other,
      body: resellerProduct(10),
    });
    const customer = await buy(tally, admin, freshEmail(), product.id);
    const othersCustomer = await buy(tally, admin, freshEmail(), othersProduct.id);

    const listed = await ok(tally, 200, 'GET', '/api/credits/purchases', { as: reseller });
    const ids = listed.items.map((purchase: { id: string }) => purchase.id);
    expect(ids).toContain(customer.id);
    expect(ids).not.toContain(othersCustomer.id);
    expect(listed.items.filter((p: { user_id: string }) => p.user_id === reseller.userId)).toHaveLength(1);
    expect(ids).toHaveLength(2);

    const buyer = await ok(tally, 200, 'GET', '/api/credits/purchases', {
      as: await customerOf(tally, admin, product.id),
    });
    expect(buyer.items).toHaveLength(1);
  });
});
