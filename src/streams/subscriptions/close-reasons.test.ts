import { sql } from 'drizzle-orm';
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
import {
  CHAIN_ID,
  type FlowLog,
  flowLogs,
  randomWallet,
  storeLog,
  TALLY,
  watchedChain,
} from '../../../test/support/streams-flows';
import type { Watcher } from '../../chain/follower/follower';
import { queryRows } from '../../core/database';
import { flowReference } from '../chain/flow-reference';
import { watchDeps } from '../line';
import { FLOW_OPERATORS_WATCHER, FLOWS_WATCHER, settleUnexplainedCloses } from './close-reasons';
import { flowWatchers } from './flows';
import type { SubscriptionEvent } from './lifecycle';

/**
 * The two halves of a close, `FlowUpdated` and the `FlowUpdatedExtension` that names its flow
 * operator, handed over by two watchers in either order: the close gets its reason once, from
 * whichever comes second, and tells the subscriber once.
 */

let tally: TestTally;
let operators: Watcher;
let flows: Watcher;
const announced: SubscriptionEvent[] = [];

beforeAll(async () => {
  tally = await testTally();
  const deps = {
    ...watchDeps({ ...tally.context, chain: watchedChain }),
    // Closes are what this file is about: the start each test's flow makes is told too, and left out.
    onSubscriptionEvent: async (_tx: unknown, event: SubscriptionEvent) =>
      void (event.type !== 'subscription.created' && announced.push(event)),
  };
  [operators, flows] = flowWatchers(watchedChain, deps) as [Watcher, Watcher];
});

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

/** The follower stores a log before it confirms it; handlers find each other's halves there. */
const store = (follower: string, log: FlowLog, state: 'seen' | 'confirmed') =>
  storeLog(tally.database.db, follower, log, state, tally.clock.now());

const logsOf = (args: Parameters<typeof flowLogs>[0]) => flowLogs(args, tally.clock.now());

const confirm = (watcher: Watcher, log: FlowLog) =>
  tally.database.db.transaction((tx) => watcher.onConfirmed(tx, log as never));

/** A subscription of a plan with a day of grace, started by a flow the watcher confirmed. */
async function subscription() {
  const producer = await signedInPerson(tally);
  const receiver = randomWallet();
  await ok(201, producer, 'POST', '/api/streams/producer', { name: 'Weather Co', payout_address: receiver });
  const plan = await ok(201, producer, 'POST', '/api/streams/producer/plans', {
    kind: 'stream',
    name: 'Forecasts',
    token: 'DAIx',
    price: '10000000000000000000',
    period: 'month',
    grace_seconds: 86_400,
  });
  const consumer = await signedInPerson(tally);
  const sender = randomWallet();
  const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
    subscriber_address: sender,
  });
  const flowRate = BigInt(checkout.flow_rate);
  const start = logsOf({
    sender,
    receiver,
    flowRate,
    userData: flowReference(checkout.id),
    operator: sender,
  });
  await store(FLOWS_WATCHER, start.flowUpdated, 'confirmed');
  await confirm(flows, start.flowUpdated);
  const [made] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
  expect(made.state).toBe('active');
  const deletion = (operator: string) => logsOf({ sender, receiver, flowRate: 0n, operator });
  const mine = async () => (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items[0];
  return { consumer, sender, id: made.id as string, deletion, mine };
}

const noticesOf = (userId: string) =>
  queryRows<{ type: string }>(
    tally.database.db,
    sql`SELECT type FROM core_notifications WHERE user_id = ${userId} ORDER BY created_at, id`,
  );

describe('the reason a subscription closed', () => {
  it('comes from the extension when the flow update was handled first', async () => {
    const { consumer, id, deletion, mine } = await subscription();
    const { flowUpdated, extension } = deletion(TALLY);
    await store(FLOWS_WATCHER, flowUpdated, 'confirmed');
    await confirm(flows, flowUpdated);
    expect(await mine()).toMatchObject({ state: 'closed', close_reason: null });
    expect(announced.filter((e) => e.subscriptionId === id)).toEqual([]);

    await store(FLOW_OPERATORS_WATCHER, extension, 'confirmed');
    await confirm(operators, extension);
    const closed = await mine();
    expect(closed).toMatchObject({ state: 'closed', close_reason: 'operator' });
    expect(closed.access_until).toBe(new Date(Date.parse(closed.closed_at) + 86_400_000).toISOString());
    // Confirmed again (another process, a replay): nothing more.
    await confirm(operators, extension);
    expect(announced.filter((e) => e.subscriptionId === id)).toEqual([
      { type: 'subscription.closed', subscriptionId: id, causeId: flowUpdated.id },
    ]);
    expect(await noticesOf(consumer.userId)).toEqual([{ type: 'streams.stream_closed' }]);
  });

  it('comes with the flow update when the extension was read first: a liquidator’s delete is a liquidation', async () => {
    const { consumer, id, deletion, mine } = await subscription();
    const { flowUpdated, extension } = deletion(randomWallet());
    await store(FLOW_OPERATORS_WATCHER, extension, 'confirmed');
    await confirm(operators, extension);
    expect((await mine()).state).toBe('active');

    await store(FLOWS_WATCHER, flowUpdated, 'confirmed');
    await confirm(flows, flowUpdated);
    const liquidated = await mine();
    expect(liquidated).toMatchObject({ state: 'liquidated', close_reason: 'liquidated' });
    expect(liquidated.access_until).toBe(liquidated.closed_at);
    expect(announced.filter((e) => e.subscriptionId === id)).toEqual([
      { type: 'subscription.liquidated', subscriptionId: id, causeId: flowUpdated.id },
    ]);
    expect(await noticesOf(consumer.userId)).toEqual([{ type: 'streams.stream_liquidated' }]);
  });

  it('is the subscriber’s when the subscriber deleted the flow, and tells nobody', async () => {
    const { consumer, sender, id, deletion, mine } = await subscription();
    const { flowUpdated, extension } = deletion(sender);
    await store(FLOW_OPERATORS_WATCHER, extension, 'seen');
    await store(FLOWS_WATCHER, flowUpdated, 'confirmed');
    await confirm(flows, flowUpdated);
    expect(await mine()).toMatchObject({ state: 'closed', close_reason: 'subscriber' });
    expect(announced.filter((e) => e.subscriptionId === id)).toEqual([
      { type: 'subscription.closed', subscriptionId: id, causeId: flowUpdated.id },
    ]);
    expect(await noticesOf(consumer.userId)).toEqual([]);
  });

  it('is found by the scan’s sweep when both halves were stored but neither handler saw the other', async () => {
    const { id, deletion, mine } = await subscription();
    const { flowUpdated, extension } = deletion(TALLY);
    await store(FLOWS_WATCHER, flowUpdated, 'confirmed');
    await confirm(flows, flowUpdated);
    await store(FLOW_OPERATORS_WATCHER, extension, 'confirmed');
    expect((await mine()).close_reason).toBeNull();
    const deps = {
      ...watchDeps({ ...tally.context, chain: watchedChain }),
      onSubscriptionEvent: async (_tx: unknown, event: SubscriptionEvent) =>
        void (event.type !== 'subscription.created' && announced.push(event)),
    };
    expect(await settleUnexplainedCloses(deps, CHAIN_ID)).toBe(1);
    expect(await settleUnexplainedCloses(deps, CHAIN_ID)).toBe(0);
    expect(await mine()).toMatchObject({ state: 'closed', close_reason: 'operator' });
    expect(announced.filter((e) => e.subscriptionId === id)).toHaveLength(1);
  });

  it('goes with the close when a reorg takes the deletion away: the subscription streams again', async () => {
    const { deletion, mine } = await subscription();
    const { flowUpdated, extension } = deletion(TALLY);
    await store(FLOW_OPERATORS_WATCHER, extension, 'confirmed');
    await store(FLOWS_WATCHER, flowUpdated, 'confirmed');
    await confirm(flows, flowUpdated);
    expect((await mine()).close_reason).toBe('operator');
    await tally.database.db.transaction((tx) => flows.onOrphaned(tx, flowUpdated as never));
    expect(await mine()).toMatchObject({
      state: 'active',
      close_reason: null,
      closed_at: null,
      access_until: null,
    });
  });
});
