import { eq } from 'drizzle-orm';
import type { Hex } from 'viem';
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
import { flowLogs, randomWallet, storeLog, watchedChain } from '../../../test/support/streams-flows';
import type { Watcher } from '../../chain/follower/follower';
import { events } from '../../chain/schema';
import { flowReference } from '../chain/flow-reference';
import { watchDeps } from '../line';
import { FLOWS_WATCHER } from './close-reasons';
import { flowWatchers } from './flows';

/**
 * Flow updates the follower reads after the records moved on. A reorg takes updates off the chain
 * after the follower handed them over: each is undone, newest first, in the transaction that
 * orphans it, as the follower's rewind does; an undo that throws would hold the follower's watcher
 * where it is, and no flow would be followed any more. And a flow mined after its checkout was
 * cancelled: the money moves all the same.
 */

let tally: TestTally;
let flows: Watcher;

beforeAll(async () => {
  tally = await testTally();
  [, flows] = flowWatchers(watchedChain, watchDeps({ ...tally.context, chain: watchedChain })) as [
    Watcher,
    Watcher,
  ];
});

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

/** A `FlowUpdated` as the follower hands it over, stored confirmed and handled. */
async function flowUpdated(args: { sender: string; receiver: string; flowRate: bigint; userData?: Hex }) {
  const log = flowLogs(args, tally.clock.now()).flowUpdated;
  await tally.database.db.transaction(async (tx) => {
    await storeLog(tx, FLOWS_WATCHER, log, 'confirmed', tally.clock.now());
    await flows.onConfirmed(tx, log as never);
  });
  return log;
}

/** The follower's rewind: the logs leave the chain newest first, each undone as it is orphaned. */
async function reorg(...logs: Awaited<ReturnType<typeof flowUpdated>>[]) {
  await tally.database.db.transaction(async (tx) => {
    for (const log of [...logs].reverse()) {
      await tx
        .update(events)
        .set({ state: 'orphaned', orphanedAt: tally.clock.now() })
        .where(eq(events.id, log.id));
      await flows.onOrphaned(tx, log as never);
    }
  });
}

/** A producer with two stream plans in DAIx (one with a month limit), and a consumer's wallet. */
async function producerWithPlans() {
  const producer = await signedInPerson(tally);
  const receiver = randomWallet();
  await ok(201, producer, 'POST', '/api/streams/producer', { name: 'Weather Co', payout_address: receiver });
  const plan = (name: string, price: string) =>
    ok(201, producer, 'POST', '/api/streams/producer/plans', {
      kind: 'stream',
      name,
      token: 'DAIx',
      price,
      period: 'month',
      month_limit: 10,
    });
  const basic = await plan('Basic', '10000000000000000000');
  const pro = await plan('Pro', '20000000000000000000');
  const consumer = await signedInPerson(tally);
  const sender = randomWallet();
  const subscriptions = async () =>
    (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items as Body[];
  const checkOut = async (planId: string) =>
    ok(201, consumer, 'POST', `/api/streams/plans/${planId}/checkouts`, { subscriber_address: sender });
  const checkout = async (id: string) => ok(200, consumer, 'GET', `/api/streams/checkouts/${id}`);
  return { producer, receiver, basic, pro, consumer, sender, subscriptions, checkOut, checkout };
}

describe('a reorg that takes a subscription’s start away', () => {
  it('undoes it after a use was reported and a change and a cancel were opened, and the follower goes on', async () => {
    const { producer, receiver, basic, pro, consumer, sender, subscriptions, checkOut, checkout } =
      await producerWithPlans();
    const first = await checkOut(basic.id);
    const rate = BigInt(first.flow_rate);
    const start = await flowUpdated({ sender, receiver, flowRate: rate, userData: flowReference(first.id) });
    const [subscription] = await subscriptions();
    expect(subscription).toMatchObject({ state: 'active', checkout_id: first.id });
    await ok(201, producer, 'POST', `/api/streams/plans/${basic.id}/usage`, {
      wallet: sender,
      uses: 2,
      key: 'served-1',
    });
    const change = await ok(201, consumer, 'POST', `/api/streams/subscriptions/${subscription.id}/change`, {
      plan_id: pro.id,
    });
    const cancel = await ok(201, consumer, 'POST', `/api/streams/subscriptions/${subscription.id}/cancel`);

    await reorg(start);
    expect(await subscriptions()).toEqual([]);
    expect((await checkout(first.id)).state).toBe('reserved');
    // They named a subscription that never started on the chain that stands.
    expect((await checkout(change.id)).state).toBe('cancelled');
    expect((await checkout(cancel.id)).state).toBe('cancelled');
    expect(
      (await ok(200, producer, 'GET', `/api/streams/plans/${basic.id}/access?wallet=${sender}`)).holds,
    ).toBe(false);

    // The same flow mined again: the subscription starts again, and its month counts afresh.
    await flowUpdated({ sender, receiver, flowRate: rate, userData: flowReference(first.id) });
    const [again] = await subscriptions();
    expect(again).toMatchObject({ state: 'active', checkout_id: first.id });
    expect(
      (await ok(200, producer, 'GET', `/api/streams/plans/${basic.id}/access?wallet=${sender}`)).month,
    ).toMatchObject({ used: 0, left: 10 });

    // And other wallets' flows are followed as before.
    const other = await producerWithPlans();
    const theirs = await other.checkOut(other.basic.id);
    await flowUpdated({
      sender: other.sender,
      receiver: other.receiver,
      flowRate: BigInt(theirs.flow_rate),
      userData: flowReference(theirs.id),
    });
    expect((await other.subscriptions()).map((s) => s.state)).toEqual(['active']);
  });

  it('undoes a plan change and then the start it changed, leaving the first checkout to be sent again', async () => {
    const { receiver, basic, pro, consumer, sender, subscriptions, checkOut, checkout } =
      await producerWithPlans();
    const first = await checkOut(basic.id);
    const basicRate = BigInt(first.flow_rate);
    const start = await flowUpdated({
      sender,
      receiver,
      flowRate: basicRate,
      userData: flowReference(first.id),
    });
    const [subscription] = await subscriptions();
    const change = await ok(201, consumer, 'POST', `/api/streams/subscriptions/${subscription.id}/change`, {
      plan_id: pro.id,
    });
    const moved = await flowUpdated({
      sender,
      receiver,
      flowRate: BigInt(change.flow_rate),
      userData: flowReference(change.id),
    });
    expect((await subscriptions()).map((s) => [s.plan.name, s.state]).sort()).toEqual([
      ['Basic', 'closed'],
      ['Pro', 'active'],
    ]);

    await reorg(start, moved);
    expect(await subscriptions()).toEqual([]);
    expect((await checkout(first.id)).state).toBe('reserved');
    expect((await checkout(change.id)).state).toBe('cancelled');
  });
});

/** The consumer streams Basic, then Pro a second later, in one flow to the producer. */
async function basicThenPro() {
  const stage = await producerWithPlans();
  const { sender, receiver, checkOut } = stage;
  const a = await checkOut(stage.basic.id);
  const aRate = BigInt(a.flow_rate);
  await flowUpdated({ sender, receiver, flowRate: aRate, userData: flowReference(a.id) });
  tally.clock.advance(1_000);
  const b = await checkOut(stage.pro.id);
  const both = aRate + BigInt(b.flow_rate);
  await flowUpdated({ sender, receiver, flowRate: both, userData: flowReference(b.id) });
  return { ...stage, aRate, both };
}

describe('a reorg that takes a cancel away', () => {
  it('reserves its checkout again: mined again, it closes the plan it named, not the newest of the flow', async () => {
    const { receiver, consumer, sender, subscriptions, checkout, aRate, both } = await basicThenPro();
    const idOf = async (name: string) => (await subscriptions()).find((s) => s.plan.name === name)!.id;
    const cancel = await ok(
      201,
      consumer,
      'POST',
      `/api/streams/subscriptions/${await idOf('Basic')}/cancel`,
    );
    const lowered = { sender, receiver, flowRate: both - aRate, userData: flowReference(cancel.id) };
    const cancelled = await flowUpdated(lowered);
    const states = async () =>
      (await subscriptions()).map((s) => [s.plan.name, s.state]).sort((x, y) => x[0].localeCompare(y[0]));
    expect(await states()).toEqual([
      ['Basic', 'closed'],
      ['Pro', 'active'],
    ]);

    await reorg(cancelled);
    expect(await states()).toEqual([
      ['Basic', 'active'],
      ['Pro', 'active'],
    ]);
    expect((await checkout(cancel.id)).state).toBe('reserved');

    await flowUpdated(lowered);
    expect(await states()).toEqual([
      ['Basic', 'closed'],
      ['Pro', 'active'],
    ]);
    expect((await checkout(cancel.id)).state).toBe('completed');
  });
});

describe('a flow mined after the person cancelled its checkout', () => {
  it('starts the subscription when the plan has room: the wallet pays for it', async () => {
    const { producer, receiver, basic, consumer, sender, subscriptions, checkOut, checkout } =
      await producerWithPlans();
    await ok(200, producer, 'PATCH', `/api/streams/plans/${basic.id}`, { total_supply: 2 });
    const mine = await checkOut(basic.id);
    expect((await ok(200, consumer, 'POST', `/api/streams/checkouts/${mine.id}/cancel`)).state).toBe(
      'cancelled',
    );
    await flowUpdated({
      sender,
      receiver,
      flowRate: BigInt(mine.flow_rate),
      userData: flowReference(mine.id),
    });
    expect(await subscriptions()).toMatchObject([{ state: 'active', checkout_id: mine.id }]);
    expect((await checkout(mine.id)).state).toBe('completed');
  });

  it('starts nothing when the slot it gave back is taken meanwhile', async () => {
    const { producer, receiver, basic, consumer, sender, subscriptions, checkOut } =
      await producerWithPlans();
    await ok(200, producer, 'PATCH', `/api/streams/plans/${basic.id}`, { total_supply: 1 });
    const mine = await checkOut(basic.id);
    await ok(200, consumer, 'POST', `/api/streams/checkouts/${mine.id}/cancel`);
    const other = await signedInPerson(tally);
    const otherWallet = randomWallet();
    const theirs = await ok(201, other, 'POST', `/api/streams/plans/${basic.id}/checkouts`, {
      subscriber_address: otherWallet,
    });
    await flowUpdated({
      sender: otherWallet,
      receiver,
      flowRate: BigInt(theirs.flow_rate),
      userData: flowReference(theirs.id),
    });
    await flowUpdated({
      sender,
      receiver,
      flowRate: BigInt(mine.flow_rate),
      userData: flowReference(mine.id),
    });
    expect(await subscriptions()).toEqual([]);
  });

  it('closes the plan a cancelled cancel names, not the newest of the flow', async () => {
    const { receiver, consumer, sender, subscriptions, aRate, both } = await basicThenPro();
    const basicId = (await subscriptions()).find((s) => s.plan.name === 'Basic')!.id;
    const cancel = await ok(201, consumer, 'POST', `/api/streams/subscriptions/${basicId}/cancel`);
    await ok(200, consumer, 'POST', `/api/streams/checkouts/${cancel.id}/cancel`);
    await flowUpdated({ sender, receiver, flowRate: both - aRate, userData: flowReference(cancel.id) });
    expect((await subscriptions()).map((s) => [s.plan.name, s.state]).sort()).toEqual([
      ['Basic', 'closed'],
      ['Pro', 'active'],
    ]);
  });
});
