import { randomBytes } from 'node:crypto';
import { type Address, BaseError, ContractFunctionRevertedError, getAddress, type Hex, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../../test/support/anvil';
import { observableWords } from '../../../test/support/chain-trace';
import * as EncryptedCredits from '../contracts/EncryptedCredits';
import * as TestUSDC from '../contracts/TestUSDC';
import { addPoints, base8, identity, multiply, type Point } from './babyjub';
import {
  balanceKeyMessage,
  type Ciphertext,
  decrypt,
  type KeyPair,
  keyPairFromSignature,
  publicKeyOf,
  randomScalar,
} from './elgamal';
import {
  type AccountCiphertexts,
  afterMove,
  deployEncryptedCredits,
  keyEighthArgument,
  moveArgument,
  type PlannedMove,
  planMove,
  planMovesFrom,
  planWithdrawal,
  pointArgument,
  readAccount,
  registerKeyTypedData,
  withdrawArguments,
} from './encrypted-credits';
import { type Proof, prove, releaseProver } from './proofs';

// eERC's published gas (Ava Labs' EncryptedERC): ours must stay below each.
const EERC_GAS = { register: 322_000n, transfer: 947_000n, withdraw: 796_000n };

let anvil: Anvil;
let usdc: Address;
let contract: Address;
const auditor: KeyPair = (() => {
  const secret = randomScalar();
  return { secret, publicKey: publicKeyOf(secret) };
})();
// Anvil's accounts: 0 is the operator (and USDC's owner), 1–2 people, 3–4 providers, 5 a stranger.
const operator = () => anvil.wallet(0);
const address = (index: number): Address => anvil.wallet(index).account.address;
const keys = new Map<number, KeyPair>();

const transactionHashes: Hex[] = [];

async function send(hash: Hex): Promise<bigint> {
  const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  transactionHashes.push(hash);
  return receipt.gasUsed;
}

/** The custom error a call reverts with, by simulating it as the operator would send it. */
async function revertOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    if (error instanceof BaseError) {
      const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
      if (reverted instanceof ContractFunctionRevertedError)
        return reverted.data?.errorName ?? reverted.reason ?? 'reverted';
    }
    throw error;
  }
  throw new Error('the call did not revert');
}

async function keyOf(index: number): Promise<KeyPair> {
  let key = keys.get(index);
  if (!key) {
    key = keyPairFromSignature(await anvil.wallet(index).signMessage({ message: balanceKeyMessage }));
    keys.set(index, key);
  }
  return key;
}

async function registrationSignature(index: number, key: Point): Promise<Hex> {
  return anvil
    .wallet(index)
    .signTypedData(
      registerKeyTypedData({ chainId: anvil.publicClient.chain.id, contract, account: address(index), key }),
    );
}

async function register(index: number): Promise<bigint> {
  const key = await keyOf(index);
  return send(
    await operator().writeContract({
      address: contract,
      abi: EncryptedCredits.abi,
      functionName: 'registerKey',
      args: [
        address(index),
        keyEighthArgument(key.publicKey),
        await registrationSignature(index, key.publicKey),
      ],
    }),
  );
}

async function depositArguments(index: number, amount: bigint) {
  const nonce = toHex(randomBytes(32));
  const validBefore = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const signature = await anvil.wallet(index).signTypedData({
    domain: { name: 'USD Coin', version: '2', chainId: anvil.publicClient.chain.id, verifyingContract: usdc },
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
    message: { from: address(index), to: contract, value: amount, validAfter: 0n, validBefore, nonce },
  });
  return [address(index), address(index), amount, 0n, validBefore, nonce, signature] as const;
}

async function deposit(index: number, amount: bigint): Promise<bigint> {
  return send(
    await operator().writeContract({
      address: contract,
      abi: EncryptedCredits.abi,
      functionName: 'deposit',
      args: await depositArguments(index, amount),
    }),
  );
}

const account = (who: Address): Promise<AccountCiphertexts> => readAccount(anvil.publicClient, contract, who);

/** What an account holds, read both ways: by its owner's key and by the auditor's. */
async function valuesOf(
  who: Address,
  owner: KeyPair | undefined,
): Promise<{ owner?: bigint; audit: bigint }> {
  const held = await account(who);
  const audit = decrypt(held.audit, auditor.secret, 1n << 32n);
  if (audit === undefined) throw new Error(`the audited balance of ${who} did not decrypt`);
  if (!owner) return { audit };
  const mine = decrypt(held.balance, owner.secret, 1n << 32n);
  if (mine === undefined) throw new Error(`the balance of ${who} did not decrypt`);
  return { owner: mine, audit };
}

async function proveMoves(planned: readonly PlannedMove[]) {
  const proofs = await Promise.all(planned.map((move) => prove('transfer', move.witness.inputs)));
  return planned.map((move, index) =>
    moveArgument({ from: move.from, to: move.to, statement: move.witness.statement }, proofs[index]!),
  );
}

async function submitMoves(moves: Awaited<ReturnType<typeof proveMoves>>): Promise<bigint> {
  return send(
    await operator().writeContract({
      address: contract,
      abi: EncryptedCredits.abi,
      functionName: 'move',
      args: [moves],
    }),
  );
}

const usdcOf = (who: Address): Promise<bigint> =>
  anvil.publicClient.readContract({
    address: usdc,
    abi: TestUSDC.abi,
    functionName: 'balanceOf',
    args: [who],
  });

beforeAll(async () => {
  anvil = await startAnvil();
  const hash = await operator().deployContract({
    abi: TestUSDC.abi,
    bytecode: TestUSDC.bytecode,
    args: [address(0)],
  });
  usdc = getAddress((await anvil.publicClient.waitForTransactionReceipt({ hash })).contractAddress!);
  for (const index of [1, 2, 5]) {
    await send(
      await operator().writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'mint',
        args: [address(index), 100_000_000n],
      }),
    );
  }
  ({ contract } = await deployEncryptedCredits(operator(), anvil.publicClient, {
    usdc,
    operator: address(0),
    auditorKey: auditor.publicKey,
  }));
}, 120_000);

afterAll(async () => {
  await releaseProver();
});

describe('registering a key', () => {
  it('takes the owner’s signature, submitted by the operator with no gas of the owner’s, once', async () => {
    const ethBefore = await anvil.publicClient.getBalance({ address: address(3) });
    const gas = await register(3);
    expect(gas).toBeLessThan(EERC_GAS.register);
    expect(await anvil.publicClient.getBalance({ address: address(3) })).toBe(ethBefore);
    expect((await account(address(3))).key).toEqual((await keyOf(3)).publicKey);
    expect(await revertOf(() => register(3))).toBe('AlreadyRegistered');
  });

  it('refuses a key signed by someone else, a point off the curve, and the identity, and puts any other point in the subgroup', async () => {
    const key = (await keyOf(4)).publicKey;
    const submit = (eighth: Point, signature: Hex) =>
      anvil.publicClient.simulateContract({
        account: operator().account,
        address: contract,
        abi: EncryptedCredits.abi,
        functionName: 'registerKey',
        args: [address(4), { x: eighth.x, y: eighth.y }, signature],
      });
    const eighth = keyEighthArgument(key);
    expect(await revertOf(async () => submit(eighth, await registrationSignature(5, key)))).toBe(
      'BadSignature',
    );
    const offCurve = { x: eighth.x, y: eighth.y + 1n };
    expect(await revertOf(async () => submit(offCurve, await registrationSignature(4, key)))).toBe(
      'UnusableKey',
    );
    expect(await revertOf(async () => submit(identity, await registrationSignature(4, identity)))).toBe(
      'UnusableKey',
    );
    // (0, −1) is on the curve and of order 2: eight times it is the identity, under which a
    // ciphertext would hide nothing.
    const orderTwo = {
      x: 0n,
      y: 21888242871839275222246405745257275088548364400416034343698204186575808495616n,
    };
    expect(await revertOf(async () => submit(orderTwo, await registrationSignature(4, identity)))).toBe(
      'UnusableKey',
    );
    // A point outside the subgroup (the key plus the order-2 point) is registered as its eighth
    // multiple, which is in it: the key signed must be that multiple.
    const outside = addPoints(eighth, orderTwo);
    expect(
      await revertOf(async () => submit(outside, await registrationSignature(4, addPoints(key, orderTwo)))),
    ).toBe('BadSignature');
    expect(
      await anvil.publicClient.readContract({
        address: contract,
        abi: EncryptedCredits.abi,
        functionName: 'isRegistered',
        args: [address(4)],
      }),
    ).toBe(false);
  });
});

describe('deposits, the sweep into the pool, payouts, and withdrawals', () => {
  const spent = { first: 1_200_000n, second: 700_000n };
  const paid = { third: 1_000_000n, fourth: 500_000n };
  let sweepHash: Hex;
  let payoutHash: Hex;

  beforeAll(async () => {
    for (const index of [1, 2, 4]) await register(index);
  }, 120_000);

  it('credits a public deposit to both copies of the depositor’s balance, and only the operator submits one', async () => {
    await deposit(1, 5_000_000n);
    await deposit(2, 3_000_000n);
    await deposit(2, 1_000_000n);
    expect(await valuesOf(address(1), await keyOf(1))).toEqual({ owner: 5_000_000n, audit: 5_000_000n });
    expect(await valuesOf(address(2), await keyOf(2))).toEqual({ owner: 4_000_000n, audit: 4_000_000n });
    expect(await usdcOf(contract)).toBe(9_000_000n);

    const args = await depositArguments(1, 1_000_000n);
    const asStranger = () =>
      anvil.publicClient.simulateContract({
        account: anvil.wallet(5).account,
        address: contract,
        abi: EncryptedCredits.abi,
        functionName: 'deposit',
        args,
      });
    expect(await revertOf(asStranger)).toBe('NotOperator');
    const unregistered = await depositArguments(5, 1_000_000n);
    expect(
      await revertOf(() =>
        anvil.publicClient.simulateContract({
          account: operator().account,
          address: contract,
          abi: EncryptedCredits.abi,
          functionName: 'deposit',
          args: unregistered,
        }),
      ),
    ).toBe('NotRegistered');
  }, 60_000);

  it('sweeps what people spent into the pool, and pays providers from it in one batch proven in parallel', async () => {
    const [first, second, third, fourth] = await Promise.all([1, 2, 3, 4].map((index) => keyOf(index)));
    const sweep = await proveMoves([
      planMove({
        auditor,
        from: address(1),
        fromKey: first!.publicKey,
        fromAudit: (await account(address(1))).audit,
        fromValue: 5_000_000n,
        to: contract,
        toKey: auditor.publicKey,
        amount: spent.first,
      }),
      planMove({
        auditor,
        from: address(2),
        fromKey: second!.publicKey,
        fromAudit: (await account(address(2))).audit,
        fromValue: 4_000_000n,
        to: contract,
        toKey: auditor.publicKey,
        amount: spent.second,
      }),
    ]);
    const sweepGas = await submitMoves(sweep);
    sweepHash = transactionHashes.at(-1)!;
    expect(sweepGas / 2n).toBeLessThan(EERC_GAS.transfer);
    expect(await valuesOf(address(1), first)).toEqual({ owner: 3_800_000n, audit: 3_800_000n });
    expect(await valuesOf(address(2), second)).toEqual({ owner: 3_300_000n, audit: 3_300_000n });
    expect(await valuesOf(contract, auditor)).toEqual({ owner: 1_900_000n, audit: 1_900_000n });

    const pool = await account(contract);
    const planned = planMovesFrom({
      auditor,
      from: contract,
      fromKey: auditor.publicKey,
      fromAudit: pool.audit,
      fromValue: 1_900_000n,
      to: [
        { address: address(3), key: third!.publicKey, amount: paid.third },
        { address: address(4), key: fourth!.publicKey, amount: paid.fourth },
      ],
    });
    // What the contract will hold after the batch, computed before it runs, as the settlement expects it.
    let expectedPool = pool;
    for (const move of planned) {
      expectedPool = afterMove(move.witness.statement, expectedPool, await account(move.to)).from;
    }
    const payoutGas = await submitMoves(await proveMoves(planned));
    payoutHash = transactionHashes.at(-1)!;
    expect(payoutGas / 2n).toBeLessThan(EERC_GAS.transfer);
    expect(await account(contract)).toEqual(expectedPool);
    expect(await valuesOf(contract, auditor)).toEqual({ owner: 400_000n, audit: 400_000n });
    expect(await valuesOf(address(3), third)).toEqual({ owner: paid.third, audit: paid.third });
    expect(await valuesOf(address(4), fourth)).toEqual({ owner: paid.fourth, audit: paid.fourth });
    expect(await usdcOf(contract)).toBe(9_000_000n);
  }, 240_000);

  it('shows no amount moved or paid, and no person beside a provider, in any log, calldata or storage slot', async () => {
    const hidden = [spent.first, spent.second, paid.third, paid.fourth];
    // The amounts as words, and as the points m·G that would give them away to a discrete log.
    const forbidden = new Set<bigint>(hidden.flatMap((amount) => [amount, multiply(base8, amount).x]));
    const people = [address(1), address(2)].map((who) => who.toLowerCase().slice(2));
    const providers = [address(3), address(4)].map((who) => who.toLowerCase().slice(2));
    for (const [hash, mustNotName] of [
      [sweepHash, providers],
      [payoutHash, people],
    ] as const) {
      const { words, text, slots } = await observableWords(anvil.publicClient, hash);
      expect(slots).toBeGreaterThan(8);
      for (const word of words) expect(forbidden.has(word)).toBe(false);
      for (const name of mustNotName) expect(text).not.toContain(name);
    }
  });

  it('lets a provider withdraw what it was paid with its own proof, once, and the operator a person’s unspent credits to that person only', async () => {
    const third = await keyOf(3);
    const held = await account(address(3));
    const claim = planWithdrawal({
      owner: third,
      balance: held.balance,
      value: paid.third,
      amount: paid.third,
      recipient: address(3),
    });
    const proof = await prove('withdraw', claim.inputs);
    const args = withdrawArguments(address(3), claim.statement, proof);
    const gas = await send(
      await operator().writeContract({
        address: contract,
        abi: EncryptedCredits.abi,
        functionName: 'withdraw',
        args,
      }),
    );
    expect(gas).toBeLessThan(EERC_GAS.withdraw);
    expect(await usdcOf(address(3))).toBe(paid.third);
    expect(await valuesOf(address(3), third)).toEqual({ owner: 0n, audit: 0n });
    const replay = () =>
      anvil.publicClient.simulateContract({
        account: operator().account,
        address: contract,
        abi: EncryptedCredits.abi,
        functionName: 'withdraw',
        args,
      });
    expect(await revertOf(replay)).toBe('InvalidProof');

    const second = await keyOf(2);
    const audited = planWithdrawal({
      owner: auditor,
      balance: (await account(address(2))).audit,
      value: 3_300_000n,
      amount: 3_300_000n,
      recipient: address(2),
    });
    // The operator's withdrawal of an account goes to the account's own address, nowhere else.
    const redirected = planWithdrawal({
      owner: auditor,
      balance: (await account(address(2))).audit,
      value: 3_300_000n,
      amount: 3_300_000n,
      recipient: address(5),
    });
    expect(
      await revertOf(async () =>
        anvil.publicClient.simulateContract({
          account: operator().account,
          address: contract,
          abi: EncryptedCredits.abi,
          functionName: 'withdrawAudited',
          args: withdrawArguments(
            address(2),
            redirected.statement,
            await prove('withdraw', redirected.inputs),
          ),
        }),
      ),
    ).toBe('RecipientNotOwner');
    const usdcBefore = await usdcOf(address(2));
    await send(
      await operator().writeContract({
        address: contract,
        abi: EncryptedCredits.abi,
        functionName: 'withdrawAudited',
        args: withdrawArguments(address(2), audited.statement, await prove('withdraw', audited.inputs)),
      }),
    );
    expect(await usdcOf(address(2))).toBe(usdcBefore + 3_300_000n);
    expect(await valuesOf(address(2), second)).toEqual({ owner: 0n, audit: 0n });
    expect(await usdcOf(contract)).toBe(9_000_000n - paid.third - 3_300_000n);
  }, 120_000);

  it('refuses a move proven over another account, between two accounts, from a stale balance, with a changed ciphertext, and from anyone but the operator', async () => {
    const first = await keyOf(1);
    const held = await account(address(1));
    const planned = planMove({
      auditor,
      from: address(1),
      fromKey: first.publicKey,
      fromAudit: held.audit,
      fromValue: 3_800_000n,
      to: contract,
      toKey: auditor.publicKey,
      amount: 100_000n,
    });
    const proof: Proof = await prove('transfer', planned.witness.inputs);
    const good = moveArgument(
      { from: planned.from, to: planned.to, statement: planned.witness.statement },
      proof,
    );
    const simulate = (moves: (typeof good)[], as = operator().account) =>
      anvil.publicClient.simulateContract({
        account: as,
        address: contract,
        abi: EncryptedCredits.abi,
        functionName: 'move',
        args: [moves],
      });
    expect(await revertOf(() => simulate([{ ...good, from: address(4) }]))).toBe('InvalidProof');
    const shifted: Ciphertext = planned.witness.statement.receiverCiphertext;
    expect(
      await revertOf(() =>
        simulate([
          { ...good, toCiphertext: { c1: pointArgument(shifted.c2), c2: pointArgument(shifted.c1) } },
        ]),
      ),
    ).toBe('InvalidProof');
    expect(await revertOf(() => simulate([good], anvil.wallet(5).account))).toBe('NotOperator');
    // Between two accounts, neither the pool, a move is refused, even with a proof of its own.
    expect(await revertOf(() => simulate([{ ...good, to: address(4) }]))).toBe('NotThroughPool');
    const elsewhere = planMove({
      auditor,
      from: address(1),
      fromKey: first.publicKey,
      fromAudit: held.audit,
      fromValue: 3_800_000n,
      to: address(4),
      toKey: (await keyOf(4)).publicKey,
      amount: 100_000n,
    });
    const sideways = moveArgument(
      { from: elsewhere.from, to: elsewhere.to, statement: elsewhere.witness.statement },
      await prove('transfer', elsewhere.witness.inputs),
    );
    expect(await revertOf(() => simulate([sideways]))).toBe('NotThroughPool');
    expect(await revertOf(() => simulate([good, good]))).toBe('InvalidProof');

    await deposit(1, 1_000_000n);
    expect(await revertOf(() => simulate([good]))).toBe('InvalidProof');
    expect(await valuesOf(address(1), first)).toEqual({ owner: 4_800_000n, audit: 4_800_000n });
  }, 120_000);
});
