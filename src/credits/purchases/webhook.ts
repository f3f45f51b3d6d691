import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { AppError } from '../../core/errors';
import { parseRawJson } from '../../core/http';
import { withDatabase } from '../../core/request-database';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { integrations } from '../schema';
import type { ShopFinder } from '../tenant-databases/shop-products';
import { logDelivery } from './deliveries';
import { findIntegration, verifyDeliverySignature } from './integrations';
import { PaidAmount, paidOf } from './json';
import { type PurchaseInput, type PurchaseOutcome, recordPurchase } from './service';

/** The order a sales platform reports. Unknown fields are refused, as everywhere in Tally's API. */
export const WebhookOrderSchema = z
  .strictObject({
    order_id: z.string().trim().min(1).max(200),
    email: z.email().max(320),
    product_id: z.uuid(),
    name: z.string().max(200).optional(),
    amount_paid: PaidAmount.optional(),
  })
  .openapi('CreditsWebhookOrder');

export interface Delivery {
  integrationId: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Uint8Array;
}

/**
 * Receives one webhook delivery. The order of checks is the order of trust: the integration must
 * exist, the signature over the raw bytes must be fresh and right (before anything is read from the
 * body), the integration must be active, and only then is the body parsed and the purchase recorded.
 */
export async function receivePurchaseWebhook(
  deps: CreditsDeps,
  actor: Actor,
  delivery: Delivery,
  shops: Pick<ShopFinder, 'byProduct'>,
): Promise<PurchaseOutcome> {
  // A delivery to no integration has no log to go to: it is refused (404) and kept nowhere.
  const integration = await findIntegration(deps.db, delivery.integrationId);
  const logged = {
    integrationId: integration.id,
    receivedAt: deps.clock.now(),
    bodyBytes: delivery.rawBody.length,
  };
  let orderId: string | null = null;
  try {
    verifyDeliverySignature(integration.secret, delivery, delivery.rawBody, deps.clock.now());
    if (!integration.active) {
      throw creditsErrors.error(
        'integration_deactivated',
        'this integration is deactivated; its deliveries are refused',
        {
          reason: 'integration_inactive',
        },
      );
    }
    const order = parseRawJson(WebhookOrderSchema, delivery.rawBody);
    orderId = order.order_id;
    const purchase: PurchaseInput = {
      source: 'webhook',
      integrationId: integration.id,
      orderId: order.order_id,
      email: order.email,
      productId: order.product_id,
      name: order.name,
      amountPaid: paidOf(order.amount_paid),
      details: { payload: order },
    };
    // A product of a shop with a database of its own is bought there, in one transaction of that
    // database (its grant drawn on the shop's float); the delivery is logged on Tally's after it.
    const shop = await shops.byProduct(order.product_id);
    const inShop = shop
      ? await withDatabase(shop.db, () =>
          shop.db.transaction((tx) => recordPurchase(tx, deps, actor, purchase)),
        )
      : null;
    return await deps.ownDb.transaction(async (tx) => {
      const outcome = inShop ?? (await recordPurchase(tx, deps, actor, purchase));
      await tx
        .update(integrations)
        .set({ lastUsedAt: deps.clock.now() })
        .where(eq(integrations.id, integration.id));
      await logDelivery(tx, {
        ...logged,
        outcome: outcome.created ? 'recorded' : 'already_recorded',
        status: outcome.created ? 201 : 200,
        orderId,
        purchaseId: outcome.purchase.id,
      });
      return outcome;
    });
  } catch (error) {
    if (error instanceof AppError) {
      const reason = (error.details as { reason?: unknown } | undefined)?.reason;
      await logDelivery(deps.db, {
        ...logged,
        outcome: 'refused',
        status: error.status,
        errorCode: error.code,
        reason: typeof reason === 'string' ? reason : null,
        message: error.message,
        orderId,
      });
    }
    throw error;
  }
}
