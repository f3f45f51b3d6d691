import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../src/core/database';
import { signDelivery } from '../../src/credits/purchases/integrations';
import {
  type Body,
  read,
  request,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestPerson,
  type TestTally,
} from './app';

/**
 * Test support for the credits line: products, purchases and people made through its API, and the
 * counts a test compares before and after a refused request.
 */

let counter = 0;
export const freshEmail = (label = 'buyer') => `${label}-${++counter}-${Date.now()}@example.test`;

export const adminKey = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

export async function creditsAdmin(tally: TestTally): Promise<TestPerson> {
  return signedInPerson(tally, { isAdmin: true, email: freshEmail('admin') });
}

/** A request that must succeed with `status`; returns its body. */
export async function ok(
  tally: TestTally,
  status: number,
  method: string,
  path: string,
  options: Parameters<typeof request>[3] = {},
): Promise<Body> {
  const response = await request(tally, method, path, options);
  const body = await read(response);
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

export async function setPrice(tally: TestTally, admin: TestPerson, action: string, price: number) {
  return ok(tally, 200, 'PUT', `/api/credits/action-prices/${action}`, {
    as: admin,
    body: { price: String(price), label: action.replaceAll('_', ' ') },
  });
}

export interface ProductOptions {
  type?: 'generic' | 'whitelabel' | 'under_whitelabel';
  credits?: number;
  permissions?: string[];
  refill?: 'none' | 'day' | 'week' | 'month' | 'year';
}

export async function makeProduct(
  tally: TestTally,
  maker: TestPerson,
  options: ProductOptions = {},
): Promise<Body> {
  return ok(tally, 201, 'POST', '/api/credits/products', {
    as: maker,
    body: {
      ...(options.type ? { type: options.type } : {}),
      name: `Product ${++counter}`,
      credits_per_cycle: String(options.credits ?? 100),
      refill_cycle: options.refill ?? 'none',
      permissions: options.permissions ?? [],
    },
  });
}

/** An administrator's purchase for an address; the person is registered when the address is new. */
export async function buy(
  tally: TestTally,
  admin: TestPerson,
  email: string,
  productId: string,
): Promise<Body> {
  const body = await ok(tally, 201, 'POST', '/api/credits/purchases', {
    as: admin,
    body: { email, product_id: productId, order_reference: `order-${++counter}` },
  });
  return body.purchase;
}

/** A signed-in person who bought a product (a purchase for their address). */
export async function customerOf(
  tally: TestTally,
  admin: TestPerson,
  productId: string,
): Promise<TestPerson> {
  const person = await signedInPerson(tally, { email: freshEmail() });
  await buy(tally, admin, person.email, productId);
  return person;
}

export async function balanceOf(tally: TestTally, person: TestPerson, workspaceId?: string): Promise<Body> {
  return ok(tally, 200, 'GET', `/api/credits/balance${workspaceId ? `?workspace_id=${workspaceId}` : ''}`, {
    as: person,
  });
}

export async function apiKeyOf(tally: TestTally, person: TestPerson, scopes: string[]): Promise<string> {
  const body = await ok(tally, 201, 'POST', '/api/auth/api-keys', {
    as: person,
    body: { name: 'host app', scopes },
  });
  return body.secret;
}

/** A webhook delivery signed as the sales platform would sign it. */
export function deliver(
  tally: TestTally,
  integration: { id: string; secret: string },
  payload: unknown,
  options: { timestamp?: number; secret?: string; rawBody?: string } = {},
): Response | Promise<Response> {
  const rawBody = options.rawBody ?? JSON.stringify(payload);
  const timestamp = String(options.timestamp ?? Math.floor(tally.clock.now().getTime() / 1000));
  const signature = signDelivery(
    options.secret ?? integration.secret,
    timestamp,
    new TextEncoder().encode(rawBody),
  );
  return tally.http.request(`/api/credits/webhooks/${integration.id}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-tally-timestamp': timestamp,
      'x-tally-signature': `sha256=${signature}`,
    },
    body: rawBody,
  });
}

const countedTables = [
  'core_users',
  'credits_purchases',
  'credits_holdings',
  'credits_grants',
  'credits_usages',
  'credits_reservations',
  'credits_products',
  'core_organizations',
  'core_invitations',
  'core_mail_messages',
  'ledger_transfers',
] as const;

/** How many rows each table of the line holds: equal before and after a refused request means nothing changed. */
export async function counts(tally: TestTally): Promise<Record<(typeof countedTables)[number], number>> {
  const result = {} as Record<(typeof countedTables)[number], number>;
  for (const table of countedTables) {
    const [row] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`,
    );
    result[table] = row?.n ?? 0;
  }
  return result;
}

/** The temporary password in the newest login-details mail to an address. */
export async function mailedTemporaryPassword(tally: TestTally, email: string): Promise<string> {
  const [mail] = await queryRows<{ text: string }>(
    tally.database.db,
    sql`SELECT text FROM core_mail_messages WHERE to_address = ${email} AND template = 'credits_login_details'
        ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  const match = /Temporary password: (\S+)/.exec(mail?.text ?? '');
  if (!match?.[1]) throw new Error(`no login details mailed to ${email}`);
  return match[1];
}
