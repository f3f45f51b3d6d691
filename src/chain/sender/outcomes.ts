import { type Address, type Hex, type TransactionReceipt, TransactionReceiptNotFoundError } from 'viem';
import type { ChainClient } from '../client';
import type { OutgoingState, outgoingTransactions } from '../schema';
import type { Fees } from './gas';
import { NONCE_GAP_PURPOSE } from './nonces';
import type { OutgoingTransaction } from './outgoing';

/** What the chain says about one signer's nonces, read once per pass of the sender. */
export interface ChainView {
  head: bigint;
  /** The signer's count at the head: every nonce below it is used. */
  minedNonce: bigint;
  /** Its count `confirmations` blocks back: a nonce below it is used for good. */
  settledNonce: bigint;
  /** What the network asks now, for transactions still to be signed. */
  fees: Fees;
  /** By outgoing transaction id: the receipt of whichever of its hashes was mined. */
  receipts: Map<string, TransactionReceipt>;
  /**
   * By outgoing transaction id, for a nonce used for good whose hashes gave no receipt: the
   * transaction that used it, as its block lists it. Absent when no node could say yet.
   */
  nonceUsers: Map<string, NonceUser>;
}

/** The transaction that used a nonce, found in the block that mined it. */
export interface NonceUser {
  hash: Hex;
  blockNumber: bigint;
}

export type OutcomeChanges = Partial<typeof outgoingTransactions.$inferInsert>;

/** The state an outgoing transaction moves to (or stays in), and what is written with it. */
export interface Outcome {
  state: OutgoingState;
  changes: OutcomeChanges;
}

/** How many transactions `address` had sent as of a block: the next nonce it would use there. */
const nonceCountAt =
  ({ publicClient }: ChainClient, address: Address) =>
  async (blockNumber: bigint): Promise<bigint> =>
    BigInt(await publicClient.getTransactionCount({ address, blockNumber }));

/** Receipts are only asked for nonces the chain has used: any other cannot have one. */
export async function readChainView(
  chain: ChainClient,
  address: Address,
  confirmations: number,
  transactions: readonly OutgoingTransaction[],
): Promise<ChainView> {
  const { publicClient } = chain;
  const [head, fees] = await Promise.all([publicClient.getBlockNumber(), publicClient.estimateFeesPerGas()]);
  const countAt = nonceCountAt(chain, address);
  const depth = BigInt(confirmations);
  const minedNonce = await countAt(head);
  const settledNonce = depth === 0n ? minedNonce : head >= depth ? await countAt(head - depth) : 0n;
  const receipts = new Map<string, TransactionReceipt>();
  await Promise.all(
    transactions
      .filter((t) => t.nonce < minedNonce && t.hashes.length > 0)
      .map(async (t) => {
        const receipt = await findReceipt(chain, t.hashes);
        if (receipt) receipts.set(t.id, receipt);
      }),
  );
  // A receipt can be missing because the node that answered indexes receipts behind its head (or
  // is a backend behind the others): a nonce used for good without one is looked up in the blocks.
  const nonceUsers = new Map<string, NonceUser>();
  for (const t of transactions) {
    if (t.nonce >= settledNonce || receipts.has(t.id)) continue;
    const user = await findNonceUser(chain, address, t.nonce, head - depth).catch(() => undefined);
    if (user) nonceUsers.set(t.id, user);
  }
  return { head, minedNonce, settledNonce, fees, receipts, nonceUsers };
}

/**
 * Which transaction used `nonce`: the first block whose state counts past it (a search by halves up
 * to `settledBlock`, which does), then that block's own list. Undefined when the answers disagree
 * (a backend behind the others): the caller waits and asks again.
 */
async function findNonceUser(
  chain: ChainClient,
  address: Address,
  nonce: bigint,
  settledBlock: bigint,
): Promise<NonceUser | undefined> {
  const { publicClient } = chain;
  const countAt = nonceCountAt(chain, address);
  let low = 0n;
  let high = settledBlock;
  if ((await countAt(high)) <= nonce) return undefined;
  while (low < high) {
    const middle = (low + high) / 2n;
    if ((await countAt(middle)) > nonce) high = middle;
    else low = middle + 1n;
  }
  const block = await publicClient.getBlock({ blockNumber: high, includeTransactions: true });
  const user = block.transactions.find(
    (t) => t.from.toLowerCase() === address.toLowerCase() && BigInt(t.nonce) === nonce,
  );
  return user ? { hash: user.hash, blockNumber: high } : undefined;
}

/** The newest first: after a fee bump the replacement is the likelier one to be mined. */
async function findReceipt(
  chain: ChainClient,
  hashes: readonly Hex[],
): Promise<TransactionReceipt | undefined> {
  for (const hash of [...hashes].reverse()) {
    try {
      return await chain.publicClient.getTransactionReceipt({ hash });
    } catch (error) {
      if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
    }
  }
  return undefined;
}

/**
 * The outcome for a transaction whose nonce the chain has used; undefined when it has not, and the
 * transaction still needs a broadcast.
 */
export function outcomeOnChain(
  transaction: OutgoingTransaction,
  view: ChainView,
  { confirmations, now, recheckAt }: { confirmations: number; now: Date; recheckAt: Date },
): Outcome | undefined {
  const receipt = view.receipts.get(transaction.id);
  if (receipt) {
    const mined = { minedHash: receipt.transactionHash, blockNumber: receipt.blockNumber };
    if (view.head - receipt.blockNumber < BigInt(confirmations)) {
      return { state: 'pending', changes: { ...mined, gasUsed: null, nextCheckAt: recheckAt } };
    }
    const final = { ...mined, gasUsed: receipt.gasUsed.toString(), finishedAt: now };
    // queueTransaction refuses transactions to their own sender: one mined to the sender is our filler,
    // and the transaction keeps the error that made us fill its nonce. A gap's filler is itself done.
    if (
      receipt.to?.toLowerCase() === transaction.fromAddress.toLowerCase() &&
      transaction.purpose !== NONCE_GAP_PURPOSE
    ) {
      return { state: 'cancelled', changes: final };
    }
    // Mined as itself: refusals on the way there no longer matter.
    return {
      state: receipt.status === 'success' ? 'confirmed' : 'reverted',
      changes: { ...final, lastError: null },
    };
  }
  if (transaction.nonce < view.settledNonce) {
    const user = view.nonceUsers.get(transaction.id);
    const ours = user && transaction.hashes.some((hash) => hash.toLowerCase() === user.hash.toLowerCase());
    // Only a block that lists another transaction under this nonce says ours can never be mined. A
    // missing receipt says nothing: ours may be mined where the node that answered has not looked.
    if (user && !ours) {
      return {
        state: 'cancelled',
        changes: {
          lastError: `nonce ${transaction.nonce} was used by ${user.hash}, a transaction Tally did not send`,
          finishedAt: now,
        },
      };
    }
    return {
      state: transaction.state,
      changes: {
        minedHash: user?.hash ?? null,
        blockNumber: user?.blockNumber ?? null,
        lastError: user
          ? null
          : `nonce ${transaction.nonce} is used, and no node has said yet by which transaction`,
        nextCheckAt: recheckAt,
      },
    };
  }
  // Used, but not yet for good: a reorg could still let ours in, so wait rather than broadcast again.
  if (transaction.nonce < view.minedNonce) {
    return {
      state: transaction.state,
      changes: { minedHash: null, blockNumber: null, nextCheckAt: recheckAt },
    };
  }
  return undefined;
}
