import { z } from '@hono/zod-openapi';
import { formatAmount } from '../../core/money';
import { iso, Uuid } from '../fields';
import type { BillTotals, PricedLine } from '../pricing';
import {
  allocationRules,
  badPaymentReasons,
  billChangeKinds,
  deliveryOutcomes,
  orderStatuses,
  packagingUnits,
  paymentStates,
  producerAnswers,
} from '../schema';
import type { Order } from './access';
import type { OrderDetail } from './detail';
import type { CatalogueProduct, HouseholdOrderView } from './household-orders';
import type { OrderSummary } from './service';

const Cents = (description: string) => z.string().openapi({ description: `${description}, in euro cents` });
const cents = (value: bigint) => value.toString();
const centsOrNull = (value: bigint | null) => (value === null ? null : value.toString());
/** Thousandths of a unit as the unit, exact: 1250 → "1.25". */
const quantity = (thousandths: bigint) => formatAmount(thousandths, 3);

const OrderFields = {
  id: Uuid,
  club_id: Uuid,
  number: z.number().int(),
  status: z.enum(orderStatuses),
  deadline: z.string().nullable(),
  pickup: z.string(),
  allocation_rule: z.enum(allocationRules).nullable(),
  created_by: Uuid,
  created_at: z.string(),
  opened_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  closed_by: Uuid.nullable().openapi({ description: 'null when the deadline closed it' }),
  processed_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  corrections: z
    .number()
    .int()
    .openapi({ description: 'how many times the order was reopened after it was processed, to correct it' }),
  reopened: z
    .object({ at: z.string(), by: Uuid, reason: z.string() })
    .nullable()
    .openapi({ description: 'the latest reopening for a correction' }),
};

export const OrderSchema = z.object(OrderFields).openapi('CoopOrder');

export const orderJson = (o: Order) => ({
  id: o.id,
  club_id: o.clubId,
  number: o.number,
  status: o.status,
  deadline: iso(o.deadline),
  pickup: o.pickup,
  allocation_rule: o.allocationRule,
  created_by: o.createdBy,
  created_at: o.createdAt.toISOString(),
  opened_at: iso(o.openedAt),
  closed_at: iso(o.closedAt),
  closed_by: o.closedBy,
  processed_at: iso(o.processedAt),
  finished_at: iso(o.finishedAt),
  corrections: o.corrections,
  reopened:
    o.reopenedAt && o.reopenedBy
      ? { at: o.reopenedAt.toISOString(), by: o.reopenedBy, reason: o.reopenReason ?? '' }
      : null,
});

export const OrderSummarySchema = OrderSchema.extend({
  producers_available: z.number().int(),
  household_orders: z.number().int(),
  my_total_cents: z
    .string()
    .nullable()
    .openapi({ description: 'your household’s bill, once the order is processed' }),
}).openapi('CoopOrderSummary');

export const orderSummaryJson = (o: OrderSummary) => ({
  ...orderJson(o),
  producers_available: o.producersAvailable,
  household_orders: o.householdOrders,
  my_total_cents: centsOrNull(o.myTotalCents),
});

const PricedSchema = z.object({
  net_cents: Cents('producer price × quantity × (1 + margin), rounded half-up'),
  vat_cents: Cents('VAT on the net, rounded half-up'),
  total_cents: Cents('net + VAT'),
});
const pricedJson = (line: Pick<PricedLine, 'netCents' | 'vatCents' | 'totalCents'>) => ({
  net_cents: cents(line.netCents),
  vat_cents: cents(line.vatCents),
  total_cents: cents(line.totalCents),
});

const TotalsSchema = PricedSchema.extend({
  by_vat_rate: z.array(
    z.object({ vat_basis_points: z.number().int(), net_cents: z.string(), vat_cents: z.string() }),
  ),
});
const totalsJson = (t: Pick<BillTotals, 'netCents' | 'vatCents' | 'totalCents' | 'byVatRate'>) => ({
  ...pricedJson(t),
  by_vat_rate: t.byVatRate.map((rate) => ({
    vat_basis_points: Number(rate.vatBasisPoints),
    net_cents: cents(rate.netCents),
    vat_cents: cents(rate.vatCents),
  })),
});

const LineSchema = z.object({
  product_id: Uuid,
  producer_id: Uuid,
  producer_name: z.string(),
  name: z.string(),
  unit: z.enum(packagingUnits),
  estimate: z.boolean().openapi({ description: 'sold by weight: the amount ordered is an estimate' }),
  version: z.number().int().openapi({ description: 'the product version the line is priced at' }),
  quantity: z.number().int().openapi({ description: 'items ordered' }),
  ordered_by: z.array(z.object({ user_id: Uuid, name: z.string(), initials: z.string() })),
  ordered_at: z.string(),
  ordered: PricedSchema.openapi({ description: 'what it costs as ordered, at the version’s prices' }),
  unit_price_cents: Cents('what a member pays for one unit, VAT included'),
  allotted: z.number().int().nullable().openapi({ description: 'items it gets, once the order closed' }),
  outcome: z.enum(deliveryOutcomes).nullable(),
  comment: z.string(),
  changed_price_cents: z.string().nullable().openapi({ description: 'the producer’s new price per unit' }),
  delivered_items: z.number().int().nullable(),
  weights: z.array(z.string()).nullable().openapi({ description: 'each item’s weight, in the unit' }),
  billed: PricedSchema.nullable().openapi({ description: 'the bill’s line, once the order is processed' }),
});

const ChangeSchema = z.object({
  product_id: Uuid,
  product_name: z.string(),
  kind: z.enum(billChangeKinds),
  ordered_items: z.number().int(),
  items: z.number().int().nullable(),
  estimate: z.string().nullable().openapi({ description: 'what was expected, in the unit' }),
  weighed: z.string().nullable().openapi({ description: 'what was weighed or delivered, in the unit' }),
  price_before_cents: z.string().nullable(),
  price_after_cents: z.string().nullable(),
  comment: z.string(),
  changed_by: z
    .object({ user_id: Uuid, name: z.string() })
    .nullable()
    .openapi({ description: 'null: Tally' }),
  changed_at: z.string(),
});

const BillSchema = TotalsSchema.extend({
  received_cents: z.string(),
  payment_state: z.enum(paymentStates),
  bad_reason: z.enum(badPaymentReasons).nullable(),
  bad_text: z.string().nullable(),
  fix_note: z.string().nullable(),
  fixed_at: z.string().nullable(),
  paid_at: z.string().nullable(),
  reference: z.string().openapi({ description: 'what to write on the transfer' }),
});

export const HouseholdOrderSchema = z
  .object({
    order_id: Uuid,
    order_number: z.number().int(),
    status: z.enum(orderStatuses),
    household_id: Uuid,
    household_name: z.string(),
    editable: z.boolean(),
    lines: z.array(LineSchema),
    ordered_totals: TotalsSchema,
    bill: BillSchema.nullable(),
    changes: z.array(ChangeSchema).openapi({ description: 'every change to the bill, oldest first' }),
  })
  .openapi('CoopHouseholdOrder');

export const householdOrderJson = (h: HouseholdOrderView) => ({
  order_id: h.orderId,
  order_number: h.orderNumber,
  status: h.status,
  household_id: h.householdId,
  household_name: h.householdName,
  editable: h.editable,
  lines: h.lines.map((l) => ({
    product_id: l.productId,
    producer_id: l.producerId,
    producer_name: l.producerName,
    name: l.name,
    unit: l.unit,
    estimate: l.estimate,
    version: l.version,
    quantity: l.quantity,
    ordered_by: l.orderedBy.map((p) => ({ user_id: p.userId, name: p.name, initials: p.initials })),
    ordered_at: l.orderedAt.toISOString(),
    ordered: pricedJson(l.ordered),
    unit_price_cents: cents(l.unitPriceCents),
    allotted: l.allotted,
    outcome: l.outcome,
    comment: l.comment,
    changed_price_cents: centsOrNull(l.changedPriceCents),
    delivered_items: l.deliveredItems,
    weights: l.weights?.map(quantity) ?? null,
    billed: l.billed ? pricedJson(l.billed) : null,
  })),
  ordered_totals: totalsJson(h.orderedTotals),
  bill: h.bill
    ? {
        ...totalsJson(h.bill),
        received_cents: cents(h.bill.receivedCents),
        payment_state: h.bill.paymentState,
        bad_reason: h.bill.badReason,
        bad_text: h.bill.badText,
        fix_note: h.bill.fixNote,
        fixed_at: iso(h.bill.fixedAt),
        paid_at: iso(h.bill.paidAt),
        reference: h.bill.reference,
      }
    : null,
  changes: h.changes.map((c) => ({
    product_id: c.productId,
    product_name: c.productName,
    kind: c.kind,
    ordered_items: c.orderedItems,
    items: c.items,
    estimate: c.estimateQuantity === null ? null : quantity(c.estimateQuantity),
    weighed: c.weighedQuantity === null ? null : quantity(c.weighedQuantity),
    price_before_cents: centsOrNull(c.priceBeforeCents),
    price_after_cents: centsOrNull(c.priceAfterCents),
    comment: c.comment,
    changed_by: c.changedBy ? { user_id: c.changedBy.userId, name: c.changedBy.name } : null,
    changed_at: c.changedAt.toISOString(),
  })),
});

export const CatalogueProductSchema = z
  .object({
    id: Uuid,
    producer_id: Uuid,
    producer_name: z.string(),
    version: z
      .number()
      .int()
      .openapi({ description: 'send it back when ordering: the line is priced at it' }),
    name: z.string(),
    code: z.string(),
    description: z.string(),
    categories: z.array(z.string()),
    unit: z.enum(packagingUnits),
    amount_per_package: z.string(),
    packages: z.number().int(),
    estimate: z.boolean(),
    maximum_available: z.number().int().nullable(),
    origin: z.string().nullable(),
    vat_basis_points: z.number().int(),
    unit_price_cents: Cents('what a member pays for one unit, VAT included'),
    item_price_cents: Cents('what a member pays for one item, VAT included'),
    ordered_items: z.number().int().openapi({
      description:
        'for a product with a maximum: items the club’s households ordered so far (0 for the others)',
    }),
  })
  .openapi('CoopCatalogueProduct');

export const catalogueJson = (p: CatalogueProduct) => ({
  id: p.productId,
  producer_id: p.producerId,
  producer_name: p.producerName,
  version: p.version,
  name: p.name,
  code: p.code,
  description: p.description,
  categories: p.categories,
  unit: p.unit,
  amount_per_package: quantity(p.amountPerPackage),
  packages: p.packages,
  estimate: p.estimate,
  maximum_available: p.maximumAvailable,
  origin: p.origin,
  vat_basis_points: p.vatBasisPoints,
  unit_price_cents: cents(p.unitPriceCents),
  item_price_cents: cents(p.itemPriceCents),
  ordered_items: p.orderedItems,
});

export const OrderDetailSchema = OrderSchema.extend({
  producers: z.array(
    z.object({
      producer_id: Uuid,
      name: z.string(),
      liaison: z.object({ user_id: Uuid, name: z.string() }),
      answer: z.enum(producerAnswers).nullable().openapi({ description: 'null: not answered yet' }),
      note: z.string(),
      answered_at: z.string().nullable(),
      delivery_confirmed_at: z.string().nullable(),
      expected_invoice_cents: z.string().nullable().openapi({
        description: 'what the producer should invoice for what it delivered: its prices and VAT, no margin',
      }),
      invoice: z
        .object({
          amount_cents: z.string(),
          uploaded_at: z.string(),
          payment_sent_at: z
            .string()
            .nullable()
            .openapi({ description: 'in a credit transfer file sent to the bank' }),
          paid_at: z.string().nullable(),
        })
        .nullable(),
      mine: z
        .boolean()
        .openapi({ description: 'you speak for it: its liaison, an order manager or the Admin' }),
    }),
  ),
  missing_answers: z.array(z.object({ id: Uuid, name: z.string() })),
  household_orders: z.number().int(),
  products: z.array(
    z.object({
      product_id: Uuid,
      producer_id: Uuid,
      name: z.string(),
      unit: z.enum(packagingUnits),
      estimate: z.boolean(),
      ordered_items: z.number().int(),
      allotted_items: z.number().int(),
      maximum_available: z.number().int().nullable(),
      outcome: z.enum(deliveryOutcomes),
      comment: z.string(),
      changed_price_cents: z.string().nullable(),
      extra: z.boolean(),
      extra_items: z.number().int(),
      taken_items: z.number().int(),
      households: z.array(
        z.object({
          household_id: Uuid,
          name: z.string(),
          ordered: z.number().int(),
          allotted: z.number().int().nullable(),
          delivered_items: z.number().int().nullable(),
          weights: z.array(z.string()).nullable(),
        }),
      ),
    }),
  ),
  bills: z.array(
    z.object({
      household_id: Uuid,
      name: z.string(),
      reference: z
        .string()
        .openapi({ description: 'the creditor reference (ISO 11649) quoted with the payment' }),
      total_cents: z.string(),
      received_cents: z.string(),
      payment_state: z.enum(paymentStates),
      bad_reason: z.enum(badPaymentReasons).nullable(),
      bad_text: z.string().nullable(),
      fix_note: z.string().nullable(),
    }),
  ),
  my_household: HouseholdOrderSchema.nullable(),
  mine: z.object({ manages: z.boolean(), books: z.boolean(), household_id: Uuid.nullable() }),
  tasks: z.array(z.object({ kind: z.string(), text: z.string(), producer_id: Uuid.optional() })),
  activity: z.array(
    z.object({
      at: z.string(),
      kind: z.string(),
      text: z.string(),
      by: z.object({ user_id: Uuid, name: z.string() }).nullable(),
    }),
  ),
}).openapi('CoopOrderDetail');

export const orderDetailJson = (d: OrderDetail) => ({
  ...orderJson(d),
  producers: d.producers.map((p) => ({
    producer_id: p.producerId,
    name: p.name,
    liaison: { user_id: p.liaison.userId, name: p.liaison.name },
    answer: p.answer,
    note: p.note,
    answered_at: iso(p.answeredAt),
    delivery_confirmed_at: iso(p.deliveryConfirmedAt),
    expected_invoice_cents: centsOrNull(p.expectedInvoiceCents),
    invoice: p.invoice
      ? {
          amount_cents: cents(p.invoice.amountCents),
          uploaded_at: p.invoice.uploadedAt.toISOString(),
          payment_sent_at: iso(p.invoice.paymentSentAt),
          paid_at: iso(p.invoice.paidAt),
        }
      : null,
    mine: p.mine,
  })),
  missing_answers: d.missingAnswers,
  household_orders: d.householdOrders,
  products: d.products.map((p) => ({
    product_id: p.productId,
    producer_id: p.producerId,
    name: p.name,
    unit: p.unit,
    estimate: p.estimate,
    ordered_items: p.orderedItems,
    allotted_items: p.allottedItems,
    maximum_available: p.maximumAvailable,
    outcome: p.outcome,
    comment: p.comment,
    changed_price_cents: centsOrNull(p.changedPriceCents),
    extra: p.extra,
    extra_items: p.extraItems,
    taken_items: p.takenItems,
    households: p.households.map((h) => ({
      household_id: h.householdId,
      name: h.name,
      ordered: h.ordered,
      allotted: h.allotted,
      delivered_items: h.deliveredItems,
      weights: h.weights?.map(quantity) ?? null,
    })),
  })),
  bills: d.bills.map((b) => ({
    household_id: b.householdId,
    name: b.name,
    reference: b.reference,
    total_cents: cents(b.totalCents),
    received_cents: cents(b.receivedCents),
    payment_state: b.paymentState,
    bad_reason: b.badReason,
    bad_text: b.badText,
    fix_note: b.fixNote,
  })),
  my_household: d.myHousehold ? householdOrderJson(d.myHousehold) : null,
  mine: { manages: d.mine.manages, books: d.mine.books, household_id: d.mine.householdId },
  tasks: d.tasks.map((t) => ({
    kind: t.kind,
    text: t.text,
    ...(t.producerId ? { producer_id: t.producerId } : {}),
  })),
  activity: d.activity.map((e) => ({
    at: e.at.toISOString(),
    kind: e.kind,
    text: e.text,
    by: e.by ? { user_id: e.by.userId, name: e.by.name } : null,
  })),
});
