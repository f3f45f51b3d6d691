import type { Address } from 'viem';
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
import { settleChain } from '../../../test/support/chain';
import { devAccounts } from '../../chain/runtime';
import { sendCall } from '../chain/call';
import { executeCheckout, planCheckout } from '../chain/checkout';
import { prepareFlowDelete } from '../chain/operator';
import { type StreamsChain, startStreamsChain } from '../chain/test-fixtures';

let tally: TestTally;
let chain: StreamsChain;

beforeAll(async () => {
  chain = await startStreamsChain();
  // The chain's blocks carry real time; reservations are read against them.
  tally = await testTally({ chain: chain.chain, start: new Date().toISOString() });
}, 120_000);

const accounts = devAccounts();
const address = (index: number) => accounts[index]!.address as Address;

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

/** A producer paid at development account `payout`, with a plan of 10 DAI a month. */
async function monthlyPlan(payout: number, fields: Body = {}) {
  const person = await signedInPerson(tally);
  await ok(201, person, 'POST', '/api/streams/producer', {
    name: 'Weather Co',
    payout_address: address(payout),
  });
  const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
    kind: 'stream',
    name: 'Forecasts',
    token: 'DAIx',
    price: '10000000000000000000',
    period: 'month',
    ...fields,
  });
  return { person, plan };
}

/** A consumer checks the plan out for development account `wallet` and streams through the wallet. */
async function subscribe(planId: string, wallet: number, receiver: number, flowRate?: bigint) {
  const consumer = await signedInPerson(tally);
  const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${planId}/checkouts`, {
    subscriber_address: address(wallet),
  });
  const steps = await planCheckout(chain.publicClient, chain.daix, {
    subscriber: address(wallet),
    receiver: address(receiver),
    flowRate: flowRate ?? BigInt(checkout.flow_rate),
    operator: chain.chain.treasury.address,
    checkoutId: checkout.id,
    prepaidSeconds: 86_400n,
  });
  await executeCheckout(chain.publicClient, chain.wallet(wallet), steps);
  await settleChain(tally);
  return { consumer, checkout };
}

describe('a subscription', () => {
  it('starts when the checkout’s flow is seen on chain, for the subscriber and the producer alike', async () => {
    const { person: producer, plan } = await monthlyPlan(1);
    const { consumer, checkout } = await subscribe(plan.id, 2, 1);
    const [subscription] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(subscription).toMatchObject({
      plan: { id: plan.id, name: 'Forecasts' },
      checkout_id: checkout.id,
      state: 'active',
      subscriber_address: address(2).toLowerCase(),
      receiver_address: address(1).toLowerCase(),
      token: 'DAIx',
      flow_rate: '3858024691358',
      closed_at: null,
    });
    expect((await ok(200, consumer, 'GET', `/api/streams/checkouts/${checkout.id}`)).state).toBe('completed');
    expect((await ok(200, producer, 'GET', '/api/streams/producer/subscriptions')).items).toEqual([
      subscription,
    ]);

    // Tally's operator closes the flow: the subscription closes with it.
    const close = await prepareFlowDelete(chain.publicClient, chain.daix, {
      operator: chain.chain.treasury.address,
      sender: address(2),
      receiver: address(1),
    });
    await sendCall(chain.publicClient, chain.treasury, close);
    await settleChain(tally);
    const [closed] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    // FlowUpdatedExtension names the treasury as the flow operator that deleted it.
    expect(closed).toMatchObject({ id: subscription.id, state: 'closed', close_reason: 'operator' });
    expect(closed.closed_at).not.toBeNull();
  });

  it('does not start from a flow of another rate than the plan’s: the checkout stays reserved', async () => {
    const { plan } = await monthlyPlan(3);
    const { consumer, checkout } = await subscribe(plan.id, 4, 3, 1_000_000_000n);
    expect((await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items).toEqual([]);
    expect((await ok(200, consumer, 'GET', `/api/streams/checkouts/${checkout.id}`)).state).toBe('reserved');
  });

  it('counts against the plan’s supply once it streams', async () => {
    const { plan } = await monthlyPlan(5, { total_supply: 1 });
    await subscribe(plan.id, 6, 5);
    const late = await signedInPerson(tally);
    const response = await request(tally, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
      as: late,
      body: { subscriber_address: address(7) },
    });
    expect(response.status).toBe(409);
    expect((await read(response)).error.code).toBe('plan_sold_out');
  });
});
