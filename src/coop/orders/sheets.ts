import { sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { toCsv } from '../../core/csv';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { queueMail } from '../../core/mail/outbox';
import { action, paragraph, renderMail, subject } from '../../core/mail/template';
import { formatAmount } from '../../core/money';
import { type PdfBlock, renderPdf } from '../../core/pdf';
import type { CoopDeps } from '../deps';
import { billTotals, priceLine } from '../pricing';
import type { PackagingUnit } from '../schema';
import {
  findOrder,
  type Order,
  orderLink,
  orderStanding,
  requireRight,
  requireStatus,
  speaksFor,
} from './access';
import { formatQuantity, itemQuantity, termsOf, type VersionTerms, versionTermsOf } from './bill-lines';

/** A producer's order sheet: what the club ordered of it, per product and, if asked, per household. */
export interface OrderSheet {
  order: Order;
  producer: { id: string; name: string; liaisonUserId: string };
  products: SheetProduct[];
  /** Net and VAT at the producer's prices, without the club's margin: what it will invoice. */
  netCents: bigint;
  vatCents: bigint;
  totalCents: bigint;
}

export interface SheetProduct {
  productId: string;
  code: string;
  name: string;
  unit: PackagingUnit;
  estimate: boolean;
  /** Items to deliver (allotted), and how much of the unit that is. */
  items: number;
  quantity: bigint;
  priceCents: bigint;
  netCents: bigint;
  households: { name: string; items: number }[];
}

interface SheetRow {
  product_id: string;
  code: string;
  name: string;
  unit: PackagingUnit;
  estimate: boolean;
  amount_per_package: string;
  packages: number;
  price_cents: string;
  vat_basis_points: number;
  household_name: string;
  items: number;
}

/** The sheet's figures, from the allotted lines of a closed order (one query). */
export async function orderSheet(db: Db, order: Order, producerId: string): Promise<OrderSheet> {
  const [producer] = await queryRows<{ id: string; name: string; liaison_user_id: string }>(
    db,
    sql`SELECT id, name, liaison_user_id FROM coop_producers WHERE id = ${producerId} AND club_id = ${order.clubId}`,
  );
  if (!producer) throw notFound('producer', { id: producerId });
  const rows = await queryRows<SheetRow>(
    db,
    sql`SELECT l.product_id, v.code, v.name, v.unit, v.estimate, v.amount_per_package::text AS amount_per_package,
          v.packages, v.price_cents::text AS price_cents, v.vat_basis_points, h.name AS household_name,
          coalesce(l.allotted, l.quantity) AS items
        FROM coop_order_lines l
        JOIN coop_products p ON p.id = l.product_id
        JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
        JOIN coop_households h ON h.id = l.household_id
        WHERE l.order_id = ${order.id} AND l.producer_id = ${producer.id} AND coalesce(l.allotted, l.quantity) > 0
        ORDER BY lower(v.name), l.product_id, lower(h.name)`,
  );
  const products = new Map<string, SheetProduct & { terms: VersionTerms }>();
  for (const row of rows) {
    let product = products.get(row.product_id);
    if (!product) {
      // At the producer's prices: the club's margin is not the producer's.
      const terms = versionTermsOf({ ...row, margin_basis_points: 0 });
      product = {
        productId: row.product_id,
        code: row.code,
        name: row.name,
        unit: row.unit,
        estimate: row.estimate,
        items: 0,
        quantity: 0n,
        priceCents: terms.priceCents,
        netCents: 0n,
        households: [],
        terms,
      };
      products.set(row.product_id, product);
    }
    product.items += row.items;
    product.households.push({ name: row.household_name, items: row.items });
  }
  const lines = [...products.values()].map((product) => {
    product.quantity = BigInt(product.items) * itemQuantity(product.terms);
    const line = priceLine(termsOf(product.terms, null, false), product.quantity);
    product.netCents = line.netCents;
    return line;
  });
  const totals = billTotals(lines);
  return {
    order,
    producer: { id: producer.id, name: producer.name, liaisonUserId: producer.liaison_user_id },
    products: [...products.values()].map(({ terms: _terms, ...product }) => product),
    netCents: totals.netCents,
    vatCents: totals.vatCents,
    totalCents: totals.totalCents,
  };
}

const money = (cents: bigint) => formatAmount(cents, 2);
const sheetName = (sheet: OrderSheet, extension: string) =>
  `order-${sheet.order.number}-${sheet.producer.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${extension}`;

/** The sheet as a PDF: totals per product, then (if asked) what each household gets, to pack by. */
export function orderSheetPdf(sheet: OrderSheet, byHousehold: boolean, createdAt: Date): Promise<Buffer> {
  const blocks: PdfBlock[] = [
    {
      kind: 'facts',
      facts: [
        ['Producer', sheet.producer.name],
        ['Order', String(sheet.order.number)],
        ['Closed', sheet.order.closedAt?.toISOString().slice(0, 16).replace('T', ' ') ?? ''],
        ...(sheet.order.pickup ? ([['Delivery and pick-up', sheet.order.pickup]] as const) : []),
      ],
    },
    {
      kind: 'table',
      columns: [
        { label: 'Code', width: 60 },
        { label: 'Product', width: 170 },
        { label: 'Items', width: 45, align: 'right' },
        { label: 'Amount', width: 85, align: 'right' },
        { label: 'Price/unit', width: 60, align: 'right' },
        { label: 'Net', width: 75, align: 'right' },
      ],
      rows: sheet.products.map((p) => [
        p.code,
        p.estimate ? `${p.name} (weighed)` : p.name,
        String(p.items),
        `${p.estimate ? '≈ ' : ''}${formatQuantity(p.quantity, p.unit)}`,
        money(p.priceCents),
        money(p.netCents),
      ]),
      total: ['', 'Total net', '', '', '', money(sheet.netCents)],
    },
    {
      kind: 'paragraph',
      text: `VAT ${money(sheet.vatCents)}; total ${money(sheet.totalCents)} (EUR). Weighed goods are billed as weighed.`,
    },
  ];
  if (byHousehold) {
    blocks.push({ kind: 'heading', text: 'By household' });
    for (const p of sheet.products) {
      blocks.push({
        kind: 'table',
        columns: [
          { label: `${p.code} ${p.name}`, width: 300 },
          { label: 'Items', width: 60, align: 'right' },
        ],
        rows: p.households.map((h) => [h.name, String(h.items)]),
      });
    }
  }
  return renderPdf({ title: `Order ${sheet.order.number}: ${sheet.producer.name}`, createdAt, blocks });
}

/** The sheet as CSV: one row per product, or per product and household. */
export function orderSheetCsv(sheet: OrderSheet, byHousehold: boolean): string {
  const header = byHousehold
    ? ['code', 'product', 'unit', 'household', 'items']
    : ['code', 'product', 'unit', 'items', 'amount', 'estimate', 'price_per_unit', 'net'];
  const rows = byHousehold
    ? sheet.products.flatMap((p) =>
        p.households.map((h) => [p.code, p.name, p.unit, h.name, String(h.items)]),
      )
    : sheet.products.map((p) => [
        p.code,
        p.name,
        p.unit,
        String(p.items),
        formatQuantity(p.quantity, '').trim(),
        p.estimate ? 'yes' : 'no',
        money(p.priceCents),
        money(p.netCents),
      ]);
  return toCsv(header, rows);
}

export const orderSheetFileName = sheetName;

/** A sheet for whoever deals with the producer: its liaison, order managers, the bookkeeper, the Admin. */
export async function readOrderSheet(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
): Promise<OrderSheet> {
  const order = await findOrder(deps.db, orderId);
  const standing = await orderStanding(deps, deps.db, actor, order.clubId, 'read', {
    kind: 'order',
    id: orderId,
  });
  requireRight(
    speaksFor(standing, producerId) || standing.books,
    'only the producer’s liaison, order managers and the bookkeeper read its order sheet',
  );
  requireStatus(order, 'closed', 'processed', 'finished');
  return orderSheet(deps.db, order, producerId);
}

/**
 * The job after an order closes: each producer's liaison gets its sheet by mail, the PDF and the CSV
 * with the household breakdown attached, to pass on to the producer. Once per producer and order.
 */
export async function mailOrderSheets(deps: CoopDeps, tx: Db, orderId: string): Promise<number> {
  const order = await findOrder(tx, orderId);
  if (order.status === 'preparing' || order.status === 'open')
    throw new AppError('internal', 'the order is not closed');
  const producers = await queryRows<{ producer_id: string }>(
    tx,
    sql`SELECT DISTINCT producer_id FROM coop_order_products WHERE order_id = ${order.id} AND allotted_items > 0`,
  );
  let sent = 0;
  for (const { producer_id } of producers) {
    const sheet = await orderSheet(tx, order, producer_id);
    const [liaison] = await queryRows<{ email: string | null }>(
      tx,
      sql`SELECT email FROM core_users WHERE id = ${sheet.producer.liaisonUserId}`,
    );
    if (!liaison?.email) continue;
    const pdf = await orderSheetPdf(sheet, true, deps.clock.now());
    const mail = renderMail('coop_order_sheet', {
      subject: subject`Order ${String(order.number)}: what ${sheet.producer.name} delivers`,
      blocks: [
        paragraph`Order ${String(order.number)} is closed. ${sheet.producer.name} delivers ${String(sheet.products.length)} products, ${money(sheet.totalCents)} EUR with VAT at its prices.`,
        paragraph`The order sheet is attached as PDF and CSV, with what each household gets. Check the delivery against it in Tally when it arrives.`,
        action('Open the order', `${deps.publicUrl}${orderLink(order)}`),
      ],
    });
    const id = await queueMail(tx, deps.clock, {
      to: liaison.email,
      userId: sheet.producer.liaisonUserId,
      ...mail,
      dedupeKey: `coop_order_sheet:${order.id}:${producer_id}`,
      attachments: [
        { name: sheetName(sheet, 'pdf'), contentType: 'application/pdf', bytes: pdf },
        {
          name: sheetName(sheet, 'csv'),
          contentType: 'text/csv',
          bytes: Buffer.from(orderSheetCsv(sheet, true)),
        },
      ],
    });
    if (id) sent += 1;
  }
  return sent;
}
