import {
  type Address,
  createPublicClient,
  custom,
  encodeFunctionData,
  getAddress,
  type Hex,
  http,
  parseAbiItem,
  type TransactionReceipt,
  toHex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../../test/support/anvil';
import { freshDatabase } from '../../../test/support/database';
import { startUnreliableRpc, type UnreliableRpc } from '../../../test/support/unreliable-rpc';
import { TestClock } from '../../core/clock';
import type { Database } from '../../core/database';
import { isUuid, newId } from '../../core/ids';
import { silentLogger } from '../../core/log';
import { applyTransfers } from '../../ledger/engine';
import { createAccounts, createLedger, getAccount } from '../../ledger/service';
import { type ChainClient, createChainClient } from '../client';
import * as TestUSDC from '../contracts/TestUSDC';
import { derivedUuid, encodeArgs, listEvents, restoreArgs } from './events';
import { defineWatcher, Follower, type FollowerOptions, type Watcher, type WatcherPoll } from './follower';
import { followerStatus, listCursors } from './status';

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
const clock = new TestClock();

let anvil: Anvil;
let database: Database;
let chain: ChainClient;
let usdc: Address;

beforeAll(async () => {
  [anvil, database] = await Promise.all([startAnvil(), freshDatabase()]);
  chain = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.publicClient.chain.id, dev: true });
  const owner = anvil.wallet(0);
  const receipt = await mined(
    owner.deployContract({ abi: TestUSDC.abi, bytecode: TestUSDC.bytecode, args: [owner.account.address] }),
  );
  if (!receipt.contractAddress) throw new Error('deployment made no contract');
  usdc = getAddress(receipt.contractAddress);
  await createLedger({ db: database.db, clock }, { code: 'USDC', scale: 6 });
});

/**
 * A product line's deposit address as the tests model it: `Transfer`s to it credit its ledger account
 * with a transfer whose id derives from the event's, and an orphaned one is reversed the same way.
 */
async function depositAddress(name: string) {
  const address = privateKeyToAccount(generatePrivateKey()).address;
  const depositAccount = newId();
  const inflowAccount = newId();
  await createAccounts({ db: database.db, clock }, [
    { id: inflowAccount, ledger: 'USDC', code: 'chain_inflow' },
    { id: depositAccount, ledger: 'USDC', code: 'deposit_address' },
  ]);
  const credited: string[] = [];
  const reversed: string[] = [];
  const watcher = defineWatcher({
    name,
    address: usdc,
    event: transferEvent,
    args: { to: address },
    async onConfirmed(tx, event) {
      const [outcome] = await applyTransfers(
        tx,
        [
          {
            id: derivedUuid(event.id, 'credit'),
            debitAccountId: inflowAccount,
            creditAccountId: depositAccount,
            amount: event.args.value,
            ledger: 'USDC',
            code: 'chain_deposit',
          },
        ],
        { clock },
      );
      // A second run for the same event would meet `exists`: fail loudly rather than pass silently.
      if (outcome?.result !== 'ok') throw new Error(`credit ${event.id}: ${outcome?.result}`);
      credited.push(event.id);
    },
    async onOrphaned(tx, event) {
      const [outcome] = await applyTransfers(
        tx,
        [
          {
            id: derivedUuid(event.id, 'reversal'),
            debitAccountId: depositAccount,
            creditAccountId: inflowAccount,
            amount: event.args.value,
            ledger: 'USDC',
            code: 'chain_deposit_reversal',
          },
        ],
        { clock },
      );
      if (outcome?.result !== 'ok') throw new Error(`reversal ${event.id}: ${outcome?.result}`);
      reversed.push(event.id);
    },
  });
  return {
    address,
    watcher,
    credited,
    reversed,
    /** What the ledger says the address holds. */
    async balance(): Promise<bigint> {
      const account = await getAccount({ db: database.db }, depositAccount);
      return account.creditsPosted - account.debitsPosted;
    },
    /** What the chain says it holds. */
    onChain(): Promise<bigint> {
      return anvil.publicClient.readContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'balanceOf',
        args: [address],
      });
    },
  };
}

const follower = (watcher: Watcher, options: Partial<FollowerOptions> = {}) =>
  new Follower({ db: database.db, clock, chain, log: silentLogger }, [watcher], {
    confirmations: 0,
    ...options,
  });

/** One poll of a one-watcher follower, which must not have failed. */
async function poll(target: Follower): Promise<WatcherPoll> {
  const summary = await target.poll();
  const [result] = summary.watchers;
  if (!result) throw new Error('no watcher in the poll');
  expect(result.error).toBeNull();
  return result;
}

async function mined(sending: Promise<Hex>): Promise<TransactionReceipt> {
  const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash: await sending });
  expect(receipt.status).toBe('success');
  return receipt;
}

const mint = (to: Address, value: bigint) =>
  mined(
    anvil
      .wallet(0)
      .writeContract({ address: usdc, abi: TestUSDC.abi, functionName: 'mint', args: [to, value] }),
  );

/** A transaction signed now and sent later, so the very same one can be mined again after a reorg. */
async function signed(walletIndex: number, data: Hex): Promise<Hex> {
  const wallet = anvil.wallet(walletIndex);
  const request = await wallet.prepareTransactionRequest({ to: usdc, data, gas: 200_000n });
  return wallet.signTransaction(request);
}

const sendRaw = (serializedTransaction: Hex) =>
  mined(anvil.publicClient.sendRawTransaction({ serializedTransaction }));

const mine = (blocks: number) => anvil.testClient.mine({ blocks });

/**
 * The chain seen through a node that can be made to lag (report an older head) or to answer one
 * getLogs call with a stale reply from a branch it no longer has.
 */
function unreliableNode() {
  const node = http(anvil.rpcUrl)({ chain: chain.chain });
  const faults: { lagBlocks: bigint; staleLogs: unknown } = { lagBlocks: 0n, staleLogs: undefined };
  const request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> => {
    if (method === 'eth_getLogs' && faults.staleLogs !== undefined) {
      const stale = faults.staleLogs;
      faults.staleLogs = undefined;
      return stale;
    }
    const answer: unknown = await node.request({ method, params });
    if (method === 'eth_blockNumber' && typeof answer === 'string') {
      return toHex(BigInt(answer) - faults.lagBlocks);
    }
    return answer;
  };
  const publicClient = createPublicClient({
    chain: chain.chain,
    transport: custom({ request }),
    cacheTime: 0,
  });
  return { faults, node, chain: { ...chain, publicClient } satisfies ChainClient };
}

describe('event ids and arguments', () => {
  it('derives the same version-8 UUID from the same parts, another from other parts', () => {
    const id = derivedUuid('chain-event', 'deposits', 31337, '0xabc', 0);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('8');
    expect(derivedUuid('chain-event', 'deposits', 31337, '0xabc', 0)).toBe(id);
    expect(derivedUuid('chain-event', 'deposits', 31337, '0xabc', 1)).not.toBe(id);
    // Parts are kept apart: moving a character across a boundary makes another id.
    expect(derivedUuid('ab', 'c')).not.toBe(derivedUuid('a', 'bc'));
  });

  it('stores bigints as decimal strings and restores them by the ABI, nested ones too', () => {
    const event = parseAbiItem(
      'event Paid(address indexed to, uint256[] amounts, (uint96 rate, string memo) terms)',
    );
    const args = {
      to: '0x0000000000000000000000000000000000000001',
      amounts: [1n, 2n ** 200n],
      terms: { rate: 7n, memo: 'x' },
    };
    const stored = JSON.parse(JSON.stringify(encodeArgs(args)));
    expect(stored.amounts).toEqual(['1', (2n ** 200n).toString()]);
    expect(restoreArgs(event.inputs, stored)).toEqual(args);
  });
});

describe('Follower', () => {
  it('credits each deposit once with no confirmations, and polling again changes nothing', async () => {
    const deposits = await depositAddress('deposits-once');
    const f = follower(deposits.watcher);
    await poll(f);
    await mint(deposits.address, 1_000_000n);
    await mint(privateKeyToAccount(generatePrivateKey()).address, 5_000_000n);
    await mint(deposits.address, 2_500_000n);

    const first = await poll(f);
    expect(first).toMatchObject({ inserted: 2, confirmed: 2, orphaned: 0, reorg: null, caughtUp: true });
    expect(await deposits.balance()).toBe(3_500_000n);

    const again = await poll(f);
    expect(again).toMatchObject({ inserted: 0, confirmed: 0 });
    expect(await deposits.balance()).toBe(3_500_000n);
    expect(deposits.credited).toHaveLength(2);

    const page = await listEvents(database.db, { follower: 'deposits-once' });
    expect(page.items.map((e) => [e.state, e.args])).toEqual([
      ['confirmed', expect.objectContaining({ to: deposits.address, value: '2500000' })],
      ['confirmed', expect.objectContaining({ to: deposits.address, value: '1000000' })],
    ]);
    const firstPage = await listEvents(database.db, { follower: 'deposits-once', limit: 1 });
    const secondPage = await listEvents(database.db, {
      follower: 'deposits-once',
      limit: 1,
      cursor: firstPage.nextCursor ?? '',
    });
    expect([...firstPage.items, ...secondPage.items].map((e) => e.id)).toEqual(page.items.map((e) => e.id));
    expect(secondPage.nextCursor).toBeNull();
  });

  it('rolls back a deposit its reorg orphaned and credits the new chain, the same transaction once', async () => {
    const deposits = await depositAddress('deposits-reorg');
    const payer = anvil.wallet(1);
    await mint(payer.account.address, 10_000_000n);
    const f = follower(deposits.watcher);
    await poll(f);
    await mint(deposits.address, 100n);
    await poll(f);

    const snapshot = await anvil.testClient.snapshot();
    const payment = await signed(
      1,
      encodeFunctionData({ abi: TestUSDC.abi, functionName: 'transfer', args: [deposits.address, 250n] }),
    );
    const firstInclusion = await sendRaw(payment);
    expect(await poll(f)).toMatchObject({ confirmed: 1 });
    expect(await deposits.balance()).toBe(350n);

    await anvil.testClient.revert({ id: snapshot });
    await mint(deposits.address, 40n);
    await mine(1);
    const afterReorg = await poll(f);
    expect(afterReorg.reorg).not.toBeNull();
    expect(afterReorg).toMatchObject({ orphaned: 1, confirmed: 1 });
    expect(deposits.reversed).toHaveLength(1);
    expect(await deposits.balance()).toBe(140n);
    expect(await deposits.balance()).toBe(await deposits.onChain());

    const secondInclusion = await sendRaw(payment);
    expect(secondInclusion.transactionHash).toBe(firstInclusion.transactionHash);
    expect(secondInclusion.blockHash).not.toBe(firstInclusion.blockHash);
    expect(await poll(f)).toMatchObject({ confirmed: 1 });
    expect(await deposits.balance()).toBe(390n);
    expect(await deposits.balance()).toBe(await deposits.onChain());

    const inclusions = await listEvents(database.db, {
      follower: 'deposits-reorg',
      transactionHash: firstInclusion.transactionHash,
    });
    expect(inclusions.items.map((e) => e.state)).toEqual(['confirmed', 'orphaned']);
    expect(new Set(inclusions.items.map((e) => e.id)).size).toBe(2);
    expect(deposits.credited).toHaveLength(4);
  });

  it('credits again a block that left the chain and came back, under a new event id', async () => {
    const deposits = await depositAddress('deposits-flip');
    const f = follower(deposits.watcher);
    await poll(f);

    const snapshot = await anvil.testClient.snapshot();
    const timestamp = (await anvil.publicClient.getBlock()).timestamp + 100n;
    const payment = await signed(
      0,
      encodeFunctionData({ abi: TestUSDC.abi, functionName: 'mint', args: [deposits.address, 70n] }),
    );
    await anvil.testClient.setNextBlockTimestamp({ timestamp });
    const original = await sendRaw(payment);
    const originalBlock = await anvil.publicClient.getBlock({ blockNumber: original.blockNumber });
    expect(await poll(f)).toMatchObject({ confirmed: 1 });

    await anvil.testClient.revert({ id: snapshot });
    const branchPoint = await anvil.testClient.snapshot();
    await mine(2);
    expect(await poll(f)).toMatchObject({ orphaned: 1 });
    expect(await deposits.balance()).toBe(0n);

    // The same transaction, fee and time on the same parent make the very same block again.
    await anvil.testClient.revert({ id: branchPoint });
    await anvil.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: originalBlock.baseFeePerGas ?? 0n });
    await anvil.testClient.setNextBlockTimestamp({ timestamp });
    const again = await sendRaw(payment);
    expect(again.blockHash).toBe(original.blockHash);
    await mine(2);

    const back = await poll(f);
    expect(back).toMatchObject({ revived: 1, confirmed: 1 });
    expect(back.reorg).not.toBeNull();
    expect(await deposits.balance()).toBe(70n);
    expect(await deposits.balance()).toBe(await deposits.onChain());
    expect(new Set(deposits.credited).size).toBe(2);
  });

  it('waits for its confirmations, and never credits a deposit orphaned before them', async () => {
    const deposits = await depositAddress('deposits-deep');
    const f = follower(deposits.watcher, { confirmations: 2 });
    await poll(f);
    await mint(deposits.address, 500n);

    expect(await poll(f)).toMatchObject({ inserted: 1, confirmed: 0 });
    await mine(1);
    expect(await poll(f)).toMatchObject({ confirmed: 0 });
    expect(await deposits.balance()).toBe(0n);
    await mine(1);
    expect(await poll(f)).toMatchObject({ confirmed: 1 });
    expect(await deposits.balance()).toBe(500n);

    const snapshot = await anvil.testClient.snapshot();
    await mint(deposits.address, 800n);
    expect(await poll(f)).toMatchObject({ inserted: 1, confirmed: 0 });
    await anvil.testClient.revert({ id: snapshot });
    await mine(3);
    expect(await poll(f)).toMatchObject({ orphaned: 1, confirmed: 0 });
    await mine(3);
    expect(await poll(f)).toMatchObject({ confirmed: 0 });

    expect(deposits.reversed).toEqual([]);
    expect(await deposits.balance()).toBe(500n);
    expect(await deposits.balance()).toBe(await deposits.onChain());
    const orphaned = await listEvents(database.db, { follower: 'deposits-deep', state: 'orphaned' });
    expect(orphaned.items.map((e) => e.args)).toEqual([expect.objectContaining({ value: '800' })]);
  });

  it('never credits a deposit a stale node reported from a block the chain no longer has', async () => {
    const deposits = await depositAddress('deposits-stale');
    const { faults, node, chain: flaky } = unreliableNode();
    const f = new Follower({ db: database.db, clock, chain: flaky, log: silentLogger }, [deposits.watcher], {
      confirmations: 0,
    });
    await poll(f);

    const snapshot = await anvil.testClient.snapshot();
    const orphan = await mint(deposits.address, 900n);
    const range = { address: usdc, fromBlock: toHex(orphan.blockNumber), toBlock: toHex(orphan.blockNumber) };
    const staleLogs = await node.request({ method: 'eth_getLogs', params: [range] });
    await anvil.testClient.revert({ id: snapshot });
    await mine(2);

    // The cursor's block and the range's last block are canonical; only the logs are not: they are
    // not stored at all, and the range is read again at the next poll.
    faults.staleLogs = staleLogs;
    const [refused] = (await f.poll()).watchers;
    expect(refused?.error).toEqual({
      code: 'unavailable',
      message: `the node's logs and blocks disagree at block ${orphan.blockNumber}: reading again at the next poll`,
    });
    expect(refused).toMatchObject({ inserted: 0, confirmed: 0, ranges: [] });
    expect(await poll(f)).toMatchObject({ inserted: 0, confirmed: 0, caughtUp: true });
    expect(await deposits.balance()).toBe(0n);
    expect(await deposits.onChain()).toBe(0n);
    expect((await listEvents(database.db, { follower: 'deposits-stale' })).items).toEqual([]);
  });

  it('waits for a node that lags behind its cursor, and follows a reorg onto a shorter chain', async () => {
    const deposits = await depositAddress('deposits-short');
    const { faults, chain: flaky } = unreliableNode();
    const f = new Follower({ db: database.db, clock, chain: flaky, log: silentLogger }, [deposits.watcher], {
      confirmations: 0,
    });
    await poll(f);
    const snapshot = await anvil.testClient.snapshot();
    await mint(deposits.address, 5n);
    await mine(3);
    expect(await poll(f)).toMatchObject({ confirmed: 1 });

    const [before] = (await listCursors(database.db)).filter((c) => c.follower === 'deposits-short');
    faults.lagBlocks = 2n;
    expect(await poll(f)).toMatchObject({
      reorg: null,
      orphaned: 0,
      ranges: [],
      cursor: before?.blockNumber,
    });
    expect(await deposits.balance()).toBe(5n);
    faults.lagBlocks = 0n;

    await anvil.testClient.revert({ id: snapshot });
    await mine(1);
    await mint(deposits.address, 7n);
    const result = await poll(f);
    expect(result).toMatchObject({ orphaned: 1, confirmed: 1, caughtUp: true });
    expect(await deposits.balance()).toBe(7n);
    expect(await deposits.balance()).toBe(await deposits.onChain());
  });

  it('undoes a reorg deeper than the recent blocks it keeps', async () => {
    const deposits = await depositAddress('deposits-deep-reorg');
    const f = follower(deposits.watcher, { reorgDepth: 2n });
    await poll(f);
    const snapshot = await anvil.testClient.snapshot();
    const early = await mint(deposits.address, 11n);
    for (let i = 0; i < 4; i++) {
      await mine(3);
      await poll(f);
    }
    expect(await deposits.balance()).toBe(11n);

    await anvil.testClient.revert({ id: snapshot });
    await mine(3);
    await mint(deposits.address, 13n);
    await mine(20);
    const result = await poll(f);
    expect(result).toMatchObject({ orphaned: 1, confirmed: 1 });
    expect(result.reorg?.forkBlock).toBeLessThan(early.blockNumber);
    expect(await deposits.balance()).toBe(13n);
    expect(await deposits.balance()).toBe(await deposits.onChain());
  });

  it('resumes from its stored cursor after a restart', async () => {
    const deposits = await depositAddress('deposits-restart');
    const before = follower(deposits.watcher);
    await poll(before);
    await mint(deposits.address, 10n);
    await poll(before);
    const [stored] = (await listCursors(database.db)).filter((c) => c.follower === 'deposits-restart');

    // Down: deposits land, and the chain moves on past them.
    const missed = [await mint(deposits.address, 20n), await mint(deposits.address, 30n)];
    await mine(2);
    expect(stored?.blockNumber).toBeLessThan(missed[0]?.blockNumber ?? 0n);

    const after = follower(deposits.watcher);
    expect(await poll(after)).toMatchObject({ confirmed: 2 });
    expect(await deposits.balance()).toBe(60n);
    expect(new Set(deposits.credited).size).toBe(3);
    expect(deposits.credited).toHaveLength(3);
  });

  it('credits each deposit once when two followers poll the same database at once', async () => {
    const deposits = await depositAddress('deposits-race');
    const one = follower(deposits.watcher);
    const other = follower(deposits.watcher);
    await Promise.all([one.poll(), other.poll()]);
    const amounts = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n];
    for (let round = 0; round < amounts.length; round += 2) {
      for (const amount of amounts.slice(round, round + 2)) await mint(deposits.address, amount);
      const summaries = await Promise.all([one.poll(), other.poll(), one.poll()]);
      for (const summary of summaries) expect(summary.watchers[0]?.error).toBeNull();
    }
    await Promise.all([one.poll(), other.poll()]);

    expect(await deposits.balance()).toBe(36n);
    expect(deposits.credited).toHaveLength(amounts.length);
    expect(new Set(deposits.credited).size).toBe(amounts.length);
  });

  it('starts a new watcher at the start block it is given (CHAIN_START_BLOCK), not at the head', async () => {
    const deposits = await depositAddress('deposits-start-block');
    const startBlock = (await anvil.publicClient.getBlockNumber()) + 1n;
    // Made before the follower's first poll: a follower starting at the head would never see it.
    await mint(deposits.address, 40n);
    await mine(2);
    const f = follower(deposits.watcher, { startBlock });
    const result = await poll(f);
    expect(result.ranges[0]?.from).toBe(startBlock);
    expect(result).toMatchObject({ inserted: 1, confirmed: 1 });
    expect(await deposits.balance()).toBe(40n);
    // A watcher's own fromBlock wins over the follower's.
    const later = await depositAddress('deposits-own-from-block');
    const ownFrom = (await anvil.publicClient.getBlockNumber()) + 1n;
    const g = follower({ ...later.watcher, fromBlock: ownFrom }, { startBlock });
    await mine(1);
    expect((await poll(g)).ranges[0]?.from).toBe(ownFrom);
  });

  it('walks many blocks in bounded ranges without missing an event', async () => {
    const deposits = await depositAddress('deposits-ranges');
    const fromBlock = (await anvil.publicClient.getBlockNumber()) + 1n;
    for (let i = 1n; i <= 5n; i++) {
      await mint(deposits.address, i);
      await mine(9);
    }
    const head = await anvil.publicClient.getBlockNumber();
    const f = new Follower(
      { db: database.db, clock, chain, log: silentLogger },
      [{ ...deposits.watcher, fromBlock }],
      { confirmations: 0, maxBlockRange: 10n, rangesPerPoll: 2 },
    );

    const ranges: { from: bigint; to: bigint }[] = [];
    let polls = 0;
    for (let caughtUp = false; !caughtUp && polls < 10; polls++) {
      const result = await poll(f);
      ranges.push(...result.ranges);
      caughtUp = result.caughtUp;
      if (polls === 0) {
        const [status] = (await followerStatus(database.db, chain)).filter(
          (s) => s.follower === 'deposits-ranges',
        );
        expect(status?.lag).toBe(30n);
      }
    }

    expect(polls).toBe(3);
    expect(ranges[0]?.from).toBe(fromBlock);
    expect(ranges.at(-1)?.to).toBe(head);
    for (const [i, range] of ranges.entries()) {
      expect(range.to - range.from).toBeLessThan(10n);
      if (i > 0) expect(range.from).toBe((ranges[i - 1]?.to ?? 0n) + 1n);
    }
    expect(await deposits.balance()).toBe(15n);
    expect(deposits.credited).toHaveLength(5);
  });
});

describe('through an RPC that lags, caps and refuses', () => {
  let rpc: UnreliableRpc;
  let flaky: ChainClient;

  beforeAll(async () => {
    rpc = await startUnreliableRpc(anvil.rpcUrl);
    flaky = createChainClient({ rpcUrl: rpc.url, chainId: chain.chainId, dev: true });
  });
  afterEach(() => rpc.heal());
  afterAll(() => rpc.stop());

  const through = (watchers: Watcher[], options: Partial<FollowerOptions> = {}) =>
    new Follower({ db: database.db, clock, chain: flaky, log: silentLogger }, watchers, {
      confirmations: 2,
      ...options,
    });

  it('never skips a deposit a backend behind the head answered with no logs', async () => {
    const deposits = await depositAddress('deposits-lagging-logs');
    const f = through([deposits.watcher]);
    await poll(f);
    rpc.faults.logLagBlocks = 1;
    const minted = await mint(deposits.address, 700n);
    const first = await poll(f);
    expect(first).toMatchObject({ inserted: 0, cursor: minted.blockNumber });
    rpc.heal();

    let recovered = 0;
    for (let i = 0; i < 3; i++) {
      await mine(1);
      recovered += (await poll(f)).recovered;
    }
    expect(recovered).toBe(1);
    expect(await deposits.balance()).toBe(700n);
    expect(deposits.credited).toHaveLength(1);
    const [event] = (await listEvents(database.db, { follower: 'deposits-lagging-logs' })).items;
    const block = await anvil.publicClient.getBlock({ blockNumber: minted.blockNumber });
    expect(event?.blockTimestamp).toEqual(new Date(Number(block.timestamp) * 1000));
  });

  it('confirms at the depth asked, the second read adding nothing when the first was complete', async () => {
    const deposits = await depositAddress('deposits-read-twice');
    const f = through([deposits.watcher]);
    await poll(f);
    await mint(deposits.address, 5n);
    expect(await poll(f)).toMatchObject({ inserted: 1, recovered: 0, confirmed: 0 });
    await mine(1);
    expect(await poll(f)).toMatchObject({ confirmed: 0 });
    await mine(1);
    expect(await poll(f)).toMatchObject({ recovered: 0, confirmed: 1 });
    expect(await deposits.balance()).toBe(5n);
  });

  it('reads up to its margin below the head only', async () => {
    const deposits = await depositAddress('deposits-margin');
    const f = through([deposits.watcher], { confirmations: 0, headMargin: 2n });
    await poll(f);
    const minted = await mint(deposits.address, 9n);
    expect(await poll(f)).toMatchObject({ inserted: 0, cursor: minted.blockNumber - 2n });
    await mine(2);
    expect(await poll(f)).toMatchObject({ inserted: 1, confirmed: 1, cursor: minted.blockNumber });
  });

  it('halves a log range the provider refuses, down to what it takes, and misses nothing', async () => {
    const deposits = await depositAddress('deposits-capped');
    const fromBlock = (await anvil.publicClient.getBlockNumber()) + 1n;
    for (let i = 1n; i <= 4n; i++) {
      await mint(deposits.address, i);
      await mine(4);
    }
    rpc.faults.maxLogRange = 3;
    const f = through([{ ...deposits.watcher, fromBlock }], { confirmations: 0, maxBlockRange: 64n });
    const ranges: { from: bigint; to: bigint }[] = [];
    for (let polls = 0; polls < 10; polls++) {
      const result = await poll(f);
      ranges.push(...result.ranges);
      if (result.caughtUp) break;
    }
    expect(ranges.length).toBeGreaterThan(0);
    for (const range of ranges) expect(range.to - range.from + 1n).toBeLessThanOrEqual(2n);
    expect(await deposits.balance()).toBe(10n);
  });

  it('credits nothing again when a watcher is renamed, and refuses two watchers of the same logs', async () => {
    const deposits = await depositAddress('deposits-before-rename');
    const fromBlock = (await anvil.publicClient.getBlockNumber()) + 1n;
    const first = { ...deposits.watcher, fromBlock };
    await mint(deposits.address, 11n);
    await poll(through([first], { confirmations: 0 }));
    expect(await deposits.balance()).toBe(11n);

    // The same watcher under a new name starts over from its first block: the log is known already.
    const renamed = through([{ ...first, name: 'deposits-after-rename' }], { confirmations: 0 });
    expect(await poll(renamed)).toMatchObject({ inserted: 0, confirmed: 0, caughtUp: true });
    expect(await deposits.balance()).toBe(11n);
    expect(deposits.credited).toHaveLength(1);

    // Two watchers of this Tally over the same logs: the second is refused and credits nothing.
    const twice = through(
      [
        { ...first, name: 'deposits-one' },
        { ...first, name: 'deposits-two' },
      ],
      { confirmations: 0 },
    );
    await mint(deposits.address, 1n);
    const [one, two] = (await twice.poll()).watchers;
    expect(one?.error).toBeNull();
    expect(two?.error).toMatchObject({ code: 'conflict' });
    expect(two?.error?.message).toContain('watchers "deposits-two" and "deposits-one" read the same logs');
    expect(await deposits.balance()).toBe(12n);
  });

  it('undoes credits taken back by reorgs of depth 1 to 5, and the ledger agrees with the chain', async () => {
    for (let depth = 1; depth <= 5; depth++) {
      const deposits = await depositAddress(`deposits-reorg-${depth}`);
      const f = through([deposits.watcher], { confirmations: 0 });
      await poll(f);
      await mint(deposits.address, 100n);
      await mine(depth - 1);
      expect(await poll(f)).toMatchObject({ inserted: 1, confirmed: 1 });
      expect(await deposits.balance()).toBe(100n);

      // The block with the deposit and the ones above it are replaced by empty ones.
      await rpc.reorg(depth);
      const undone = await poll(f);
      expect(undone, `depth ${depth}`).toMatchObject({ orphaned: 1 });
      expect(deposits.reversed).toHaveLength(1);
      expect(await deposits.onChain()).toBe(0n);
      expect(await deposits.balance()).toBe(0n);
      expect(await poll(f)).toMatchObject({ inserted: 0, confirmed: 0, caughtUp: true });
    }
  });

  it('refuses a watcher that cannot undo its credits', () => {
    const { onOrphaned: _, ...withoutUndo } = transferWatcher('deposits-no-undo');
    expect(() => through([withoutUndo as Watcher])).toThrow('watcher "deposits-no-undo" has no onOrphaned');
  });
});

function transferWatcher(name: string): Watcher {
  return defineWatcher({
    name,
    address: usdc,
    event: transferEvent,
    onConfirmed: async () => {},
    onOrphaned: async () => {},
  });
}
