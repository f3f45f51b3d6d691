import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { read, request, signedInPerson, type TestPerson } from '../../../test/support/app';
import { creditsAdmin } from '../../../test/support/credits';
import {
  expectLedgerSound,
  type FloatTally,
  floatReseller,
  floatTally,
  giveCredits,
} from '../../../test/support/float';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';
import { applyBalanceOps, applyTransfers } from '../../ledger/engine';
import { getBalance } from '../engine/balances';
import { listGrants } from '../engine/grants';
import { CREDITS_LEDGER } from '../engine/ledger';
import { sourcesFor } from '../engine/spending';
import { applyPendingTopUps } from './apply';
import { runAutoTopUps } from './auto-top-up';
import { FLOAT_IN_ACCOUNT, FLOAT_TRANSFER_CODE, floatAccountId, floatGrantId } from './ids';
import { FLOAT_NOTIFICATIONS } from './notifications';
import { reconcileFloats } from './reconcile';

/** A reseller's float: top-ups, their application, reconciliation, the automatic top-up, the API's refusals. */

let f: FloatTally;
let admin: TestPerson;

beforeAll(async () => {
  f = await floatTally();
  admin = await creditsAdmin(f.tally);
});

const TOP_UPS = '/api/credits/whitelabel/float/top-ups';
const mainDb = () => f.tally.database.db;
const tenantOf = async (reseller: { whitelabelId: string }) =>
  (await f.deps.tenants.open(reseller.whitelabelId)).db;
const mainAvailable = async (userId: string) =>
  (await getBalance(mainDb(), f.tally.clock, { userId })).available;

async function topUp(reseller: TestPerson, amount: string, headers: Record<string, string> = {}) {
  const response = await request(f.tally, 'POST', TOP_UPS, { as: reseller, body: { amount }, headers });
  return { status: response.status, body: await read(response) };
}

describe('a top-up', () => {
  it('moves the credits out of the pool on Tally and into a float grant in the reseller’s database', async () => {
    const reseller = await floatReseller(f, 1000n);
    const first = await topUp(reseller, '300', { 'idempotency-key': 'float-1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      amount: '300',
      state: 'pending',
      trigger: 'manual',
      applied_at: null,
    });
    expect(await mainAvailable(reseller.userId)).toBe(700n);
    // The same key answers the same top-up; nothing moves twice.
    const again = await topUp(reseller, '300', { 'idempotency-key': 'float-1' });
    expect(again.body.id).toBe(first.body.id);
    expect(await mainAvailable(reseller.userId)).toBe(700n);

    expect(await applyPendingTopUps(f.deps)).toEqual({ applied: 1, failed: 0 });
    expect(await applyPendingTopUps(f.deps)).toEqual({ applied: 0, failed: 0 });
    const tenant = await tenantOf(reseller);
    const grants = await listGrants(tenant, { userId: reseller.userId });
    expect(grants.map((g) => [g.id, g.source, g.amount, g.remaining])).toEqual([
      [floatGrantId(first.body.id), 'float', 300n, 300n],
    ]);
    expect((await getBalance(tenant, f.tally.clock, { userId: reseller.userId })).available).toBe(300n);
    const [main] = await queryRows<{ credits: string }>(
      mainDb(),
      sql`SELECT credits_posted::text AS credits FROM ledger_accounts WHERE id = ${floatAccountId(reseller.userId)}`,
    );
    expect(main!.credits).toBe('300');
    await expectLedgerSound(mainDb());
    await expectLedgerSound(tenant);

    const float = await read(
      await request(f.tally, 'GET', '/api/credits/whitelabel/float', { as: reseller }),
    );
    expect(float).toMatchObject({
      database_state: 'ready',
      available: '300',
      moved_in: '300',
      pending_count: 0,
      pending_amount: '0',
      main_available: '700',
    });
    // The reseller's pool on Tally says where the credits went: into the float, not spent.
    const pool = await read(await request(f.tally, 'GET', '/api/credits/whitelabel/pool', { as: reseller }));
    expect(pool).toMatchObject({ total: '1000', moved_to_float: '300', spent: '0', available: '700' });
    const list = await read(await request(f.tally, 'GET', TOP_UPS, { as: reseller }));
    expect(list.items.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      [first.body.id, 'applied'],
    ]);
    // An administrator reads anyone's float; another reseller reads nothing of it.
    const asAdmin = await request(
      f.tally,
      'GET',
      `/api/credits/whitelabel/float?user_id=${reseller.userId}`,
      {
        as: admin,
      },
    );
    expect((await read(asAdmin)).moved_in).toBe('300');
    const other = await floatReseller(f, 0n, { database: false });
    const peek = await request(f.tally, 'GET', `/api/credits/whitelabel/float?user_id=${reseller.userId}`, {
      as: other,
    });
    expect(peek.status).toBe(404);
  });

  it('is refused, changing nothing, for a bad amount, a non-reseller, no database, or too few credits', async () => {
    const reseller = await floatReseller(f, 100n);
    const noDatabase = await floatReseller(f, 100n, { database: false });
    const customer = await signedInPerson(f.tally);
    await giveCredits(mainDb(), f.tally.clock, customer.userId, 100n);
    const before = await snapshotTables(mainDb());
    const tenant = await tenantOf(reseller);
    const tenantBefore = await snapshotTables(tenant);
    for (const amount of ['0', '-5', '1.5', 'ten', '']) {
      expect((await topUp(reseller, amount)).status, amount).toBe(400);
    }
    expect((await topUp(customer, '10')).body.error.code).toBe('forbidden');
    const missing = await topUp(noDatabase, '10');
    expect([missing.status, missing.body.error.code]).toEqual([409, 'float_database_not_ready']);
    const short = await topUp(reseller, '101');
    expect([short.status, short.body.error.code]).toEqual([422, 'insufficient_funds']);
    expect(short.body.error.details).toMatchObject({ available: '100', requested: '101' });
    await expectUnchanged(mainDb(), before);
    await expectUnchanged(tenant, tenantBefore);
  });
});

describe('reconciliation', () => {
  it('records zero for a clean float, counts a top-up in flight apart, and flags a planted difference', async () => {
    const reseller = await floatReseller(f, 1000n);
    await topUp(reseller, '200');
    await applyPendingTopUps(f.deps);
    const pending = (await topUp(reseller, '50')).body;
    const clean = await reconcileFloats(f.deps, undefined, { resellerUserId: reseller.userId });
    expect(clean.reconciliations).toMatchObject([
      { mainTotal: 250n, tenantTotal: 200n, pendingTotal: 50n, pendingCount: 1, difference: 0n },
    ]);
    await applyPendingTopUps(f.deps);

    // Planted by hand in the reseller's database: 5 credits into the float grant from nowhere on Tally.
    const tenant = await tenantOf(reseller);
    const planted = await tenant.transaction((tx) =>
      applyTransfers(
        tx,
        [
          {
            id: '0190b5a0-0000-7000-8000-000000000005',
            debitAccountId: FLOAT_IN_ACCOUNT,
            creditAccountId: floatGrantId(pending.id),
            amount: 5n,
            ledger: CREDITS_LEDGER,
            code: FLOAT_TRANSFER_CODE,
          },
        ],
        { clock: f.tally.clock },
      ),
    );
    expect(planted[0]!.result).toBe('ok');
    const response = await request(f.tally, 'POST', '/api/credits/admin/float/reconcile', {
      as: admin,
      body: { user_id: reseller.userId },
    });
    const flagged = await read(response);
    expect(response.status, JSON.stringify(flagged)).toBe(200);
    expect(flagged.reconciliations).toMatchObject([
      { main_total: '250', tenant_total: '255', pending_total: '0', pending_count: 0, difference: '-5' },
    ]);
    const runId = flagged.reconciliations[0].id;
    const audits = await queryRows<{ action: string }>(
      mainDb(),
      sql`SELECT action FROM core_audit_log WHERE object_id = ${runId}`,
    );
    expect(audits.map((a) => a.action)).toEqual(['credits.float.difference']);
    const told = await queryRows<{ user_id: string }>(
      mainDb(),
      sql`SELECT user_id FROM core_notifications WHERE type = ${FLOAT_NOTIFICATIONS.difference}
          AND data->>'reconciliationId' = ${runId}`,
    );
    expect(told.map((n) => n.user_id)).toContain(admin.userId);

    // And on Tally's side: 12 credits drawn into the float account that no top-up accounts for.
    await mainDb().transaction(async (tx) => {
      const [drawn] = await applyBalanceOps(
        tx,
        [
          {
            op: 'spend',
            id: '0190b5a0-0000-7000-8000-000000000012',
            ledger: CREDITS_LEDGER,
            code: FLOAT_TRANSFER_CODE,
            from: await sourcesFor(tx, f.tally.clock.now(), { userId: reseller.userId, workspaceId: null }),
            to: floatAccountId(reseller.userId),
            amount: 12n,
          },
        ],
        { clock: f.tally.clock },
      );
      expect(drawn!.result).toBe('ok');
    });
    const both = await reconcileFloats(f.deps, undefined, { resellerUserId: reseller.userId });
    expect(both.reconciliations).toMatchObject([{ mainTotal: 262n, tenantTotal: 255n, difference: 7n }]);
    const last = await read(await request(f.tally, 'GET', '/api/credits/whitelabel/float', { as: reseller }));
    expect(last.last_reconciliation).toMatchObject({ difference: '7' });

    const refused = await request(f.tally, 'POST', '/api/credits/admin/float/reconcile', {
      as: reseller,
      body: {},
    });
    expect(refused.status).toBe(403);
  });
});

describe('the automatic top-up', () => {
  it('fires under the threshold, not again while pending, and tells a reseller short of credits once', async () => {
    const reseller = await floatReseller(f, 500n);
    const set = await request(f.tally, 'PUT', '/api/credits/whitelabel/float/settings', {
      as: reseller,
      body: { auto_top_up: true, threshold: '100', amount: '300' },
    });
    expect(set.status).toBe(200);
    expect(await read(set)).toMatchObject({ auto_top_up: true, threshold: '100', amount: '300' });
    expect(await runAutoTopUps(f.deps)).toEqual({ toppedUp: 1, short: 0 });
    // Pending: not again, however often the job runs.
    expect(await runAutoTopUps(f.deps)).toEqual({ toppedUp: 0, short: 0 });
    const pending = await read(await request(f.tally, 'GET', TOP_UPS, { as: reseller }));
    expect(pending.items).toMatchObject([{ amount: '300', trigger: 'automatic', state: 'pending' }]);
    await applyPendingTopUps(f.deps);
    // 300 available, over the threshold: nothing to do.
    expect(await runAutoTopUps(f.deps)).toEqual({ toppedUp: 0, short: 0 });

    // A threshold over the float: due again, and 200 left on Tally do not cover 300.
    await request(f.tally, 'PUT', '/api/credits/whitelabel/float/settings', {
      as: reseller,
      body: { auto_top_up: true, threshold: '1000', amount: '300' },
    });
    expect(await runAutoTopUps(f.deps)).toEqual({ toppedUp: 0, short: 1 });
    expect(await runAutoTopUps(f.deps)).toEqual({ toppedUp: 0, short: 1 });
    const notices = async () =>
      queryRows<{ id: string }>(
        mainDb(),
        sql`SELECT id FROM core_notifications WHERE user_id = ${reseller.userId} AND type = ${FLOAT_NOTIFICATIONS.short}`,
      );
    expect(await notices()).toHaveLength(1);
    expect(await mainAvailable(reseller.userId)).toBe(200n);

    // Credits bought: the top-up goes through, and a later shortfall is told again.
    await giveCredits(mainDb(), f.tally.clock, reseller.userId, 100n);
    expect(await runAutoTopUps(f.deps)).toEqual({ toppedUp: 1, short: 0 });
    await applyPendingTopUps(f.deps);
    expect(await runAutoTopUps(f.deps)).toEqual({ toppedUp: 0, short: 1 });
    expect(await notices()).toHaveLength(2);
    await expectLedgerSound(mainDb());
    await expectLedgerSound(await tenantOf(reseller));
  });

  it('is set by resellers only, with a positive amount', async () => {
    const customer = await signedInPerson(f.tally);
    const refused = await request(f.tally, 'PUT', '/api/credits/whitelabel/float/settings', {
      as: customer,
      body: { auto_top_up: true, threshold: '10', amount: '10' },
    });
    expect(refused.status).toBe(403);
    const reseller = await floatReseller(f, 0n, { database: false });
    const zero = await request(f.tally, 'PUT', '/api/credits/whitelabel/float/settings', {
      as: reseller,
      body: { auto_top_up: true, threshold: '10', amount: '0' },
    });
    expect(zero.status).toBe(400);
  });
});
