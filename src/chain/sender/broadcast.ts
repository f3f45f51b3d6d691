import {
  type Address,
  BaseError,
  type Hex,
  InternalRpcError,
  keccak256,
  LimitExceededRpcError,
  type LocalAccount,
  RpcRequestError,
} from 'viem';
import type { ChainClient } from '../client';
import { bumpFees, capFees, type Fees } from './gas';
import type { OutgoingTransaction } from './outgoing';

/** An EIP-1559 transfer of nothing to oneself: the cheapest way to use up a nonce. */
const FILLER_GAS = 21_000n;

/** One signed version of an outgoing transaction, ready for `eth_sendRawTransaction`. */
export interface SignedVersion {
  serialized: Hex;
  hash: Hex;
  fees: Fees;
  /** Not among the transaction's hashes yet: it must be recorded before it is broadcast. */
  isNew: boolean;
  bumped: boolean;
  /** Why this version is not simply the transaction at today's fees, kept as its last error. */
  note: string | null;
}

export interface VersionRules {
  maxFeePerGas: bigint;
  bumpAfterMs: number;
  /** Refusals after which the transaction's nonce is filled instead. */
  maxAttempts: number;
}

/**
 * Signs the version to broadcast now: the transaction itself, or after `maxAttempts` refusals a
 * filler for its nonce. Re-signing with the same fees gives the same hash (RFC 6979 signatures), so
 * a dropped transaction goes out again as itself; a fee bump, or a filler replacing a transaction
 * already in the pool, takes fees a replacement is accepted with, and so a new hash.
 */
export async function signVersion(
  account: LocalAccount,
  chainId: number,
  transaction: OutgoingTransaction,
  { network, now, rules }: { network: Fees; now: Date; rules: VersionRules },
): Promise<SignedVersion> {
  const filling = transaction.attempts >= rules.maxAttempts;
  const payload = filling
    ? { to: transaction.fromAddress, value: 0n, data: '0x' as Hex, gas: FILLER_GAS }
    : {
        to: transaction.toAddress,
        value: transaction.value,
        data: transaction.data,
        gas: transaction.gasLimit,
      };
  const sign = async (fees: Fees) => {
    const serialized = await account.signTransaction({
      chainId,
      type: 'eip1559',
      nonce: Number(transaction.nonce),
      ...payload,
      ...fees,
    });
    return { serialized, hash: keccak256(serialized), fees };
  };
  const { maxFeePerGas, maxPriorityFeePerGas, sentAt, acceptedHash } = transaction;
  let version: { serialized: Hex; hash: Hex; fees: Fees };
  let bumped = false;
  let note: string | null = null;
  const bump = async (from: Fees) => {
    const raised = bumpFees(from, network, rules.maxFeePerGas);
    if (raised) {
      version = await sign(raised);
      bumped = true;
    } else note = `the fee cap of ${rules.maxFeePerGas} wei per gas leaves no room for a higher fee`;
  };
  if (maxFeePerGas === null || maxPriorityFeePerGas === null) {
    version = await sign(capFees(network, rules.maxFeePerGas));
  } else {
    const latest = { maxFeePerGas, maxPriorityFeePerGas };
    version = await sign(latest);
    if (!transaction.hashes.includes(version.hash)) {
      // Another payload (a filler for the nonce) replaces what a node may hold: it needs higher fees.
      await bump(latest);
    } else if (version.hash !== acceptedHash) {
      // No node has taken this version yet (its answer was lost, or the pool was full): the same
      // bytes go again. Bumping now would raise the fee on every retry of a flaky connection. Only a
      // first version nobody took is signed afresh when the network asks more than it offers.
      if (sentAt === null && network.maxFeePerGas > latest.maxFeePerGas) {
        version = await sign(capFees(network, rules.maxFeePerGas));
      }
    } else if (sentAt !== null && now.getTime() - sentAt.getTime() >= rules.bumpAfterMs) {
      // Accepted, and still not mined after `bumpAfterMs`: raised from the accepted version's fees.
      await bump(latest);
    }
  }
  // A filler keeps the refusal that made it necessary as the transaction's last error.
  note ??= filling ? transaction.lastError : null;
  return { ...version, isNew: !transaction.hashes.includes(version.hash), bumped, note };
}

/** What a refused `eth_sendRawTransaction` means for the sender. */
export type BroadcastFailure =
  /** The node already has this very transaction: the broadcast did what it should. */
  | { kind: 'known' }
  /** The nonce is used: by ours (mined since we looked) or by someone else's. */
  | { kind: 'nonce_used'; message: string }
  /**
   * Not this transaction's fault (the RPC is down, rate limits, fees above our cap, the node's pool
   * full or missing an earlier nonce): try again later, and send no later nonce meanwhile.
   */
  | { kind: 'transient'; message: string }
  /** The node refused this transaction; `permanent` when asking again cannot change its answer. */
  | { kind: 'rejected'; message: string; permanent: boolean };

// Nodes say it in words, not codes (geth, anvil, erigon and hosted RPCs each their own).
const KNOWN = /already known|already imported|known transaction|alreadyknown|already in (the )?(mem)?pool/i;
const NONCE_USED = /nonce too low|nonce is too low|nonce too small|nonce has already been used|oldnonce/i;
/** The node's pool, not the transaction: a nonce ahead of what it holds, a full pool, a fee it wants higher. */
const POOL =
  /nonce too high|nonce gap|gapped nonce|replacement transaction underpriced|transaction underpriced|replacement fee too low|txpool is full|transaction pool is full|pool is full|future transaction tries to replace/i;
const INSUFFICIENT_FUNDS = /insufficient funds/i;
const BELOW_BASE_FEE = /less than (the )?block base fee|fee cap less than block base fee|feecap too low/i;
const PERMANENT =
  /intrinsic gas too (low|high)|exceeds block gas limit|gas limit reached|oversized data|invalid sender|invalid signature|invalid chain ?id|transaction type not supported|tx type not supported|init code size/i;

/**
 * Judges a refused broadcast. Short of ETH, it asks for the balance: if the wallet can still pay
 * for a filler, this transaction asks too much and counts as refused (it is filled in the end); if
 * not, nothing of this signer can move until someone tops the wallet up, and filling would not help.
 */
export async function judgeBroadcastError(
  error: unknown,
  chain: ChainClient,
  from: Address,
  fees: Fees,
): Promise<BroadcastFailure> {
  const message = describeError(error);
  if (KNOWN.test(message)) return { kind: 'known' };
  if (NONCE_USED.test(message)) return { kind: 'nonce_used', message };
  if (POOL.test(message))
    return { kind: 'transient', message: `the node's pool cannot take it now: ${message}` };
  if (INSUFFICIENT_FUNDS.test(message)) {
    try {
      const balance = await chain.publicClient.getBalance({ address: from });
      if (balance >= FILLER_GAS * fees.maxFeePerGas) return { kind: 'rejected', message, permanent: false };
      return { kind: 'transient', message: `${from} lacks the ETH to pay for gas: ${message}` };
    } catch (balanceError) {
      return { kind: 'transient', message: describeError(balanceError) };
    }
  }
  if (BELOW_BASE_FEE.test(message)) {
    return { kind: 'transient', message: `the network's base fee is above our fee cap: ${message}` };
  }
  if (PERMANENT.test(message)) return { kind: 'rejected', message, permanent: true };
  // A JSON-RPC error answer is the node judging the transaction; anything else (no answer, an HTTP
  // failure, the node's own trouble) says nothing about it.
  if (
    error instanceof BaseError &&
    error.walk((e) => e instanceof RpcRequestError) &&
    !error.walk((e) => e instanceof InternalRpcError || e instanceof LimitExceededRpcError)
  ) {
    return { kind: 'rejected', message, permanent: false };
  }
  return { kind: 'transient', message };
}

/** The node's own words when there are some, else the error's short message. */
export function describeError(error: unknown): string {
  if (!(error instanceof BaseError)) return error instanceof Error ? error.message : String(error);
  const parts = new Set<string>();
  error.walk((e) => {
    if (e instanceof BaseError) parts.add(e.details || e.shortMessage);
    return false;
  });
  return [...parts].join(': ').slice(0, 2000) || error.shortMessage;
}
