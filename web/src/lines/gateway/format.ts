import { formatMinor, formatMinorNumber } from '../../lib/money';

/**
 * How the gateway line reads money: USDC micro-units (6 decimals) arrive as decimal strings and are
 * shown exactly, with their asset (`0.0025 USDC`), through bigint arithmetic only.
 */

export const USDC_DECIMALS = 6;
export const USDC = 'USDC';

/** `2500` → `0.0025 USDC`; `49000000` → `49.00 USDC`. */
export function formatUsdc(micro: string | bigint): string {
  return formatMinor(micro.toString(), USDC_DECIMALS, USDC);
}

/** The number alone, for inputs and CSV: `2500` → `0.0025`. */
export function usdcNumber(micro: string | bigint): string {
  return formatMinorNumber(micro.toString(), USDC_DECIMALS).replace(/,/g, '');
}

export type ParsedAmount = { ok: true; micro: string } | { ok: false; error: string };

const GROUPED = /^\d{1,3}(?:[ ,.'\u00a0\u202f]\d{3})+$/;

/**
 * What a person typed, in USDC micro-units. Either separator is taken for decimals (`49,00` and
 * `49.00` are both 49 USDC); with both, the last one is the decimal separator and the other groups
 * thousands (`1,250.50`, `1.250,50`); spaces group thousands too. Input that could be read two
 * ways (`1,250`: a thousand two hundred and fifty, or one and a quarter?) is refused, never guessed,
 * and so are more decimals than USDC has.
 */
export function parseUsdc(text: string, { allowZero = false } = {}): ParsedAmount {
  const typed = text.trim();
  if (!typed) return { ok: false, error: 'Enter an amount' };
  if (!/^[\d ,.'\u00a0\u202f]+$/.test(typed) || !/\d/.test(typed)) {
    return { ok: false, error: 'Enter an amount such as 12.50' };
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
      return { ok: false, error: 'Enter an amount such as 1,250.50 or 1250.50' };
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
      // `1,250` and `1.250` are the thousands of one habit and the decimals of another.
      if (fraction.length === 3 && /^[1-9]\d{0,2}$/.test(whole.trim())) {
        const digits = `${whole}${fraction}`;
        return {
          ok: false,
          error: `“${typed}” could be ${digits} or ${whole}.${fraction}: write ${digits} without a separator, or ${whole}.${fraction}0 for decimals`,
        };
      }
    }
  }
  if (!/^\d+$/.test(fraction) && fraction !== '')
    return { ok: false, error: 'Enter an amount such as 12.50' };
  if (whole.trim() === '') whole = '0';
  if (/[ ,.'\u00a0\u202f]/.test(whole) && !GROUPED.test(whole)) {
    return { ok: false, error: 'Group thousands by three digits, as in 1,000,000' };
  }
  const wholeDigits = whole.replace(/\D/g, '');
  if (fraction.length > USDC_DECIMALS) {
    return { ok: false, error: `USDC has ${USDC_DECIMALS} decimals: use at most ${USDC_DECIMALS}` };
  }
  if (wholeDigits.length > 15) return { ok: false, error: 'Enter a smaller amount' };
  const micro = BigInt(wholeDigits || '0') * 10n ** BigInt(USDC_DECIMALS) + BigInt(fraction.padEnd(6, '0'));
  if (micro === 0n && !allowZero) return { ok: false, error: 'Enter an amount above zero' };
  return { ok: true, micro: micro.toString() };
}

/** A form's check of an amount field: the parse's refusal, or one of `extra` (a most, a least). */
export function checkUsdc(
  options: { allowZero?: boolean; most?: { micro: string | bigint; why: string } } = {},
) {
  return (value: string): string | null => {
    const parsed = parseUsdc(value, options);
    if (!parsed.ok) return parsed.error;
    if (options.most && BigInt(parsed.micro) > BigInt(options.most.micro)) {
      return `At most ${formatUsdc(options.most.micro)}: ${options.most.why}`;
    }
    return null;
  };
}

/** What a parsed amount will be saved as, for the line under the field. */
export function amountPreview(value: string, options: { allowZero?: boolean } = {}): string | null {
  const parsed = parseUsdc(value, options);
  return parsed.ok ? formatUsdc(parsed.micro) : null;
}

/** A rate from 0 to 1 as a percentage with one decimal (`0.985` → `98.5 %`); null reads "no calls yet". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return 'no calls yet';
  return `${(Math.round(rate * 1000) / 10).toLocaleString('en-US', { maximumFractionDigits: 1 })} %`;
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
}

/** Basis points as a percentage: `500` → `5 %`, `250` → `2.5 %`. */
export function formatBps(bps: number): string {
  return `${(bps / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
}

/** `0x7099…79c8`, for places where the whole address is shown beside it or a copy button has it. */
export const shortAddress = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** The MCP endpoint of a server, on this Tally. */
export const endpointOf = (slug: string) => `${window.location.origin}/mcp/${slug}`;

/** The sum of micro-unit strings. */
export const sumMicro = (amounts: (string | bigint)[]) => amounts.reduce<bigint>((a, b) => a + BigInt(b), 0n);

const toTheSecond = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A moment to the second, where order matters (calls, deposits); a missing one reads `missing`. */
export function formatMoment(iso: string | null | undefined, missing = '—'): string {
  if (!iso) return missing;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : toTheSecond.format(date);
}

/** A server message as a sentence: a capital letter and a full stop (UI.md "Errors are sentences"). */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}
