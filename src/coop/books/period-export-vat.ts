import { z } from 'zod';
import type { Db } from '../../core/database';
import { producerInvoiceLines } from '../orders/producer-invoices';
import { billTotals } from '../pricing';

/** VAT in the period export: amounts split per rate, summed per rate, and producers' invoices split. */

/** Net and VAT at one rate; a null rate is an amount whose split is not known (its total only). */
export interface VatSplit {
  vatBasisPoints: bigint | null;
  netCents: bigint;
  vatCents: bigint;
  totalCents: bigint;
}

const VatRows = z.array(
  z.object({
    vat_basis_points: z.union([z.string(), z.number()]),
    net_cents: z.union([z.string(), z.number()]),
    vat_cents: z.union([z.string(), z.number()]),
  }),
);

export function splitsOf(rows: unknown): VatSplit[] | null {
  const parsed = VatRows.safeParse(rows);
  if (!parsed.success) return null;
  return parsed.data.map((row) => {
    const netCents = BigInt(row.net_cents);
    const vatCents = BigInt(row.vat_cents);
    return {
      vatBasisPoints: BigInt(row.vat_basis_points),
      netCents,
      vatCents,
      totalCents: netCents + vatCents,
    };
  });
}

/**
 * The amount per rate, when the split sums to it; else the whole amount at a rate not known (a
 * split of another amount tells nothing), so the VAT table always adds up to what the ledger moved.
 */
export function fitted(splits: VatSplit[] | null, amountCents: bigint): VatSplit[] {
  const known = (splits ?? []).filter((s) => s.totalCents !== 0n);
  const covered = known.reduce((sum, s) => sum + s.totalCents, 0n);
  if (splits && covered === amountCents) return known;
  return [{ vatBasisPoints: null, netCents: amountCents, vatCents: 0n, totalCents: amountCents }];
}

/**
 * What each producer's invoice for an order comes to per VAT rate, from what it delivered at its
 * own prices (priced once per product, price and rate, as its invoice is and as the order's
 * expected invoice is): the split of an invoice whose amount is that sum.
 */
export async function expectedInvoiceSplits(
  db: Db,
  invoices: readonly { orderId: string; producerId: string }[],
): Promise<Map<string, VatSplit[]>> {
  const splits = new Map<string, VatSplit[]>();
  const priced = await producerInvoiceLines(db, invoices);
  for (const [invoice, lines] of priced) {
    splits.set(
      invoice,
      billTotals(lines).byVatRate.map((rate) => ({
        vatBasisPoints: rate.vatBasisPoints,
        netCents: rate.netCents,
        vatCents: rate.vatCents,
        totalCents: rate.netCents + rate.vatCents,
      })),
    );
  }
  return splits;
}

/** An entry's splits, negative when it takes back (a bill's reversal). */
export function signed(
  entry: { kind: string; byVatRate: VatSplit[] },
  plus: string,
  minus: string | null,
): VatSplit[] {
  if (entry.kind === plus) return entry.byVatRate;
  if (entry.kind !== minus) return [];
  return entry.byVatRate.map((s) => ({
    vatBasisPoints: s.vatBasisPoints,
    netCents: -s.netCents,
    vatCents: -s.vatCents,
    totalCents: -s.totalCents,
  }));
}

/** Splits summed per rate, lowest rate first, the unknown rate last. */
export function byRate(splits: readonly VatSplit[]): VatSplit[] {
  const rates = new Map<string, VatSplit>();
  for (const split of splits) {
    const key = split.vatBasisPoints === null ? 'unknown' : split.vatBasisPoints.toString();
    const rate = rates.get(key) ?? {
      vatBasisPoints: split.vatBasisPoints,
      netCents: 0n,
      vatCents: 0n,
      totalCents: 0n,
    };
    rate.netCents += split.netCents;
    rate.vatCents += split.vatCents;
    rate.totalCents += split.totalCents;
    rates.set(key, rate);
  }
  return [...rates.values()].sort((a, b) => {
    if (a.vatBasisPoints === null || b.vatBasisPoints === null) return a.vatBasisPoints === null ? 1 : -1;
    return a.vatBasisPoints < b.vatBasisPoints ? -1 : 1;
  });
}
