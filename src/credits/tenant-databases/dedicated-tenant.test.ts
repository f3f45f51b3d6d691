import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  personWithPassword,
  read,
  request,
  type TestPerson,
  type TestTally,
} from '../../../test/support/app';
import { buy, creditsAdmin, deliver, freshEmail, makeProduct, ok } from '../../../test/support/credits';
import { tenantTally, tickUntil } from '../../../test/support/tenant-databases';
import { type Db, queryRows } from '../../core/database';
import { queueMail } from '../../core/mail/outbox';
import { withDatabase } from '../../core/request-database';
import { applyTransfers } from '../../ledger/engine';
import { grantCredits } from '../engine/grants';
import { CREDITS_LEDGER, SYSTEM_ACCOUNTS } from '../engine/ledger';
import type { CreditsLine } from '../line';

/**
 * A reseller with a database of its own: its domain is served from that database alone — its
 * people sign in there, its shop's products are made and listed there — and the work Tally does on
 * its own database (holds that expire, sweeps) is done on the reseller's too.
 */

let tally: TestTally;
let line: CreditsLine;
let admin: TestPerson;
const password = 'a long enough passphrase';
const domain = `own-${Date.now()}.example.com`;
let reseller: TestPerson;
let whitelabelId: string;
let tenantDb: Db;
let product: { id: string };

const on = (headers: Record<string, string> = {}) => ({ host: domain, ...headers });
const count = async (db: Db, query: ReturnType<typeof sql>) =>
  (await queryRows<{ n: number }>(db, query))[0]!.n;

beforeAll(async () => {
  ({ tally, line } = await tenantTally());
  admin = await creditsAdmin(tally);
  const whitelabel = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 100,
    permissions: ['create_under_whitelabel_product'],
  });
  const email = freshEmail('reseller');
  reseller = await personWithPassword(tally, password, { email, name: 'Own Shop' });
  await buy(tally, admin, email, whitelabel.id);
  whitelabelId = (
    await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', { as: reseller, body: { domain } })
  ).id;
  await ok(tally, 200, 'POST', '/api/credits/whitelabel/database', { as: reseller });
  // The DNS check's verdict, as the domain job writes it: the subject here is what an active domain serves.
  await tally.database.db.execute(
    sql`UPDATE credits_whitelabels SET status = 'active', dns_verified_at = now(), activated_at = now()
        WHERE id = ${whitelabelId}`,
  );
});

describe('a reseller’s own database', () => {
  it('answers that the shop is unavailable until the database is ready, then serves it from there', async () => {
    const waiting = await ok(tally, 503, 'GET', '/api/credits/catalogue', { headers: on() });
    expect(waiting.error.message).toContain('moving to a database of its own');
    // The brand still shows, so the page can say what is happening under the right name.
    expect((await ok(tally, 200, 'GET', '/api/tenant', { headers: on() })).tenant.domain).toBe(domain);

    await tickUntil(
      tally,
      async () =>
        (await count(
          tally.database.db,
          sql`SELECT count(*)::int AS n FROM credits_tenant_databases WHERE state = 'ready'`,
        )) === 1,
    );
    tenantDb = (await line.tenantDatabases(tally.context).open(whitelabelId)).db;
    tally.clock.advance(6_000);
    expect(await ok(tally, 200, 'GET', '/api/credits/catalogue', { headers: on() })).toEqual({ items: [] });
  });

  it('knows the reseller: it signs in on its domain with its own password, into a session kept there alone', async () => {
    const mainSessions = await count(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM core_sessions WHERE user_id = ${reseller.userId}`,
    );
    const signedIn = await request(tally, 'POST', '/api/auth/login', {
      body: { email: reseller.email, password },
      headers: on(),
    });
    expect(signedIn.status, JSON.stringify(await read(signedIn.clone()))).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    expect(
      await count(
        tenantDb,
        sql`SELECT count(*)::int AS n FROM core_sessions WHERE user_id = ${reseller.userId}`,
      ),
    ).toBe(1);
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM core_sessions WHERE user_id = ${reseller.userId}`,
      ),
    ).toBe(mainSessions);

    // Credits of its own in its database, as its float moves them in (src/credits/float/): making a
    // product there is checked against them.
    await tenantDb.transaction((tx) =>
      grantCredits(tx, tally.clock, {
        userId: reseller.userId,
        source: 'adjustment',
        amount: 50n,
        reason: 'credits moved into the reseller’s own database',
      }),
    );
    // Its shop's product is made in its database, and sold there; Tally's database never sees it.
    product = await ok(tally, 201, 'POST', '/api/credits/products', {
      headers: on({ cookie, 'x-requested-with': 'tally-web' }),
      body: {
        type: 'under_whitelabel',
        name: 'Own Starter',
        credits_per_cycle: '10',
        refill_cycle: 'month',
        permissions: [],
      },
    });
    const shop = await ok(tally, 200, 'GET', '/api/credits/catalogue', { headers: on() });
    expect(shop.items.map((item: { id: string }) => item.id)).toEqual([product.id]);
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM credits_products WHERE id = ${product.id}`,
      ),
    ).toBe(0);
    expect(
      await count(tenantDb, sql`SELECT count(*)::int AS n FROM credits_products WHERE id = ${product.id}`),
    ).toBe(1);
  });

  it('has the reseller make and manage its products in its own database from Tally’s site too', async () => {
    const mine = await ok(tally, 200, 'GET', '/api/credits/products', { as: reseller });
    expect(mine.items.map((item: { id: string }) => item.id)).toEqual([product.id]);
    const made = await ok(tally, 201, 'POST', '/api/credits/products', {
      as: reseller,
      body: {
        type: 'under_whitelabel',
        name: 'Made on Tally’s site',
        credits_per_cycle: '5',
        refill_cycle: 'none',
        permissions: [],
      },
    });
    const where = sql`SELECT count(*)::int AS n FROM credits_products WHERE id = ${made.id}`;
    expect(await count(tenantDb, where)).toBe(1);
    expect(await count(tally.database.db, where)).toBe(0);
    const renamed = await ok(tally, 200, 'PATCH', `/api/credits/products/${made.id}`, {
      as: reseller,
      body: { name: 'Renamed', active: false },
    });
    expect(renamed).toMatchObject({ id: made.id, name: 'Renamed', active: false });
    expect((await ok(tally, 200, 'GET', `/api/credits/products/${made.id}`, { as: reseller })).name).toBe(
      'Renamed',
    );
  });

  it('is no place for Tally’s sessions and keys: the reseller’s session on Tally’s database opens nothing there', async () => {
    const refused = await ok(tally, 401, 'GET', '/api/auth/me', { as: reseller, headers: on() });
    expect(refused.error.code).toBe('unauthorized');
    const operator = await request(tally, 'GET', '/api/credits/users', {
      headers: on({ authorization: 'Bearer test-admin-key-0123456789abcdef' }),
    });
    expect(operator.status).toBe(403);
  });

  it('has Tally’s tenant work done on it: a hold in its ledger expires by itself', async () => {
    const holdId = '5b0e2c4a-7d7e-4f57-9a4e-1d2b3c4d5e6f';
    await tenantDb.transaction((tx) =>
      applyTransfers(
        tx,
        [
          {
            id: holdId,
            debitAccountId: SYSTEM_ACCOUNTS.issuer,
            creditAccountId: SYSTEM_ACCOUNTS.expired,
            amount: 5n,
            ledger: CREDITS_LEDGER,
            code: 'test_hold',
            timeoutSeconds: 2,
            flags: { pending: true },
          },
        ],
        { clock: tally.clock },
      ),
    );
    const expired = () =>
      count(
        tenantDb,
        sql`SELECT count(*)::int AS n FROM ledger_transfers WHERE pending_id = ${holdId} AND kind = 'expire_pending'`,
      );
    expect(await expired()).toBe(0);
    await tickUntil(tally, async () => (await expired()) === 1);
    // Tally's own ledger has no such hold, and no expiry of one.
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM ledger_transfers WHERE id = ${holdId}`,
      ),
    ).toBe(0);
  });

  it('delivers the mail its people are sent from its own outbox', async () => {
    const messageId = await withDatabase(tenantDb, () =>
      tenantDb.transaction((tx) =>
        queueMail(tx, tally.clock, {
          to: 'buyer@own-shop.example',
          from: '"Own Shop" <no-reply@own-shop.example>',
          subject: 'Your credits',
          text: 'They are ready.',
          template: 'test',
        }),
      ),
    );
    const state = async () =>
      (
        await queryRows<{ state: string }>(
          tenantDb,
          sql`SELECT state FROM core_mail_messages WHERE id = ${messageId}`,
        )
      )[0]?.state;
    expect(await state()).toBe('queued');
    await tickUntil(tally, async () => (await state()) === 'sent');
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM core_mail_messages WHERE id = ${messageId}`,
      ),
    ).toBe(0);
  });

  it('makes a sale a sales platform reports by webhook in the shop’s database, drawn on its float, once', async () => {
    const created = await ok(tally, 201, 'POST', '/api/credits/integrations', {
      as: admin,
      body: { name: 'Own Shop’s platform' },
    });
    const integration = { id: created.integration.id, secret: created.secret };
    const order = {
      order_id: `own-${Date.now()}`,
      email: freshEmail('platform-buyer'),
      product_id: product.id,
    };
    const resellerCredits = async () =>
      BigInt(
        (
          await queryRows<{ left: string }>(
            tenantDb,
            sql`SELECT sum(a.credits_posted - a.debits_posted)::text AS left
                FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id WHERE g.user_id = ${reseller.userId}`,
          )
        )[0]!.left,
      );
    const floatBefore = await resellerCredits();
    const first = await deliver(tally, integration, order);
    expect(first.status, JSON.stringify(await read(first.clone()))).toBe(201);
    const { purchase } = await read(first);
    const inShop = sql`SELECT count(*)::int AS n FROM credits_purchases WHERE id = ${purchase.id}`;
    expect(await count(tenantDb, inShop)).toBe(1);
    expect(await count(tally.database.db, inShop)).toBe(0);
    const buyer = sql`SELECT count(*)::int AS n FROM core_users WHERE email = ${order.email}`;
    expect(await count(tenantDb, buyer)).toBe(1);
    expect(await count(tally.database.db, buyer)).toBe(0);
    // The buyer's credits came out of the reseller's float there.
    expect(await resellerCredits()).toBe(floatBefore - 10n);

    const again = await deliver(tally, integration, order);
    expect(again.status).toBe(200);
    expect((await read(again)).purchase.id).toBe(purchase.id);
    expect(await count(tenantDb, inShop)).toBe(1);
    const logged = await queryRows<{ outcome: string }>(
      tally.database.db,
      sql`SELECT outcome FROM credits_webhook_deliveries WHERE integration_id = ${integration.id} ORDER BY received_at, id`,
    );
    expect(logged.map((l) => l.outcome).sort()).toEqual(['already_recorded', 'recorded']);
  });
});
