import { sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import { type Db, queryRows } from '../database';
import { AppError } from '../errors';
import { newId } from '../ids';
import { hashSecret, newSecret } from './tokens';

/** Single-use links mailed to a person: confirm an email address, reset a password. */
export type LinkPurpose = 'verify_email' | 'password_reset';

export const LINK_TTL_MS: Record<LinkPurpose, number> = {
  verify_email: 48 * 3600 * 1000,
  password_reset: 3600 * 1000,
};

/** Issues a link token (stored as its SHA-256); older open links of the same purpose stop working. */
export async function issueLinkToken(
  tx: Db,
  clock: Clock,
  userId: string,
  purpose: LinkPurpose,
  ip: string | null,
): Promise<string> {
  const token = newSecret();
  const now = clock.now();
  await tx.execute(sql`
    UPDATE core_auth_tokens SET used_at = ${now}
    WHERE user_id = ${userId} AND purpose = ${purpose} AND used_at IS NULL`);
  await tx.execute(sql`
    INSERT INTO core_auth_tokens (id, user_id, purpose, token_hash, created_at, expires_at, ip)
    VALUES (${newId()}, ${userId}, ${purpose}, ${hashSecret(token)}, ${now},
      ${new Date(now.getTime() + LINK_TTL_MS[purpose])}, ${ip})`);
  return token;
}

/**
 * Uses a link token once: returns its person, or fails with one message for unknown, used and
 * expired tokens alike, so the answer tells an attacker nothing about which it was.
 */
export async function consumeLinkToken(
  tx: Db,
  clock: Clock,
  token: string,
  purpose: LinkPurpose,
): Promise<string> {
  const now = clock.now();
  const [row] = await queryRows<{ user_id: string }>(
    tx,
    sql`UPDATE core_auth_tokens SET used_at = ${now}
        WHERE token_hash = ${hashSecret(token)} AND purpose = ${purpose} AND used_at IS NULL AND expires_at > ${now}
        RETURNING user_id`,
  );
  if (!row) {
    throw new AppError('domain_rule', 'this link is invalid, already used or expired; ask for a new one', {
      field: 'token',
    });
  }
  return row.user_id;
}
