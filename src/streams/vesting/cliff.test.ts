import { sql } from 'drizzle-orm';
import { erc20Abi } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInPerson, type TestTally } from '../../../test/support/app';
import { settleChain } from '../../../test/support/chain';
import { queryRows } from '../../core/database';
import { silentLogger } from '../../core/log';
import type { StreamsChain } from '../chain/test-fixtures';
import { devAddress, streamsChainTally, type walletCheckouts } from '../checkouts/test-fixtures';
import { watchDeps } from '../line';
import { startDueVestings } from './cliff';

let tally: TestTally;
let chain: StreamsChain;
let helpers: ReturnType<typeof walletCheckouts>;

beforeAll(async () => {
  ({ chain, tally, helpers } = await streamsChainTally());
}, 120_000);

const address = devAddress;
const cliffDeps = () => ({
  db: tally.database.db,
  clock: tally.clock,
  log: silentLogger,
  chain: chain.chain,
  notifier: watchDeps({ ...tally.context, chain: chain.chain }).notifier,
});
const noticesOf = (userId: string) =>
  queryRows<{ type: string; title: string; link: string }>(
    tally.database.db,
    sql`SELECT type, title, link FROM core_notifications WHERE user_id = ${userId} ORDER BY created_at, id`,
  );
const WEEK_MS = 7 * 86_400_000;

describe('a vesting plan at its cliff', () => {
  it('pays the start amount and opens the flow as Tally’s operator, once, and nothing flows before', async () => {
    const producer = await signedInPerson(tally);
    await helpers.ok(201, producer, 'POST', '/api/streams/producer', {
      name: 'Launch Co',
      payout_address: address(1),
    });
    const cliff = new Date(tally.clock.now().getTime() + WEEK_MS);
    const startAmount = 5n * 10n ** 18n;
    const plan = await helpers.ok(201, producer, 'POST', '/api/streams/producer/plans', {
      kind: 'vesting',
      name: 'Season pass',
      token: 'DAIx',
      price: (10n * 10n ** 18n).toString(),
      period: 'month',
      cliff_at: cliff.toISOString(),
      start_amount: startAmount.toString(),
    });
    const consumer = await signedInPerson(tally);
    const deps = cliffDeps();

    const { checkout, steps, prompts } = await helpers.checkOut(consumer, plan.id, 2, address(2));
    expect(steps.steps).toEqual([
      { kind: 'approve', done: false },
      { kind: 'wrap', done: false },
      { kind: 'approve_start', done: false },
      { kind: 'authorize_operator', done: false },
    ]);
    expect(prompts).toBe(2);
    // The slot is held until the cliff (and a day after), and nothing streams yet.
    expect(checkout.state).toBe('reserved');
    expect(new Date(checkout.expires_at).getTime()).toBeGreaterThan(cliff.getTime());
    expect(await startDueVestings(deps)).toBe(0);
    expect((await helpers.ok(200, consumer, 'GET', '/api/streams/subscriptions')).items).toEqual([]);

    // The cliff: Tally's clock and the chain's pass it.
    tally.clock.advance(WEEK_MS + 60_000);
    await chain.mineAt(BigInt(Math.floor(tally.clock.now().getTime() / 1000)));
    const before = await chain.superBalance(chain.daix, address(1));
    expect(await startDueVestings(deps)).toBe(1);
    expect(await startDueVestings(deps)).toBe(0);
    await settleChain(tally);

    const [subscription] = (await helpers.ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(subscription).toMatchObject({
      plan: { id: plan.id },
      state: 'active',
      flow_rate: plan.stream.flow_rate,
    });
    expect((await helpers.ok(200, consumer, 'GET', `/api/streams/checkouts/${checkout.id}`)).state).toBe(
      'completed',
    );
    // The producer got the start amount, and the stream has just begun (a few seconds of it at most).
    const received = (await chain.superBalance(chain.daix, address(1))) - before;
    expect(received).toBeGreaterThanOrEqual(startAmount);
    expect(received - startAmount).toBeLessThan(BigInt(plan.stream.flow_rate) * 120n);
    expect(await startDueVestings(deps)).toBe(0);
    expect(await noticesOf(consumer.userId)).toEqual([]);
  });

  it('does not start a checkout whose wallet never did its steps', async () => {
    const producer = await signedInPerson(tally);
    await helpers.ok(201, producer, 'POST', '/api/streams/producer', {
      name: 'Later Co',
      payout_address: address(3),
    });
    const cliff = new Date(tally.clock.now().getTime() + 60_000);
    const plan = await helpers.ok(201, producer, 'POST', '/api/streams/producer/plans', {
      kind: 'vesting',
      name: 'Soon',
      token: 'DAIx',
      price: (10n * 10n ** 18n).toString(),
      period: 'month',
      cliff_at: cliff.toISOString(),
      start_amount: (10n ** 18n).toString(),
    });
    const consumer = await signedInPerson(tally);
    await helpers.ok(201, consumer, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
      subscriber_address: address(4),
    });
    tally.clock.advance(120_000);
    await chain.mineAt(BigInt(Math.floor(tally.clock.now().getTime() / 1000)));
    const deps = cliffDeps();
    expect(await startDueVestings(deps)).toBe(0);
    expect(await startDueVestings(deps)).toBe(0);
    // Told once, while the place is still held, what to put right and where.
    expect(await noticesOf(consumer.userId)).toEqual([
      {
        type: 'streams.vesting_not_started',
        title: 'Your vesting plan Soon could not start at its cliff date',
        link: `/streams/plans/${plan.id}/checkout`,
      },
    ]);
  });

  it('opens both of a wallet’s vesting plans in one token: both start amounts are allowed and wrapped', async () => {
    const cliff = new Date(tally.clock.now().getTime() + WEEK_MS);
    const vesting = async (payout: number, startAmount: bigint) => {
      const producer = await signedInPerson(tally);
      await helpers.ok(201, producer, 'POST', '/api/streams/producer', {
        name: `Launch Co ${payout}`,
        payout_address: address(payout),
      });
      return helpers.ok(201, producer, 'POST', '/api/streams/producer/plans', {
        kind: 'vesting',
        name: 'Season pass',
        token: 'DAIx',
        // A period and a deposit of next to nothing: the start amounts are what the balance holds.
        price: (10n ** 15n).toString(),
        period: 'month',
        cliff_at: cliff.toISOString(),
        start_amount: startAmount.toString(),
      });
    };
    // Either order left one cliff without its allowance (a smaller second plan skipped its approve,
    // a larger one replaced the first's), and the second wrapped on the first's start amount.
    const first = await vesting(6, 3n * 10n ** 18n);
    const second = await vesting(7, 5n * 10n ** 18n);
    const consumer = await signedInPerson(tally);
    await helpers.checkOut(consumer, first.id, 5, address(5));
    await helpers.checkOut(consumer, second.id, 5, address(5));
    expect(
      await chain.publicClient.readContract({
        address: chain.daix.superToken,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [address(5), chain.chain.treasury.address],
      }),
    ).toBe(8n * 10n ** 18n);

    tally.clock.advance(WEEK_MS + 60_000);
    await chain.mineAt(BigInt(Math.floor(tally.clock.now().getTime() / 1000)));
    const deps = cliffDeps();
    expect(await startDueVestings(deps)).toBe(2);
    await settleChain(tally);
    const opened = (await helpers.ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    expect(opened.map((s: { plan: { id: string }; state: string }) => [s.plan.id, s.state]).sort()).toEqual(
      [
        [first.id, 'active'],
        [second.id, 'active'],
      ].sort(),
    );
  });
});
