import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { newId } from '../ids';
import { hashSecret } from './tokens';

/**
 * Temporary passwords: mailed to a person whose account was made for them (by a purchase, say), good
 * for one thing only — choosing their own password — once, within 24 hours. Only the SHA-256 of the
 * normalised password is stored (a `core_auth_tokens` row of purpose `temporary_password`), so a
 * database leak signs nobody in. A temporary password never opens a session by itself: the product
 * line that issued it consumes it in the transaction that sets the real password.
 */

export const TEMPORARY_PASSWORD_TTL_MS = 24 * 3600 * 1000;

/** No 0/o, 1/l/i: read from a mail and typed by hand. 16 characters of 32: 80 random bits. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 16;

/** What a person types is compared case-insensitively, without the dashes and spaces. */
const normalizeTemporaryPassword = (password: string): string => password.toLowerCase().replace(/[\s-]/g, '');

function newTemporaryPassword(): string {
  let password = '';
  for (let i = 0; i < LENGTH; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password.match(/.{4}/g)!.join('-');
}

/**
 * Issues a temporary password for a person; any earlier one that is still open stops working (it
 * expires now, so "used" keeps meaning that the person really used it).
 */
export async function issueTemporaryPassword(
  tx: Db,
  clock: Clock,
  userId: string,
  ip: string | null,
): Promise<{ password: string; expiresAt: Date }> {
  const password = newTemporaryPassword();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + TEMPORARY_PASSWORD_TTL_MS);
  await tx.execute(sql`
    UPDATE core_auth_tokens SET expires_at = ${now}
    WHERE user_id = ${userId} AND purpose = 'temporary_password' AND used_at IS NULL AND expires_at > ${now}`);
  await tx.execute(sql`
    INSERT INTO core_auth_tokens (id, user_id, purpose, token_hash, created_at, expires_at, ip)
    VALUES (${newId()}, ${userId}, 'temporary_password', ${hashSecret(normalizeTemporaryPassword(password))},
      ${now}, ${expiresAt}, ${ip})`);
  return { password, expiresAt };
}

export type TemporaryPasswordState = 'open' | 'expired' | 'used';

/** Whether `password` is one of the person's temporary passwords, and in which state; null when it is not. */
export async function findTemporaryPassword(
  db: Db,
  clock: Clock,
  userId: string,
  password: string,
): Promise<{ id: string; state: TemporaryPasswordState; expiresAt: Date } | null> {
  const [row] = await queryRows<{ id: string; used_at: string | null; expires_at: string }>(
    db,
    sql`SELECT id, used_at::text, expires_at::text FROM core_auth_tokens
        WHERE user_id = ${userId} AND purpose = 'temporary_password'
          AND token_hash = ${hashSecret(normalizeTemporaryPassword(password))}`,
  );
  if (!row) return null;
  const expiresAt = parseTimestamp(row.expires_at);
  const state: TemporaryPasswordState = row.used_at
    ? 'used'
    : expiresAt.getTime() <= clock.now().getTime()
      ? 'expired'
      : 'open';
  return { id: row.id, state, expiresAt };
}

/**
 * Uses an open temporary password in the caller's transaction. Returns false when another request
 * used it first, or it expired in between: the caller then refuses and rolls back.
 */
export async function consumeTemporaryPassword(tx: Db, clock: Clock, id: string): Promise<boolean> {
  const now = clock.now();
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE core_auth_tokens SET used_at = ${now}
        WHERE id = ${id} AND purpose = 'temporary_password' AND used_at IS NULL AND expires_at > ${now}
        RETURNING id`,
  );
  return rows.length === 1;
}
