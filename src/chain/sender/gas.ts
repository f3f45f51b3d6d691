import { type Address, BaseError, ExecutionRevertedError, type Hex, InsufficientFundsError } from 'viem';
import { AppError } from '../../core/errors';
import type { ChainClient } from '../client';

export interface GasRequest {
  from: Address;
  to: Address;
  data?: Hex;
  value?: bigint;
}

/**
 * The gas limit to queue a transaction with: the node's estimate plus 20 %, since the state it runs
 * against may change before it is mined. Asks the chain, so call it before the database transaction
 * that queues. A transaction that would revert, or one above `maxGasLimit`, is refused here, before
 * anything is recorded.
 */
export async function estimateGasLimit(
  chain: ChainClient,
  request: GasRequest,
  { maxGasLimit }: { maxGasLimit: bigint },
): Promise<bigint> {
  let estimate: bigint;
  try {
    estimate = await chain.publicClient.estimateGas({
      account: request.from,
      to: request.to,
      data: request.data,
      value: request.value,
    });
  } catch (error) {
    throw estimationError(error);
  }
  const limit = (estimate * 6n + 4n) / 5n;
  if (limit > maxGasLimit) {
    throw new AppError(
      'domain_rule',
      `the transaction needs ${limit} gas, more than the limit of ${maxGasLimit}`,
      {
        gasLimit: limit.toString(),
        maxGasLimit: maxGasLimit.toString(),
      },
    );
  }
  return limit;
}

function estimationError(error: unknown): AppError {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ExecutionRevertedError);
    if (reverted instanceof ExecutionRevertedError) {
      const data = (
        error.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data?: Hex } | null
      )?.data;
      return new AppError(
        'domain_rule',
        `the transaction would revert: ${reverted.details || reverted.shortMessage}`,
        {
          reason: reverted.details || reverted.shortMessage,
          ...(data ? { data } : {}),
        },
      );
    }
    if (error.walk((e) => e instanceof InsufficientFundsError)) {
      return new AppError('unavailable', 'the sending account lacks the ETH this transaction needs');
    }
  }
  const message = error instanceof BaseError ? error.shortMessage : String(error);
  return new AppError('unavailable', `the chain could not estimate the transaction's gas: ${message}`);
}

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** The fees the network asks for, kept within our cap (the tip never above the total). */
export function capFees(network: Fees, cap: bigint): Fees {
  const maxFeePerGas = smaller(network.maxFeePerGas, cap);
  return { maxFeePerGas, maxPriorityFeePerGas: smaller(network.maxPriorityFeePerGas, maxFeePerGas) };
}

/**
 * Fees for a replacement of a transaction sent with `previous`: nodes accept one only if both fees
 * rise by at least 10 % (geth's default price bump); we raise by 12.5 %, and by at least one wei,
 * or to what the network now asks if that is more. Undefined when our cap leaves no room for it.
 */
export function bumpFees(previous: Fees, network: Fees, cap: bigint): Fees | undefined {
  const raised = (fee: bigint) => fee + larger(1n, (fee + 7n) / 8n);
  const minimum = {
    maxFeePerGas: raised(previous.maxFeePerGas),
    priority: raised(previous.maxPriorityFeePerGas),
  };
  const wanted = capFees(
    {
      maxFeePerGas: larger(larger(network.maxFeePerGas, minimum.maxFeePerGas), minimum.priority),
      maxPriorityFeePerGas: larger(network.maxPriorityFeePerGas, minimum.priority),
    },
    cap,
  );
  if (wanted.maxFeePerGas < minimum.maxFeePerGas || wanted.maxPriorityFeePerGas < minimum.priority)
    return undefined;
  return wanted;
}

const smaller = (a: bigint, b: bigint) => (a < b ? a : b);
const larger = (a: bigint, b: bigint) => (a > b ? a : b);
