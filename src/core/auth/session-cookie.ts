import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Clock } from '../clock';
import type { Db } from '../database';
import type { Env } from '../http';
import { requireTenantMember } from '../tenants';
import { SESSION_COOKIE } from './middleware';
import { closeSessionByToken, type NewSession } from './sessions';

/**
 * Hands the browser a new session's cookie. On a tenant's host, a person the tenant does not admit
 * gets none: the session just opened is closed again and the sign-in refused, so a reseller's
 * customer signs in on its reseller's domain only, and nobody else's people sign in there at all.
 */
export async function startSession(
  c: Context<Env>,
  deps: { db: Db; clock: Clock; publicUrl: string },
  userId: string,
  session: NewSession,
): Promise<void> {
  try {
    await requireTenantMember(c, userId);
  } catch (refusal) {
    await closeSessionByToken(deps.db, deps.clock, session.token);
    throw refusal;
  }
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    // Behind HTTPS the cookie never travels in the clear; a development Tally on http keeps it usable.
    secure: deps.publicUrl.startsWith('https://'),
    path: '/',
    expires: session.expiresAt,
  });
}
