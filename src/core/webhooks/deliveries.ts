import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/service';
import type { Db } from '../database';
import { notFound } from '../errors';
import { isUuid } from '../ids';
import { olderThan, type Page, type PageRequest, pageLimit, pageOf } from '../paging';
import { webhookErrors } from './errors';
import {
  type WebhookDeliveryState,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
} from './schema';
import type { WebhookDeps, WebhookOwner } from './service';

export type WebhookAttempt = typeof webhookAttempts.$inferSelect;

/** A delivery as its owner's log shows it: the event, the endpoint, where it stands, and every attempt. */
export interface WebhookDeliveryView {
  id: string;
  state: WebhookDeliveryState;
  attempts: number;
  finalAttempt: number;
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  event: { id: string; type: string; createdAt: Date };
  endpoint: { id: string; url: string };
  attemptLog: WebhookAttempt[];
}

const deliveryColumns = {
  delivery: webhookDeliveries,
  eventType: webhookEvents.type,
  eventCreatedAt: webhookEvents.createdAt,
  url: webhookEndpoints.url,
};

async function viewsOf(db: Db, where: SQL | undefined, limit: number): Promise<WebhookDeliveryView[]> {
  const rows = await db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(where)
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
  const attempts =
    rows.length === 0
      ? []
      : await db
          .select()
          .from(webhookAttempts)
          .where(
            inArray(
              webhookAttempts.deliveryId,
              rows.map((r) => r.delivery.id),
            ),
          )
          .orderBy(asc(webhookAttempts.number), asc(webhookAttempts.id));
  return rows.map(({ delivery, eventType, eventCreatedAt, url }) => ({
    id: delivery.id,
    state: delivery.state,
    attempts: delivery.attempts,
    finalAttempt: delivery.finalAttempt,
    nextAttemptAt: delivery.nextAttemptAt,
    lastStatus: delivery.lastStatus,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt,
    deliveredAt: delivery.deliveredAt,
    event: { id: delivery.eventId, type: eventType, createdAt: eventCreatedAt },
    endpoint: { id: delivery.endpointId, url },
    attemptLog: attempts.filter((a) => a.deliveryId === delivery.id),
  }));
}

const ownedBy = (owner: WebhookOwner) =>
  and(eq(webhookDeliveries.ownerKind, owner.kind), eq(webhookDeliveries.ownerId, owner.id));

/** The owner's deliveries, newest first, a page at a time; of one endpoint when `endpointId` is given. */
export async function listWebhookDeliveries(
  db: Db,
  owner: WebhookOwner,
  request: PageRequest & { endpointId?: string },
): Promise<Page<WebhookDeliveryView>> {
  const limit = pageLimit(request.limit);
  const rows = await viewsOf(
    db,
    and(
      ownedBy(owner),
      request.endpointId === undefined ? undefined : eq(webhookDeliveries.endpointId, request.endpointId),
      olderThan(webhookDeliveries.createdAt, webhookDeliveries.id, request.cursor),
    ),
    limit + 1,
  );
  return pageOf(rows, limit, (row) => ({ at: row.createdAt, id: row.id }));
}

/** One of the owner's deliveries, or not found. */
export async function getWebhookDelivery(
  db: Db,
  owner: WebhookOwner,
  id: string,
): Promise<WebhookDeliveryView> {
  const [view] = isUuid(id) ? await viewsOf(db, and(ownedBy(owner), eq(webhookDeliveries.id, id)), 1) : [];
  if (!view) throw notFound('webhook delivery', { id });
  return view;
}

/**
 * Sends a delivered or failed delivery again, once: the same event, id and body, signed anew. A
 * delivery still being attempted is refused, and so is one whose endpoint is disabled.
 */
export async function redeliverWebhook(
  deps: Pick<WebhookDeps, 'db' | 'clock'>,
  actor: Actor,
  owner: WebhookOwner,
  id: string,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const [found] = isUuid(id)
      ? await tx
          .select({ delivery: webhookDeliveries, enabled: webhookEndpoints.enabled })
          .from(webhookDeliveries)
          .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
          .where(and(ownedBy(owner), eq(webhookDeliveries.id, id)))
          .for('update', { of: webhookDeliveries })
      : [];
    if (!found) throw notFound('webhook delivery', { id });
    const { delivery, enabled } = found;
    if (!enabled)
      throw webhookErrors.error('webhook_endpoint_disabled', 'enable the endpoint before redelivering to it');
    if (delivery.state === 'pending')
      throw webhookErrors.error('webhook_delivery_pending', 'the delivery is still being attempted');
    const now = deps.clock.now();
    await tx
      .update(webhookDeliveries)
      .set({
        state: 'pending',
        nextAttemptAt: now,
        // One attempt more: a hand-made redelivery is not retried on its own.
        finalAttempt: delivery.attempts + 1,
        lockedUntil: null,
        updatedAt: now,
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    await recordAudit(tx, deps.clock, actor, {
      action: 'webhooks.redelivered',
      objectType: 'webhook_endpoint',
      objectId: delivery.endpointId,
      details: { delivery_id: delivery.id, event_id: delivery.eventId, was: delivery.state },
    });
  });
}
