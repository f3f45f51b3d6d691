import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem';
import { getAddress } from 'viem';
import * as EncryptedCredits from '../contracts/EncryptedCredits';
import * as TransferVerifier from '../contracts/TransferVerifier';
import * as WithdrawVerifier from '../contracts/WithdrawVerifier';
import { multiply, type Point, subgroupOrder } from './babyjub';
import { addCiphertexts, type Ciphertext, type KeyPair, subtractCiphertexts } from './elgamal';
import { type Proof, verifierArguments } from './proofs';
import {
  buildTransfer,
  buildWithdraw,
  type TransferStatement,
  type TransferWitness,
  type WithdrawStatement,
  type WithdrawWitness,
} from './statements';

/**
 * The encrypted-credits contract (contracts/encrypted/EncryptedCredits.sol) from TypeScript: the
 * statements its moves and withdrawals prove, in the shapes its functions take, and what it holds.
 * Every account keeps its balance under its owner's key and under the auditor key; the operator,
 * holding the auditor key, proves moves and withdrawals over the audited copy, and an owner
 * proves its own withdrawal over its own copy.
 */

export type AccountCiphertexts = { key: Point; balance: Ciphertext; audit: Ciphertext };

type ContractPoint = { x: bigint; y: bigint };
type ContractCiphertext = { c1: ContractPoint; c2: ContractPoint };

export const pointArgument = (point: Point): ContractPoint => ({ x: point.x, y: point.y });

export const ciphertextArgument = (ciphertext: Ciphertext): ContractCiphertext => ({
  c1: pointArgument(ciphertext.c1),
  c2: pointArgument(ciphertext.c2),
});

const ciphertextFrom = (value: ContractCiphertext): Ciphertext => ({
  c1: { x: value.c1.x, y: value.c1.y },
  c2: { x: value.c2.x, y: value.c2.y },
});

export function proofArgument(proof: Proof) {
  const { a, b, c } = verifierArguments(proof);
  return { a, b, c };
}

/** The EIP-712 message an owner signs to register the key its balance is encrypted under. */
export function registerKeyTypedData(input: {
  chainId: number;
  contract: Address;
  account: Address;
  key: Point;
}) {
  return {
    domain: {
      name: 'Tally Encrypted Credits',
      version: '1',
      chainId: input.chainId,
      verifyingContract: input.contract,
    },
    types: {
      RegisterKey: [
        { name: 'account', type: 'address' },
        { name: 'keyX', type: 'uint256' },
        { name: 'keyY', type: 'uint256' },
      ],
    },
    primaryType: 'RegisterKey' as const,
    message: { account: input.account, keyX: input.key.x, keyY: input.key.y },
  };
}

// 8⁻¹ modulo the subgroup order, by Fermat: l is prime.
const inverseOfEight = modularPower(8n, subgroupOrder - 2n, subgroupOrder);

function modularPower(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

/**
 * What `registerKey` takes for a key: the point whose eighth multiple it is. The contract
 * multiplies by eight, which puts any point of the curve in the prime subgroup, instead of checking
 * the key there with a multiplication by the group order (twice the gas of a registration).
 */
export const keyEighthArgument = (key: Point): ContractPoint => pointArgument(multiply(key, inverseOfEight));

/** What the contract holds for an account; an account never registered has no key (x = y = 0). */
export async function readAccount(
  client: PublicClient<Transport, Chain>,
  contract: Address,
  account: Address,
): Promise<AccountCiphertexts> {
  const [key, [balance, audit]] = await Promise.all([
    client.readContract({
      address: contract,
      abi: EncryptedCredits.abi,
      functionName: 'keyOf',
      args: [account],
    }),
    client.readContract({
      address: contract,
      abi: EncryptedCredits.abi,
      functionName: 'ciphertextsOf',
      args: [account],
    }),
  ]);
  return { key: { x: key.x, y: key.y }, balance: ciphertextFrom(balance), audit: ciphertextFrom(audit) };
}

/** A move's statement with the accounts it names; the proof is made from `witness.inputs`. */
export type PlannedMove = { from: Address; to: Address; witness: TransferWitness };

/**
 * A move of `amount` out of `from`'s audited balance (which the auditor knows holds `value`) into
 * `to`: the sender of the circuit is the auditor, the receiver `to`'s key, and its third
 * ciphertext, under `from`'s own key, is what leaves `from`'s owner copy.
 */
export function planMove(input: {
  auditor: KeyPair;
  from: Address;
  fromKey: Point;
  fromAudit: Ciphertext;
  fromValue: bigint;
  to: Address;
  toKey: Point;
  amount: bigint;
}): PlannedMove {
  return {
    from: input.from,
    to: input.to,
    witness: buildTransfer({
      sender: input.auditor,
      receiverKey: input.toKey,
      auditorKey: input.fromKey,
      balance: input.fromAudit,
      balanceValue: input.fromValue,
      amount: input.amount,
    }),
  };
}

/**
 * Moves out of one account, one after another, planned before any is proven: each starts from the
 * audited balance the one before leaves, so the proofs can be made in parallel and submitted in
 * order in one transaction (a settlement's payouts out of the pool).
 */
export function planMovesFrom(input: {
  auditor: KeyPair;
  from: Address;
  fromKey: Point;
  fromAudit: Ciphertext;
  fromValue: bigint;
  to: readonly { address: Address; key: Point; amount: bigint }[];
}): PlannedMove[] {
  let audit = input.fromAudit;
  let value = input.fromValue;
  return input.to.map((receiver) => {
    const planned = planMove({
      auditor: input.auditor,
      from: input.from,
      fromKey: input.fromKey,
      fromAudit: audit,
      fromValue: value,
      to: receiver.address,
      toKey: receiver.key,
      amount: receiver.amount,
    });
    audit = planned.witness.statement.newBalance;
    value -= receiver.amount;
    return planned;
  });
}

/** The contract's `Move` for a planned move and its proof. */
export function moveArgument(
  planned: { from: Address; to: Address; statement: TransferStatement },
  proof: Proof,
) {
  return {
    from: planned.from,
    to: planned.to,
    newAudit: ciphertextArgument(planned.statement.newBalance),
    toCiphertext: ciphertextArgument(planned.statement.receiverCiphertext),
    fromCiphertext: ciphertextArgument(planned.statement.auditorCiphertext),
    proof: proofArgument(proof),
  };
}

/** What a move leaves in each account, as the contract computes it: for a ledger to expect, and tests to check. */
export function afterMove(
  statement: TransferStatement,
  from: AccountCiphertexts,
  to: AccountCiphertexts,
): { from: AccountCiphertexts; to: AccountCiphertexts } {
  const deduction = subtractCiphertexts(statement.balance, statement.newBalance);
  return {
    from: {
      ...from,
      audit: statement.newBalance,
      balance: subtractCiphertexts(from.balance, statement.auditorCiphertext),
    },
    to: {
      ...to,
      balance: addCiphertexts(to.balance, statement.receiverCiphertext),
      audit: addCiphertexts(to.audit, deduction),
    },
  };
}

/** A withdrawal over the copy of a balance whose key `owner` holds: a provider over its own (`withdraw`), the operator over the audited one (`withdrawAudited`). */
export function planWithdrawal(input: {
  owner: KeyPair;
  balance: Ciphertext;
  value: bigint;
  amount: bigint;
  recipient: Address;
}): WithdrawWitness {
  return buildWithdraw({
    owner: input.owner,
    balance: input.balance,
    balanceValue: input.value,
    amount: input.amount,
    recipient: BigInt(input.recipient),
  });
}

/** The arguments of `withdraw` or `withdrawAudited` for an account, its statement and proof. */
export function withdrawArguments(account: Address, statement: WithdrawStatement, proof: Proof) {
  return [
    account,
    statement.amount,
    getAddress(`0x${statement.recipient.toString(16).padStart(40, '0')}`),
    ciphertextArgument(statement.newBalance),
    proofArgument(proof),
  ] as const;
}

type Wallet = WalletClient<Transport, Chain, Account>;

/** Deploys the two verifiers and the contract over them (development chains and tests). */
export async function deployEncryptedCredits(
  wallet: Wallet,
  client: PublicClient<Transport, Chain>,
  input: { usdc: Address; operator: Address; auditorKey: Point },
): Promise<{ contract: Address; transferVerifier: Address; withdrawVerifier: Address }> {
  const deployed = async (hash: Hex): Promise<Address> => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error('the deployment made no contract');
    return getAddress(receipt.contractAddress);
  };
  const transferVerifier = await deployed(
    await wallet.deployContract({ abi: TransferVerifier.abi, bytecode: TransferVerifier.bytecode }),
  );
  const withdrawVerifier = await deployed(
    await wallet.deployContract({ abi: WithdrawVerifier.abi, bytecode: WithdrawVerifier.bytecode }),
  );
  const contract = await deployed(
    await wallet.deployContract({
      abi: EncryptedCredits.abi,
      bytecode: EncryptedCredits.bytecode,
      args: [input.usdc, transferVerifier, withdrawVerifier, input.operator, pointArgument(input.auditorKey)],
    }),
  );
  return { contract, transferVerifier, withdrawVerifier };
}
