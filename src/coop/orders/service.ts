import { and, desc, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { notifyAll } from '../../core/notifications/service';
import { CLUB_PERMISSIONS } from '../clubs/kind';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { COOP_NOTIFICATIONS, coopNotifier } from '../notifications';
import { findProducer } from '../producers/service';
import { type AllocationRule, clubOrderSettings, type OrderStatus, orderProducers, orders } from '../schema';
import {
  addEvent,
  findOrder,
  householdPeople,
  type Order,
  orderFor,
  orderLink,
  orderStanding,
  peopleWith,
  requireRight,
  requireStatus,
  speaksFor,
} from './access';
import { orderMachine } from './state';

export const CLOSE_ORDER_JOB = 'coop.close_order';
/** The shortest time an order stays open: a deadline in the past or in a minute is a slip. */
const MIN_OPEN_MS = 5 * 60 * 1000;

/** The club's order rules; pro rata until its Admin chooses another. */
export async function clubAllocationRule(db: Db, clubId: string): Promise<AllocationRule> {
  const [row] = await db.select().from(clubOrderSettings).where(eq(clubOrderSettings.clubId, clubId));
  return row?.allocationRule ?? 'pro_rata';
}

/** The Admin (or an order manager) chooses how a short product is shared. */
export async function setAllocationRule(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  rule: AllocationRule,
): Promise<AllocationRule> {
  return deps.db.transaction(async (tx) => {
    const standing = await orderStanding(deps, tx, actor, clubId, 'change', { kind: 'club', id: clubId });
    requireRight(standing.manages || standing.runsProducers, 'only an order manager or the Admin sets this');
    const now = deps.clock.now();
    await tx
      .insert(clubOrderSettings)
      .values({ clubId, allocationRule: rule, updatedAt: now })
      .onConflictDoUpdate({
        target: clubOrderSettings.clubId,
        set: { allocationRule: rule, updatedAt: now },
      });
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.club.allocation_rule',
      objectType: 'coop_club',
      objectId: clubId,
      organizationId: clubId,
      details: { rule },
    });
    return rule;
  });
}

/** An order manager starts an order: every producer's liaison is asked whether it can deliver. */
export async function createOrder(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  fields: { pickup?: string },
): Promise<Order> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    // The club's row is locked by the standing check: two managers never start two orders at once.
    const standing = await orderStanding(deps, tx, actor, clubId, 'change', { kind: 'club', id: clubId });
    requireRight(standing.manages, 'only an order manager or the Admin creates orders');
    const [running] = await queryRows<{ id: string; number: number }>(
      tx,
      sql`SELECT id, number FROM coop_orders WHERE club_id = ${clubId} AND status IN ('preparing', 'open')`,
    );
    if (running) {
      throw coopErrors.error('order_in_progress', `order ${running.number} is being prepared or open`, {
        order_id: running.id,
      });
    }
    const [last] = await queryRows<{ number: number | null }>(
      tx,
      sql`SELECT max(number) AS number FROM coop_orders WHERE club_id = ${clubId}`,
    );
    const now = deps.clock.now();
    const [order] = await tx
      .insert(orders)
      .values({
        id: newId(),
        clubId,
        number: (last?.number ?? 0) + 1,
        status: 'preparing',
        pickup: fields.pickup?.trim() ?? '',
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const producers = await queryRows<{ id: string; name: string; liaison_user_id: string }>(
      tx,
      sql`SELECT id, name, liaison_user_id FROM coop_producers WHERE club_id = ${clubId} ORDER BY lower(name)`,
    );
    await notifyAll(
      tx,
      coopNotifier(deps),
      producers.map((producer) => ({
        userId: producer.liaison_user_id,
        type: COOP_NOTIFICATIONS.orderPreparing,
        title: `Order ${order!.number}: can ${producer.name} deliver?`,
        body: `Say whether ${producer.name} can deliver for order ${order!.number}, and check its products are up to date.`,
        link: orderLink(order!),
        dedupeKey: `order_preparing:${order!.id}:${producer.id}`,
      })),
    );
    await addEvent(tx, deps, order!.id, userId, 'created', `Order ${order!.number} created`);
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.order.create',
      objectType: 'coop_order',
      objectId: order!.id,
      organizationId: clubId,
    });
    return order!;
  });
}

/** A liaison (or an order manager, or the Admin) says whether the producer can deliver for the order. */
export async function answerForProducer(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
  answer: { available: boolean; productsUpToDate: boolean; note?: string },
): Promise<Order> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'preparing');
    const producer = await findProducer(tx, producerId);
    if (producer.clubId !== order.clubId)
      throw new AppError('not_found', 'producer not found', { id: producerId });
    requireRight(
      speaksFor(standing, producer.id),
      'only the producer’s liaison, an order manager or the Admin answers',
    );
    if (answer.available) {
      if (!answer.productsUpToDate) {
        throw new AppError('validation_failed', 'confirm the producer’s products are up to date', {
          field: 'products_up_to_date',
        });
      }
      const [offer] = await queryRows<{ count: number }>(
        tx,
        sql`SELECT count(*)::int AS count FROM coop_products WHERE producer_id = ${producer.id} AND archived_at IS NULL`,
      );
      if (!offer?.count)
        throw coopErrors.error('producer_has_no_products', `${producer.name} has no product on offer`);
    }
    const now = deps.clock.now();
    const values = {
      answer: answer.available ? ('available' as const) : ('not_available' as const),
      note: answer.note?.trim() ?? '',
      answeredBy: userId,
      answeredAt: now,
    };
    await tx
      .insert(orderProducers)
      .values({ orderId: order.id, producerId: producer.id, ...values })
      .onConflictDoUpdate({ target: [orderProducers.orderId, orderProducers.producerId], set: values });
    await tx.update(orders).set({ updatedAt: now }).where(eq(orders.id, order.id));
    await addEvent(
      tx,
      deps,
      order.id,
      userId,
      'producer_answered',
      `${producer.name}: ${answer.available ? 'can deliver' : 'cannot deliver'}${values.note ? ` (${values.note})` : ''}`,
    );
    if ((await unansweredProducers(tx, order)).length === 0) {
      await notifyAll(
        tx,
        coopNotifier(deps),
        (await peopleWith(deps, tx, order.clubId, CLUB_PERMISSIONS.orders)).map((manager) => ({
          userId: manager,
          type: COOP_NOTIFICATIONS.orderAnswered,
          title: `Order ${order.number}: every producer answered`,
          body: 'Set a deadline and open the order for households.',
          link: orderLink(order),
          dedupeKey: `order_answered:${order.id}:${now.toISOString()}`,
        })),
      );
    }
    return findOrder(tx, order.id);
  });
}

/** The club's producers that have not answered for an order being prepared, by name. */
export async function unansweredProducers(db: Db, order: Order): Promise<{ id: string; name: string }[]> {
  return queryRows<{ id: string; name: string }>(
    db,
    sql`SELECT p.id, p.name FROM coop_producers p
        LEFT JOIN coop_order_producers a ON a.producer_id = p.id AND a.order_id = ${order.id}
        WHERE p.club_id = ${order.clubId} AND a.producer_id IS NULL ORDER BY lower(p.name)`,
  );
}

function checkedDeadline(deps: CoopDeps, deadline: Date): Date {
  if (deadline.getTime() < deps.clock.now().getTime() + MIN_OPEN_MS) {
    throw new AppError('validation_failed', 'the deadline must be at least five minutes from now', {
      field: 'deadline',
    });
  }
  return deadline;
}

async function scheduleClose(
  deps: CoopDeps,
  tx: Db,
  order: Pick<Order, 'id'>,
  deadline: Date,
): Promise<void> {
  await deps.jobs.enqueue(
    tx,
    CLOSE_ORDER_JOB,
    { orderId: order.id },
    { runAt: deadline, uniqueKey: `${CLOSE_ORDER_JOB}:${order.id}:${deadline.toISOString()}` },
  );
}

/** An order manager opens the order once every producer answered: households are told, and order until the deadline. */
export async function openOrder(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  fields: { deadline: Date; pickup?: string },
): Promise<Order> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.manages, 'only an order manager or the Admin opens orders');
    orderMachine.move(order.status, 'open');
    const deadline = checkedDeadline(deps, fields.deadline);
    const missing = await unansweredProducers(tx, order);
    if (missing.length > 0) {
      throw coopErrors.error(
        'producers_not_answered',
        `waiting for ${missing.map((p) => p.name).join(', ')} to answer`,
        { producers: missing },
      );
    }
    const available = await tx
      .select()
      .from(orderProducers)
      .where(and(eq(orderProducers.orderId, order.id), eq(orderProducers.answer, 'available')));
    if (available.length === 0) throw coopErrors.error('no_producer_available', 'no producer can deliver');
    const now = deps.clock.now();
    const [opened] = await tx
      .update(orders)
      .set({
        status: 'open',
        deadline,
        openedAt: now,
        updatedAt: now,
        ...(fields.pickup === undefined ? {} : { pickup: fields.pickup.trim() }),
      })
      .where(eq(orders.id, order.id))
      .returning();
    await scheduleClose(deps, tx, order, deadline);
    await notifyAll(
      tx,
      coopNotifier(deps),
      (await householdPeople(tx, order.clubId)).map((person) => ({
        userId: person.userId,
        type: COOP_NOTIFICATIONS.orderOpen,
        title: `Order ${order.number} is open until ${deadline.toUTCString()}`,
        body: `${available.length} producer${available.length === 1 ? '' : 's'} deliver this time. Your household’s order can change until the deadline.`,
        link: orderLink(order),
        dedupeKey: `order_open:${order.id}`,
      })),
    );
    await addEvent(tx, deps, order.id, userId, 'opened', `Opened until ${deadline.toISOString()}`);
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.order.open',
      objectType: 'coop_order',
      objectId: order.id,
      organizationId: order.clubId,
      details: { deadline: deadline.toISOString() },
    });
    return opened!;
  });
}

/** An order manager moves the deadline of an open order, or changes where food is picked up. */
export async function updateOrder(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  fields: { deadline?: Date; pickup?: string },
): Promise<Order> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.manages, 'only an order manager or the Admin changes orders');
    if (fields.deadline !== undefined) requireStatus(order, 'open');
    else requireStatus(order, 'preparing', 'open', 'closed', 'processed');
    const deadline = fields.deadline === undefined ? undefined : checkedDeadline(deps, fields.deadline);
    const [updated] = await tx
      .update(orders)
      .set({
        updatedAt: deps.clock.now(),
        ...(deadline ? { deadline } : {}),
        ...(fields.pickup === undefined ? {} : { pickup: fields.pickup.trim() }),
      })
      .where(eq(orders.id, order.id))
      .returning();
    if (deadline) {
      await scheduleClose(deps, tx, order, deadline);
      await addEvent(tx, deps, order.id, userId, 'deadline', `Deadline moved to ${deadline.toISOString()}`);
    }
    return updated!;
  });
}

export interface OrderSummary extends Order {
  producersAvailable: number;
  householdOrders: number;
  /** The caller's household's total so far (ordered, or billed once processed), in cents. */
  myTotalCents: bigint | null;
}

/** The club's orders, newest first (club members). */
export async function listOrders(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  filter: { status?: OrderStatus } = {},
): Promise<OrderSummary[]> {
  const standing = await orderStanding(deps, deps.db, actor, clubId, 'read', { kind: 'club', id: clubId });
  const rows = await deps.db
    .select()
    .from(orders)
    .where(and(eq(orders.clubId, clubId), filter.status ? eq(orders.status, filter.status) : undefined))
    .orderBy(desc(orders.number));
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const counts = await queryRows<{ order_id: string; producers: number; households: number }>(
    deps.db,
    sql`SELECT o.id AS order_id,
          (SELECT count(*)::int FROM coop_order_producers p WHERE p.order_id = o.id AND p.answer = 'available') AS producers,
          (SELECT count(*)::int FROM coop_household_orders h WHERE h.order_id = o.id) AS households
        FROM coop_orders o WHERE o.id = ANY(${sql.param(ids)}::uuid[])`,
  );
  const totals = standing.householdId
    ? await householdTotals(deps.db, ids, standing.householdId)
    : new Map<string, bigint>();
  const countOf = new Map(counts.map((row) => [row.order_id, row]));
  return rows.map((row) => ({
    ...row,
    producersAvailable: countOf.get(row.id)?.producers ?? 0,
    householdOrders: countOf.get(row.id)?.households ?? 0,
    myTotalCents: totals.get(row.id) ?? null,
  }));
}

/** A household's total per order: its bill once processed, else what it ordered at the prices shown. */
async function householdTotals(
  db: Db,
  orderIds: readonly string[],
  householdId: string,
): Promise<Map<string, bigint>> {
  const rows = await queryRows<{ order_id: string; total: string }>(
    db,
    sql`SELECT b.order_id, b.total_cents::text AS total FROM coop_bills b
        WHERE b.household_id = ${householdId} AND b.order_id = ANY(${sql.param([...orderIds])}::uuid[])`,
  );
  return new Map(rows.map((row) => [row.order_id, BigInt(row.total)]));
}

export const isOrderId = isUuid;
