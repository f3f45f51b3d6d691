import type { Hex } from 'viem';
import {
  type Ciphertext,
  ciphertextFromJson,
  ciphertextToJson,
  decrypt,
  type KeyPair,
  keyPairFromSignature,
} from '../../../../../src/chain/zk/elgamal';
import { buildWithdraw } from '../../../../../src/chain/zk/statements';
import type { GatewayEncrypted } from '../types';

export type CiphertextJson = NonNullable<GatewayEncrypted['balance']>;
export type PointJson = CiphertextJson['c1'];

/**
 * What the browser does with an encrypted account (a provider's payouts, a person's credits): the key
 * from the wallet's signature, the balance read with it, the withdrawal built from it. The same modules
 * the server checks with, so a claim the page builds is the one the contract accepts.
 */

export const keyFromSignature = (signature: Hex): KeyPair => keyPairFromSignature(signature);

export const keyJson = (key: KeyPair): PointJson => ({
  x: key.publicKey.x.toString(),
  y: key.publicKey.y.toString(),
});

/** The API's ciphertexts, both ways: the server's own conversion. */
export { ciphertextFromJson, ciphertextToJson };

/** Whether the key is the one the account registered: another wallet's signature gives another key. */
export function isAccountKey(key: KeyPair, registered: PointJson): boolean {
  return key.publicKey.x === BigInt(registered.x) && key.publicKey.y === BigInt(registered.y);
}

/** The largest balance the page searches for: 4 294.967295 USDC in micro-units, found within a second or two. */
export const SEARCH_LIMIT = 1n << 32n;

export type ReadBalance =
  | { kind: 'read'; value: bigint; matchesLedger: boolean }
  /** Not below the search limit, or not encrypted to this key. */
  | { kind: 'unreadable' };

/**
 * The amount the balance holds. Tally's ledger says what it should hold, and checking that one
 * amount costs one multiplication; only a balance that differs is searched for.
 */
export function readBalance(balance: Ciphertext, secret: bigint, ledger: bigint): ReadBalance {
  const value = decrypt(balance, secret, SEARCH_LIMIT, ledger);
  return value === undefined
    ? { kind: 'unreadable' }
    : { kind: 'read', value, matchesLedger: value === ledger };
}

/** The withdrawal of the whole balance to the account's own address, as the circuit's inputs and what is posted. */
export function wholeWithdrawal(options: {
  key: KeyPair;
  balance: Ciphertext;
  value: bigint;
  address: string;
}) {
  return buildWithdraw({
    owner: options.key,
    balance: options.balance,
    balanceValue: options.value,
    amount: options.value,
    recipient: BigInt(options.address),
  });
}
