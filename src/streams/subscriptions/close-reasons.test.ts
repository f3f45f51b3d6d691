import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
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
import { chainEventId } from '../../chain/follower/events';
import type { Watcher } from '../../chain/follower/follower';
import type { ChainRuntime } from '../../chain/runtime';
import { events } from '../../chain/schema';
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

const wallet = () => `0x${randomBytes(20).toString('hex')}`;
const TALLY = '0x00000000000000000000000000000000000000a1';
const DAIX = '0x00000000000000000000000000000000000000d1';
const CFA = '0x00000000000000000000000000000000000000c1';
const CHAIN_ID = 31337;

/** Just what the watchers' handlers read of a chain: the tokens, Superfluid's presence, the treasury. */
const chain = {
  deployment: {
    chainId: CHAIN_ID,
    tokens: { DAIx: { symbol: 'DAIx', name: 'Super DAI', address: DAIX, decimals: 18, underlying: 'DAI' } },
    superfluid: { host: '0x00000000000000000000000000000000000000b1', cfaV1Forwarder: CFA },
  },
  treasury: { address: TALLY },
} as unknown as ChainRuntime;

beforeAll(async () => {
  tally = await testTally();
  const deps = {
    ...watchDeps({ ...tally.context, chain }),
    // Closes are what this file is about: the start each test's flow makes is told too, and left out.
    onSubscriptionEvent: async (_tx: unknown, event: SubscriptionEvent) =>
      void (event.type !== 'subscription.created' && announced.push(event)),
  };
  [operators, flows] = flowWatchers(chain, deps) as [Watcher, Watcher];
});

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

let block = 100n;

/** A flow's log and its extension's, as the follower would hand them over: same block, consecutive indexes. */
function logsOf(args: {
  sender: string;
  receiver: string;
  flowRate: bigint;
  userData?: Hex;
  operator: string;
}) {
  block++;
  const blockHash = `0x${block.toString(16).padStart(64, '0')}` as Hex;
  const common = {
    chainId: CHAIN_ID,
    blockNumber: block,
    blockHash,
    blockTimestamp: tally.clock.now(),
    transactionHash: `0x${randomBytes(32).toString('hex')}` as Hex,
    address: CFA as Hex,
  };
  const flowUpdated = {
    ...common,
    id: chainEventId(CHAIN_ID, blockHash, 4),
    logIndex: 4,
    eventName: 'FlowUpdated',
    args: {
      token: DAIX,
      sender: args.sender,
      receiver: args.receiver,
      flowRate: args.flowRate,
      totalSenderFlowRate: -args.flowRate,
      totalReceiverFlowRate: args.flowRate,
      userData: args.userData ?? '0x',
    },
  };
  const extension = {
    ...common,
    id: chainEventId(CHAIN_ID, blockHash, 5),
    logIndex: 5,
    eventName: 'FlowUpdatedExtension',
    args: { flowOperator: args.operator, deposit: 0n },
  };
  return { flowUpdated, extension };
}

type Log = ReturnType<typeof logsOf>['flowUpdated'] | ReturnType<typeof logsOf>['extension'];

/** The follower stores a log before it confirms it; handlers find each other's halves there. */
async function store(follower: string, log: Log, state: 'seen' | 'confirmed') {
  const args = Object.fromEntries(
    Object.entries(log.args).map(([key, value]) => [
      key,
      typeof value === 'bigint' ? value.toString() : value,
    ]),
  );
  await tally.database.db.insert(events).values({
    id: log.id,
    follower,
    chainId: log.chainId,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    blockTimestamp: log.blockTimestamp,
    transactionHash: log.transactionHash,
    logIndex: log.logIndex,
    address: log.address,
    eventName: log.eventName,
    args,
    state,
    createdAt: tally.clock.now(),
  });
}

const confirm = (watcher: Watcher, log: Log) =>
  tally.database.db.transaction((tx) => watcher.onConfirmed(tx, log as never));

/** A subscription of a plan with a day of grace, started by a flow the watcher confirmed. */
async function subscription() {
  const producer = await signedInPerson(tally);
  const receiver = wallet();
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
  const sender = wallet();
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
    const { flowUpdated, extension } = deletion(wallet());
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
      ...watchDeps({ ...tally.context, chain }),
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
