import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from './errors';
import {
  allocate,
  divideRounded,
  formatAmount,
  multiplyRatio,
  parseAmount,
  type RoundingMode,
  rescale,
  smaller,
  UINT256_MAX,
} from './money';

/** The error `fn` throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function expectAppError(fn: () => unknown, code: ErrorCode, message?: string): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message !== undefined) expect((error as AppError).message).toBe(message);
}

describe('smaller', () => {
  it('is the smaller of two amounts, either way round', () => {
    expect(smaller(3n, 5n)).toBe(3n);
    expect(smaller(5n, 3n)).toBe(3n);
    expect(smaller(-(2n ** 255n), 0n)).toBe(-(2n ** 255n));
    expect(smaller(7n, 7n)).toBe(7n);
  });
});

describe('scales', () => {
  it('go from 0 to 36, and say so when outside', () => {
    expect(parseAmount('1', 36)).toBe(10n ** 36n);
    expect(formatAmount(1n, 36)).toBe(`0.${'0'.repeat(35)}1`);
    expectAppError(
      () => parseAmount('1', 37),
      'bad_request',
      'scale must be an integer from 0 to 36, got 37',
    );
    expectAppError(
      () => parseAmount('1', -1),
      'bad_request',
      'scale must be an integer from 0 to 36, got -1',
    );
    expectAppError(
      () => parseAmount('1', 1.5),
      'bad_request',
      'scale must be an integer from 0 to 36, got 1.5',
    );
  });
});

const SCALES = [0, 2, 6, 18] as const;
const MODES: readonly RoundingMode[] = ['half_up', 'half_even', 'down', 'up'];
const abs = (value: bigint): bigint => (value < 0n ? -value : value);

describe('parseAmount', () => {
  it.each([
    ['0', 0, 0n],
    ['42', 0, 42n],
    ['-7', 0, -7n],
    ['5.0', 0, 5n],
    ['5.000', 0, 5n],
    ['12.50', 2, 1250n],
    ['12.5', 2, 1250n],
    ['12', 2, 1200n],
    ['0.01', 2, 1n],
    ['-0.01', 2, -1n],
    ['12.340', 2, 1234n],
    ['007.10', 2, 710n],
    ['1.000001', 6, 1_000_001n],
    ['-1.5', 6, -1_500_000n],
    ['0.000001', 6, 1n],
    ['1', 18, 10n ** 18n],
    ['0.000000000000000001', 18, 1n],
    ['-0.000000000000000001', 18, -1n],
  ])('parses %j at scale %i into %s minor units', (text, scale, minor) => {
    expect(parseAmount(text, scale)).toBe(minor);
  });

  it('parses 18-decimal amounts far beyond 2^63 exactly', () => {
    const text = '123456789012345678901234567890.123456789012345678';
    const minor = parseAmount(text, 18);
    expect(minor).toBe(123456789012345678901234567890123456789012345678n);
    expect(minor > 2n ** 63n).toBe(true);
    expect(formatAmount(minor, 18)).toBe(text);
    expect(parseAmount(`-${text}`, 18)).toBe(-minor);
  });

  it('parses the largest uint256 amount at scale 18 without losing a unit', () => {
    const text = formatAmount(UINT256_MAX, 18);
    expect(text).toBe('115792089237316195423570985008687907853269984665640564039457.584007913129639935');
    expect(parseAmount(text, 18)).toBe(UINT256_MAX);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseAmount('  12.50\n', 2)).toBe(1250n);
  });

  it.each([
    ['12.345', 2],
    ['0.001', 2],
    ['1.5', 0],
    ['0.0000001', 6],
    ['1.0000000000000000001', 18],
    ['-0.005', 2],
  ])('rejects %j at scale %i: more decimals than the scale is never rounded', (text, scale) => {
    const error = thrown(() => parseAmount(text, scale));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    expect((error as AppError).message).toContain(`more than ${scale} decimals`);
  });

  it.each([
    '',
    '   ',
    'abc',
    '12abc',
    '1e5',
    '1E5',
    '1.5e-2',
    '1.2.3',
    '.5',
    '5.',
    '+5',
    '--1',
    '1,000.00',
    '1 000',
    '0x10',
    'NaN',
    'Infinity',
    '-',
    '٣',
  ])('rejects %j as not a decimal amount', (text) => {
    for (const scale of SCALES) {
      expectAppError(
        () => parseAmount(text, scale),
        'validation_failed',
        `"${text}" is not a decimal amount`,
      );
    }
  });

  it.each([-1, 37, 1.5, Number.NaN])('rejects scale %d', (scale) => {
    expectAppError(() => parseAmount('1', scale), 'bad_request');
  });
});

describe('formatAmount', () => {
  it.each([
    [0n, 0, '0'],
    [-5n, 0, '-5'],
    [1234n, 0, '1234'],
    [1250n, 2, '12.50'],
    [1n, 2, '0.01'],
    [-1n, 2, '-0.01'],
    [0n, 2, '0.00'],
    [-100n, 2, '-1.00'],
    [1n, 6, '0.000001'],
    [12_500_000n, 6, '12.500000'],
    [1n, 18, '0.000000000000000001'],
    [10n ** 18n, 18, '1.000000000000000000'],
  ])('formats %s at scale %i as %j', (minor, scale, text) => {
    expect(formatAmount(minor, scale)).toBe(text);
  });

  it('formats with exactly `scale` decimals, canonicalising what parseAmount accepts', () => {
    expect(formatAmount(parseAmount('12.5', 2), 2)).toBe('12.50');
    expect(formatAmount(parseAmount('007', 2), 2)).toBe('7.00');
    expect(formatAmount(parseAmount('-0.00', 2), 2)).toBe('0.00');
    expect(formatAmount(parseAmount('1.500', 6), 6)).toBe('1.500000');
  });

  it('rejects a bad scale', () => {
    expectAppError(() => formatAmount(1n, -1), 'bad_request');
    expectAppError(() => formatAmount(1n, 37), 'bad_request');
  });

  it('round-trips every amount at scales 0, 2, 6 and 18, including ones far beyond 2^63', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -UINT256_MAX, max: UINT256_MAX }),
        fc.constantFrom(...SCALES),
        (minor, scale) => {
          const text = formatAmount(minor, scale);
          expect(parseAmount(text, scale)).toBe(minor);
          // The text is canonical: formatting what it parses to gives it back.
          expect(formatAmount(parseAmount(text, scale), scale)).toBe(text);
          const decimals = text.split('.')[1] ?? '';
          expect(decimals.length).toBe(scale);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips decimal text with up to `scale` decimals to the same number', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCALES),
        fc.boolean(),
        fc.stringMatching(/^\d{1,40}$/),
        fc.stringMatching(/^\d{0,18}$/),
        (scale, negative, whole, rawFraction) => {
          const fraction = rawFraction.slice(0, scale);
          const text = `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
          const minor = parseAmount(text, scale);
          const expected = BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
          expect(minor).toBe(negative ? -expected : expected);
          expect(parseAmount(formatAmount(minor, scale), scale)).toBe(minor);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('divideRounded', () => {
  it.each<[bigint, bigint, RoundingMode, bigint]>([
    // half_up: ties away from zero
    [5n, 2n, 'half_up', 3n],
    [7n, 2n, 'half_up', 4n],
    [-5n, 2n, 'half_up', -3n],
    [4n, 3n, 'half_up', 1n],
    [5n, 3n, 'half_up', 2n],
    [-4n, 3n, 'half_up', -1n],
    [-5n, 3n, 'half_up', -2n],
    [249n, 100n, 'half_up', 2n],
    [250n, 100n, 'half_up', 3n],
    // half_even: ties to the even neighbour, both ways, for negatives too
    [1n, 2n, 'half_even', 0n],
    [3n, 2n, 'half_even', 2n],
    [5n, 2n, 'half_even', 2n],
    [7n, 2n, 'half_even', 4n],
    [-1n, 2n, 'half_even', 0n],
    [-3n, 2n, 'half_even', -2n],
    [-5n, 2n, 'half_even', -2n],
    [-7n, 2n, 'half_even', -4n],
    [15n, 10n, 'half_even', 2n],
    [25n, 10n, 'half_even', 2n],
    [5n, 4n, 'half_even', 1n],
    [7n, 4n, 'half_even', 2n],
    [251n, 100n, 'half_even', 3n],
    [-251n, 100n, 'half_even', -3n],
    [249n, 100n, 'half_even', 2n],
    // down: towards zero
    [7n, 2n, 'down', 3n],
    [19n, 10n, 'down', 1n],
    [-7n, 2n, 'down', -3n],
    [-19n, 10n, 'down', -1n],
    // up: away from zero
    [7n, 2n, 'up', 4n],
    [11n, 10n, 'up', 2n],
    [-7n, 2n, 'up', -4n],
    [-11n, 10n, 'up', -2n],
  ])('%s / %s rounded %s is %s', (numerator, denominator, mode, expected) => {
    expect(divideRounded(numerator, denominator, mode)).toBe(expected);
  });

  it.each(MODES)('%s leaves an exact quotient (and zero) untouched', (mode) => {
    expect(divideRounded(10n, 5n, mode)).toBe(2n);
    expect(divideRounded(-10n, 5n, mode)).toBe(-2n);
    expect(divideRounded(0n, 7n, mode)).toBe(0n);
    expect(divideRounded(10n ** 40n, 10n ** 20n, mode)).toBe(10n ** 20n);
  });

  it('rejects a zero or negative denominator', () => {
    for (const mode of MODES) {
      expectAppError(() => divideRounded(1n, 0n, mode), 'bad_request', 'denominator must be positive');
      expectAppError(() => divideRounded(1n, -2n, mode), 'bad_request');
    }
  });

  it('is always within one unit of the exact quotient, on the side each mode promises', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        fc.bigInt({ min: 1n, max: 10n ** 20n }),
        (n, d) => {
          const results = Object.fromEntries(MODES.map((mode) => [mode, divideRounded(n, d, mode)]));
          for (const q of Object.values(results)) expect(abs(q * d - n) < d).toBe(true);
          // down never grows the magnitude, up never shrinks it
          expect(abs(results.down! * d) <= abs(n)).toBe(true);
          expect(abs(results.up! * d) >= abs(n)).toBe(true);
          // the half modes pick the nearest neighbour whenever it is not a tie
          const twiceError = (q: bigint) => abs(2n * (q * d - n));
          for (const mode of ['half_up', 'half_even'] as const) {
            expect(twiceError(results[mode]!) <= d).toBe(true);
          }
          // both sides of zero round by magnitude: the modes are symmetric
          for (const mode of MODES) expect(divideRounded(-n, d, mode)).toBe(-results[mode]!);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('multiplyRatio', () => {
  it('computes a 21% VAT line on a net amount, rounding once at the end', () => {
    // 21% of 19.99 EUR is 4.1979 EUR
    expect(multiplyRatio(1999n, 21n, 100n, 'half_up')).toBe(420n);
    expect(multiplyRatio(1999n, 21n, 100n, 'half_even')).toBe(420n);
    expect(multiplyRatio(1999n, 21n, 100n, 'down')).toBe(419n);
    expect(multiplyRatio(1999n, 21n, 100n, 'up')).toBe(420n);
    // 21% of 0.50 EUR is exactly 10.5 cents: a tie
    expect(multiplyRatio(50n, 21n, 100n, 'half_up')).toBe(11n);
    expect(multiplyRatio(50n, 21n, 100n, 'half_even')).toBe(10n);
    // A refund's VAT is the negative of the sale's
    expect(multiplyRatio(-1999n, 21n, 100n, 'half_up')).toBe(-420n);
  });

  it('multiplies before dividing, so no precision is lost on the way', () => {
    // 10 × 3 / 4 = 7.5 → 8; dividing first (10 / 4 = 2.5 → 3, × 3) would give 9
    expect(multiplyRatio(10n, 3n, 4n, 'half_up')).toBe(8n);
    // 1/3 of an amount, tripled by the ratio itself, is exact
    expect(multiplyRatio(100n, 3n, 3n, 'down')).toBe(100n);
  });

  it('works on 18-decimal amounts far beyond 2^63', () => {
    const net = parseAmount('1000000000000.000000000000000001', 18);
    expect(formatAmount(multiplyRatio(net, 21n, 100n, 'down'), 18)).toBe('210000000000.000000000000000000');
    expect(formatAmount(multiplyRatio(net, 21n, 100n, 'up'), 18)).toBe('210000000000.000000000000000001');
  });
});

describe('rescale', () => {
  it('scales up exactly', () => {
    expect(rescale(1250n, 2, 6, 'down')).toBe(12_500_000n);
    expect(rescale(1n, 0, 18, 'down')).toBe(10n ** 18n);
    expect(rescale(-3n, 2, 18, 'half_up')).toBe(-3n * 10n ** 16n);
    expect(rescale(77n, 6, 6, 'up')).toBe(77n);
  });

  it('scales down, rounding as told', () => {
    const dai = (text: string) => parseAmount(text, 18);
    expect(rescale(dai('1.235'), 18, 2, 'half_up')).toBe(124n);
    expect(rescale(dai('1.225'), 18, 2, 'half_even')).toBe(122n);
    expect(rescale(dai('1.235'), 18, 2, 'half_even')).toBe(124n);
    expect(rescale(dai('1.239999999999999999'), 18, 2, 'down')).toBe(123n);
    expect(rescale(dai('1.230000000000000001'), 18, 2, 'up')).toBe(124n);
    expect(rescale(dai('1.230000000000000001'), 18, 2, 'half_up')).toBe(123n);
    expect(rescale(dai('-1.235'), 18, 2, 'half_up')).toBe(-124n);
    expect(rescale(12_345_678n, 6, 0, 'half_up')).toBe(12n);
    expect(rescale(12_500_000n, 6, 0, 'half_even')).toBe(12n);
  });

  it('comes back to the same amount after scaling up then down, in every mode', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.constantFrom(...SCALES),
        fc.constantFrom(...SCALES),
        (amount, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          for (const mode of MODES) {
            expect(rescale(rescale(amount, low, high, mode), high, low, mode)).toBe(amount);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a bad scale', () => {
    expectAppError(() => rescale(1n, -1, 2, 'down'), 'bad_request');
    expectAppError(() => rescale(1n, 2, 40, 'down'), 'bad_request');
  });
});

describe('allocate', () => {
  it.each<[bigint, bigint[], bigint[]]>([
    [100n, [1n, 1n, 1n], [34n, 33n, 33n]],
    [-100n, [1n, 1n, 1n], [-34n, -33n, -33n]],
    [2n, [1n, 1n, 1n], [1n, 1n, 0n]],
    [1n, [1n, 1n], [1n, 0n]],
    [10n, [3n, 7n], [3n, 7n]],
    // 3.33 and 6.67: the leftover unit goes to the larger remainder, not the earlier part
    [10n, [1n, 2n], [3n, 7n]],
    [5n, [0n, 1n], [0n, 5n]],
    [7n, [0n, 3n, 0n, 3n], [0n, 4n, 0n, 3n]],
    [0n, [2n, 5n], [0n, 0n]],
    [1000n, [1n], [1000n]],
  ])('splits %s by [%s] into [%s]', (total, weights, parts) => {
    expect(allocate(total, weights)).toEqual(parts);
  });

  it('splits 18-decimal totals far beyond 2^63 without losing a unit', () => {
    const total = parseAmount('1000000000000000000000.000000000000000001', 18);
    const parts = allocate(total, [1n, 1n, 1n]);
    expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
    expect(parts[0]! - parts[2]!).toBe(1n);
  });

  it('rejects empty, negative and all-zero weights', () => {
    expectAppError(() => allocate(10n, []), 'bad_request', 'allocate needs at least one weight');
    expectAppError(() => allocate(10n, [2n, -1n]), 'bad_request', 'weights must not be negative');
    expectAppError(() => allocate(10n, [1n, -1n]), 'bad_request', 'weights must not be negative');
    expectAppError(() => allocate(10n, [0n, 0n]), 'bad_request', 'weights must not all be zero');
    expectAppError(() => allocate(10n, [-1n]), 'bad_request');
    expectAppError(() => allocate(10n, [0n]), 'bad_request');
    expectAppError(() => allocate(10n, [0n, 0n, 0n]), 'bad_request');
  });

  const totals = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
  const weightLists = fc
    .array(fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 10n ** 24n })), {
      minLength: 1,
      maxLength: 25,
    })
    .filter((weights) => weights.some((w) => w > 0n));

  it('always returns parts that add up to the total, one per weight, with the sign of the total', () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        const parts = allocate(total, weights);
        expect(parts).toHaveLength(weights.length);
        expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
        for (const part of parts) expect(total >= 0n ? part >= 0n : part <= 0n).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives no part more than one unit away from its exact share, and nothing to a zero weight', () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        const sum = weights.reduce((a, b) => a + b, 0n);
        const parts = allocate(total, weights);
        weights.forEach((weight, i) => {
          // |part − total·w/sum| < 1, in integers
          expect(abs(parts[i]! * sum - total * weight) < sum).toBe(true);
          if (weight === 0n) expect(parts[i]).toBe(0n);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('gives leftover units to the largest remainders, ties to the earlier part', () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        const sum = weights.reduce((a, b) => a + b, 0n);
        const magnitude = abs(total);
        const parts = allocate(total, weights).map(abs);
        const remainder = (i: number) => (magnitude * weights[i]!) % sum;
        const roundedUp = (i: number) => parts[i]! - (magnitude * weights[i]!) / sum === 1n;
        for (let i = 0; i < weights.length; i++) {
          for (let j = 0; j < weights.length; j++) {
            if (i === j || !roundedUp(j) || roundedUp(i)) continue;
            // j got a leftover unit and i did not: j's claim must be stronger
            const stronger = remainder(j) > remainder(i) || (remainder(j) === remainder(i) && j < i);
            expect(stronger, `part ${j} rounded up over part ${i}`).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('splits between equal weights with the extra units on the earliest parts', () => {
    fc.assert(
      fc.property(
        totals,
        fc.integer({ min: 1, max: 30 }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        (total, count, weight) => {
          const magnitude = abs(total);
          const n = BigInt(count);
          const sign = total < 0n ? -1n : 1n;
          const expected = Array.from(
            { length: count },
            (_, i) => sign * (magnitude / n + (BigInt(i) < magnitude % n ? 1n : 0n)),
          );
          expect(allocate(total, Array(count).fill(weight))).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
