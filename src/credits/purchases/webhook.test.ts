import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import {
  balanceOf,
  counts,
  creditsAdmin,
  deliver,
  freshEmail,
  mailedTemporaryPassword,
  makeProduct,
  ok,
} from '../../../test/support/credits';
import { signDelivery } from './integrations';

let tally: TestTally;
let admin: TestPerson;
let integration: { id: string; secret: string };
let productId: string;

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  const created = await ok(tally, 201, 'POST', '/api/credits/integrations', {
    as: admin,
    body: { name: 'Shop' },
  });
  integration = { id: created.integration.id, secret: created.secret };
  productId = (await makeProduct(tally, admin, { type: 'generic', credits: 120 })).id;
});

const order = (overrides: Record<string, unknown> = {}) => ({
  order_id: `A-${Math.random().toString(36).slice(2)}`,
  email: freshEmail(),
  product_id: productId,
  ...overrides,
});

describe('integrations', () => {
  it('shows the secret once, at creation, and only to administrators', async () => {
    const list = await ok(tally, 200, 'GET', '/api/credits/integrations', { as: admin });
    expect(list.items.some((i: { id: string }) => i.id === integration.id)).toBe(true);
    expect(JSON.stringify(list)).not.toContain(integration.secret);
    expect(integration.secret).toMatch(/^whsec_/);
  });
});

describe('a signed delivery', () => {
  it('registers the buyer, grants the credits, and mails login details, all at once', async () => {
    const body = order({ name: 'Grace' });
    const before = await counts(tally);
    const response = await deliver(tally, integration, body);
    expect(response.status).toBe(201);
    const { purchase, created } = await read(response);
    expect(created).toBe(true);
    expect(purchase).toMatchObject({
      source: 'webhook',
      order_id: body.order_id,
      email: body.email,
      registered: true,
    });
    const after = await counts(tally);
    expect(after.core_users - before.core_users).toBe(1);
    expect(after.credits_purchases - before.credits_purchases).toBe(1);
    expect(after.credits_grants - before.credits_grants).toBe(1);
    expect(after.credits_holdings - before.credits_holdings).toBe(1);
    expect(await mailedTemporaryPassword(tally, body.email)).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const profile = await ok(tally, 200, 'GET', `/api/credits/users/${purchase.user_id}`, { as: admin });
    expect(profile).toMatchObject({ type: 'generic', balance: { total: '120', available: '120' } });
  });

  it('answers a replay of the same delivery with the same purchase, and creates nothing', async () => {
    const body = order();
    const first = await read(await deliver(tally, integration, body));
    const before = await counts(tally);
    const replay = await deliver(tally, integration, body);
    expect(replay.status).toBe(200);
    expect(await read(replay)).toEqual({ purchase: first.purchase, created: false });
    // The same order delivered again later, signed anew, is the same order.
    tally.clock.advance(60_000);
    const again = await deliver(tally, integration, body);
    expect(again.status).toBe(200);
    expect((await read(again)).purchase.id).toBe(first.purchase.id);
    expect(await counts(tally)).toEqual(before);
  });

  it('refuses the same order id with another product or address, and creates nothing', async () => {
    const body = order();
    await deliver(tally, integration, body);
    const other = await makeProduct(tally, admin, { type: 'generic', credits: 5 });
    const before = await counts(tally);
    const response = await deliver(tally, integration, { ...body, product_id: other.id });
    expect(response.status).toBe(409);
    expect((await read(response)).error.code).toBe('order_recorded_differently');
    expect((await deliver(tally, integration, { ...body, email: freshEmail() })).status).toBe(409);
    expect(await counts(tally)).toEqual(before);
  });

  it('adds a holding for a person who already has an account, without registering them again', async () => {
    const body = order();
    const first = await read(await deliver(tally, integration, body));
    const second = await read(await deliver(tally, integration, order({ email: body.email.toUpperCase() })));
    expect(second.purchase).toMatchObject({ user_id: first.purchase.user_id, registered: false });
    const profile = await ok(tally, 200, 'GET', `/api/credits/users/${first.purchase.user_id}`, {
      as: admin,
    });
    expect(profile.holdings).toHaveLength(2);
    expect(profile.balance.total).toBe('240');
  });
});

describe('a delivery that is refused changes nothing', () => {
  const refused = async (
    response: Response | Promise<Response>,
    status: number,
    code: string,
    reason?: string,
  ) => {
    const before = await counts(tally);
    const answer = await response;
    const body = await read(answer);
    expect(answer.status, JSON.stringify(body)).toBe(status);
    expect(body.error.code).toBe(code);
    if (reason) expect(body.error.details.reason).toBe(reason);
    expect(await counts(tally)).toEqual(before);
  };
  const nowSeconds = () => Math.floor(tally.clock.now().getTime() / 1000);

  it('a wrong signature', async () => {
    await refused(
      deliver(tally, integration, order(), { secret: 'whsec_not-the-secret' }),
      401,
      'unauthorized',
      'bad_signature',
    );
  });

  it('a body changed after signing', async () => {
    const body = order();
    const signedFor = JSON.stringify(body);
    const response = tally.http.request(`/api/credits/webhooks/${integration.id}`, {
      method: 'POST',
      headers: signedHeaders(signedFor),
      body: JSON.stringify({ ...body, email: freshEmail() }),
    });
    await refused(response, 401, 'unauthorized', 'bad_signature');
  });

  it('missing signature headers', async () => {
    const response = request(tally, 'POST', `/api/credits/webhooks/${integration.id}`, { body: order() });
    await refused(response, 401, 'unauthorized', 'missing_timestamp');
  });

  it('a timestamp more than 5 minutes old', async () => {
    await refused(
      deliver(tally, integration, order(), { timestamp: nowSeconds() - 301 }),
      401,
      'unauthorized',
      'stale_timestamp',
    );
  });

  it('a timestamp more than 5 minutes in the future', async () => {
    await refused(
      deliver(tally, integration, order(), { timestamp: nowSeconds() + 301 }),
      401,
      'unauthorized',
      'future_timestamp',
    );
  });

  it('an unknown product', async () => {
    await refused(
      deliver(tally, integration, order({ product_id: '01900000-0000-7000-8000-000000000000' })),
      404,
      'not_found',
    );
  });

  it('an inactive product', async () => {
    const retired = await makeProduct(tally, admin, { type: 'generic' });
    await ok(tally, 200, 'PATCH', `/api/credits/products/${retired.id}`, {
      as: admin,
      body: { active: false },
    });
    await refused(deliver(tally, integration, order({ product_id: retired.id })), 422, 'product_not_sold');
  });

  it('a body that is not the order shape', async () => {
    await refused(deliver(tally, integration, { ...order(), coupon: 'FREE' }), 400, 'validation_failed');
    await refused(deliver(tally, integration, null, { rawBody: '{"order_id":' }), 400, 'malformed_json');
  });

  it('an unknown integration', async () => {
    await refused(
      deliver(tally, { id: '01900000-0000-7000-8000-000000000001', secret: integration.secret }, order()),
      404,
      'not_found',
    );
  });

  it('an inactive integration, even with a valid signature', async () => {
    const created = await ok(tally, 201, 'POST', '/api/credits/integrations', {
      as: admin,
      body: { name: 'Old shop' },
    });
    const old = { id: created.integration.id, secret: created.secret };
    expect((await deliver(tally, old, order())).status).toBe(201);
    await ok(tally, 200, 'POST', `/api/credits/integrations/${old.id}/deactivate`, { as: admin });
    await refused(deliver(tally, old, order()), 403, 'integration_deactivated', 'integration_inactive');
  });

  it('never grants a person twice for one order, whoever retries', async () => {
    const body = order();
    await Promise.all([deliver(tally, integration, body), deliver(tally, integration, body)]);
    const buyer = await ok(tally, 200, 'GET', `/api/credits/purchases?limit=200`, { as: admin });
    const matching = buyer.items.filter((p: { order_id: string }) => p.order_id === body.order_id);
    expect(matching).toHaveLength(1);
    const profile = await ok(tally, 200, 'GET', `/api/credits/users/${matching[0].user_id}`, { as: admin });
    expect(profile.balance.total).toBe('120');
  });
});

describe('an integration', () => {
  it('is read alone by administrators, without its secret; anyone else or an unknown id finds none', async () => {
    const created = await ok(tally, 201, 'POST', '/api/credits/integrations', {
      as: admin,
      body: { name: 'Shop to read' },
    });
    const read = await ok(tally, 200, 'GET', `/api/credits/integrations/${created.integration.id}`, {
      as: admin,
    });
    expect(read).toEqual(created.integration);
    expect(JSON.stringify(read)).not.toContain(created.secret);
    const stranger = await signedInPerson(tally);
    const refused = await request(tally, 'GET', `/api/credits/integrations/${created.integration.id}`, {
      as: stranger,
    });
    expect(refused.status).toBe(403);
    const unknown = await request(
      tally,
      'GET',
      '/api/credits/integrations/01900000-0000-7000-8000-000000000000',
      {
        as: admin,
      },
    );
    expect(unknown.status).toBe(404);
  });
});

describe('the delivery log', () => {
  it('keeps every delivery an integration received, failures included and why, newest first', async () => {
    const created = await ok(tally, 201, 'POST', '/api/credits/integrations', {
      as: admin,
      body: { name: 'Logged shop' },
    });
    const shop = { id: created.integration.id, secret: created.secret };
    const body = order();
    expect((await deliver(tally, shop, body, { secret: 'whsec_not-the-secret' })).status).toBe(401);
    expect((await deliver(tally, shop, body)).status).toBe(201);
    expect((await deliver(tally, shop, body)).status).toBe(200);
    expect((await deliver(tally, shop, { ...order(), coupon: 'FREE' })).status).toBe(400);
    const retired = await makeProduct(tally, admin, { type: 'generic' });
    await ok(tally, 200, 'PATCH', `/api/credits/products/${retired.id}`, {
      as: admin,
      body: { active: false },
    });
    const unsold = order({ product_id: retired.id });
    expect((await deliver(tally, shop, unsold)).status).toBe(422);

    const log = await ok(tally, 200, 'GET', `/api/credits/integrations/${shop.id}/deliveries?limit=3`, {
      as: admin,
    });
    const older = await ok(
      tally,
      200,
      'GET',
      `/api/credits/integrations/${shop.id}/deliveries?limit=3&cursor=${log.next_cursor}`,
      { as: admin },
    );
    const entries = [...log.items, ...older.items];
    expect(older.next_cursor).toBeNull();
    const purchases = await ok(tally, 200, 'GET', `/api/credits/purchases?limit=200`, { as: admin });
    const purchase = purchases.items.find((p: { order_id: string }) => p.order_id === body.order_id);
    expect(
      entries.map((d: Record<string, unknown>) => [d.outcome, d.status, d.error_code, d.reason, d.order_id]),
    ).toEqual([
      ['refused', 422, 'product_not_sold', null, unsold.order_id],
      ['refused', 400, 'validation_failed', null, null],
      ['already_recorded', 200, null, null, body.order_id],
      ['recorded', 201, null, null, body.order_id],
      // The body of a delivery whose signature failed is not read: no order id.
      ['refused', 401, 'unauthorized', 'bad_signature', null],
    ]);
    expect(entries[3]).toMatchObject({ purchase_id: purchase.id, message: null });
    expect(entries[0].message).toContain('no longer sold');
    expect(entries[4].body_bytes).toBeGreaterThan(50);
  });
});

describe('a purchase’s page', () => {
  it('shows what was bought by whom through which platform, the amount paid, and its deliveries', async () => {
    const buyer = await signedInPerson(tally, { email: freshEmail(), name: 'Ada' });
    const body = order({ email: buyer.email, amount_paid: { amount_minor: '4900', currency: 'EUR' } });
    expect((await deliver(tally, integration, body)).status).toBe(201);
    expect((await deliver(tally, integration, body)).status).toBe(200);
    const purchases = await ok(tally, 200, 'GET', '/api/credits/purchases?limit=200', { as: admin });
    const listed = purchases.items.find((p: { order_id: string }) => p.order_id === body.order_id);
    expect(listed.amount_paid).toEqual({ amount_minor: '4900', currency: 'EUR' });

    const page = await ok(tally, 200, 'GET', `/api/credits/purchases/${listed.id}`, { as: admin });
    expect(page).toMatchObject({
      purchase: { id: listed.id, amount_paid: { amount_minor: '4900', currency: 'EUR' } },
      product: { id: productId, type: 'generic' },
      buyer: { id: listed.user_id, name: 'Ada', email: body.email },
      integration: { id: integration.id, name: 'Shop' },
      entered_by: null,
    });
    expect(page.deliveries.map((d: { outcome: string }) => d.outcome)).toEqual([
      'already_recorded',
      'recorded',
    ]);

    // The buyer sees their purchase, without the platform's deliveries; someone else finds none.
    const own = await ok(tally, 200, 'GET', `/api/credits/purchases/${listed.id}`, { as: buyer });
    expect(own).toMatchObject({ purchase: { id: listed.id }, buyer: { id: buyer.userId }, deliveries: [] });
    const stranger = await signedInPerson(tally);
    const hidden = await request(tally, 'GET', `/api/credits/purchases/${listed.id}`, { as: stranger });
    expect(hidden.status).toBe(404);
  });

  it('takes the amount paid from an administrator, and refuses one that is no price', async () => {
    const entered = await ok(tally, 201, 'POST', '/api/credits/purchases', {
      as: admin,
      body: {
        email: freshEmail(),
        product_id: productId,
        order_reference: `bank-${Date.now()}`,
        amount_paid: { amount_minor: '2990', currency: 'USD' },
      },
    });
    const page = await ok(tally, 200, 'GET', `/api/credits/purchases/${entered.purchase.id}`, { as: admin });
    expect(page).toMatchObject({
      purchase: { source: 'admin', amount_paid: { amount_minor: '2990', currency: 'USD' } },
      integration: null,
      entered_by: { id: admin.userId },
      deliveries: [],
    });
    const before = await counts(tally);
    const slip = await request(tally, 'POST', '/api/credits/purchases', {
      as: admin,
      body: {
        email: freshEmail(),
        product_id: productId,
        order_reference: `bank-slip-${Date.now()}`,
        amount_paid: { amount_minor: '299000000000', currency: 'USD' },
      },
    });
    expect(slip.status).toBe(400);
    expect((await read(slip)).error.details.issues[0].path).toBe('amount_paid.amount_minor');
    expect(await counts(tally)).toEqual(before);
  });
});

describe('integrations are administrators’ business', () => {
  it('refuses everyone else (403) and changes nothing', async () => {
    const person = await signedInPerson(tally);
    const before = await counts(tally);
    for (const [method, path, body] of [
      ['POST', '/api/credits/integrations', { name: 'Mine' }],
      ['GET', '/api/credits/integrations', undefined],
      ['POST', `/api/credits/integrations/${integration.id}/deactivate`, undefined],
      ['GET', `/api/credits/integrations/${integration.id}/deliveries`, undefined],
    ] as const) {
      const response = await request(tally, method, path, { as: person, body });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    expect(await counts(tally)).toEqual(before);
    expect((await balanceOf(tally, person)).total).toBe('0');
  });
});

function signedHeaders(rawBody: string): Record<string, string> {
  const timestamp = String(Math.floor(tally.clock.now().getTime() / 1000));
  return {
    'content-type': 'application/json',
    'x-tally-timestamp': timestamp,
    'x-tally-signature': `sha256=${signDelivery(integration.secret, timestamp, new TextEncoder().encode(rawBody))}`,
  };
}
