import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { AppError } from '../errors';

/** The library's enum is a const enum, which isolated modules cannot read; 2 is its Argon2id. */
const ARGON2ID = 2 as Algorithm.Argon2id;

/** Argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 iterations, 1 lane. */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** NIST SP 800-63B: a minimum length and no composition rules; very long inputs refused to bound hashing work. */
export function checkPasswordRules(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new AppError('validation_failed', `the password needs at least ${PASSWORD_MIN_LENGTH} characters`, {
      field,
    });
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw new AppError(
      'validation_failed',
      `the password may have at most ${PASSWORD_MAX_LENGTH} characters`,
      { field },
    );
  }
}

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

/** A hash of a password nobody knows: verifying against it costs what a real check costs, so timing tells nothing. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!storedHash) {
    decoy ??= hash('no account has this password', OPTIONS);
    await verify(await decoy, password);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
