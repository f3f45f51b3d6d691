import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids';
import { getBalance, listReservations, listUsages, usageByAction } from './balances';
import {
  chargeCredits,
  type Reservation,
  releaseReservation,
  reserveCredits,
  useReservation,
} from './spending';
import { type CreditsFixture, creditsFixture, give, person, refusal } from './test-fixtures';

let f: CreditsFixture;
beforeAll(async () => {
  f = await creditsFixture();
});

const charge = (userId: string, amount: bigint, extra: { action?: string; workspaceId?: string } = {}) =>
  f.db.transaction((tx) =>
    chargeCredits(
      tx,
      f.clock,
      { userId, workspaceId: extra.workspaceId },
      { amount, usedFor: `${extra.action ?? 'misc'} work`, action: extra.action },
    ),
  );
const reserve = (userId: string, amount: bigint, workspaceId?: string) =>
  f.db.transaction((tx) =>
    reserveCredits(tx, f.clock, { userId, workspaceId }, { amount, reservedFor: 'batch', action: 'batch' }),
  );

describe('balances', () => {
  it('add up per scope right after every write', async () => {
    const userId = person();
    const workspaceId = newId();
    await give(f, userId, 10n);
    await give(f, userId, 5n, { workspaceId });
    const pool = () => getBalance(f.db, f.clock, { userId });
    const workspace = () => getBalance(f.db, f.clock, { userId, workspaceId });
    expect(await pool()).toMatchObject({ total: 10n, used: 0n, reserved: 0n, available: 10n });
    expect(await workspace()).toMatchObject({ total: 15n, used: 0n, reserved: 0n, available: 15n });

    await charge(userId, 7n, { workspaceId });
    expect(await workspace()).toMatchObject({ total: 15n, used: 7n, reserved: 0n, available: 8n });
    expect(await pool()).toMatchObject({ total: 10n, used: 2n, reserved: 0n, available: 8n });

    const held = await reserve(userId, 3n);
    expect(await pool()).toMatchObject({ used: 2n, reserved: 3n, available: 5n });
    await f.db.transaction((tx) => useReservation(tx, f.clock, userId, held.id, { amount: 1n }));
    expect(await pool()).toMatchObject({ used: 3n, reserved: 0n, available: 7n });
    expect(await workspace()).toMatchObject({ total: 15n, used: 8n, reserved: 0n, available: 7n });
    expect(await pool()).toMatchObject({ refilledAt: null, nextRefillAt: null });
  });

  it("count a reseller's hand-outs as used", async () => {
    const reseller = person();
    await give(f, reseller, 20n);
    await give(f, person(), 6n, { fundedBy: { userId: reseller } });
    expect(await getBalance(f.db, f.clock, { userId: reseller })).toMatchObject({
      total: 20n,
      used: 6n,
      available: 14n,
    });
  });
});

describe('usage history', () => {
  const userId = person();
  const workspaceId = newId();
  beforeAll(async () => {
    f.clock.set('2026-03-01T10:15:00Z');
    await give(f, userId, 100n);
    await give(f, userId, 100n, { workspaceId });
    await charge(userId, 2n, { action: 'image' });
    f.clock.set('2026-03-01T10:45:00Z');
    await charge(userId, 3n, { action: 'image', workspaceId });
    f.clock.set('2026-03-01T11:05:00Z');
    await charge(userId, 1n, { action: 'post' });
    f.clock.set('2026-03-02T09:00:00Z');
    await charge(userId, 4n, { action: 'image' });
    await charge(userId, 5n);
    const held = await reserve(userId, 6n);
    f.clock.set('2026-03-02T09:30:00Z');
    await f.db.transaction((tx) => useReservation(tx, f.clock, userId, held.id));
  });

  it('pages newest first without gaps or repeats', async () => {
    const seen: bigint[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listUsages(f.db, { userId }, { cursor, limit: 2 });
      seen.push(...page.items.map((u) => u.amount));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([6n, 5n, 4n, 1n, 3n, 2n]);
    await refusal(listUsages(f.db, { userId }, { cursor: 'nonsense' }), 'validation_failed');
  });

  it('filters by action, purpose, time, reservation and workspace', async () => {
    const amounts = async (filter: Partial<Parameters<typeof listUsages>[1]>) =>
      (await listUsages(f.db, { userId, ...filter }, {})).items.map((u) => u.amount);
    expect(await amounts({ action: 'image' })).toEqual([4n, 3n, 2n]);
    expect(await amounts({ usedFor: 'post work' })).toEqual([1n]);
    // Part of the purpose, in any case; %, _ and \ are only themselves.
    expect(await amounts({ usedFor: 'POST W' })).toEqual([1n]);
    expect(await amounts({ usedFor: 'ost' })).toEqual([1n]);
    expect(await amounts({ usedFor: '%' })).toEqual([]);
    expect(await amounts({ usedFor: 'post_work' })).toEqual([]);
    expect(await amounts({ usedFor: '\\' })).toEqual([]);
    expect(
      await amounts({ from: new Date('2026-03-01T10:45:00Z'), to: new Date('2026-03-02T09:00:00Z') }),
    ).toEqual([1n, 3n]);
    expect(await amounts({ reservedOnly: true })).toEqual([6n]);
    expect(await amounts({ workspaceId })).toEqual([3n]);
  });

  it('sums usage per hour or day and action for the chart', async () => {
    const range = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z') };
    const rows = async (bucket: 'day' | 'hour') =>
      (await usageByAction(f.db, { userId }, { ...range, bucket })).map((r) => [
        r.bucket.toISOString(),
        r.action,
        r.amount,
      ]);
    expect(await rows('hour')).toEqual([
      ['2026-03-01T10:00:00.000Z', 'image', 5n],
      ['2026-03-01T11:00:00.000Z', 'post', 1n],
      ['2026-03-02T09:00:00.000Z', 'batch', 6n],
      ['2026-03-02T09:00:00.000Z', 'image', 4n],
      ['2026-03-02T09:00:00.000Z', 'other', 5n],
    ]);
    expect(await rows('day')).toEqual([
      ['2026-03-01T00:00:00.000Z', 'image', 5n],
      ['2026-03-01T00:00:00.000Z', 'post', 1n],
      ['2026-03-02T00:00:00.000Z', 'batch', 6n],
      ['2026-03-02T00:00:00.000Z', 'image', 4n],
      ['2026-03-02T00:00:00.000Z', 'other', 5n],
    ]);
    const inWorkspace = await usageByAction(f.db, { userId, workspaceId }, { ...range, bucket: 'day' });
    expect(inWorkspace.map((r) => r.amount)).toEqual([3n]);
  });
});

describe('reservation listing', () => {
  it('lists newest first, by state, a page at a time', async () => {
    const userId = person();
    await give(f, userId, 50n);
    const made: Reservation[] = [];
    for (let i = 0; i < 4; i++) {
      f.clock.advance(1000);
      made.push(await reserve(userId, 1n));
    }
    await f.db.transaction((tx) => releaseReservation(tx, f.clock, userId, made[0]!.id));
    const first = await listReservations(f.db, f.clock, { userId }, { limit: 3 });
    expect(first.items.map((r) => r.id)).toEqual([made[3]!.id, made[2]!.id, made[1]!.id]);
    const second = await listReservations(f.db, f.clock, { userId }, { limit: 3, cursor: first.nextCursor! });
    expect(second).toEqual({
      items: [expect.objectContaining({ id: made[0]!.id, state: 'released' })],
      nextCursor: null,
    });
    const active = await listReservations(f.db, f.clock, { userId, state: 'active' }, {});
    expect(active.items).toHaveLength(3);
    expect(active.items.every((r) => r.state === 'active')).toBe(true);
  });
});
