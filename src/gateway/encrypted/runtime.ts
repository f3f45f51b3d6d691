import type { Address } from 'viem';
import type { ChainRuntime } from '../../chain/runtime';
import type { KeyPair } from '../../chain/zk/elgamal';
import { auditorKeyOf } from '../../chain/zk/operator';
import { type ProverPool, ProverUnavailable, startProverPool } from '../../chain/zk/prover-pool';
import { AppError } from '../../core/errors';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';

/** The chain's encrypted credits as the gateway uses them: the contract, and the treasury's auditor key. */
export type EncryptedCredits = { chain: ChainRuntime; contract: Address; auditor: KeyPair };

/** The encrypted credits, or null on a chain that has none (payouts are then plain USDC). */
export async function findEncryptedCredits(
  deps: Pick<GatewayDeps, 'chain'>,
): Promise<EncryptedCredits | null> {
  const chain = deps.chain;
  const contract = chain?.deployment.encryptedCredits?.contract;
  if (!chain || !contract) return null;
  return { chain, contract, auditor: await auditorKeyOf(chain.treasury) };
}

export async function requireEncryptedCredits(deps: Pick<GatewayDeps, 'chain'>): Promise<EncryptedCredits> {
  const credits = await findEncryptedCredits(deps);
  if (!credits)
    throw gatewayErrors.error('encrypted_credits_off', 'this Tally’s chain has no encrypted credits');
  return credits;
}

/**
 * The process's provers, started the first time a batch is proven: threads that live until the
 * line stops, so each pays for loading snarkjs once.
 */
let provers: ProverPool | undefined;

export function gatewayProvers(): ProverPool {
  provers ??= startProverPool();
  return provers;
}

export async function closeGatewayProvers(): Promise<void> {
  const running = provers;
  provers = undefined;
  await running?.close();
}

/**
 * Trouble that passes: the chain's RPC could not answer (`estimateGasLimit` says `unavailable`), or
 * the provers could not take a statement now. It is no fault of what is proven, so the work waits
 * for the next run instead of failing or counting an attempt.
 */
export const isPassingTrouble = (error: unknown): boolean =>
  error instanceof ProverUnavailable || (error instanceof AppError && error.code === 'unavailable');
