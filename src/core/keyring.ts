import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import path from 'node:path';
import { readOrCreateSecretFile } from './secret-file';

/**
 * The installation's keys, all derived from one secret (`TALLY_SECRET_KEY`, or generated into
 * `TALLY_HOME/secret-key`): a line seals what it must keep secret (an upstream's credentials) and
 * signs what others must be able to check (a receipt), each under a purpose of its own, so a key
 * for one purpose never opens or signs for another. Losing the secret loses every sealed value:
 * operators back it up with the database.
 */
export interface Keyring {
  /** `plaintext` encrypted and authenticated (AES-256-GCM) for `purpose`; a different string each time. */
  seal(purpose: string, plaintext: string): string;
  /** What `seal` sealed for `purpose`; throws when the value was changed or sealed for another purpose. */
  open(purpose: string, sealed: string): string;
  /** The Ed25519 key of `purpose`: anyone holding the public key can check what it signs. */
  signer(purpose: string): Signer;
}

export interface Signer {
  /** The raw 32-byte public key, base64url: what is published for others to verify with. */
  publicKey: string;
  /** The signature of `message`, base64url. */
  sign(message: string | Uint8Array): string;
}

const SEALED_PREFIX = 'v1.';
const SECRET_BYTES = 32;
// An Ed25519 private key in PKCS #8 is this fixed header followed by its 32-byte seed.
const ED25519_PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
// And a public key in SPKI is this header followed by its 32 raw bytes.
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

/** A new installation secret, as kept in its file. */
export const newInstallationSecret = (): string => randomBytes(SECRET_BYTES).toString('base64url');

/** The configured secret, or the one kept in `home/secret-key` (made on first start). */
export function resolveInstallationSecret(configured: string | undefined, home: string): string {
  return configured ?? readOrCreateSecretFile(path.join(home, 'secret-key'), newInstallationSecret);
}

export function createKeyring(secret: string): Keyring {
  const master = Buffer.from(secret, 'base64url');
  if (master.length < SECRET_BYTES)
    throw new Error(`the installation secret must hold at least ${SECRET_BYTES} bytes (base64url)`);
  const derive = (kind: string, purpose: string) =>
    Buffer.from(hkdfSync('sha256', master, 'tally-keyring', `${kind}:${purpose}`, 32));
  const signers = new Map<string, Signer>();

  return {
    seal(purpose, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', derive('seal', purpose), iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${SEALED_PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(purpose, sealed) {
      if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('not a sealed value');
      const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', derive('seal', purpose), bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    },
    signer(purpose) {
      let signer = signers.get(purpose);
      if (!signer) {
        const privateKey = createPrivateKey({
          key: Buffer.concat([ED25519_PKCS8_HEADER, derive('sign', purpose)]),
          format: 'der',
          type: 'pkcs8',
        });
        const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
        signer = {
          publicKey: spki.subarray(ED25519_SPKI_HEADER.length).toString('base64url'),
          sign: (message) => sign(null, toBytes(message), privateKey).toString('base64url'),
        };
        signers.set(purpose, signer);
      }
      return signer;
    },
  };
}

/** An Ed25519 public key from its raw 32 bytes (base64url), or null when it is not one. */
export function ed25519PublicKey(raw: string): KeyObject | null {
  const bytes = Buffer.from(raw, 'base64url');
  if (bytes.length !== 32 || bytes.toString('base64url') !== raw) return null;
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_HEADER, bytes]), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** Whether `signature` (base64url) is `publicKey`'s signature of `message`. */
export function verifyEd25519(
  publicKey: KeyObject,
  message: string | Uint8Array,
  signature: string,
): boolean {
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64) return false;
  return verify(null, toBytes(message), publicKey, bytes);
}

const toBytes = (message: string | Uint8Array): Buffer =>
  typeof message === 'string' ? Buffer.from(message, 'utf8') : Buffer.from(message);
