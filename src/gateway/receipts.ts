import { canonicalJson } from '../core/json';
import { ed25519PublicKey, type Keyring, verifyEd25519 } from '../core/keyring';

/**
 * What Tally signs for the people who pay through it: a receipt on every paid result and a quote
 * per tool in `tools/list`. Both are canonical JSON signed with the installation's Ed25519 key of
 * the purpose; the public key is published at `GET /api/gateway/keys`, so anyone can check them.
 */
export const SIGNING_PURPOSES = { receipts: 'gateway.receipts', quotes: 'gateway.quotes' } as const;

export interface Receipt {
  call_id: string;
  server: string;
  tool: string;
  /** SHA-256 of the request Tally received (method, tool, arguments), hex. */
  request_hash: string;
  price: string;
  asset: 'USDC';
  /** What the payer's balance was once this call was charged, micro-USDC. */
  balance_after: string;
  served_at: string;
}

export interface Quote {
  server: string;
  tool: string;
  price: string;
  /** The most a call can cost: the price is fixed per call. */
  maximum: string;
  asset: 'USDC';
  refund: string;
  valid_until: string;
}

export interface Signed<T> {
  body: T;
  /** Ed25519 over the canonical JSON of `body`, base64url. */
  signature: string;
  /** The public key that signed it (raw, base64url): one of `GET /api/gateway/keys`. */
  key: string;
}

export const REFUND_RULE = 'charged only when the tool succeeds: an error or a timeout releases the hold';

export function signWith<T>(keys: Keyring, purpose: string, body: T): Signed<T> {
  const signer = keys.signer(purpose);
  return { body, signature: signer.sign(canonicalJson(body)), key: signer.publicKey };
}

/** Whether `signed` was signed by `publicKey` (what a client does with a receipt or a quote). */
export function verifySigned(signed: Signed<unknown>, publicKey: string = signed.key): boolean {
  const key = ed25519PublicKey(publicKey);
  return key !== null && verifyEd25519(key, canonicalJson(signed.body), signed.signature);
}
