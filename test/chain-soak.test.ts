import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  parseAbiItem,
  parseEther,
  parseGwei,
} from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import * as TestUSDC from '../src/chain/contracts/TestUSDC';
import { chainEventId, derivedUuid } from '../src/chain/follower/events';
import { DEV_MNEMONIC } from '../src/chain/runtime';
import { DEFAULT_LEASE_MS } from '../src/chain/sender/sender';
import { queryRows } from '../src/core/database';
import { findLedgerViolations } from '../src/ledger/invariants';
import { getAccount } from '../src/ledger/service';
import { type Anvil, startAnvil } from './support/anvil';
import { PAYOUT_PURPOSE, SOAK_ACCOUNTS } from './support/chain-soak-line';
import type { SoakWorkerSpec } from './support/chain-soak-worker';
import { databaseTarget } from './support/database';
import { openDatabaseTarget } from './support/database-target';
import { startUnreliableRpc, type UnreliableRpc } from './support/unreliable-rpc';

/**
 * The chain rail as it must hold with real money: a Tally process (the real assembly, run as a child
 * so it can be SIGKILLed) pays 200 payouts and credits 200 deposits through an RPC that lags, loses
 * answers, refuses and reorgs, and is killed in the middle. Afterwards every deposit on the chain is
 * credited once, every payee is paid once, and the ledger agrees with the chain.
 *
 * SOAK_SEED replays a run's faults; SOAK_LOG_LEVEL=info and SOAK_LOG_FILE=<file> keep the worker's log.
 */

const PAYOUTS = 200;
const DEPOSITS = 200;
const DEPOSIT_ADDRESSES = 20;
const PAYOUT_AMOUNT = 1_000_000n;
/** As deep as a reorg goes here: the confirmations Tally waits for cover it, so nothing final moves. */
const CONFIRMATIONS = 3;
const KILL_AFTER_QUEUED = 100;
const worker = path.join(import.meta.dirname, 'support', 'chain-soak-worker.ts');
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A small seeded generator (mulberry32): a failing soak can be replayed with the seed it printed. */
function randomFrom(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % below;
  };
}

interface WorkerRun {
  child: ChildProcess;
  queued: number;
  payoutsFinal: number;
  depositsCredited: number;
  stderr: string;
  exited: Promise<NodeJS.Signals | null>;
}

function startWorker(spec: SoakWorkerSpec): WorkerRun {
  // Node itself with tsx as a loader, not the tsx wrapper: SIGKILL must hit the process doing the work.
  const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: WorkerRun = {
    child,
    queued: 0,
    payoutsFinal: 0,
    depositsCredited: 0,
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal))),
  };
  child.stderr?.on('data', (chunk) => {
    run.stderr = (run.stderr + chunk).slice(-20_000);
    if (process.env.SOAK_LOG_FILE) fs.appendFileSync(process.env.SOAK_LOG_FILE, chunk);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [word, first, second] = line.split(' ');
    if (word === 'queued') run.queued = Number(first) + 1;
    if (word === 'status') {
      run.payoutsFinal = Number(first);
      run.depositsCredited = Number(second);
    }
  });
  return run;
}

async function until(what: string, run: WorkerRun, done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; the worker said:\n${run.stderr}`);
    if (run.child.exitCode !== null)
      throw new Error(`the worker exited while waiting for ${what}:\n${run.stderr}`);
    await sleep(50);
  }
}

/** Depositors sign every deposit once, with nonces of their own: sending the same bytes again can never pay twice. */
async function signDeposits(anvil: Anvil, usdc: Address, depositAddresses: Address[]) {
  const depositors = [1, 2, 3, 4].map((index) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }));
  const nonces = await Promise.all(
    depositors.map((d) => anvil.publicClient.getTransactionCount({ address: d.address })),
  );
  const deposits: { raw: Hex; hash: Hex; to: Address; value: bigint }[] = [];
  for (let i = 0; i < DEPOSITS; i++) {
    const depositor = depositors[i % depositors.length]!;
    const to = depositAddresses[i % depositAddresses.length]!;
    const value = 1_000_000n + BigInt(i);
    const raw = await depositor.signTransaction({
      chainId: anvil.publicClient.chain.id,
      type: 'eip1559',
      nonce: nonces[i % depositors.length]!++,
      to: usdc,
      data: encodeFunctionData({ abi: TestUSDC.abi, functionName: 'transfer', args: [to, value] }),
      gas: 100_000n,
      maxFeePerGas: parseGwei('50'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
    deposits.push({ raw, hash: keccak256(raw), to, value });
  }
  return deposits;
}

/** The payouts a failed soak left open, as the sender last recorded them: what the failure message needs. */
async function openPayouts(target: string): Promise<string> {
  const database = await openDatabaseTarget(target, 1);
  try {
    const rows = await queryRows(
      database.db,
      sql`SELECT t.nonce::text, state, attempts, last_error, hashes, accepted_hash, mined_hash,
                 block_number::text, sent_at, next_check_at
          FROM chain_outgoing_transactions t WHERE state IN ('queued', 'pending') ORDER BY t.nonce LIMIT 20`,
    );
    return rows.map((row) => JSON.stringify(row)).join('\n');
  } finally {
    await database.close();
  }
}

describe('the chain rail under a misbehaving RPC and a crash', () => {
  it('credits every deposit once and pays every payout once, and the ledger agrees with the chain', async () => {
    const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
    const random = randomFrom(seed);
    const anvil = await startAnvil();
    const rpc: UnreliableRpc = await startUnreliableRpc(anvil.rpcUrl);
    cleanups.push(() => rpc.stop());

    // The token, a treasury that holds the payouts' USDC and ETH for gas, and funded depositors.
    const owner = anvil.wallet(0);
    const deployed = await anvil.publicClient.waitForTransactionReceipt({
      hash: await owner.deployContract({
        abi: TestUSDC.abi,
        bytecode: TestUSDC.bytecode,
        args: [owner.account.address],
      }),
    });
    const usdc = getAddress(deployed.contractAddress!);
    const treasuryKey = generatePrivateKey();
    const treasury = privateKeyToAccount(treasuryKey).address;
    await anvil.testClient.setBalance({ address: treasury, value: parseEther('100') });
    const mint = async (to: Address, value: bigint) =>
      anvil.publicClient.waitForTransactionReceipt({
        hash: await owner.writeContract({
          address: usdc,
          abi: TestUSDC.abi,
          functionName: 'mint',
          args: [to, value],
        }),
      });
    const treasuryFunds = PAYOUT_AMOUNT * BigInt(PAYOUTS);
    await mint(treasury, treasuryFunds);
    for (const index of [1, 2, 3, 4]) await mint(anvil.wallet(index).account.address, 10n ** 12n);
    // Deposits may land in any block a reorg re-mines: the follower reads from the first block after
    // the set-up, and ten empty blocks keep the set-up itself out of any reorg's reach.
    const startBlock = (await anvil.publicClient.getBlockNumber()) + 1n;
    await anvil.testClient.mine({ blocks: 10 });

    const fresh = () => privateKeyToAccount(generatePrivateKey()).address;
    const depositAddresses = Array.from({ length: DEPOSIT_ADDRESSES }, fresh);
    const payees = Array.from({ length: PAYOUTS }, fresh);
    const deposits = await signDeposits(anvil, usdc, depositAddresses);

    const { target, remove } = await databaseTarget('tally-soak-');
    cleanups.push(remove);
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-soak-files-'));
    cleanups.push(async () => fs.rmSync(filesDir, { recursive: true, force: true }));
    const spec: SoakWorkerSpec = {
      target,
      rpcUrl: rpc.url,
      chainId: anvil.publicClient.chain.id,
      treasuryKey,
      startBlock: startBlock.toString(),
      confirmations: CONFIRMATIONS,
      filesDir,
      usdc,
      depositAddresses,
      payees,
      payoutAmount: PAYOUT_AMOUNT.toString(),
    };

    // Blocks keep coming, so transactions gather their confirmations.
    let stopped = false;
    const miner = (async () => {
      while (!stopped) {
        await anvil.testClient.mine({ blocks: 1 });
        await sleep(100);
      }
    })();
    // The RPC misbehaves, a little differently every 500 ms, and reorgs every 2.5 s.
    const rpcError = { code: -32005, message: 'limit exceeded' };
    let reorgs = 0;
    let turn = 0;
    const misbehaving = (async () => {
      while (!stopped) {
        rpc.heal();
        Object.assign(rpc.faults, {
          lagBlocks: random(2),
          headLagBlocks: random(3),
          receiptLagBlocks: random(3),
          logLagBlocks: random(3),
          maxLogRange: 20 + random(200),
        });
        // Every fifth turn a reorg, as deep as the confirmations allow; otherwise one other fault.
        const fault = ++turn % 5 === 0 ? 5 : random(5);
        if (fault === 0) rpc.loseAnswers('eth_sendRawTransaction', 1);
        if (fault === 1) rpc.loseAnswers('eth_getLogs', 1);
        if (fault === 2) rpc.refuse('eth_getTransactionReceipt', rpcError, 2);
        if (fault === 3) rpc.refuse('eth_sendRawTransaction', rpcError, 1);
        if (fault === 4) rpc.loseAnswers('eth_getBlockByNumber', 1);
        if (fault === 5) {
          await rpc.reorg(1 + random(CONFIRMATIONS));
          reorgs++;
        }
        await sleep(500);
      }
    })();
    // Depositors send their deposits a few at a time.
    const depositing = (async () => {
      for (const deposit of deposits) {
        if (stopped) return;
        await anvil.publicClient
          .sendRawTransaction({ serializedTransaction: deposit.raw })
          .catch(() => undefined);
        await sleep(40);
      }
    })();

    try {
      const first = startWorker(spec);
      cleanups.push(async () => {
        first.child.kill('SIGKILL');
      });
      await until('payouts to be queued', first, () => first.queued >= KILL_AFTER_QUEUED, 60_000);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      // Killed with payouts still to pay, and the RPC's reorgs under way.
      expect(first.payoutsFinal).toBeLessThan(PAYOUTS);

      const second = startWorker(spec);
      cleanups.push(async () => {
        second.child.kill('SIGKILL');
      });
      await depositing;
      // A reorg may have taken deposits off the chain: the depositors send the same bytes again.
      const reverted = new Set<Hex>();
      const canonical = async () => {
        let missing = 0;
        for (const deposit of deposits) {
          const receipt = await anvil.publicClient
            .getTransactionReceipt({ hash: deposit.hash })
            .catch(() => null);
          // Anvil keeps the receipt of a transaction a reorg took off the chain: only one in the
          // block now at its height counts.
          const block = receipt && (await anvil.publicClient.getBlock({ blockNumber: receipt.blockNumber }));
          if (receipt && block?.hash === receipt.blockHash) {
            if (receipt.status !== 'success') reverted.add(deposit.hash);
            continue;
          }
          missing++;
          await anvil.publicClient
            .sendRawTransaction({ serializedTransaction: deposit.raw })
            .catch(() => undefined);
        }
        return missing;
      };
      // Alone it takes 25–30 s; beside the rest of the suite on two cores, up to a minute and a half.
      // A kill in the middle of a sender's pass leaves what it claimed to the lease, which waits first.
      const deadline = Date.now() + 110_000 + DEFAULT_LEASE_MS;
      while (second.payoutsFinal < PAYOUTS || second.depositsCredited < DEPOSITS) {
        const missing = await canonical();
        if (Date.now() > deadline || second.child.exitCode !== null) {
          second.child.kill('SIGKILL');
          await second.exited;
          throw new Error(
            `seed ${seed}: ${second.payoutsFinal} payouts final, ${second.depositsCredited} deposits credited, ` +
              `${missing} deposits off the chain, ${reverted.size} reverted, at block ` +
              `${await anvil.publicClient.getBlockNumber()}; still open:\n${await openPayouts(target)}\n` +
              `the worker said:\n${second.stderr}`,
          );
        }
        await sleep(500);
      }
      stopped = true;
      await Promise.all([miner, misbehaving]);
      rpc.heal();
      expect(await canonical()).toBe(0);
      expect(reorgs, `seed ${seed}`).toBeGreaterThan(2);
      second.child.kill('SIGKILL');
      await second.exited;
    } finally {
      stopped = true;
      await Promise.all([miner, misbehaving, depositing]);
    }

    const database = await openDatabaseTarget(target, 2);
    try {
      const db = database.db;
      // Every payout was sent, confirmed, and paid its payee exactly once.
      const outgoing = await queryRows<{ state: string; n: number }>(
        db,
        sql`SELECT state, count(*)::int AS n FROM chain_outgoing_transactions
            WHERE purpose = ${PAYOUT_PURPOSE} GROUP BY state`,
      );
      expect(outgoing, `seed ${seed}`).toEqual([{ state: 'confirmed', n: PAYOUTS }]);
      const balanceOf = (holder: Address) =>
        anvil.publicClient.readContract({
          address: usdc,
          abi: TestUSDC.abi,
          functionName: 'balanceOf',
          args: [holder],
        });
      const paid = await Promise.all(payees.map(balanceOf));
      expect(
        paid.filter((amount) => amount !== PAYOUT_AMOUNT),
        `seed ${seed}`,
      ).toEqual([]);
      expect(await balanceOf(treasury)).toBe(0n);

      // Every deposit on the chain was credited once, under the id its event gives it, and nothing else stands.
      const logs = await anvil.publicClient.getLogs({
        address: usdc,
        event: transferEvent,
        args: { to: depositAddresses },
        fromBlock: startBlock,
      });
      expect(logs).toHaveLength(DEPOSITS);
      const expectedCredits = logs.map((log) =>
        derivedUuid(chainEventId(anvil.publicClient.chain.id, log.blockHash, log.logIndex), 'credit'),
      );
      const transfers = await queryRows<{ id: string; code: string }>(
        db,
        sql`SELECT id, code FROM ledger_transfers WHERE code IN ('deposit', 'deposit_reversal')`,
      );
      const ids = (code: string) => new Set(transfers.filter((t) => t.code === code).map((t) => t.id));
      const credits = ids('deposit');
      const reversals = ids('deposit_reversal');
      expect(new Set(expectedCredits).size).toBe(DEPOSITS);
      expect(
        expectedCredits.filter((id) => !credits.has(id)),
        `seed ${seed}`,
      ).toEqual([]);
      const reversedCanonical = logs.filter((log) =>
        reversals.has(
          derivedUuid(chainEventId(anvil.publicClient.chain.id, log.blockHash, log.logIndex), 'reversal'),
        ),
      );
      expect(reversedCanonical).toEqual([]);
      // Whatever else was credited (an event a reorg took back) was reversed.
      expect(credits.size - reversals.size).toBe(DEPOSITS);

      // The ledger agrees with the chain.
      const balance = async (id: string) => {
        const account = await getAccount({ db }, id);
        return account.creditsPosted - account.debitsPosted;
      };
      const onChainDeposits = (await Promise.all(depositAddresses.map(balanceOf))).reduce(
        (a, b) => a + b,
        0n,
      );
      expect(await balance(SOAK_ACCOUNTS.deposits)).toBe(onChainDeposits);
      expect(onChainDeposits).toBe(deposits.reduce((sum, d) => sum + d.value, 0n));
      expect(await balance(SOAK_ACCOUNTS.paidOut)).toBe(treasuryFunds);
      expect(await balance(SOAK_ACCOUNTS.inFlight)).toBe(0n);
      expect(await balance(SOAK_ACCOUNTS.treasury)).toBe(-treasuryFunds);
      expect(await findLedgerViolations(db)).toEqual([]);
    } finally {
      await database.close();
    }
  }, 240_000);
});
