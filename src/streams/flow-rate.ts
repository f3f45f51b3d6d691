import type { PricePeriod } from './schema';

/**
 * A stream's price per period and its flow rate (wei per second), exactly.
 *
 * A month is 30 days here. The seed's example, 10 DAI a month = 3,858,024,691,358 wei per second,
 * is 10 × 10¹⁸ ÷ 2,592,000 (30 days) rounded down; Superfluid's own apps use 365/12 days
 * (2,628,000 seconds), which would make it 3,805,175,038,051. Tally follows the seed, and says
 * "a month of 30 days" wherever it shows a monthly price.
 *
 * A flow rate is whole wei per second, so a price is rounded down to what the protocol can stream:
 * what a period really costs is `periodAmount(flowRate, period)`, a few wei below the price typed at
 * most (less than one wei per second of the period), and that is the figure Tally shows and books.
 */

export const SECONDS_PER_PERIOD: Readonly<Record<PricePeriod, bigint>> = {
  hour: 3_600n,
  day: 86_400n,
  month: 2_592_000n,
};

/** The largest flow rate Superfluid's constant flow agreement takes (an int96). */
export const MAX_FLOW_RATE = (1n << 95n) - 1n;

/** The flow rate of a price per period, rounded down to whole wei per second. */
export const flowRateOf = (price: bigint, period: PricePeriod): bigint => price / SECONDS_PER_PERIOD[period];

/** What a flow rate streams in one period. */
export const periodAmount = (flowRate: bigint, period: PricePeriod): bigint =>
  flowRate * SECONDS_PER_PERIOD[period];

/** What a flow rate streams between two moments (seconds), as the chain counts it. */
export const streamedBetween = (flowRate: bigint, fromSeconds: bigint, toSeconds: bigint): bigint =>
  toSeconds > fromSeconds ? flowRate * (toSeconds - fromSeconds) : 0n;
