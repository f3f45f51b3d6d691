import { type AmountRules, checkAmount, parseAmount } from '../../lib/amounts';
import { formatToTheSecond } from '../../lib/dates';
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

/** The number alone, for CSV and chart axes: `2500` → `0.0025` (an input takes `editableAmount`). */
export function usdcNumber(micro: string | bigint): string {
  return formatMinorNumber(micro.toString(), USDC_DECIMALS).replace(/,/g, '');
}

export type ParsedUsdc = { ok: true; micro: string } | { ok: false; error: string };

/** What the gateway's amount fields take: USDC, with its six decimals. */
export const USDC_RULES: AmountRules = { scale: USDC_DECIMALS, asset: USDC };

/** What a person typed, in USDC micro-units, read as every amount input reads it (lib/amounts). */
export function parseUsdc(text: string, { allowZero = false } = {}): ParsedUsdc {
  const parsed = parseAmount(text, { ...USDC_RULES, allowZero });
  return parsed.ok ? { ok: true, micro: parsed.minor.toString() } : parsed;
}

/** A form's check of an amount field: the parse's refusal, or what is above `most`, with why. */
export function checkUsdc(
  options: { allowZero?: boolean; most?: { micro: string | bigint; why: string } } = {},
) {
  const { allowZero, most } = options;
  return checkAmount({ ...USDC_RULES, allowZero, most: most && { minor: most.micro, why: most.why } });
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

/** A moment to the second, where order matters (calls, deposits); a missing one reads `missing`. */
export const formatMoment = (iso: string | null | undefined, missing = '—') =>
  formatToTheSecond(iso, missing);
