import type { Address } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { devAccounts } from '../../chain/runtime';
import { cfaV1Abi } from '../../chain/superfluid/abi';
import { bufferFor, readFlowTerms } from '../chain/buffer';
import { type StreamsChain, startStreamsChain } from '../chain/test-fixtures';
import { walletCheckouts } from './test-fixtures';

let tally: TestTally;
let chain: StreamsChain;

let ok: ReturnType<typeof walletCheckouts>['ok'];
let signPermit: ReturnType<typeof walletCheckouts>['signPermit'];
let followPrompts: ReturnType<typeof walletCheckouts>['followPrompts'];

beforeAll(async () => {
  chain = await startStreamsChain();
  tally = await testTally({ chain: chain.chain, start: new Date().toISOString() });
  ({ ok, signPermit, followPrompts } = walletCheckouts(tally, chain));
}, 120_000);

const accounts = devAccounts();
const address = (index: number) => accounts[index]!.address as Address;
const aMonth = 2_592_000n;

async function producerWithPlans(payout: number) {
  const person = await signedInPerson(tally);
  await ok(201, person, 'POST', '/api/streams/producer', {
    name: 'Tide tables',
    payout_address: address(payout),
  });
  const plan = (price: string, name: string) =>
    ok(201, person, 'POST', '/api/streams/producer/plans', {
      kind: 'stream',
      name,
      token: 'DAIx',
      price,
      period: 'month',
    });
  return {
    basic: await plan('10000000000000000000', 'Basic'),
    pro: await plan('30000000000000000000', 'Pro'),
  };
}

async function flowRate(sender: number, receiver: number) {
  const [, rate] = await chain.publicClient.readContract({
    address: chain.daix.cfa,
    abi: cfaV1Abi,
    functionName: 'getFlow',
    args: [chain.daix.superToken, address(sender), address(receiver)],
  });
  return rate;
}

describe('a checkout’s wallet steps, planned by Tally', () => {
  it('a first plan: one permit and one transaction, with the deposit, the period and how long it lasts', async () => {
    const { basic } = await producerWithPlans(1);
    const consumer = await signedInPerson(tally);
    const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${basic.id}/checkouts`, {
      subscriber_address: address(2),
    });
    const steps = await ok(200, consumer, 'POST', `/api/streams/checkouts/${checkout.id}/wallet-steps`, {});
    const rate = BigInt(basic.stream.flow_rate);
    const terms = await readFlowTerms(chain.publicClient, chain.daix);
    expect(steps).toMatchObject({
      buffer: bufferFor(rate, terms).toString(),
      existing_flow_rate: '0',
      flow_rate_after: basic.stream.flow_rate,
      prepaid_seconds: aMonth.toString(),
      per_period: (rate * aMonth).toString(),
      steps: [
        { kind: 'approve', done: false },
        { kind: 'wrap', done: false },
        { kind: 'create_flow', done: false },
        { kind: 'authorize_operator', done: false },
      ],
    });
    expect(BigInt(steps.wrap_amount)).toBe(bufferFor(rate, terms) + rate * aMonth);
    // The wallet holds no DAIx yet: what it wraps lasts the prepaid month, to the second or so.
    expect(BigInt(steps.lasts_seconds)).toBeGreaterThanOrEqual(aMonth - 2n);
    expect(BigInt(steps.lasts_seconds)).toBeLessThanOrEqual(aMonth);
    expect(steps.prompts.map((p: Body) => p.kind)).toEqual(['sign_permit', 'send_after_signature']);

    // A permit for less than the wrap is stale: nothing is planned around it.
    const permit = await signPermit(2, steps.prompts[0].typed_data);
    const stale = await request(tally, 'POST', `/api/streams/checkouts/${checkout.id}/wallet-steps`, {
      as: consumer,
      body: { permit: { ...permit, value: '1' } },
    });
    expect(stale.status).toBe(409);
    expect((await read(stale)).error.code).toBe('permit_stale');

    expect(await followPrompts(consumer, checkout.id, 2, steps)).toBe(2);
    expect(await flowRate(2, 1)).toBe(rate);
    expect((await ok(200, consumer, 'GET', `/api/streams/checkouts/${checkout.id}`)).state).toBe('completed');
    // Done: the checkout has no steps left to plan.
    const after = await request(tally, 'POST', `/api/streams/checkouts/${checkout.id}/wallet-steps`, {
      as: consumer,
      body: {},
    });
    expect(after.status).toBe(409);
    expect((await read(after)).error.code).toBe('checkout_closed');
  });

  it('a second plan of the same producer raises the one flow, and both subscriptions stream', async () => {
    const { basic, pro } = await producerWithPlans(3);
    const consumer = await signedInPerson(tally);
    const first = await ok(201, consumer, 'POST', `/api/streams/plans/${basic.id}/checkouts`, {
      subscriber_address: address(4),
    });
    await followPrompts(
      consumer,
      first.id,
      4,
      await ok(200, consumer, 'POST', `/api/streams/checkouts/${first.id}/wallet-steps`, {}),
    );
    const second = await ok(201, consumer, 'POST', `/api/streams/plans/${pro.id}/checkouts`, {
      subscriber_address: address(4),
    });
    const steps = await ok(200, consumer, 'POST', `/api/streams/checkouts/${second.id}/wallet-steps`, {});
    expect(steps.existing_flow_rate).toBe(basic.stream.flow_rate);
    expect(steps.flow_rate_after).toBe(
      (BigInt(basic.stream.flow_rate) + BigInt(pro.stream.flow_rate)).toString(),
    );
    expect(steps.steps).toContainEqual({ kind: 'update_flow', done: false });
    expect(steps.steps).toContainEqual({ kind: 'authorize_operator', done: true });
    await followPrompts(consumer, second.id, 4, steps);

    expect(await flowRate(4, 3)).toBe(BigInt(basic.stream.flow_rate) + BigInt(pro.stream.flow_rate));
    const { items } = await ok(200, consumer, 'GET', '/api/streams/subscriptions');
    expect(items.map((s: Body) => [s.plan.name, s.state, s.flow_rate]).sort()).toEqual([
      ['Basic', 'active', basic.stream.flow_rate],
      ['Pro', 'active', pro.stream.flow_rate],
    ]);
  });

  it('is the checkout owner’s alone', async () => {
    const { basic } = await producerWithPlans(5);
    const consumer = await signedInPerson(tally);
    const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${basic.id}/checkouts`, {
      subscriber_address: address(6),
    });
    const stranger = await signedInPerson(tally);
    const response = await request(tally, 'POST', `/api/streams/checkouts/${checkout.id}/wallet-steps`, {
      as: stranger,
      body: {},
    });
    expect(response.status).toBe(404);
  });
});
