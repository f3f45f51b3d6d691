import { and, desc, eq } from 'drizzle-orm';
import { type Actor, requireAdmin } from '../../core/actor';
import type { Db } from '../../core/database';
import { newId } from '../../core/ids';
import { olderThan, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { webhookDeliveries } from '../schema';
import { findIntegration } from './integrations';

export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type DeliveryRecord = Omit<typeof webhookDeliveries.$inferInsert, 'id'>;

/** Writes one delivery to its integration's log (in the purchase's transaction when it recorded one). */
export async function logDelivery(db: Db, record: DeliveryRecord): Promise<void> {
  await db.insert(webhookDeliveries).values({ id: newId(), ...record });
}

/** An integration's deliveries, newest first, failures included (administrators). */
export async function listDeliveries(
  deps: CreditsDeps,
  actor: Actor,
  integrationId: string,
  page: PageRequest = {},
): Promise<Page<WebhookDelivery>> {
  requireAdmin(actor);
  await findIntegration(deps.db, integrationId);
  const limit = pageLimit(page.limit);
  const older = olderThan(webhookDeliveries.receivedAt, webhookDeliveries.id, page.cursor);
  const rows = await deps.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.integrationId, integrationId), older))
    .orderBy(desc(webhookDeliveries.receivedAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  return pageOf(rows, limit, (d) => ({ at: d.receivedAt, id: d.id }));
}
