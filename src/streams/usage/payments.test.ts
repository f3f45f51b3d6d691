import { type Address, erc20Abi } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, read, request, signedInPerson, type TestTally } from '../../../test/support/app';
import { settleChain } from '../../../test/support/chain';
import { superTokenAbi } from '../../chain/superfluid/abi';
import { flowReference } from '../chain/flow-reference';
import type { StreamsChain } from '../chain/test-fixtures';
import { devAddress, streamsChainTally, type walletCheckouts } from '../checkouts/test-fixtures';

let tally: TestTally;
let chain: StreamsChain;
let helpers: ReturnType<typeof walletCheckouts>;

beforeAll(async () => {
  ({ chain, tally, helpers } = await streamsChainTally());
}, 120_000);

const address = devAddress;
/** 0.05 DAIx a use. */
const usagePrice = 50_000_000_000_000_000n;

async function usagePlan(payout: number) {
  const producer = await signedInPerson(tally);
  await helpers.ok(201, producer, 'POST', '/api/streams/producer', {
    name: 'Map tiles',
    payout_address: address(payout),
  });
  const plan = await helpers.ok(201, producer, 'POST', '/api/streams/producer/plans', {
    kind: 'usage',
    name: 'Tile pack',
    token: 'DAIx',
    usage_price: usagePrice.toString(),
    min_usage: 10,
    max_usage: 1000,
  });
  return { producer, plan };
}

describe('a usage plan paid on chain', () => {
  it('buys uses in one permit and one transaction, which the producer’s service spends and the wallet tops up', async () => {
    const { producer, plan } = await usagePlan(1);
    const consumer = await signedInPerson(tally);
    const before = await chain.superBalance(chain.daix, address(1));
    const { checkout, steps, prompts } = await helpers.checkOut(consumer, plan.id, 2, address(2), {
      uses: 50,
    });
    expect(steps.steps).toEqual([
      { kind: 'approve', done: false },
      { kind: 'wrap', done: false },
      { kind: 'pay', done: false },
    ]);
    expect(steps.buffer).toBe('0');
    expect(prompts).toBe(2);
    expect(checkout.state).toBe('completed');
    // The producer got exactly the uses' price.
    expect((await chain.superBalance(chain.daix, address(1))) - before).toBe(50n * usagePrice);

    const access = (wallet: Address) =>
      helpers.ok(200, producer, 'GET', `/api/streams/plans/${plan.id}/access?wallet=${wallet}`);
    expect(await access(address(2))).toMatchObject({
      holds: true,
      uses: { bought: 50, used: 0, left: 50 },
    });
    const report = (uses: number, key: string) =>
      request(tally, 'POST', `/api/streams/plans/${plan.id}/usage`, {
        as: producer,
        body: { wallet: address(2), uses, key },
      });
    expect((await read(await report(30, 'a'))).uses).toEqual({ bought: 50, used: 30, left: 20 });
    const over = await report(30, 'b');
    expect(over.status).toBe(409);
    expect((await read(over)).error).toMatchObject({
      code: 'uses_exhausted',
      details: { bought: 50, used: 30, left: 20 },
    });

    // More uses, bought by the same wallet, add to the same subscription.
    await helpers.checkOut(consumer, plan.id, 2, address(2), { uses: 20 });
    expect((await access(address(2))).uses).toEqual({ bought: 70, used: 30, left: 40 });
    expect((await read(await report(40, 'b'))).uses).toEqual({ bought: 70, used: 70, left: 0 });
    expect(await access(address(2))).toMatchObject({ holds: false, uses: { left: 0 } });
    const { items } = await helpers.ok(200, consumer, 'GET', '/api/streams/subscriptions');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      plan: { id: plan.id },
      state: 'active',
      flow_rate: null,
      uses: { bought: 70, used: 70, left: 0 },
    });
  });

  it('a send of another amount than the checkout’s buys nothing, and the checkout waits', async () => {
    const { producer, plan } = await usagePlan(3);
    const consumer = await signedInPerson(tally);
    const checkout: Body = await helpers.ok(
      201,
      consumer,
      'POST',
      `/api/streams/plans/${plan.id}/checkouts`,
      {
        subscriber_address: address(4),
        uses: 10,
      },
    );
    // The wallet wraps a little DAI itself and sends one use's price instead of ten.
    const wallet = chain.wallet(4);
    const wait = async (hash: `0x${string}`) => chain.publicClient.waitForTransactionReceipt({ hash });
    const oneDai = 10n ** 18n;
    await wait(
      await wallet.writeContract({
        address: chain.daix.underlying,
        abi: erc20Abi,
        functionName: 'approve',
        args: [chain.daix.superToken, oneDai],
      }),
    );
    await wait(
      await wallet.writeContract({
        address: chain.daix.superToken,
        abi: superTokenAbi,
        functionName: 'upgrade',
        args: [oneDai],
      }),
    );
    await wait(
      await wallet.writeContract({
        address: chain.daix.superToken,
        abi: superTokenAbi,
        functionName: 'send',
        args: [address(3), usagePrice, flowReference(checkout.id)],
      }),
    );
    await settleChain(tally);
    const access = () =>
      helpers.ok(200, producer, 'GET', `/api/streams/plans/${plan.id}/access?wallet=${address(4)}`);
    expect(await access()).toMatchObject({ holds: false, subscription: null, uses: null });
    expect((await helpers.ok(200, consumer, 'GET', `/api/streams/checkouts/${checkout.id}`)).state).toBe(
      'reserved',
    );

    // The checkout's own steps then pay it.
    const steps = await helpers.ok(
      200,
      consumer,
      'POST',
      `/api/streams/checkouts/${checkout.id}/wallet-steps`,
      {},
    );
    await helpers.followPrompts(consumer, checkout.id, 4, steps);
    expect((await access()).uses).toEqual({ bought: 10, used: 0, left: 10 });
  });

  it('is wrapped on top of what the wallet’s running stream lives on, not taken from it', async () => {
    const { producer, plan } = await usagePlan(5);
    const stream = await helpers.ok(201, producer, 'POST', '/api/streams/producer/plans', {
      kind: 'stream',
      name: 'Live map',
      token: 'DAIx',
      price: '10000000000000000000',
      period: 'month',
    });
    const consumer = await signedInPerson(tally);
    await helpers.checkOut(consumer, stream.id, 6, address(6));
    const checkout = await helpers.ok(201, consumer, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
      subscriber_address: address(6),
      uses: 100,
    });
    const steps = await helpers.ok(
      200,
      consumer,
      'POST',
      `/api/streams/checkouts/${checkout.id}/wallet-steps`,
      {},
    );
    // The stream's prepaid month stays: the whole payment is wrapped, and the balance still lasts it.
    expect(BigInt(steps.wrap_amount)).toBeGreaterThanOrEqual(BigInt(checkout.amount));
    expect(BigInt(steps.lasts_seconds)).toBeGreaterThan(29n * 86_400n);
    await helpers.followPrompts(consumer, checkout.id, 6, steps);
    const access = await helpers.ok(
      200,
      producer,
      'GET',
      `/api/streams/plans/${plan.id}/access?wallet=${address(6)}`,
    );
    expect(access.uses).toEqual({ bought: 100, used: 0, left: 100 });
  });
});
