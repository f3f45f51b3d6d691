import { type Chain, defineChain } from 'viem';
import { type Connector, createConfig, http, injected } from 'wagmi';
import type { ChainInfo } from '../api/types';
import { devWallet } from './devWallet';

/** Tally's chain as viem describes chains; wallets reach it only through Tally's proxy. */
export function chainFromInfo(info: ChainInfo): Chain {
  return defineChain({
    id: info.chain_id,
    name: info.name,
    nativeCurrency: info.native_currency,
    rpcUrls: { default: { http: [rpcUrl(info.rpc_path)] } },
    testnet: info.development,
  });
}

/** The proxy's absolute address: same origin, so the session cookie goes along. */
function rpcUrl(path: string): string {
  return new URL(path, window.location.origin).href;
}

/**
 * With no chain connected, wallets still sign in (a signature needs no chain): wagmi is given a
 * stand-in chain that nothing reads from.
 */
const noChain = defineChain({
  id: 1,
  name: 'No chain',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [] } },
});

/** Whether an extension put a wallet at `window.ethereum` (MetaMask, Rabby, …). */
export function hasBrowserWallet(): boolean {
  return typeof window !== 'undefined' && 'ethereum' in window && Boolean(window.ethereum);
}

export function isDevWallet(connector: Connector): boolean {
  return connector.type === devWallet.type;
}

/** The connector offered first: the browser's wallet when there is one, else the development wallet. */
export function isPreferredConnector(connector: Connector): boolean {
  return hasBrowserWallet() ? !isDevWallet(connector) : isDevWallet(connector);
}

/** Whether the connector can be used in this browser: the browser's wallet needs an extension. */
export function isConnectorAvailable(connector: Connector): boolean {
  return isDevWallet(connector) || hasBrowserWallet();
}

/** The browser's wallet, whatever extension put it at `window.ethereum`. */
const browserWallet = () =>
  injected({ target: { id: 'injected', name: 'Browser wallet', provider: (scope) => scope?.ethereum } });

export function createWalletConfig(info: ChainInfo | null) {
  const chain = info ? chainFromInfo(info) : noChain;
  const proxy = rpcUrl(info?.rpc_path ?? '/api/chain/rpc');
  return createConfig({
    chains: [chain],
    connectors: info?.development ? [browserWallet(), devWallet({ rpcUrl: proxy })] : [browserWallet()],
    transports: { [chain.id]: http(proxy, { batch: { batchSize: 20 } }) },
    // One button for the browser's wallet, rather than one per extension that announces itself (EIP-6963).
    multiInjectedProviderDiscovery: false,
  });
}

export type WalletConfig = ReturnType<typeof createWalletConfig>;
