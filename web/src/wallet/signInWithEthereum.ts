import { type Address, BaseError, getAddress } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import type { Config, Connector } from 'wagmi';
import { connect, getConnection, signMessage } from 'wagmi/actions';
import { api, call } from '../api/client';
import { ApiError } from '../api/errors';
import type { User } from '../api/types';

export type SignInStep = 'connecting' | 'signing' | 'verifying';

/** The EIP-4361 message: for the server's domain, this page's origin, the server's nonce, valid ten minutes. */
function signInMessage(options: { domain: string; address: Address; chainId: number; nonce: string }) {
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

/** The wallet's account and chain: the connection already open with this connector, or a new one. */
async function connectWith(config: Config, connector: Connector) {
  const current = getConnection(config);
  if (current.status === 'connected' && current.connector.uid === connector.uid) {
    return { address: current.address, chainId: current.chainId };
  }
  const { accounts, chainId } = await connect(config, { connector });
  const [address] = accounts;
  if (!address) throw new Error('The wallet shared no account.');
  return { address: getAddress(address), chainId };
}

/**
 * Sign-In with Ethereum through a wagmi connector: connect, sign the server's message, and have the
 * server check it. Signed out, that signs the person in; signed in, it links the wallet. It needs no
 * chain: the wallet only signs, so a person who is not signed in (and cannot use the proxy) can do it.
 */
export async function signInWithEthereum(
  config: Config,
  connector: Connector,
  onStep: (step: SignInStep) => void,
): Promise<{ user: User; address: Address; linked: boolean }> {
  onStep('connecting');
  const { address, chainId } = await connectWith(config, connector);
  const { nonce, domain } = await call(api.GET('/api/auth/siwe/nonce'));
  const message = signInMessage({ domain, address, chainId, nonce });
  onStep('signing');
  const signature = await signMessage(config, { connector, account: address, message });
  onStep('verifying');
  const { user, linked } = await call(api.POST('/api/auth/siwe/verify', { body: { message, signature } }));
  return { user, address, linked };
}

/** EIP-1193 §"Provider errors": 4001 means the person declined in the wallet (viem wraps it in causes). */
function declinedInWallet(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 8; depth += 1) {
    if (typeof cause === 'object' && 'code' in cause && cause.code === 4001) return true;
    cause = typeof cause === 'object' && 'cause' in cause ? cause.cause : undefined;
  }
  return false;
}

/** A wallet's or the server's refusal in a sentence: viem's short message, not its whole report. */
export function walletErrorMessage(error: unknown): string {
  if (declinedInWallet(error)) return 'You declined in your wallet; nothing was signed.';
  if (error instanceof ApiError) return error.message;
  if (error instanceof BaseError) return error.shortMessage;
  return error instanceof Error ? error.message : 'Something went wrong in the page.';
}
