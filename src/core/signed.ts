import { canonicalJson } from './json';
import { ed25519PublicKey, type Keyring, verifyEd25519 } from './keyring';

/**
 * A statement Tally signs for others to check offline (a receipt, a quote, an entitlement): its
 * body as canonical JSON, signed with the installation's Ed25519 key of a purpose, and that key.
 */
export interface Signed<T> {
  body: T;
  /** Ed25519 over the canonical JSON of `body`, base64url. */
  signature: string;
  /** The public key that signed it (raw, base64url), as the line publishes it. */
  key: string;
}

export function signWith<T>(keys: Keyring, purpose: string, body: T): Signed<T> {
  const signer = keys.signer(purpose);
  return { body, signature: signer.sign(canonicalJson(body)), key: signer.publicKey };
}

/** Whether `signed` was signed by `publicKey` (what whoever holds a signed statement does with it). */
export function verifySigned(signed: Signed<unknown>, publicKey: string = signed.key): boolean {
  const key = ed25519PublicKey(publicKey);
  return key !== null && verifyEd25519(key, canonicalJson(signed.body), signed.signature);
}
