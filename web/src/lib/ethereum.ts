import { getAddress } from 'viem';
import { createSiweMessage } from 'viem/siwe';

/** The EIP-1193 provider a browser wallet injects as `window.ethereum`. */
interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

export function injectedWallet(): Eip1193Provider | null {
  return window.ethereum ?? null;
}

/** EIP-1193 §"Provider errors": 4001 means the person declined in the wallet. */
export function isDeclinedInWallet(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 4001;
}

export async function requestAccount(wallet: Eip1193Provider): Promise<`0x${string}`> {
  const accounts = await wallet.request({ method: 'eth_requestAccounts' });
  const first = Array.isArray(accounts) ? accounts[0] : undefined;
  if (typeof first !== 'string') throw new Error('The wallet shared no account.');
  return getAddress(first);
}

export async function currentChainId(wallet: Eip1193Provider): Promise<number> {
  const chainId = await wallet.request({ method: 'eth_chainId' });
  if (typeof chainId !== 'string') throw new Error('The wallet did not say which chain it is on.');
  return Number.parseInt(chainId, 16);
}

/** The EIP-4361 message: for the server's domain, this page's origin, the server's nonce, valid ten minutes. */
export function signInMessage(options: {
  domain: string;
  address: `0x${string}`;
  chainId: number;
  nonce: string;
}) {
  const issuedAt = new Date();
  return createSiweMessage({
    ...options,
    statement: 'Sign in to Tally with this wallet.',
    uri: window.location.origin,
    version: '1',
    issuedAt,
    expirationTime: new Date(issuedAt.getTime() + 10 * 60 * 1000),
  });
}

/** EIP-191 personal_sign: the wallet shows the message text and signs it. */
export async function signMessage(
  wallet: Eip1193Provider,
  address: string,
  message: string,
): Promise<string> {
  const signature = await wallet.request({ method: 'personal_sign', params: [message, address] });
  if (typeof signature !== 'string') throw new Error('The wallet returned no signature.');
  return signature;
}
