import { randomBytes } from 'node:crypto';
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
import { type Signed, verifySigned } from '../../core/signed';
import { flowReference } from '../chain/flow-reference';
import { recordFlowUpdate } from '../subscriptions/flows';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

/** A producer wallet of its own for each plan: one flow runs per subscriber, producer and token. */
const producerWallet = () => `0x${randomBytes(20).toString('hex')}`;
const SUBSCRIBER = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const FLOW_RATE = 3_858_024_691_358n;

async function call(as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  return { status: response.status, body: (await read(response)) as Body };
}

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const answer = await call(as, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
}

/**
 * A plan of 10 DAI a month with a month limit of 5 uses and an hour of grace, and a wallet whose
 * flow the follower has seen: the flow update is recorded as the follower records it.
 */
async function subscribedPlan() {
  const producer = await signedInPerson(tally);
  const receiver = producerWallet();
  await ok(201, producer, 'POST', '/api/streams/producer', {
    name: 'Weather Co',
    payout_address: receiver,
  });
  const plan = await ok(201, producer, 'POST', '/api/streams/producer/plans', {
    kind: 'stream',
    name: 'Forecasts',
    token: 'DAIx',
    price: '10000000000000000000',
    period: 'month',
    month_limit: 5,
    grace_seconds: 3600,
  });
  const consumer = await signedInPerson(tally);
  const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
    subscriber_address: SUBSCRIBER,
  });
  const flow = (id: string, flowRate: bigint) =>
    tally.database.db.transaction((tx) =>
      recordFlowUpdate(tx, {
        id,
        at: tally.clock.now(),
        token: 'DAIx',
        sender: SUBSCRIBER,
        receiver,
        flowRate,
        userData: flowReference(checkout.id),
      }),
    );
  await flow(`opened-${checkout.id}`, FLOW_RATE);
  return {
    producer,
    consumer,
    plan,
    access: `/api/streams/plans/${plan.id}/access?wallet=${SUBSCRIBER}`,
    usage: `/api/streams/plans/${plan.id}/usage`,
    close: () => flow(`closed-${checkout.id}`, 0n),
  };
}

describe('the Access API', () => {
  it('says a streaming wallet holds the plan, counts its uses once per key, and refuses uses past the month limit', async () => {
    const { producer, access, usage } = await subscribedPlan();
    expect(await ok(200, producer, 'GET', access)).toMatchObject({
      wallet: SUBSCRIBER,
      holds: true,
      subscription: { state: 'active', closed_at: null },
      access_until: null,
      month: { name: tally.clock.now().toISOString().slice(0, 7), limit: 5, used: 0, left: 5 },
    });
    expect(
      (await ok(201, producer, 'POST', usage, { wallet: SUBSCRIBER, uses: 3, key: 'req-1' })).month,
    ).toMatchObject({
      used: 3,
      left: 2,
    });
    // The same key again counts nothing more.
    expect(
      (await ok(200, producer, 'POST', usage, { wallet: SUBSCRIBER, uses: 3, key: 'req-1' })).month,
    ).toMatchObject({
      used: 3,
      left: 2,
    });
    const before = await snapshotTables(tally.database.db, ['core_idempotency_keys']);
    const over = await call(producer, 'POST', usage, { wallet: SUBSCRIBER, uses: 3, key: 'req-2' });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({
      code: 'quota_exceeded',
      details: { limit: 5, used: 3, left: 2 },
    });
    await expectUnchanged(tally.database.db, before);

    // Two reports at once for the last two uses: one is recorded.
    const both = await Promise.all(
      ['req-3', 'req-4'].map((key) => call(producer, 'POST', usage, { wallet: SUBSCRIBER, uses: 2, key })),
    );
    expect(both.map((a) => a.status).sort()).toEqual([201, 409]);
    expect((await ok(200, producer, 'GET', access)).month).toMatchObject({ used: 5, left: 0 });
  });

  it('keeps serving through the plan’s grace after Tally closed the stream, and not after', async () => {
    const { producer, access, usage, close } = await subscribedPlan();
    tally.clock.advance(60_000);
    await close();
    const closedAt = tally.clock.now();
    const during = await ok(200, producer, 'GET', access);
    expect(during).toMatchObject({ holds: true, subscription: { state: 'closed' } });
    expect(during.access_until).toBe(new Date(closedAt.getTime() + 3_600_000).toISOString());
    await ok(201, producer, 'POST', usage, { wallet: SUBSCRIBER, uses: 1, key: 'in-grace' });

    tally.clock.advance(3_600_000);
    expect((await ok(200, producer, 'GET', access)).holds).toBe(false);
    const refused = await call(producer, 'POST', usage, { wallet: SUBSCRIBER, uses: 1, key: 'after-grace' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('not_subscribed');
  });

  it('answers a plan’s producer only, and a wallet that never subscribed holds nothing', async () => {
    const { producer, plan, access } = await subscribedPlan();
    const stranger = await signedInPerson(tally);
    await ok(201, stranger, 'POST', '/api/streams/producer', {
      name: 'Other',
      payout_address: producerWallet(),
    });
    expect((await call(stranger, 'GET', access)).status).toBe(404);
    expect((await call(await signedInPerson(tally), 'GET', access)).body.error.code).toBe(
      'producer_required',
    );
    const nobody = await ok(
      200,
      producer,
      'GET',
      `/api/streams/plans/${plan.id}/access?wallet=0x90f79bf6eb2c4f870365e785982e1f101e93b906`,
    );
    expect(nobody).toMatchObject({ holds: false, subscription: null, month: { used: 0, left: 5 } });
  });
});

describe('an entitlement', () => {
  it('is signed for the subscriber’s wallet, checks offline with the published key, and ends with the grace', async () => {
    const { consumer, plan, close } = await subscribedPlan();
    const path = `/api/streams/plans/${plan.id}/entitlement?wallet=${SUBSCRIBER.toUpperCase().replace('0X', '0x')}`;
    const { entitlements: key } = await read(await request(tally, 'GET', '/api/streams/keys'));
    const signed = await ok(200, consumer, 'GET', path);
    expect(signed.key).toBe(key);
    expect(signed.body).toMatchObject({
      plan_id: plan.id,
      producer_id: plan.producer_id,
      wallet: SUBSCRIBER,
      issued_at: tally.clock.now().toISOString(),
      valid_until: new Date(tally.clock.now().getTime() + 3_600_000).toISOString(),
    });
    expect(verifySigned(signed as Signed<unknown>, key)).toBe(true);
    // A changed body no longer checks.
    expect(
      verifySigned(
        { ...signed, body: { ...signed.body, valid_until: '2099-01-01T00:00:00.000Z' } } as Signed<unknown>,
        key,
      ),
    ).toBe(false);
    // Only the subscriber gets one.
    expect((await call(await signedInPerson(tally), 'GET', path)).status).toBe(404);

    // Closed by Tally: it holds until the grace ends (an hour after the close here), then not at all.
    tally.clock.advance(1_800_000);
    await close();
    tally.clock.advance(1_800_000);
    const during = await ok(200, consumer, 'GET', path);
    expect(during.body.valid_until).toBe(new Date(tally.clock.now().getTime() + 1_800_000).toISOString());
    tally.clock.advance(1_800_000);
    const after = await call(consumer, 'GET', path);
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('not_subscribed');
  });
});
