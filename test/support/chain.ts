import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createChainClient } from '../../src/chain/client';
import { DEV_CHAIN_ID } from '../../src/chain/dev-chain';
import { type ChainRuntime, deployDevelopmentChain } from '../../src/chain/runtime';
import type { ChainSettings } from '../../src/core/config';
import { startAnvil } from './anvil';

/**
 * The embedded chain as `npm start` sets it up (tokens, Superfluid, wrappers, funded development
 * accounts, a treasury that owns the mint) on a fresh anvil for one test file.
 */
export async function startTestChain(
  overrides: Partial<Pick<ChainSettings, 'confirmations' | 'maxGasLimit' | 'maxFeePerGas'>> = {},
): Promise<ChainRuntime> {
  const anvil = await startAnvil();
  const client = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: DEV_CHAIN_ID, dev: true });
  const treasury = privateKeyToAccount(generatePrivateKey());
  const deployment = await deployDevelopmentChain(client, treasury);
  const settings: ChainSettings = {
    mode: 'embedded',
    dir: '',
    name: 'Tally development chain',
    confirmations: 0,
    pollMs: 50,
    maxGasLimit: 3_000_000n,
    maxFeePerGas: 500n * 10n ** 9n,
    logRange: 2000n,
    headMargin: 0n,
    ...overrides,
  };
  // The anvil is stopped with the test file; the runtime has nothing else to stop.
  return { client, settings, treasury, deployment, startBlock: 0n, stop: async () => {} };
}
