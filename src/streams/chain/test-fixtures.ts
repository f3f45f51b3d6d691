import type { Address } from 'viem';
import { expect } from 'vitest';
import { startTestChain } from '../../../test/support/chain';
import type { ChainRuntime } from '../../chain/runtime';
import { devAccounts, devChainControls, walletFor } from '../../chain/runtime';
import { superTokenAbi } from '../../chain/superfluid/abi';
import type { StreamPublicClient, StreamWalletClient } from './call';
import { resolveStreamContracts, type StreamContracts } from './contracts';

/**
 * What the streams chain tests share: the embedded chain as `npm start` deploys it (test DAI and
 * USDC, Superfluid with DAIx and USDCx, 10 000 of each token for every development account), the
 * treasury as Tally's operator, and anvil's clock.
 */
export interface StreamsChain {
  chain: ChainRuntime;
  publicClient: StreamPublicClient;
  daix: StreamContracts;
  usdcx: StreamContracts;
  /** Development account `index`'s wallet (each test takes accounts of its own). */
  wallet: (index: number) => StreamWalletClient;
  treasury: StreamWalletClient;
  /** Mines one empty block at `timestamp` and returns its number. */
  mineAt: (timestamp: bigint) => Promise<bigint>;
  /** The next transaction's block will be at `timestamp`. */
  nextBlockAt: (timestamp: bigint) => Promise<void>;
  /** The super token balance of `holder`, at a block or the latest. */
  superBalance: (contracts: StreamContracts, holder: Address, blockNumber?: bigint) => Promise<bigint>;
}

export async function startStreamsChain(): Promise<StreamsChain> {
  const chain = await startTestChain();
  const { client } = chain;
  const { publicClient } = client;
  const controls = devChainControls(client);
  const accounts = devAccounts();
  const [daix, usdcx] = await Promise.all([
    resolveStreamContracts(publicClient, chain.deployment, 'DAIx'),
    resolveStreamContracts(publicClient, chain.deployment, 'USDCx'),
  ]);
  return {
    chain,
    publicClient,
    daix,
    usdcx,
    wallet: (index) => walletFor(client, accounts[index]!),
    treasury: walletFor(client, chain.treasury),
    mineAt: async (timestamp) => {
      await controls.setNextBlockTimestamp({ timestamp });
      await controls.mine({ blocks: 1 });
      const block = await publicClient.getBlock();
      expect(block.timestamp).toBe(timestamp);
      return block.number;
    },
    nextBlockAt: (timestamp) => controls.setNextBlockTimestamp({ timestamp }),
    superBalance: (contracts, holder, blockNumber) =>
      publicClient.readContract({
        address: contracts.superToken,
        abi: superTokenAbi,
        functionName: 'balanceOf',
        args: [holder],
        blockNumber,
      }),
  };
}
