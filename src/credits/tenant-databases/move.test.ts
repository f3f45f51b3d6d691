import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  personWithPassword,
  read,
  request,
  type TestPerson,
  type TestTally,
} from '../../../test/support/app';
import {
  apiKeyOf,
  buy,
  creditsAdmin,
  freshEmail,
  makeProduct,
  ok,
  setPrice,
} from '../../../test/support/credits';
import { tenantTally } from '../../../test/support/tenant-databases';
import { systemActor } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import { FLOAT_IN_ACCOUNT, floatAccountId } from '../float/ids';
import type { CreditsLine } from '../line';
import { moveShop, type TenantMoveDeps } from './move';

/**
 * A reseller's shop that started on Tally's database moves into a database of its own and back
 * (`tally credits tenant-move`), and loses nothing on the way: its customer signs in on its domain
 * with the same password and key, and finds the same credits, purchases and history; the credits
 * left one ledger exactly as they arrived in the other.
 */

let tally: TestTally;
let line: CreditsLine;
let deps: TenantMoveDeps;
let admin: TestPerson;
let reseller: TestPerson;
let customer: TestPerson;
let customerKey: string;
let whitelabelId: string;
const password = 'a long enough passphrase';
const domain = `moving-${Date.now()}.example.com`;
const noWait = { settle: async () => {} };

const count = async (db: Db, query: ReturnType<typeof sql>) =>
  (await queryRows<{ n: number }>(db, query))[0]!.n;
const tenantDb = async () => (await line.tenantDatabases(tally.context).open(whitelabelId)).db;

async function asCustomer(method: string, path: string, body?: unknown, host = domain): Promise<Response> {
  return request(tally, method, path, {
    body,
    headers: { host, authorization: `Bearer ${customerKey}`, 'idempotency-key': `k-${Math.random()}` },
  });
}

/** What the customer sees of their credits on the shop's domain. */
async function customerView(): Promise<Body> {
  const balance = await read(await asCustomer('GET', '/api/credits/balance'));
  const usages = await read(await asCustomer('GET', '/api/credits/usages'));
  const grants = await read(await asCustomer('GET', '/api/credits/grants'));
  return {
    balance: {
      total: balance.total,
      used: balance.used,
      available: balance.available,
      reserved: balance.reserved,
    },
    usages: usages.items.map((u: Body) => [u.id, u.amount, u.used_for]).sort(),
    grants: grants.items.map((g: Body) => [g.id, g.amount, g.remaining]).sort(),
  };
}

async function floatSides(): Promise<{ left: bigint; arrived: bigint }> {
  const [main] = await queryRows<{ left: string }>(
    tally.database.db,
    sql`SELECT (credits_posted - debits_posted)::text AS left FROM ledger_accounts WHERE id = ${floatAccountId(reseller.userId)}`,
  );
  const [own] = await queryRows<{ arrived: string }>(
    await tenantDb(),
    sql`SELECT (debits_posted - credits_posted)::text AS arrived FROM ledger_accounts WHERE id = ${FLOAT_IN_ACCOUNT}`,
  );
  return { left: BigInt(main?.left ?? '0'), arrived: BigInt(own?.arrived ?? '0') };
}

beforeAll(async () => {
  const made = await tenantTally();
  ({ tally, line } = made);
  deps = {
    db: tally.database.db,
    clock: tally.clock,
    keys: tally.context.keys,
    log: tally.context.log,
    settings: made.settings,
    registry: line.tenantDatabases(tally.context),
  };
  admin = await creditsAdmin(tally);
  await setPrice(tally, admin, 'generate_image', 2);
  const whitelabel = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 1000,
    permissions: ['create_under_whitelabel_product', 'generate_image'],
  });
  reseller = await personWithPassword(tally, password, {
    email: freshEmail('reseller'),
    name: 'Moving Shop',
  });
  await buy(tally, admin, reseller.email, whitelabel.id);
  whitelabelId = (
    await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', { as: reseller, body: { domain } })
  ).id;
  await tally.database.db.execute(
    sql`UPDATE credits_whitelabels SET status = 'active', dns_verified_at = now(), activated_at = now()
        WHERE id = ${whitelabelId}`,
  );
  const plan = await makeProduct(tally, reseller, {
    type: 'under_whitelabel',
    credits: 100,
    refill: 'month',
    permissions: ['generate_image'],
  });
  customer = await personWithPassword(tally, password, { email: freshEmail('customer') });
  await buy(tally, admin, customer.email, plan.id);
  customerKey = await apiKeyOf(tally, customer, ['credits:spend', 'credits:read']);
  const charged = await asCustomer('POST', '/api/credits/charge', {
    action: 'generate_image',
    used_for: 'before the move',
  });
  expect(charged.status, JSON.stringify(await read(charged.clone()))).toBe(200);
});

describe('moving a shop into its own database and back', () => {
  it('is the way a shop that has started gets its own database: asking for one is refused, and changes nothing', async () => {
    const refused = await ok(tally, 409, 'POST', '/api/credits/whitelabel/database', { as: reseller });
    expect(refused.error).toMatchObject({
      code: 'shop_already_started',
      details: { products: 1, customers: 1 },
    });
    expect(refused.error.message).toContain('ask Tally to move your shop');
    expect(await count(tally.database.db, sql`SELECT count(*)::int AS n FROM credits_tenant_databases`)).toBe(
      0,
    );
  });

  it('is refused while credits are held for its people, and then changes nothing', async () => {
    const held = await read(
      await asCustomer('POST', '/api/credits/reserve', {
        action: 'generate_image',
        amount: '10',
        reserved_for: 'job',
      }),
    );
    expect(held.state).toBe('active');
    await expect(moveShop(deps, systemActor, reseller.userId, 'into_own', noWait)).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'reservations_held', count: 1 },
    });
    expect(await count(tally.database.db, sql`SELECT count(*)::int AS n FROM credits_tenant_moves`)).toBe(0);
    expect(await count(tally.database.db, sql`SELECT count(*)::int AS n FROM credits_tenant_databases`)).toBe(
      0,
    );
    const released = await asCustomer('POST', '/api/credits/release', { reservation_id: held.id });
    expect(released.status).toBe(200);
  });

  it('moves in: the domain is unavailable while it moves, and a move cut short is carried on to the same end', async () => {
    const before = await customerView();
    expect(before.balance).toMatchObject({ total: '100', used: '2', available: '98' });

    let seenWhileMoving: Body = null;
    const cutShort = moveShop(deps, systemActor, reseller.userId, 'into_own', {
      settle: async () => {
        // What the default settling waits for: the tenants' cache of the domain's answer runs out.
        tally.clock.advance(6_000);
        seenWhileMoving = await read(await asCustomer('GET', '/api/credits/balance'));
      },
      afterPass: () => {
        throw new Error('the process stopped');
      },
    });
    await expect(cutShort).rejects.toThrow('the process stopped');
    expect(seenWhileMoving.error.message).toContain('is moving');
    // Cut short after its first pass: still closed to buyers, the credits closed on Tally's side.
    expect((await asCustomer('GET', '/api/credits/balance')).status).toBe(503);

    const move = await moveShop(deps, systemActor, reseller.userId, 'into_own', noWait);
    expect(move.state).toBe('done');
    expect(move.moved).toMatchObject({ people: 1, grants: 1, credits: '98' });

    tally.clock.advance(6_000);
    expect(await customerView()).toEqual(before);
    const own = await tenantDb();
    expect(
      await count(
        own,
        sql`SELECT count(*)::int AS n FROM credits_purchases WHERE user_id = ${customer.userId}`,
      ),
    ).toBe(1);
    // Tally's database keeps the shop's history, and none of its credits: nothing can be spent twice.
    const [mainLeft] = await queryRows<{ left: string }>(
      tally.database.db,
      sql`SELECT coalesce(sum(a.credits_posted - a.debits_posted), 0)::text AS left
          FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id WHERE g.user_id = ${customer.userId}`,
    );
    expect(mainLeft!.left).toBe('0');
    expect((await asCustomer('GET', '/api/credits/balance', undefined, 'localhost')).status).toBe(401);
    expect(await floatSides()).toEqual({ left: 98n, arrived: 98n });

    // The customer signs in on the domain with the password they had.
    const signedIn = await request(tally, 'POST', '/api/auth/login', {
      body: { email: customer.email, password },
      headers: { host: domain },
    });
    expect(signedIn.status).toBe(200);
  });

  it('serves the moved shop from its own database: what its customer spends there is spent there', async () => {
    const charged = await asCustomer('POST', '/api/credits/charge', {
      action: 'generate_image',
      used_for: 'in its own',
    });
    expect(charged.status).toBe(200);
    const own = await tenantDb();
    expect(
      await count(own, sql`SELECT count(*)::int AS n FROM credits_usages WHERE used_for = 'in its own'`),
    ).toBe(1);
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM credits_usages WHERE used_for = 'in its own'`,
      ),
    ).toBe(0);
    expect((await customerView()).balance).toMatchObject({ total: '100', used: '4', available: '96' });
  });

  it('moves back: the same credits and history on Tally’s database, its own database retired', async () => {
    const before = await customerView();
    const move = await moveShop(deps, systemActor, reseller.userId, 'back_to_shared', noWait);
    expect(move.moved).toMatchObject({ people: 1, grants: 1, credits: '96' });
    tally.clock.advance(6_000);
    const after = await customerView();
    expect(after.balance.available).toBe(before.balance.available);
    expect(after.usages).toEqual(before.usages);
    expect(after.grants.map((g: Body[]) => [g[0], g[1]])).toEqual(
      before.grants.map((g: Body[]) => [g[0], g[1]]),
    );
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM credits_usages WHERE used_for = 'in its own'`,
      ),
    ).toBe(1);
    const [database] = await queryRows<{ state: string }>(
      tally.database.db,
      sql`SELECT state FROM credits_tenant_databases WHERE user_id = ${reseller.userId}`,
    );
    expect(database!.state).toBe('retired');
    // What went out to its database came back out of the float, but for what was spent there.
    const [float] = await queryRows<{ left: string }>(
      tally.database.db,
      sql`SELECT (credits_posted - debits_posted)::text AS left FROM ledger_accounts WHERE id = ${floatAccountId(reseller.userId)}`,
    );
    expect(float!.left).toBe('2');

    const charged = await asCustomer('POST', '/api/credits/charge', {
      action: 'generate_image',
      used_for: 'back home',
    });
    expect(charged.status).toBe(200);
    expect((await customerView()).balance.available).toBe('94');

    await expect(
      moveShop(deps, systemActor, reseller.userId, 'back_to_shared', noWait),
    ).rejects.toMatchObject({
      details: { reason: 'already_there' },
    });
    await expect(moveShop(deps, systemActor, reseller.userId, 'into_own', noWait)).rejects.toMatchObject({
      details: { reason: 'database_retired' },
    });
  });
});
