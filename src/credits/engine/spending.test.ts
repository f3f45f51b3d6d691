import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../test/support/database';
import { systemActor } from '../../core/actor';
import { queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { applyBalanceOps } from '../../ledger/engine';
import { keepingFailures } from '../../ledger/failures';
import { readHold } from '../../ledger/holds';
import { getAccount } from '../../ledger/service';
import { getBalance } from './balances';
import { adjustCredits, listGrants } from './grants';
import { usedAccountFor } from './ledger';
import {
  chargeCall,
  clientKey,
  releaseCall,
  reservationIdFor,
  reserveCall,
  runSpendBatch,
  type SpendCall,
  type SpendDone,
  type SpendOutcome,
  usageIdFor,
  useCall,
} from './spend-batch';
import {
  chargeCredits,
  expireDueReservations,
  releaseReservation,
  reserveCredits,
  useReservation,
} from './spending';
import { type CreditsFixture, creditsFixture, give, person, refusal } from './test-fixtures';

const SECOND = 1000;
const DAY = 86_400_000;

let f: CreditsFixture;
beforeAll(async () => {
  f = await creditsFixture();
});

describe('burn order', () => {
  it('draws on the workspace first, then the pool by priority, earliest expiry, age; never on expired grants', async () => {
    const userId = person();
    const workspaceId = newId();
    const t0 = f.clock.now().getTime();
    const at = (ms: number) => new Date(t0 + ms);
    const make = async (name: string, extra: Parameters<typeof give>[3]) => {
      const grant = await give(f, userId, 5n, extra);
      f.clock.advance(SECOND);
      return [name, grant.id] as const;
    };
    const ids = Object.fromEntries([
      await make('A', {}),
      await make('B', { expiresAt: at(10 * DAY) }),
      await make('C', { priority: 50 }),
      await make('D', { expiresAt: at(5 * DAY) }),
      await make('E', {}),
      await make('W', { workspaceId }),
      await make('X', { expiresAt: at(7 * SECOND) }),
      await make('OtherWorkspace', { workspaceId: newId() }),
    ]);
    const name = (grantId: string) => Object.keys(ids).find((k) => ids[k] === grantId);
    // Now t0 + 8 s: X expired a second ago; no sweep has run.
    expect(
      (await listGrants(f.db, { userId, workspaceId }, { now: f.clock.now() })).map((g) => name(g.id)),
    ).toEqual(['W', 'C', 'D', 'B', 'A', 'E']);

    const inWorkspace = await f.db.transaction((tx) =>
      chargeCredits(tx, f.clock, { userId, workspaceId }, { amount: 12n, usedFor: 'render' }),
    );
    expect(inWorkspace.paidBy.map((p) => [name(p.grantId), p.amount])).toEqual([
      ['W', 5n],
      ['C', 5n],
      ['D', 2n],
    ]);
    expect(await getBalance(f.db, f.clock, { userId, workspaceId })).toMatchObject({
      total: 30n,
      used: 12n,
      reserved: 0n,
      available: 18n,
    });

    const inPool = await f.db.transaction((tx) =>
      chargeCredits(tx, f.clock, { userId }, { amount: 6n, usedFor: 'render' }),
    );
    expect(inPool.paidBy.map((p) => [name(p.grantId), p.amount])).toEqual([
      ['D', 3n],
      ['B', 3n],
    ]);
    // The pool alone: the workspace grants do not count outside their workspace.
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({
      total: 25n,
      used: 13n,
      available: 12n,
    });

    // 12 are left in the pool; the expired X's 5 are out of reach.
    const refused = await refusal(
      f.db.transaction((tx) => chargeCredits(tx, f.clock, { userId }, { amount: 13n, usedFor: 'render' })),
      'insufficient_funds',
    );
    expect(refused.details).toEqual({ available: '12', requested: '13' });
    expect(refused.message).toBe('13 credits are needed and 12 are available');
    expect((await getAccount({ db: f.db }, ids.X!)).debitsPosted).toBe(0n);
  });

  it('draws on a grant 1 ms before its expiry and not at it', async () => {
    const userId = person();
    const expiresAt = new Date(f.clock.now().getTime() + DAY);
    await give(f, userId, 3n, { expiresAt });
    f.clock.set(new Date(expiresAt.getTime() - 1));
    const usage = await f.db.transaction((tx) =>
      chargeCredits(tx, f.clock, { userId }, { amount: 1n, usedFor: 'last call' }),
    );
    expect(usage.amount).toBe(1n);
    expect((await getBalance(f.db, f.clock, { userId })).available).toBe(2n);
    f.clock.set(expiresAt);
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({ total: 0n, available: 0n });
    const refused = await refusal(
      f.db.transaction((tx) => chargeCredits(tx, f.clock, { userId }, { amount: 1n, usedFor: 'too late' })),
      'insufficient_funds',
    );
    expect(refused.details).toEqual({ available: '0', requested: '1' });
  });

  it('writes nothing when it refuses', async () => {
    const userId = person();
    await give(f, userId, 4n);
    await refusal(
      f.db.transaction((tx) => chargeCredits(tx, f.clock, { userId }, { amount: 5n, usedFor: 'big' })),
      'insufficient_funds',
    );
    const usages = await queryRows(f.db, sql`SELECT id FROM credits_usages WHERE user_id = ${userId}`);
    expect(usages).toEqual([]);
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({ total: 4n, used: 0n, available: 4n });
  });

  it('refuses amounts that are not positive', async () => {
    const userId = person();
    for (const amount of [0n, -1n]) {
      await refusal(
        f.db.transaction((tx) => chargeCredits(tx, f.clock, { userId }, { amount, usedFor: 'nothing' })),
        'validation_failed',
      );
    }
  });
});

describe('idempotency', () => {
  it('returns the first charge for the same key and request, and refuses a changed request', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const charge = (amount: bigint, usedFor = 'export') =>
      f.db.transaction((tx) =>
        chargeCredits(tx, f.clock, { userId }, { amount, usedFor, idempotencyKey: 'key-1' }),
      );
    const first = await charge(3n);
    const again = await charge(3n);
    expect(again).toEqual(first);
    expect((await getBalance(f.db, f.clock, { userId })).available).toBe(7n);
    await refusal(charge(4n), 'idempotency_conflict');
    await refusal(charge(3n, 'import'), 'idempotency_conflict');
    // The same key of another person is theirs alone.
    const other = person();
    await give(f, other, 5n);
    const theirs = await f.db.transaction((tx) =>
      chargeCredits(
        tx,
        f.clock,
        { userId: other },
        { amount: 3n, usedFor: 'export', idempotencyKey: 'key-1' },
      ),
    );
    expect(theirs.id).not.toBe(first.id);
  });

  it('answers a key replayed with any one term changed with idempotency_conflict, and spends nothing more', async () => {
    const userId = person();
    await give(f, userId, 20n);
    const inTx = <T>(work: (tx: Parameters<Parameters<typeof f.db.transaction>[0]>[0]) => Promise<T>) =>
      f.db.transaction(work);
    const charge = { amount: 3n, usedFor: 'export', action: 'render', idempotencyKey: 'charge-1' };
    await inTx((tx) => chargeCredits(tx, f.clock, { userId }, charge));
    for (const changed of [{ amount: 4n }, { usedFor: 'import' }, { action: 'print' }, { action: null }]) {
      await refusal(
        inTx((tx) => chargeCredits(tx, f.clock, { userId }, { ...charge, ...changed })),
        'idempotency_conflict',
      );
    }
    const reserve = { amount: 5n, reservedFor: 'job', action: 'render', idempotencyKey: 'reserve-1' };
    const reservation = await inTx((tx) => reserveCredits(tx, f.clock, { userId }, reserve));
    for (const changed of [
      { amount: 6n },
      { reservedFor: 'other job' },
      { action: 'print' },
      { action: null },
    ]) {
      await refusal(
        inTx((tx) => reserveCredits(tx, f.clock, { userId }, { ...reserve, ...changed })),
        'idempotency_conflict',
      );
    }
    const use = { amount: 2n, usedFor: 'frame 1', action: 'render', idempotencyKey: 'use-1' };
    await inTx((tx) => useReservation(tx, f.clock, userId, reservation.id, use));
    const another = await inTx((tx) =>
      reserveCredits(tx, f.clock, { userId }, { amount: 2n, reservedFor: 'job 2' }),
    );
    for (const [id, changed] of [
      [reservation.id, { amount: 1n }],
      [reservation.id, { usedFor: 'frame 2' }],
      [reservation.id, { action: 'print' }],
      [another.id, {}],
    ] as const) {
      await refusal(
        inTx((tx) => useReservation(tx, f.clock, userId, id, { ...use, ...changed })),
        'idempotency_conflict',
      );
    }
    // 3 charged, 2 used, 2 still reserved; what the first reservation did not use went back.
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({
      used: 5n,
      reserved: 2n,
      available: 13n,
    });
  });

  it('spends once when the same request arrives many times at once', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        f.db.transaction((tx) =>
          chargeCredits(tx, f.clock, { userId }, { amount: 4n, usedFor: 'sync', idempotencyKey: 'same' }),
        ),
      ),
    );
    expect(new Set(results.map((u) => u.id)).size).toBe(1);
    expect((await getBalance(f.db, f.clock, { userId })).available).toBe(6n);
    const reservations = await Promise.all(
      Array.from({ length: 10 }, () =>
        f.db.transaction((tx) =>
          reserveCredits(tx, f.clock, { userId }, { amount: 2n, reservedFor: 'job', idempotencyKey: 'hold' }),
        ),
      ),
    );
    expect(new Set(reservations.map((r) => r.id)).size).toBe(1);
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({
      used: 4n,
      reserved: 2n,
      available: 4n,
    });
    await refusal(
      f.db.transaction((tx) =>
        reserveCredits(tx, f.clock, { userId }, { amount: 3n, reservedFor: 'job', idempotencyKey: 'hold' }),
      ),
      'idempotency_conflict',
    );
  });
});

describe('adjustments', () => {
  it('grants with a reason, burns in burn order as a usage, and never goes below zero', async () => {
    const userId = person();
    const admin = person();
    await refusal(
      f.db.transaction((tx) => adjustCredits(tx, f.clock, { userId, amount: 5n, reason: '  ' })),
      'validation_failed',
    );
    const granted = await f.db.transaction((tx) =>
      adjustCredits(tx, f.clock, { userId, amount: 5n, reason: 'goodwill', createdByUserId: admin }),
    );
    expect(granted).toMatchObject({
      source: 'adjustment',
      reason: 'goodwill',
      createdByUserId: admin,
      amount: 5n,
    });
    const burned = await f.db.transaction((tx) =>
      adjustCredits(tx, f.clock, { userId, amount: -2n, reason: 'double grant' }),
    );
    expect(burned).toMatchObject({
      usedFor: 'adjustment: double grant',
      action: 'adjustment',
      amount: 2n,
      paidBy: [{ grantId: granted.id, amount: 2n }],
    });
    const refused = await refusal(
      f.db.transaction((tx) => adjustCredits(tx, f.clock, { userId, amount: -4n, reason: 'too much' })),
      'insufficient_funds',
    );
    expect(refused.details).toEqual({ available: '3', requested: '4' });
    await refusal(
      f.db.transaction((tx) => adjustCredits(tx, f.clock, { userId, amount: 0n, reason: 'nothing' })),
      'validation_failed',
    );
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({ total: 5n, used: 2n, available: 3n });
  });
});

const databases = [
  { name: 'PGlite', postgres: false },
  ...(testDatabaseUrl ? [{ name: 'PostgreSQL', postgres: true }] : []),
];

describe.each(databases)('concurrent spending on $name', ({ postgres }) => {
  let race: CreditsFixture;
  beforeAll(async () => {
    race = postgres === (testDatabaseUrl !== undefined) ? f : await creditsFixture({ postgres });
  });

  it('lets exactly 10 of 100 one-credit reservations through against a balance of 10', async () => {
    const userId = person();
    const grants = [await give(race, userId, 4n), await give(race, userId, 6n)];
    const heldBefore = (await getAccount({ db: race.db }, usedAccountFor(userId))).creditsPending;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, index) =>
        race.db.transaction((tx) =>
          reserveCredits(tx, race.clock, { userId }, { amount: 1n, reservedFor: `job ${index}` }),
        ),
      ),
    );
    const succeeded = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(succeeded).toHaveLength(10);
    expect(refused).toHaveLength(90);
    for (const error of refused) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('insufficient_funds');
    }
    expect(await getBalance(race.db, race.clock, { userId })).toMatchObject({
      total: 10n,
      used: 0n,
      reserved: 10n,
      available: 0n,
    });
    for (const grant of grants) {
      const account = await getAccount({ db: race.db }, grant.id);
      expect(account.debitsPending).toBe(grant.amount);
    }
    const rows = await queryRows<{ n: string }>(
      race.db,
      sql`SELECT count(*)::text AS n FROM credits_reservations WHERE user_id = ${userId} AND state = 'active'`,
    );
    expect(rows[0]?.n).toBe('10');
    const heldAfter = (await getAccount({ db: race.db }, usedAccountFor(userId))).creditsPending;
    expect(heldAfter - heldBefore).toBe(10n);
  });

  it('keeps balances exact when reservations, uses, releases and charges interleave', async () => {
    const userId = person();
    await give(race, userId, 40n, { priority: 1 });
    await give(race, userId, 60n);
    const spent = await Promise.all(
      Array.from({ length: 40 }, async (_, index): Promise<bigint> => {
        try {
          if (index % 4 === 0) {
            const usage = await race.db.transaction((tx) =>
              chargeCredits(tx, race.clock, { userId }, { amount: 2n, usedFor: 'charge' }),
            );
            return usage.amount;
          }
          const reservation = await race.db.transaction((tx) =>
            reserveCredits(tx, race.clock, { userId }, { amount: 4n, reservedFor: 'step' }),
          );
          if (index % 4 === 1) {
            await race.db.transaction((tx) => releaseReservation(tx, race.clock, userId, reservation.id));
            return 0n;
          }
          const { usage } = await race.db.transaction((tx) =>
            useReservation(tx, race.clock, userId, reservation.id, {
              amount: BigInt(1 + (index % 4)),
              keepRemainder: index % 4 === 3,
            }),
          );
          return usage.amount;
        } catch (error) {
          expect(error).toMatchObject({ code: 'insufficient_funds' });
          return 0n;
        }
      }),
    );
    // Which steps find credits depends on the interleaving; what was spent must add up whatever it was.
    const total = spent.reduce((sum, amount) => sum + amount, 0n);
    expect(total).toBeGreaterThan(0n);
    const [recorded] = await queryRows<{ sum: string }>(
      race.db,
      sql`SELECT coalesce(sum(amount), 0)::text AS sum FROM credits_usages WHERE user_id = ${userId}`,
    );
    expect(BigInt(recorded!.sum)).toBe(total);
    // The 4-of-4 uses keep no remainder, so nothing stays reserved.
    expect(await getBalance(race.db, race.clock, { userId })).toMatchObject({
      total: 100n,
      used: total,
      reserved: 0n,
      available: 100n - total,
    });
  });
});

describe('idempotency keys in the ledger', () => {
  it('names the usage and its transfers after the key: a retry finds them, even after the balance moved', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const charge = (amount: bigint) =>
      f.db.transaction((tx) =>
        chargeCredits(tx, f.clock, { userId }, { amount, usedFor: 'render', idempotencyKey: 'charge-1' }),
      );
    const first = await charge(4n);
    const again = await charge(4n);
    expect(again).toEqual(first);
    const [stored] = await queryRows<{ n: number }>(
      f.db,
      sql`SELECT count(*)::int AS n FROM ledger_transfers WHERE metadata->>'usageId' = ${first.id}`,
    );
    expect(stored?.n).toBe(1);
    await refusal(charge(5n), 'idempotency_conflict');
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({ used: 4n, available: 6n });
  });

  it('a key whose charge failed for want of credits never succeeds later, not even after a top-up', async () => {
    const userId = person();
    await give(f, userId, 3n);
    // As the services run a spend: a refusal rolls the transaction back, and its failed id is kept.
    const charge = () =>
      keepingFailures(f.db, f.clock, (tx) =>
        chargeCredits(tx, f.clock, { userId }, { amount: 5n, usedFor: 'render', idempotencyKey: 'too-much' }),
      );
    await refusal(charge(), 'insufficient_funds');
    await give(f, userId, 10n);
    await refusal(charge(), 'id_already_failed');
    const reserve = () =>
      keepingFailures(f.db, f.clock, (tx) =>
        reserveCredits(tx, f.clock, { userId }, { amount: 50n, reservedFor: 'job', idempotencyKey: 'big' }),
      );
    await refusal(reserve(), 'insufficient_funds');
    await give(f, userId, 100n);
    await refusal(reserve(), 'id_already_failed');
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({
      used: 0n,
      reserved: 0n,
      available: 113n,
    });
  });
});

describe('a batch of spends', () => {
  const inBatch = (calls: SpendCall[]) => f.db.transaction((tx) => runSpendBatch(tx, f.clock, calls));
  const fieldOf = (error: AppError) => (error.details as { field?: unknown } | undefined)?.field;
  const answers = (outcomes: readonly SpendOutcome[]) => outcomes.map((o) => (o.ok ? 'ok' : o.error.code));
  const refusals = (outcomes: readonly SpendOutcome[]) =>
    outcomes.map((o) => (o.ok ? 'ok' : [o.error.code, o.error.details]));
  const reserved = (userId: string, amount: bigint, expiresInMs?: number) =>
    f.db.transaction((tx) =>
      reserveCredits(
        tx,
        f.clock,
        { userId },
        {
          amount,
          reservedFor: 'job',
          ...(expiresInMs ? { expiresAt: new Date(f.clock.now().getTime() + expiresInMs) } : {}),
        },
      ),
    );
  const balanceOf = (userId: string) => getBalance(f.db, f.clock, { userId });
  /** Gives reservation records another end than their holds', as only a fault could. */
  const recordsEndAt = (at: Date, ...ids: string[]) =>
    f.db.execute(
      sql`UPDATE credits_reservations SET expires_at = ${at} WHERE id = ANY(${sql.param(ids)}::uuid[])`,
    );

  it('derives the same ids from the same key in every version: a retry after an upgrade finds its first attempt', () => {
    const userId = '0b7c3c36-58a4-4c1e-9d55-2a4f3f6f1e01';
    const key = clientKey('job-42');
    expect(key).toBe('key:job-42');
    expect(usageIdFor(userId, key)).toBe('143f45f0-f725-5401-8cab-dd343f1bebc8');
    expect(reservationIdFor(userId, key)).toBe('48ed9b02-84ea-524b-8d6d-9089e84348b2');
    expect(usageIdFor(newId(), key)).not.toBe(usageIdFor(userId, key));
  });

  it('names a client’s key in a conflict as the client sent it, not as the line stores it', async () => {
    const userId = person();
    await give(f, userId, 5n);
    const charge = (usedFor: string) =>
      chargeCall({ userId }, { amount: 1n, usedFor, idempotencyKey: clientKey('job-7') });
    await inBatch([charge('first')]);
    const [conflict] = await inBatch([charge('second')]);
    expect(refusals([conflict!])).toEqual([['idempotency_conflict', { idempotencyKey: 'job-7' }]]);
  });

  it('keeps one remainder for each reservation a person uses in part, under the id derived from it', async () => {
    const userId = '0b7c3c36-58a4-4c1e-9d55-2a4f3f6f1e01';
    await give(f, userId, 20n);
    const reserved = await inBatch([
      reserveCall(
        { userId },
        { amount: 5n, reservedFor: 'first', idempotencyKey: clientKey('job-42') },
        f.clock.now(),
      ),
      reserveCall({ userId }, { amount: 6n, reservedFor: 'second' }, f.clock.now()),
    ]);
    const [first, second] = reserved.map((o) => (o.ok ? o.done.reservation! : undefined));
    const used = await inBatch([
      useCall(userId, first!.id, { amount: 2n, keepRemainder: true }),
      useCall(userId, second!.id, { amount: 1n, keepRemainder: true }),
    ]);
    expect(answers(used)).toEqual(['ok', 'ok']);
    const [kept, keptToo] = used.map((o) => (o.ok ? o.done.remainder : undefined));
    expect(kept).toMatchObject({
      id: 'a92e32d5-6ef8-512e-bef9-f259b4d87ef9',
      amount: 3n,
      reservedFor: 'first',
    });
    expect(keptToo).toMatchObject({ amount: 5n, reservedFor: 'second', state: 'active' });
    const keys = await queryRows<{ id: string; idempotency_key: string }>(
      f.db,
      sql`SELECT id, idempotency_key FROM credits_reservations WHERE id IN (${kept!.id}, ${keptToo!.id}) ORDER BY amount`,
    );
    expect(keys).toEqual([
      { id: kept!.id, idempotency_key: `remainder:${first!.id}` },
      { id: keptToo!.id, idempotency_key: `remainder:${second!.id}` },
    ]);
    expect(await balanceOf(userId)).toMatchObject({
      used: 3n,
      reserved: 8n,
      available: 9n,
    });
    const [released] = await inBatch([releaseCall(userId, keptToo!.id)]);
    expect(released?.ok && released.done).toEqual({
      replayed: false,
      reservation: { ...keptToo, state: 'released', finishedAt: f.clock.now() },
    });
    expect(await balanceOf(userId)).toMatchObject({ used: 3n, reserved: 3n, available: 14n });
  });

  it('names the field a malformed call breaks, before anything is read', () => {
    const userId = person();
    const scope = { userId };
    const cases: [() => unknown, string][] = [
      [() => chargeCall({ userId: 'me' }, { amount: 1n, usedFor: 'x' }), 'userId'],
      [() => chargeCall({ userId, workspaceId: 'w' }, { amount: 1n, usedFor: 'x' }), 'workspaceId'],
      [() => chargeCall(scope, { amount: 1n, usedFor: ' ' }), 'usedFor'],
      [() => chargeCall(scope, { amount: 1n, usedFor: 'x', action: '' }), 'action'],
      [() => chargeCall(scope, { amount: 0n, usedFor: 'x' }), 'amount'],
      [() => reserveCall({ userId: 'me' }, { amount: 1n, reservedFor: 'x' }, f.clock.now()), 'userId'],
      [
        () => reserveCall({ userId, workspaceId: 'w' }, { amount: 1n, reservedFor: 'x' }, f.clock.now()),
        'workspaceId',
      ],
      [() => reserveCall(scope, { amount: 1n, reservedFor: '' }, f.clock.now()), 'reservedFor'],
      [() => reserveCall(scope, { amount: 1n, reservedFor: 'x', action: '' }, f.clock.now()), 'action'],
      [() => useCall('me', newId(), {}), 'userId'],
      [() => useCall(userId, newId(), { usedFor: '' }), 'usedFor'],
      [() => useCall(userId, newId(), { usedFor: 'x'.repeat(501) }), 'usedFor'],
      [() => useCall(userId, newId(), { action: '' }), 'action'],
      [() => useCall(userId, newId(), { amount: 0n }), 'amount'],
      [() => releaseCall('me', newId()), 'userId'],
    ];
    for (const [make, field] of cases) {
      let thrown: unknown;
      try {
        make();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, field).toBeInstanceOf(AppError);
      expect([(thrown as AppError).code, fieldOf(thrown as AppError)], field).toEqual([
        'validation_failed',
        field,
      ]);
    }
    // A use's purpose may be as long as a reservation's.
    expect(useCall(userId, newId(), { usedFor: 'x'.repeat(500) }).usedFor).toHaveLength(500);
  });

  it('answers each call alone: a refusal in planning or in the ledger leaves the others done', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const outcomes = await inBatch([
      useCall(userId, newId(), {}),
      chargeCall({ userId }, { amount: 4n, usedFor: 'a', idempotencyKey: 'batch-1' }),
      chargeCall({ userId }, { amount: 7n, usedFor: 'b' }),
      reserveCall({ userId }, { amount: 3n, reservedFor: 'c', idempotencyKey: 'batch-2' }, f.clock.now()),
    ]);
    expect(answers(outcomes)).toEqual(['not_found', 'ok', 'insufficient_funds', 'ok']);
    const [, charged, , reserved] = outcomes;
    expect(charged?.ok && charged.done).toMatchObject({
      replayed: false,
      usage: { amount: 4n, usedFor: 'a' },
    });
    expect(reserved?.ok && reserved.done).toMatchObject({
      replayed: false,
      reservation: { amount: 3n, state: 'active', usedAmount: 0n },
    });
    // The ledger's records carry the line's ids.
    const hold = await readHold(f.db, reserved?.ok ? reserved.done.reservation!.id : '', f.clock.now());
    expect(hold?.metadata).toEqual({ reservationId: reserved?.ok && reserved.done.reservation!.id });
    const usageId = charged?.ok ? charged.done.usage!.id : '';
    const [transfer] = await queryRows<{ metadata: unknown }>(
      f.db,
      sql`SELECT metadata FROM ledger_transfers WHERE code = 'usage' AND metadata->>'usageId' = ${usageId}`,
    );
    expect(transfer?.metadata).toEqual({ usageId });

    // Sent again, the same calls are replays of what was done, and say so.
    const again = await inBatch([
      chargeCall({ userId }, { amount: 4n, usedFor: 'a', idempotencyKey: 'batch-1' }),
      reserveCall({ userId }, { amount: 3n, reservedFor: 'c', idempotencyKey: 'batch-2' }, f.clock.now()),
    ]);
    expect(again.map((o) => o.ok && o.done.replayed)).toEqual([true, true]);
    expect(await balanceOf(userId)).toMatchObject({
      used: 4n,
      reserved: 3n,
      available: 3n,
    });
  });

  it('keeps a charge, a reservation and a use apart under one key, and answers each replay as such', async () => {
    const userId = person();
    const workspaceId = newId();
    await give(f, userId, 20n);
    const key = 'shared-key';
    const first = await inBatch([
      chargeCall({ userId }, { amount: 2n, usedFor: 'a', idempotencyKey: key }),
      reserveCall({ userId }, { amount: 5n, reservedFor: 'b', idempotencyKey: key }, f.clock.now()),
    ]);
    expect(first.map((o) => o.ok && o.done.replayed)).toEqual([false, false]);
    const reservation = first[1]?.ok ? first[1].done.reservation! : undefined;
    const used = await inBatch([useCall(userId, reservation!.id, { amount: 3n, idempotencyKey: 'use-key' })]);
    expect(used[0]?.ok && used[0].done).toMatchObject({ replayed: false, usage: { amount: 3n } });
    const replayed = await inBatch([
      useCall(userId, reservation!.id, { amount: 3n, idempotencyKey: 'use-key' }),
    ]);
    expect(replayed[0]?.ok && replayed[0].done).toMatchObject({ replayed: true, usage: { amount: 3n } });
    // The use's ledger records carry the usage's id.
    const usageId = used[0]?.ok ? used[0].done.usage!.id : '';
    const posts = await queryRows<{ kind: string }>(
      f.db,
      sql`SELECT kind FROM ledger_transfers WHERE metadata->>'usageId' = ${usageId}`,
    );
    expect(posts.map((t) => t.kind)).toEqual(['post_pending']);
    // The same key in a workspace is another request: refused, as it would be on any other term.
    const elsewhere = await inBatch([
      chargeCall({ userId, workspaceId }, { amount: 2n, usedFor: 'a', idempotencyKey: key }),
      reserveCall(
        { userId, workspaceId },
        { amount: 5n, reservedFor: 'b', idempotencyKey: key },
        f.clock.now(),
      ),
    ]);
    expect(answers(elsewhere)).toEqual(['idempotency_conflict', 'idempotency_conflict']);
    expect(await balanceOf(userId)).toMatchObject({
      used: 5n,
      reserved: 0n,
      available: 15n,
    });
  });

  it('names what it could not find, and the figures of too few credits, none at all included', async () => {
    const userId = person();
    await give(f, userId, 4n);
    const unknown = newId();
    const [missing, short, none] = await inBatch([
      releaseCall(userId, unknown),
      reserveCall({ userId }, { amount: 5n, reservedFor: 'big' }, f.clock.now()),
      chargeCall({ userId: person() }, { amount: 1n, usedFor: 'with nothing' }),
    ]);
    expect(refusals([none!])).toEqual([['insufficient_funds', { available: '0', requested: '1' }]]);
    expect(
      missing?.ok === false && [missing.error.code, missing.error.message, missing.error.details],
    ).toEqual(['not_found', 'reservation not found', { id: unknown }]);
    expect(refusals([short!])).toEqual([['insufficient_funds', { available: '4', requested: '5' }]]);
  });

  it('refuses a use whose hold the ledger already captured, as a used reservation', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const reservation = await reserved(userId, 4n);
    await f.db.transaction((tx) =>
      applyBalanceOps(tx, [{ op: 'capture', id: newId(), holdId: reservation.id, amount: 4n }], {
        clock: f.clock,
      }),
    );
    const [outcome] = await inBatch([useCall(userId, reservation.id, { amount: 1n })]);
    expect(outcome?.ok === false && outcome.error.code).toBe('reservation_used');
  });

  it('refuses a use or release the ledger refuses, when its hold ended behind the reservation’s back', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const reservation = await reserved(userId, 6n);
    // Only the ledger knows: the hold is released there, the reservation row still says active.
    await f.db.transaction((tx) =>
      applyBalanceOps(tx, [{ op: 'release', id: newId(), holdId: reservation.id }], { clock: f.clock }),
    );
    const outcomes = await inBatch([
      useCall(userId, reservation.id, { amount: 2n }),
      releaseCall(userId, reservation.id),
    ]);
    expect(answers(outcomes)).toEqual(['reservation_released', 'reservation_released']);
    expect(outcomes.map((o) => !o.ok && o.error.details)).toEqual([
      { state: 'released', requested: 'used' },
      { state: 'released', requested: 'released' },
    ]);
    expect(await balanceOf(userId)).toMatchObject({
      used: 0n,
      reserved: 0n,
      available: 10n,
    });
  });
  it('writes the audit entry a call asks for with its records, and none for a refusal or a replay', async () => {
    const userId = person();
    await give(f, userId, 5n);
    const actor = { ...systemActor, userId, isAdmin: false };
    const audited = (amount: bigint, key: string) => ({
      ...chargeCall({ userId }, { amount, usedFor: 'audited', idempotencyKey: key }),
      audit: (done: SpendDone) => ({
        actor,
        entry: { action: 'credits.charge', objectType: 'credits_usage', objectId: done.usage!.id },
      }),
    });
    const first = await inBatch([audited(2n, 'audit-1'), audited(9n, 'audit-2')]);
    expect(answers(first)).toEqual(['ok', 'insufficient_funds']);
    await inBatch([audited(2n, 'audit-1')]);
    const entries = await queryRows<{ action: string; object_id: string; actor_user_id: string }>(
      f.db,
      sql`SELECT action, object_id, actor_user_id FROM core_audit_log WHERE actor_user_id = ${userId}`,
    );
    expect(entries).toEqual([
      {
        action: 'credits.charge',
        object_id: first[0]?.ok ? first[0].done.usage!.id : '',
        actor_user_id: userId,
      },
    ]);
  });

  it('answers a reservation the sweep ended as expired, though the ledger released its hold', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const reservation = await reserved(userId, 4n, DAY);
    // The records end sooner than the ledger's hold: the sweep releases the hold and records `expired`.
    const sooner = new Date(f.clock.now().getTime() + 10 * SECOND);
    await recordsEndAt(sooner, reservation.id);
    f.clock.set(sooner);
    await expireDueReservations(f.db, f.clock);
    const outcomes = await inBatch([
      useCall(userId, reservation.id, { amount: 1n }),
      useCall(userId, reservation.id, { amount: 1n, idempotencyKey: 'after-the-sweep' }),
      releaseCall(userId, reservation.id),
    ]);
    expect(refusals(outcomes)).toEqual([
      ['reservation_expired', { state: 'expired', requested: 'used' }],
      ['reservation_expired', { state: 'expired', requested: 'used' }],
      ['reservation_expired', { state: 'expired', requested: 'released' }],
    ]);
    expect(await balanceOf(userId)).toMatchObject({
      used: 0n,
      reserved: 0n,
      available: 10n,
    });
  });

  it('answers a use with a new key of a used reservation as used, whatever amount it asks', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const reservation = await reserved(userId, 4n);
    expect(
      answers(await inBatch([useCall(userId, reservation.id, { amount: 3n, idempotencyKey: 'first' })])),
    ).toEqual(['ok']);
    const [again] = await inBatch([
      useCall(userId, reservation.id, { amount: 40n, idempotencyKey: 'second' }),
    ]);
    expect(refusals([again!])).toEqual([['reservation_used', { state: 'used', requested: 'used' }]]);
    expect(await balanceOf(userId)).toMatchObject({
      used: 3n,
      reserved: 0n,
      available: 7n,
    });
  });

  it('answers a use or release of a hold the ledger expired first as expired', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const later = await reserved(userId, 4n, 10 * SECOND);
    const alsoLater = await reserved(userId, 2n, 10 * SECOND);
    // Only the ledger ends them now: the records say an hour from now.
    const recorded = new Date(f.clock.now().getTime() + 3_600_000);
    await recordsEndAt(recorded, later.id, alsoLater.id);
    f.clock.advance(10 * SECOND);
    const outcomes = await inBatch([
      useCall(userId, later.id, { amount: 1n }),
      releaseCall(userId, alsoLater.id),
    ]);
    expect(refusals(outcomes)).toEqual([
      ['reservation_expired', { state: 'expired', requested: 'used' }],
      ['reservation_expired', { state: 'expired', requested: 'released' }],
    ]);
    expect(await balanceOf(userId)).toMatchObject({
      used: 0n,
      reserved: 0n,
      available: 10n,
    });
  });

  it('refuses a use under a key whose charge failed for want of credits: charges and uses share keys', async () => {
    const userId = person();
    await give(f, userId, 3n);
    const [short] = await inBatch([
      chargeCall({ userId }, { amount: 5n, usedFor: 'big', idempotencyKey: 'unlucky' }),
    ]);
    expect(short?.ok === false && short.error.code).toBe('insufficient_funds');
    const reservation = await reserved(userId, 2n);
    const [refused] = await inBatch([useCall(userId, reservation.id, { idempotencyKey: 'unlucky' })]);
    expect(refusals([refused!])).toEqual([['id_already_failed', { result: 'id_already_failed' }]]);
    expect(await balanceOf(userId)).toMatchObject({
      used: 0n,
      reserved: 2n,
      available: 1n,
    });
  });
});
