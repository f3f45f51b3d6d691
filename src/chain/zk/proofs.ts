import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { curves, type Groth16Proof, groth16, type VerificationKey } from 'snarkjs';
import type { Point } from './babyjub';
import {
  type Ciphertext,
  encrypt,
  type KeyPair,
  randomScalar,
  subtractAmount,
  subtractCiphertexts,
} from './elgamal';

/**
 * Groth16 proofs of the circuits in circuits/ (transfer, withdraw), with the keys of the trusted
 * setup in circuits/build/. Proving reads only files and takes no shared state, so a worker thread
 * can prove on its own: pass `singleThread` there, the pool is the parallelism (prover-pool.ts).
 */
export type CircuitName = 'transfer' | 'withdraw';

export type Proof = { proof: Groth16Proof; publicSignals: string[] };

const buildDirectory = fileURLToPath(new URL('../../../circuits/build/', import.meta.url));

export function circuitArtifacts(circuit: CircuitName): {
  wasm: string;
  zkey: string;
  verificationKey: string;
} {
  return {
    wasm: `${buildDirectory}${circuit}.wasm`,
    zkey: `${buildDirectory}${circuit}.zkey`,
    verificationKey: `${buildDirectory}${circuit}.vkey.json`,
  };
}

const verificationKeys = new Map<CircuitName, VerificationKey>();

function verificationKeyOf(circuit: CircuitName): VerificationKey {
  let key = verificationKeys.get(circuit);
  if (!key) {
    key = JSON.parse(readFileSync(circuitArtifacts(circuit).verificationKey, 'utf8')) as VerificationKey;
    verificationKeys.set(circuit, key);
  }
  return key;
}

function pointSignals(point: Point): string[] {
  return [point.x.toString(), point.y.toString()];
}

function ciphertextSignals(ciphertext: Ciphertext): string[][] {
  return [pointSignals(ciphertext.c1), pointSignals(ciphertext.c2)];
}

/** What a transfer moves and the new ciphertexts it publishes. */
export type TransferStatement = {
  senderKey: Point;
  receiverKey: Point;
  auditorKey: Point;
  balance: Ciphertext;
  newBalance: Ciphertext;
  receiverCiphertext: Ciphertext;
  auditorCiphertext: Ciphertext;
};

export type TransferWitness = {
  statement: TransferStatement;
  /** The circuit's input: the statement and the sender's secrets. */
  inputs: Record<string, string | string[] | string[][]>;
};

/**
 * A transfer of `amount` from the sender's balance (which holds `balanceValue`, as its owner
 * decrypted it) to the receiver, with the amount encrypted to the auditor too, each ciphertext
 * with fresh randomness.
 */
export function buildTransfer(options: {
  sender: KeyPair;
  receiverKey: Point;
  auditorKey: Point;
  balance: Ciphertext;
  balanceValue: bigint;
  amount: bigint;
}): TransferWitness {
  const randomness = { sender: randomScalar(), receiver: randomScalar(), auditor: randomScalar() };
  const deduction = encrypt(options.amount, options.sender.publicKey, randomness.sender);
  const statement: TransferStatement = {
    senderKey: options.sender.publicKey,
    receiverKey: options.receiverKey,
    auditorKey: options.auditorKey,
    balance: options.balance,
    newBalance: subtractCiphertexts(options.balance, deduction),
    receiverCiphertext: encrypt(options.amount, options.receiverKey, randomness.receiver),
    auditorCiphertext: encrypt(options.amount, options.auditorKey, randomness.auditor),
  };
  return {
    statement,
    inputs: {
      ...transferStatementInputs(statement),
      senderSecret: options.sender.secret.toString(),
      balanceValue: options.balanceValue.toString(),
      amount: options.amount.toString(),
      senderRandomness: randomness.sender.toString(),
      receiverRandomness: randomness.receiver.toString(),
      auditorRandomness: randomness.auditor.toString(),
    },
  };
}

export function transferStatementInputs(statement: TransferStatement): Record<string, string[] | string[][]> {
  return {
    senderKey: pointSignals(statement.senderKey),
    receiverKey: pointSignals(statement.receiverKey),
    auditorKey: pointSignals(statement.auditorKey),
    balance: ciphertextSignals(statement.balance),
    newBalance: ciphertextSignals(statement.newBalance),
    receiverCiphertext: ciphertextSignals(statement.receiverCiphertext),
    auditorCiphertext: ciphertextSignals(statement.auditorCiphertext),
  };
}

/** The public signals in the circuit's order: its public inputs as declared, arrays row by row. */
export function transferPublicSignals(statement: TransferStatement): string[] {
  return Object.values(transferStatementInputs(statement)).flat(2);
}

export type WithdrawStatement = {
  publicKey: Point;
  balance: Ciphertext;
  newBalance: Ciphertext;
  amount: bigint;
  /** The address the released USDC goes to, as a number. */
  recipient: bigint;
};

export type WithdrawWitness = {
  statement: WithdrawStatement;
  inputs: Record<string, string | string[] | string[][]>;
};

export function buildWithdraw(options: {
  owner: KeyPair;
  balance: Ciphertext;
  balanceValue: bigint;
  amount: bigint;
  recipient: bigint;
}): WithdrawWitness {
  const statement: WithdrawStatement = {
    publicKey: options.owner.publicKey,
    balance: options.balance,
    newBalance: subtractAmount(options.balance, options.amount),
    amount: options.amount,
    recipient: options.recipient,
  };
  return {
    statement,
    inputs: {
      ...withdrawStatementInputs(statement),
      secret: options.owner.secret.toString(),
      balanceValue: options.balanceValue.toString(),
    },
  };
}

export function withdrawStatementInputs(
  statement: WithdrawStatement,
): Record<string, string | string[] | string[][]> {
  return {
    publicKey: pointSignals(statement.publicKey),
    balance: ciphertextSignals(statement.balance),
    newBalance: ciphertextSignals(statement.newBalance),
    amount: statement.amount.toString(),
    recipient: statement.recipient.toString(),
  };
}

export function withdrawPublicSignals(statement: WithdrawStatement): string[] {
  return Object.values(withdrawStatementInputs(statement)).flat(2);
}

/** Fails when the inputs break a constraint: the witness generator checks every one of them. */
export async function prove(
  circuit: CircuitName,
  inputs: Record<string, unknown>,
  options: { singleThread?: boolean } = {},
): Promise<Proof> {
  const artifacts = circuitArtifacts(circuit);
  return groth16.fullProve(inputs, artifacts.wasm, artifacts.zkey, undefined, undefined, {
    singleThread: options.singleThread ?? false,
  });
}

export async function verify(circuit: CircuitName, proof: Proof): Promise<boolean> {
  return groth16.verify(verificationKeyOf(circuit), proof.publicSignals, proof.proof);
}

/** The arguments of the exported verifier's verifyProof(a, b, c, input); G2 coordinates go imaginary part first. */
export function verifierArguments(proof: Proof): {
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  input: readonly bigint[];
} {
  const { pi_a, pi_b, pi_c } = proof.proof;
  const pair = (values: string[]): readonly [bigint, bigint] => [BigInt(values[0]!), BigInt(values[1]!)];
  return {
    a: pair(pi_a),
    b: [pair([pi_b[0]![1]!, pi_b[0]![0]!]), pair([pi_b[1]![1]!, pi_b[1]![0]!])],
    c: pair(pi_c),
    input: proof.publicSignals.map((signal) => BigInt(signal)),
  };
}

/** Ends snarkjs's curve workers, which otherwise keep a process alive. */
export async function releaseProver(): Promise<void> {
  await (await curves.getCurveFromName('bn128')).terminate();
}
