import { createHmac, timingSafeEqual } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { type Actor, requireAdmin } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { newSecret } from '../../core/auth/tokens';
import type { Db } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import type { CreditsDeps } from '../deps';
import { integrations } from '../schema';

/**
 * Sales platforms report purchases by a signed webhook. Each integration has its own secret, shown
 * once when an administrator creates it; the platform (or the small adapter in front of it) signs
 * every delivery with it.
 */

export type Integration = typeof integrations.$inferSelect;
export type IntegrationView = Omit<Integration, 'secret'>;

export const SIGNATURE_HEADER = 'x-tally-signature';
export const TIMESTAMP_HEADER = 'x-tally-timestamp';
/** A delivery signed longer ago than this, or this far in the future, is refused: a captured one cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';

const view = ({ secret: _secret, ...rest }: Integration): IntegrationView => rest;

const requireManager = (actor: Actor) => {
  requireAdmin(actor);
};

export async function createIntegration(
  { db, clock }: CreditsDeps,
  actor: Actor,
  input: { name: string },
): Promise<{ integration: IntegrationView; secret: string }> {
  requireManager(actor);
  const secret = newSecret(SECRET_PREFIX);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(integrations)
      .values({ id: newId(), name: input.name.trim(), secret, createdAt: clock.now() })
      .returning();
    await recordAudit(tx, clock, actor, {
      action: 'credits.integration.create',
      objectType: 'credits_integration',
      objectId: row!.id,
      details: { name: row!.name },
    });
    return { integration: view(row!), secret };
  });
}

export async function listIntegrations({ db }: CreditsDeps, actor: Actor): Promise<IntegrationView[]> {
  requireManager(actor);
  const rows = await db.select().from(integrations).orderBy(desc(integrations.id));
  return rows.map(view);
}

/** One sales platform (administrators); never its secret. */
export async function getIntegration(
  { db }: CreditsDeps,
  actor: Actor,
  integrationId: string,
): Promise<IntegrationView> {
  requireManager(actor);
  return view(await findIntegration(db, integrationId));
}

/** Stops an integration: its deliveries are refused from now on. Deactivating twice changes nothing. */
export async function deactivateIntegration(
  { db, clock }: CreditsDeps,
  actor: Actor,
  integrationId: string,
): Promise<IntegrationView> {
  requireManager(actor);
  return db.transaction(async (tx) => {
    const before = await findIntegration(tx, integrationId, true);
    if (!before.active) return view(before);
    const [row] = await tx
      .update(integrations)
      .set({ active: false })
      .where(eq(integrations.id, before.id))
      .returning();
    await recordAudit(tx, clock, actor, {
      action: 'credits.integration.deactivate',
      objectType: 'credits_integration',
      objectId: before.id,
    });
    return view(row!);
  });
}

export async function findIntegration(db: Db, integrationId: string, lock = false): Promise<Integration> {
  if (!isUuid(integrationId)) throw notFound('integration', { id: integrationId });
  const query = db.select().from(integrations).where(eq(integrations.id, integrationId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('integration', { id: integrationId });
  return row;
}

/** The signature a delivery must carry: HMAC-SHA256 of "<timestamp>.<raw body>", hex. */
export function signDelivery(secret: string, timestamp: string, rawBody: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

const refuse = (reason: string, message: string) => new AppError('unauthorized', message, { reason });

/**
 * Checks a delivery's `X-Tally-Timestamp` and `X-Tally-Signature: sha256=<hex>` against the raw body
 * bytes (never a re-serialised parse), comparing in constant time.
 */
export function verifyDeliverySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: Uint8Array,
  now: Date,
): void {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    throw refuse('missing_timestamp', 'X-Tally-Timestamp must be the signing time in unix seconds');
  }
  const skew = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (skew > SIGNATURE_TOLERANCE_SECONDS) {
    throw refuse('stale_timestamp', 'this delivery was signed more than 5 minutes ago; sign it again');
  }
  if (skew < -SIGNATURE_TOLERANCE_SECONDS) {
    throw refuse(
      'future_timestamp',
      'this delivery is signed more than 5 minutes in the future; check the clock',
    );
  }
  const given = /^sha256=([0-9a-f]{64})$/i.exec(signature ?? '')?.[1];
  if (!given) throw refuse('missing_signature', 'X-Tally-Signature must be "sha256=<hex HMAC>"');
  const expected = Buffer.from(signDelivery(secret, timestamp, rawBody), 'hex');
  if (!timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), expected)) {
    throw refuse('bad_signature', 'the signature does not match this integration’s secret and body');
  }
}
