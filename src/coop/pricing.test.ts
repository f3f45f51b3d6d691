import { describe, expect, it } from 'vitest';
import { billTotals, memberUnitPrice, priceLine } from './pricing';

const terms = (producerPriceCents: bigint, marginBasisPoints: bigint, vatBasisPoints: bigint) => ({
  producerPriceCents,
  marginBasisPoints,
  vatBasisPoints,
});

describe('the price a household pays', () => {
  it('adds the margin, then VAT on the net, each rounded half-up to the cent per line', () => {
    // 2.99 × 1.05 = 3.1395 → 3.14 net; 3.14 × 7 % = 0.2198 → 0.22 VAT.
    expect(priceLine(terms(299n, 500n, 700n), 1000n)).toEqual({
      quantityThousandths: 1000n,
      netCents: 314n,
      vatCents: 22n,
      totalCents: 336n,
      vatBasisPoints: 700n,
    });
    // A half cent rounds up: 0.125 → 0.13 net (1 × 12.5 cents), and VAT 0.0065 → 0.01.
    expect(priceLine(terms(25n, 0n, 500n), 500n)).toMatchObject({
      netCents: 13n,
      vatCents: 1n,
      totalCents: 14n,
    });
    // Just under a half cent rounds down.
    expect(priceLine(terms(249n, 0n, 0n), 1n)).toMatchObject({ netCents: 0n, totalCents: 0n });
  });

  it('rounds once per line, not per unit', () => {
    // One: 1.01 × 1.10 = 1.111 → 1.11. Nine: 9.999 → 10.00, not 9 × 1.11 = 9.99.
    expect(priceLine(terms(101n, 1000n, 0n), 9000n).netCents).toBe(1000n);
    expect(9n * priceLine(terms(101n, 1000n, 0n), 1000n).netCents).toBe(999n);
  });

  it('prices sold-by-weight goods per unit of weight, for the weight delivered', () => {
    // 14.90 per kg, 1.234 kg delivered, no margin, 2.5 % VAT: 18.3866 → 18.39; VAT 0.459750 → 0.46.
    expect(priceLine(terms(1490n, 0n, 250n), 1234n)).toMatchObject({
      netCents: 1839n,
      vatCents: 46n,
      totalCents: 1885n,
    });
  });

  it('shows members the unit price with margin and VAT', () => {
    expect(memberUnitPrice(terms(1000n, 1500n, 1000n))).toBe(1265n);
    expect(memberUnitPrice(terms(0n, 1500n, 1000n))).toBe(0n);
  });

  it('refuses what no bill can hold: a negative price, rate or quantity', () => {
    expect(() => priceLine(terms(-1n, 0n, 0n), 1000n)).toThrow(RangeError);
    expect(() => priceLine(terms(100n, -1n, 0n), 1000n)).toThrow(RangeError);
    expect(() => priceLine(terms(100n, 0n, -1n), 1000n)).toThrow(RangeError);
    expect(() => priceLine(terms(100n, 0n, 0n), -1n)).toThrow(RangeError);
  });
});

describe('a bill', () => {
  it('sums its lines and keeps net and VAT per rate, lowest rate first', () => {
    const lines = [
      priceLine(terms(299n, 500n, 700n), 1000n),
      priceLine(terms(1490n, 0n, 250n), 1234n),
      priceLine(terms(100n, 0n, 700n), 2000n),
    ];
    expect(billTotals(lines)).toEqual({
      netCents: 314n + 1839n + 200n,
      vatCents: 22n + 46n + 14n,
      totalCents: 336n + 1885n + 214n,
      byVatRate: [
        { vatBasisPoints: 250n, netCents: 1839n, vatCents: 46n },
        { vatBasisPoints: 700n, netCents: 514n, vatCents: 36n },
      ],
    });
    expect(billTotals([])).toEqual({ netCents: 0n, vatCents: 0n, totalCents: 0n, byVatRate: [] });
  });
});
