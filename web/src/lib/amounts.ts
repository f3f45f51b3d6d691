import { formatMinor, formatMinorNumber } from './money';

/**
 * Amounts as people type them, read into minor units (bigint, never a float) or refused with the
 * reason. Either separator is taken for decimals (`49,00` and `49.00` are both 49); with both, the
 * last one is the decimal separator and the other groups thousands (`1,250.50`, `1.250,50`); spaces
 * and apostrophes group thousands too. What could be read two ways (`1,250`: a thousand two hundred
 * and fifty, or one and a quarter?) is refused, never guessed, and so are more decimals than the
 * asset has.
 */

export interface AmountRules {
  /** The decimals the asset has: 2 for USD, 6 for USDC, 0 for credits. */
  scale: number;
  /** What the amount counts, as people read it beside the number: `USD`, `USDC`, `credits`. */
  asset: string;
  allowZero?: boolean;
  /** The most it may be, in minor units, and why: the refusal says both. */
  most?: { minor: bigint | string; why: string };
}

export type ParsedAmount = { ok: true; minor: bigint } | { ok: false; error: string };

const SEPARATOR = /[ ,.'\u00a0\u202f]/;
const ONLY_DIGITS_AND_SEPARATORS = /^[\d ,.'\u00a0\u202f]+$/;
const GROUPED = /^\d{1,3}(?:[ ,.'\u00a0\u202f]\d{3})+$/;
/** A whole part that may be a first group of thousands: `1` to `999`, no leading zero. */
const FIRST_GROUP = /^[1-9]\d{0,2}$/;
/** Past a quintillion, a typed amount is a slip of the finger, whatever the asset. */
const MOST_WHOLE_DIGITS = 18;

const refuse = (error: string): ParsedAmount => ({ ok: false, error });

const exampleOf = (scale: number) => (scale === 0 ? '100' : '12.50');

function tooManyDecimals({ scale, asset }: AmountRules): string {
  if (scale === 0) return `${asset} has no decimals: enter a whole amount`;
  return `${asset} has ${scale} ${scale === 1 ? 'decimal' : 'decimals'}: use at most ${scale}`;
}

/** Why `1,250` is refused, with the ways of writing each reading that the asset allows. */
function ambiguity(typed: string, whole: string, fraction: string, scale: number): string {
  const thousands = `${whole}${fraction}`;
  const asRead = `“${typed}” could be ${thousands} or ${whole}.${fraction}: write ${thousands} without a separator`;
  if (scale > fraction.length) return `${asRead}, or ${whole}.${fraction}0 for decimals`;
  // A leading zero cannot start a group of thousands, so it marks the decimals.
  if (scale === fraction.length) return `${asRead}, or 0${whole}.${fraction} for decimals`;
  return `${asRead}, or at most ${scale} ${scale === 1 ? 'decimal' : 'decimals'}`;
}

/** What a person typed, in the asset's minor units, or why it is refused (a sentence for the field). */
export function parseAmount(text: string, rules: AmountRules): ParsedAmount {
  const { scale, allowZero = false, most } = rules;
  const typed = text.trim();
  if (!typed) return refuse('Enter an amount');
  if (!ONLY_DIGITS_AND_SEPARATORS.test(typed) || !/\d/.test(typed)) {
    return refuse(`Enter an amount such as ${exampleOf(scale)}`);
  }
  const lastDot = typed.lastIndexOf('.');
  const lastComma = typed.lastIndexOf(',');
  let whole: string;
  let fraction = '';
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const at = Math.max(lastDot, lastComma);
    whole = typed.slice(0, at);
    fraction = typed.slice(at + 1);
    if (whole.includes(decimal) || !GROUPED.test(whole)) {
      return refuse('Enter an amount such as 1,250.50 or 1250.50');
    }
  } else {
    const separator = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : null;
    const count = separator ? typed.split(separator).length - 1 : 0;
    if (separator === null || count > 1) {
      // No decimal separator: digits, perhaps grouped by thousands (`1 000`, `1,000,000`).
      whole = typed;
    } else {
      const at = typed.indexOf(separator);
      whole = typed.slice(0, at);
      fraction = typed.slice(at + 1);
      // `1,250` and `1.250` are the thousands of one habit and the decimals of another; an asset
      // without decimals (credits) has only the first reading.
      if (fraction.length === 3 && FIRST_GROUP.test(whole)) {
        if (scale > 0) return refuse(ambiguity(typed, whole, fraction, scale));
        whole = typed;
        fraction = '';
      }
    }
  }
  if (fraction !== '' && !/^\d+$/.test(fraction))
    return refuse(`Enter an amount such as ${exampleOf(scale)}`);
  if (whole.trim() === '') whole = '0';
  if (SEPARATOR.test(whole) && !GROUPED.test(whole)) {
    return refuse('Group thousands by three digits, as in 1,000,000');
  }
  if (fraction.length > scale) return refuse(tooManyDecimals(rules));
  const wholeDigits = whole.replace(/\D/g, '').replace(/^0+(?=\d)/, '');
  if (wholeDigits.length > MOST_WHOLE_DIGITS) return refuse('Enter a smaller amount');
  const minor = BigInt(wholeDigits) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
  if (minor === 0n && !allowZero) return refuse('Enter an amount above zero');
  if (most && minor > BigInt(most.minor))
    return refuse(`At most ${formatAmount(most.minor, rules)}: ${most.why}`);
  return { ok: true, minor };
}

/** A form's check of an amount field: the reason it is refused, or null. */
export function checkAmount(rules: AmountRules) {
  return (value: string): string | null => {
    const parsed = parseAmount(value, rules);
    return parsed.ok ? null : parsed.error;
  };
}

/** `4900n` → `49.00 USD`: the amount with its asset, exactly. */
export function formatAmount(
  minor: bigint | string,
  { scale, asset }: Pick<AmountRules, 'scale' | 'asset'>,
): string {
  return formatMinor(minor.toString(), scale, asset);
}

/**
 * An amount as an input shows it to be changed: no thousands separators, and never in the form
 * `1.125` that would be refused as ambiguous when read back (`1.1250` for USDC, `01.125` for an
 * asset of three decimals).
 */
export function editableAmount(minor: bigint | string, scale: number): string {
  const text = formatMinorNumber(minor.toString(), scale).replace(/,/g, '');
  const [whole = '', fraction = ''] = text.split('.');
  if (fraction.length !== 3 || !FIRST_GROUP.test(whole)) return text;
  return scale > 3 ? `${text}0` : `0${text}`;
}
