import { sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import type { CoopDeps } from '../deps';
import type {
  BadPaymentReason,
  DeliveryOutcome,
  PackagingUnit,
  PaymentState,
  ProducerAnswer,
} from '../schema';
import { findOrder, type Order, type OrderStanding, orderStanding, speaksFor } from './access';
import { inCorrection } from './corrections';
import { type HouseholdOrderView, householdOrderView } from './household-orders';

export interface OrderProducerView {
  producerId: string;
  name: string;
  liaison: { userId: string; name: string };
  /** Null while it has not answered. */
  answer: ProducerAnswer | null;
  note: string;
  answeredAt: Date | null;
  deliveryConfirmedAt: Date | null;
  expectedInvoiceCents: bigint | null;
  invoice: { amountCents: bigint; uploadedAt: Date; paymentSentAt: Date | null; paidAt: Date | null } | null;
  /** The caller checks its delivery: its liaison, an order manager, the Admin; the bookkeeper in a correction. */
  mine: boolean;
}

export interface OrderProductView {
  productId: string;
  producerId: string;
  name: string;
  unit: PackagingUnit;
  estimate: boolean;
  orderedItems: number;
  allottedItems: number;
  maximumAvailable: number | null;
  outcome: DeliveryOutcome;
  comment: string;
  changedPriceCents: bigint | null;
  extra: boolean;
  extraItems: number;
  /** Items households took of an extra. */
  takenItems: number;
  households: {
    householdId: string;
    name: string;
    ordered: number;
    allotted: number | null;
    deliveredItems: number | null;
    weights: bigint[] | null;
  }[];
}

export interface OrderBillView {
  householdId: string;
  name: string;
  /** The creditor reference the household quotes with its payment. */
  reference: string;
  totalCents: bigint;
  receivedCents: bigint;
  paymentState: PaymentState;
  badReason: BadPaymentReason | null;
  badText: string | null;
  fixNote: string | null;
}

export interface OrderTask {
  kind:
    | 'answer_for_producer'
    | 'open_order'
    | 'close_order'
    | 'place_order'
    | 'check_delivery'
    | 'settle_correction'
    | 'upload_invoice'
    | 'pay_invoice'
    | 'check_payments'
    | 'pay_bill'
    | 'fix_payment';
  text: string;
  producerId?: string;
}

export interface OrderEventView {
  at: Date;
  kind: string;
  text: string;
  by: { userId: string; name: string } | null;
}

export interface OrderDetail extends Order {
  producers: OrderProducerView[];
  /** The producers that have not answered yet, while the order is prepared. */
  missingAnswers: { id: string; name: string }[];
  householdOrders: number;
  /** The closed order's products, with what each household got (for whoever checks deliveries). */
  products: OrderProductView[];
  /** Every household's bill, for the bookkeeper. */
  bills: OrderBillView[];
  myHousehold: HouseholdOrderView | null;
  mine: { manages: boolean; books: boolean; householdId: string | null };
  tasks: OrderTask[];
  activity: OrderEventView[];
}

/** An order as its detail page shows it, with the caller's tasks (club members). */
export async function getOrderDetail(deps: CoopDeps, actor: Actor, orderId: string): Promise<OrderDetail> {
  const order = await findOrder(deps.db, orderId);
  const standing = await orderStanding(deps, deps.db, actor, order.clubId, 'read', {
    kind: 'order',
    id: orderId,
  });
  const db = deps.db;
  const producers = await producersOf(db, order, standing);
  const [counts] = await queryRows<{ households: number }>(
    db,
    sql`SELECT count(*)::int AS households FROM coop_household_orders h
        WHERE h.order_id = ${order.id} AND EXISTS (SELECT 1 FROM coop_order_lines l WHERE l.order_id = h.order_id AND l.household_id = h.household_id)`,
  );
  const seesProducts =
    standing.manages || standing.runsProducers || standing.books || standing.liaisonOf.size > 0;
  const products =
    order.status === 'preparing' || order.status === 'open'
      ? []
      : await productsOf(db, order, standing, seesProducts);
  const bills = standing.books || standing.manages ? await billsOf(db, order) : [];
  let myHousehold: HouseholdOrderView | null = null;
  if (standing.householdId) {
    const [household] = await queryRows<{ id: string; name: string }>(
      db,
      sql`SELECT id, name FROM coop_households WHERE id = ${standing.householdId}`,
    );
    if (household) myHousehold = await householdOrderView(db, order, household, deps.clock.now());
  }
  const activity = await queryRows<{
    at: string | Date;
    kind: string;
    text: string;
    user_id: string | null;
    name: string | null;
  }>(
    db,
    sql`SELECT e.at, e.kind, e.text, e.user_id, u.name FROM coop_order_events e LEFT JOIN core_users u ON u.id = e.user_id
        WHERE e.order_id = ${order.id} ORDER BY e.at DESC, e.id DESC LIMIT 100`,
  );
  const missingAnswers =
    order.status === 'preparing'
      ? producers.filter((p) => p.answer === null).map((p) => ({ id: p.producerId, name: p.name }))
      : [];
  const detail: OrderDetail = {
    ...order,
    producers,
    missingAnswers,
    householdOrders: counts?.households ?? 0,
    products,
    bills,
    myHousehold,
    mine: { manages: standing.manages, books: standing.books, householdId: standing.householdId },
    tasks: [],
    activity: activity.map((e) => ({
      at: new Date(e.at),
      kind: e.kind,
      text: e.text,
      by: e.user_id ? { userId: e.user_id, name: e.name ?? '' } : null,
    })),
  };
  detail.tasks = tasksOf(detail, standing, deps.clock.now());
  return detail;
}

async function producersOf(db: Db, order: Order, standing: OrderStanding): Promise<OrderProducerView[]> {
  // While it is prepared every producer of the club is asked; afterwards the order keeps those that answered.
  const rows = await queryRows<{
    id: string;
    name: string;
    liaison_user_id: string;
    liaison_name: string | null;
    answer: ProducerAnswer | null;
    note: string | null;
    answered_at: string | null;
    delivery_confirmed_at: string | null;
    expected_invoice_cents: string | null;
    invoice_cents: string | null;
    invoice_uploaded_at: string | null;
    invoice_paid_at: string | null;
    payment_sent_at: string | null;
  }>(
    db,
    sql`SELECT p.id, p.name, p.liaison_user_id, u.name AS liaison_name, a.answer, a.note, a.answered_at,
          a.delivery_confirmed_at, a.expected_invoice_cents::text AS expected_invoice_cents,
          a.invoice_cents::text AS invoice_cents, a.invoice_uploaded_at, a.invoice_paid_at, a.payment_sent_at
        FROM coop_producers p
        LEFT JOIN coop_order_producers a ON a.producer_id = p.id AND a.order_id = ${order.id}
        LEFT JOIN core_users u ON u.id = p.liaison_user_id
        WHERE p.club_id = ${order.clubId} ${order.status === 'preparing' ? sql`` : sql`AND a.producer_id IS NOT NULL`}
        ORDER BY lower(p.name)`,
  );
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return rows.map((row) => ({
    producerId: row.id,
    name: row.name,
    liaison: { userId: row.liaison_user_id, name: row.liaison_name ?? '' },
    answer: row.answer,
    note: row.note ?? '',
    answeredAt: date(row.answered_at),
    deliveryConfirmedAt: date(row.delivery_confirmed_at),
    expectedInvoiceCents: row.expected_invoice_cents === null ? null : BigInt(row.expected_invoice_cents),
    invoice:
      row.invoice_cents === null
        ? null
        : {
            amountCents: BigInt(row.invoice_cents),
            uploadedAt: new Date(row.invoice_uploaded_at!),
            paymentSentAt: date(row.payment_sent_at),
            paidAt: date(row.invoice_paid_at),
          },
    mine: speaksFor(standing, row.id) || (inCorrection(order) && standing.books),
  }));
}

async function productsOf(
  db: Db,
  order: Order,
  standing: OrderStanding,
  seesAll: boolean,
): Promise<OrderProductView[]> {
  const products = await queryRows<{
    product_id: string;
    producer_id: string;
    name: string;
    unit: PackagingUnit;
    estimate: boolean;
    ordered_items: number;
    allotted_items: number;
    maximum_available: number | null;
    outcome: DeliveryOutcome;
    comment: string;
    changed_price_cents: string | null;
    extra: boolean;
    extra_items: number;
  }>(
    db,
    sql`SELECT op.product_id, op.producer_id, v.name, v.unit, v.estimate, op.ordered_items, op.allotted_items,
          op.maximum_available, op.outcome, op.comment, op.changed_price_cents::text AS changed_price_cents,
          op.extra, op.extra_items
        FROM coop_order_products op
        JOIN coop_products p ON p.id = op.product_id
        JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
        WHERE op.order_id = ${order.id}
        ORDER BY lower(v.name)`,
  );
  const lines = seesAll
    ? await queryRows<{
        product_id: string;
        household_id: string;
        name: string;
        quantity: number;
        allotted: number | null;
        delivered_items: number | null;
        weights: string[] | null;
      }>(
        db,
        sql`SELECT l.product_id, l.household_id, h.name, l.quantity, coalesce(l.allotted, l.quantity) AS allotted, l.delivered_items, l.weights
            FROM coop_order_lines l JOIN coop_households h ON h.id = l.household_id
            WHERE l.order_id = ${order.id} ORDER BY lower(h.name)`,
      )
    : [];
  const byProduct = new Map<string, typeof lines>();
  for (const line of lines) byProduct.set(line.product_id, [...(byProduct.get(line.product_id) ?? []), line]);
  return products.map((p) => {
    const mine = byProduct.get(p.product_id) ?? [];
    return {
      productId: p.product_id,
      producerId: p.producer_id,
      name: p.name,
      unit: p.unit,
      estimate: p.estimate,
      orderedItems: p.ordered_items,
      allottedItems: p.allotted_items,
      maximumAvailable: p.maximum_available,
      outcome: p.outcome,
      comment: p.comment,
      changedPriceCents: p.changed_price_cents === null ? null : BigInt(p.changed_price_cents),
      extra: p.extra,
      extraItems: p.extra_items,
      takenItems: p.extra ? mine.reduce((sum, l) => sum + (l.delivered_items ?? 0), 0) : 0,
      households:
        speaksFor(standing, p.producer_id) || standing.books
          ? mine.map((l) => ({
              householdId: l.household_id,
              name: l.name,
              ordered: l.quantity,
              allotted: l.allotted,
              deliveredItems: l.delivered_items,
              weights: l.weights?.map(BigInt) ?? null,
            }))
          : [],
    };
  });
}

async function billsOf(db: Db, order: Order): Promise<OrderBillView[]> {
  const rows = await queryRows<{
    household_id: string;
    name: string;
    reference: string;
    total_cents: string;
    received_cents: string;
    payment_state: PaymentState;
    bad_reason: BadPaymentReason | null;
    bad_text: string | null;
    fix_note: string | null;
  }>(
    db,
    sql`SELECT b.household_id, h.name, b.reference, b.total_cents::text, b.received_cents::text, b.payment_state, b.bad_reason,
          b.bad_text, b.fix_note
        FROM coop_bills b JOIN coop_households h ON h.id = b.household_id
        WHERE b.order_id = ${order.id} ORDER BY lower(h.name)`,
  );
  return rows.map((row) => ({
    householdId: row.household_id,
    name: row.name,
    reference: row.reference,
    totalCents: BigInt(row.total_cents),
    receivedCents: BigInt(row.received_cents),
    paymentState: row.payment_state,
    badReason: row.bad_reason,
    badText: row.bad_text,
    fixNote: row.fix_note,
  }));
}

/** What the caller has to do in the order now: the seed's "your tasks". */
function tasksOf(detail: OrderDetail, standing: OrderStanding, now: Date): OrderTask[] {
  const tasks: OrderTask[] = [];
  const mine = detail.producers.filter((p) => standing.liaisonOf.has(p.producerId));
  switch (detail.status) {
    case 'preparing':
      for (const p of mine.filter((p) => p.answer === null))
        tasks.push({
          kind: 'answer_for_producer',
          text: `Say whether ${p.name} can deliver`,
          producerId: p.producerId,
        });
      if (standing.manages) {
        tasks.push({
          kind: 'open_order',
          text:
            detail.missingAnswers.length === 0
              ? 'Every producer answered: set a deadline and open the order'
              : `Open the order once ${detail.missingAnswers.map((p) => p.name).join(', ')} answered`,
        });
      }
      break;
    case 'open':
      if (detail.myHousehold && detail.deadline && detail.deadline > now)
        tasks.push({
          kind: 'place_order',
          text:
            detail.myHousehold.lines.length === 0
              ? 'Place your household’s order before the deadline'
              : 'Your household has ordered: you can change it until the deadline',
        });
      if (standing.manages)
        tasks.push({ kind: 'close_order', text: 'Close the order at the deadline, or earlier by hand' });
      break;
    case 'closed':
      for (const p of mine.filter((p) => p.answer === 'available' && !p.deliveryConfirmedAt))
        tasks.push({
          kind: 'check_delivery',
          text: `Check ${p.name}’s delivery against the order sheet`,
          producerId: p.producerId,
        });
      if (detail.corrections > 0 && standing.books) {
        const waiting = detail.producers.filter((p) => p.answer === 'available' && !p.deliveryConfirmedAt);
        tasks.push({
          kind: 'settle_correction',
          text:
            waiting.length === 0
              ? 'Reopen the delivery to correct, or settle the correction: bills are made again'
              : `Correct and confirm ${waiting.map((p) => p.name).join(', ')}’s delivery: bills are made again once every delivery is confirmed`,
        });
      }
      break;
    case 'processed': {
      const bill = detail.myHousehold?.bill;
      if (bill?.paymentState === 'due') tasks.push({ kind: 'pay_bill', text: 'Pay your household’s bill' });
      if (bill?.paymentState === 'bad' && !bill.fixedAt)
        tasks.push({
          kind: 'fix_payment',
          text: 'Put your household’s payment right, then tell the bookkeeper',
        });
      break;
    }
    default:
      break;
  }
  if (detail.status === 'closed' || detail.status === 'processed') {
    for (const p of detail.producers) {
      const owed = (p.expectedInvoiceCents ?? 0n) > 0n;
      if (owed && !p.invoice && (standing.liaisonOf.has(p.producerId) || standing.books))
        tasks.push({ kind: 'upload_invoice', text: `Upload ${p.name}’s invoice`, producerId: p.producerId });
      if (detail.status === 'processed' && p.invoice && !p.invoice.paidAt && standing.books)
        tasks.push({ kind: 'pay_invoice', text: `Pay ${p.name}’s invoice`, producerId: p.producerId });
    }
    const unpaid = detail.bills.filter((b) => b.paymentState !== 'paid').length;
    if (detail.status === 'processed' && standing.books && unpaid > 0)
      tasks.push({
        kind: 'check_payments',
        text: `Check ${unpaid} household payment${unpaid === 1 ? '' : 's'}`,
      });
  }
  return tasks;
}
