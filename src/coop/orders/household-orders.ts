import { and, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { creditorReference } from '../../core/banking/creditor-reference';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid } from '../../core/ids';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { type BillTotals, billTotals, memberUnitPrice, type PricedLine, priceLine } from '../pricing';
import {
  type BadPaymentReason,
  type BillChangeKind,
  type DeliveryOutcome,
  householdOrders,
  orderLines,
  orders as orderTable,
  type PackagingUnit,
  type PaymentState,
} from '../schema';
import { findOrder, type Order, type OrderStanding, orderStanding, requireStatus } from './access';
import { itemQuantity, termsOf, type VersionTerms, versionTermsOf } from './bill-lines';

/** A product as a household's order page offers it: its current version and prices. */
export interface CatalogueProduct extends VersionTerms {
  productId: string;
  producerId: string;
  producerName: string;
  version: number;
  name: string;
  code: string;
  description: string;
  categories: string[];
  unit: PackagingUnit;
  maximumAvailable: number | null;
  origin: string | null;
  /** What a member pays for one unit (a kg, a piece), VAT included. */
  unitPriceCents: bigint;
  /** What a member pays for one item (`packages` × `amount_per_package`), VAT included. */
  itemPriceCents: bigint;
  /** Items the club's households ordered so far, for a product with a maximum (0 for the others). */
  orderedItems: number;
}

interface CatalogueRow {
  product_id: string;
  producer_id: string;
  producer_name: string;
  version: number;
  name: string;
  code: string;
  description: string;
  categories: string[];
  unit: PackagingUnit;
  amount_per_package: string;
  packages: number;
  estimate: boolean;
  maximum_available: number | null;
  price_cents: string;
  vat_basis_points: number;
  margin_basis_points: number | null;
  origin: string | null;
  ordered: number | null;
}

/** Fields set one by one: spreading `terms` here made the 5,000-product catalogue many times slower. */
const toCatalogueProduct = (row: CatalogueRow): CatalogueProduct => {
  const terms = versionTermsOf(row);
  const member = termsOf(terms, null, true);
  return {
    priceCents: terms.priceCents,
    vatBasisPoints: terms.vatBasisPoints,
    marginBasisPoints: terms.marginBasisPoints,
    amountPerPackage: terms.amountPerPackage,
    packages: terms.packages,
    estimate: terms.estimate,
    productId: row.product_id,
    producerId: row.producer_id,
    producerName: row.producer_name,
    version: row.version,
    name: row.name,
    code: row.code,
    description: row.description,
    categories: row.categories,
    unit: row.unit,
    maximumAvailable: row.maximum_available,
    origin: row.origin,
    unitPriceCents: memberUnitPrice(member),
    itemPriceCents: priceLine(member, itemQuantity(terms)).totalCents,
    orderedItems: row.ordered ?? 0,
  };
};

/** The products on offer in an order: the available producers' products as they are now. One query. */
async function catalogueRows(db: Db, orderId: string, productId?: string): Promise<CatalogueProduct[]> {
  const rows = await queryRows<CatalogueRow>(
    db,
    sql`SELECT p.id AS product_id, p.producer_id, pr.name AS producer_name, v.version, v.name, v.code,
          v.description, v.categories, v.unit, v.amount_per_package::text AS amount_per_package, v.packages,
          v.estimate, v.maximum_available, v.price_cents::text AS price_cents, v.vat_basis_points,
          v.margin_basis_points, v.origin, o.ordered
        FROM coop_order_producers a
        JOIN coop_producers pr ON pr.id = a.producer_id
        JOIN coop_products p ON p.producer_id = a.producer_id AND p.archived_at IS NULL
        JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
        -- What the club ordered so far matters where there is a most to be had: only those are summed.
        LEFT JOIN (SELECT l.product_id, sum(l.quantity)::int AS ordered FROM coop_order_lines l
                   JOIN coop_products lp ON lp.id = l.product_id
                   JOIN coop_product_versions lv ON lv.product_id = lp.id AND lv.version = lp.current_version
                   WHERE l.order_id = ${orderId} AND lv.maximum_available IS NOT NULL
                   GROUP BY l.product_id) o ON o.product_id = p.id
        WHERE a.order_id = ${orderId} AND a.answer = 'available'
          ${productId ? sql`AND p.id = ${productId}` : sql``}
        ORDER BY lower(pr.name), lower(v.name)`,
  );
  return rows.map(toCatalogueProduct);
}

/** What households may order in an order (club members). */
export async function orderCatalogue(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
): Promise<CatalogueProduct[]> {
  const order = await findOrder(deps.db, orderId);
  await orderStanding(deps, deps.db, actor, order.clubId, 'read', { kind: 'order', id: orderId });
  return catalogueRows(deps.db, order.id);
}

/** Whose household's order the caller reads or changes: their own, or any, for whoever manages households. */
async function householdFor(
  db: Db,
  order: Order,
  standing: OrderStanding,
  householdId: string | undefined,
): Promise<{ id: string; name: string }> {
  const id = householdId ?? standing.householdId;
  if (!id) {
    throw new AppError('validation_failed', 'you are in no household of this club: join one to order', {
      field: 'household_id',
    });
  }
  const [household] = isUuid(id)
    ? await queryRows<{ id: string; name: string; club_id: string }>(
        db,
        sql`SELECT id, name, club_id FROM coop_households WHERE id = ${id}`,
      )
    : [];
  if (!household || household.club_id !== order.clubId) throw notFound('household', { id });
  if (
    household.id !== standing.householdId &&
    !standing.runsProducers &&
    !standing.manages &&
    !standing.books
  ) {
    throw new AppError('forbidden', 'only its members change or read a household’s order');
  }
  return { id: household.id, name: household.name };
}

/** A member sets how many items of a product their household orders (0 takes it off), at the version shown. */
export async function setOrderLine(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  productId: string,
  input: { quantity: number; version: number; householdId?: string },
): Promise<HouseholdOrderView> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const unlocked = await findOrder(tx, orderId);
    const standing = await orderStanding(deps, tx, actor, unlocked.clubId, 'read', {
      kind: 'order',
      id: orderId,
    });
    // Shared: households order side by side, and closing (which takes it exclusively) waits for them.
    const [order] = await tx.select().from(orderTable).where(eq(orderTable.id, orderId)).for('share');
    requireStatus(order!, 'open');
    const now = deps.clock.now();
    if (order!.deadline && order!.deadline.getTime() <= now.getTime())
      throw coopErrors.error('order_deadline_passed', 'the deadline passed: the order is closing');
    const household = await householdFor(tx, order!, standing, input.householdId);
    if (household.id !== standing.householdId && !standing.runsProducers) {
      throw new AppError('forbidden', 'only its members change a household’s order');
    }
    const [product] = isUuid(productId) ? await catalogueRows(tx, order!.id, productId) : [];
    if (!product)
      throw coopErrors.error('product_not_in_order', 'that product is not on offer in this order');
    if (input.version !== product.version) {
      const [next] = await queryRows<{ created_at: Date }>(
        tx,
        sql`SELECT created_at FROM coop_product_versions WHERE product_id = ${productId} AND version = ${input.version + 1}`,
      );
      // A version replaced while the order was open was on someone's screen: it is honoured as shown.
      const shownDuringOrder = next && order!.openedAt && new Date(next.created_at) >= order!.openedAt;
      if (!shownDuringOrder) {
        throw coopErrors.error('product_version_stale', `${product.name} changed: look at it again`, {
          current_version: product.version,
        });
      }
    }
    if (product.maximumAvailable !== null && input.quantity > product.maximumAvailable) {
      throw new AppError(
        'validation_failed',
        `at most ${product.maximumAvailable} of ${product.name} can be had this time`,
        { field: 'quantity', maximum: product.maximumAvailable },
      );
    }
    const [current] = await tx
      .select()
      .from(orderLines)
      .where(
        and(
          eq(orderLines.orderId, order!.id),
          eq(orderLines.householdId, household.id),
          eq(orderLines.productId, product.productId),
        ),
      )
      .for('update');
    if (input.quantity === 0) {
      if (current) {
        await tx
          .delete(orderLines)
          .where(
            and(
              eq(orderLines.orderId, order!.id),
              eq(orderLines.householdId, household.id),
              eq(orderLines.productId, product.productId),
            ),
          );
      }
    } else if (current) {
      await tx
        .update(orderLines)
        .set({
          quantity: input.quantity,
          version: input.version,
          orderedBy: current.orderedBy.includes(userId) ? current.orderedBy : [...current.orderedBy, userId],
          // Asking for more joins the queue again for what is added; asking for less keeps the place.
          orderedAt: input.quantity > current.quantity ? now : current.orderedAt,
          updatedAt: now,
        })
        .where(
          and(
            eq(orderLines.orderId, order!.id),
            eq(orderLines.householdId, household.id),
            eq(orderLines.productId, product.productId),
          ),
        );
    } else {
      await tx.insert(orderLines).values({
        orderId: order!.id,
        householdId: household.id,
        productId: product.productId,
        producerId: product.producerId,
        version: input.version,
        quantity: input.quantity,
        orderedBy: [userId],
        orderedAt: now,
        updatedAt: now,
      });
    }
    await tx
      .insert(householdOrders)
      .values({
        orderId: order!.id,
        householdId: household.id,
        createdAt: now,
        updatedAt: now,
        updatedBy: userId,
      })
      .onConflictDoUpdate({
        target: [householdOrders.orderId, householdOrders.householdId],
        set: { updatedAt: now, updatedBy: userId },
      });
    return householdOrderView(tx, order!, household, now);
  });
}

export interface OrderLineView {
  productId: string;
  producerId: string;
  producerName: string;
  name: string;
  unit: PackagingUnit;
  estimate: boolean;
  version: number;
  quantity: number;
  orderedBy: { userId: string; name: string; initials: string }[];
  orderedAt: Date;
  /** What it costs as ordered, at the version's prices (an estimate for goods sold by weight). */
  ordered: PricedLine;
  unitPriceCents: bigint;
  allotted: number | null;
  outcome: DeliveryOutcome | null;
  comment: string;
  changedPriceCents: bigint | null;
  deliveredItems: number | null;
  weights: bigint[] | null;
  /** The bill's line, once the order is processed. */
  billed: { netCents: bigint; vatCents: bigint; totalCents: bigint } | null;
}

export interface BillChangeView {
  productId: string;
  productName: string;
  kind: BillChangeKind;
  orderedItems: number;
  items: number | null;
  estimateQuantity: bigint | null;
  weighedQuantity: bigint | null;
  priceBeforeCents: bigint | null;
  priceAfterCents: bigint | null;
  comment: string;
  changedBy: { userId: string; name: string } | null;
  changedAt: Date;
}

export interface BillView {
  netCents: bigint;
  vatCents: bigint;
  totalCents: bigint;
  byVatRate: { vatBasisPoints: bigint; netCents: bigint; vatCents: bigint }[];
  receivedCents: bigint;
  paymentState: PaymentState;
  badReason: BadPaymentReason | null;
  badText: string | null;
  fixNote: string | null;
  fixedAt: Date | null;
  paidAt: Date | null;
  /** The payment reference to quote with the transfer. */
  reference: string;
}

export interface HouseholdOrderView {
  orderId: string;
  orderNumber: number;
  status: Order['status'];
  householdId: string;
  householdName: string;
  /** Whether it may still change: the order is open and its deadline has not passed. */
  editable: boolean;
  lines: OrderLineView[];
  /** What it ordered comes to, at the prices shown (an estimate for goods sold by weight). */
  orderedTotals: BillTotals;
  bill: BillView | null;
  changes: BillChangeView[];
}

export const initialsOf = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join('') || '?';

interface LineRow {
  product_id: string;
  producer_id: string;
  producer_name: string;
  name: string;
  unit: PackagingUnit;
  estimate: boolean;
  version: number;
  quantity: number;
  ordered_by: string[];
  ordered_at: Date | string;
  amount_per_package: string;
  packages: number;
  price_cents: string;
  vat_basis_points: number;
  margin_basis_points: number | null;
  allotted: number | null;
  outcome: DeliveryOutcome | null;
  comment: string | null;
  changed_price_cents: string | null;
  delivered_items: number | null;
  weights: string[] | null;
  net_cents: string | null;
  vat_cents: string | null;
  total_cents: string | null;
}

const big = (value: string | null): bigint | null => (value === null ? null : BigInt(value));

/** A household's order in an order: its lines, what they cost, its bill and the trail of changes. */
export async function householdOrderView(
  db: Db,
  order: Order,
  household: { id: string; name: string },
  now: Date,
): Promise<HouseholdOrderView> {
  const rows = await queryRows<LineRow>(
    db,
    sql`SELECT l.product_id, l.producer_id, pr.name AS producer_name, v.name, v.unit, v.estimate, l.version,
          l.quantity, l.ordered_by, l.ordered_at, v.amount_per_package::text AS amount_per_package, v.packages,
          v.price_cents::text AS price_cents, v.vat_basis_points, v.margin_basis_points, l.allotted,
          op.outcome, op.comment, op.changed_price_cents::text AS changed_price_cents, l.delivered_items,
          l.weights, l.net_cents::text AS net_cents, l.vat_cents::text AS vat_cents, l.total_cents::text AS total_cents
        FROM coop_order_lines l
        JOIN coop_product_versions v ON v.product_id = l.product_id AND v.version = l.version
        JOIN coop_producers pr ON pr.id = l.producer_id
        LEFT JOIN coop_order_products op ON op.order_id = l.order_id AND op.product_id = l.product_id
        WHERE l.order_id = ${order.id} AND l.household_id = ${household.id}
        ORDER BY lower(pr.name), lower(v.name)`,
  );
  const people = new Map(
    (
      await queryRows<{ id: string; name: string }>(
        db,
        sql`SELECT id, name FROM core_users WHERE id = ANY(${sql.param([...new Set(rows.flatMap((r) => r.ordered_by))])}::uuid[])`,
      )
    ).map((p) => [p.id, p.name]),
  );
  const lines = rows.map((row): OrderLineView => {
    const terms = versionTermsOf(row);
    const member = termsOf(terms, null, true);
    return {
      productId: row.product_id,
      producerId: row.producer_id,
      producerName: row.producer_name,
      name: row.name,
      unit: row.unit,
      estimate: row.estimate,
      version: row.version,
      quantity: row.quantity,
      orderedBy: row.ordered_by.map((userId) => {
        const name = people.get(userId) ?? '';
        return { userId, name, initials: initialsOf(name) };
      }),
      orderedAt: new Date(row.ordered_at),
      ordered: priceLine(member, BigInt(row.quantity) * itemQuantity(terms)),
      unitPriceCents: memberUnitPrice(member),
      allotted:
        order.status === 'preparing' || order.status === 'open' ? null : (row.allotted ?? row.quantity),
      outcome: row.outcome,
      comment: row.comment ?? '',
      changedPriceCents: big(row.changed_price_cents),
      deliveredItems: row.delivered_items,
      weights: row.weights?.map((w) => BigInt(w)) ?? null,
      billed:
        row.total_cents === null
          ? null
          : {
              netCents: BigInt(row.net_cents!),
              vatCents: BigInt(row.vat_cents!),
              totalCents: BigInt(row.total_cents),
            },
    };
  });
  return {
    orderId: order.id,
    orderNumber: order.number,
    status: order.status,
    householdId: household.id,
    householdName: household.name,
    editable: order.status === 'open' && order.deadline !== null && order.deadline > now,
    lines,
    orderedTotals: billTotals(lines.map((line) => line.ordered)),
    bill: await billOf(db, order, household.id),
    changes: await billChangesOf(db, order.id, household.id),
  };
}

async function billOf(db: Db, order: Order, householdId: string): Promise<BillView | null> {
  const [row] = await queryRows<{
    net_cents: string;
    vat_cents: string;
    total_cents: string;
    by_vat_rate: { vat_basis_points: string; net_cents: string; vat_cents: string }[];
    received_cents: string;
    payment_state: PaymentState;
    bad_reason: BadPaymentReason | null;
    bad_text: string | null;
    fix_note: string | null;
    fixed_at: string | null;
    paid_at: string | null;
  }>(
    db,
    sql`SELECT net_cents::text, vat_cents::text, total_cents::text, by_vat_rate, received_cents::text, payment_state,
          bad_reason, bad_text, fix_note, fixed_at, paid_at
        FROM coop_bills WHERE order_id = ${order.id} AND household_id = ${householdId}`,
  );
  if (!row) return null;
  return {
    netCents: BigInt(row.net_cents),
    vatCents: BigInt(row.vat_cents),
    totalCents: BigInt(row.total_cents),
    byVatRate: row.by_vat_rate.map((rate) => ({
      vatBasisPoints: BigInt(rate.vat_basis_points),
      netCents: BigInt(rate.net_cents),
      vatCents: BigInt(rate.vat_cents),
    })),
    receivedCents: BigInt(row.received_cents),
    paymentState: row.payment_state,
    badReason: row.bad_reason,
    badText: row.bad_text,
    fixNote: row.fix_note,
    fixedAt: row.fixed_at ? new Date(row.fixed_at) : null,
    paidAt: row.paid_at ? new Date(row.paid_at) : null,
    reference: paymentReference(order, householdId),
  };
}

/**
 * What a household quotes with its transfer, so the bank statement finds its bill: a structured
 * creditor reference (ISO 11649) of the order's number and the household, whose check digits the
 * payer's bank verifies as it is typed.
 */
export const paymentReference = (order: Pick<Order, 'number'>, householdId: string): string => {
  // The id's random end, not its start: a UUIDv7 starts with the moment it was made, which households
  // made together share. As many characters as the reference's 21 leave after the order's number.
  const room = Math.min(14, 21 - String(order.number).length - 1);
  return creditorReference(`${order.number}H${householdId.replaceAll('-', '').slice(-room)}`);
};

async function billChangesOf(db: Db, orderId: string, householdId: string): Promise<BillChangeView[]> {
  const rows = await queryRows<{
    product_id: string;
    product_name: string;
    kind: BillChangeKind;
    ordered_items: number;
    items: number | null;
    estimate_quantity: string | null;
    weighed_quantity: string | null;
    price_before_cents: string | null;
    price_after_cents: string | null;
    comment: string;
    changed_by: string | null;
    changed_by_name: string | null;
    changed_at: string | Date;
  }>(
    db,
    sql`SELECT c.product_id, v.name AS product_name, c.kind, c.ordered_items, c.items,
          c.estimate_quantity::text, c.weighed_quantity::text, c.price_before_cents::text, c.price_after_cents::text,
          c.comment, c.changed_by, u.name AS changed_by_name, c.changed_at
        FROM coop_bill_changes c
        JOIN coop_products p ON p.id = c.product_id
        JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
        LEFT JOIN core_users u ON u.id = c.changed_by
        WHERE c.order_id = ${orderId} AND c.household_id = ${householdId}
        ORDER BY c.changed_at, c.id`,
  );
  return rows.map((row) => ({
    productId: row.product_id,
    productName: row.product_name,
    kind: row.kind,
    orderedItems: row.ordered_items,
    items: row.items,
    estimateQuantity: big(row.estimate_quantity),
    weighedQuantity: big(row.weighed_quantity),
    priceBeforeCents: big(row.price_before_cents),
    priceAfterCents: big(row.price_after_cents),
    comment: row.comment,
    changedBy: row.changed_by ? { userId: row.changed_by, name: row.changed_by_name ?? '' } : null,
    changedAt: new Date(row.changed_at),
  }));
}

/** A household's order in an order, for its members (and the club's Admin, order managers and bookkeeper). */
export async function getHouseholdOrder(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  householdId?: string,
): Promise<HouseholdOrderView> {
  const order = await findOrder(deps.db, orderId);
  const standing = await orderStanding(deps, deps.db, actor, order.clubId, 'read', {
    kind: 'order',
    id: orderId,
  });
  const household = await householdFor(deps.db, order, standing, householdId);
  return householdOrderView(deps.db, order, household, deps.clock.now());
}
