import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, inSlices, queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { notifyAll } from '../../core/notifications/service';
import type { CoopDeps } from '../deps';
import { COOP_NOTIFICATIONS, coopNotifier } from '../notifications';
import { billChanges, orderProducers, orderProducts, orders } from '../schema';
import {
  addEvent,
  findOrder,
  householdPeople,
  type Order,
  orderFor,
  orderLink,
  requireRight,
} from './access';
import { allot, allotmentReason, type Claim } from './allocation';
import { clubAllocationRule } from './service';
import { orderMachine } from './state';

export const ORDER_SHEETS_JOB = 'coop.order_sheets';

interface ProductTotal {
  product_id: string;
  producer_id: string;
  name: string;
  ordered: number;
  maximum_available: number | null;
}

/** An order manager closes the order before its deadline. */
export async function closeOrder(deps: CoopDeps, actor: Actor, orderId: string): Promise<Order> {
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.manages, 'only an order manager or the Admin closes orders');
    await closeIn(deps, tx, order, actor);
    return findOrder(tx, order.id);
  });
}

/** The deadline's job: closes the order if it is still open and its deadline (which may have moved) has passed. */
export async function closeAtDeadline(deps: CoopDeps, tx: Db, orderId: string): Promise<boolean> {
  const order = await findOrder(tx, orderId, true);
  if (order.status !== 'open' || !order.deadline || order.deadline > deps.clock.now()) return false;
  await closeIn(deps, tx, order, null);
  return true;
}

/**
 * Closes an open order under its lock: every household order is fixed, what ran short is shared by
 * the club's rule (and each household told what it gets and why), the products' totals are written
 * for the delivery check, and the producers' order sheets are queued to their liaisons. An order
 * nobody ordered in is finished at once.
 */
async function closeIn(deps: CoopDeps, tx: Db, order: Order, actor: Actor | null): Promise<void> {
  orderMachine.move(order.status, 'closed');
  const now = deps.clock.now();
  const rule = await clubAllocationRule(tx, order.clubId);
  const totals = await queryRows<ProductTotal>(
    tx,
    sql`SELECT l.product_id, l.producer_id, v.name, sum(l.quantity)::int AS ordered, v.maximum_available
        FROM coop_order_lines l
        JOIN coop_products p ON p.id = l.product_id
        JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
        WHERE l.order_id = ${order.id}
        GROUP BY l.product_id, l.producer_id, v.name, v.maximum_available`,
  );
  const short = totals.filter((t) => t.maximum_available !== null && t.ordered > t.maximum_available);
  const cuts = await shareShortProducts(tx, order, short, rule);
  if (cuts.length > 0) {
    await tx.execute(sql`
      UPDATE coop_order_lines l SET allotted = c.allotted
      FROM unnest(${sql.param(cuts.map((c) => c.householdId))}::uuid[], ${sql.param(cuts.map((c) => c.productId))}::uuid[],
                  ${sql.param(cuts.map((c) => c.allotted))}::int[]) AS c(household_id, product_id, allotted)
      WHERE l.order_id = ${order.id} AND l.household_id = c.household_id AND l.product_id = c.product_id`);
    await inSlices(
      cuts.map((cut) => ({
        id: newId(),
        orderId: order.id,
        householdId: cut.householdId,
        productId: cut.productId,
        kind: 'allotted' as const,
        orderedItems: cut.ordered,
        items: cut.allotted,
        comment: cut.why,
        changedBy: null,
        changedAt: now,
      })),
      (slice) => tx.insert(billChanges).values(slice),
    );
    await tellShortHouseholds(deps, tx, order, cuts);
  }
  if (totals.length > 0) {
    await inSlices(
      totals.map((t) => ({
        orderId: order.id,
        productId: t.product_id,
        producerId: t.producer_id,
        orderedItems: t.ordered,
        allottedItems: t.maximum_available === null ? t.ordered : Math.min(t.ordered, t.maximum_available),
        maximumAvailable: t.maximum_available,
      })),
      (slice) => tx.insert(orderProducts).values(slice),
    );
  }
  // A producer nobody ordered from has nothing to deliver: its check is done.
  const delivering = new Set(totals.map((t) => t.producer_id));
  const available = await tx
    .select({ producerId: orderProducers.producerId })
    .from(orderProducers)
    .where(
      and(
        eq(orderProducers.orderId, order.id),
        eq(orderProducers.answer, 'available'),
        isNull(orderProducers.deliveryConfirmedAt),
      ),
    );
  for (const { producerId } of available) {
    if (delivering.has(producerId)) continue;
    await tx
      .update(orderProducers)
      .set({ deliveryConfirmedAt: now, expectedInvoiceCents: 0n })
      .where(and(eq(orderProducers.orderId, order.id), eq(orderProducers.producerId, producerId)));
  }
  const status = totals.length === 0 ? orderMachine.move('closed', 'finished') : 'closed';
  await tx
    .update(orders)
    .set({
      status,
      closedAt: now,
      closedBy: actor?.userId ?? null,
      allocationRule: rule,
      finishedAt: status === 'finished' ? now : null,
      updatedAt: now,
    })
    .where(eq(orders.id, order.id));
  await addEvent(
    tx,
    deps,
    order.id,
    actor?.userId ?? null,
    'closed',
    actor ? 'Closed' : 'Closed at the deadline',
  );
  if (status === 'finished') {
    await addEvent(tx, deps, order.id, null, 'finished', 'Finished: no household ordered anything');
  } else {
    await deps.jobs.enqueue(
      tx,
      ORDER_SHEETS_JOB,
      { orderId: order.id },
      { uniqueKey: `${ORDER_SHEETS_JOB}:${order.id}` },
    );
  }
  if (actor) {
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.order.close',
      objectType: 'coop_order',
      objectId: order.id,
      organizationId: order.clubId,
    });
  }
}

interface Cut {
  householdId: string;
  productId: string;
  productName: string;
  ordered: number;
  allotted: number;
  why: string;
}

/** What each household gets of the products that ran short, by the club's rule: only those who get less. */
async function shareShortProducts(
  tx: Db,
  order: Order,
  short: readonly ProductTotal[],
  rule: Parameters<typeof allot>[0],
): Promise<Cut[]> {
  if (short.length === 0) return [];
  const ids = short.map((t) => t.product_id);
  const claims = await queryRows<{
    household_id: string;
    product_id: string;
    quantity: number;
    ordered_at: string | Date;
  }>(
    tx,
    sql`SELECT household_id, product_id, quantity, ordered_at FROM coop_order_lines
        WHERE order_id = ${order.id} AND product_id = ANY(${sql.param(ids)}::uuid[]) AND quantity > 0`,
  );
  const lastShort = await queryRows<{ household_id: string; product_id: string; at: string | Date }>(
    tx,
    sql`SELECT c.household_id, c.product_id, max(c.changed_at) AS at FROM coop_bill_changes c
        WHERE c.kind = 'allotted' AND c.product_id = ANY(${sql.param(ids)}::uuid[]) AND c.order_id <> ${order.id}
          AND c.items < c.ordered_items
        GROUP BY c.household_id, c.product_id`,
  );
  const lastShortAt = new Map(lastShort.map((r) => [`${r.household_id}|${r.product_id}`, new Date(r.at)]));
  const cuts: Cut[] = [];
  for (const total of short) {
    const mine: Claim[] = claims
      .filter((c) => c.product_id === total.product_id)
      .map((c) => ({
        householdId: c.household_id,
        quantity: c.quantity,
        orderedAt: new Date(c.ordered_at),
        lastShortAt: lastShortAt.get(`${c.household_id}|${c.product_id}`) ?? null,
      }));
    const shares = allot(rule, total.maximum_available!, mine);
    for (const claim of mine) {
      const allotted = shares.get(claim.householdId) ?? 0;
      if (allotted >= claim.quantity) continue;
      cuts.push({
        householdId: claim.householdId,
        productId: total.product_id,
        productName: total.name,
        ordered: claim.quantity,
        allotted,
        why: `${total.maximum_available} available for ${total.ordered} ordered: ${allotmentReason(rule)}`,
      });
    }
  }
  return cuts;
}

async function tellShortHouseholds(
  deps: CoopDeps,
  tx: Db,
  order: Order,
  cuts: readonly Cut[],
): Promise<void> {
  const byHousehold = new Map<string, Cut[]>();
  for (const cut of cuts)
    byHousehold.set(cut.householdId, [...(byHousehold.get(cut.householdId) ?? []), cut]);
  const people = await householdPeople(tx, order.clubId);
  await notifyAll(
    tx,
    coopNotifier(deps),
    people
      .filter((person) => byHousehold.has(person.householdId))
      .map((person) => {
        const mine = byHousehold.get(person.householdId)!;
        return {
          userId: person.userId,
          type: COOP_NOTIFICATIONS.orderShort,
          title: `Order ${order.number}: ${mine.length === 1 ? `${mine[0]!.productName} ran short` : `${mine.length} products ran short`}`,
          body: mine
            .map(
              (cut) =>
                `${cut.productName}: you get ${cut.allotted} of the ${cut.ordered} you ordered (${cut.why}).`,
            )
            .join('\n'),
          link: orderLink(order),
          dedupeKey: `order_short:${order.id}`,
        };
      }),
  );
}
