import { divideRounded } from '../core/money';

/**
 * What a household pays for a product, from the producer's price. Every amount is a bigint count
 * of cents; rates are basis points (1 % = 100, so 7 % VAT is 700 and 2.5 % is 250); quantities are
 * thousandths of the product's unit (a piece, a kg, a litre…), so 1.25 kg is 1250 and 3 pieces 3000.
 *
 * The rule, once, for every bill (README "Money"):
 * 1. net = producer price × quantity × (1 + margin), rounded half-up to the cent, per line;
 * 2. VAT = net × VAT rate, rounded half-up to the cent, per line;
 * 3. the line's total is net + VAT.
 * A bill sums its lines, and keeps net and VAT per rate for the invoice. A unit price shown to
 * members is the same line for a quantity of one.
 */

export const BASIS_POINTS = 10_000n;
/** Quantities are in thousandths of a unit: grams of a kg, millilitres of a litre. */
export const QUANTITY_SCALE = 1_000n;

export interface PriceTerms {
  /** The producer's price for one unit (a piece, a kg…), in cents, before margin and VAT. */
  producerPriceCents: bigint;
  /** The club's margin, in basis points; 0 when the club adds none. */
  marginBasisPoints: bigint;
  vatBasisPoints: bigint;
}

export interface PricedLine {
  quantityThousandths: bigint;
  /** Producer price × quantity × (1 + margin), in cents. */
  netCents: bigint;
  vatCents: bigint;
  totalCents: bigint;
  vatBasisPoints: bigint;
}

function requireTerms(terms: PriceTerms, quantity: bigint): void {
  if (terms.producerPriceCents < 0n) throw new RangeError('a price is never negative');
  if (terms.marginBasisPoints < 0n || terms.vatBasisPoints < 0n)
    throw new RangeError('rates are never negative');
  if (quantity < 0n) throw new RangeError('a quantity is never negative');
}

/** One line of a bill: `quantityThousandths` of the product at `terms`. */
export function priceLine(terms: PriceTerms, quantityThousandths: bigint): PricedLine {
  requireTerms(terms, quantityThousandths);
  const netCents = divideRounded(
    terms.producerPriceCents * quantityThousandths * (BASIS_POINTS + terms.marginBasisPoints),
    QUANTITY_SCALE * BASIS_POINTS,
    'half_up',
  );
  const vatCents = divideRounded(netCents * terms.vatBasisPoints, BASIS_POINTS, 'half_up');
  return {
    quantityThousandths,
    netCents,
    vatCents,
    totalCents: netCents + vatCents,
    vatBasisPoints: terms.vatBasisPoints,
  };
}

/** The price of one unit to a member, VAT included: what the catalogue shows. */
export const memberUnitPrice = (terms: PriceTerms): bigint => priceLine(terms, QUANTITY_SCALE).totalCents;

export interface VatRateTotal {
  vatBasisPoints: bigint;
  netCents: bigint;
  vatCents: bigint;
}

export interface BillTotals {
  netCents: bigint;
  vatCents: bigint;
  totalCents: bigint;
  /** Net and VAT per rate, lowest rate first: what the invoice lists. */
  byVatRate: VatRateTotal[];
}

/** The sum of a bill's lines, with net and VAT kept per rate. */
export function billTotals(lines: readonly PricedLine[]): BillTotals {
  const rates = new Map<bigint, VatRateTotal>();
  let netCents = 0n;
  let vatCents = 0n;
  for (const line of lines) {
    netCents += line.netCents;
    vatCents += line.vatCents;
    const rate = rates.get(line.vatBasisPoints) ?? {
      vatBasisPoints: line.vatBasisPoints,
      netCents: 0n,
      vatCents: 0n,
    };
    rate.netCents += line.netCents;
    rate.vatCents += line.vatCents;
    rates.set(line.vatBasisPoints, rate);
  }
  const byVatRate = [...rates.values()].sort((a, b) => (a.vatBasisPoints < b.vatBasisPoints ? -1 : 1));
  return { netCents, vatCents, totalCents: netCents + vatCents, byVatRate };
}
