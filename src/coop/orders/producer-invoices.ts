import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/database';
import { type PricedLine, priceLine } from '../pricing';
import type { DeliveryOutcome } from '../schema';
import {
  receivedQuantity,
  termsOf,
  type VersionTerms,
  type VersionTermsRow,
  versionTermsOf,
} from './bill-lines';

/** A producer's part in an order, whose invoice is priced. */
export interface ProducerInvoiceKey {
  orderId: string;
  producerId: string;
}

export const producerInvoiceKey = (key: ProducerInvoiceKey): string => `${key.orderId}|${key.producerId}`;

/**
 * What each producer invoices for what it delivered: its prices and VAT, without the club's margin,
 * priced once per product, price and rate (as its invoice will be), not per household. One line per
 * product and price, by `producerInvoiceKey`; a producer that delivered nothing has no entry.
 */
export async function producerInvoiceLines(
  db: Db,
  invoices: readonly ProducerInvoiceKey[],
): Promise<Map<string, PricedLine[]>> {
  const priced = new Map<string, PricedLine[]>();
  if (invoices.length === 0) return priced;
  const rows = await queryRows<
    VersionTermsRow & {
      order_id: string;
      producer_id: string;
      product_id: string;
      allotted: number;
      delivered_items: number | null;
      weights: string[] | null;
      outcome: DeliveryOutcome;
      changed_price_cents: string | null;
    }
  >(
    db,
    sql`SELECT l.order_id, l.producer_id, l.product_id, coalesce(l.allotted, l.quantity) AS allotted, l.delivered_items,
          l.weights, v.estimate, v.amount_per_package::text AS amount_per_package, v.packages,
          v.price_cents::text AS price_cents, v.vat_basis_points, v.margin_basis_points, op.outcome,
          op.changed_price_cents::text AS changed_price_cents
        FROM unnest(${sql.param(invoices.map((i) => i.orderId))}::uuid[], ${sql.param(invoices.map((i) => i.producerId))}::uuid[])
          AS i(order_id, producer_id)
        JOIN coop_order_lines l ON l.order_id = i.order_id AND l.producer_id = i.producer_id
        JOIN coop_product_versions v ON v.product_id = l.product_id AND v.version = l.version
        JOIN coop_order_products op ON op.order_id = l.order_id AND op.product_id = l.product_id`,
  );
  const groups = new Map<
    string,
    Map<string, { terms: VersionTerms; changed: bigint | null; quantity: bigint }>
  >();
  for (const row of rows) {
    const terms = versionTermsOf(row);
    const changed = row.changed_price_cents === null ? null : BigInt(row.changed_price_cents);
    const invoice = producerInvoiceKey({ orderId: row.order_id, producerId: row.producer_id });
    const products = groups.get(invoice) ?? new Map();
    const key = `${row.product_id}|${changed ?? terms.priceCents}|${terms.vatBasisPoints}`;
    const product = products.get(key) ?? { terms, changed, quantity: 0n };
    product.quantity += receivedQuantity(terms, {
      outcome: row.outcome,
      allotted: row.allotted ?? 0,
      deliveredItems: row.delivered_items,
      weights: row.weights?.map(BigInt) ?? null,
    });
    products.set(key, product);
    groups.set(invoice, products);
  }
  for (const [invoice, products] of groups) {
    priced.set(
      invoice,
      [...products.values()].map((p) => priceLine(termsOf(p.terms, p.changed, false), p.quantity)),
    );
  }
  return priced;
}
