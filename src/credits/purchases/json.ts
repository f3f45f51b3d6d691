import { z } from '@hono/zod-openapi';
import { iso, MinorUnits, Uuid } from '../fields';
import { deliveryOutcomes, purchaseSources } from '../schema';
import type { WebhookDelivery } from './deliveries';
import type { IntegrationView } from './integrations';
import type { Money, Purchase, PurchaseDetail } from './service';

/** The JSON of purchases and the integrations that deliver them: the zod schemas routes answer with, and each record as JSON. */
export const PurchaseSchema = z
  .object({
    id: Uuid,
    source: z.enum(purchaseSources),
    integration_id: Uuid.nullable(),
    order_id: z.string(),
    email: z.string(),
    product_id: Uuid,
    user_id: Uuid,
    registered: z.boolean(),
    amount_paid: z
      .object({ amount_minor: z.string(), currency: z.string() })
      .nullable()
      .openapi({ description: 'what the buyer paid, when the platform or the administrator said' }),
    created_at: z.string(),
  })
  .openapi('CreditsPurchase');

export const purchaseJson = (p: Purchase) => ({
  id: p.id,
  source: p.source,
  integration_id: p.integrationId,
  order_id: p.orderId,
  email: p.email,
  product_id: p.productId,
  user_id: p.userId,
  registered: p.registered,
  amount_paid:
    p.amountPaidMinor !== null && p.amountPaidCurrency !== null
      ? { amount_minor: p.amountPaidMinor.toString(), currency: p.amountPaidCurrency }
      : null,
  created_at: p.createdAt.toISOString(),
});

export const IntegrationSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    active: z.boolean(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .openapi('CreditsIntegration');

export const integrationJson = (i: IntegrationView) => ({
  id: i.id,
  name: i.name,
  active: i.active,
  created_at: i.createdAt.toISOString(),
  last_used_at: iso(i.lastUsedAt),
});

export const DeliverySchema = z
  .object({
    id: Uuid,
    received_at: z.string(),
    outcome: z.enum(deliveryOutcomes).openapi({
      description:
        'recorded (a purchase made), already_recorded (the order was known: nothing changed), refused',
    }),
    status: z.number().int().openapi({ description: 'the HTTP status Tally answered' }),
    error_code: z.string().nullable(),
    reason: z
      .string()
      .nullable()
      .openapi({ description: 'which check refused it: bad_signature, stale_timestamp, …' }),
    message: z.string().nullable(),
    order_id: z
      .string()
      .nullable()
      .openapi({ description: 'read only from a delivery whose signature held' }),
    purchase_id: Uuid.nullable(),
    body_bytes: z.number().int(),
  })
  .openapi('CreditsWebhookDelivery');

export const deliveryJson = (d: WebhookDelivery) => ({
  id: d.id,
  received_at: d.receivedAt.toISOString(),
  outcome: d.outcome,
  status: d.status,
  error_code: d.errorCode,
  reason: d.reason,
  message: d.message,
  order_id: d.orderId,
  purchase_id: d.purchaseId,
  body_bytes: d.bodyBytes,
});

/** What a buyer paid, as an order or an administrator states it. */
export const PaidAmount = z
  .strictObject({
    amount_minor: MinorUnits,
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, such as USD'),
  })
  .openapi({ description: 'what the buyer paid: minor units of an ISO 4217 currency' });

export const paidOf = (paid: z.infer<typeof PaidAmount> | undefined): Money | undefined =>
  paid ? { amountMinor: BigInt(paid.amount_minor), currency: paid.currency } : undefined;

const PersonRef = z.object({ id: Uuid, name: z.string(), email: z.string().nullable() });

export const PurchaseDetailSchema = z
  .object({
    purchase: PurchaseSchema,
    product: z.object({ id: Uuid, name: z.string(), type: z.string() }),
    buyer: PersonRef,
    integration: z.object({ id: Uuid, name: z.string() }).nullable(),
    entered_by: PersonRef.nullable().openapi({ description: 'the administrator who entered it by hand' }),
    deliveries: z.array(DeliverySchema).openapi({
      description:
        'the webhook deliveries of its order, failures included (administrators only; empty otherwise)',
    }),
  })
  .openapi('CreditsPurchaseDetail');

export const purchaseDetailJson = (d: PurchaseDetail) => ({
  purchase: purchaseJson(d.purchase),
  product: d.product,
  buyer: d.buyer,
  integration: d.integration,
  entered_by: d.enteredBy,
  deliveries: d.deliveries.map(deliveryJson),
});
