import { type PricedLine, type PriceTerms, priceLine, QUANTITY_SCALE } from '../pricing';
import type { DeliveryOutcome } from '../schema';

/** The terms of a product version that a bill line needs. */
export interface VersionTerms {
  priceCents: bigint;
  vatBasisPoints: number;
  marginBasisPoints: number | null;
  amountPerPackage: bigint;
  packages: number;
  estimate: boolean;
}

/** A product version's terms as SQL reads them (amounts as text, never through a floating-point number). */
export interface VersionTermsRow {
  price_cents: string;
  vat_basis_points: number;
  margin_basis_points: number | null;
  amount_per_package: string;
  packages: number;
  estimate: boolean;
}

export const versionTermsOf = (row: VersionTermsRow): VersionTerms => ({
  priceCents: BigInt(row.price_cents),
  vatBasisPoints: row.vat_basis_points,
  marginBasisPoints: row.margin_basis_points,
  amountPerPackage: BigInt(row.amount_per_package),
  packages: row.packages,
  estimate: row.estimate,
});

/** How much of the product's unit one orderable item holds, in thousandths (a crate of 6 × 0.75 l: 4500). */
export const itemQuantity = (version: Pick<VersionTerms, 'amountPerPackage' | 'packages'>): bigint =>
  version.amountPerPackage * BigInt(version.packages);

/** What a household is charged per unit, and what the producer is paid (the same without the club's margin). */
export function termsOf(
  version: VersionTerms,
  changedPriceCents: bigint | null,
  withMargin: boolean,
): PriceTerms {
  return {
    producerPriceCents: changedPriceCents ?? version.priceCents,
    marginBasisPoints: withMargin ? BigInt(version.marginBasisPoints ?? 0) : 0n,
    vatBasisPoints: BigInt(version.vatBasisPoints),
  };
}

/** What a household received of one product, from the delivery check. */
export interface Received {
  outcome: DeliveryOutcome;
  /** Items it was allotted when the order closed. */
  allotted: number;
  /** Items the check says were delivered to it; null means its allotment. */
  deliveredItems: number | null;
  /** Weighed amounts per item, in thousandths of the unit, for goods sold by weight. */
  weights: readonly bigint[] | null;
}

/**
 * The quantity a household is billed for, in thousandths of the unit: nothing when the product was
 * not available or missing; what was weighed, for goods sold by weight that were weighed; otherwise
 * the items delivered at their stated size.
 */
export function receivedQuantity(version: VersionTerms, received: Received): bigint {
  if (received.outcome === 'not_available' || received.outcome === 'missing') return 0n;
  if (version.estimate && received.weights && received.weights.length > 0)
    return received.weights.reduce((sum, weight) => sum + weight, 0n);
  return BigInt(received.deliveredItems ?? received.allotted) * itemQuantity(version);
}

/** What the household ordered of it, in thousandths of the unit: for goods sold by weight, the estimate. */
export const orderedQuantity = (version: VersionTerms, items: number): bigint =>
  BigInt(items) * itemQuantity(version);

/** A bill's line: the received quantity at the household's terms (the changed price, when it changed). */
export function billLine(
  version: VersionTerms,
  changedPriceCents: bigint | null,
  received: Received,
): PricedLine {
  return priceLine(termsOf(version, changedPriceCents, true), receivedQuantity(version, received));
}

/** What the producer invoices the club for one line: its price and VAT, without the club's margin. */
export function producerLine(
  version: VersionTerms,
  changedPriceCents: bigint | null,
  received: Received,
): PricedLine {
  return priceLine(termsOf(version, changedPriceCents, false), receivedQuantity(version, received));
}

/** The unit an item of the version is counted in, for the words of a bill: "1.25 kg". */
export function formatQuantity(quantity: bigint, unit: string): string {
  const whole = quantity / QUANTITY_SCALE;
  const fraction = (quantity % QUANTITY_SCALE).toString().padStart(3, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} ${unit}`;
}
