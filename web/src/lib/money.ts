/**
 * Amounts arrive as decimal strings of an asset's minor units (DESIGN.md, "Money") and are shown
 * exactly: bigint arithmetic only, never a float, never rounded.
 *
 * Decimals shown: every non-zero decimal the amount has, and at least two (or the asset's scale,
 * when it has fewer) so that money reads the usual way: `12.50 EUR`, `1.25 USDC`, `0.004 USDC`,
 * `1.000000000000000001 DAI`, `1,200 credits`.
 */

const MINOR_UNITS = /^-?\d+$/;
const DECIMAL = /^(\d+)(?:\.(\d*))?$/;
const MINIMUM_DECIMALS = 2;

function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > 78) {
    throw new RangeError(`an asset scale is a whole number from 0 to 78, not ${scale}`);
  }
}

/** `1234567` → `1,234,567` */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The number part alone: `formatMinorNumber('1250000', 6)` → `1.25`. */
export function formatMinorNumber(minor: string, scale: number): string {
  assertScale(scale);
  if (!MINOR_UNITS.test(minor)) throw new RangeError(`"${minor}" is not a whole number of minor units`);
  const value = BigInt(minor);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const base = 10n ** BigInt(scale);
  const whole = groupThousands((magnitude / base).toString());
  const fraction = scale === 0 ? '' : (magnitude % base).toString().padStart(scale, '0');
  const kept = fraction.replace(/0+$/, '').padEnd(Math.min(scale, MINIMUM_DECIMALS), '0');
  return `${negative ? '-' : ''}${whole}${kept ? `.${kept}` : ''}`;
}

/** What a person calls an asset: ledgers named `CREDIT:<issuer>` hold credits. */
export function assetLabel(asset: string): string {
  return asset.startsWith('CREDIT') ? 'credits' : asset;
}

/** `formatMinor('1250000', 6, 'USDC')` → `1.25 USDC`; `formatMinor('1200', 0, 'CREDIT:acme')` → `1,200 credits`. */
export function formatMinor(minor: string, scale: number, asset: string): string {
  return `${formatMinorNumber(minor, scale)} ${assetLabel(asset)}`;
}

/**
 * What a person typed (`12.5`, `1,200`) in minor units (`1250`); refuses more decimals than the
 * asset has rather than rounding them away.
 */
export function parseDecimalToMinor(text: string, scale: number): string {
  assertScale(scale);
  const match = DECIMAL.exec(text.trim().replace(/,/g, ''));
  if (!match) throw new RangeError('enter a positive amount such as 12.50');
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > scale) {
    throw new RangeError(scale === 0 ? 'enter a whole amount' : `use at most ${scale} decimals`);
  }
  return (BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0')).toString();
}
