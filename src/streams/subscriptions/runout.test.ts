import { sql } from 'drizzle-orm';
import { type Address, createPublicClient, custom, encodeFunctionData, erc20Abi, http, parseAbi } from 'viem';
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
import type { ChainRuntime } from '../../chain/runtime';
import { devAccounts } from '../../chain/runtime';
import { cfaV1Abi, hostCallAbi, superTokenAbi } from '../../chain/superfluid/abi';
import { queryRows } from '../../core/database';
import { bufferFor, readFlowTerms, readStreamPosition, runOutOf } from '../chain/buffer';
import { sendCall } from '../chain/call';
import { executeCheckout, planCheckout } from '../chain/checkout';
import { type StreamsChain, startStreamsChain } from '../chain/test-fixtures';
import { watchDeps } from '../line';
import type { SubscriptionEvent } from './lifecycle';
import { devLiquidator } from './liquidator';
import { CLOSE_FLOW_PURPOSE } from './operator-close';
import { type RunOutDeps, type RunOutSettings, scanRunOuts } from './runout';

let tally: TestTally;
let chain: StreamsChain;

const DAY = 86_400n;
const HOUR = 3_600n;

beforeAll(async () => {
  chain = await startStreamsChain();
  const head = await chain.publicClient.getBlock();
  // Tally's clock starts at the chain's time; every step below moves both together.
  tally = await testTally({
    chain: chain.chain,
    start: new Date(Number(head.timestamp) * 1000).toISOString(),
  });
}, 120_000);

const accounts = devAccounts();
const address = (index: number) => accounts[index]!.address as Address;

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

/** Mines a block at `second` and sets Tally's clock to it. */
async function moveTo(second: bigint, on: TestTally = tally): Promise<void> {
  await chain.mineAt(second);
  on.clock.set(new Date(Number(second) * 1000));
}

function deps(
  options: {
    on?: TestTally;
    settings?: Partial<RunOutSettings>;
    events?: SubscriptionEvent[];
    runtime?: ChainRuntime;
  } = {},
): RunOutDeps {
  const on = options.on ?? tally;
  const runtime = options.runtime ?? chain.chain;
  const events = options.events;
  return {
    ...watchDeps({ ...on.context, chain: runtime }),
    ...(events ? { onSubscriptionEvent: async (_tx, event) => void events.push(event) } : {}),
    chain: runtime,
    settings: {
      scanIntervalMs: 60_000,
      // Every wallet read at every scan, unless a test says otherwise.
      fullReadSeconds: 0,
      closeMarginSeconds: 3_600,
      maxReadLagSeconds: null,
      accountsPerCall: 250,
      ...options.settings,
    },
  };
}

/** A producer paid at development account `payout`, with a plan of 10 DAI a month and `grace` seconds of grace. */
async function monthlyPlan(payout: number, grace: number) {
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
    grace_seconds: grace,
  });
  return { person, plan };
}

/** Development account `wallet` checks the plan out: approve, wrap what `prepaidSeconds` need, flow, operator. */
async function subscribe(planId: string, wallet: number, receiver: number, prepaidSeconds: bigint) {
  const consumer = await signedInPerson(tally);
  const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${planId}/checkouts`, {
    subscriber_address: address(wallet),
  });
  const plan = await planCheckout(chain.publicClient, chain.daix, {
    subscriber: address(wallet),
    receiver: address(receiver),
    flowRate: BigInt(checkout.flow_rate),
    operator: chain.chain.treasury.address,
    checkoutId: checkout.id,
    prepaidSeconds,
  });
  expect(plan.steps.map((step) => step.kind)).toContain('wrap');
  await executeCheckout(chain.publicClient, chain.wallet(wallet), plan);
  await settleChain(tally);
  const [subscription] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
  expect(subscription.state).toBe('active');
  return { consumer, subscription, flowRate: BigInt(checkout.flow_rate) };
}

async function mailsTo(email: string) {
  return queryRows<{ subject: string; text: string }>(
    tally.database.db,
    sql`SELECT subject, text FROM core_mail_messages WHERE to_address = ${email} ORDER BY created_at, id`,
  );
}

async function notificationsOf(userId: string) {
  return queryRows<{ type: string; title: string }>(
    tally.database.db,
    sql`SELECT type, title FROM core_notifications WHERE user_id = ${userId} ORDER BY created_at, id`,
  );
}

const criticalOf = async (wallet: number) =>
  runOutOf(await readStreamPosition(chain.publicClient, chain.daix, address(wallet))).criticalAt!;

describe('watching a subscription on the embedded chain', () => {
  it('streams to the producer exactly, warns 7 days and 24 hours ahead once each, and closes the flow before it turns critical', async () => {
    const { person: producer, plan } = await monthlyPlan(1, 3 * 86_400);
    const prepaid = 10n * DAY;
    const { consumer, subscription, flowRate } = await subscribe(plan.id, 2, 1, prepaid);
    const startedAt = BigInt(Date.parse(subscription.started_at) / 1000);
    const terms = await readFlowTerms(chain.publicClient, chain.daix);
    const buffer = bufferFor(flowRate, terms);
    const held = buffer + flowRate * prepaid;
    const criticalAt = await criticalOf(2);
    // The wallet wrapped the buffer and ten days: it turns critical ten days after the flow began.
    expect(criticalAt).toBe(startedAt + prepaid + 1n);

    const events: SubscriptionEvent[] = [];
    const scanned = await scanRunOuts(deps({ events }));
    expect(scanned).toMatchObject({ accounts: 1, read: 1, atRisk: 0, warned7d: 0, closesQueued: 0 });
    let [mine] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(mine).toMatchObject({
      state: 'active',
      runs_out_at: new Date(Number(criticalAt) * 1000).toISOString(),
      warned_7d_at: null,
      closing: false,
      access_until: null,
    });

    // Four days on: the producer holds exactly what four days streamed; the run-out is 6 days off.
    await moveTo(startedAt + 4n * DAY);
    expect(await chain.superBalance(chain.daix, address(1))).toBe(flowRate * 4n * DAY);
    expect(await scanRunOuts(deps({ events }))).toMatchObject({ atRisk: 1, warned7d: 1, warned24h: 0 });
    expect(events).toEqual([
      {
        type: 'subscription.at_risk',
        subscriptionId: subscription.id,
        causeId: `runs_out:DAIx:${address(2).toLowerCase()}:${criticalAt}`,
      },
    ]);
    [mine] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(mine.state).toBe('at_risk');
    expect(mine.warned_7d_at).toBe(tally.clock.now().toISOString());
    expect((await mailsTo(consumer.email)).map((mail) => mail.subject)).toEqual([
      'Your DAIx balance runs out in 6 days',
    ]);
    expect(await notificationsOf(consumer.userId)).toEqual([
      { type: 'streams.runs_out_soon', title: 'Your DAIx balance runs out in 6 days' },
    ]);

    // Scanned again, and after a restart: no second warning.
    await moveTo(startedAt + 5n * DAY);
    expect(await scanRunOuts(deps({ events }))).toMatchObject({ atRisk: 0, warned7d: 0, warned24h: 0 });
    const restarted = await tally.restart();
    expect(await scanRunOuts(deps({ on: restarted, events }))).toMatchObject({ warned7d: 0, warned24h: 0 });
    expect(await mailsTo(consumer.email)).toHaveLength(1);
    expect(events).toHaveLength(1);

    // 20 hours before: the second warning.
    await moveTo(criticalAt - 20n * HOUR);
    expect(await scanRunOuts(deps({ events }))).toMatchObject({ warned7d: 0, warned24h: 1, closesQueued: 0 });
    const warnings = await mailsTo(consumer.email);
    expect(warnings.map((mail) => mail.subject)).toEqual([
      'Your DAIx balance runs out in 6 days',
      'Your DAIx balance runs out in 20 hours',
    ]);
    expect(warnings[1]!.text).toContain(address(2).toLowerCase());
    expect(warnings[1]!.text).toContain('Forecasts (Weather Co)');

    // 30 minutes before, inside the hour's margin: one close of the flow, however often scanned.
    await moveTo(criticalAt - 30n * 60n);
    expect(await scanRunOuts(deps({ events }))).toMatchObject({ closesQueued: 1, closesRefused: 0 });
    expect(await scanRunOuts(deps({ on: await tally.restart(), events }))).toMatchObject({ closesQueued: 0 });
    const queued = await queryRows<{ id: string; state: string }>(
      tally.database.db,
      sql`SELECT id, state FROM chain_outgoing_transactions WHERE purpose = ${CLOSE_FLOW_PURPOSE}`,
    );
    expect(queued).toHaveLength(1);
    [mine] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(mine).toMatchObject({ state: 'at_risk', closing: true });

    // The sender sends it, the follower reads the deletion and its flow operator: Tally's.
    await settleChain(tally);
    [mine] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(mine).toMatchObject({ state: 'closed', close_reason: 'operator', closing: false });
    const closedAt = BigInt(Date.parse(mine.closed_at) / 1000);
    expect(closedAt).toBeLessThan(criticalAt);
    expect(mine.access_until).toBe(new Date(Number(closedAt + 3n * DAY) * 1000).toISOString());
    const [theirs] = (await ok(200, producer, 'GET', '/api/streams/producer/subscriptions')).items;
    expect(theirs).toMatchObject({
      id: subscription.id,
      close_reason: 'operator',
      access_until: mine.access_until,
    });

    // Closed before critical: the whole buffer is back, the producer has every second until the close.
    const streamed = flowRate * (closedAt - startedAt);
    expect(await chain.superBalance(chain.daix, address(1))).toBe(streamed);
    const position = await readStreamPosition(chain.publicClient, chain.daix, address(2));
    expect(position).toMatchObject({ availableBalance: held - streamed, deposit: 0n, netFlowRate: 0n });
    expect(held - streamed).toBeGreaterThan(buffer - flowRate);

    const closing = (await mailsTo(consumer.email)).at(-1)!;
    expect(closing.subject).toBe('Tally closed your DAIx stream before its balance ran out');
    expect(closing.text).toContain('returned the whole buffer');
    expect(closing.text).toContain(
      `Forecasts: until ${new Date(Number(closedAt + 3n * DAY) * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    );
    expect(closing.text).toContain('subscribe again');
    expect((await notificationsOf(consumer.userId)).map((n) => n.type)).toEqual([
      'streams.runs_out_soon',
      'streams.runs_out_soon',
      'streams.stream_closed',
    ]);
    // Closed: the next scans read nothing of it.
    expect(await scanRunOuts(deps())).toMatchObject({ accounts: 0 });
  }, 120_000);
});

/** Development account `wallet` wraps `amount` more DAI into DAIx: a top-up. */
async function topUp(wallet: number, amount: bigint) {
  const client = chain.wallet(wallet);
  for (const call of [
    {
      address: chain.daix.underlying,
      abi: erc20Abi,
      functionName: 'approve',
      args: [chain.daix.superToken, amount],
    },
    { address: chain.daix.superToken, abi: superTokenAbi, functionName: 'upgrade', args: [amount] },
  ] as const) {
    const hash = await client.writeContract(call as Parameters<typeof client.writeContract>[0]);
    expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
  }
}

/** The chain's runtime with a node that refuses the `eth_call`s `refuses` picks, and answers the rest. */
function refusingRuntime(refuses: (data: string) => boolean): ChainRuntime {
  const node = http(chain.chain.client.rpcUrl)({ chain: chain.chain.client.chain, retryCount: 0 });
  const publicClient = createPublicClient({
    chain: chain.chain.client.chain,
    cacheTime: 0,
    transport: custom({
      async request({ method, params }) {
        const [call] = (params ?? []) as [{ data?: string }];
        if (method === 'eth_call' && refuses(call?.data ?? '')) throw new Error('the node refused the call');
        return node.request({ method, params } as Parameters<typeof node.request>[0]);
      },
    }),
  });
  return { ...chain.chain, client: { ...chain.chain.client, publicClient } };
}

describe('a run-out scan', () => {
  it('sets a topped-up wallet back to active, re-arms its warnings, and warns again when it runs low again', async () => {
    const { plan } = await monthlyPlan(4, 0);
    const { consumer, subscription, flowRate } = await subscribe(plan.id, 3, 4, 2n * DAY);
    expect(await scanRunOuts(deps())).toMatchObject({ atRisk: 1, warned7d: 1 });

    await topUp(3, flowRate * 10n * DAY);
    const criticalAt = await criticalOf(3);
    tally.clock.set(new Date(Number((await chain.publicClient.getBlock()).timestamp) * 1000));
    expect(await scanRunOuts(deps())).toMatchObject({ active: 1, atRisk: 0 });
    let [mine] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(mine).toMatchObject({
      id: subscription.id,
      state: 'active',
      warned_7d_at: null,
      warned_24h_at: null,
      runs_out_at: new Date(Number(criticalAt) * 1000).toISOString(),
    });

    await moveTo(criticalAt - 12n * HOUR);
    expect(await scanRunOuts(deps())).toMatchObject({ atRisk: 1, warned24h: 1 });
    [mine] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(mine.state).toBe('at_risk');
    expect(mine.warned_7d_at).toBe(mine.warned_24h_at);
    expect((await mailsTo(consumer.email)).map((mail) => mail.subject)).toEqual([
      'Your DAIx balance runs out in 1 day 23 hours',
      'Your DAIx balance runs out in 12 hours',
    ]);
    // Tally would close within the hour before; the subscriber tops up instead.
    await topUp(3, flowRate * 30n * DAY);
    tally.clock.set(new Date(Number((await chain.publicClient.getBlock()).timestamp) * 1000));
    expect(await scanRunOuts(deps())).toMatchObject({ active: 1, closesQueued: 0 });
  }, 120_000);

  it('changes nothing for a wallet whose read failed or for a read of a block behind the clock, and never closes on one', async () => {
    const { plan } = await monthlyPlan(8, 0);
    const { consumer } = await subscribe(plan.id, 7, 8, 2n * HOUR);
    const criticalAt = await criticalOf(7);
    await moveTo(criticalAt - 30n * 60n);
    const before = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items[0];

    // The node refuses every read of wallet 7 (one wallet an eth_call): the wallet stays as it was.
    const wallet7 = address(7).slice(2).toLowerCase();
    const refusing = refusingRuntime((data) => data.toLowerCase().includes(wallet7));
    const refused = await scanRunOuts(deps({ runtime: refusing, settings: { accountsPerCall: 1 } }));
    expect(refused.accounts).toBeGreaterThanOrEqual(1);
    expect(refused.read).toBe(refused.accounts - 1);
    expect(refused).toMatchObject({ atRisk: 0, warned24h: 0, closesQueued: 0 });
    // A node that refuses every call: nothing read, nothing changed.
    const down = await scanRunOuts(deps({ runtime: refusingRuntime(() => true) }));
    expect(down).toMatchObject({ read: 0, closesQueued: 0 });

    // A backend an hour behind the clock (a configured chain's lag limit): stale, nothing changes.
    tally.clock.set(new Date(tally.clock.now().getTime() + 3_600_000));
    const stale = await scanRunOuts(deps({ settings: { maxReadLagSeconds: 120 } }));
    expect(stale).toMatchObject({ stale: true, atRisk: 0, warned24h: 0, closesQueued: 0 });
    expect((await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items[0]).toEqual(before);
    expect(await mailsTo(consumer.email)).toEqual([]);

    // Read again by a node that answers, in time: warned, and closed before it turns critical.
    tally.clock.set(new Date(Number(criticalAt - 30n * 60n) * 1000));
    expect(await scanRunOuts(deps())).toMatchObject({ atRisk: 1, warned24h: 1, closesQueued: 1 });
  }, 120_000);

  it('leaves a critical wallet to the liquidator, which on the embedded chain deletes its flow: liquidated, with no grace', async () => {
    const { person: producer, plan } = await monthlyPlan(6, 86_400);
    const { consumer, subscription } = await subscribe(plan.id, 5, 6, 2n * HOUR);
    const criticalAt = await criticalOf(5);
    await moveTo(criticalAt + 60n);
    // Critical already: Tally's delete would be a liquidation paying the treasury, so it does not close.
    expect(await scanRunOuts(deps())).toMatchObject({ warned24h: 1, closesQueued: 0 });
    expect((await mailsTo(consumer.email)).map((mail) => mail.subject)).toEqual([
      'Your DAIx balance has run out',
    ]);

    const liquidator = devLiquidator(deps())!;
    expect(await liquidator.liquidateCriticalFlows()).toEqual({ liquidated: 1, refused: 0 });
    await settleChain(tally);
    const [mine] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(mine).toMatchObject({ id: subscription.id, state: 'liquidated', close_reason: 'liquidated' });
    expect(mine.access_until).toBe(mine.closed_at);
    const [row] = await queryRows<{ closed_by: string }>(
      tally.database.db,
      sql`SELECT closed_by FROM streams_subscriptions WHERE id = ${subscription.id}`,
    );
    expect(row!.closed_by).toBe(liquidator.address.toLowerCase());
    expect((await mailsTo(consumer.email)).at(-1)!.subject).toBe('Your DAIx stream was liquidated');
    // The Access API agrees: a liquidation earns no grace, though the plan gives a day after a close.
    const access = await ok(
      200,
      producer,
      'GET',
      `/api/streams/plans/${plan.id}/access?wallet=${address(5)}`,
    );
    expect(access.holds).toBe(false);
    expect(await liquidator.liquidateCriticalFlows()).toEqual({ liquidated: 0, refused: 0 });
  }, 120_000);

  it('queues the close again, as a new transaction, when the first one failed on chain', async () => {
    const { plan } = await monthlyPlan(0, 0);
    const { consumer, subscription } = await subscribe(plan.id, 9, 0, 2n * HOUR);
    const criticalAt = await criticalOf(9);
    await moveTo(criticalAt - 40n * 60n);
    expect(await scanRunOuts(deps())).toMatchObject({ closesQueued: 1 });

    // The subscriber takes Tally's permission back before the close is mined: it reverts.
    const operatorCall = (data: `0x${string}`) => ({
      to: chain.daix.host,
      data: encodeFunctionData({
        abi: hostCallAbi,
        functionName: 'callAgreement',
        args: [chain.daix.cfa, data, '0x'],
      }),
    });
    const revoke = parseAbi([
      'function revokeFlowOperatorWithFullControl(address token, address flowOperator, bytes ctx)',
    ]);
    await sendCall(
      chain.publicClient,
      chain.wallet(9),
      operatorCall(
        encodeFunctionData({
          abi: revoke,
          functionName: 'revokeFlowOperatorWithFullControl',
          args: [chain.daix.superToken, chain.chain.treasury.address, '0x'],
        }),
      ),
    );
    await settleChain(tally);
    expect((await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items[0]).toMatchObject({
      state: 'at_risk',
      closing: false,
    });
    // Without the permission the close is refused before anything is queued.
    expect(await scanRunOuts(deps())).toMatchObject({ closesQueued: 0, closesRefused: 1 });

    // Granted again: a second attempt, under a key of its own.
    await sendCall(
      chain.publicClient,
      chain.wallet(9),
      operatorCall(
        encodeFunctionData({
          abi: cfaV1Abi,
          functionName: 'authorizeFlowOperatorWithFullControl',
          args: [chain.daix.superToken, chain.chain.treasury.address, '0x'],
        }),
      ),
    );
    expect(await scanRunOuts(deps())).toMatchObject({ closesQueued: 1 });
    await settleChain(tally);
    const closes = await queryRows<{ state: string; idempotency_key: string }>(
      tally.database.db,
      sql`SELECT state, idempotency_key FROM chain_outgoing_transactions
          WHERE purpose = ${CLOSE_FLOW_PURPOSE} AND metadata->>'sender' = ${address(9).toLowerCase()} ORDER BY nonce`,
    );
    expect(closes).toEqual([
      { state: 'reverted', idempotency_key: `${CLOSE_FLOW_PURPOSE}:${subscription.id}:1` },
      { state: 'confirmed', idempotency_key: `${CLOSE_FLOW_PURPOSE}:${subscription.id}:2` },
    ]);
    expect((await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items[0]).toMatchObject({
      state: 'closed',
      close_reason: 'operator',
    });
  }, 120_000);

  it('reads a wallet far from running out once every full-read period, and one at risk at every scan', async () => {
    // Left streaming by the top-up test: wallet 3 runs out more than 30 days from now.
    const settings = { fullReadSeconds: 600 };
    const all = await scanRunOuts(deps());
    expect(all).toMatchObject({ accounts: 1, due: 1, read: 1 });
    expect(await scanRunOuts(deps({ settings }))).toMatchObject({ accounts: 1, due: 0, read: 0 });
    // Ten minutes and a second after that read, by whichever of the clock and the chain is ahead.
    const head = (await chain.publicClient.getBlock()).timestamp;
    const clock = BigInt(Math.floor(tally.clock.now().getTime() / 1000));
    await moveTo((clock > head ? clock : head) + 601n);
    expect(await scanRunOuts(deps({ settings }))).toMatchObject({ due: 1, read: 1 });
  }, 120_000);

  it('has no liquidator on a configured chain', () => {
    const configured = {
      ...chain.chain,
      settings: { ...chain.chain.settings, mode: 'external' },
    } as unknown as ChainRuntime;
    expect(devLiquidator(deps({ runtime: configured }))).toBeNull();
    expect(
      devLiquidator(deps({ runtime: { ...chain.chain, client: { ...chain.chain.client, dev: false } } })),
    ).toBeNull();
  });
});
