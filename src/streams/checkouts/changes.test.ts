import { asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, read, request, signedInPerson, type TestTally } from '../../../test/support/app';
import { cfaV1Abi } from '../../chain/superfluid/abi';
import { webhookEvents } from '../../core/webhooks/schema';
import type { StreamsChain } from '../chain/test-fixtures';
import { devAddress, streamsChainTally, type walletCheckouts } from './test-fixtures';

let tally: TestTally;
let chain: StreamsChain;
let helpers: ReturnType<typeof walletCheckouts>;

beforeAll(async () => {
  ({ chain, tally, helpers } = await streamsChainTally());
}, 120_000);

const address = devAddress;
const dai = (whole: number) => (BigInt(whole) * 10n ** 18n).toString();

async function flowRate(sender: number, receiver: number) {
  const [, rate, deposit] = await chain.publicClient.readContract({
    address: chain.daix.cfa,
    abi: cfaV1Abi,
    functionName: 'getFlow',
    args: [chain.daix.superToken, address(sender), address(receiver)],
  });
  return { rate, deposit };
}

describe('changing and ending a subscription from the subscriber’s wallet', () => {
  it('moves a plan up and down within one flow, ends one plan of two, then the last', async () => {
    const producer = await signedInPerson(tally);
    const { id: producerId } = await helpers.ok(201, producer, 'POST', '/api/streams/producer', {
      name: 'Radar',
      payout_address: address(1),
    });
    // The producer listens to every subscription event.
    await helpers.ok(201, producer, 'POST', '/api/streams/producer/webhooks', {
      url: 'https://93.184.215.14/radar-hooks',
      events: ['subscription.created', 'subscription.plan_changed', 'subscription.closed'],
    });
    const told = async () =>
      (
        await tally.database.db
          .select({ type: webhookEvents.type })
          .from(webhookEvents)
          .where(eq(webhookEvents.ownerId, producerId))
          .orderBy(asc(webhookEvents.createdAt))
      ).map((event) => event.type);
    const plan = (name: string, price: number, token = 'DAIx') =>
      helpers.ok(201, producer, 'POST', '/api/streams/producer/plans', {
        kind: 'stream',
        name,
        token,
        price: dai(price),
        period: 'month',
      });
    const basic = await plan('Basic', 10);
    const pro = await plan('Pro', 30);
    const max = await plan('Max', 50);
    const usdc = await plan('Dollar', 10, 'USDCx');
    const rate = (p: Body) => BigInt(p.stream.flow_rate);

    const consumer = await signedInPerson(tally);
    await helpers.checkOut(consumer, basic.id, 2, address(2));
    await helpers.checkOut(consumer, pro.id, 2, address(2));
    expect((await flowRate(2, 1)).rate).toBe(rate(basic) + rate(pro));
    const subscriptions = async () =>
      (await helpers.ok(200, consumer, 'GET', '/api/streams/subscriptions')).items as Body[];
    const live = async () =>
      (await subscriptions())
        .filter((s) => s.state === 'active')
        .map((s) => s.plan.name)
        .sort();
    const ofPlan = async (name: string) => (await subscriptions()).find((s) => s.plan.name === name)!;

    // Up: Basic → Max, the flow raised by the difference in one update.
    const basicId = (await ofPlan('Basic')).id;
    const up = await helpers.ok(201, consumer, 'POST', `/api/streams/subscriptions/${basicId}/change`, {
      plan_id: max.id,
    });
    expect(up).toMatchObject({ purpose: 'change', replaces_subscription_id: basicId, plan_id: max.id });
    const upSteps = await helpers.ok(
      200,
      consumer,
      'POST',
      `/api/streams/checkouts/${up.id}/wallet-steps`,
      {},
    );
    expect(upSteps.existing_flow_rate).toBe((rate(basic) + rate(pro)).toString());
    expect(upSteps.flow_rate_after).toBe((rate(pro) + rate(max)).toString());
    await helpers.followPrompts(consumer, up.id, 2, upSteps);
    expect((await flowRate(2, 1)).rate).toBe(rate(pro) + rate(max));
    expect(await live()).toEqual(['Max', 'Pro']);
    expect(await ofPlan('Basic')).toMatchObject({ state: 'closed', close_reason: 'subscriber' });
    expect(await told()).toEqual([
      'subscription.created',
      'subscription.created',
      'subscription.plan_changed',
      'subscription.closed',
    ]);

    // Down: Max → Basic, no wrap, the deposit's difference back.
    const maxId = (await ofPlan('Max')).id;
    const down = await helpers.ok(201, consumer, 'POST', `/api/streams/subscriptions/${maxId}/change`, {
      plan_id: basic.id,
    });
    const downSteps = await helpers.ok(
      200,
      consumer,
      'POST',
      `/api/streams/checkouts/${down.id}/wallet-steps`,
      {},
    );
    expect(downSteps.steps).toEqual([{ kind: 'update_flow', done: false }]);
    expect(BigInt(downSteps.buffer)).toBeLessThan(0n);
    const before = await flowRate(2, 1);
    expect(await helpers.followPrompts(consumer, down.id, 2, downSteps)).toBe(1);
    const after = await flowRate(2, 1);
    expect(after.rate).toBe(rate(pro) + rate(basic));
    expect(after.deposit - before.deposit).toBe(BigInt(downSteps.buffer));
    expect(await live()).toEqual(['Basic', 'Pro']);

    // A change is to the same producer's stream plan in the same token, of a running subscription.
    const proId = (await ofPlan('Pro')).id;
    const refused = await request(tally, 'POST', `/api/streams/subscriptions/${proId}/change`, {
      as: consumer,
      body: { plan_id: usdc.id },
    });
    expect(refused.status).toBe(400);
    expect((await read(refused)).error).toMatchObject({
      code: 'validation_failed',
      details: { field: 'plan_id' },
    });
    const closedOne = await request(tally, 'POST', `/api/streams/subscriptions/${maxId}/cancel`, {
      as: consumer,
    });
    expect(closedOne.status).toBe(409);
    expect((await read(closedOne)).error.code).toBe('subscription_closed');
    const stranger = await request(tally, 'POST', `/api/streams/subscriptions/${proId}/cancel`, {
      as: await signedInPerson(tally),
    });
    expect(stranger.status).toBe(404);

    // End Pro: its share leaves the flow; Basic keeps streaming.
    const cancel = await helpers.ok(201, consumer, 'POST', `/api/streams/subscriptions/${proId}/cancel`);
    expect(cancel).toMatchObject({ purpose: 'cancel', replaces_subscription_id: proId });
    await helpers.followPrompts(
      consumer,
      cancel.id,
      2,
      await helpers.ok(200, consumer, 'POST', `/api/streams/checkouts/${cancel.id}/wallet-steps`, {}),
    );
    expect((await flowRate(2, 1)).rate).toBe(rate(basic));
    expect(await live()).toEqual(['Basic']);
    expect(await ofPlan('Pro')).toMatchObject({ state: 'closed', close_reason: 'subscriber' });

    // End the last: the flow is deleted, and its whole deposit comes back.
    const last = (await subscriptions()).find((s) => s.plan.name === 'Basic' && s.state === 'active')!;
    const end = await helpers.ok(201, consumer, 'POST', `/api/streams/subscriptions/${last.id}/cancel`);
    const endSteps = await helpers.ok(
      200,
      consumer,
      'POST',
      `/api/streams/checkouts/${end.id}/wallet-steps`,
      {},
    );
    expect(endSteps.steps).toEqual([{ kind: 'delete_flow', done: false }]);
    expect(endSteps.flow_rate_after).toBe('0');
    await helpers.followPrompts(consumer, end.id, 2, endSteps);
    expect(await flowRate(2, 1)).toEqual({ rate: 0n, deposit: 0n });
    expect(await live()).toEqual([]);
  });
});
