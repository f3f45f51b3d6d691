import { and, asc, count, eq, sql } from 'drizzle-orm';
import { v5 as uuidv5 } from 'uuid';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/service';
import type { Clock } from '../clock';
import type { Db } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid, newId } from '../ids';
import type { Keyring } from '../keyring';
import { assertPublicUrl } from '../network';
import { webhookErrors } from './errors';
import { WEBHOOK_ATTEMPTS } from './retries';
import { webhookDeliveries, webhookEndpoints, webhookEvents } from './schema';
import { newWebhookSecret } from './signature';

/** What the webhook services need from the core. */
export interface WebhookDeps {
  db: Db;
  clock: Clock;
  keys: Keyring;
  /** Whether endpoints may be on loopback and private addresses, over plain http (a developer's machine). */
  allowPrivateNetwork: boolean;
}

/** Who owns endpoints, in the owning line's words: `{ kind: 'streams.producer', id: producerId }`. */
export interface WebhookOwner {
  kind: string;
  id: string;
}

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;

/** The keyring purpose endpoints' secrets are sealed for. */
export const WEBHOOK_SECRET_PURPOSE = 'core.webhook-secret';
/** Each event fans out to at most this many deliveries of one owner. */
export const MAX_ENDPOINTS_PER_OWNER = 16;
/** The previous secret still signs this long after a rotation, unless told otherwise. */
const DEFAULT_PREVIOUS_SECRET_MS = 24 * 3600_000;
/** An event's data, as JSON, at most: webhooks tell what happened; receivers fetch the rest. */
const MAX_EVENT_DATA_BYTES = 64 * 1024;

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const MAX_URL_LENGTH = 2048;
/** The namespace of deterministic event ids (UUIDv5). */
const WEBHOOK_EVENT_NAMESPACE = '0f4b8e52-7c1d-4f3a-9b6e-2d5a8c7e1f90';

/**
 * A deterministic event id from what names the happening (its owner, type, subject and cause): the
 * same happening queued twice, by a retried transaction or a replayed chain event, is one event.
 */
export const webhookEventId = (...parts: readonly string[]): string =>
  uuidv5(parts.join('|'), WEBHOOK_EVENT_NAMESPACE);

/**
 * The URL as it will be stored, or `validation_failed` on `url`: https (plain http too on an
 * installation that allows private networks), no credentials in it, and a host that is not, and
 * does not resolve to, a loopback or private address unless the installation allows those.
 */
async function checkWebhookUrl(deps: Pick<WebhookDeps, 'allowPrivateNetwork'>, url: string) {
  const refuse = (message: string) => new AppError('validation_failed', `url: ${message}`, { field: 'url' });
  if (url.length > MAX_URL_LENGTH) throw refuse(`at most ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('not a URL');
  }
  const plainAllowed = deps.allowPrivateNetwork && parsed.protocol === 'http:';
  if (parsed.protocol !== 'https:' && !plainAllowed) throw refuse('must start with https://');
  if (parsed.username || parsed.password)
    throw refuse('must not carry a user name or password: the signature proves the sender');
  parsed.hash = '';
  await assertPublicUrl(parsed.toString(), { allowPrivate: deps.allowPrivateNetwork, field: 'url' });
  return parsed.toString();
}

function checkEventTypes(eventTypes: readonly string[]): string[] {
  const unique = [...new Set(eventTypes)].sort();
  if (unique.length === 0)
    throw new AppError('validation_failed', 'events: choose at least one event type', { field: 'events' });
  const odd = unique.find((type) => !EVENT_TYPE.test(type));
  if (odd !== undefined)
    throw new AppError('validation_failed', `events: "${odd}" is not an event type`, { field: 'events' });
  return unique;
}

/** One of the owner's endpoints, or not found (another owner's endpoint is not found either). */
export async function getWebhookEndpoint(db: Db, owner: WebhookOwner, id: string): Promise<WebhookEndpoint> {
  const [endpoint] = isUuid(id)
    ? await db
        .select()
        .from(webhookEndpoints)
        .where(
          and(
            eq(webhookEndpoints.id, id),
            eq(webhookEndpoints.ownerKind, owner.kind),
            eq(webhookEndpoints.ownerId, owner.id),
          ),
        )
    : [];
  if (!endpoint) throw notFound('webhook endpoint', { id });
  return endpoint;
}

/** The owner's endpoints, oldest first. */
export async function listWebhookEndpoints(db: Db, owner: WebhookOwner): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.ownerKind, owner.kind), eq(webhookEndpoints.ownerId, owner.id)))
    .orderBy(asc(webhookEndpoints.id));
}

/** An endpoint with the secret it signs with: the only time the secret is given out. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/** Adds an endpoint for the owner, enabled, with a new signing secret. */
export async function createWebhookEndpoint(
  deps: WebhookDeps,
  actor: Actor,
  owner: WebhookOwner,
  input: { url: string; eventTypes: readonly string[] },
): Promise<EndpointWithSecret> {
  const url = await checkWebhookUrl(deps, input.url);
  const eventTypes = checkEventTypes(input.eventTypes);
  const secret = newWebhookSecret();
  return deps.db.transaction(async (tx) => {
    // Counted under a lock on the owner's name, so two requests at once cannot both take the last place.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`webhooks:${owner.kind}:${owner.id}`}))`);
    const [held] = await tx
      .select({ n: count() })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.ownerKind, owner.kind), eq(webhookEndpoints.ownerId, owner.id)));
    if ((held?.n ?? 0) >= MAX_ENDPOINTS_PER_OWNER)
      throw webhookErrors.error(
        'webhook_endpoint_limit',
        `an owner may have ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints`,
        { limit: MAX_ENDPOINTS_PER_OWNER },
      );
    const now = deps.clock.now();
    const [endpoint] = await tx
      .insert(webhookEndpoints)
      .values({
        id: newId(),
        ownerKind: owner.kind,
        ownerId: owner.id,
        url,
        eventTypes,
        secretSealed: deps.keys.seal(WEBHOOK_SECRET_PURPOSE, secret),
        enabled: true,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'webhooks.endpoint_created',
      objectType: 'webhook_endpoint',
      objectId: endpoint!.id,
      details: { owner_kind: owner.kind, owner_id: owner.id, url, events: eventTypes },
    });
    return { endpoint: endpoint!, secret };
  });
}

/**
 * Changes an endpoint's URL, event types or whether it is enabled. Disabling it fails what was still
 * waiting to reach it: a disabled endpoint gets nothing, and its owner may redeliver by hand later.
 */
export async function updateWebhookEndpoint(
  deps: WebhookDeps,
  actor: Actor,
  owner: WebhookOwner,
  id: string,
  changes: { url?: string; eventTypes?: readonly string[]; enabled?: boolean },
): Promise<WebhookEndpoint> {
  const url = changes.url === undefined ? undefined : await checkWebhookUrl(deps, changes.url);
  const eventTypes = changes.eventTypes === undefined ? undefined : checkEventTypes(changes.eventTypes);
  return deps.db.transaction(async (tx) => {
    const endpoint = await getWebhookEndpoint(tx, owner, id);
    const now = deps.clock.now();
    const [saved] = await tx
      .update(webhookEndpoints)
      .set({
        ...(url === undefined ? {} : { url }),
        ...(eventTypes === undefined ? {} : { eventTypes }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    if (changes.enabled === false && endpoint.enabled) {
      await tx
        .update(webhookDeliveries)
        .set({
          state: 'failed',
          nextAttemptAt: null,
          lastError: 'the endpoint was disabled',
          updatedAt: now,
        })
        .where(and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.state, 'pending')));
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'webhooks.endpoint_updated',
      objectType: 'webhook_endpoint',
      objectId: endpoint.id,
      details: {
        ...(url === undefined || url === endpoint.url ? {} : { url: { from: endpoint.url, to: url } }),
        ...(eventTypes === undefined ? {} : { events: eventTypes }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
      },
    });
    return saved!;
  });
}

/** Removes an endpoint with its deliveries and their log. */
export async function deleteWebhookEndpoint(
  deps: Pick<WebhookDeps, 'db' | 'clock'>,
  actor: Actor,
  owner: WebhookOwner,
  id: string,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const endpoint = await getWebhookEndpoint(tx, owner, id);
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    await recordAudit(tx, deps.clock, actor, {
      action: 'webhooks.endpoint_deleted',
      objectType: 'webhook_endpoint',
      objectId: endpoint.id,
      details: { url: endpoint.url },
    });
  });
}

/**
 * Gives an endpoint a new secret. The one it replaces keeps signing beside it (a second `v1=` in the
 * signature header) for `keepPreviousForMs`, so the receiver can switch without refusing a
 * delivery; none after a leak, when the old secret must stop at once.
 */
export async function rotateWebhookSecret(
  deps: WebhookDeps,
  actor: Actor,
  owner: WebhookOwner,
  id: string,
  options: { keepPreviousForMs?: number } = {},
): Promise<EndpointWithSecret> {
  const keepMs = options.keepPreviousForMs ?? DEFAULT_PREVIOUS_SECRET_MS;
  const secret = newWebhookSecret();
  return deps.db.transaction(async (tx) => {
    const endpoint = await getWebhookEndpoint(tx, owner, id);
    const now = deps.clock.now();
    const [saved] = await tx
      .update(webhookEndpoints)
      .set({
        secretSealed: deps.keys.seal(WEBHOOK_SECRET_PURPOSE, secret),
        previousSecretSealed: keepMs > 0 ? endpoint.secretSealed : null,
        previousSecretExpiresAt: keepMs > 0 ? new Date(now.getTime() + keepMs) : null,
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'webhooks.secret_rotated',
      objectType: 'webhook_endpoint',
      objectId: endpoint.id,
      details: { previous_signs_until: saved!.previousSecretExpiresAt?.toISOString() ?? null },
    });
    return { endpoint: saved!, secret };
  });
}

export interface WebhookEventInput {
  ownerKind: string;
  ownerId: string;
  /** `subscription.closed`: what the owner's endpoints subscribe to. */
  type: string;
  /** Sent as the body's `data`, as JSON. */
  data: Readonly<Record<string, unknown>>;
  /** A deterministic id (`webhookEventId`) when the happening may be queued twice; a new one otherwise. */
  id?: string;
}

/**
 * Queues an event for every enabled endpoint of its owner that wants its type, in the caller's
 * transaction (an outbox): it is sent if and only if the change that causes it commits. Queued again
 * under the same id, it reaches only endpoints it has not reached yet, never one twice. Nothing is
 * kept when no endpoint wants it. Returns the event's id and how many deliveries were added.
 */
export async function queueWebhookEvent(
  tx: Db,
  clock: Clock,
  event: WebhookEventInput,
): Promise<{ eventId: string; deliveries: number }> {
  const eventId = event.id ?? newId();
  if (!isUuid(eventId)) throw new AppError('internal', `a webhook event id must be a uuid, not "${eventId}"`);
  checkEventTypes([event.type]);
  const size = Buffer.byteLength(JSON.stringify(event.data));
  if (size > MAX_EVENT_DATA_BYTES)
    throw new AppError('internal', `a webhook event carries at most ${MAX_EVENT_DATA_BYTES} bytes of data`);
  const targets = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.ownerKind, event.ownerKind),
        eq(webhookEndpoints.ownerId, event.ownerId),
        eq(webhookEndpoints.enabled, true),
        sql`${event.type} = ANY(${webhookEndpoints.eventTypes})`,
      ),
    );
  if (targets.length === 0) return { eventId, deliveries: 0 };
  const deliveries = await insertEventDeliveries(
    tx,
    clock,
    { ...event, id: eventId },
    targets.map((t) => t.id),
  );
  return { eventId, deliveries: deliveries.length };
}

/**
 * Writes the event (once per id) and a delivery of it to each endpoint that has none yet, due now.
 * An id already used by another owner or type is a caller's mistake, refused.
 */
async function insertEventDeliveries(
  tx: Db,
  clock: Clock,
  event: WebhookEventInput & { id: string },
  endpointIds: readonly string[],
): Promise<string[]> {
  const now = clock.now();
  await tx
    .insert(webhookEvents)
    .values({
      id: event.id,
      ownerKind: event.ownerKind,
      ownerId: event.ownerId,
      type: event.type,
      data: event.data,
      createdAt: now,
    })
    .onConflictDoNothing();
  const [stored] = await tx.select().from(webhookEvents).where(eq(webhookEvents.id, event.id));
  if (stored?.ownerKind !== event.ownerKind || stored.ownerId !== event.ownerId || stored.type !== event.type)
    throw new AppError('conflict', `the webhook event id ${event.id} names another event`);
  const made = await tx
    .insert(webhookDeliveries)
    .values(
      endpointIds.map((endpointId) => ({
        id: newId(),
        eventId: event.id,
        endpointId,
        ownerKind: event.ownerKind,
        ownerId: event.ownerId,
        state: 'pending' as const,
        attempts: 0,
        finalAttempt: WEBHOOK_ATTEMPTS,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoNothing({ target: [webhookDeliveries.eventId, webhookDeliveries.endpointId] })
    .returning({ id: webhookDeliveries.id });
  return made.map((d) => d.id);
}

/** The type of the event "send a test event" sends. */
const WEBHOOK_TEST_EVENT = 'webhook.test';

/**
 * Queues a `webhook.test` event for one endpoint, whatever types it wants, so its owner can check
 * the receiver and its signature check. Returns the delivery's id.
 */
export async function queueTestWebhook(
  deps: Pick<WebhookDeps, 'db' | 'clock'>,
  owner: WebhookOwner,
  endpointId: string,
): Promise<string> {
  return deps.db.transaction(async (tx) => {
    const endpoint = await getWebhookEndpoint(tx, owner, endpointId);
    if (!endpoint.enabled)
      throw webhookErrors.error('webhook_endpoint_disabled', 'enable the endpoint before testing it');
    const [deliveryId] = await insertEventDeliveries(
      tx,
      deps.clock,
      {
        id: newId(),
        ownerKind: owner.kind,
        ownerId: owner.id,
        type: WEBHOOK_TEST_EVENT,
        data: { message: 'A test event from Tally: your endpoint receives and checks webhooks.' },
      },
      [endpoint.id],
    );
    return deliveryId!;
  });
}
