import type { StreamsPlan, StreamsPlanKind, StreamsPlanToken, StreamsPricePeriod } from '../../api/types';
import type { AmountRules } from '../../lib/amounts';
import { formatMinor, formatMinorNumber } from '../../lib/money';

/**
 * How the streams line reads money and time. Super tokens (USDCx, DAIx) have 18 decimals whatever
 * they wrap; a plan's amounts arrive as wei (decimal strings of minor units, as every amount in the API) and
 * a flow rate as whole wei a second, and both are shown exactly, through bigint arithmetic only.
 */

export const TOKEN_DECIMALS = 18;
export const planTokens: StreamsPlanToken[] = ['DAIx', 'USDCx'];
export const tokenUnderlying: Record<StreamsPlanToken, string> = { DAIx: 'DAI', USDCx: 'USDC' };

/** What an amount field of a plan in `token` takes. */
export const tokenRules = (token: StreamsPlanToken, allowZero = false): AmountRules => ({
  scale: TOKEN_DECIMALS,
  asset: token,
  allowZero,
});

/**
 * The seconds of a price's period, as the server counts them (src/streams/flow-rate.ts): a month is
 * 30 days, so 10 DAI a month is the seed's 3,858,024,691,358 wei a second.
 */
const SECONDS_PER_PERIOD: Readonly<Record<StreamsPricePeriod, bigint>> = {
  hour: 3_600n,
  day: 86_400n,
  month: 2_592_000n,
};

/** The largest flow rate Superfluid's constant flow agreement takes (an int96), as the server checks it. */
export const MAX_FLOW_RATE = (1n << 95n) - 1n;

/** The flow rate of a price per period, rounded down to whole wei a second, as the server derives it. */
export const flowRateOf = (priceWei: bigint, period: StreamsPricePeriod): bigint =>
  priceWei / SECONDS_PER_PERIOD[period];

/** What a flow rate really streams in a period: a few wei below the price typed, at most. */
export const periodAmount = (flowRate: bigint, period: StreamsPricePeriod): bigint =>
  flowRate * SECONDS_PER_PERIOD[period];

export const periodLabels: Record<StreamsPricePeriod, string> = {
  hour: 'Hour',
  day: 'Day',
  month: 'Month (30 days)',
};

/** "a month" in "10.00 DAIx a month". */
export const perPeriod: Record<StreamsPricePeriod, string> = {
  hour: 'an hour',
  day: 'a day',
  month: 'a month',
};

export const kindLabels: Record<StreamsPlanKind, string> = {
  stream: 'Stream',
  vesting: 'Vesting',
  usage: 'N usage',
};

/** What each kind of plan is for, in the seed's words. */
export const kindDescriptions: Record<StreamsPlanKind, string> = {
  stream: 'The fee flows from the subscriber to you every second, at a price per hour, day or month.',
  vesting:
    'A stream that starts at a cliff date in the future, with a start amount paid then; nothing flows before.',
  usage: 'A price for each use, and the fewest and most uses a subscriber buys.',
};

/** Wei as people read them: `3858024691358n` → `3,858,024,691,358`. */
export const formatWei = (wei: bigint | string): string => formatMinorNumber(wei.toString(), 0);

/** Wei of a token (as the API gives every amount) with the token: `10000000000000000000n` → `10.00 DAIx`. */
export const formatTokenWei = (wei: bigint | string, token: string): string =>
  formatMinor(wei.toString(), TOKEN_DECIMALS, token);

/** "10.00 DAIx a month = 3,858,024,691,358 wei a second": the figure a producer checks the price by. */
export const flowFigure = (priceWei: bigint, period: StreamsPricePeriod, token: string): string =>
  `${formatTokenWei(priceWei, token)} ${perPeriod[period]} = ${formatWei(flowRateOf(priceWei, period))} wei a second`;

/** A plan's price as a card or a row shows it: per period, or per use with its limits. */
export function planPrice(plan: StreamsPlan): string {
  const token = plan.token.symbol;
  if (plan.stream) return `${formatTokenWei(plan.stream.per_period, token)} ${perPeriod[plan.stream.period]}`;
  if (plan.usage) return `${formatTokenWei(plan.usage.usage_price, token)} a use`;
  return '—';
}

/** What one subscriber streams in a month of 30 days, for a stream or a vesting plan; null for usage. */
export function monthlyWei(plan: StreamsPlan): bigint | null {
  return plan.stream ? periodAmount(BigInt(plan.stream.flow_rate), 'month') : null;
}

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

/**
 * The text colour that reads on a card's background: black or white, whichever contrasts more
 * (WCAG's relative luminance), so a producer's colour never makes a card unreadable.
 */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(background.trim());
  if (!match) return '#000000';
  const channel = (hex: string) => {
    const c = Number.parseInt(hex, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [, r = '00', g = '00', b = '00'] = match;
  const luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  // Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05: equal at L ≈ 0.179.
  return luminance > 0.179 ? '#000000' : '#ffffff';
}
