import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, largestRemainder } from './allocation';

describe('splitting money in micro-units', () => {
  it('gives each part its floor and the leftover units to the largest remainders', () => {
    expect(largestRemainder(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(largestRemainder(100n, [1n, 2n, 3n])).toEqual([17n, 33n, 50n]);
    expect(largestRemainder(7n, [0n, 5n, 5n])).toEqual([0n, 4n, 3n]);
    expect(largestRemainder(0n, [0n, 0n])).toEqual([0n, 0n]);
    expect(() => largestRemainder(1n, [0n])).toThrow('nothing to split by');
  });

  it('always adds up to the whole, each part within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 20n }), { minLength: 1, maxLength: 12 }),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0n);
          fc.pre(sum > 0n);
          const parts = largestRemainder(total, weights);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((part, i) => {
            const exactTimesSum = total * weights[i]!;
            expect(part * sum <= exactTimesSum + sum).toBe(true);
            expect(part * sum >= exactTimesSum - sum).toBe(true);
          });
        },
      ),
    );
  });

  it('takes the fee on the run’s gross rounded down, spread so fees and nets add up exactly', () => {
    // Three providers: 1.000001, 2.5 and 0.333333 USDC earned, a 5 % fee.
    const run = allocate([1_000_001n, 2_500_000n, 333_333n], 500);
    expect(run.totalFee).toBe(191_666n); // 5 % of 3,833,334 is 191,666.7: rounded down
    // 49,999.87, 124,999.55 and 16,666.57 exactly: the two units left go to .87 and .57.
    expect(run.fees).toEqual([50_000n, 124_999n, 16_667n]);
    expect(run.fees.reduce((a, b) => a + b, 0n)).toBe(run.totalFee);
    expect(run.nets).toEqual([950_001n, 2_375_001n, 316_666n]);
    // 2,608.69, 6,521.74 and 869.56 hundredths of a percent.
    expect(run.sharesBps).toEqual([2609, 6522, 869]);
    expect(run.sharesBps.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(allocate([0n, 0n], 500)).toEqual({
      fees: [0n, 0n],
      nets: [0n, 0n],
      totalFee: 0n,
      sharesBps: [0, 0],
    });
  });
});
