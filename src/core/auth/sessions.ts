import { sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../actor';
import { recordAudit } from '../audit/service';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { newId } from '../ids';
import { hashSecret, newSecret } from './tokens';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export interface NewSession {
  id: string;
  token: string;
  expiresAt: Date;
}

/** Opens a session for a person inside the caller's transaction; the token goes into the cookie. */
export async function openSession(
  tx: Db,
  clock: Clock,
  userId: string,
  client: { ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const id = newId();
  const token = newSecret();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await tx.execute(sql`
    INSERT INTO core_sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at, ip, user_agent)
    VALUES (${id}, ${userId}, ${hashSecret(token)}, ${now}, ${expiresAt}, ${now}, ${client.ip},
      ${client.userAgent?.slice(0, 300) ?? null})`);
  return { id, token, expiresAt };
}

export interface SessionView {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

/** A session actor's own live sessions, newest first. */
export async function listSessions(
  db: Db,
  clock: Clock,
  actor: Actor,
  currentToken?: string,
): Promise<SessionView[]> {
  const userId = requireSessionUser(actor);
  const rows = await queryRows<{
    id: string;
    created_at: string;
    last_seen_at: string;
    ip: string | null;
    user_agent: string | null;
    token_hash: string;
  }>(
    db,
    sql`SELECT id, created_at::text, last_seen_at::text, ip, user_agent, token_hash FROM core_sessions
        WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${clock.now()} ORDER BY created_at DESC`,
  );
  const currentHash = currentToken ? hashSecret(currentToken) : null;
  return rows.map((row) => ({
    id: row.id,
    createdAt: parseTimestamp(row.created_at),
    lastSeenAt: parseTimestamp(row.last_seen_at),
    ip: row.ip,
    userAgent: row.user_agent,
    current: row.token_hash === currentHash,
  }));
}

export async function revokeSession(db: Db, clock: Clock, actor: Actor, sessionId: string): Promise<void> {
  const userId = requireSessionUser(actor);
  await db.transaction(async (tx) => {
    const revoked = await queryRows<{ id: string }>(
      tx,
      sql`UPDATE core_sessions SET revoked_at = ${clock.now()}
          WHERE id = ${sessionId} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id`,
    );
    if (revoked.length === 0) throw notFound('session', { id: sessionId });
    await recordAudit(tx, clock, actor, {
      action: 'session.revoke',
      objectType: 'session',
      objectId: sessionId,
    });
  });
}

/** Log out: ends the session behind this cookie. Unknown or ended tokens are fine (already logged out). */
export async function closeSessionByToken(db: Db, clock: Clock, token: string | undefined): Promise<void> {
  if (!token) return;
  await db.execute(
    sql`UPDATE core_sessions SET revoked_at = ${clock.now()} WHERE token_hash = ${hashSecret(token)} AND revoked_at IS NULL`,
  );
}

/** Log out everywhere: ends every session of the person, this one included. */
export async function revokeAllSessions(db: Db, clock: Clock, actor: Actor): Promise<number> {
  const userId = requireSessionUser(actor);
  return db.transaction(async (tx) => {
    const revoked = await revokeSessionsOf(tx, clock, userId);
    await recordAudit(tx, clock, actor, {
      action: 'session.revoke_all',
      objectType: 'user',
      objectId: userId,
      details: { sessions: revoked },
    });
    return revoked;
  });
}

/** Ends every open session of a person, but the one whose token is `keepToken` (the caller's own). */
export async function revokeSessionsOf(
  tx: Db,
  clock: Clock,
  userId: string,
  keepToken?: string,
): Promise<number> {
  const kept = keepToken ? hashSecret(keepToken) : null;
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE core_sessions SET revoked_at = ${clock.now()}
        WHERE user_id = ${userId} AND revoked_at IS NULL AND token_hash IS DISTINCT FROM ${kept}
        RETURNING id`,
  );
  return rows.length;
}

/** Managing sign-ins (sessions, keys, passwords) needs a person at a browser, not an API key. */
export function requireSessionUser(actor: Actor): string {
  const userId = requireUser(actor);
  if (actor.apiKeyId)
    throw new AppError('forbidden', 'API keys cannot manage sign-ins; use a browser session');
  return userId;
}
