import { and, eq, sql } from 'drizzle-orm';
import {
  type Address,
  createWalletClient,
  encodeFunctionData,
  getAddress,
  type Hex,
  HttpRequestError,
  http,
  parseEther,
  parseGwei,
} from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../../test/support/anvil';
import { freshDatabase } from '../../../test/support/database';
import { startUnreliableRpc, type UnreliableRpc } from '../../../test/support/unreliable-rpc';
import { TestClock } from '../../core/clock';
import type { Database, Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { databaseStep, defineFlow, FlowRunner } from '../../core/flows';
import { flows as flowsTable } from '../../core/flows.schema';
import { silentLogger } from '../../core/log';
import { type ChainClient, createChainClient } from '../client';
import * as TestUSDC from '../contracts/TestUSDC';
import { type OutgoingState, outgoingStates, outgoingTransactions, signers } from '../schema';
import { bumpFees, capFees } from './gas';
import {
  estimateGasLimit,
  getOutgoingTransaction,
  listOutgoingTransactions,
  moveOutgoingState,
  type OutgoingTransaction,
  prepareSigner,
  type QueueTransactionInput,
  queueTransaction,
  Sender,
  type SenderDeps,
  type SenderOptions,
  type SenderPass,
  type Settlement,
} from './sender';

const MAX_GAS = 500_000n;
const BUMP_AFTER_MS = 60_000;
const RETRY_MS = 5_000;

let anvil: Anvil;
let chain: ChainClient;
let database: Database;
let db: Db;

beforeAll(async () => {
  [anvil, database] = await Promise.all([startAnvil(), freshDatabase()]);
  chain = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.publicClient.chain.id, dev: true });
  db = database.db;
});

afterEach(async () => {
  await anvil.testClient.setAutomine(true);
});

interface Treasury {
  account: PrivateKeyAccount;
  /** A TestUSDC the treasury owns, so it can mint. */
  usdc: Address;
  clock: TestClock;
}

/** A fresh key with ETH and a token of its own, prepared to send: each test has its own nonces. */
async function newTreasury(): Promise<Treasury> {
  const account = privateKeyToAccount(generatePrivateKey());
  await anvil.testClient.setBalance({ address: account.address, value: parseEther('100') });
  const hash = await anvil.wallet(0).deployContract({
    abi: TestUSDC.abi,
    bytecode: TestUSDC.bytecode,
    args: [account.address],
  });
  const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error('deployment made no contract');
  const clock = new TestClock();
  await prepareSigner(db, clock, chain, account.address);
  return { account, usdc: getAddress(receipt.contractAddress), clock };
}

function newSender(treasury: Treasury, options: Partial<SenderOptions> = {}, deps: Partial<SenderDeps> = {}) {
  return new Sender(
    { db, clock: treasury.clock, chain, account: treasury.account, log: silentLogger, ...deps },
    {
      confirmations: 0,
      maxFeePerGas: parseGwei('100'),
      pollMs: 0,
      bumpAfterMs: BUMP_AFTER_MS,
      retryMs: RETRY_MS,
      ...options,
    },
  );
}

const newAddress = () => privateKeyToAccount(generatePrivateKey()).address;
const mintData = (to: Address, amount: bigint) =>
  encodeFunctionData({ abi: TestUSDC.abi, functionName: 'mint', args: [to, amount] });
const transferData = (to: Address, amount: bigint) =>
  encodeFunctionData({ abi: TestUSDC.abi, functionName: 'transfer', args: [to, amount] });

type Request = Omit<QueueTransactionInput, 'chainId' | 'from' | 'gasLimit' | 'purpose'> &
  Partial<Pick<QueueTransactionInput, 'gasLimit' | 'purpose'>>;

/** Queues in a transaction of its own, estimating the gas first when the request names none. */
async function queue(treasury: Treasury, request: Request): Promise<OutgoingTransaction> {
  const from = treasury.account.address;
  const gasLimit =
    request.gasLimit ??
    (await estimateGasLimit(chain, { from, to: request.to, data: request.data }, { maxGasLimit: MAX_GAS }));
  return db.transaction((tx) =>
    queueTransaction(tx, treasury.clock, {
      chainId: chain.chainId,
      from,
      purpose: 'payout',
      ...request,
      gasLimit,
    }),
  );
}

async function stored(id: string): Promise<OutgoingTransaction> {
  const transaction = await getOutgoingTransaction(db, id);
  if (!transaction) throw new Error(`transaction ${id} is gone`);
  return transaction;
}

async function nextNonce(account: PrivateKeyAccount): Promise<bigint> {
  const [row] = await db
    .select({ nextNonce: signers.nextNonce })
    .from(signers)
    .where(and(eq(signers.chainId, chain.chainId), eq(signers.address, account.address)));
  if (!row) throw new Error('no signer row');
  return row.nextNonce;
}

/**
 * One pass of the sender. Anvil's automine mines a little after it accepts a transaction, so with
 * automine on the pass waits until nothing executable is left in the pool, as it would be on a chain
 * whose blocks follow each other; with automine off, blocks come only from `mine`.
 */
async function runPass(sender: Sender): Promise<SenderPass> {
  const pass = await sender.processDue();
  if (!(await anvil.testClient.getAutomine())) return pass;
  for (let tries = 0; tries < 400; tries++) {
    if ((await anvil.testClient.getTxpoolStatus()).pending === 0) return pass;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('anvil did not mine what the sender broadcast');
}

/** Runs passes until every one of `ids` is final; fails if that takes more than `maxPasses`. */
async function processUntilFinal(
  sender: Sender,
  ids: string[],
  maxPasses = 6,
): Promise<OutgoingTransaction[]> {
  for (let pass = 0; pass < maxPasses; pass++) {
    await runPass(sender);
    const rows = await Promise.all(ids.map(stored));
    if (rows.every((row) => row.state !== 'queued' && row.state !== 'pending')) return rows;
  }
  const states = (await Promise.all(ids.map(stored))).map(
    (row) => `${row.nonce}:${row.state}:${row.lastError}`,
  );
  throw new Error(`not final after ${maxPasses} passes: ${states.join(', ')}`);
}

const balanceOf = (token: Address, holder: Address) =>
  anvil.publicClient.readContract({
    address: token,
    abi: TestUSDC.abi,
    functionName: 'balanceOf',
    args: [holder],
  });

describe('queueing', () => {
  it('sends 50 payouts queued by 50 concurrent transactions: nonces without gap or repeat, all landed', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury);
    const recipients = Array.from({ length: 50 }, newAddress);
    const amountFor = (index: number) => BigInt(index + 1) * 1_000_000n;
    const total = recipients.reduce((sum, _, index) => sum + amountFor(index), 0n);
    const from = treasury.account.address;
    const mint = await queue(treasury, {
      to: treasury.usdc,
      data: mintData(from, total + 7n),
      purpose: 'faucet',
    });
    expect((await processUntilFinal(sender, [mint.id]))[0]?.state).toBe('confirmed');

    const gasLimits = await Promise.all(
      recipients.map((to, index) =>
        estimateGasLimit(
          chain,
          { from, to: treasury.usdc, data: transferData(to, amountFor(index)) },
          { maxGasLimit: MAX_GAS },
        ),
      ),
    );
    const firstNonce = await nextNonce(treasury.account);
    let open = 0;
    let mostOpen = 0;
    const queued = await Promise.all(
      recipients.map((to, index) =>
        db.transaction(async (tx) => {
          open++;
          mostOpen = Math.max(mostOpen, open);
          try {
            return await queueTransaction(tx, treasury.clock, {
              chainId: chain.chainId,
              from,
              to: treasury.usdc,
              data: transferData(to, amountFor(index)),
              gasLimit: gasLimits[index]!,
              purpose: 'payout',
              metadata: { recipient: to },
            });
          } finally {
            open--;
          }
        }),
      ),
    );
    // On PostgreSQL the 50 transactions really overlap, and only the signer's lock orders them.
    if (database.parallelism > 1) expect(mostOpen).toBeGreaterThan(1);
    const nonces = queued.map((t) => t.nonce).sort((a, b) => (a < b ? -1 : 1));
    expect(nonces).toEqual(Array.from({ length: 50 }, (_, index) => firstNonce + BigInt(index)));
    expect(await nextNonce(treasury.account)).toBe(firstNonce + 50n);

    const finals = await processUntilFinal(
      sender,
      queued.map((t) => t.id),
    );
    expect(finals.map((t) => t.state)).toEqual(finals.map(() => 'confirmed'));
    for (const final of finals) {
      const mined = await anvil.publicClient.getTransaction({ hash: final.minedHash! });
      expect(BigInt(mined.nonce)).toBe(final.nonce);
      const receipt = await anvil.publicClient.getTransactionReceipt({ hash: final.minedHash! });
      expect(receipt.status).toBe('success');
      expect(final.blockNumber).toBe(receipt.blockNumber);
      expect(final.gasUsed).toBe(receipt.gasUsed);
      expect(final.finishedAt).toEqual(treasury.clock.now());
    }
    const balances = await Promise.all(recipients.map((to) => balanceOf(treasury.usdc, to)));
    expect(balances).toEqual(recipients.map((_, index) => amountFor(index)));
    expect(await balanceOf(treasury.usdc, from)).toBe(7n);
  });

  it('takes one nonce per idempotency key, also when the key arrives twice at once', async () => {
    const treasury = await newTreasury();
    const recipient = newAddress();
    const request = { to: treasury.usdc, data: mintData(recipient, 5n), idempotencyKey: 'payout-1' };
    const start = await nextNonce(treasury.account);
    const first = await queue(treasury, request);
    const again = await queue(treasury, request);
    expect(again.id).toBe(first.id);
    expect(await nextNonce(treasury.account)).toBe(start + 1n);

    const racing = await Promise.all(
      Array.from({ length: 5 }, () => queue(treasury, { ...request, idempotencyKey: 'payout-2' })),
    );
    expect(new Set(racing.map((t) => t.id)).size).toBe(1);
    expect(await nextNonce(treasury.account)).toBe(start + 2n);
    const [counted] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(outgoingTransactions)
      .where(eq(outgoingTransactions.fromAddress, treasury.account.address));
    expect(counted?.count).toBe(2);

    const conflict = await queue(treasury, { ...request, data: mintData(recipient, 6n) }).catch(
      (e: unknown) => e,
    );
    expect(conflict).toBeInstanceOf(AppError);
    expect((conflict as AppError).code).toBe('idempotency_conflict');
    const otherSigner = await newTreasury();
    const elsewhere = await queue(otherSigner, { ...request, to: otherSigner.usdc }).catch((e: unknown) => e);
    expect((elsewhere as AppError).code).toBe('idempotency_conflict');
    expect(await nextNonce(treasury.account)).toBe(start + 2n);
  });

  it('refuses a signer that was never prepared, and malformed requests', async () => {
    const treasury = await newTreasury();
    const stranger = privateKeyToAccount(generatePrivateKey());
    const unprepared = await db
      .transaction((tx) =>
        queueTransaction(tx, treasury.clock, {
          chainId: chain.chainId,
          from: stranger.address,
          to: treasury.usdc,
          gasLimit: 50_000n,
          purpose: 'payout',
        }),
      )
      .catch((e: unknown) => e);
    expect((unprepared as AppError).code).toBe('unavailable');
    for (const bad of [
      { to: treasury.account.address },
      { to: treasury.usdc, data: '0x123' as Hex },
      { to: treasury.usdc, value: -1n },
      { to: treasury.usdc, gasLimit: 0n },
      { to: '0xnot-an-address' as Address },
    ]) {
      const refused = await queue(treasury, { gasLimit: 50_000n, ...bad }).catch((e: unknown) => e);
      expect((refused as AppError).code).toBe('validation_failed');
    }
  });
});

describe('gas', () => {
  it('refuses above the gas cap, and names a revert before anything is queued', async () => {
    const treasury = await newTreasury();
    const from = treasury.account.address;
    const data = mintData(newAddress(), 1n);
    const limit = await estimateGasLimit(chain, { from, to: treasury.usdc, data }, { maxGasLimit: MAX_GAS });
    const estimate = await anvil.publicClient.estimateGas({ account: from, to: treasury.usdc, data });
    expect(limit).toBe((estimate * 6n + 4n) / 5n);

    const capped = await estimateGasLimit(
      chain,
      { from, to: treasury.usdc, data },
      { maxGasLimit: limit - 1n },
    ).catch((e: unknown) => e);
    expect((capped as AppError).code).toBe('domain_rule');
    expect((capped as AppError).message).toMatch(/more than the limit/);

    // The treasury holds no USDC: the transfer would revert.
    const reverting = await queue(treasury, {
      to: treasury.usdc,
      data: transferData(newAddress(), 1n),
    }).catch((e: unknown) => e);
    expect((reverting as AppError).code).toBe('domain_rule');
    expect((reverting as AppError).message).toMatch(/would revert/);
    expect(((reverting as AppError).details as { reason: string }).reason).toMatch(
      /ERC20: transfer amount exceeds balance$/,
    );
    const listed = await db
      .select()
      .from(outgoingTransactions)
      .where(eq(outgoingTransactions.fromAddress, from));
    expect(listed).toHaveLength(0);
  });
  it('refuses a payout to a blacklisted payee before queueing, naming USDC’s reason', async () => {
    const treasury = await newTreasury();
    const payee = newAddress();
    await waitForTreasuryCall(treasury, mintData(treasury.account.address, 10n));
    await waitForTreasuryCall(
      treasury,
      encodeFunctionData({ abi: TestUSDC.abi, functionName: 'blacklist', args: [payee] }),
    );
    const refused = await queue(treasury, { to: treasury.usdc, data: transferData(payee, 1n) }).catch(
      (e: unknown) => e,
    );
    expect((refused as AppError).code).toBe('domain_rule');
    expect(((refused as AppError).details as { reason: string }).reason).toMatch(
      /Blacklistable: account is blacklisted$/,
    );
    const paid = await queue(treasury, { to: treasury.usdc, data: transferData(newAddress(), 1n) });
    expect(paid.state).toBe('queued');
  });
});

/** A call the treasury makes to its own token outside the sender (it holds every role). */
async function waitForTreasuryCall(treasury: Treasury, data: Hex): Promise<void> {
  const hash = await anvil.wallet(0).sendTransaction({
    account: treasury.account,
    to: treasury.usdc,
    data,
  });
  const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
}

describe('fees', () => {
  it('raises both fees by at least 12.5 % (one wei from zero), never past the cap', () => {
    const previous = { maxFeePerGas: 100n, maxPriorityFeePerGas: 0n };
    expect(bumpFees(previous, { maxFeePerGas: 50n, maxPriorityFeePerGas: 0n }, 1_000n)).toEqual({
      maxFeePerGas: 113n,
      maxPriorityFeePerGas: 1n,
    });
    expect(bumpFees(previous, { maxFeePerGas: 200n, maxPriorityFeePerGas: 5n }, 1_000n)).toEqual({
      maxFeePerGas: 200n,
      maxPriorityFeePerGas: 5n,
    });
    expect(bumpFees(previous, { maxFeePerGas: 200n, maxPriorityFeePerGas: 5n }, 112n)).toBeUndefined();
    expect(capFees({ maxFeePerGas: 300n, maxPriorityFeePerGas: 400n }, 250n)).toEqual({
      maxFeePerGas: 250n,
      maxPriorityFeePerGas: 250n,
    });
  });
});

describe('sending', () => {
  it('finishes after a restart what an earlier process broadcast, and two processes never send one twice', async () => {
    const treasury = await newTreasury();
    await anvil.testClient.setAutomine(false);
    const start = await nextNonce(treasury.account);
    const rows = await Promise.all(
      [1n, 2n, 3n].map((n) => queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), n) })),
    );
    const [one, two] = [newSender(treasury), newSender(treasury)];
    const passes = await Promise.all([runPass(one), runPass(two)]);
    expect(passes[0].claimed + passes[1].claimed).toBe(3);
    expect(passes[0].sent + passes[1].sent).toBe(3);
    const pending = await Promise.all(rows.map((r) => stored(r.id)));
    expect(pending.map((r) => [r.state, r.hashes.length])).toEqual(pending.map(() => ['pending', 1]));

    // The process restarts: the signer keeps its nonce, a new sender picks the transactions up.
    const prepared = await prepareSigner(db, treasury.clock, chain, treasury.account.address);
    expect(prepared).toMatchObject({ nextNonce: start + 3n, chainNonce: start + 3n, skipped: 0n });
    await anvil.testClient.mine({ blocks: 1 });
    const finals = await processUntilFinal(
      newSender(treasury),
      rows.map((r) => r.id),
    );
    expect(finals.map((r) => r.state)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    expect(finals.map((r) => r.minedHash)).toEqual(pending.map((r) => r.hashes[0]));
  });

  it('moves next_nonce past nonces used outside Tally, and cancels a transaction whose nonce someone else took', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury);
    const outside = createWalletClient({
      account: treasury.account,
      chain: chain.chain,
      transport: http(anvil.rpcUrl),
    });
    const start = await nextNonce(treasury.account);

    // Queued but not yet broadcast: the chain counts fewer, and the nonce is kept.
    const waiting = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    const kept = await prepareSigner(db, treasury.clock, chain, treasury.account.address);
    expect(kept).toMatchObject({ nextNonce: start + 1n, chainNonce: start, skipped: 0n });

    // Someone with the key sends first, on the nonce Tally had handed out.
    const theirs = await outside.sendTransaction({ to: newAddress(), value: 1n });
    await anvil.publicClient.waitForTransactionReceipt({ hash: theirs });
    const lost = (await processUntilFinal(sender, [waiting.id]))[0]!;
    expect(lost.state).toBe('cancelled');
    expect(lost.lastError).toBe(`nonce ${start} was used by ${theirs}, a transaction Tally did not send`);

    for (let i = 0; i < 2; i++) {
      await anvil.publicClient.waitForTransactionReceipt({
        hash: await outside.sendTransaction({ to: newAddress(), value: 1n }),
      });
    }
    const moved = await prepareSigner(db, treasury.clock, chain, treasury.account.address);
    expect(moved).toMatchObject({ nextNonce: start + 3n, skipped: 2n });
    const next = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    expect(next.nonce).toBe(start + 3n);
    expect((await processUntilFinal(sender, [next.id]))[0]?.state).toBe('confirmed');
  });

  it('re-signs a stuck transaction with fees 12.5 % higher, and the replacement is the one mined', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury);
    await anvil.testClient.setAutomine(false);
    const row = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    expect((await runPass(sender)).sent).toBe(1);
    const sent = await stored(row.id);

    treasury.clock.advance(BUMP_AFTER_MS - 1);
    expect(await runPass(sender)).toMatchObject({ rebroadcast: 1, bumped: 0 });
    expect((await stored(row.id)).hashes).toEqual(sent.hashes);

    treasury.clock.advance(1);
    expect((await runPass(sender)).bumped).toBe(1);
    const bumped = await stored(row.id);
    expect(bumped.hashes).toHaveLength(2);
    expect(bumped.maxFeePerGas! * 8n).toBeGreaterThanOrEqual(sent.maxFeePerGas! * 9n);
    expect(bumped.maxPriorityFeePerGas! * 8n).toBeGreaterThanOrEqual(sent.maxPriorityFeePerGas! * 9n);
    const replacement = await anvil.publicClient.getTransaction({ hash: bumped.hashes[1]! });
    expect(replacement.maxFeePerGas).toBe(bumped.maxFeePerGas);
    expect(BigInt(replacement.nonce)).toBe(row.nonce);

    await anvil.testClient.mine({ blocks: 1 });
    const final = (await processUntilFinal(sender, [row.id]))[0]!;
    expect(final.state).toBe('confirmed');
    expect(final.minedHash).toBe(bumped.hashes[1]);
  });

  it('broadcasts again a transaction the node dropped', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury);
    await anvil.testClient.setAutomine(false);
    const row = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    await runPass(sender);
    const [hash] = (await stored(row.id)).hashes;
    await anvil.testClient.dropTransaction({ hash: hash! });
    await expect(anvil.publicClient.getTransaction({ hash: hash! })).rejects.toThrow(/could not be found/);

    expect(await runPass(sender)).toMatchObject({ rebroadcast: 1, sent: 0 });
    expect((await anvil.publicClient.getTransaction({ hash: hash! })).hash).toBe(hash);
    await anvil.testClient.mine({ blocks: 1 });
    const final = (await processUntilFinal(sender, [row.id]))[0]!;
    expect([final.state, final.minedHash]).toEqual(['confirmed', hash]);
  });

  it('waits out an unreachable node without counting it against the transaction, in nonce order', async () => {
    const treasury = await newTreasury();
    const failing: ChainClient = {
      ...chain,
      publicClient: {
        ...chain.publicClient,
        sendRawTransaction: () =>
          Promise.reject(new HttpRequestError({ url: chain.rpcUrl, details: 'socket hang up' })),
      },
    };
    const rows = [
      await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) }),
      await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 2n) }),
    ];
    const pass = await runPass(newSender(treasury, {}, { chain: failing }));
    expect(pass).toMatchObject({ claimed: 2, sent: 0, failed: 1 });
    const [first, second] = await Promise.all(rows.map((r) => stored(r.id)));
    expect([first?.state, first?.attempts, first?.lastError]).toEqual(['queued', 0, 'socket hang up']);
    // The second was never tried: the node is unreachable for it too.
    await expect(anvil.publicClient.getTransaction({ hash: second!.hashes[0]! })).rejects.toThrow(
      /could not be found/,
    );

    const sender = newSender(treasury);
    expect((await runPass(sender)).claimed).toBe(0);
    treasury.clock.advance(RETRY_MS);
    const finals = await processUntilFinal(
      sender,
      rows.map((r) => r.id),
    );
    expect(finals.map((r) => [r.state, r.attempts, r.lastError])).toEqual([
      ['confirmed', 0, null],
      ['confirmed', 0, null],
    ]);
  });

  it('waits for ETH when the wallet cannot pay for gas, and fills a payout larger than the wallet', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { maxAttempts: 2 });
    const from = treasury.account.address;
    const tooLarge = await queue(treasury, {
      to: newAddress(),
      value: parseEther('1000'),
      gasLimit: 21_000n,
    });
    await anvil.testClient.setBalance({ address: from, value: 0n });
    expect(await runPass(sender)).toMatchObject({ failed: 1, sent: 0 });
    const waiting = await stored(tooLarge.id);
    expect([waiting.state, waiting.attempts]).toEqual(['queued', 0]);
    expect(waiting.lastError).toMatch(/lacks the ETH to pay for gas/);

    await anvil.testClient.setBalance({ address: from, value: parseEther('100') });
    treasury.clock.advance(RETRY_MS);
    await runPass(sender);
    expect((await stored(tooLarge.id)).attempts).toBe(1);
    treasury.clock.advance(RETRY_MS);
    await runPass(sender);
    expect((await stored(tooLarge.id)).attempts).toBe(2);
    const final = (await processUntilFinal(sender, [tooLarge.id]))[0]!;
    expect([final.state, final.lastError]).toEqual([
      'cancelled',
      expect.stringMatching(/insufficient funds/i),
    ]);
    expect(await anvil.publicClient.getBalance({ address: tooLarge.toAddress })).toBe(0n);
  });

  it('keeps a mined transaction pending until it has the confirmations asked for', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { confirmations: 2 });
    const row = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    await runPass(sender);
    const receipt = await anvil.publicClient.getTransactionReceipt({
      hash: (await stored(row.id)).hashes[0]!,
    });

    await runPass(sender);
    const seen = await stored(row.id);
    expect([seen.state, seen.minedHash, seen.blockNumber]).toEqual([
      'pending',
      receipt.transactionHash,
      receipt.blockNumber,
    ]);
    await anvil.testClient.mine({ blocks: 1 });
    await runPass(sender);
    expect((await stored(row.id)).state).toBe('pending');
    await anvil.testClient.mine({ blocks: 1 });
    expect((await runPass(sender)).confirmed).toBe(1);
    expect((await stored(row.id)).state).toBe('confirmed');
  });

  it('records a revert and lets later nonces land; starts each outcome’s settlement once, as a flow', async () => {
    const treasury = await newTreasury();
    const seen: [string, OutgoingState | undefined][] = [];
    let failOnce = true;
    const settlePayout = defineFlow<Settlement>({
      name: 'test.settle_payout',
      steps: [
        databaseStep('record', async (tx, { input }) => {
          const [row] = await tx
            .select({ state: outgoingTransactions.state })
            .from(outgoingTransactions)
            .where(eq(outgoingTransactions.id, input.transactionId));
          if (failOnce) {
            failOnce = false;
            throw new Error('the ledger is busy');
          }
          seen.push([input.state, row?.state]);
          return null;
        }),
      ],
    });
    const flows = new FlowRunner({ db, clock: treasury.clock, log: silentLogger }, [settlePayout], {
      retryMs: RETRY_MS,
    });
    const sender = newSender(treasury, {}, { settlements: new Map([['payout', settlePayout]]), flows });
    // The treasury holds no USDC: the transfer is sent (with a gas limit of our own) and reverts.
    const reverting = await queue(treasury, {
      to: treasury.usdc,
      data: transferData(newAddress(), 1n),
      gasLimit: 100_000n,
    });
    const later = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    // Another purpose, with no settlement: it is only recorded.
    const unsettled = await queue(treasury, {
      to: treasury.usdc,
      data: mintData(newAddress(), 1n),
      purpose: 'faucet',
    });
    const finals = await processUntilFinal(sender, [reverting.id, later.id, unsettled.id]);
    expect(finals.map((r) => r.state)).toEqual(['reverted', 'confirmed', 'confirmed']);
    const receipt = await anvil.publicClient.getTransactionReceipt({ hash: finals[0]!.minedHash! });
    expect(receipt.status).toBe('reverted');

    // The first settlement failed once and waits for its retry; the outcome itself stands.
    const started = await db.select().from(flowsTable).where(eq(flowsTable.name, 'test.settle_payout'));
    expect(started.map((f) => f.key).sort()).toEqual([reverting.id, later.id].sort());
    treasury.clock.advance(RETRY_MS);
    await flows.runDue();
    // Each settlement saw its final state already recorded, and ran once.
    expect(seen.sort()).toEqual(
      [
        ['confirmed', 'confirmed'],
        ['reverted', 'reverted'],
      ].sort(),
    );
    await runPass(sender);
    await flows.runDue();
    expect(seen).toHaveLength(2);
  });

  it('fills the nonce of a transaction the node refuses for good, so later ones land', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { maxAttempts: 3 });
    const refused = await queue(treasury, {
      to: treasury.usdc,
      data: mintData(newAddress(), 1n),
      gasLimit: 1_000n,
    });
    const later = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    expect(await runPass(sender)).toMatchObject({ failed: 1, sent: 1 });
    const marked = await stored(refused.id);
    expect([marked.state, marked.attempts]).toEqual(['queued', 3]);
    expect(marked.lastError).toMatch(/intrinsic gas too low/);

    const finals = await processUntilFinal(sender, [refused.id, later.id]);
    expect(finals.map((r) => r.state)).toEqual(['cancelled', 'confirmed']);
    const filler = await anvil.publicClient.getTransaction({ hash: finals[0]!.minedHash! });
    expect([filler.to, filler.value, filler.input, BigInt(filler.nonce)]).toEqual([
      treasury.account.address.toLowerCase(),
      0n,
      '0x',
      refused.nonce,
    ]);
    expect(finals[0]?.lastError).toMatch(/intrinsic gas too low/);
  });
});

describe('states and reads', () => {
  it('refuses every move the state machine does not allow', () => {
    const allowed = new Set([
      'queued>pending',
      'queued>confirmed',
      'queued>reverted',
      'queued>cancelled',
      'pending>confirmed',
      'pending>reverted',
      'pending>cancelled',
    ]);
    for (const from of outgoingStates) {
      for (const to of outgoingStates) {
        const move = () => moveOutgoingState(from, to);
        if (allowed.has(`${from}>${to}`)) expect(move()).toBe(to);
        else expect(move).toThrow(AppError);
      }
    }
  });

  it('lists newest first, by state, a page at a time', async () => {
    const treasury = await newTreasury();
    const rows: OutgoingTransaction[] = [];
    for (let i = 0; i < 3; i++) {
      rows.push(
        await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n), purpose: `list-${i}` }),
      );
      treasury.clock.advance(1);
    }
    const firstPage = await listOutgoingTransactions(db, { state: 'queued', limit: 2 });
    expect(firstPage.items.map((t) => t.id)).toEqual([rows[2]!.id, rows[1]!.id]);
    const secondPage = await listOutgoingTransactions(db, {
      state: 'queued',
      limit: 1,
      cursor: firstPage.nextCursor!,
    });
    expect(secondPage.items.map((t) => t.id)).toEqual([rows[0]!.id]);
    const confirmed = await listOutgoingTransactions(db, { state: 'confirmed', limit: 200 });
    expect(confirmed.items.length).toBeGreaterThan(0);
    expect(confirmed.items.every((t) => t.state === 'confirmed')).toBe(true);
    expect(await getOutgoingTransaction(db, rows[0]!.id)).toEqual(rows[0]);
    expect(rows[0]).toMatchObject({
      value: 0n,
      purpose: 'list-0',
      state: 'queued',
      hashes: [],
      minedHash: null,
    });
    expect(typeof rows[0]!.gasLimit).toBe('bigint');
    expect(await getOutgoingTransaction(db, 'not-an-id')).toBeUndefined();
  });
});

describe('through an RPC that lags, loses answers and refuses', () => {
  let rpc: UnreliableRpc;
  let flaky: ChainClient;

  beforeAll(async () => {
    rpc = await startUnreliableRpc(anvil.rpcUrl);
    flaky = createChainClient({ rpcUrl: rpc.url, chainId: chain.chainId, dev: true });
  });
  afterEach(() => rpc.heal());
  afterAll(() => rpc.stop());

  it('never calls a mined payout cancelled when the receipts lag behind the head', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { confirmations: 2 }, { chain: flaky });
    const payee = newAddress();
    const payout = await queue(treasury, { to: treasury.usdc, data: mintData(payee, 5n) });
    await runPass(sender);
    const [hash] = (await stored(payout.id)).hashes;
    // Two blocks on top: the nonce is used for good, but the receipt index is three blocks behind.
    rpc.faults.receiptLagBlocks = 3;
    await anvil.testClient.mine({ blocks: 2 });
    const lagging = await runPass(sender);
    expect(lagging.cancelled).toBe(0);
    const found = await stored(payout.id);
    expect(found.state).toBe('pending');
    expect(found.minedHash).toBe(hash);
    expect(found.finishedAt).toBeNull();

    rpc.heal();
    const [final] = await processUntilFinal(sender, [payout.id]);
    expect(final?.state).toBe('confirmed');
    expect(await balanceOf(treasury.usdc, payee)).toBe(5n);
  });

  it('waits, and cancels nothing, while no node can say which transaction used the nonce', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { confirmations: 1 }, { chain: flaky });
    const payout = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 5n) });
    await runPass(sender);
    await anvil.testClient.mine({ blocks: 1 });
    // Receipts and the blocks' own lists are both out of reach: nothing can be concluded.
    rpc.faults.receiptLagBlocks = 5;
    const fullBlocks = (params: unknown[]) => params[1] === true;
    rpc.refuse('eth_getBlockByNumber', { code: -32000, message: 'header not found' }, 100, fullBlocks);
    await runPass(sender);
    const waiting = await stored(payout.id);
    expect(waiting.state).toBe('pending');
    expect(waiting.lastError).toBe(
      `nonce ${payout.nonce} is used, and no node has said yet by which transaction`,
    );
    rpc.heal();
    expect((await processUntilFinal(sender, [payout.id]))[0]?.state).toBe('confirmed');
  });

  it('sends the same signed bytes again after lost answers, and bumps only from a version a node took', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, {}, { chain: flaky });
    await anvil.testClient.setAutomine(false);
    const payout = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 5n) });
    await sender.processDue();
    const first = await stored(payout.id);
    expect(first.acceptedHash).toBe(first.hashes[0]);

    // Stuck long enough for a bump; then a minute of lost answers (the node takes each send).
    rpc.loseAnswers('eth_sendRawTransaction', 6);
    for (let pass = 0; pass < 6; pass++) {
      treasury.clock.advance(BUMP_AFTER_MS);
      await sender.processDue();
    }
    const during = await stored(payout.id);
    expect(during.hashes).toHaveLength(2);
    const once = bumpFees(
      { maxFeePerGas: first.maxFeePerGas!, maxPriorityFeePerGas: first.maxPriorityFeePerGas! },
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      parseGwei('100'),
    )!;
    expect(during.maxPriorityFeePerGas).toBe(once.maxPriorityFeePerGas);
    expect(during.acceptedHash).toBe(first.hashes[0]);

    // The answer comes through: the node already had it, and it is the accepted version now.
    treasury.clock.advance(RETRY_MS);
    await sender.processDue();
    const accepted = await stored(payout.id);
    expect(accepted.hashes).toHaveLength(2);
    expect(accepted.acceptedHash).toBe(accepted.hashes[1]);
    expect(accepted.sentAt).toEqual(treasury.clock.now());
    await anvil.testClient.mine({ blocks: 1 });
    const [final] = await processUntilFinal(sender, [payout.id]);
    expect(final?.state).toBe('confirmed');
    expect(final?.minedHash).toBe(accepted.hashes[1]);
  });

  it('waits when the node’s pool cannot take a transaction, holds later nonces, and never fills them', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { maxAttempts: 2 }, { chain: flaky });
    const payouts = [
      await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) }),
      await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 2n) }),
    ];
    for (const message of [
      'nonce too high',
      'replacement transaction underpriced',
      'txpool is full',
      'transaction underpriced',
    ]) {
      rpc.refuse('eth_sendRawTransaction', { code: -32000, message }, 3);
      for (let pass = 0; pass < 3; pass++) {
        await sender.processDue();
        treasury.clock.advance(RETRY_MS);
      }
      const rows = await Promise.all(payouts.map((p) => stored(p.id)));
      expect(rows.map((r) => [r.state, r.attempts])).toEqual([
        ['queued', 0],
        ['queued', 0],
      ]);
      expect(rows[0]?.lastError).toBe(`the node's pool cannot take it now: ${message}`);
    }
    rpc.heal();
    const finals = await processUntilFinal(
      sender,
      payouts.map((p) => p.id),
    );
    expect(finals.map((f) => f.state)).toEqual(['confirmed', 'confirmed']);
    // Each landed as itself: no filler took a nonce.
    expect(finals.map((f) => f.minedHash)).toEqual(finals.map((f) => f.hashes[0]));
  });

  it('forgets refusals once a node takes a version', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { maxAttempts: 3 }, { chain: flaky });
    const payout = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 1n) });
    rpc.refuse('eth_sendRawTransaction', { code: -32000, message: 'something the node dislikes' }, 2);
    for (let pass = 0; pass < 2; pass++) {
      await sender.processDue();
      treasury.clock.advance(60_000);
    }
    expect((await stored(payout.id)).attempts).toBe(2);
    await runPass(sender);
    const sent = await stored(payout.id);
    expect(sent.attempts).toBe(0);
    expect(sent.lastError).toBeNull();
  });

  it('sends again a payout a reorg took off the chain before its confirmations, and pays it once', async () => {
    const treasury = await newTreasury();
    const sender = newSender(treasury, { confirmations: 3 }, { chain: flaky });
    const payee = newAddress();
    const payout = await queue(treasury, { to: treasury.usdc, data: mintData(payee, 8n) });
    await runPass(sender);
    await anvil.testClient.mine({ blocks: 1 });
    await runPass(sender);
    expect((await stored(payout.id)).state).toBe('pending');
    expect(await balanceOf(treasury.usdc, payee)).toBe(8n);

    // The block that mined it and the one above are replaced by empty ones: the payout is gone.
    await rpc.reorg(2);
    expect(await balanceOf(treasury.usdc, payee)).toBe(0n);
    for (let pass = 0; pass < 8 && (await stored(payout.id)).state !== 'confirmed'; pass++) {
      await runPass(sender);
      await anvil.testClient.mine({ blocks: 1 });
      treasury.clock.advance(RETRY_MS);
    }
    const final = await stored(payout.id);
    expect(final.state).toBe('confirmed');
    expect(final.hashes).toHaveLength(1);
    expect(await balanceOf(treasury.usdc, payee)).toBe(8n);
  });

  it('fills a nonce an outside transaction held and then lost, so its own payouts land', async () => {
    const treasury = await newTreasury();
    await anvil.testClient.setAutomine(false);
    // Someone with the key sends while Tally takes the signer over: the pool counts their nonce.
    const outside = createWalletClient({
      account: treasury.account,
      chain: chain.chain,
      transport: http(anvil.rpcUrl),
    });
    const start = await nextNonce(treasury.account);
    const theirs = await outside.sendTransaction({ to: newAddress(), value: 1n, nonce: Number(start) });
    expect((await prepareSigner(db, treasury.clock, chain, treasury.account.address)).skipped).toBe(1n);
    // The node drops it: nonce `start` will never be used by anyone else.
    await anvil.testClient.dropTransaction({ hash: theirs });
    const sender = newSender(treasury, { gapGraceMs: 30_000 }, { chain: flaky });
    rpc.faults.refuseNonceGaps = true;
    const payout = await queue(treasury, { to: treasury.usdc, data: mintData(newAddress(), 3n) });
    expect(payout.nonce).toBe(start + 1n);

    await sender.processDue();
    expect((await stored(payout.id)).lastError).toBe("the node's pool cannot take it now: nonce too high");
    treasury.clock.advance(29_000);
    await sender.processDue();
    const fillers = () =>
      db
        .select()
        .from(outgoingTransactions)
        .where(
          and(
            eq(outgoingTransactions.fromAddress, treasury.account.address),
            eq(outgoingTransactions.purpose, 'nonce_gap'),
          ),
        );
    expect(await fillers()).toEqual([]);

    treasury.clock.advance(RETRY_MS);
    await sender.processDue();
    const [filler] = await fillers();
    expect(filler).toMatchObject({ nonce: start, toAddress: treasury.account.address, value: '0' });
    await anvil.testClient.setAutomine(true);
    for (let pass = 0; pass < 6 && (await stored(payout.id)).state !== 'confirmed'; pass++) {
      await runPass(sender);
      treasury.clock.advance(RETRY_MS);
    }
    expect((await stored(filler!.id)).state).toBe('confirmed');
    expect((await stored(payout.id)).state).toBe('confirmed');
  });
});
