import { and, eq } from 'drizzle-orm';
import { type Address, erc20Abi } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestTally } from '../../../test/support/app';
import { testTally } from '../../../test/support/app';
import { settleChain } from '../../../test/support/chain';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { devAccounts } from '../../chain/runtime';
import { cfaV1Abi } from '../../chain/superfluid/abi';
import { silentLogger } from '../../core/log';
import { type StreamsChain, startStreamsChain } from '../chain/test-fixtures';
import { streamsDeps } from '../line';
import { checkouts, plans, subscriptions } from '../schema';
import { usesOf } from '../usage/payments';
import { makeStreamsDemo } from './demo';
import { type DemoSubscribersDeps, type DemoSubscribersRun, demoSubscribersJob } from './subscribers';

let tally: TestTally;
let chain: StreamsChain;
let deps: DemoSubscribersDeps;

beforeAll(async () => {
  chain = await startStreamsChain();
  // Tally's clock at the chain's: checkouts and plans start now.
  tally = await testTally({ chain: chain.chain, start: new Date().toISOString() });
  deps = { ...streamsDeps(tally.context), log: silentLogger };
}, 120_000);

const accounts = devAccounts();
const address = (index: number) => accounts[index]!.address as Address;
const lower = (index: number) => address(index).toLowerCase();

/** Each demo plan's subscriptions: wallet, state, and uses bought for a usage plan. */
async function subscriptionsByPlan() {
  const rows = await tally.database.db
    .select({
      id: subscriptions.id,
      plan: plans.name,
      wallet: subscriptions.subscriberAddress,
      state: subscriptions.state,
    })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId));
  const uses = await usesOf(
    tally.database.db,
    rows.map((row) => row.id),
  );
  const byPlan: Record<string, [string, string, number][]> = {};
  for (const row of rows) {
    byPlan[row.plan] = [...(byPlan[row.plan] ?? []), [row.wallet, row.state, uses.get(row.id)?.bought ?? 0]];
  }
  for (const list of Object.values(byPlan)) list.sort();
  return byPlan;
}

async function usdcOf(index: number) {
  return chain.publicClient.readContract({
    address: chain.usdcx.underlying,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address(index)],
  });
}

async function moveUsdc(from: number, to: number, amount: bigint) {
  const hash = await chain.wallet(from).writeContract({
    address: chain.usdcx.underlying,
    abi: erc20Abi,
    functionName: 'transfer',
    args: [address(to), amount],
  });
  await chain.publicClient.waitForTransactionReceipt({ hash });
}

describe('the streams demo’s subscribers', () => {
  it('exist on the embedded chain only', () => {
    expect(demoSubscribersJob({ ...deps, chain: undefined })).toBeNull();
    const external = { ...chain.chain, settings: { ...chain.chain.settings, mode: 'external' } };
    expect(demoSubscribersJob({ ...deps, chain: external as typeof chain.chain })).toBeNull();
  });

  it('wait for the demo producers, then stream to the stream plans and buy uses; again, nothing', async () => {
    const job = demoSubscribersJob(deps)!;
    // Before `tally demo`: nobody to subscribe to.
    expect(await job()).toEqual({ started: [], failed: [] });

    await makeStreamsDemo(streamsDeps(tally.context));
    // Bruno's test USDC is elsewhere: his studio time fails, the rest goes through.
    const brunosUsdc = await usdcOf(4);
    await moveUsdc(4, 0, brunosUsdc);
    const first = await job();
    expect(first.started).toEqual([
      'Amara Okafor streams to "Forecast API" from development account 3',
      'Amara Okafor buys 200 uses of "Storm alerts" from development account 3',
      'Bruno Costa streams to "Forecast API" from development account 4',
      'Chen Wei streams to "Forecast API" from development account 5',
      'Chen Wei buys 40 uses of "Storm alerts" from development account 5',
    ]);
    expect(first.failed).toEqual([
      expect.stringMatching(/^Bruno Costa streams to "Studio time" from development account 4: .*too little/),
    ]);
    // Nothing of the failed checkout reached the chain: its slot is given back at once.
    const [studio] = await tally.database.db.select().from(plans).where(eq(plans.name, 'Studio time'));
    const studioCheckouts = await tally.database.db
      .select({ state: checkouts.state })
      .from(checkouts)
      .where(and(eq(checkouts.planId, studio!.id), eq(checkouts.subscriberAddress, lower(4))));
    expect(studioCheckouts).toEqual([{ state: 'cancelled' }]);

    // Before the follower has seen them, the reservations are left alone; the failure is tried again.
    const early = await job();
    expect(early.started).toEqual([]);
    expect(early.failed).toHaveLength(1);

    await settleChain(tally);
    expect(await subscriptionsByPlan()).toEqual({
      'Forecast API': [
        [lower(3), 'active', 0],
        [lower(4), 'active', 0],
        [lower(5), 'active', 0],
      ].sort(),
      'Storm alerts': [
        [lower(3), 'active', 200],
        [lower(5), 'active', 40],
      ].sort(),
    });

    // The USDC back: the next run starts the studio time.
    await moveUsdc(0, 4, brunosUsdc);
    expect(await job()).toEqual({
      started: ['Bruno Costa streams to "Studio time" from development account 4'],
      failed: [],
    });
    await settleChain(tally);
    expect((await subscriptionsByPlan())['Studio time']).toEqual([[lower(4), 'active', 0]]);
    const [, rate] = await chain.publicClient.readContract({
      address: chain.usdcx.cfa,
      abi: cfaV1Abi,
      functionName: 'getFlow',
      args: [chain.usdcx.superToken, address(4), address(9)],
    });
    expect(rate).toBe(studio!.flowRate);
    // Ten days of studio time wrapped ahead: far from the run-out scan's margin.
    const held = await chain.superBalance(chain.usdcx, address(4));
    expect(held).toBeGreaterThan(studio!.flowRate! * 9n * 86_400n);

    // Nobody takes the vesting plan; a run now changes nothing, on chain or off.
    const [spring] = await tally.database.db.select().from(plans).where(eq(plans.name, 'Spring season'));
    expect(await tally.database.db.select().from(checkouts).where(eq(checkouts.planId, spring!.id))).toEqual(
      [],
    );
    const before = await snapshotTables(tally.database.db);
    const block = await chain.publicClient.getBlockNumber();
    const again: DemoSubscribersRun = await job();
    expect(again).toEqual({ started: [], failed: [] });
    await expectUnchanged(tally.database.db, before);
    expect(await chain.publicClient.getBlockNumber()).toBe(block);
  });
});
