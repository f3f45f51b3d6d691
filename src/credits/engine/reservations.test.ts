import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { applyBalanceOps } from '../../ledger/engine';
import { readHold } from '../../ledger/holds';
import { getAccount, getTransfer } from '../../ledger/service';
import { type ReservationState, reservationStates } from '../schema';
import { getBalance } from './balances';
import { expireDueGrants } from './expiry';
import { SYSTEM_ACCOUNTS } from './ledger';
import { moveReservation } from './reservation-state';
import {
  chargeCredits,
  expireDueReservations,
  getReservation,
  type Reservation,
  releaseReservation,
  reserveCredits,
  useReservation,
} from './spending';
import { type CreditsFixture, creditsFixture, give, person, refusal } from './test-fixtures';

const SECOND = 1000;
const HOUR = 3_600_000;

let f: CreditsFixture;
beforeAll(async () => {
  f = await creditsFixture();
});

const reserve = (userId: string, amount: bigint, extra: { expiresAt?: Date; reservedFor?: string } = {}) =>
  f.db.transaction((tx) =>
    reserveCredits(tx, f.clock, { userId }, { amount, reservedFor: extra.reservedFor ?? 'report', ...extra }),
  );
const use = (userId: string, id: string, input: Parameters<typeof useReservation>[4] = {}) =>
  f.db.transaction((tx) => useReservation(tx, f.clock, userId, id, input));
const release = (userId: string, id: string) =>
  f.db.transaction((tx) => releaseReservation(tx, f.clock, userId, id));
const balance = (userId: string) => getBalance(f.db, f.clock, { userId });

describe('using a reservation', () => {
  it('posts the holds in burn order up to the amount used and returns the rest to the grants', async () => {
    const userId = person();
    const first = await give(f, userId, 3n, { priority: 50 });
    const second = await give(f, userId, 10n);
    const reservation = await reserve(userId, 5n);
    expect(await balance(userId)).toMatchObject({ total: 13n, used: 0n, reserved: 5n, available: 8n });

    f.clock.advance(SECOND);
    const { usage, remainder } = await use(userId, reservation.id, { amount: 4n });
    expect(remainder).toBeNull();
    expect(usage).toMatchObject({
      userId,
      usedFor: 'report',
      amount: 4n,
      isReserved: true,
      reservationId: reservation.id,
      paidBy: [
        { grantId: first.id, amount: 3n },
        { grantId: second.id, amount: 1n },
      ],
      usedAt: f.clock.now(),
    });
    expect(await getReservation(f.db, f.clock, userId, reservation.id)).toMatchObject({
      state: 'used',
      usedAmount: 4n,
      finishedAt: f.clock.now(),
    });
    expect(await balance(userId)).toMatchObject({ total: 13n, used: 4n, reserved: 0n, available: 9n });
    const account = await getAccount({ db: f.db }, second.id);
    expect([account.debitsPosted, account.debitsPending]).toEqual([1n, 0n]);
  });

  it('keeps the rest reserved as a new reservation with keepRemainder', async () => {
    const userId = person();
    const first = await give(f, userId, 3n, { priority: 50 });
    const second = await give(f, userId, 10n);
    const expiresAt = new Date(f.clock.now().getTime() + HOUR);
    const reservation = await reserve(userId, 6n, { expiresAt, reservedFor: 'workspace' });

    const { usage, remainder } = await use(userId, reservation.id, {
      amount: 2n,
      usedFor: 'invite',
      action: 'invite_member',
      keepRemainder: true,
    });
    expect(usage).toMatchObject({
      usedFor: 'invite',
      reservedFor: 'workspace',
      action: 'invite_member',
      paidBy: [{ grantId: first.id, amount: 2n }],
    });
    expect(remainder).toMatchObject({
      reservedFor: 'workspace',
      amount: 4n,
      usedAmount: 0n,
      state: 'active',
      expiresAt,
    });
    expect(remainder!.id).not.toBe(reservation.id);
    expect(await balance(userId)).toMatchObject({ used: 2n, reserved: 4n, available: 7n });

    const rest = await use(userId, remainder!.id, { keepRemainder: true });
    expect(rest.remainder).toBeNull();
    expect(rest.usage.paidBy).toEqual([
      { grantId: first.id, amount: 1n },
      { grantId: second.id, amount: 3n },
    ]);
    expect(await balance(userId)).toMatchObject({ used: 6n, reserved: 0n, available: 7n });
  });

  it('refuses to use more than reserved, with both figures, and uses exactly all of it', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const reservation = await reserve(userId, 2n);
    const over = await refusal(use(userId, reservation.id, { amount: 3n }), 'validation_failed');
    expect(over.message).toBe('the reservation holds 2 credits, not 3');
    expect(over.details).toEqual({ reserved: '2', requested: '3' });
    expect((await getReservation(f.db, f.clock, userId, reservation.id)).state).toBe('active');
    // All of it, named, with keepRemainder: nothing is left to keep.
    const all = await use(userId, reservation.id, { amount: 2n, keepRemainder: true });
    expect(all.usage.amount).toBe(2n);
    expect(all.remainder).toBeNull();
    expect(await balance(userId)).toMatchObject({ used: 2n, reserved: 0n, available: 8n });
  });

  it('returns the first use for the same idempotency key and refuses a changed one', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const reservation = await reserve(userId, 5n);
    const first = await use(userId, reservation.id, {
      amount: 2n,
      idempotencyKey: 'use-1',
      keepRemainder: true,
    });
    const again = await use(userId, reservation.id, {
      amount: 2n,
      idempotencyKey: 'use-1',
      keepRemainder: true,
    });
    expect(again).toEqual(first);
    const conflict = await refusal(
      use(userId, reservation.id, { amount: 3n, idempotencyKey: 'use-1' }),
      'idempotency_conflict',
    );
    // The ledger tells this one (the amount is its own term): the answer is the same as the records'.
    expect(conflict.message).toBe('this idempotency key was used with a different request');
    expect(conflict.details).toEqual({ idempotencyKey: 'use-1' });
    // A use without a key is a new use: of a used reservation, refused.
    await refusal(use(userId, reservation.id, { amount: 2n }), 'reservation_used');
    expect(await balance(userId)).toMatchObject({ used: 2n, reserved: 3n, available: 5n });
  });
});

describe('releasing and refused moves', () => {
  it('returns everything on release and refuses every later move', async () => {
    const userId = person();
    await give(f, userId, 8n);
    const reservation = await reserve(userId, 4n);
    const released = await release(userId, reservation.id);
    expect(released).toMatchObject({ state: 'released', usedAmount: 0n, finishedAt: f.clock.now() });
    expect(await balance(userId)).toMatchObject({ total: 8n, used: 0n, reserved: 0n, available: 8n });
    await refusal(release(userId, reservation.id), 'reservation_released');
    await refusal(use(userId, reservation.id), 'reservation_released');

    const usedOne = await reserve(userId, 1n);
    await use(userId, usedOne.id);
    await refusal(use(userId, usedOne.id), 'reservation_used');
    await refusal(release(userId, usedOne.id), 'reservation_used');
    expect(await balance(userId)).toMatchObject({ used: 1n, reserved: 0n, available: 7n });
  });

  it("answers not_found for another person's reservation", async () => {
    const owner = person();
    const stranger = person();
    await give(f, owner, 5n);
    await give(f, stranger, 5n);
    const reservation = await reserve(owner, 2n);
    await refusal(getReservation(f.db, f.clock, stranger, reservation.id), 'not_found');
    await refusal(use(stranger, reservation.id), 'not_found');
    await refusal(release(stranger, reservation.id), 'not_found');
    const missing = await refusal(getReservation(f.db, f.clock, owner, 'not-a-uuid'), 'not_found');
    expect(missing.message).toBe('reservation not found');
    expect(missing.details).toEqual({ id: 'not-a-uuid' });
    expect((await getReservation(f.db, f.clock, owner, reservation.id)).state).toBe('active');
    expect((await balance(stranger)).available).toBe(5n);
  });

  it.each(reservationStates.flatMap((from) => reservationStates.map((to) => [from, to] as const)))(
    'moves %s -> %s only when the rules allow it',
    (from: ReservationState, to: ReservationState) => {
      const allowed = from === 'active' && to !== 'active';
      if (allowed) {
        expect(moveReservation(from, to)).toBe(to);
        return;
      }
      let refused: unknown;
      try {
        moveReservation(from, to);
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({ code: `reservation_${from}`, status: 409, details: { state: from } });
    },
  );
});

describe('expiry', () => {
  it('never outlives the grants it holds: credits of an ending cycle cannot be carried past it', async () => {
    const userId = person();
    const start = f.clock.now().getTime();
    const cycleEnd = new Date(start + HOUR);
    await give(f, userId, 10n, { expiresAt: cycleEnd });
    const unbounded = await reserve(userId, 10n);
    expect(unbounded.expiresAt).toEqual(cycleEnd);
    await give(f, userId, 5n, { expiresAt: cycleEnd });
    const longer = await reserve(userId, 2n, { expiresAt: new Date(start + 2 * HOUR) });
    expect(longer.expiresAt).toEqual(cycleEnd);
    const shorter = await reserve(userId, 1n, { expiresAt: new Date(start + 10 * SECOND) });
    expect(shorter.expiresAt).toEqual(new Date(start + 10 * SECOND));
    await release(userId, longer.id);
    await release(userId, shorter.id);

    f.clock.set(cycleEnd);
    await refusal(use(userId, unbounded.id), 'reservation_expired');
    expect(await expireDueReservations(f.db, f.clock)).toBe(1);
    expect(await expireDueGrants(f.db, f.clock)).toBeGreaterThanOrEqual(1);
    expect(await balance(userId)).toMatchObject({ total: 0n, used: 0n, reserved: 0n, available: 0n });
  });

  it('is usable 1 ms before its expiry, refused at it, and swept into agreement with the ledger', async () => {
    const userId = person();
    await give(f, userId, 10n);
    const start = f.clock.now().getTime();
    // Rounded up to a whole second: the ledger's timeouts are seconds.
    const early = await reserve(userId, 2n, { expiresAt: new Date(start + 90 * SECOND + 500) });
    const late = await reserve(userId, 3n, { expiresAt: new Date(start + 90 * SECOND + 500) });
    const expiresAt = new Date(start + 91 * SECOND);
    expect(early.expiresAt).toEqual(expiresAt);

    f.clock.set(new Date(expiresAt.getTime() - 1));
    await use(userId, early.id);
    f.clock.set(expiresAt);
    await refusal(use(userId, late.id), 'reservation_expired');
    await refusal(release(userId, late.id), 'reservation_expired');
    // Before any sweep, the lapsed hold already counts as available.
    expect(await balance(userId)).toMatchObject({ total: 10n, used: 2n, reserved: 0n, available: 8n });

    expect(await expireDueReservations(f.db, f.clock)).toBe(1);
    expect(await expireDueReservations(f.db, f.clock)).toBe(0);
    expect(await getReservation(f.db, f.clock, userId, late.id)).toMatchObject({
      state: 'expired',
      finishedAt: expiresAt,
    });
    expect(await getReservation(f.db, f.clock, userId, early.id)).toMatchObject({ state: 'used' });
    const [hold] = await holdsOf(late.id);
    expect((await getTransfer({ db: f.db }, hold!)).pendingState).toBe('expired');
    expect(await balance(userId)).toMatchObject({ used: 2n, reserved: 0n, available: 8n });
  });

  it('is ended by the next spend when no sweep ran', async () => {
    const userId = person();
    await give(f, userId, 5n);
    const reservation = await reserve(userId, 5n, {
      expiresAt: new Date(f.clock.now().getTime() + 10 * SECOND),
    });
    f.clock.advance(10 * SECOND);
    const usage = await f.db.transaction((tx) =>
      chargeCredits(tx, f.clock, { userId }, { amount: 5n, usedFor: 'after expiry' }),
    );
    expect(usage.amount).toBe(5n);
    expect((await getReservation(f.db, f.clock, userId, reservation.id)).state).toBe('expired');
    expect(await balance(userId)).toMatchObject({ used: 5n, reserved: 0n, available: 0n });
  });

  it('keeps a remainder that ends with its own hold, never after the reservation it came from', async () => {
    const userId = person();
    const grant = await give(f, userId, 5n);
    const reservation = await reserve(userId, 5n, { expiresAt: new Date(f.clock.now().getTime() + 10_500) });
    f.clock.advance(300);
    const { remainder } = await use(userId, reservation.id, { amount: 2n, keepRemainder: true });
    const [kept] = await holdsOf(remainder!.id);
    // Whole seconds: the re-made hold ends at most a second sooner, and exactly with its reservation.
    expect(remainder!.expiresAt!.getTime()).toBeLessThanOrEqual(reservation.expiresAt!.getTime());
    expect(remainder!.expiresAt!.getTime()).toBeGreaterThan(reservation.expiresAt!.getTime() - SECOND);
    expect((await getTransfer({ db: f.db }, kept!)).expiresAt).toEqual(remainder!.expiresAt);
    f.clock.set(remainder!.expiresAt!);
    expect((await getReservation(f.db, f.clock, userId, remainder!.id)).state).toBe('expired');
    await expireDueReservations(f.db, f.clock);
    expect((await getTransfer({ db: f.db }, kept!)).pendingState).toBe('expired');
    expect((await getAccount({ db: f.db }, grant.id)).debitsPending).toBe(0n);
    expect(await balance(userId)).toMatchObject({ used: 2n, reserved: 0n, available: 3n });
  });

  it('keeps nothing back when less than a second of the reservation is left: the rest is released', async () => {
    const userId = person();
    await give(f, userId, 5n);
    const reservation = await reserve(userId, 5n, {
      expiresAt: new Date(f.clock.now().getTime() + 10 * SECOND),
    });
    f.clock.advance(9_500);
    const { remainder } = await use(userId, reservation.id, { amount: 2n, keepRemainder: true });
    expect(remainder).toBeNull();
    expect(await balance(userId)).toMatchObject({ used: 2n, reserved: 0n, available: 3n });
  });

  it('sends credits released onto an expired grant to the expired sink', async () => {
    const userId = person();
    const grant = await give(f, userId, 5n, { expiresAt: new Date(f.clock.now().getTime() + HOUR) });
    const kept = await reserve(userId, 3n);
    const spent = await reserve(userId, 1n);
    const sinkBefore = (await getAccount({ db: f.db }, SYSTEM_ACCOUNTS.expired)).creditsPosted;
    f.clock.advance(HOUR);
    expect(await expireDueGrants(f.db, f.clock)).toBe(1);
    expect((await getAccount({ db: f.db }, SYSTEM_ACCOUNTS.expired)).creditsPosted - sinkBefore).toBe(1n);

    // The holds ended with their grant: nothing reserved in the cycle can be spent after it.
    await refusal(use(userId, spent.id), 'reservation_expired');
    expect(await expireDueReservations(f.db, f.clock)).toBeGreaterThanOrEqual(2);
    expect(await getReservation(f.db, f.clock, userId, spent.id)).toMatchObject({ state: 'expired' });
    expect(await getReservation(f.db, f.clock, userId, kept.id)).toMatchObject({ state: 'expired' });
    const account = await getAccount({ db: f.db }, grant.id);
    expect(account.creditsPosted - account.debitsPosted - account.debitsPending).toBe(0n);
    expect((await getAccount({ db: f.db }, SYSTEM_ACCOUNTS.expired)).creditsPosted - sinkBefore).toBe(5n);
    expect(await balance(userId)).toMatchObject({ total: 0n, available: 0n });
  });
});

describe('the expiry sweep', () => {
  const reserveMany = (fixture: CreditsFixture, userId: string, count: number, expiresAt: Date) =>
    fixture.db.transaction(async (tx) => {
      const reservations: Reservation[] = [];
      for (let i = 0; i < count; i++) {
        reservations.push(
          await reserveCredits(
            tx,
            fixture.clock,
            { userId },
            { amount: 1n, reservedFor: `job ${i}`, expiresAt },
          ),
        );
      }
      return reservations;
    });

  it('expires every due reservation in one run, however many batches they take', async () => {
    const own = await creditsFixture();
    const userId = person();
    await give(own, userId, 250n);
    const expiresAt = new Date(own.clock.now().getTime() + 10 * SECOND);
    await reserveMany(own, userId, 201, expiresAt);
    own.clock.set(expiresAt);
    expect(await expireDueReservations(own.db, own.clock)).toBe(201);
    expect(await expireDueReservations(own.db, own.clock)).toBe(0);
    const states = await queryRows<{ state: string; n: number }>(
      own.db,
      sql`SELECT state, count(*)::int AS n FROM credits_reservations GROUP BY state`,
    );
    expect(states).toEqual([{ state: 'expired', n: 201 }]);
    expect(await getBalance(own.db, own.clock, { userId })).toMatchObject({ reserved: 0n, available: 250n });
  });

  it("releases a hold the ledger still holds once its reservation's own expiry has passed", async () => {
    const userId = person();
    await give(f, userId, 10n);
    const reservation = await reserve(userId, 4n, { expiresAt: new Date(f.clock.now().getTime() + HOUR) });
    const sooner = new Date(f.clock.now().getTime() + 10 * SECOND);
    // The records and the ledger are written with one expiry; a record that ends sooner is the one to follow.
    await f.db.execute(
      sql`UPDATE credits_reservations SET expires_at = ${sooner} WHERE id = ${reservation.id}`,
    );
    f.clock.set(sooner);
    expect(await expireDueReservations(f.db, f.clock)).toBeGreaterThanOrEqual(1);
    expect(await getReservation(f.db, f.clock, userId, reservation.id)).toMatchObject({
      state: 'expired',
      finishedAt: sooner,
    });
    const [hold] = await holdsOf(reservation.id);
    expect((await getTransfer({ db: f.db }, hold!)).pendingState).toBe('voided');
    expect(await balance(userId)).toMatchObject({ total: 10n, reserved: 0n, available: 10n });
  });

  it('stops, changing nothing, at a reservation whose hold the ledger says was used', async () => {
    const own = await creditsFixture();
    const userId = person();
    await give(own, userId, 10n);
    const expiresAt = new Date(own.clock.now().getTime() + 10 * SECOND);
    const [reservation] = await reserveMany(own, userId, 1, expiresAt);
    await own.db.transaction((tx) =>
      applyBalanceOps(tx, [{ op: 'capture', id: newId(), holdId: reservation!.id, amount: 1n }], {
        clock: own.clock,
      }),
    );
    own.clock.set(expiresAt);
    const stopped = await refusal(expireDueReservations(own.db, own.clock), 'internal');
    expect(stopped.message).toBe('a reservation hold was neither held nor expired');
    expect(stopped.details).toEqual({
      reservationId: reservation!.id,
      result: 'pending_transfer_already_posted',
    });
    const [row] = await queryRows<{ state: string }>(
      own.db,
      sql`SELECT state FROM credits_reservations WHERE id = ${reservation!.id}`,
    );
    expect(row!.state).toBe('active');
  });
});

/** The pending transfers of a reservation's hold in the ledger (same id). */
async function holdsOf(reservationId: string): Promise<string[]> {
  const hold = await readHold(f.db, reservationId, f.clock.now());
  return (hold?.parts ?? []).map((p) => p.transferId);
}
