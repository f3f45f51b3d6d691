import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { type Actor, anonymousActor, systemActor } from '../actor';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError } from '../errors';
import type { Env } from '../http';
import { API_KEY_PREFIX, hashSecret } from './tokens';

export const SESSION_COOKIE = 'tally_session';

/** last_seen_at / last_used_at are refreshed at most this often, so reads do not become writes. */
const TOUCH_INTERVAL_MS = 60_000;

interface PrincipalRow {
  id: string;
  user_id: string;
  is_admin: boolean;
  touched_at: string | null;
  scopes?: string[];
}

/** The caller's address: the socket's, since Tally is not told to trust any proxy header. */
export function clientIp(c: Parameters<MiddlewareHandler<Env>>[0]): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/**
 * Resolves who is calling, from an API key (`Authorization: Bearer tally_key_…`), the operator's
 * admin key (the CLI talking to a running Tally), or the session cookie, and sets `actor` for the
 * routes. A wrong API key is refused outright, so a machine client
 * never silently runs as anonymous; an old session cookie only means the person is signed out.
 */
export function authenticate(db: Db, clock: Clock, adminApiKey?: string): MiddlewareHandler<Env> {
  const operatorKey = adminApiKey ? Buffer.from(adminApiKey) : undefined;
  const isOperatorKey = (given: string) => {
    const candidate = Buffer.from(given);
    return (
      !!operatorKey && candidate.length === operatorKey.length && timingSafeEqual(candidate, operatorKey)
    );
  };
  return async (c, next) => {
    const ip = clientIp(c);
    const requestId = c.get('requestId') ?? null;
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const now = clock.now();
    let actor: Actor = anonymousActor(ip, requestId);

    if (bearer && isOperatorKey(bearer)) {
      actor = { ...systemActor, ip, requestId };
    } else if (bearer?.startsWith(API_KEY_PREFIX)) {
      const [key] = await queryRows<PrincipalRow>(
        db,
        sql`SELECT k.id, k.user_id, u.is_admin, k.last_used_at::text AS touched_at, k.scopes
            FROM core_api_keys k JOIN core_users u ON u.id = k.user_id
            WHERE k.key_hash = ${hashSecret(bearer)} AND k.revoked_at IS NULL
              AND (k.expires_at IS NULL OR k.expires_at > ${now})`,
      );
      if (!key) throw new AppError('unauthorized', 'this API key is not valid (unknown, revoked or expired)');
      if (isStale(key.touched_at, now)) {
        await db.execute(sql`UPDATE core_api_keys SET last_used_at = ${now} WHERE id = ${key.id}`);
      }
      actor = {
        userId: key.user_id,
        isAdmin: key.is_admin,
        apiKeyId: key.id,
        scopes: key.scopes ?? [],
        ip,
        requestId,
      };
    } else {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        const [session] = await queryRows<PrincipalRow>(
          db,
          sql`SELECT s.id, s.user_id, u.is_admin, s.last_seen_at::text AS touched_at
              FROM core_sessions s JOIN core_users u ON u.id = s.user_id
              WHERE s.token_hash = ${hashSecret(token)} AND s.revoked_at IS NULL AND s.expires_at > ${now}`,
        );
        if (session) {
          if (isStale(session.touched_at, now)) {
            await db.execute(sql`UPDATE core_sessions SET last_seen_at = ${now} WHERE id = ${session.id}`);
          }
          actor = {
            userId: session.user_id,
            isAdmin: session.is_admin,
            apiKeyId: null,
            scopes: null,
            ip,
            requestId,
          };
        }
      }
    }
    c.set('actor', actor);
    await next();
  };
}

const isStale = (touched: string | null, now: Date) =>
  !touched || now.getTime() - parseTimestamp(touched).getTime() > TOUCH_INTERVAL_MS;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery: a page elsewhere can make a browser post a form (urlencoded, multipart
 * or text/plain, with no body at all) to Tally with the session cookie, but not send a JSON body or a
 * header of its own without the browser asking Tally first (CORS), which Tally never allows. So a
 * mutation that rides on the session cookie must say it comes from a script: a JSON body, or the
 * `X-Requested-With` header (the web app sends it with every call). API keys are not sent by
 * browsers on their own and need neither.
 */
export function requireScriptForCookies(): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (
      !SAFE_METHODS.has(c.req.method) &&
      !c.req.header('authorization') &&
      getCookie(c, SESSION_COOKIE) !== undefined &&
      !/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '') &&
      c.req.header('x-requested-with') === undefined
    ) {
      throw new AppError(
        'forbidden',
        'a change made with the session cookie must come from a script: send a JSON body or X-Requested-With',
      );
    }
    await next();
  };
}
