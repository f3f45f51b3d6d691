import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  type Account,
  type Address,
  type Chain,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  type Hex,
  hexToBytes,
  type LocalAccount,
  type PublicClient,
  type Transport,
  toHex,
  type WalletClient,
} from 'viem';
import { createChainClient } from '../src/chain/client';
import * as EncryptedCredits from '../src/chain/contracts/EncryptedCredits';
import * as TestUSDC from '../src/chain/contracts/TestUSDC';
import * as TransferVerifier from '../src/chain/contracts/TransferVerifier';
import * as WithdrawVerifier from '../src/chain/contracts/WithdrawVerifier';
import { DEV_CHAIN_ID, startDevChain } from '../src/chain/dev-chain';
import { devAccounts, walletFor } from '../src/chain/runtime';
import {
  addCiphertexts,
  balanceKeyMessage,
  type Ciphertext,
  decrypt,
  encrypt,
  type KeyPair,
  keyPairFromSignature,
} from '../src/chain/zk/elgamal';
import {
  deployEncryptedCredits,
  keyEighthArgument,
  moveArgument,
  type PlannedMove,
  planMovesFrom,
  planWithdrawal,
  readAccount,
  registerKeyTypedData,
  withdrawArguments,
} from '../src/chain/zk/encrypted-credits';
import {
  buildTransfer,
  buildWithdraw,
  type CircuitName,
  circuitArtifacts,
  type Proof,
  prove,
  type TransferWitness,
  verifierArguments,
  type WithdrawWitness,
} from '../src/chain/zk/proofs';
import { type ProverPool, startProverPool } from '../src/chain/zk/prover-pool';
import { isInterrupted, registerCleanup } from './support/cleanup';

/**
 * Groth16 proofs of the encrypted balances (circuits/transfer.circom, circuits/withdraw.circom):
 * their sizes, what a proof costs to make on one core and over all cores, what it costs to verify
 * on chain, and the encrypted-credits contract's whole transactions (a payout batch proven on the
 * prover pool), beside Ava Labs' EncryptedERC (eERC), which proves the same kind of moves.
 *
 *   npm run bench:proofs
 *
 * The machine is shared and noisy, so the batch over all cores is compared with the one-core time
 * measured in the same run, never with a figure from another run. Gas is the receipt of a real
 * transaction to the verifier with a fixed gas limit: a bare verifier answers false instead of
 * reverting when the pairing runs short, so eth_estimateGas would find the gas at which it fails
 * (circuits/README.md); eth_call first shows the proof verifies at that limit.
 */

/** eERC's published gas per operation: whole transactions of its contract, its proof checked inside. */
const EERC_GAS = { transfer: 947_000n, withdraw: 796_000n, register: 322_000n, deposit: 565_000n } as const;
const INTRINSIC_GAS = 21_000n;
/** Several times what a verifier needs, so the pairing precompile never runs short. */
const VERIFY_GAS_LIMIT = 1_000_000n;
const SINGLE_CORE_PROOFS = 3;
const CIRCUITS: readonly CircuitName[] = ['transfer', 'withdraw'];

// Statements: one place builds the valid transfers and withdrawals every section proves.

export type BenchParties = { sender: KeyPair; receiver: KeyPair; auditor: KeyPair };

/** Keys as a wallet derives them: from the development accounts' signatures of balanceKeyMessage. */
export async function benchParties(): Promise<BenchParties> {
  const [sender, receiver, auditor] = await Promise.all(
    devAccounts()
      .slice(1, 4)
      .map(async (account) =>
        keyPairFromSignature(await account.signMessage({ message: balanceKeyMessage })),
      ),
  );
  return { sender: sender!, receiver: receiver!, auditor: auditor! };
}

/** A balance that took two credits, as an encrypted account does, with the value its owner reads. */
export function creditedBalance(owner: KeyPair): { balance: Ciphertext; balanceValue: bigint } {
  return {
    balance: addCiphertexts(encrypt(1_000_000n, owner.publicKey), encrypt(500_000n, owner.publicKey)),
    balanceValue: 1_500_000n,
  };
}

export function benchTransfer(parties: BenchParties, amount = 400_000n): TransferWitness {
  return buildTransfer({
    sender: parties.sender,
    receiverKey: parties.receiver.publicKey,
    auditorKey: parties.auditor.publicKey,
    ...creditedBalance(parties.sender),
    amount,
  });
}

export function benchWithdrawal(
  parties: BenchParties,
  recipient: Address,
  amount = 600_000n,
): WithdrawWitness {
  return buildWithdraw({
    owner: parties.sender,
    ...creditedBalance(parties.sender),
    amount,
    recipient: BigInt(recipient),
  });
}

// Gas: a fresh development chain, and the gas of real transactions on it.

export type GasChain = {
  publicClient: PublicClient<Transport, Chain>;
  wallet: WalletClient<Transport, Chain, Account>;
  stop: () => Promise<void>;
};

/**
 * The chain test/support/anvil.ts starts (a fresh embedded anvil), stopped however the run ends. That
 * module registers a Vitest hook as it loads, which fails outside Vitest, hence its two steps here.
 */
export async function startGasChain(): Promise<GasChain> {
  const devChain = await startDevChain();
  const stop = registerCleanup(() => devChain.stop());
  const client = createChainClient({ rpcUrl: devChain.rpcUrl, chainId: DEV_CHAIN_ID, dev: true });
  return { publicClient: client.publicClient, wallet: walletFor(client, devAccounts()[0]!), stop };
}

export async function deployContract(chain: GasChain, bytecode: Hex): Promise<Address> {
  const hash = await chain.wallet.deployContract({ abi: [], bytecode });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new Error('deployment made no contract');
  return getAddress(receipt.contractAddress);
}

export type Verifiers = Record<CircuitName, Address>;

export async function deployVerifiers(chain: GasChain): Promise<Verifiers> {
  return {
    transfer: await deployContract(chain, TransferVerifier.bytecode),
    withdraw: await deployContract(chain, WithdrawVerifier.bytecode),
  };
}

export type GasMeasurement = {
  /** The receipt's gasUsed: what the sender pays for. */
  gasUsed: bigint;
  /** gasUsed less the 21 000 every transaction pays. */
  afterIntrinsic: bigint;
  /** EIP-2028 calldata cost, inside afterIntrinsic: a proof's 256 bytes and its public inputs. */
  calldata: bigint;
};

/**
 * Gas of one mined transaction with an explicit gas limit. This is the measure for anything a later
 * section adds (a settlement batch on the encrypted-credits contract): encode the call, pass it here.
 * A reverted transaction throws, since its gas would be that of a failure.
 */
export async function measureCallGas(
  chain: GasChain,
  call: { to: Address; data: Hex; gas?: bigint },
): Promise<GasMeasurement> {
  const hash = await chain.wallet.sendTransaction({
    to: call.to,
    data: call.data,
    gas: call.gas ?? VERIFY_GAS_LIMIT,
  });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  return {
    gasUsed: receipt.gasUsed,
    afterIntrinsic: receipt.gasUsed - INTRINSIC_GAS,
    calldata: calldataGas(call.data),
  };
}

function verifyProofCall(circuit: CircuitName, proof: Proof): Hex {
  const { a, b, c, input } = verifierArguments(proof);
  // The two verifiers differ only in their input length, which viem's types cannot take from a variable.
  const abi = (
    circuit === 'transfer' ? TransferVerifier.abi : WithdrawVerifier.abi
  ) as typeof WithdrawVerifier.abi;
  return encodeFunctionData({ abi, functionName: 'verifyProof', args: [a, b, c, input as never] });
}

/** eth_call of verifyProof at the gas limit the transaction will have: true, or the figure is of a rejection. */
export async function verifierAccepts(
  chain: GasChain,
  verifier: Address,
  circuit: CircuitName,
  proof: Proof,
  gas = VERIFY_GAS_LIMIT,
): Promise<boolean> {
  const { data } = await chain.publicClient.call({
    to: verifier,
    data: verifyProofCall(circuit, proof),
    gas,
  });
  if (!data) throw new Error(`the ${circuit} verifier returned nothing`);
  return decodeFunctionResult({ abi: WithdrawVerifier.abi, functionName: 'verifyProof', data });
}

/**
 * Gas of a transaction calling the circuit's verifier with a proof; throws unless the verifier
 * accepts the proof at that gas limit, since a verifier answers false rather than reverting.
 */
export async function measureVerificationGas(
  chain: GasChain,
  verifiers: Verifiers,
  circuit: CircuitName,
  proof: Proof,
  gas = VERIFY_GAS_LIMIT,
): Promise<GasMeasurement> {
  if (!(await verifierAccepts(chain, verifiers[circuit], circuit, proof, gas))) {
    throw new Error(`the ${circuit} verifier rejects the proof`);
  }
  return measureCallGas(chain, { to: verifiers[circuit], data: verifyProofCall(circuit, proof), gas });
}

/** EIP-2028: 4 gas per zero byte of calldata, 16 per other byte. */
function calldataGas(input: Hex): bigint {
  let gas = 0n;
  for (const byte of hexToBytes(input)) gas += byte === 0 ? 4n : 16n;
  return gas;
}

// The encrypted-credits contract: its whole transactions, as the operator sends them.

/** Enough for a batch of four moves, each proof checked inside. */
const CONTRACT_GAS_LIMIT = 6_000_000n;
const PAYOUTS_PER_BATCH = 4;

type ContractRow = {
  transaction: string;
  moves?: number;
  gas: GasMeasurement;
  eerc: keyof typeof EERC_GAS;
};

type ContractRun = {
  rows: ContractRow[];
  /** The 4-payout batch's proofs on the pool, and one transfer proof on one core just before it. */
  batchMs: number;
  oneCoreMs: number;
};

/**
 * The contract deployed over a TestUSDC, a person and four providers registered, deposits, payouts
 * out of the pool in batches proven on the pool of threads, and both withdrawals. Every payout
 * batch is planned from the pool's audited balance before any of it is proven, as the settlement
 * will, and every transaction must succeed: a revert throws, since its gas would be a failure's.
 */
async function measureEncryptedCredits(pool: ProverPool, parties: BenchParties): Promise<ContractRun> {
  const chain = await startGasChain();
  try {
    const accounts = devAccounts();
    const treasury = accounts[0]!;
    const person = { account: accounts[1]!, key: parties.sender };
    const auditor = parties.auditor;
    const providers = await Promise.all(
      accounts.slice(5, 5 + PAYOUTS_PER_BATCH).map(async (account) => ({
        account,
        key: keyPairFromSignature(await account.signMessage({ message: balanceKeyMessage })),
      })),
    );
    const chainId = chain.publicClient.chain.id;
    const send = (to: Address, data: Hex) => measureCallGas(chain, { to, data, gas: CONTRACT_GAS_LIMIT });

    const usdcHash = await chain.wallet.deployContract({
      abi: TestUSDC.abi,
      bytecode: TestUSDC.bytecode,
      args: [treasury.address],
    });
    const usdcReceipt = await chain.publicClient.waitForTransactionReceipt({ hash: usdcHash });
    if (!usdcReceipt.contractAddress) throw new Error('the TestUSDC deployment made no contract');
    const usdc = getAddress(usdcReceipt.contractAddress);
    const usdcOf = (who: Address) =>
      chain.publicClient.readContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'balanceOf',
        args: [who],
      });
    // The provider who withdraws holds some USDC already, as the person does: neither withdrawal pays
    // for a token balance written from zero, so the two compare the contract alone.
    for (const who of [treasury.address, person.account.address, providers[0]!.account.address]) {
      await send(
        usdc,
        encodeFunctionData({ abi: TestUSDC.abi, functionName: 'mint', args: [who, 100_000_000n] }),
      );
    }
    const { contract } = await deployEncryptedCredits(chain.wallet, chain.publicClient, {
      usdc,
      operator: chain.wallet.account.address,
      auditorKey: auditor.publicKey,
    });

    const register = async (owner: { account: LocalAccount; key: KeyPair }) => {
      const signature = await owner.account.signTypedData(
        registerKeyTypedData({ chainId, contract, account: owner.account.address, key: owner.key.publicKey }),
      );
      return send(
        contract,
        encodeFunctionData({
          abi: EncryptedCredits.abi,
          functionName: 'registerKey',
          args: [owner.account.address, keyEighthArgument(owner.key.publicKey), signature],
        }),
      );
    };
    const deposit = async (payer: LocalAccount, to: Address, amount: bigint) => {
      const nonce = toHex(randomBytes(32));
      const validBefore = BigInt(Math.floor(Date.now() / 1000) + 3600);
      const signature = await payer.signTypedData({
        domain: { name: 'USD Coin', version: '2', chainId, verifyingContract: usdc },
        types: {
          ReceiveWithAuthorization: [
            { name: 'from', type: 'address' },
            { name: 'to', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'validAfter', type: 'uint256' },
            { name: 'validBefore', type: 'uint256' },
            { name: 'nonce', type: 'bytes32' },
          ],
        },
        primaryType: 'ReceiveWithAuthorization',
        message: { from: payer.address, to: contract, value: amount, validAfter: 0n, validBefore, nonce },
      });
      return send(
        contract,
        encodeFunctionData({
          abi: EncryptedCredits.abi,
          functionName: 'deposit',
          args: [payer.address, to, amount, 0n, validBefore, nonce, signature],
        }),
      );
    };
    const proveMoves = (planned: readonly PlannedMove[]) =>
      Promise.all(planned.map((move) => pool.prove('transfer', move.witness.inputs)));
    const submitMoves = (planned: readonly PlannedMove[], proofs: readonly Proof[]) =>
      send(
        contract,
        encodeFunctionData({
          abi: EncryptedCredits.abi,
          functionName: 'move',
          args: [
            planned.map((move, index) =>
              moveArgument(
                { from: move.from, to: move.to, statement: move.witness.statement },
                proofs[index]!,
              ),
            ),
          ],
        }),
      );
    type PoolBalance = { audit: Ciphertext; value: bigint };
    const payouts = (from: PoolBalance, amount: bigint, count: number) =>
      planMovesFrom({
        auditor,
        from: contract,
        fromKey: auditor.publicKey,
        fromAudit: from.audit,
        fromValue: from.value,
        to: providers
          .slice(0, count)
          .map((provider) => ({ address: provider.account.address, key: provider.key.publicKey, amount })),
      });
    // What the pool holds once a batch ran, known before it runs: the next batch is planned from it.
    const after = (planned: readonly PlannedMove[], before: PoolBalance): PoolBalance => ({
      audit: planned.at(-1)!.witness.statement.newBalance,
      value: planned.reduce(
        (left, move) => left - BigInt(move.witness.inputs.amount as string),
        before.value,
      ),
    });

    const rows: ContractRow[] = [];
    rows.push({ transaction: 'registerKey', gas: await register(person), eerc: 'register' });
    for (const provider of providers) await register(provider);
    // The treasury pays into the pool what people without an encrypted account spent: the payouts'
    // source. First, so that no measured deposit is the one that gives the contract its USDC balance.
    await deposit(treasury, contract, 10_000_000n);
    rows.push({
      transaction: 'deposit, into an empty account',
      gas: await deposit(person.account, person.account.address, 5_000_000n),
      eerc: 'deposit',
    });
    rows.push({
      transaction: 'deposit, into a funded account',
      gas: await deposit(person.account, person.account.address, 1_000_000n),
      eerc: 'deposit',
    });

    // The first payout to an account writes its ciphertexts' empty words, which later ones only change:
    // the first batch is shown apart, and the single payout and the timed batch go to paid providers.
    const start = {
      audit: (await readAccount(chain.publicClient, contract, contract)).audit,
      value: 10_000_000n,
    };
    const first = payouts(start, 500_000n, PAYOUTS_PER_BATCH);
    const single = payouts(after(first, start), 250_000n, 1);
    const firstProofs = await proveMoves([...first, ...single]);
    rows.push({
      transaction: `move, ${PAYOUTS_PER_BATCH} payouts to empty accounts`,
      moves: PAYOUTS_PER_BATCH,
      gas: await submitMoves(first, firstProofs.slice(0, PAYOUTS_PER_BATCH)),
      eerc: 'transfer',
    });
    rows.push({
      transaction: 'move, 1 payout',
      moves: 1,
      gas: await submitMoves(single, firstProofs.slice(PAYOUTS_PER_BATCH)),
      eerc: 'transfer',
    });

    const batch = payouts(after(single, after(first, start)), 250_000n, PAYOUTS_PER_BATCH);
    const oneCore = await proveOnOneCore('transfer', benchTransfer(parties).inputs);
    const proven = await timed(() => proveMoves(batch));
    rows.push({
      transaction: `move, ${PAYOUTS_PER_BATCH} payouts`,
      moves: PAYOUTS_PER_BATCH,
      gas: await submitMoves(batch, proven.result),
      eerc: 'transfer',
    });

    // A provider takes all it was paid with its own key; the operator returns a person's unspent
    // credits with the auditor key, over the audited copy.
    const provider = providers[0]!;
    const paid = 500_000n + 250_000n + 250_000n;
    const own = planWithdrawal({
      owner: provider.key,
      balance: (await readAccount(chain.publicClient, contract, provider.account.address)).balance,
      value: paid,
      amount: paid,
      recipient: provider.account.address,
    });
    const audited = planWithdrawal({
      owner: auditor,
      balance: (await readAccount(chain.publicClient, contract, person.account.address)).audit,
      value: 6_000_000n,
      amount: 6_000_000n,
      recipient: person.account.address,
    });
    const [ownProof, auditedProof] = await Promise.all([
      pool.prove('withdraw', own.inputs),
      pool.prove('withdraw', audited.inputs),
    ]);
    rows.push({
      transaction: "withdraw, the owner's proof",
      gas: await send(
        contract,
        encodeFunctionData({
          abi: EncryptedCredits.abi,
          functionName: 'withdraw',
          args: withdrawArguments(provider.account.address, own.statement, ownProof),
        }),
      ),
      eerc: 'withdraw',
    });
    rows.push({
      transaction: "withdrawAudited, the operator's",
      gas: await send(
        contract,
        encodeFunctionData({
          abi: EncryptedCredits.abi,
          functionName: 'withdrawAudited',
          args: withdrawArguments(person.account.address, audited.statement, auditedProof),
        }),
      ),
      eerc: 'withdraw',
    });

    // The figures are of transactions that did what they should, not only of ones that did not revert.
    const poolLeft = decrypt(
      (await readAccount(chain.publicClient, contract, contract)).audit,
      auditor.secret,
      1n << 24n,
    );
    const expectedPool = after(batch, after(single, after(first, start))).value;
    if (poolLeft !== expectedPool) throw new Error(`the pool holds ${poolLeft}, not ${expectedPool}`);
    if ((await usdcOf(provider.account.address)) !== 100_000_000n + paid)
      throw new Error('the provider was not paid out');
    if ((await usdcOf(person.account.address)) !== 100_000_000n)
      throw new Error('the person was not paid back');

    return { rows, batchMs: proven.ms, oneCoreMs: oneCore.ms };
  } finally {
    await chain.stop();
  }
}

async function encryptedCreditsSection(
  pool: ProverPool,
  parties: BenchParties,
  cores: number,
): Promise<void> {
  const run = await measureEncryptedCredits(pool, parties);
  console.log(
    `\nThe encrypted-credits contract (contracts/encrypted/EncryptedCredits.sol, over a TestUSDC) on anvil: ` +
      `whole transactions, each sent by the operator with its proofs checked inside; per move is the ` +
      `batch's gas over its moves, beside eERC's transfer:\n`,
  );
  console.log(
    formatTable(
      ['transaction', 'tx gas', 'per move', 'of it calldata', 'eERC (tx)', 'ours/eERC'],
      run.rows.map((row) => {
        const compared = row.moves ? row.gas.gasUsed / BigInt(row.moves) : row.gas.gasUsed;
        return [
          row.transaction,
          format(row.gas.gasUsed),
          row.moves ? format(compared) : '-',
          format(row.gas.calldata),
          `~${format(EERC_GAS[row.eerc])}`,
          (Number(compared) / Number(EERC_GAS[row.eerc])).toFixed(2),
        ];
      }),
    ),
  );
  const speedUp = (PAYOUTS_PER_BATCH * run.oneCoreMs) / run.batchMs;
  console.log(
    `\nProving the ${PAYOUTS_PER_BATCH}-payout batch on the pool of ${cores} threads: ${seconds(run.batchMs)} ` +
      `wall time; one transfer proof on one core just before it: ${seconds(run.oneCoreMs)}, so ` +
      `${seconds(PAYOUTS_PER_BATCH * run.oneCoreMs)} for the batch on one core, a speed-up of ` +
      `${speedUp.toFixed(2)}x (at most ${Math.min(cores, PAYOUTS_PER_BATCH)}x; load average now ${loadAverage()}).`,
  );
  console.log(
    "\neERC's figures are one transaction per operation; a batch of moves shares the 21,000 every " +
      'transaction pays, so the 1-payout batch is the like-for-like figure. The first deposit or payout into ' +
      "an account costs more than later ones: it writes the empty storage words of the account's ciphertexts. eERC's " +
      'register proves the key in a circuit; ours checks the signed key by curve arithmetic.',
  );
}

// The run.

type CircuitSize = { constraints: number; publicInputs: number; privateInputs: number };

/** The manifest's sizes, checked against the verification key the verifiers were made from. */
function circuitSizes(): Record<CircuitName, CircuitSize> {
  const manifest = JSON.parse(
    readFileSync(new URL('../circuits/build/manifest.json', import.meta.url), 'utf8'),
  ) as Record<CircuitName, CircuitSize>;
  for (const circuit of CIRCUITS) {
    const { nPublic } = JSON.parse(readFileSync(circuitArtifacts(circuit).verificationKey, 'utf8')) as {
      nPublic: number;
    };
    if (nPublic !== manifest[circuit].publicInputs) {
      throw new Error(
        `${circuit}: manifest says ${manifest[circuit].publicInputs} public inputs, its key ${nPublic}`,
      );
    }
  }
  return manifest;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

function proveOnOneCore(circuit: CircuitName, inputs: Record<string, unknown>) {
  return timed(() => prove(circuit, inputs, { singleThread: true }));
}

type Round = { oneCoreMs: number; batchMs: number };

async function main(): Promise<void> {
  const cores = os.availableParallelism();
  const batchSize = 2 * cores;
  const parties = await benchParties();
  const recipient = devAccounts()[4]!.address;
  const sizes = circuitSizes();

  console.log(
    `Tally's Groth16 proofs (BN254, snarkjs), ${cores} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `Node ${process.version}, load average at start ${loadAverage()}.\n`,
  );
  console.log(
    formatTable(
      ['circuit', 'constraints', 'public inputs', 'private inputs'],
      CIRCUITS.map((circuit) => [
        circuit,
        format(sizes[circuit].constraints),
        String(sizes[circuit].publicInputs),
        String(sizes[circuit].privateInputs),
      ]),
    ),
  );

  const pool = startProverPool({ size: cores });
  const stopPool = registerCleanup(() => pool.close());
  const oneCore: Record<CircuitName, { proofs: Proof[]; ms: number[] }> = {
    transfer: { proofs: [], ms: [] },
    withdraw: { proofs: [], ms: [] },
  };
  const rounds: Round[] = [];
  const batchProofs: Proof[] = [];
  try {
    // A thread's first proof compiles the witness generator and the curve's WebAssembly: kept out.
    await Promise.all(
      Array.from({ length: cores + 1 }, (_, index) => {
        const inputs = benchWithdrawal(parties, recipient).inputs;
        return index === 0 ? proveOnOneCore('withdraw', inputs) : pool.prove('withdraw', inputs);
      }),
    );
    for (let index = 0; index < SINGLE_CORE_PROOFS; index += 1) {
      const { result, ms } = await proveOnOneCore('withdraw', benchWithdrawal(parties, recipient).inputs);
      oneCore.withdraw.proofs.push(result);
      oneCore.withdraw.ms.push(ms);
    }
    // The load of a shared machine drifts within seconds, so each batch is paired with a one-core
    // proof right beside it, and the order alternates so a drift does not favour either side.
    for (let index = 0; index < SINGLE_CORE_PROOFS; index += 1) {
      const single = async () => {
        const { result, ms } = await proveOnOneCore('transfer', benchTransfer(parties).inputs);
        oneCore.transfer.proofs.push(result);
        oneCore.transfer.ms.push(ms);
        return ms;
      };
      const batch = async () => {
        const statements = Array.from({ length: batchSize }, () => benchTransfer(parties).inputs);
        const { result, ms } = await timed(() =>
          Promise.all(statements.map((inputs) => pool.prove('transfer', inputs))),
        );
        batchProofs.push(...result);
        return ms;
      };
      if (index % 2 === 0) {
        const oneCoreMs = await single();
        rounds.push({ oneCoreMs, batchMs: await batch() });
      } else {
        const batchMs = await batch();
        rounds.push({ oneCoreMs: await single(), batchMs });
      }
    }

    console.log(
      `\nProving on one core (snarkjs single-threaded, ${SINGLE_CORE_PROOFS} proofs each, after a warm-up):\n`,
    );
    console.log(
      formatTable(
        ['circuit', 'median', 'min', 'max'],
        CIRCUITS.map((circuit) => {
          const { ms } = oneCore[circuit];
          return [circuit, seconds(median(ms)), seconds(Math.min(...ms)), seconds(Math.max(...ms))];
        }),
      ),
    );

    const speedUp = (round: Round) => (batchSize * round.oneCoreMs) / round.batchMs;
    console.log(
      `\nBatch: ${batchSize} transfer proofs on a pool of ${cores} worker threads (one per core, snarkjs ` +
        `single-threaded in each), ${rounds.length} rounds, each beside a one-core transfer proof:\n`,
    );
    console.log(
      formatTable(
        ['round', 'wall time', 'proofs/s', 'one core beside it', 'speed-up'],
        [
          ...rounds.map((round, index) => [
            String(index + 1),
            seconds(round.batchMs),
            (batchSize / (round.batchMs / 1000)).toFixed(3),
            seconds(round.oneCoreMs),
            `${speedUp(round).toFixed(2)}x`,
          ]),
          [
            'median',
            seconds(median(rounds.map((round) => round.batchMs))),
            (batchSize / (median(rounds.map((round) => round.batchMs)) / 1000)).toFixed(3),
            seconds(median(rounds.map((round) => round.oneCoreMs))),
            `${median(rounds.map(speedUp)).toFixed(2)}x`,
          ],
        ],
      ),
    );
    console.log(
      `speed-up: ${batchSize} × the one-core time over the batch's wall time; at most ${cores}x, and less ` +
        `when the rest of the machine takes a core (load average now ${loadAverage()}).`,
    );

    const chain = await startGasChain();
    let gas: Record<CircuitName, GasMeasurement>;
    try {
      const verifiers = await deployVerifiers(chain);
      for (const proof of batchProofs) {
        if (!(await verifierAccepts(chain, verifiers.transfer, 'transfer', proof))) {
          throw new Error('a transfer proof from the pool does not verify');
        }
      }
      gas = {
        transfer: await measureVerificationGas(chain, verifiers, 'transfer', oneCore.transfer.proofs[0]!),
        withdraw: await measureVerificationGas(chain, verifiers, 'withdraw', oneCore.withdraw.proofs[0]!),
      };
    } finally {
      await chain.stop();
    }
    console.log(
      `\nVerification gas (transaction to the bare verifier, gas limit ${format(VERIFY_GAS_LIMIT)}, ` +
        `eth_call returned true; the pool's ${batchProofs.length} proofs verify too):\n`,
    );
    console.log(
      formatTable(
        ['operation', 'tx gas', 'less 21,000', 'of it calldata', 'eERC (tx)', 'ours/eERC'],
        [
          ...CIRCUITS.map((circuit) => [
            circuit,
            format(gas[circuit].gasUsed),
            format(gas[circuit].afterIntrinsic),
            format(gas[circuit].calldata),
            `~${format(EERC_GAS[circuit])}`,
            (Number(gas[circuit].gasUsed) / Number(EERC_GAS[circuit])).toFixed(2),
          ]),
          ['register', '-', '-', '-', `~${format(EERC_GAS.register)}`, '-'],
        ],
      ),
    );
    console.log(
      "\nReference: Ava Labs' EncryptedERC (eERC), published gas per operation: transfer ~947k, withdraw ~796k, " +
        'register ~322k. Those are whole transactions of its contract (its proof verified and its encrypted ' +
        'balances written); ours is the bare verifier, so the ratio is what the proof alone costs of a move, not ' +
        "the move. Tally's circuits have no registration proof: the contract checks a key when it registers " +
        'it (circuits/README.md); its whole transactions are measured below.',
    );

    await encryptedCreditsSection(pool, parties, cores);
  } finally {
    await stopPool();
  }
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function format(value: bigint | number): string {
  return value.toLocaleString('en-US');
}

/** First column left-aligned, the figures right-aligned, each column as wide as its widest cell. */
function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join('  ');
  const head = line(header);
  return [head, '-'.repeat(head.length), ...rows.map(line)].join('\n');
}

// A later section, or another bench, imports the measures above without running this one.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    if (isInterrupted()) return;
    console.error(error instanceof Error ? error.stack : String(error));
    process.exitCode = 1;
  });
}
