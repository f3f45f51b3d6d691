import { formatMinorNumber, parseDecimalToMinor } from '../../lib/money';

export type FaucetAmount = { ok: true; minor: string } | { ok: false; error: string };

/**
 * What was typed in whole tokens (`250`, `1,000`, `12.5`) as the faucet takes it, in minor units
 * (`250000000` USDC), or why it is refused: not a number, more decimals than the token has, zero, or
 * above the faucet's most (which the server publishes with the chain; it still decides).
 */
export function parseFaucetAmount(
  text: string,
  { decimals, symbol }: { decimals: number; symbol: string },
  maxMinor: bigint,
): FaucetAmount {
  if (!text.trim()) return { ok: false, error: 'Enter an amount' };
  let minor: bigint;
  try {
    minor = BigInt(parseDecimalToMinor(text, decimals));
  } catch (error) {
    const reason = error instanceof RangeError ? error.message : 'enter an amount such as 250';
    return { ok: false, error: `${reason[0]?.toUpperCase()}${reason.slice(1)}` };
  }
  if (minor === 0n) return { ok: false, error: 'Enter an amount above zero' };
  if (minor > maxMinor) {
    const most = formatMinorNumber(maxMinor.toString(), decimals);
    return { ok: false, error: `The faucet gives at most ${most.replace(/\.0+$/, '')} ${symbol}` };
  }
  return { ok: true, minor: minor.toString() };
}
