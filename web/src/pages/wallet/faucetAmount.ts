import { formatMinorNumber, parseDecimalToMinor } from '../../lib/money';

export type FaucetAmount = { ok: true; amount: string; minor: string } | { ok: false; error: string };

/**
 * What was typed (`250`, `1,000`, `12.5`) as the faucet takes it (`1000`, `12.5`), or why it is
 * refused: not a number, more decimals than the token has, zero, or above the faucet's limit (which
 * the server publishes with the chain; it still decides).
 */
export function parseFaucetAmount(
  text: string,
  decimals: number,
  symbol: string,
  maxWholeTokens: bigint,
): FaucetAmount {
  if (!text.trim()) return { ok: false, error: 'Enter an amount' };
  let minor: bigint;
  try {
    minor = BigInt(parseDecimalToMinor(text, decimals));
  } catch (error) {
    const reason = error instanceof RangeError ? error.message : 'enter an amount such as 250';
    return { ok: false, error: `${reason[0]?.toUpperCase()}${reason.slice(1)}` };
  }
  const unit = 10n ** BigInt(decimals);
  if (minor === 0n) return { ok: false, error: 'Enter an amount above zero' };
  if (minor > maxWholeTokens * unit) {
    const most = formatMinorNumber((maxWholeTokens * unit).toString(), decimals);
    return { ok: false, error: `The faucet gives at most ${most.replace(/\.0+$/, '')} ${symbol}` };
  }
  const whole = (minor / unit).toString();
  const fraction = (minor % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
  return { ok: true, amount: fraction ? `${whole}.${fraction}` : whole, minor: minor.toString() };
}
