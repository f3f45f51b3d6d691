import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { checkoutIdOf, flowReference } from '../chain/flow-reference';
import { recordUsagePayment } from '../usage/payments';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const PRODUCER_WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const WALLET_3 = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65';
const WALLETS = ['0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '0x90F79bf6EB2c4f870365E785982E1f101E93b906'];

async function call(as: TestPerson | null, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as: as ?? undefined, body });
  return { status: response.status, body: await read(response) };
}

async function ok(status: number, as: TestPerson | null, method: string, path: string, body?: unknown) {
  const answer = await call(as, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body as Body;
}

async function refused(
  code: string,
  status: number,
  as: TestPerson,
  method: string,
  path: string,
  body?: unknown,
) {
  const answer = await call(as, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.code).toBe(code);
  return answer.body.error as Body;
}

async function planOf(fields: Body) {
  const producer = await signedInPerson(tally);
  await ok(201, producer, 'POST', '/api/streams/producer', {
    name: 'Weather Co',
    payout_address: PRODUCER_WALLET,
  });
  const plan = await ok(201, producer, 'POST', '/api/streams/producer/plans', {
    name: 'Forecasts',
    token: 'DAIx',
    ...fields,
  });
  return { producer, plan, checkouts: `/api/streams/plans/${plan.id}/checkouts` };
}

const monthly = { kind: 'stream', price: '10000000000000000000', period: 'month' };

describe('a checkout', () => {
  it('holds a slot for the wallet, names itself in the flow’s user data, and is the same when asked again', async () => {
    const { plan, checkouts } = await planOf({ ...monthly, total_supply: 5 });
    const consumer = await signedInPerson(tally);
    const checkout = await ok(201, consumer, 'POST', checkouts, { subscriber_address: WALLETS[0] });
    expect(checkout).toMatchObject({
      plan_id: plan.id,
      state: 'reserved',
      subscriber_address: WALLETS[0]!.toLowerCase(),
      receiver_address: PRODUCER_WALLET.toLowerCase(),
      token: 'DAIx',
      flow_rate: '3858024691358',
      uses: null,
      amount: null,
    });
    expect(new Date(checkout.expires_at).getTime() - tally.clock.now().getTime()).toBe(30 * 60_000);
    expect(checkoutIdOf(checkout.user_data)).toBe(checkout.id);
    expect(await ok(201, consumer, 'POST', checkouts, { subscriber_address: WALLETS[0] })).toEqual(checkout);
    expect(await ok(200, consumer, 'GET', `/api/streams/checkouts/${checkout.id}`)).toEqual(checkout);
    // Nobody else reads it.
    await refused(
      'not_found',
      404,
      await signedInPerson(tally),
      'GET',
      `/api/streams/checkouts/${checkout.id}`,
    );
  });

  it('buys a number of uses between the plan’s limits', async () => {
    const { checkouts } = await planOf({
      kind: 'usage',
      usage_price: '50000000000000000',
      min_usage: 100,
      max_usage: 1000,
    });
    const consumer = await signedInPerson(tally);
    const before = await snapshotTables(tally.database.db, []);
    for (const uses of [undefined, 99, 1001]) {
      const error = await refused('validation_failed', 400, consumer, 'POST', checkouts, {
        subscriber_address: WALLETS[0],
        ...(uses === undefined ? {} : { uses }),
      });
      expect(error.details.field).toBe('uses');
    }
    await expectUnchanged(tally.database.db, before);
    const checkout = await ok(201, consumer, 'POST', checkouts, {
      subscriber_address: WALLETS[0],
      uses: 250,
    });
    expect(checkout).toMatchObject({ uses: 250, amount: '12500000000000000000', flow_rate: null });
  });

  it('is refused for a paused plan, one not started, the producer’s own wallet, and a bad address; a refusal holds nothing', async () => {
    const consumer = await signedInPerson(tally);
    const paused = await planOf({ ...monthly, status: 'inactive' });
    const later = await planOf({
      ...monthly,
      starts_at: new Date(tally.clock.now().getTime() + 86_400_000).toISOString(),
    });
    const open = await planOf(monthly);
    const before = await snapshotTables(tally.database.db, []);
    await refused('plan_inactive', 409, consumer, 'POST', paused.checkouts, {
      subscriber_address: WALLETS[0],
    });
    const notYet = await refused('plan_not_started', 409, consumer, 'POST', later.checkouts, {
      subscriber_address: WALLETS[0],
    });
    expect(notYet.details.starts_at).toBe(later.plan.starts_at);
    const own = await refused('validation_failed', 400, consumer, 'POST', open.checkouts, {
      subscriber_address: PRODUCER_WALLET,
    });
    expect(own.details.field).toBe('subscriber_address');
    await refused('validation_failed', 400, consumer, 'POST', open.checkouts, {
      subscriber_address: '0xabc',
    });
    await refused(
      'not_found',
      404,
      consumer,
      'POST',
      '/api/streams/plans/00000000-0000-7000-8000-000000000000/checkouts',
      {
        subscriber_address: WALLETS[0],
      },
    );
    expect((await call(null, 'POST', open.checkouts, { subscriber_address: WALLETS[0] })).status).toBe(401);
    await expectUnchanged(tally.database.db, before);
  });

  it('gives the last slot of the supply to one of two people asking at once; cancelling or lapsing frees it', async () => {
    const { checkouts } = await planOf({ ...monthly, total_supply: 1 });
    const [ana, ben] = [await signedInPerson(tally), await signedInPerson(tally)];
    const answers = await Promise.all(
      [ana, ben].map((person, n) => call(person, 'POST', checkouts, { subscriber_address: WALLETS[n] })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const lost = answers.find((a) => a.status === 409)!;
    expect(lost.body.error).toMatchObject({ code: 'plan_sold_out', details: { total_supply: 1 } });
    const won = answers.find((a) => a.status === 201)!.body;
    const [winner, loser] = won.subscriber_address === WALLETS[0]!.toLowerCase() ? [ana, ben] : [ben, ana];
    const loserWallet = winner === ana ? WALLETS[1] : WALLETS[0];

    const cancelled = await ok(200, winner!, 'POST', `/api/streams/checkouts/${won.id}/cancel`);
    expect(cancelled.state).toBe('cancelled');
    await refused('checkout_closed', 409, winner!, 'POST', `/api/streams/checkouts/${won.id}/cancel`);
    const second = await ok(201, loser!, 'POST', checkouts, { subscriber_address: loserWallet });

    // Thirty minutes on, the reservation has lapsed: it reads as expired, and the slot is free again.
    tally.clock.advance(30 * 60_000);
    expect((await ok(200, loser!, 'GET', `/api/streams/checkouts/${second.id}`)).state).toBe('expired');
    await refused('checkout_closed', 409, loser!, 'POST', `/api/streams/checkouts/${second.id}/cancel`);
    await ok(201, winner!, 'POST', checkouts, { subscriber_address: WALLETS[0] });
  });

  it('lets a wallet that holds a usage plan buy more uses when the plan is sold out, without taking a slot', async () => {
    const { checkouts } = await planOf({
      kind: 'usage',
      usage_price: '50000000000000000',
      min_usage: 10,
      max_usage: 1000,
      total_supply: 2,
    });
    const [buyer, other, third] = [
      await signedInPerson(tally),
      await signedInPerson(tally),
      await signedInPerson(tally),
    ];
    let block = 0;
    /** The follower reads the checkout's send on chain. */
    const paid = (checkout: Body) =>
      tally.database.db.transaction((tx) =>
        recordUsagePayment(tx, {
          id: `sent-${checkout.id}-${block++}`,
          at: tally.clock.now(),
          token: 'DAIx',
          from: checkout.subscriber_address,
          to: checkout.receiver_address,
          amount: BigInt(checkout.amount),
          data: flowReference(checkout.id),
        }),
      );
    const first = await ok(201, buyer, 'POST', checkouts, { subscriber_address: WALLETS[0], uses: 10 });
    expect(await paid(first)).toBe(true);
    // The buyer's top-up holds no slot: the plan's second slot is still the other wallet's to take.
    const topUp = await ok(201, buyer, 'POST', checkouts, { subscriber_address: WALLETS[0], uses: 20 });
    const second = await ok(201, other, 'POST', checkouts, { subscriber_address: WALLETS[1], uses: 10 });
    await refused('plan_sold_out', 409, third, 'POST', checkouts, { subscriber_address: WALLET_3, uses: 10 });
    expect(await paid(second)).toBe(true);

    // Sold out, both slots streaming: the buyer buys more all the same, onto its one subscription.
    expect(await paid(topUp)).toBe(true);
    const again = await ok(201, buyer, 'POST', checkouts, { subscriber_address: WALLETS[0], uses: 30 });
    expect(await paid(again)).toBe(true);
    const [mine, ...more] = (await ok(200, buyer, 'GET', '/api/streams/subscriptions')).items;
    expect(more).toEqual([]);
    expect(mine.uses).toMatchObject({ bought: 60, used: 0, left: 60 });
    await refused('plan_sold_out', 409, third, 'POST', checkouts, { subscriber_address: WALLET_3, uses: 10 });
  });
});
