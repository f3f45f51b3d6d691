import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import {
  type Address,
  createPublicClient,
  createTestClient,
  custom,
  encodeAbiParameters,
  encodeFunctionData,
  getAbiItem,
  getAddress,
  type Hex,
  http,
  parseGwei,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTally, type Tally } from '../src/app';
import { createChainClient } from '../src/chain/client';
import * as TestDAI from '../src/chain/contracts/TestDAI';
import { DEV_CHAIN_ID, startDevChain } from '../src/chain/dev-chain';
import { type ChainRuntime, deployDevelopmentChain, walletFor } from '../src/chain/runtime';
import { cfaV1Abi, hostCallAbi, superTokenAbi } from '../src/chain/superfluid/abi';
import { users } from '../src/core/auth/schema';
import { systemClock } from '../src/core/clock';
import type { ChainSettings } from '../src/core/config';
import { type Database, openDatabase, queryRows } from '../src/core/database';
import { newId } from '../src/core/ids';
import { newInstallationSecret } from '../src/core/keyring';
import { silentLogger } from '../src/core/log';
import { amountToStream, readFlowTerms } from '../src/streams/chain/buffer';
import { resolveStreamContracts, type StreamContracts } from '../src/streams/chain/contracts';
import { flowReference } from '../src/streams/chain/flow-reference';
import { watchDeps } from '../src/streams/line';
import { checkouts, plans, producers } from '../src/streams/schema';
import { liveAccounts, readAccounts } from '../src/streams/subscriptions/accounts';
import { type RunOutDeps, type RunOutScan, scanRunOuts } from '../src/streams/subscriptions/runout';
import { registerCleanup } from './support/cleanup';
import { acquirePostgresServer, createThrowawayDatabase, errorText } from './support/postgres';

/**
 * Watching 10,000 subscriptions on the embedded chain (anvil with Superfluid 1.15.2, as `npm start`
 * deploys it): 10,000 wallets each stream DAIx to one of 100 producers, under checkouts Tally made.
 *
 *   npm run bench:streams
 *   BENCH_SUBSCRIPTIONS=2000 npm run bench:streams      (fewer, to try it quickly)
 *   BENCH_DATABASES=pglite npm run bench:streams        (the embedded database only)
 *
 * It prints, per database (PGlite, and PostgreSQL when a server can be had):
 * - the follower: `FlowUpdated` events handled per second (each with the `FlowUpdatedExtension` that
 *   follows it, which a second watcher reads), beside the bare `eth_getLogs` of the same logs;
 * - the run-out scan over every subscription: the first (which finds the wallets at risk, warns them
 *   and queues the closes due) and a steady one (nothing to change), with the RPC calls each made and
 *   the peak memory above the process's baseline, beside a bare `SELECT` of the same rows, the chain
 *   read alone, and one RPC round trip — ratios hold on a shared, noisy machine, absolute figures not.
 *
 * The wallets' balances are spread so that 93.8 % run out in 30 days, 5 % within 7 days, 1 % within
 * 24 hours and 0.2 % within the hour's close margin.
 *
 * Reference: Superfluid's subgraph keeps the same figure per account and token
 * (`AccountTokenSnapshot.maybeCriticalAtTimestamp`), and Superfluid's own tools (the graphinator
 * liquidator) read critical accounts from it; we found no published throughput or latency figure
 * for it. Reading 10,000 snapshots from it takes at least ten GraphQL pages (1,000 entities each),
 * and its answers trail the chain by its indexing lag; the scan here reads the chain itself.
 */

const SUBSCRIPTIONS = readCount('BENCH_SUBSCRIPTIONS', 10_000);
const PRODUCERS = 100;
const CONSUMERS = 1_000;
/** 10 DAI a month of 30 days. */
const FLOW_RATE = 3_858_024_691_358n;
const MINUTE = 60n;
const HOUR = 3_600n;
const DAY = 86_400n;
/** How long each wallet's balance lasts, by share of the wallets. */
const PREPAID: readonly { share: number; seconds: bigint; label: string }[] = [
  { share: 0.002, seconds: 50n * MINUTE, label: 'within the close margin' },
  { share: 0.01, seconds: 12n * HOUR, label: 'within 24 hours' },
  { share: 0.05, seconds: 3n * DAY, label: 'within 7 days' },
  { share: 0.938, seconds: 30n * DAY, label: 'in 30 days' },
];
const GAS_PRICE = parseGwei('50');
/** Transactions a block holds here, and requests in one JSON-RPC batch. */
const BLOCK_TRANSACTIONS = 250;

function readCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 10)
    throw new Error(`${name} must be a whole number ≥ 10, not "${raw}"`);
  return count;
}

interface Wallet {
  address: Address;
  receiver: Address;
  checkoutId: string;
  prepaid: bigint;
}

/** Counts the JSON-RPC requests a client sends (a batch's calls each count). */
function countingClient(rpcUrl: string, chain: ChainRuntime['client']['chain']) {
  const node = http(rpcUrl, { retryCount: 0 })({ chain });
  let sent = 0;
  const publicClient = createPublicClient({
    chain,
    cacheTime: 0,
    transport: custom({
      request: (args) => {
        sent++;
        return node.request(args as Parameters<typeof node.request>[0]);
      },
    }),
  });
  return { publicClient, sent: () => sent };
}

async function main(): Promise<void> {
  const devChain = await startDevChain();
  const stopChain = registerCleanup(() => devChain.stop());
  try {
    const client = createChainClient({ rpcUrl: devChain.rpcUrl, chainId: DEV_CHAIN_ID, dev: true });
    const treasury = privateKeyToAccount(generatePrivateKey());
    const deployment = await deployDevelopmentChain(client, treasury);
    const daix = await resolveStreamContracts(client.publicClient, deployment, 'DAIx');
    const counting = countingClient(devChain.rpcUrl, client.chain);
    const settings: ChainSettings = {
      mode: 'embedded',
      dir: '',
      name: 'Tally development chain',
      confirmations: 0,
      pollMs: 250,
      maxGasLimit: 3_000_000n,
      maxFeePerGas: 500n * 10n ** 9n,
      // A few blocks a range keeps each poll's transaction short with 250 flows a block here (a
      // public chain's ranges are much sparser); any range would be stored, in slices.
      logRange: 4n,
      headMargin: 0n,
    };
    const startBlock = (await client.publicClient.getBlockNumber()) + 1n;
    const chain: ChainRuntime = {
      client: { ...client, publicClient: counting.publicClient },
      settings,
      treasury,
      deployment,
      startBlock,
      stop: async () => {},
    };

    const producerWallets = Array.from({ length: PRODUCERS }, () => randomAddress());
    const wallets: Wallet[] = [];
    let index = 0;
    for (const { share, seconds } of PREPAID) {
      const count = Math.round(share * SUBSCRIPTIONS);
      for (let i = 0; i < count && wallets.length < SUBSCRIPTIONS; i++, index++) {
        wallets.push({
          address: randomAddress(),
          receiver: producerWallets[index % PRODUCERS]!,
          checkoutId: newId(),
          prepaid: seconds,
        });
      }
    }
    while (wallets.length < SUBSCRIPTIONS) {
      wallets.push({
        address: randomAddress(),
        receiver: producerWallets[wallets.length % PRODUCERS]!,
        checkoutId: newId(),
        prepaid: 30n * DAY,
      });
    }

    console.log(
      `Tally streams benchmark: ${SUBSCRIPTIONS.toLocaleString('en-US')} subscriptions (one wallet each) to ` +
        `${PRODUCERS} producers on the embedded chain (anvil, Superfluid 1.15.2), 10 DAIx a month each.`,
    );
    const databases: {
      label: string;
      open: () => Promise<{ database: Database; close: () => Promise<void> }>;
    }[] = [
      {
        label: 'PGlite (in-memory, WASM, one connection)',
        open: async () => {
          const database = await openDatabase({ memory: true });
          await database.migrate();
          return { database, close: () => database.close() };
        },
      },
    ];
    const pg = process.env.BENCH_DATABASES === 'pglite' ? null : await acquirePostgresServer();
    if (pg?.available) {
      databases.push({
        label: `PostgreSQL (${pg.description}, pool 40)`,
        open: async () => {
          const throwaway = await createThrowawayDatabase(pg.url);
          return { database: throwaway.database, close: () => throwaway.drop() };
        },
      });
    }

    // Tally's rows first, in every database: the follower starts a subscription from a checkout it knows.
    const opened = [];
    for (const target of databases) {
      const { database, close } = await target.open();
      const tally = await startTally(database, chain);
      await seedCheckouts(tally, wallets, producerWallets);
      opened.push({ label: target.label, tally, close });
    }

    const setupStarted = performance.now();
    await streamFromEveryWallet(chain, daix, wallets);
    const head = await client.publicClient.getBlockNumber();
    console.log(
      `Set-up: ${SUBSCRIPTIONS.toLocaleString('en-US')} wallets funded, wrapped and streaming in ` +
        `${seconds(performance.now() - setupStarted)} (blocks ${startBlock}–${head}).\n`,
    );

    // The reference for the follower: the same logs fetched bare, no database.
    const flowUpdated = getAbiItem({ abi: cfaV1Abi, name: 'FlowUpdated' });
    const extension = getAbiItem({ abi: cfaV1Abi, name: 'FlowUpdatedExtension' });
    const fetchStarted = performance.now();
    const [updates, extensions] = await Promise.all([
      client.publicClient.getLogs({
        address: daix.cfa,
        event: flowUpdated,
        fromBlock: startBlock,
        toBlock: head,
      }),
      client.publicClient.getLogs({
        address: daix.cfa,
        event: extension,
        fromBlock: startBlock,
        toBlock: head,
      }),
    ]);
    const fetchMs = performance.now() - fetchStarted;
    if (updates.length !== SUBSCRIPTIONS || extensions.length !== SUBSCRIPTIONS) {
      throw new Error(
        `expected ${SUBSCRIPTIONS} flows on chain, found ${updates.length} and ${extensions.length} logs`,
      );
    }
    const roundTrip = await medianRoundTrip(chain);

    for (const { label, tally, close } of opened) {
      try {
        await benchDatabase(label, tally, chain, counting.sent, { fetchMs, roundTrip });
      } finally {
        await tally.stop();
        await close();
      }
    }
    if (pg && !pg.available) console.log(`PostgreSQL: skipped, because ${pg.reason}.`);
    if (pg?.available) await pg.release();
  } finally {
    await stopChain();
  }
}

async function startTally(database: Database, chain: ChainRuntime): Promise<Tally> {
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-bench-files-'));
  registerCleanup(async () => fs.rmSync(filesDir, { recursive: true, force: true }));
  const tally = await createTally({
    config: {
      maxBodyBytes: 64 * 1024,
      maxUploadBytes: 256 * 1024,
      filesDir,
      publicUrl: 'http://tally.bench',
      smtpUrl: undefined,
      mailFrom: 'Tally <no-reply@tally.bench>',
      mailboxOpen: false,
    },
    database,
    adminApiKey: 'bench-admin-key-0123456789abcdef',
    log: silentLogger,
    clock: systemClock,
    chain,
    secretKey: newInstallationSecret(),
  });
  await tally.sender?.prepare();
  return tally;
}

/** Consumers, producers with a plan each, and a reserved checkout for every wallet, written straight to the tables. */
async function seedCheckouts(tally: Tally, wallets: readonly Wallet[], producerWallets: readonly Address[]) {
  const { db } = tally.database;
  const now = new Date();
  const consumerIds = Array.from({ length: CONSUMERS }, () => newId());
  const producerUsers = producerWallets.map(() => newId());
  await db.insert(users).values(
    [...consumerIds, ...producerUsers].map((id, i) => ({
      id,
      email: `bench-${i}@tally.bench`,
      name: `Bench person ${i}`,
      createdAt: now,
      updatedAt: now,
    })),
  );
  const planOf = new Map<string, string>();
  for (const [i, payout] of producerWallets.entries()) {
    const producerId = newId();
    const planId = newId();
    await db.insert(producers).values({
      id: producerId,
      userId: producerUsers[i]!,
      name: `Producer ${i}`,
      payoutAddress: payout.toLowerCase(),
      createdAt: now,
      updatedAt: now,
    });
    await db.insert(plans).values({
      id: planId,
      producerId,
      kind: 'stream',
      name: `Plan ${i}`,
      token: 'DAIx',
      startsAt: now,
      status: 'active',
      periodPrice: 10n * 10n ** 18n,
      period: 'month',
      flowRate: FLOW_RATE,
      graceSeconds: 86_400,
      createdAt: now,
      updatedAt: now,
    });
    planOf.set(payout, planId);
  }
  const expiresAt = new Date(now.getTime() + 24 * 3_600_000);
  for (let start = 0; start < wallets.length; start += 1_000) {
    await db.insert(checkouts).values(
      wallets.slice(start, start + 1_000).map((wallet, i) => ({
        id: wallet.checkoutId,
        planId: planOf.get(wallet.receiver)!,
        userId: consumerIds[(start + i) % CONSUMERS]!,
        subscriberAddress: wallet.address.toLowerCase(),
        receiverAddress: wallet.receiver.toLowerCase(),
        token: 'DAIx' as const,
        flowRate: FLOW_RATE,
        state: 'reserved' as const,
        expiresAt,
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
}

/**
 * Every wallet gets gas money and what its share of the balances lasts, then opens its flow naming
 * its checkout — sent as anvil lets a development chain be driven: impersonated senders, batched
 * requests, and many transactions mined per block.
 */
async function streamFromEveryWallet(chain: ChainRuntime, daix: StreamContracts, wallets: readonly Wallet[]) {
  const { client, treasury } = chain;
  const batched = createTestClient({
    chain: client.chain,
    mode: 'anvil',
    cacheTime: 0,
    transport: http(client.rpcUrl, {
      batch: { batchSize: BLOCK_TRANSACTIONS },
      retryCount: 0,
      timeout: 120_000,
    }),
  });
  await batched.setBlockGasLimit({ gasLimit: 2_000_000_000n });
  await batched.request({ method: 'anvil_autoImpersonateAccount' as never, params: [true] as never });
  const terms = await readFlowTerms(client.publicClient, daix);
  const amounts = wallets.map((wallet) => amountToStream(FLOW_RATE, terms, wallet.prepaid));
  const total = amounts.reduce((sum, amount) => sum + amount, 0n);

  // The treasury owns the test DAI: it mints what every wallet wraps, and wraps it once.
  const owner = walletFor(client, treasury);
  for (const request of [
    { address: daix.underlying, abi: TestDAI.abi, functionName: 'mint', args: [treasury.address, total] },
    { address: daix.underlying, abi: TestDAI.abi, functionName: 'approve', args: [daix.superToken, total] },
    { address: daix.superToken, abi: superTokenAbi, functionName: 'upgrade', args: [total] },
  ] as const) {
    const hash = await owner.writeContract(request as Parameters<typeof owner.writeContract>[0]);
    await client.publicClient.waitForTransactionReceipt({ hash });
  }

  await inSlices(wallets, (wallet) => batched.setBalance({ address: wallet.address, value: 10n ** 18n }));
  await batched.setAutomine(false);
  const firstNonce = await client.publicClient.getTransactionCount({ address: treasury.address });
  await inSlices(
    wallets,
    (wallet, i) =>
      batched.request({
        method: 'eth_sendTransaction',
        params: [
          {
            from: treasury.address,
            to: daix.superToken,
            nonce: `0x${(firstNonce + i).toString(16)}`,
            gas: '0x30d40',
            gasPrice: `0x${GAS_PRICE.toString(16)}`,
            data: encodeFunctionData({
              abi: superTokenAbi,
              functionName: 'transfer',
              args: [wallet.address, amounts[i]!],
            }),
          },
        ],
      } as never),
    () => mineAll(batched),
  );
  await inSlices(
    wallets,
    (wallet) =>
      batched.request({
        method: 'eth_sendTransaction',
        params: [
          {
            from: wallet.address,
            to: daix.host,
            nonce: '0x0',
            gas: '0x16e360',
            gasPrice: `0x${GAS_PRICE.toString(16)}`,
            // As a checkout does it: the flow naming the checkout, and Tally's operator permission.
            data: encodeFunctionData({
              abi: hostCallAbi,
              functionName: 'batchCall',
              args: [
                [
                  agreementOperation(
                    daix,
                    encodeFunctionData({
                      abi: cfaV1Abi,
                      functionName: 'createFlow',
                      args: [daix.superToken, wallet.receiver, FLOW_RATE, '0x'],
                    }),
                    flowReference(wallet.checkoutId),
                  ),
                  agreementOperation(
                    daix,
                    encodeFunctionData({
                      abi: cfaV1Abi,
                      functionName: 'authorizeFlowOperatorWithFullControl',
                      args: [daix.superToken, treasury.address, '0x'],
                    }),
                    '0x',
                  ),
                ],
              ],
            }),
          },
        ],
      } as never),
    () => mineAll(batched),
  );
  await batched.setAutomine(true);
}

/** Superfluid's batch operation 201: an agreement call, with the user data it carries. */
const agreementOperation = (daix: StreamContracts, callData: Hex, userData: Hex) => ({
  operationType: 201,
  target: daix.cfa,
  data: encodeAbiParameters([{ type: 'bytes' }, { type: 'bytes' }], [callData, userData]),
});

async function mineAll(client: ReturnType<typeof createTestClient>) {
  for (;;) {
    const { pending, queued } = await client.getTxpoolStatus();
    if (pending + queued === 0) return;
    await client.mine({ blocks: 1 });
  }
}

/** Runs `send` for every item, 250 requests at a time (one JSON-RPC batch), then `after` for each slice. */
async function inSlices<T>(
  items: readonly T[],
  send: (item: T, index: number) => Promise<unknown>,
  after: () => Promise<unknown> = async () => {},
) {
  for (let start = 0; start < items.length; start += BLOCK_TRANSACTIONS) {
    await Promise.all(items.slice(start, start + BLOCK_TRANSACTIONS).map((item, i) => send(item, start + i)));
    await after();
  }
}

async function medianRoundTrip(chain: ChainRuntime): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    await chain.client.publicClient.getBlockNumber({ cacheTime: 0 });
    times.push(performance.now() - started);
  }
  return median(times);
}

interface Anchors {
  fetchMs: number;
  roundTrip: number;
}

async function benchDatabase(
  label: string,
  tally: Tally,
  chain: ChainRuntime,
  rpcSent: () => number,
  anchors: Anchors,
): Promise<void> {
  const { db } = tally.database;
  console.log(`== ${label}`);

  // The follower: every FlowUpdated (and its extension) handled, each in the transaction that confirms it.
  const followStarted = performance.now();
  for (let polls = 0; ; polls++) {
    const summary = await tally.follower!.poll();
    const errors = summary.watchers.filter((w) => w.error);
    if (errors.length > 0) throw new Error(`the follower failed: ${JSON.stringify(errors[0]!.error)}`);
    if (summary.watchers.every((w) => w.caughtUp) && (await liveCount(tally)) === SUBSCRIPTIONS) break;
    if (polls > 10_000) throw new Error('the follower did not catch up');
  }
  const followMs = performance.now() - followStarted;
  const handled = SUBSCRIPTIONS / (followMs / 1000);
  const fetched = (2 * SUBSCRIPTIONS) / (anchors.fetchMs / 1000);
  console.log(
    `Follower: ${SUBSCRIPTIONS.toLocaleString('en-US')} FlowUpdated (+ as many FlowUpdatedExtension) handled in ` +
      `${seconds(followMs)}: ${count(handled)} FlowUpdated/s. Reference, same run: eth_getLogs of the same ` +
      `${(2 * SUBSCRIPTIONS).toLocaleString('en-US')} logs bare in ${seconds(anchors.fetchMs)} ` +
      `(${count(fetched)} logs/s): following takes ${ratio(followMs, anchors.fetchMs)} the bare fetch.`,
  );

  const deps: RunOutDeps = {
    ...watchDeps({ ...tally.context, chain }),
    chain,
    settings: {
      scanIntervalMs: 60_000,
      fullReadSeconds: 600,
      closeMarginSeconds: 3_600,
      maxReadLagSeconds: null,
      accountsPerCall: 250,
    },
  };
  const everyWallet: RunOutDeps = { ...deps, settings: { ...deps.settings, fullReadSeconds: 0 } };
  const first = await timedScan(deps, rpcSent);
  const medianOf = async (runs: number, scanDeps: RunOutDeps) => {
    const timed: Timed[] = [];
    for (let i = 0; i < runs; i++) timed.push(await timedScan(scanDeps, rpcSent));
    return timed.toSorted((a, b) => a.ms - b.ms)[Math.floor(runs / 2)]!;
  };
  const typical = await medianOf(5, deps);
  const full = await medianOf(3, everyWallet);

  const selectTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await queryRows(
      db,
      sql`SELECT id, user_id, subscriber_address, receiver_address, token, state, warned_7d_at, warned_24h_at,
                 closing_transaction_id
          FROM streams_subscriptions WHERE state IN ('active', 'at_risk') AND flow_rate IS NOT NULL`,
    );
    selectTimes.push(performance.now() - started);
  }
  const select = median(selectTimes);
  const readTimes: number[] = [];
  const accounts = await liveAccounts(db);
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await readAccounts(chain, accounts, deps.settings.accountsPerCall);
    readTimes.push(performance.now() - started);
  }
  const chainRead = median(readTimes);

  const line = (name: string, timed: Timed) =>
    `  ${name.padEnd(16)} ${ms(timed.ms).padStart(9)}  ${String(timed.scan.read).padStart(6)} wallets read, ` +
    `${String(timed.rpc).padStart(3)} RPC calls  ` +
    `peak heap +${mb(timed.peakHeap)}, RSS ${mb(timed.peakRss)}  ` +
    `→ at risk ${timed.scan.atRisk}, 7-day warnings ${timed.scan.warned7d}, 24-hour ${timed.scan.warned24h}, ` +
    `closes queued ${timed.scan.closesQueued}${timed.scan.closesRefused ? ` (refused ${timed.scan.closesRefused})` : ''}`;
  console.log(
    `Run-out scan over ${first.scan.subscriptions.toLocaleString('en-US')} subscriptions (${first.scan.accounts.toLocaleString('en-US')} wallets):`,
  );
  console.log(line('first (all new)', first));
  console.log(line('steady', typical));
  console.log(line('every wallet', full));
  console.log(
    `  "steady": a scan a minute, reading the ${typical.scan.due} wallets due (at risk or within 7 days); ` +
      `"every wallet": the scan every ${deps.settings.fullReadSeconds / 60} minutes that reads all of them (median of 3).`,
  );
  console.log(
    `  Reference, same run: the bare SELECT of the same rows ${ms(select)}; the chain read of every wallet alone ` +
      `(1 block + ${Math.ceil(accounts.length / deps.settings.accountsPerCall)} multicalls) ${ms(chainRead)}; one ` +
      `RPC round trip ${ms(anchors.roundTrip)}. A steady scan takes ${ratio(typical.ms, select)} the SELECT and ` +
      `${ratio(typical.ms, anchors.roundTrip)} a round trip; a scan of every wallet ${ratio(full.ms, select + chainRead)} ` +
      `the SELECT and the read together. Target: under 1 s for ${SUBSCRIPTIONS.toLocaleString('en-US')} — ` +
      `steady ${typical.ms < 1000 ? 'met' : 'not met'}, every wallet ${full.ms < 1000 ? 'met' : 'not met'} here.\n`,
  );
}

interface Timed {
  ms: number;
  rpc: number;
  peakHeap: number;
  peakRss: number;
  scan: RunOutScan;
}

/** One scan, with the RPC requests it sent and the peak memory sampled while it ran. */
async function timedScan(deps: RunOutDeps, rpcSent: () => number): Promise<Timed> {
  globalThis.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, usage.heapUsed - baseline);
    peakRss = Math.max(peakRss, usage.rss);
  };
  const timer = setInterval(sample, 5);
  const before = rpcSent();
  const started = performance.now();
  const scan = await scanRunOuts(deps);
  const elapsed = performance.now() - started;
  clearInterval(timer);
  sample();
  return { ms: elapsed, rpc: rpcSent() - before, peakHeap, peakRss, scan };
}

async function liveCount(tally: Tally): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    tally.database.db,
    sql`SELECT count(*)::int AS count FROM streams_subscriptions WHERE state IN ('active', 'at_risk')`,
  );
  return row?.count ?? 0;
}

const randomAddress = (): Address =>
  getAddress(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex')}` as Hex);
const median = (values: readonly number[]) =>
  values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(errorText(error).slice(0, 2_000));
    process.exit(1);
  },
);
