import type {
  Account,
  Address,
  Chain,
  Hex,
  PublicClient,
  TransactionReceipt,
  Transport,
  WalletClient,
} from 'viem';
import { AppError } from '../../core/errors';

/**
 * One transaction's target and calldata: what a wallet is asked to send, or what the treasury
 * sender queues (`queueTransaction`'s `to` and `data`).
 */
export interface ChainCall {
  to: Address;
  data: Hex;
}

export type StreamPublicClient = PublicClient<Transport, Chain>;
export type StreamWalletClient = WalletClient<Transport, Chain, Account>;

/** Sends `call` from the wallet's account and waits for it to be mined; a revert is an error, not a receipt. */
export async function sendCall(
  publicClient: StreamPublicClient,
  wallet: StreamWalletClient,
  call: ChainCall,
): Promise<TransactionReceipt> {
  // Superfluid's agreements settle what streamed since a flow's last update: mined a few seconds
  // after the estimate, the same call can cost more gas than estimated, so a quarter goes on top.
  const estimate = await publicClient.estimateGas({ account: wallet.account, to: call.to, data: call.data });
  const hash = await wallet.sendTransaction({ to: call.to, data: call.data, gas: estimate + estimate / 4n });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    throw new AppError('domain_rule', `transaction ${hash} to ${call.to} reverted`, { hash, to: call.to });
  }
  return receipt;
}
