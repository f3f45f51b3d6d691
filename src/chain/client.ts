import { type Chain, createPublicClient, defineChain, http, type PublicClient, type Transport } from 'viem';

/** A connection to the chain Tally runs on, shared by the sender, the follower and the product lines. */
export interface ChainClient {
  chainId: number;
  rpcUrl: string;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  /** The embedded development chain (anvil): test tokens can be minted and time moved. */
  dev: boolean;
}

export interface ChainClientOptions {
  rpcUrl: string;
  chainId: number;
  dev?: boolean;
  name?: string;
  /** The gas token's symbol (AVAX on Avalanche); always 18 decimals on the chains Tally supports. */
  nativeSymbol?: string;
}

/**
 * viem's clients cache block numbers for 4 s and poll every 4 s by default, tuned for public chains;
 * a local chain answers at once, so there both are cut to keep receipts and followers prompt.
 */
export function createChainClient({
  rpcUrl,
  chainId,
  dev = false,
  name,
  nativeSymbol = 'ETH',
}: ChainClientOptions): ChainClient {
  const chain = defineChain({
    id: chainId,
    name: name ?? (dev ? 'Tally development chain' : `Chain ${chainId}`),
    nativeCurrency: { name: nativeSymbol, symbol: nativeSymbol, decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const publicClient = createPublicClient({
    chain,
    transport: http(rpcUrl, { retryCount: dev ? 0 : 3 }),
    ...(dev ? { cacheTime: 0, pollingInterval: 10 } : { pollingInterval: 2_000 }),
  });
  return { chainId, rpcUrl, chain, publicClient, dev };
}
