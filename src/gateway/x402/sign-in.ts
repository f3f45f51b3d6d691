import { randomBytes } from 'node:crypto';
import {
  buildSIWxSchema,
  parseSIWxHeader,
  SIGN_IN_WITH_X,
  type SIWxPayload,
  verifySIWxSignature,
} from '@x402/extensions/sign-in-with-x';
import { walletOwner } from '../../core/auth/siwe';
import type { GatewayDeps } from '../deps';
import { type Caller, recordNonce } from '../proxy/auth';
import { networkOf } from './offers';

/**
 * x402's sign-in-with-x over HTTP: how a wallet that paid before (a top-up) calls again with no
 * payment. Tally's 402 carries a challenge (`extensions["sign-in-with-x"]`: Tally's domain, the
 * resource, a nonce, a five-minute window); the client's x402 extension signs it (EIP-4361) and
 * retries with the `SIGN-IN-WITH-X` header; Tally checks it and charges the call to the person the
 * wallet is linked to, from their balance. A signature is good for one request (its nonce is kept),
 * for the resource it names, on Tally's own domain, and read against Tally's clock.
 */

/** How long a challenge may be answered. */
export const SIGN_IN_SECONDS = 300;
/** How far ahead of Tally's clock a client's `issuedAt` may be (clocks drift). */
const CLOCK_SKEW_MS = 60_000;

/** The sign-in challenge of a 402 for a resource, as `PaymentRequired.extensions`. */
export function signInChallenge(
  deps: Pick<GatewayDeps, 'chain' | 'clock' | 'publicUrl'>,
  resourceUrl: string,
): Record<string, unknown> {
  if (!deps.chain) return {};
  const now = deps.clock.now();
  return {
    [SIGN_IN_WITH_X]: {
      info: {
        domain: new URL(deps.publicUrl).host,
        uri: resourceUrl,
        statement: 'Sign in to Tally to pay for this call from your Tally balance.',
        version: '1',
        nonce: randomBytes(16).toString('hex'),
        issuedAt: now.toISOString(),
        expirationTime: new Date(now.getTime() + SIGN_IN_SECONDS * 1000).toISOString(),
        resources: [resourceUrl],
      },
      supportedChains: [{ chainId: networkOf(deps.chain), type: 'eip191' }],
      schema: buildSIWxSchema(),
    },
  };
}

/**
 * The caller a `SIGN-IN-WITH-X` header proves: the person its wallet is linked to. Null when the
 * header is malformed, for another domain, resource or chain, outside its window, not signed by
 * its address, sent before, or from a wallet that is no one's yet (it is asked to pay).
 */
export async function signedInCaller(
  deps: Pick<GatewayDeps, 'chain' | 'clock' | 'publicUrl' | 'db'>,
  header: string,
  resourceUrl: string,
): Promise<Caller | null> {
  const chain = deps.chain;
  if (!chain) return null;
  let payload: SIWxPayload;
  try {
    payload = parseSIWxHeader(header);
  } catch {
    return null;
  }
  const tally = new URL(deps.publicUrl);
  if (payload.domain !== tally.host || payload.uri !== resourceUrl) return null;
  if (payload.chainId !== networkOf(chain)) return null;
  const now = deps.clock.now().getTime();
  const issuedAt = Date.parse(payload.issuedAt);
  const expires = payload.expirationTime
    ? Date.parse(payload.expirationTime)
    : issuedAt + SIGN_IN_SECONDS * 1000;
  if (!(issuedAt <= now + CLOCK_SKEW_MS && issuedAt > now - SIGN_IN_SECONDS * 1000 && expires > now))
    return null;
  if (payload.notBefore && Date.parse(payload.notBefore) > now) return null;
  const verified = await verifySIWxSignature(payload, {
    evmVerifier: (args) => chain.client.publicClient.verifyMessage(args),
  });
  if (!verified.isValid) return null;
  const address = verified.payer.toLowerCase();
  if (!(await recordNonce(deps.db, `siwx:${address}`, payload.nonce, new Date(expires)))) return null;
  const userId = await walletOwner(deps.db, address);
  return userId ? { userId, grantId: null, how: 'x402' } : null;
}
