import { and, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { type Db, inSlices, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { notifyAll } from '../../core/notifications/service';
import { CLUB_PERMISSIONS } from '../clubs/kind';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { COOP_NOTIFICATIONS, coopNotifier } from '../notifications';
import { billTotals } from '../pricing';
import { billChanges, type DeliveryOutcome, orderLines, orderProducers, orderProducts } from '../schema';
import {
  addEvent,
  findOrder,
  type Order,
  type OrderStanding,
  orderFor,
  orderLink,
  peopleWith,
  requireRight,
  requireStatus,
  speaksFor,
} from './access';
import { formatQuantity, itemQuantity, versionTermsOf } from './bill-lines';
import { processOrder } from './billing';
import { billCorrection, inCorrection } from './corrections';
import { producerInvoiceKey, producerInvoiceLines } from './producer-invoices';

/** A weighed amount this many times the estimate, or less than its share, is checked twice. */
export const IMPLAUSIBLE_FACTOR = 10n;

export interface DeliveredToHousehold {
  householdId: string;
  /** Items delivered to it (goods sold by the piece); for weighed goods, the count of weights. */
  items?: number;
  /** For goods sold by weight: the weight of each item, in thousandths of the unit. */
  weights?: bigint[];
}

export interface DeliveryInput {
  outcome: Exclude<DeliveryOutcome, 'pending'>;
  comment?: string;
  /** The producer's new price per unit in cents; null takes a change back. */
  priceCents?: bigint | null;
  households?: DeliveredToHousehold[];
  /** The checker looked again at weights that seem far off and they are right. */
  confirmImplausible?: boolean;
}

interface LineState {
  household_id: string;
  quantity: number;
  allotted: number;
  delivered_items: number | null;
  weights: string[] | null;
  version: number;
  unit: string;
  estimate: boolean;
  amount_per_package: string;
  packages: number;
  price_cents: string;
  vat_basis_points: number;
  margin_basis_points: number | null;
}

async function linesOf(tx: Db, orderId: string, productId: string): Promise<LineState[]> {
  return queryRows<LineState>(
    tx,
    sql`SELECT l.household_id, l.quantity, coalesce(l.allotted, l.quantity) AS allotted, l.delivered_items, l.weights, l.version, v.unit, v.estimate,
          v.amount_per_package::text AS amount_per_package, v.packages, v.price_cents::text AS price_cents,
          v.vat_basis_points, v.margin_basis_points
        FROM coop_order_lines l
        JOIN coop_product_versions v ON v.product_id = l.product_id AND v.version = l.version
        WHERE l.order_id = ${orderId} AND l.product_id = ${productId}
        FOR UPDATE OF l`,
  );
}

/**
 * Who checks a producer's delivery: who speaks for the producer and, while the order is reopened
 * for a correction, the bookkeeper who reopened it.
 */
const checksDelivery = (order: Order, standing: OrderStanding, producerId: string): boolean =>
  speaksFor(standing, producerId) || (inCorrection(order) && standing.books);

/** The order's product and its producer's part, for a change to the delivery check. */
async function checkedProduct(tx: Db, order: Order, standing: OrderStanding, productId: string) {
  const [product] = isUuid(productId)
    ? await tx
        .select()
        .from(orderProducts)
        .where(and(eq(orderProducts.orderId, order.id), eq(orderProducts.productId, productId)))
        .for('update')
    : [];
  if (!product) throw coopErrors.error('product_not_in_order', 'nobody ordered that product in this order');
  requireRight(
    checksDelivery(order, standing, product.producerId),
    'only the producer’s liaison, an order manager or the Admin checks its delivery',
  );
  await requireUnconfirmed(tx, order.id, product.producerId);
  return product;
}

async function requireUnconfirmed(tx: Db, orderId: string, producerId: string) {
  const [part] = await tx
    .select()
    .from(orderProducers)
    .where(and(eq(orderProducers.orderId, orderId), eq(orderProducers.producerId, producerId)))
    .for('update');
  if (!part) throw notFound('producer', { id: producerId });
  if (part.deliveryConfirmedAt)
    throw coopErrors.error('delivery_confirmed', 'the delivery is confirmed: reopen it first');
  return part;
}

/**
 * Records what the delivery check found for one product: delivered (to each household as allotted,
 * or the amounts given: items, or each item's weight for goods sold by weight), not available, or
 * missing with a comment, and a changed price per unit. Every household whose bill this changes
 * gets a line in its trail: who, when, the estimate, what was weighed or delivered, the price.
 */
export async function recordDelivery(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  productId: string,
  input: DeliveryInput,
): Promise<void> {
  const userId = requireUser(actor);
  await deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'closed');
    const product = await checkedProduct(tx, order, standing, productId);
    const lines = await linesOf(tx, order.id, product.productId);
    const byHousehold = new Map(lines.map((line) => [line.household_id, line]));
    const comment = input.comment?.trim() ?? '';
    if (input.outcome === 'missing' && !comment) {
      throw new AppError('validation_failed', 'say what went wrong: a missing product needs a comment', {
        field: 'comment',
      });
    }
    const now = deps.clock.now();
    const changes: (typeof billChanges.$inferInsert)[] = [];
    const change = (line: LineState, fields: Partial<typeof billChanges.$inferInsert>) =>
      changes.push({
        id: newId(),
        orderId: order.id,
        householdId: line.household_id,
        productId: product.productId,
        kind: 'delivered',
        orderedItems: line.quantity,
        changedBy: userId,
        changedAt: now,
        comment,
        ...fields,
      });

    const given = input.households ?? [];
    if (input.outcome !== 'delivered' && given.length > 0) {
      throw new AppError('validation_failed', 'amounts per household go with a delivered product', {
        field: 'households',
      });
    }
    for (const amount of given) {
      const line = byHousehold.get(amount.householdId);
      if (!line) throw notFound('household', { id: amount.householdId });
      const estimate = line.estimate;
      if (amount.weights !== undefined) {
        if (!estimate)
          throw new AppError('validation_failed', 'weights are for goods sold by weight', {
            field: 'weights',
          });
        if (amount.weights.some((w) => w <= 0n))
          throw new AppError('validation_failed', 'a weight is more than 0', { field: 'weights' });
        const weighed = amount.weights.reduce((sum, w) => sum + w, 0n);
        const expected = BigInt(line.allotted) * itemQuantity(versionTermsOf(line));
        if (
          !input.confirmImplausible &&
          expected > 0n &&
          (weighed > expected * IMPLAUSIBLE_FACTOR || weighed * IMPLAUSIBLE_FACTOR < expected)
        ) {
          throw coopErrors.error(
            'implausible_weight',
            `${formatQuantity(weighed, line.unit)} is far from the ${formatQuantity(expected, line.unit)} expected: check it, then confirm`,
            { household_id: line.household_id, estimate: expected.toString(), weighed: weighed.toString() },
          );
        }
      }
      const items = amount.items ?? amount.weights?.length;
      if (items === undefined)
        throw new AppError('validation_failed', 'give the items or the weights delivered', {
          field: 'households',
        });
      const before = line.weights?.map(BigInt) ?? null;
      const sameWeights =
        (before === null && amount.weights === undefined) ||
        (before !== null && amount.weights !== undefined && before.join() === amount.weights.join());
      if ((line.delivered_items ?? line.allotted) === items && sameWeights) continue;
      await tx
        .update(orderLines)
        .set({
          deliveredItems: items,
          weights: amount.weights?.map(String) ?? null,
          updatedAt: now,
        })
        .where(
          and(
            eq(orderLines.orderId, order.id),
            eq(orderLines.householdId, line.household_id),
            eq(orderLines.productId, product.productId),
          ),
        );
      const expected = BigInt(line.allotted) * itemQuantity(versionTermsOf(line));
      change(line, {
        kind: amount.weights ? 'weighed' : 'delivered',
        items,
        estimateQuantity: expected,
        weighedQuantity: amount.weights
          ? amount.weights.reduce((s, w) => s + w, 0n)
          : BigInt(items) * itemQuantity(versionTermsOf(line)),
        priceBeforeCents: product.changedPriceCents ?? BigInt(line.price_cents),
      });
    }

    if (input.outcome !== product.outcome && input.outcome !== 'delivered') {
      for (const line of lines) change(line, { kind: input.outcome, items: 0 });
    }
    const price = input.priceCents === undefined ? product.changedPriceCents : input.priceCents;
    if (price !== null && price < 0n)
      throw new AppError('validation_failed', 'a price is never negative', { field: 'price' });
    if (price !== product.changedPriceCents) {
      for (const line of lines) {
        change(line, {
          kind: 'price_changed',
          priceBeforeCents: product.changedPriceCents ?? BigInt(line.price_cents),
          priceAfterCents: price ?? BigInt(line.price_cents),
        });
      }
    }
    await tx
      .update(orderProducts)
      .set({ outcome: input.outcome, comment, changedPriceCents: price, recordedBy: userId, recordedAt: now })
      .where(and(eq(orderProducts.orderId, order.id), eq(orderProducts.productId, product.productId)));
    await inSlices(changes, (slice) => tx.insert(billChanges).values(slice));
    const [name] = await queryRows<{ name: string }>(
      tx,
      sql`SELECT v.name FROM coop_products p JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
          WHERE p.id = ${product.productId}`,
    );
    await addEvent(
      tx,
      deps,
      order.id,
      userId,
      'delivery',
      `${name?.name ?? 'A product'}: ${input.outcome.replace('_', ' ')}${comment ? ` (${comment})` : ''}${price !== product.changedPriceCents ? ', price changed' : ''}`,
    );
  });
}

/** A product delivered that nobody ordered: the liaison says how many items came, and households take them. */
export async function addExtraProduct(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
  input: { productId: string; items: number; comment?: string },
): Promise<void> {
  const userId = requireUser(actor);
  await deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'closed');
    requireRight(
      checksDelivery(order, standing, producerId),
      'only the producer’s liaison, an order manager or the Admin adds to its delivery',
    );
    await requireUnconfirmed(tx, order.id, producerId);
    const [product] = isUuid(input.productId)
      ? await queryRows<{ id: string; name: string }>(
          tx,
          sql`SELECT p.id, v.name FROM coop_products p
              JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
              WHERE p.id = ${input.productId} AND p.producer_id = ${producerId}`,
        )
      : [];
    if (!product) throw notFound('product', { id: input.productId });
    const [inOrder] = await tx
      .select()
      .from(orderProducts)
      .where(and(eq(orderProducts.orderId, order.id), eq(orderProducts.productId, product.id)));
    if (inOrder && !inOrder.extra) {
      throw new AppError(
        'conflict',
        `${product.name} was ordered: record what came of it in its delivery check`,
      );
    }
    if (inOrder) {
      const [taken] = await queryRows<{ taken: number }>(
        tx,
        sql`SELECT coalesce(sum(delivered_items), 0)::int AS taken FROM coop_order_lines
            WHERE order_id = ${order.id} AND product_id = ${product.id}`,
      );
      if ((taken?.taken ?? 0) > input.items) {
        throw coopErrors.error('extra_taken_up', `households took ${taken!.taken} already`, { left: 0 });
      }
      await tx
        .update(orderProducts)
        .set({
          extraItems: input.items,
          comment: input.comment?.trim() ?? '',
          recordedBy: userId,
          recordedAt: deps.clock.now(),
        })
        .where(and(eq(orderProducts.orderId, order.id), eq(orderProducts.productId, product.id)));
    } else {
      await tx.insert(orderProducts).values({
        orderId: order.id,
        productId: product.id,
        producerId,
        orderedItems: 0,
        allottedItems: 0,
        outcome: 'delivered',
        comment: input.comment?.trim() ?? '',
        extra: true,
        extraItems: input.items,
        recordedBy: userId,
        recordedAt: deps.clock.now(),
      });
    }
    await addEvent(
      tx,
      deps,
      order.id,
      userId,
      'extra',
      `${input.items} × ${product.name} came that nobody ordered: households may take them`,
    );
  });
}

/** A member takes items of an extra product for their household (0 gives them back), while its delivery is checked. */
export async function takeExtraProduct(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  productId: string,
  input: { items: number },
): Promise<void> {
  const userId = requireUser(actor);
  await deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'closed');
    if (!standing.householdId) throw new AppError('forbidden', 'join a household to take products');
    const [product] = isUuid(productId)
      ? await tx
          .select()
          .from(orderProducts)
          .where(
            and(
              eq(orderProducts.orderId, order.id),
              eq(orderProducts.productId, productId),
              eq(orderProducts.extra, true),
            ),
          )
          .for('update')
      : [];
    if (!product)
      throw coopErrors.error('product_not_in_order', 'that product is not an extra of this order');
    await requireUnconfirmed(tx, order.id, product.producerId);
    const [others] = await queryRows<{ taken: number }>(
      tx,
      sql`SELECT coalesce(sum(delivered_items), 0)::int AS taken FROM coop_order_lines
          WHERE order_id = ${order.id} AND product_id = ${product.productId} AND household_id <> ${standing.householdId}`,
    );
    const left = product.extraItems - (others?.taken ?? 0);
    if (input.items > left) throw coopErrors.error('extra_taken_up', `only ${left} left`, { left });
    const [version] = await queryRows<{ current_version: number }>(
      tx,
      sql`SELECT current_version FROM coop_products WHERE id = ${product.productId}`,
    );
    const now = deps.clock.now();
    const key = and(
      eq(orderLines.orderId, order.id),
      eq(orderLines.householdId, standing.householdId),
      eq(orderLines.productId, product.productId),
    );
    const [line] = await tx.select().from(orderLines).where(key);
    if (line && line.quantity > 0)
      throw new AppError('conflict', 'your household ordered it: its delivery check counts it');
    if (input.items === 0) {
      if (line) await tx.delete(orderLines).where(key);
    } else if (line) {
      await tx.update(orderLines).set({ deliveredItems: input.items, updatedAt: now }).where(key);
    } else {
      await tx.insert(orderLines).values({
        orderId: order.id,
        householdId: standing.householdId,
        productId: product.productId,
        producerId: product.producerId,
        version: version!.current_version,
        quantity: 0,
        orderedBy: [userId],
        orderedAt: now,
        allotted: 0,
        deliveredItems: input.items,
        updatedAt: now,
      });
    }
    await tx.insert(billChanges).values({
      id: newId(),
      orderId: order.id,
      householdId: standing.householdId,
      productId: product.productId,
      kind: 'extra_taken',
      orderedItems: 0,
      items: input.items,
      changedBy: userId,
      changedAt: now,
    });
  });
}

/**
 * The liaison confirms the producer's delivery: what was not checked came as allotted. The club
 * now knows what it owes the producer. Once every producer's delivery is confirmed, the order is
 * processed: bills are made and households told their food is ready.
 */
export async function confirmDelivery(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
): Promise<Order> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'closed');
    requireRight(
      checksDelivery(order, standing, producerId),
      'only the producer’s liaison, an order manager or the Admin confirms its delivery',
    );
    const part = await requireUnconfirmed(tx, order.id, producerId);
    if (part.answer !== 'available') throw notFound('producer', { id: producerId });
    await tx.execute(sql`
      UPDATE coop_order_products SET outcome = 'delivered' WHERE order_id = ${order.id} AND producer_id = ${producerId} AND outcome = 'pending'`);
    const expected = await expectedInvoice(tx, order.id, producerId);
    const now = deps.clock.now();
    await tx
      .update(orderProducers)
      .set({ deliveryConfirmedAt: now, deliveryConfirmedBy: userId, expectedInvoiceCents: expected })
      .where(and(eq(orderProducers.orderId, order.id), eq(orderProducers.producerId, producerId)));
    const [producer] = await queryRows<{ name: string; liaison_user_id: string }>(
      tx,
      sql`SELECT name, liaison_user_id FROM coop_producers WHERE id = ${producerId}`,
    );
    await addEvent(tx, deps, order.id, userId, 'delivery_confirmed', `${producer!.name}: delivery confirmed`);
    if (expected > 0n) {
      const people = new Set([
        producer!.liaison_user_id,
        ...(await peopleWith(deps, tx, order.clubId, CLUB_PERMISSIONS.books)),
      ]);
      await notifyAll(
        tx,
        coopNotifier(deps),
        [...people].map((person) => ({
          userId: person,
          type: COOP_NOTIFICATIONS.invoiceDue,
          title: `Order ${order.number}: ${producer!.name}’s invoice`,
          body: `The delivery is confirmed. Upload ${producer!.name}’s invoice for order ${order.number}.`,
          link: orderLink(order),
          dedupeKey: `invoice_due:${order.id}:${producerId}`,
        })),
      );
    }
    const [waiting] = await queryRows<{ count: number }>(
      tx,
      sql`SELECT count(*)::int AS count FROM coop_order_producers
          WHERE order_id = ${order.id} AND answer = 'available' AND delivery_confirmed_at IS NULL`,
    );
    if (waiting?.count === 0) {
      if (inCorrection(order)) await billCorrection(deps, tx, actor, order);
      else await processOrder(deps, tx, order);
    }
    return findOrder(tx, order.id);
  });
}

/** The liaison takes a confirmation back to correct the check, while the order is not processed. */
export async function reopenDelivery(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
): Promise<Order> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'closed');
    requireRight(
      checksDelivery(order, standing, producerId),
      'only the producer’s liaison, an order manager or the Admin reopens its delivery',
    );
    await tx
      .update(orderProducers)
      .set({ deliveryConfirmedAt: null, deliveryConfirmedBy: null, expectedInvoiceCents: null })
      .where(and(eq(orderProducers.orderId, order.id), eq(orderProducers.producerId, producerId)));
    await addEvent(tx, deps, order.id, userId, 'delivery_reopened', 'Delivery check reopened');
    return findOrder(tx, order.id);
  });
}

/** What the producer invoices for what it delivered (`producer-invoices.ts`), in all. */
async function expectedInvoice(tx: Db, orderId: string, producerId: string): Promise<bigint> {
  const lines = await producerInvoiceLines(tx, [{ orderId, producerId }]);
  return billTotals(lines.get(producerInvoiceKey({ orderId, producerId })) ?? []).totalCents;
}
