import { eq, sql } from 'drizzle-orm';
import { mnemonicToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  personWithPassword,
  read,
  request,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { settleChain, signedAuthorization, startTestChain } from '../../../test/support/chain';
import { buy, creditsAdmin, freshEmail, makeProduct, ok } from '../../../test/support/credits';
import { whenFileEnds } from '../../../test/support/database';
import { mintUsdc } from '../../../test/support/gateway';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { dropTenantDatabasesAtEnd, tenantSettingsForTests } from '../../../test/support/tenant-databases';
import type { ChainRuntime } from '../../chain/runtime';
import { DEV_MNEMONIC } from '../../chain/runtime';
import { type Db, queryRows } from '../../core/database';
import { productLines } from '../../lines';
import { type CreditsDeps, systemDomainResolver } from '../deps';
import { getBalance } from '../engine/balances';
import { creditsSpender } from '../engine/spend-batch';
import { applyPendingTopUps } from '../float/apply';
import type { FloatDeps } from '../float/top-ups';
import { type CreditsLine, defineCreditsLine } from '../line';
import { checkouts } from '../schema';
import { CHECKOUT_NOTIFICATIONS } from './notifications';
import {
  purchaseInTenant,
  purchaseTenantCheckouts,
  type TenantPurchaseDeps,
  WAITING_FOR_FLOAT,
} from './tenant-purchases';

/**
 * A reseller's shop on a database of its own sells through Tally's USDC checkout: the checkout, the
 * chain's records and the USDC stay on Tally's database, the purchase is made in the reseller's,
 * drawn from its float, exactly once whatever stops between the two.
 */

let admin: TestPerson;
let chain: ChainRuntime;
let tally: TestTally;
let line: CreditsLine;
let deps: TenantPurchaseDeps;
let reseller: TestPerson;
let tenantDb: Db;
let starter: string;
let large: string;
const domain = `checkout-${Date.now()}.example.com`;
const password = 'a long enough passphrase';
const FIRST_BUYER = 21;

const on = (headers: Record<string, string> = {}) => ({ host: domain, ...headers });
const count = async (db: Db, query: ReturnType<typeof sql>) =>
  (await queryRows<{ n: number }>(db, query))[0]!.n;

async function tickUntil(done: () => Promise<boolean>) {
  for (let pass = 0; pass < 20 && !(await done()); pass++) {
    tally.clock.advance(6_000);
    await tally.jobs.tick();
  }
  expect(await done()).toBe(true);
}

async function topUpFloat(amount: string) {
  await ok(tally, 201, 'POST', '/api/credits/whitelabel/float/top-ups', { as: reseller, body: { amount } });
  expect((await applyPendingTopUps(deps.float)).applied).toBe(1);
}

const floatAvailable = async () =>
  (await getBalance(tenantDb, tally.clock, { userId: reseller.userId })).available;

async function shopProduct(cookie: string, name: string, credits: string): Promise<string> {
  const headers = on({ cookie, 'x-requested-with': 'tally-web' });
  const product = await ok(tally, 201, 'POST', '/api/credits/products', {
    headers,
    body: {
      type: 'under_whitelabel',
      name,
      credits_per_cycle: credits,
      refill_cycle: 'month',
      permissions: [],
      display_price: { amount_minor: '490', currency: 'USD' },
    },
  });
  return product.id;
}

beforeAll(async () => {
  chain = await startTestChain();
  for (let index = FIRST_BUYER; index < FIRST_BUYER + 4; index++)
    await mintUsdc(chain, mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).address, 1_000_000_000n);
  line = defineCreditsLine({ tenantDatabases: tenantSettingsForTests() });
  tally = await testTally({
    chain,
    start: new Date().toISOString(),
    lines: productLines.map((each) => (each.name === 'credits' ? line : each)),
  });
  dropTenantDatabasesAtEnd(() => tally.database.db);
  whenFileEnds(() => tally.stop());
  const { context } = tally;
  const notifier = { clock: tally.clock, types: context.notificationTypes, publicUrl: context.publicUrl };
  const float: FloatDeps = {
    db: context.ownDb,
    clock: tally.clock,
    log: context.log,
    tenants: line.tenantDatabases(context),
    notifier,
  };
  const credits: CreditsDeps = {
    db: context.db,
    ownDb: context.ownDb,
    clock: tally.clock,
    spender: creditsSpender(context, tally.clock),
    publicUrl: context.publicUrl,
    kinds: context.kinds,
    notificationTypes: context.notificationTypes,
    dns: systemDomainResolver,
    chain,
  };
  deps = { credits, float };

  admin = await creditsAdmin(tally);
  const whitelabel = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 100,
    permissions: ['create_under_whitelabel_product'],
  });
  const email = freshEmail('reseller');
  reseller = await personWithPassword(tally, password, { email, name: 'Own Shop' });
  await buy(tally, admin, email, whitelabel.id);
  const whitelabelId = (
    await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', { as: reseller, body: { domain } })
  ).id;
  await ok(tally, 200, 'POST', '/api/credits/whitelabel/database', { as: reseller });
  await tally.database.db.execute(
    sql`UPDATE credits_whitelabels SET status = 'active', dns_verified_at = now(), activated_at = now()
        WHERE id = ${whitelabelId}`,
  );
  await tickUntil(
    async () =>
      (await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM credits_tenant_databases WHERE state = 'ready'`,
      )) === 1,
  );
  tenantDb = (await line.tenantDatabases(context).open(whitelabelId)).db;
  // Each product made costs the reseller 5 credits of its float: 40 leaves 30, then 20 and 10 after
  // two sales of the starter, too few for the large one.
  await topUpFloat('40');
  tally.clock.advance(6_000);
  const signedIn = await request(tally, 'POST', '/api/auth/login', {
    body: { email: reseller.email, password },
    headers: on(),
  });
  expect(signedIn.status).toBe(200);
  const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
  starter = await shopProduct(cookie, 'Own Starter', '10');
  large = await shopProduct(cookie, 'Own Large', '25');
});

let nextAccount = FIRST_BUYER;

/** The buyer on the shop's host: reads the offer, signs its value, posts it. */
async function checkoutOnShop(product: string) {
  const wallet = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: nextAccount++ });
  const offer = await ok(tally, 200, 'GET', `/api/credits/checkout/${product}`, { headers: on() });
  expect(offer).toMatchObject({ value: '4900000', unavailable: null });
  const { body } = await signedAuthorization(chain, wallet, offer.terms, BigInt(offer.value));
  const email = freshEmail('buyer');
  const started = await request(tally, 'POST', `/api/credits/checkout/${product}`, {
    body: { email, name: 'Ada', authorization: body },
    headers: on(),
  });
  expect(started.status, JSON.stringify(await read(started.clone()))).toBe(201);
  return { checkout: await read(started), email };
}

const purchasesOf = (db: Db, checkoutId: string) =>
  count(db, sql`SELECT count(*)::int AS n FROM credits_purchases WHERE order_id = ${checkoutId}`);

async function checkoutRow(id: string) {
  const [row] = await tally.database.db.select().from(checkouts).where(eq(checkouts.id, id));
  return row!;
}

describe('the checkout of a shop on its own database', () => {
  it('records the checkout on Tally’s database, and makes the purchase in the shop’s once the chain confirms it', async () => {
    const { checkout, email } = await checkoutOnShop(starter);
    const recorded = await checkoutRow(checkout.id);
    expect(recorded).toMatchObject({ tenantUserId: reseller.userId, state: 'awaiting_payment' });
    expect(
      await count(tenantDb, sql`SELECT count(*)::int AS n FROM credits_checkouts WHERE id = ${checkout.id}`),
    ).toBe(0);
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions WHERE id = ${recorded.transactionId}`,
      ),
    ).toBe(1);

    await settleChain(tally);
    const paid = await ok(tally, 200, 'GET', `/api/credits/checkouts/${checkout.id}`, { headers: on() });
    expect(paid).toMatchObject({ state: 'paid', purchase_id: null, failure: null });

    const floatBefore = await floatAvailable();
    // The job as the runner drives it, on Tally's database.
    await tickUntil(async () => (await checkoutRow(checkout.id)).purchaseId !== null);
    const done = await ok(tally, 200, 'GET', `/api/credits/checkouts/${checkout.id}`, { headers: on() });
    expect(done).toMatchObject({ state: 'paid', failure: null });
    const [purchase] = await queryRows<{ id: string; user_id: string }>(
      tenantDb,
      sql`SELECT id, user_id FROM credits_purchases WHERE order_id = ${checkout.id}`,
    );
    expect(done.purchase_id).toBe(purchase!.id);
    expect(await purchasesOf(tally.database.db, checkout.id)).toBe(0);
    expect(
      await count(
        tenantDb,
        sql`SELECT count(*)::int AS n FROM credits_customers c JOIN core_users u ON u.id = c.user_id
            WHERE u.email = ${email} AND c.type = 'under_whitelabel'`,
      ),
    ).toBe(1);
    expect(
      await count(
        tenantDb,
        sql`SELECT count(*)::int AS n FROM credits_holdings
            WHERE purchase_id = ${purchase!.id} AND product_id = ${starter}`,
      ),
    ).toBe(1);
    expect(await floatAvailable()).toBe(floatBefore - 10n);

    const before = [
      await snapshotTables(tenantDb, ['credits_purchases', 'credits_grants', 'credits_holdings']),
      await snapshotTables(tally.database.db, ['credits_checkouts', 'credits_purchases']),
    ] as const;
    tally.clock.advance(120_000);
    expect(await purchaseTenantCheckouts(deps)).toEqual({ made: 0, waiting: 0, failed: 0 });
    await expectUnchanged(tenantDb, before[0]);
    await expectUnchanged(tally.database.db, before[1]);
  });

  it('makes the purchase once when a try stopped after the shop’s database committed and before Tally’s', async () => {
    const { checkout } = await checkoutOnShop(starter);
    await settleChain(tally);
    const made = await purchaseInTenant(deps, await checkoutRow(checkout.id));
    expect((await checkoutRow(checkout.id)).purchaseId).toBeNull();

    expect((await purchaseTenantCheckouts(deps)).made).toBe(1);
    expect(await purchasesOf(tenantDb, checkout.id)).toBe(1);
    expect((await checkoutRow(checkout.id)).purchaseId).toBe(made.id);
  });

  it('keeps the payment while the float is short, tells the reseller once, and makes the purchase after a top-up', async () => {
    expect(await floatAvailable()).toBeLessThan(25n);
    const { checkout } = await checkoutOnShop(large);
    await settleChain(tally);
    const notices = () =>
      count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM core_notifications
            WHERE user_id = ${reseller.userId} AND type = ${CHECKOUT_NOTIFICATIONS.waitingForFloat}`,
      );

    expect(await purchaseTenantCheckouts(deps)).toMatchObject({ made: 0, waiting: 1 });
    const waiting = await ok(tally, 200, 'GET', `/api/credits/checkouts/${checkout.id}`, { headers: on() });
    expect(waiting).toMatchObject({ state: 'paid', purchase_id: null, failure: WAITING_FOR_FLOAT });
    expect(await notices()).toBe(1);
    expect(await purchasesOf(tenantDb, checkout.id)).toBe(0);
    // Administrators find it among the checkouts whose purchase waits; nobody else lists checkouts.
    const listed = await ok(tally, 200, 'GET', '/api/credits/checkouts?waiting=true', { as: admin });
    expect(listed.items).toEqual([
      expect.objectContaining({
        id: checkout.id,
        tenant_user_id: reseller.userId,
        failure: WAITING_FOR_FLOAT,
        purchase_attempts: 1,
      }),
    ]);
    expect((await ok(tally, 403, 'GET', '/api/credits/checkouts', { as: reseller })).error.code).toBe(
      'forbidden',
    );
    expect(
      await count(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM core_audit_log
            WHERE action = 'credits.checkout_waiting_for_float' AND object_id = ${checkout.id}`,
      ),
    ).toBe(1);

    tally.clock.advance(31_000);
    expect(await purchaseTenantCheckouts(deps)).toMatchObject({ waiting: 1 });
    expect(await notices()).toBe(1);

    await topUpFloat('30');
    tally.clock.advance(31_000);
    expect(await purchaseTenantCheckouts(deps)).toMatchObject({ made: 1, waiting: 0 });
    const paid = await ok(tally, 200, 'GET', `/api/credits/checkouts/${checkout.id}`, { headers: on() });
    expect(paid).toMatchObject({ state: 'paid', failure: null });
    expect(paid.purchase_id).toBeTruthy();
    expect(await purchasesOf(tenantDb, checkout.id)).toBe(1);
    expect((await ok(tally, 200, 'GET', '/api/credits/checkouts?waiting=true', { as: admin })).items).toEqual(
      [],
    );
    const all = await ok(tally, 200, 'GET', '/api/credits/checkouts?state=paid', { as: admin });
    expect(all.items.map((item: { id: string }) => item.id)).toContain(checkout.id);
  });
});
