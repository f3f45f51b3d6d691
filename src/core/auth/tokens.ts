import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to people (session cookies, reset links, invitation links, API keys) are 32 random
 * bytes; only their SHA-256 is stored, so a database leak yields nothing that signs anyone in.
 */
export const newSecret = (prefix = ''): string => `${prefix}${randomBytes(32).toString('base64url')}`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** API keys start with this, so a leaked key is recognisable (and secret scanners can find it). */
export const API_KEY_PREFIX = 'tally_key_';
