import type { Page } from 'playwright-core';
import { isHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

/**
 * A browser wallet for a journey: an EIP-1193 provider injected as `window.ethereum` before the
 * app loads, whose signatures come from a fresh key held in the test (EIP-191 personal_sign), as a
 * wallet extension's would. Its account and chain never change, so it never emits the events it
 * lets the app subscribe to.
 */
export async function injectWallet(page: Page): Promise<{ address: string }> {
  const account = privateKeyToAccount(generatePrivateKey());
  // personal_sign carries the message as hex-encoded bytes (viem, wagmi); like wallets, also take plain text.
  await page.exposeFunction('tallyTestWalletSign', (message: string) =>
    account.signMessage({ message: isHex(message) ? { raw: message } : message }),
  );
  await page.addInitScript((address: string) => {
    type Sign = (message: string) => Promise<string>;
    const scope = window as unknown as { ethereum: unknown; tallyTestWalletSign: Sign };
    scope.ethereum = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address];
        if (method === 'eth_chainId') return '0x1';
        if (method === 'personal_sign') return scope.tallyTestWalletSign(String(params?.[0]));
        throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
      },
      on() {},
      removeListener() {},
    };
  }, account.address);
  return { address: account.address };
}
