/**
 * Splitting money in whole micro-units: each part gets the floor of its exact share, and the units
 * left over go one each to the parts with the largest remainders (ties to the earlier part), so the
 * parts always add up to the whole and no part is off by more than one unit.
 */
export function largestRemainder(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (total < 0n || weights.some((w) => w < 0n))
    throw new Error('largestRemainder: amounts must not be negative');
  if (sum === 0n) {
    if (total !== 0n) throw new Error('largestRemainder: nothing to split by');
    return weights.map(() => 0n);
  }
  const parts = weights.map((w) => (total * w) / sum);
  const remainders = weights.map((w, index) => ({ index, remainder: (total * w) % sum }));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const { index } of remainders) {
    if (left === 0n) break;
    parts[index]! += 1n;
    left -= 1n;
  }
  return parts;
}

export interface Allocation {
  /** The platform's fee from each provider's gross. */
  fees: bigint[];
  /** What each provider earns: its gross less its fee. */
  nets: bigint[];
  totalFee: bigint;
  /** Each provider's share of all nets, in hundredths of a percent, summing to 10,000 (when anything was earned). */
  sharesBps: number[];
}

/**
 * The fee is taken on the run's whole gross, rounded down (the platform never takes a unit more
 * than its rate), then spread over the providers in proportion to what they earned.
 */
export function allocate(gross: readonly bigint[], feeBps: number): Allocation {
  const total = gross.reduce((a, b) => a + b, 0n);
  const totalFee = (total * BigInt(feeBps)) / 10_000n;
  const fees = largestRemainder(totalFee, gross);
  const nets = gross.map((g, i) => g - fees[i]!);
  const netTotal = nets.reduce((a, b) => a + b, 0n);
  const sharesBps = netTotal === 0n ? nets.map(() => 0) : largestRemainder(10_000n, nets).map(Number);
  return { fees, nets, totalFee, sharesBps };
}
