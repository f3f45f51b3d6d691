import { AppError } from './errors';

/**
 * Money is a bigint count of an asset's minor units (USDC scale 6, DAI 18, EUR 2, credits 0).
 * Decimal strings cross the edges; nothing in between is ever a JS number.
 */

export type RoundingMode = 'half_up' | 'half_even' | 'down' | 'up';

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export const UINT256_MAX = (1n << 256n) - 1n;

/** The smaller of two amounts (Math.min takes no bigint). */
// Stryker disable next-line EqualityOperator: when they are equal, either is the answer
export const smaller = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** The larger of two amounts (Math.max takes no bigint). */
// Stryker disable next-line EqualityOperator: when they are equal, either is the answer
export const larger = (a: bigint, b: bigint): bigint => (a > b ? a : b);

function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > 36) {
    throw new AppError('bad_request', `scale must be an integer from 0 to 36, got ${scale}`);
  }
}

/** Parses a decimal string ("12.50") into minor units. More decimals than the scale is an error, never a silent rounding. */
export function parseAmount(text: string, scale: number): bigint {
  assertScale(scale);
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new AppError('validation_failed', `"${text}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > scale) {
    throw new AppError('validation_failed', `"${text}" has more than ${scale} decimals`);
  }
  // BigInt('') is 0n: a scale of 0 pads the fraction to nothing.
  const minor = BigInt(whole!) * 10n ** BigInt(scale) + BigInt(significant.padEnd(scale, '0'));
  return sign ? -minor : minor;
}

/** Formats minor units as a decimal string with exactly `scale` decimals ("12.50"). */
export function formatAmount(minor: bigint, scale: number): string {
  assertScale(scale);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** Integer division of numerator by a positive denominator, rounded by the given mode. */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator <= 0n) throw new AppError('bad_request', 'denominator must be positive');
  // Stryker disable next-line EqualityOperator: at 0, negative or not gives 0 (-0n is 0n)
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const remainder = magnitude % denominator;
  if (remainder !== 0n) {
    const twice = remainder * 2n;
    const roundAway =
      mode === 'up' ||
      (mode === 'half_up' && twice >= denominator) ||
      (mode === 'half_even' && (twice > denominator || (twice === denominator && quotient % 2n === 1n)));
    if (roundAway) quotient += 1n;
  }
  return negative ? -quotient : quotient;
}

/** amount × numerator / denominator, rounded once at the end (e.g. a VAT line: rate 21/100). */
export function multiplyRatio(
  amount: bigint,
  numerator: bigint,
  denominator: bigint,
  mode: RoundingMode,
): bigint {
  return divideRounded(amount * numerator, denominator, mode);
}

/** Moves an amount between scales (e.g. 18-decimal DAI to 2-decimal EUR cents), rounding as told. */
export function rescale(amount: bigint, fromScale: number, toScale: number, mode: RoundingMode): bigint {
  assertScale(fromScale);
  assertScale(toScale);
  // Stryker disable next-line EqualityOperator: at equal scales, dividing by 10^0 is the same amount
  if (toScale >= fromScale) return amount * 10n ** BigInt(toScale - fromScale);
  return divideRounded(amount, 10n ** BigInt(fromScale - toScale), mode);
}

/**
 * Splits `total` into parts proportional to `weights` with no unit lost or invented: each part gets
 * its floor share, and the units left over go one each to the parts with the largest remainders
 * (ties to the earlier part), so the parts always add up to the total.
 */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) throw new AppError('bad_request', 'allocate needs at least one weight');
  if (weights.some((w) => w < 0n)) throw new AppError('bad_request', 'weights must not be negative');
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new AppError('bad_request', 'weights must not all be zero');
  // Stryker disable next-line EqualityOperator: a total of 0 splits into zeros either way
  const negative = total < 0n;
  const magnitude = negative ? -total : total;
  const parts = weights.map((w) => (magnitude * w) / sum);
  const remainders = weights.map((w, index) => ({ index, remainder: (magnitude * w) % sum }));
  let left = magnitude - parts.reduce((a, b) => a + b, 0n);
  // The sort is stable (ES2019), so ties keep their order (the earlier part first) whatever the
  // comparator answers for them: mutants that only change that answer are equivalent.
  remainders.sort((a, b) =>
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator,EqualityOperator: see above
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const { index } of remainders) {
    if (left === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return negative ? parts.map((p) => -p) : parts;
}

/** The most a displayed price may be, in the currency's major units: beyond it, a typing slip. */
export const MAX_PRICE_MAJOR_UNITS = 1_000_000n;

/** How many decimals an ISO 4217 currency has (USD 2, JPY 0, BHD 3); null for a code that is not one. */
export function currencyDecimals(code: string): number | null {
  if (!/^[A-Z]{3}$/.test(code) || !Intl.supportedValuesOf('currency').includes(code)) return null;
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
    .maximumFractionDigits as number;
}

/** The largest price in minor units a currency allows (`MAX_PRICE_MAJOR_UNITS`), or null for an unknown code. */
export function maxPriceMinor(code: string): bigint | null {
  const decimals = currencyDecimals(code);
  return decimals === null ? null : MAX_PRICE_MAJOR_UNITS * 10n ** BigInt(decimals);
}
