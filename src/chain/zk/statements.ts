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
 * What the circuits prove, as their inputs: the public statement and the prover's secrets. Pure
 * arithmetic with no file or thread, so a browser builds a withdrawal's inputs with the same code
 * the server checks it with.
 */

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
