import type { ChainTransaction, ChainTransactionState } from '../api/types';

/** Tally's outgoing transactions (src/chain/sender.ts): queued → pending → confirmed, or reverted/cancelled. */
export const transactionStateColors: Record<ChainTransactionState, string> = {
  queued: 'gray',
  pending: 'blue',
  confirmed: 'teal',
  reverted: 'red',
  cancelled: 'orange',
};

export function isTransactionOpen(state: ChainTransactionState): boolean {
  return state === 'queued' || state === 'pending';
}

/** Where a transaction stands, and what happens next, in words. */
export function transactionProgress(transaction: ChainTransaction): string {
  switch (transaction.state) {
    case 'queued':
      // `attempts` counts the broadcasts the chain's node refused (src/chain/sender.ts).
      return transaction.attempts > 0
        ? `The chain refused it ${transaction.attempts} times; Tally will try again.`
        : 'Waiting for Tally to send it.';
    case 'pending':
      // Each broadcast of the same nonce (a fee raised on a stuck one) adds a hash.
      return transaction.hashes.length > 1
        ? `Sent ${transaction.hashes.length} times, with higher fees; waiting for a block to include it.`
        : 'Sent; waiting for a block to include it.';
    case 'confirmed':
      return transaction.block_number ? `Confirmed in block ${transaction.block_number}.` : 'Confirmed.';
    case 'reverted':
      return 'Included in a block, but the chain refused it (reverted).';
    case 'cancelled':
      return 'Cancelled: the chain would not take it, so Tally gave up (see the last error).';
  }
}
