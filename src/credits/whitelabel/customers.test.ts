import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { buy, creditsAdmin, customerOf, makeProduct, ok, setPrice } from '../../../test/support/credits';

let tally: TestTally;
let admin: TestPerson;
let whitelabelProductId: string;
let genericProductId: string;

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  await setPrice(tally, admin, 'generate_image', 2);
  whitelabelProductId = (
    await makeProduct(tally, admin, {
      type: 'whitelabel',
      credits: 100,
      permissions: ['create_under_whitelabel_product', 'generate_image'],
    })
  ).id;
  genericProductId = (
    await makeProduct(tally, admin, {
      type: 'generic',
      credits: 50,
      permissions: ['generate_image'],
      refill: 'none',
    })
  ).id;
});

/** A reseller and one product of its own: 30 credits a month, drawn from its 100. */
async function resellerWithProduct(): Promise<{ reseller: TestPerson; productId: string; name: string }> {
  const reseller = await customerOf(tally, admin, whitelabelProductId);
  const product = await ok(tally, 201, 'POST', '/api/credits/products', {
    as: reseller,
    body: {
      type: 'under_whitelabel',
      name: 'Starter',
      credits_per_cycle: '30',
      refill_cycle: 'month',
      permissions: ['generate_image'],
    },
  });
  return { reseller, productId: product.id, name: product.name };
}

const spend = (person: TestPerson, path: string, body: Record<string, unknown>, key: string) =>
  ok(tally, 200, 'POST', `/api/credits/${path}`, { as: person, body, headers: { 'idempotency-key': key } });

describe('a reseller’s customers', () => {
  it('are the people holding its products, with the credits it funded this cycle, and only those', async () => {
    const a = await resellerWithProduct();
    const b = await resellerWithProduct();
    const ada = await signedInPerson(tally, { name: 'Ada Lovelace' });
    await buy(tally, admin, ada.email, a.productId);
    // Credits Ada has from elsewhere are not the reseller's to see.
    await buy(tally, admin, ada.email, genericProductId);
    const bob = await signedInPerson(tally, { name: 'Bob' });
    await buy(tally, admin, bob.email, b.productId);

    // The reseller's grant expires with its cycle, so it pays before the generic product's.
    await spend(ada, 'charge', { action: 'generate_image', quantity: 2, used_for: 'image:1' }, 'ada-1');
    const usedAt = tally.clock.now().toISOString();
    tally.clock.advance(60_000);
    await spend(ada, 'reserve', { action: 'generate_image', amount: '3', reserved_for: 'post:1' }, 'ada-2');

    const list = await ok(tally, 200, 'GET', '/api/credits/whitelabel/customers', { as: a.reseller });
    expect(list).toEqual({
      items: [
        {
          user_id: ada.userId,
          email: ada.email,
          name: 'Ada Lovelace',
          products: [{ id: a.productId, name: a.name, active: true }],
          granted: '30',
          used: '4',
          reserved: '3',
          available: '23',
          customer_since: expect.any(String),
          last_used_at: usedAt,
        },
      ],
      next_cursor: null,
    });
    // Ada's own balance counts the generic product's credits too; the reseller's list does not.
    expect(await ok(tally, 200, 'GET', '/api/credits/balance', { as: ada })).toMatchObject({
      total: '80',
      available: '73',
    });

    const others = await ok(tally, 200, 'GET', '/api/credits/whitelabel/customers', { as: b.reseller });
    expect(others.items.map((c: { user_id: string }) => c.user_id)).toEqual([bob.userId]);
    expect(others.items[0]).toMatchObject({ granted: '30', used: '0', available: '30', last_used_at: null });

    // The pool: 100 held, 30 handed to Ada, 5 spent making the product, 65 left.
    expect(await ok(tally, 200, 'GET', '/api/credits/whitelabel/pool', { as: a.reseller })).toEqual({
      total: '100',
      handed_out: '30',
      moved_to_float: '0',
      spent: '5',
      reserved: '0',
      available: '65',
      customers: 1,
    });
  });

  it('page, and are found by name or address', async () => {
    const a = await resellerWithProduct();
    const people: TestPerson[] = [];
    for (const name of ['Carol', 'Dan', 'Erin']) {
      // Addresses with no hex in them: a random one may hold "da", which the search below must find in Dan only.
      const person = await signedInPerson(tally, {
        name,
        email: `${name.toLowerCase()}.${Date.now()}@example.test`,
      });
      await buy(tally, admin, person.email, a.productId);
      people.push(person);
    }
    const first = await ok(tally, 200, 'GET', '/api/credits/whitelabel/customers?limit=2', {
      as: a.reseller,
    });
    expect(first.items.map((c: { name: string }) => c.name)).toEqual(['Erin', 'Dan']);
    const second = await ok(
      tally,
      200,
      'GET',
      `/api/credits/whitelabel/customers?limit=2&cursor=${first.next_cursor}`,
      { as: a.reseller },
    );
    expect(second).toMatchObject({ items: [{ name: 'Carol' }], next_cursor: null });
    const found = await ok(tally, 200, 'GET', '/api/credits/whitelabel/customers?q=da', { as: a.reseller });
    expect(found.items.map((c: { name: string }) => c.name)).toEqual(['Dan']);
    const none = await ok(tally, 200, 'GET', '/api/credits/whitelabel/customers?q=%25', { as: a.reseller });
    expect(none.items).toEqual([]);
  });

  it('are refused to anyone who does not resell', async () => {
    const person = await customerOf(tally, admin, genericProductId);
    for (const path of ['/api/credits/whitelabel/customers', '/api/credits/whitelabel/pool']) {
      const refused = await request(tally, 'GET', path, { as: person });
      expect(refused.status, path).toBe(403);
      expect((await read(refused)).error.code).toBe('forbidden');
    }
  });
});
