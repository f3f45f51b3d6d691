import { createContext, type ReactNode, use, useContext } from 'react';
import type { Chain } from 'viem';
import { WagmiProvider } from 'wagmi';
import { api, call } from '../api/client';
import { type ApiError, asApiError } from '../api/errors';
import type { ChainInfo } from '../api/types';
import { chainFromInfo, createWalletConfig, type WalletConfig } from './walletConfig';

export type ChainState =
  | { status: 'connected'; info: ChainInfo; chain: Chain }
  /** GET /api/chain failed: this Tally runs without a chain (503), or could not be asked. */
  | { status: 'unavailable'; error: ApiError };

const ChainContext = createContext<ChainState | null>(null);

/** How long the app waits for the chain's description before it starts without wallets' chain features. */
const CHAIN_INFO_TIMEOUT_MS = 8000;

async function loadWallets(): Promise<{ state: ChainState; config: WalletConfig }> {
  try {
    const info = await call(api.GET('/api/chain', { signal: AbortSignal.timeout(CHAIN_INFO_TIMEOUT_MS) }));
    return {
      state: { status: 'connected', info, chain: chainFromInfo(info) },
      config: createWalletConfig(info),
    };
  } catch (error) {
    return { state: { status: 'unavailable', error: asApiError(error) }, config: createWalletConfig(null) };
  }
}

// Asked once per page load, outside React: the wallets' configuration is made from the answer, and a
// render that suspends on it must find the same request when it resumes.
let wallets: ReturnType<typeof loadWallets> | undefined;

/**
 * wagmi around the pages that use wallets (it shares the app's query cache), configured from GET
 * /api/chain: the chain, its transport (Tally's proxy) and the connectors (the browser's wallet, and
 * the development wallet on the development chain). Children render once the chain is known, or
 * known to be missing. Only those pages load wagmi.
 */
export function WalletProvider({ children }: { children: ReactNode }) {
  wallets ??= loadWallets();
  const { state, config } = use(wallets);
  return (
    <ChainContext.Provider value={state}>
      <WagmiProvider config={config}>{children}</WagmiProvider>
    </ChainContext.Provider>
  );
}

export function useChain(): ChainState {
  const value = useContext(ChainContext);
  if (!value) throw new Error('useChain is used outside WalletProvider');
  return value;
}
