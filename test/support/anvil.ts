import {
  type Account,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll } from 'vitest';
import { type DevChain, startDevChain } from '../../src/chain/dev-chain';

/** Anvil's default mnemonic: its first accounts are funded with 10 000 ETH each. */
const anvilMnemonic = 'test test test test test test test test test test test junk';

/**
 * Registered when a test file loads this module: Vitest ignores an `afterAll` registered from inside
 * a hook or a test, which is where `startAnvil` is called.
 */
const running: DevChain[] = [];
afterAll(async () => {
  for (const chain of running.splice(0)) await chain.stop();
});

export type Anvil = {
  rpcUrl: string;
  publicClient: PublicClient<Transport, Chain>;
  testClient: TestClient<'anvil', Transport, Chain>;
  /** A wallet client for anvil's funded account `index` (0 … 9). */
  wallet: (index: number) => WalletClient<Transport, Chain, Account>;
};

/** A fresh development chain on a free port, stopped when the test file ends, with viem clients on it. */
export async function startAnvil(): Promise<Anvil> {
  const devChain = await startDevChain();
  running.push(devChain);
  const { rpcUrl } = devChain;
  const chain = { ...foundry, rpcUrls: { default: { http: [rpcUrl] } } } as const satisfies Chain;
  // A local chain answers at once: no cache and a short poll, or receipts wait on the 4 s default.
  const options = { chain, transport: http(rpcUrl), cacheTime: 0, pollingInterval: 10 } as const;
  return {
    rpcUrl,
    publicClient: createPublicClient(options),
    testClient: createTestClient({ ...options, mode: 'anvil' }),
    wallet: (index) =>
      createWalletClient({ ...options, account: mnemonicToAccount(anvilMnemonic, { addressIndex: index }) }),
  };
}
