import { and, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { type Actor, requireAdmin, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { normalizeEmail, registerConfirmedPerson } from '../../core/auth/accounts';
import { users } from '../../core/auth/schema';
import type { Db } from '../../core/database';
import { notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { idFromCursor, type Page, pageLimit, pageOf } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { lockCustomers } from '../engine/customer-lock';
import { startHolding } from '../engine/refill';
import { creditsErrors } from '../errors';
import { CREDITS_NOTIFICATIONS } from '../notifications';
import { recordCustomerPurchase } from '../people/customers';
import { requireSanePrice } from '../products/service';
import { integrations, type PurchaseSource, products, purchases, webhookDeliveries } from '../schema';
import { mailVoiceFor, notifyInVoice } from '../whitelabel/branding-mail';
import type { WebhookDelivery } from './deliveries';
import { mailLoginDetails } from './onboarding';

/**
 * A purchase turns an order on a sales platform into an account and credits: the person is found by
 * email or registered (confirmed by the purchase, with a temporary password by mail), their type
 * follows what they bought, and a holding of the product starts with its first grant. All of it, the
 * mail included (through the outbox), is one transaction; the order id makes a second delivery of the
 * same order change nothing.
 */

export type Purchase = typeof purchases.$inferSelect;

export interface PurchaseInput {
  source: PurchaseSource;
  integrationId: string | null;
  orderId: string;
  email: string;
  productId: string;
  name?: string;
  /** What the buyer paid, when known. */
  amountPaid?: Money;
  details: Record<string, unknown>;
}

/** An amount of a currency, in its minor units. */
export interface Money {
  amountMinor: bigint;
  currency: string;
}

export interface PurchaseOutcome {
  purchase: Purchase;
  /** False when the order was recorded before: nothing was created this time. */
  created: boolean;
}

async function findPurchaseByOrder(tx: Db, input: PurchaseInput): Promise<Purchase | undefined> {
  const [row] = await tx
    .select()
    .from(purchases)
    .where(
      and(
        eq(purchases.source, input.source),
        input.integrationId
          ? eq(purchases.integrationId, input.integrationId)
          : isNull(purchases.integrationId),
        eq(purchases.orderId, input.orderId),
      ),
    );
  return row;
}

/**
 * Records one purchase in the caller's transaction. A repeat of an order (same source, integration
 * and order id) returns the first purchase when it names the same address and product, and is an
 * idempotency conflict when it does not.
 */
export async function recordPurchase(
  tx: Db,
  deps: CreditsDeps,
  actor: Actor,
  input: PurchaseInput,
): Promise<PurchaseOutcome> {
  const { clock } = deps;
  const email = normalizeEmail(input.email);
  if (input.amountPaid)
    requireSanePrice(input.amountPaid.amountMinor, input.amountPaid.currency, 'amount_paid');
  // One order at a time: the unique constraint cannot guard admin orders (no integration, and NULLs
  // are distinct), and a lock lets the second delivery find the first instead of failing on it.
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtext(${`credits_purchase:${input.source}:${input.integrationId ?? ''}:${input.orderId}`}))`,
  );
  const earlier = await findPurchaseByOrder(tx, input);
  if (earlier) {
    if (earlier.email !== email || earlier.productId !== input.productId) {
      throw creditsErrors.error(
        'order_recorded_differently',
        `order ${input.orderId} was already recorded for another address or product`,
        { purchase_id: earlier.id },
      );
    }
    return { purchase: earlier, created: false };
  }

  const [product] = isUuid(input.productId)
    ? await tx.select().from(products).where(eq(products.id, input.productId))
    : [];
  if (!product) throw notFound('product', { product_id: input.productId });
  if (!product.active) {
    throw creditsErrors.error('product_not_sold', `${product.name} is no longer sold`, {
      product_id: product.id,
    });
  }

  const registeredId = await registerConfirmedPerson(tx, clock, { email, name: input.name ?? '' });
  const [person] = await tx
    .select({ id: users.id, hasPassword: sql<boolean>`${users.passwordHash} IS NOT NULL` })
    .from(users)
    .where(eq(users.email, email));
  const userId = person!.id;
  if (product.ownerUserId === userId) {
    throw creditsErrors.error('own_product', 'a reseller cannot buy its own product', {
      product_id: product.id,
    });
  }
  // The buyer and the reseller who funds them, locked in the engine's order before anything reads them.
  await lockCustomers(tx, clock, product.ownerUserId ? [userId, product.ownerUserId] : [userId]);
  const customer = await recordCustomerPurchase(tx, clock, userId, product);

  const [purchase] = await tx
    .insert(purchases)
    .values({
      id: newId(),
      source: input.source,
      integrationId: input.integrationId,
      orderId: input.orderId,
      email,
      productId: product.id,
      userId,
      registered: registeredId !== null,
      amountPaidMinor: input.amountPaid?.amountMinor ?? null,
      amountPaidCurrency: input.amountPaid?.currency ?? null,
      details: input.details,
      createdByUserId: actor.userId,
      createdAt: clock.now(),
    })
    .returning();
  // An under-whitelabel product's grant is funded from its reseller's credits, and refused when the
  // reseller no longer has them: the whole purchase then rolls back.
  const { holdingId, grant } = await startHolding(tx, clock, {
    userId,
    product: {
      id: product.id,
      creditsPerCycle: product.creditsPerCycle,
      refillCycle: product.refillCycle,
      rolloverCredits: product.rolloverCredits,
      ownerUserId: product.ownerUserId,
      type: product.type,
    },
    purchaseId: purchase!.id,
  });

  if (!person!.hasPassword) {
    // Registered now, or registered by an earlier purchase and not yet onboarded: the newest login
    // details replace the earlier ones.
    await mailLoginDetails(tx, deps, {
      userId,
      email,
      ip: actor.ip,
      productName: product.name,
      type: customer.type,
    });
  } else {
    // A person who has a password hears of it as they chose (in the app, by mail, or both), from
    // their reseller's brand when they came in through one.
    const voice = await mailVoiceFor(tx, deps, userId);
    await notifyInVoice(
      tx,
      deps,
      {
        userId,
        type: CREDITS_NOTIFICATIONS.purchaseCompleted,
        title: `${product.name}: your credits are in your ${voice.name} account`,
        body:
          `Thank you for buying ${product.name}: ${product.creditsPerCycle} credits are in your account` +
          (product.refillCycle === 'none' ? '.' : `, refilled every ${product.refillCycle}.`),
        link: '/credits',
        data: { purchaseId: purchase!.id, productId: product.id },
        dedupeKey: `credits_purchase:${purchase!.id}`,
      },
      voice,
    );
  }
  await recordAudit(tx, clock, actor, {
    action: 'credits.purchase.create',
    objectType: 'credits_purchase',
    objectId: purchase!.id,
    details: {
      source: input.source,
      integrationId: input.integrationId,
      orderId: input.orderId,
      productId: product.id,
      userId,
      registered: registeredId !== null,
      holdingId,
      grantId: grant.id,
      type: customer.type,
    },
  });
  return { purchase: purchase!, created: true };
}

/** An administrator enters a purchase made elsewhere (a bank transfer, a sale in person). */
export async function enterPurchase(
  deps: CreditsDeps,
  actor: Actor,
  input: {
    email: string;
    productId: string;
    orderReference: string;
    name?: string;
    note?: string;
    amountPaid?: Money;
  },
): Promise<PurchaseOutcome> {
  requireAdmin(actor);
  return deps.db.transaction((tx) =>
    recordPurchase(tx, deps, actor, {
      source: 'admin',
      integrationId: null,
      orderId: input.orderReference.trim(),
      email: input.email,
      productId: input.productId,
      name: input.name,
      amountPaid: input.amountPaid,
      details: input.note ? { note: input.note } : {},
    }),
  );
}

export interface PurchaseFilter {
  userId?: string;
  productId?: string;
  integrationId?: string;
  cursor?: string;
  limit?: number;
}

/**
 * Administrators see every purchase; everyone else their own, and a reseller also the purchases of
 * the products it made (its customers' orders, which its own credits fund). Newest first.
 */
export async function listPurchases(
  { db }: CreditsDeps,
  actor: Actor,
  filter: PurchaseFilter = {},
): Promise<Page<Purchase>> {
  let own: SQL | undefined;
  if (!actor.isAdmin) {
    const userId = requireUser(actor);
    own = or(
      eq(purchases.userId, userId),
      inArray(
        purchases.productId,
        db.select({ id: products.id }).from(products).where(eq(products.ownerUserId, userId)),
      ),
    );
  }
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const conditions: (SQL | undefined)[] = [
    own,
    filter.userId ? eq(purchases.userId, filter.userId) : undefined,
    filter.productId ? eq(purchases.productId, filter.productId) : undefined,
    filter.integrationId ? eq(purchases.integrationId, filter.integrationId) : undefined,
    before ? lt(purchases.id, before) : undefined,
  ];
  const rows = await db
    .select()
    .from(purchases)
    .where(and(...conditions))
    .orderBy(desc(purchases.id))
    .limit(limit + 1);
  return pageOf(rows, limit, (row) => ({ id: row.id }));
}

/** A purchase as its page shows it: who bought what, through which platform, and its deliveries. */
export interface PurchaseDetail {
  purchase: Purchase;
  product: { id: string; name: string; type: string };
  buyer: { id: string; name: string; email: string | null };
  integration: { id: string; name: string } | null;
  enteredBy: { id: string; name: string; email: string | null } | null;
  /** The webhook deliveries of its order, failures included (administrators only). */
  deliveries: WebhookDelivery[];
}

/** One purchase, for whoever may see it in `listPurchases`; anyone else finds none. */
export async function getPurchase(deps: CreditsDeps, actor: Actor, id: string): Promise<PurchaseDetail> {
  const userId = requireUser(actor);
  if (!isUuid(id)) throw notFound('purchase', { id });
  const [purchase] = await deps.db.select().from(purchases).where(eq(purchases.id, id));
  const [product] = purchase
    ? await deps.db.select().from(products).where(eq(products.id, purchase.productId))
    : [];
  const visible =
    purchase && (actor.isAdmin || purchase.userId === userId || product?.ownerUserId === userId);
  if (!purchase || !product || !visible) throw notFound('purchase', { id });
  const person = async (personId: string | null) => {
    if (!personId) return null;
    const [row] = await deps.db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(eq(users.id, personId));
    return row ?? null;
  };
  const [integration] = purchase.integrationId
    ? await deps.db
        .select({ id: integrations.id, name: integrations.name })
        .from(integrations)
        .where(eq(integrations.id, purchase.integrationId))
    : [];
  const deliveries =
    actor.isAdmin && purchase.integrationId
      ? await deps.db
          .select()
          .from(webhookDeliveries)
          .where(
            and(
              eq(webhookDeliveries.integrationId, purchase.integrationId),
              eq(webhookDeliveries.orderId, purchase.orderId),
            ),
          )
          .orderBy(desc(webhookDeliveries.receivedAt), desc(webhookDeliveries.id))
          .limit(100)
      : [];
  return {
    purchase,
    product: { id: product.id, name: product.name, type: product.type },
    buyer: (await person(purchase.userId)) ?? { id: purchase.userId, name: '', email: purchase.email },
    integration: integration ?? null,
    enteredBy: purchase.source === 'admin' ? await person(purchase.createdByUserId) : null,
    deliveries,
  };
}
