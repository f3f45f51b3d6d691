import { readFileSync } from 'node:fs';
import { type Address, getAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../../test/support/anvil';
import * as TransferVerifier from '../contracts/TransferVerifier';
import * as WithdrawVerifier from '../contracts/WithdrawVerifier';
import { addPoints, base8, fieldOrder, multiply, negate, subgroupOrder } from './babyjub';
import {
  addCiphertexts,
  balanceKeyMessage,
  type Ciphertext,
  decrypt,
  encrypt,
  type KeyPair,
  keyPairFromSignature,
  randomScalar,
  subtractCiphertexts,
} from './elgamal';
import {
  buildTransfer,
  buildWithdraw,
  type CircuitName,
  circuitArtifacts,
  type Proof,
  prove,
  releaseProver,
  transferPublicSignals,
  transferStatementInputs,
  verifierArguments,
  verify,
  withdrawPublicSignals,
} from './proofs';
import { startProverPool } from './prover-pool';

async function walletKey(privateKey: Hex): Promise<KeyPair> {
  return keyPairFromSignature(
    await privateKeyToAccount(privateKey).signMessage({ message: balanceKeyMessage }),
  );
}

const sender = await walletKey('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const receiver = await walletKey('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9846f4e59a3f1');
const auditor = await walletKey('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
const stranger = await walletKey('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c03f8f41b7');

// A balance that took two credits, as an encrypted account does.
const balanceValue = 1_500_000n;
const balance = addCiphertexts(encrypt(1_000_000n, sender.publicKey), encrypt(500_000n, sender.publicKey));
const recipient = BigInt('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
const limit = 1n << 24n;

function transferOf(amount: bigint) {
  return buildTransfer({
    sender,
    receiverKey: receiver.publicKey,
    auditorKey: auditor.publicKey,
    balance,
    balanceValue,
    amount,
  });
}

/** An encryption of −amount: what a sender would publish to take money from the receiver. */
function encryptNegative(amount: bigint, publicKey: KeyPair['publicKey'], randomness: bigint): Ciphertext {
  return {
    c1: multiply(base8, randomness),
    c2: addPoints(negate(multiply(base8, amount)), multiply(publicKey, randomness)),
  };
}

function manifestOf(circuit: CircuitName): { constraints: number; publicInputs: number } {
  const manifest = JSON.parse(
    readFileSync(`${circuitArtifacts(circuit).zkey.replace(/[^/]+$/, '')}manifest.json`, 'utf8'),
  );
  return manifest[circuit];
}

async function timedProof(circuit: CircuitName, inputs: Record<string, unknown>): Promise<Proof> {
  const started = performance.now();
  const proof = await prove(circuit, inputs);
  const { constraints, publicInputs } = manifestOf(circuit);
  console.log(
    `${circuit}: ${constraints} constraints, ${publicInputs} public inputs, proved in ${Math.round(performance.now() - started)} ms`,
  );
  return proof;
}

function tamper(proof: Proof, index: number, value: bigint): Proof {
  const publicSignals = [...proof.publicSignals];
  publicSignals[index] = value.toString();
  return { proof: proof.proof, publicSignals };
}

const transfer = transferOf(400_000n);
const withdrawal = buildWithdraw({ owner: sender, balance, balanceValue, amount: 600_000n, recipient });
let transferProof: Proof;
let withdrawProof: Proof;

beforeAll(async () => {
  transferProof = await timedProof('transfer', transfer.inputs);
  withdrawProof = await timedProof('withdraw', withdrawal.inputs);
});

afterAll(async () => {
  await releaseProver();
});

describe('a transfer', () => {
  it('proves and verifies, and each party reads the amount it should', async () => {
    expect(transferProof.publicSignals).toEqual(transferPublicSignals(transfer.statement));
    expect(await verify('transfer', transferProof)).toBe(true);
    expect(decrypt(transfer.statement.newBalance, sender.secret, limit)).toBe(1_100_000n);
    expect(decrypt(transfer.statement.receiverCiphertext, receiver.secret, limit)).toBe(400_000n);
    expect(decrypt(transfer.statement.auditorCiphertext, auditor.secret, limit)).toBe(400_000n);
    expect(decrypt(transfer.statement.receiverCiphertext, stranger.secret, limit)).toBeUndefined();
  });

  it('of the whole balance proves', async () => {
    const whole = transferOf(balanceValue);
    expect(await verify('transfer', await prove('transfer', whole.inputs))).toBe(true);
    expect(decrypt(whole.statement.newBalance, sender.secret, limit)).toBe(0n);
  });

  it('of more than the balance cannot be proven', async () => {
    await expect(prove('transfer', transferOf(balanceValue + 1n).inputs)).rejects.toThrow(/Assert Failed/);
  });

  it('of nothing cannot be proven', async () => {
    await expect(prove('transfer', transferOf(0n).inputs)).rejects.toThrow(/Assert Failed/);
  });

  it('of a negative amount cannot be proven, as a field element or as a group scalar', async () => {
    for (const negativeFive of [fieldOrder - 5n, subgroupOrder - 5n]) {
      const randomness = { sender: randomScalar(), receiver: randomScalar(), auditor: randomScalar() };
      const deduction = encryptNegative(5n, sender.publicKey, randomness.sender);
      const statement = {
        ...transfer.statement,
        newBalance: subtractCiphertexts(balance, deduction),
        receiverCiphertext: encryptNegative(5n, receiver.publicKey, randomness.receiver),
        auditorCiphertext: encryptNegative(5n, auditor.publicKey, randomness.auditor),
      };
      const inputs = {
        ...transfer.inputs,
        ...transferStatementInputs(statement),
        amount: negativeFive.toString(),
        senderRandomness: randomness.sender.toString(),
        receiverRandomness: randomness.receiver.toString(),
        auditorRandomness: randomness.auditor.toString(),
      };
      await expect(prove('transfer', inputs)).rejects.toThrow(/Assert Failed/);
    }
  });

  it('to a ciphertext under another key than the receiver it names cannot be proven', async () => {
    const randomness = BigInt(transfer.inputs.receiverRandomness as string);
    const statement = {
      ...transfer.statement,
      receiverCiphertext: encrypt(400_000n, stranger.publicKey, randomness),
    };
    await expect(
      prove('transfer', { ...transfer.inputs, ...transferStatementInputs(statement) }),
    ).rejects.toThrow(/Assert Failed/);
  });

  it('telling the auditor another amount cannot be proven', async () => {
    const randomness = BigInt(transfer.inputs.auditorRandomness as string);
    const statement = {
      ...transfer.statement,
      auditorCiphertext: encrypt(1n, auditor.publicKey, randomness),
    };
    await expect(
      prove('transfer', { ...transfer.inputs, ...transferStatementInputs(statement) }),
    ).rejects.toThrow(/Assert Failed/);
  });

  it('from a balance whose key the sender does not hold cannot be proven', async () => {
    await expect(
      prove('transfer', { ...transfer.inputs, senderSecret: stranger.secret.toString() }),
    ).rejects.toThrow(/Assert Failed/);
  });

  it('with a public input changed does not verify', async () => {
    const elsewhere = encrypt(400_000n, stranger.publicKey);
    // Signals 14 and 15 are the receiver ciphertext's first point (after 3 keys and 2 ciphertexts).
    const redirected = tamper(tamper(transferProof, 14, elsewhere.c1.x), 15, elsewhere.c1.y);
    expect(await verify('transfer', redirected)).toBe(false);
    for (const index of [0, 6, 10, 13, 21]) {
      expect(
        await verify(
          'transfer',
          tamper(transferProof, index, BigInt(transferProof.publicSignals[index]!) + 1n),
        ),
      ).toBe(false);
    }
  });
});

describe('a withdrawal', () => {
  it('proves and verifies, and leaves the balance less the amount', async () => {
    expect(withdrawProof.publicSignals).toEqual(withdrawPublicSignals(withdrawal.statement));
    expect(await verify('withdraw', withdrawProof)).toBe(true);
    expect(decrypt(withdrawal.statement.newBalance, sender.secret, limit)).toBe(900_000n);
  });

  it('of more than the balance, or of nothing, cannot be proven', async () => {
    for (const amount of [balanceValue + 1n, 0n]) {
      const inputs = buildWithdraw({ owner: sender, balance, balanceValue, amount, recipient }).inputs;
      await expect(prove('withdraw', inputs)).rejects.toThrow(/Assert Failed/);
    }
  });

  it('proves in a worker thread too, and the proof verifies', async () => {
    const pool = startProverPool({ size: 1 });
    const proof = await pool.prove('withdraw', withdrawal.inputs).finally(() => pool.close());
    expect(proof.publicSignals).toEqual(withdrawProof.publicSignals);
    expect(await verify('withdraw', proof)).toBe(true);
  });

  it('claiming another balance value than the ciphertext holds cannot be proven', async () => {
    const inputs = buildWithdraw({
      owner: sender,
      balance,
      balanceValue: balanceValue + 1_000n,
      amount: 1n,
      recipient,
    });
    await expect(prove('withdraw', inputs.inputs)).rejects.toThrow(/Assert Failed/);
  });

  it('sent to another recipient, or for more, does not verify', async () => {
    expect(await verify('withdraw', tamper(withdrawProof, 11, recipient + 1n))).toBe(false);
    expect(await verify('withdraw', tamper(withdrawProof, 10, 600_001n))).toBe(false);
  });
});

describe('the verifier contracts on chain', () => {
  let anvil: Anvil;
  let verifiers: { transfer: Address; withdraw: Address };

  async function deploy(
    bytecode: Hex,
    abi: typeof TransferVerifier.abi | typeof WithdrawVerifier.abi,
  ): Promise<Address> {
    const hash = await anvil.wallet(0).deployContract({ abi, bytecode });
    const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error('deployment made no contract');
    return getAddress(receipt.contractAddress);
  }

  async function acceptsTransfer(proof: Proof): Promise<boolean> {
    const { a, b, c, input } = verifierArguments(proof);
    return anvil.publicClient.readContract({
      address: verifiers.transfer,
      abi: TransferVerifier.abi,
      functionName: 'verifyProof',
      args: [a, b, c, input as never],
    });
  }

  async function acceptsWithdrawal(proof: Proof): Promise<boolean> {
    const { a, b, c, input } = verifierArguments(proof);
    return anvil.publicClient.readContract({
      address: verifiers.withdraw,
      abi: WithdrawVerifier.abi,
      functionName: 'verifyProof',
      args: [a, b, c, input as never],
    });
  }

  beforeAll(async () => {
    anvil = await startAnvil();
    verifiers = {
      transfer: await deploy(TransferVerifier.bytecode, TransferVerifier.abi),
      withdraw: await deploy(WithdrawVerifier.bytecode, WithdrawVerifier.abi),
    };
  });

  it('accept a valid transfer and a valid withdrawal', async () => {
    expect(await acceptsTransfer(transferProof)).toBe(true);
    expect(await acceptsWithdrawal(withdrawProof)).toBe(true);
  });

  it('refuse a transfer redirected to another key, or with any public input changed', async () => {
    const elsewhere = encrypt(400_000n, stranger.publicKey);
    expect(await acceptsTransfer(tamper(tamper(transferProof, 14, elsewhere.c1.x), 15, elsewhere.c1.y))).toBe(
      false,
    );
    for (const index of [0, 7, 12, 21]) {
      expect(
        await acceptsTransfer(tamper(transferProof, index, BigInt(transferProof.publicSignals[index]!) + 1n)),
      ).toBe(false);
    }
  });

  it('refuse a withdrawal of more, or to another recipient, and a transfer proof shown as a withdrawal', async () => {
    expect(await acceptsWithdrawal(tamper(withdrawProof, 10, 600_001n))).toBe(false);
    expect(await acceptsWithdrawal(tamper(withdrawProof, 11, recipient + 1n))).toBe(false);
    const foreign = { proof: transferProof.proof, publicSignals: withdrawProof.publicSignals };
    expect(await acceptsWithdrawal(foreign)).toBe(false);
  });
});
