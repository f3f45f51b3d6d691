import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { getAccount } from '../../ledger/service';
import type { ProductType, RefillCycle } from '../schema';
import { getBalance } from './balances';
import { listGrants } from './grants';
import { SYSTEM_ACCOUNTS } from './ledger';
import { type HoldingProduct, nextCycleStart, refillDueHoldings, startHolding } from './refill';
import { chargeCredits } from './spending';
import { type CreditsFixture, creditsFixture, give, person, refusal } from './test-fixtures';

const DAY = 86_400_000;
const d = (iso: string) => new Date(iso);

describe('nextCycleStart', () => {
  it.each([
    ['day', '2026-01-15T12:00:00.000Z', '2026-01-15T12:00:00.000Z', '2026-01-16T12:00:00.000Z'],
    ['week', '2026-01-15T12:00:00.000Z', '2026-01-15T12:00:00.000Z', '2026-01-22T12:00:00.000Z'],
    ['month', '2026-01-15T12:00:00.000Z', '2026-01-15T12:00:00.000Z', '2026-02-15T12:00:00.000Z'],
    ['year', '2026-01-15T12:00:00.000Z', '2026-01-15T12:00:00.000Z', '2027-01-15T12:00:00.000Z'],
    // Month-end anchors clamp to short months and come back to their day.
    ['month', '2026-01-31T10:00:00.000Z', '2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z'],
    ['month', '2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z', '2026-03-31T10:00:00.000Z'],
    ['month', '2026-01-31T10:00:00.000Z', '2026-03-31T10:00:00.000Z', '2026-04-30T10:00:00.000Z'],
    ['month', '2028-01-31T10:00:00.000Z', '2028-01-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z'],
    ['month', '2026-12-31T00:00:00.000Z', '2026-12-31T00:00:00.000Z', '2027-01-31T00:00:00.000Z'],
    ['year', '2028-02-29T00:00:00.000Z', '2028-02-29T00:00:00.000Z', '2029-02-28T00:00:00.000Z'],
    ['year', '2028-02-29T00:00:00.000Z', '2031-03-01T00:00:00.000Z', '2032-02-29T00:00:00.000Z'],
    // 1 ms before a boundary gives that boundary; exactly at it, the one after.
    ['day', '2026-01-15T12:00:00.000Z', '2026-01-18T11:59:59.999Z', '2026-01-18T12:00:00.000Z'],
    ['day', '2026-01-15T12:00:00.000Z', '2026-01-18T12:00:00.000Z', '2026-01-19T12:00:00.000Z'],
    ['week', '2026-01-15T12:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-03-05T12:00:00.000Z'],
    ['month', '2026-01-31T10:00:00.000Z', '2026-07-31T09:59:59.999Z', '2026-07-31T10:00:00.000Z'],
    ['month', '2026-01-31T10:00:00.000Z', '2026-07-31T10:00:00.000Z', '2026-08-31T10:00:00.000Z'],
  ] as const)('%s cycles anchored at %s: after %s comes %s', (cycle, anchor, from, expected) => {
    expect(nextCycleStart(d(from), cycle, d(anchor))?.toISOString()).toBe(expected);
  });

  it('has no next cycle for a product that never refills', () => {
    expect(nextCycleStart(d('2026-01-15T12:00:00Z'), 'none')).toBeNull();
  });
});

let f: CreditsFixture;
beforeAll(async () => {
  f = await creditsFixture();
});

async function product(
  creditsPerCycle: bigint,
  refillCycle: RefillCycle,
  rolloverCredits = 0n,
  reseller: string | null = null,
): Promise<HoldingProduct> {
  const type: ProductType = reseller ? 'under_whitelabel' : 'generic';
  const id = newId();
  await f.db.execute(
    sql`INSERT INTO credits_products (id, owner_user_id, type, name, credits_per_cycle, refill_cycle, rollover_credits,
          created_at, updated_at)
        VALUES (${id}, ${reseller}, ${type}, 'Plan', ${creditsPerCycle.toString()}, ${refillCycle},
          ${rolloverCredits.toString()}, ${f.clock.now()}, ${f.clock.now()})`,
  );
  return { id, creditsPerCycle, refillCycle, rolloverCredits, ownerUserId: reseller, type };
}

const hold = (userId: string, held: HoldingProduct, purchaseId = newId()) =>
  f.db.transaction((tx) => startHolding(tx, f.clock, { userId, product: held, purchaseId }));
const spend = (userId: string, amount: bigint) =>
  f.db.transaction((tx) => chargeCredits(tx, f.clock, { userId }, { amount, usedFor: 'work' }));
const balance = (userId: string) => getBalance(f.db, f.clock, { userId });
const expiredSink = async () => (await getAccount({ db: f.db }, SYSTEM_ACCOUNTS.expired)).creditsPosted;

async function grantsBySource(userId: string): Promise<Record<string, number>> {
  const rows = await queryRows<{ source: string; n: number }>(
    f.db,
    sql`SELECT source, count(*)::int AS n FROM credits_grants WHERE user_id = ${userId} GROUP BY source`,
  );
  return Object.fromEntries(rows.map((r) => [r.source, r.n]));
}

describe('starting a holding', () => {
  it('grants the first cycle until the next cycle starts, once per purchase', async () => {
    f.clock.set('2026-01-31T10:00:00Z');
    const userId = person();
    const monthly = await product(100n, 'month');
    const purchaseId = newId();
    const { holdingId, grant } = await hold(userId, monthly, purchaseId);
    expect(grant).toMatchObject({
      source: 'purchase',
      amount: 100n,
      holdingId,
      expiresAt: d('2026-02-28T10:00:00Z'),
    });
    expect(await hold(userId, monthly, purchaseId)).toEqual({ holdingId, grant });
    expect(await balance(userId)).toMatchObject({
      total: 100n,
      available: 100n,
      refilledAt: d('2026-01-31T10:00:00Z'),
      nextRefillAt: d('2026-02-28T10:00:00Z'),
    });
    const forever = await product(5n, 'none');
    const lasting = await hold(userId, forever);
    expect(lasting.grant.expiresAt).toBeNull();
  });

  it('of an under-whitelabel product is refused when the reseller lacks the credits', async () => {
    const reseller = person();
    const customer = person();
    await give(f, reseller, 9n);
    const refused = await refusal(
      hold(customer, await product(10n, 'month', 0n, reseller)),
      'insufficient_funds',
    );
    expect(refused.details).toEqual({ available: '9', requested: '10' });
    const holdings = await queryRows(f.db, sql`SELECT id FROM credits_holdings WHERE user_id = ${customer}`);
    expect(holdings).toEqual([]);
    expect((await balance(reseller)).available).toBe(9n);
  });
});

describe('refills', () => {
  // Each test refills its own holdings only: the clock jumps between tests.
  beforeEach(async () => {
    await f.db.execute(sql`UPDATE credits_holdings SET active = FALSE`);
  });

  it('refill exactly at the boundary, not 1 ms before, rolling over up to the product’s rollover', async () => {
    f.clock.set('2026-01-31T10:00:00Z');
    const userId = person();
    await hold(userId, await product(100n, 'month', 20n));
    await spend(userId, 30n);
    const sinkBefore = await expiredSink();

    f.clock.set('2026-02-28T09:59:59.999Z');
    expect(await refillDueHoldings(f.db, f.clock)).toEqual({ refilled: 0, failed: 0 });
    expect(await balance(userId)).toMatchObject({ total: 100n, used: 30n, available: 70n });

    f.clock.set('2026-02-28T10:00:00Z');
    expect(await refillDueHoldings(f.db, f.clock)).toEqual({ refilled: 1, failed: 0 });
    expect(await balance(userId)).toMatchObject({
      total: 120n,
      used: 0n,
      available: 120n,
      refilledAt: d('2026-02-28T10:00:00Z'),
      nextRefillAt: d('2026-03-31T10:00:00Z'),
    });
    expect((await expiredSink()) - sinkBefore).toBe(50n);
    const current = await listGrants(f.db, { userId });
    expect(current.map((g) => [g.source, g.amount, g.expiresAt?.toISOString()])).toEqual([
      ['rollover', 20n, '2026-03-31T10:00:00.000Z'],
      ['refill', 100n, '2026-03-31T10:00:00.000Z'],
    ]);
    expect((await refillDueHoldings(f.db, f.clock)).refilled).toBe(0);

    // Less left than the rollover: all of it carries over.
    await spend(userId, 110n);
    f.clock.set('2026-03-31T10:00:00Z');
    await refillDueHoldings(f.db, f.clock);
    expect(await balance(userId)).toMatchObject({ total: 110n, used: 0n, available: 110n });
    expect((await expiredSink()) - sinkBefore).toBe(50n);
    expect(await grantsBySource(userId)).toEqual({ purchase: 1, refill: 2, rollover: 2 });
  });

  it('catch up on every missed cycle exactly once after downtime', async () => {
    f.clock.set('2026-05-01T00:00:00Z');
    const userId = person();
    await hold(userId, await product(10n, 'day', 5n));
    await spend(userId, 10n);
    const sinkBefore = await expiredSink();

    // Down for three and a half days: boundaries on May 2, 3 and 4 were missed.
    f.clock.set('2026-05-04T12:00:00Z');
    expect(await refillDueHoldings(f.db, f.clock)).toEqual({ refilled: 1, failed: 0 });
    expect(await grantsBySource(userId)).toEqual({ purchase: 1, refill: 3, rollover: 2 });
    // May 2: nothing left to roll; May 3: 10 left, 5 roll; May 4: 10 + 5 left, 5 roll.
    expect((await expiredSink()) - sinkBefore).toBe(5n + 10n);
    expect(await balance(userId)).toMatchObject({
      total: 15n,
      used: 0n,
      available: 15n,
      refilledAt: d('2026-05-04T00:00:00Z'),
      nextRefillAt: d('2026-05-05T00:00:00Z'),
    });
    expect((await refillDueHoldings(f.db, f.clock)).refilled).toBe(0);
    expect(await grantsBySource(userId)).toEqual({ purchase: 1, refill: 3, rollover: 2 });
  });

  it('are made once by two runs at the same time', async () => {
    f.clock.set('2026-06-01T00:00:00Z');
    const weekly = await product(7n, 'week');
    const people = Array.from({ length: 5 }, () => person());
    for (const userId of people) await hold(userId, weekly);
    f.clock.advance(7 * DAY);
    const [a, b] = await Promise.all([refillDueHoldings(f.db, f.clock), refillDueHoldings(f.db, f.clock)]);
    expect(a.failed + b.failed).toBe(0);
    expect(a.refilled + b.refilled).toBe(5);
    for (const userId of people) {
      expect(await grantsBySource(userId)).toEqual({ purchase: 1, refill: 1 });
      expect((await balance(userId)).available).toBe(7n);
    }
  });

  it('of an under-whitelabel product fail alone while the reseller lacks credits, and retry', async () => {
    f.clock.set('2026-07-01T00:00:00Z');
    const reseller = person();
    const customer = person();
    const neighbour = person();
    await give(f, reseller, 15n);
    await hold(customer, await product(10n, 'year', 0n, reseller));
    await hold(neighbour, await product(3n, 'year'));
    expect((await balance(reseller)).available).toBe(5n);

    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    f.clock.set('2027-07-01T00:00:00Z');
    const first = await refillDueHoldings(f.db, f.clock, log);
    expect(first).toEqual({ refilled: 1, failed: 1 });
    expect(lines.join('\n')).toContain('credits refill failed');
    expect((await balance(neighbour)).available).toBe(3n);
    expect(await balance(customer)).toMatchObject({ total: 0n, available: 0n });
    expect((await balance(reseller)).available).toBe(5n);

    await give(f, reseller, 20n);
    expect(await refillDueHoldings(f.db, f.clock, log)).toEqual({ refilled: 1, failed: 0 });
    expect(await balance(customer)).toMatchObject({ total: 10n, available: 10n });
    expect((await balance(reseller)).available).toBe(15n);
    expect((await refillDueHoldings(f.db, f.clock, log)).refilled).toBe(0);
  });
});
