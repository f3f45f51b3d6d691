import { describe, expect, it } from 'vitest';
import { type AmountRules, editableAmount, formatAmount, parseAmount } from './amounts';

const USD: AmountRules = { scale: 2, asset: 'USD' };
const USDC: AmountRules = { scale: 6, asset: 'USDC' };
const KWD: AmountRules = { scale: 3, asset: 'KWD' };
const CREDITS: AmountRules = { scale: 0, asset: 'credits' };

const read = (text: string, rules: AmountRules) => {
  const parsed = parseAmount(text, rules);
  return parsed.ok ? parsed.minor : parsed.error;
};

describe('parseAmount', () => {
  it('takes either decimal separator, and thousands grouped by the other one or by spaces', () => {
    expect(read('49,00', USD)).toBe(4900n);
    expect(read('49.00', USD)).toBe(4900n);
    expect(read('49', USD)).toBe(4900n);
    expect(read('49,5', USD)).toBe(4950n);
    expect(read('1,234.50', USD)).toBe(123450n);
    expect(read('1.234,50', USD)).toBe(123450n);
    expect(read('1 234,50', USD)).toBe(123450n);
    expect(read("1'234.50", USD)).toBe(123450n);
    expect(read('1,000,000', USD)).toBe(100000000n);
    expect(read('0,125', USDC)).toBe(125000n);
    expect(read('.5', USD)).toBe(50n);
  });

  it('refuses what could be read two ways, and says how to write either reading', () => {
    expect(read('1,234', USD)).toBe(
      '“1,234” could be 1234 or 1.234: write 1234 without a separator, or at most 2 decimals',
    );
    expect(read('1.234', USD)).toMatch(/^“1\.234” could be 1234 or 1\.234/);
    expect(read('1,250', USDC)).toBe(
      '“1,250” could be 1250 or 1.250: write 1250 without a separator, or 1.2500 for decimals',
    );
    expect(read('1,250', KWD)).toBe(
      '“1,250” could be 1250 or 1.250: write 1250 without a separator, or 01.250 for decimals',
    );
    expect(read('01.250', KWD)).toBe(1250n);
  });

  it('reads a group of thousands where the asset has no decimals to mistake it for', () => {
    expect(read('1,200', CREDITS)).toBe(1200n);
    expect(read('1.200', CREDITS)).toBe(1200n);
    expect(read('007', CREDITS)).toBe(7n);
    expect(read('12,5', CREDITS)).toBe('credits has no decimals: enter a whole amount');
    expect(read('1.5', { scale: 0, asset: 'JPY' })).toBe('JPY has no decimals: enter a whole amount');
  });

  it('refuses more decimals than the asset has instead of rounding them away', () => {
    expect(read('49.9999', USD)).toBe('USD has 2 decimals: use at most 2');
    expect(read('0.999', USD)).toBe('USD has 2 decimals: use at most 2');
    expect(read('0.0000001', USDC)).toBe('USDC has 6 decimals: use at most 6');
    expect(read('1.25', { scale: 1, asset: 'XYZ' })).toBe('XYZ has 1 decimal: use at most 1');
  });

  it('refuses what is not an amount, zero unless allowed, and past the most with its reason', () => {
    expect(read('', USD)).toBe('Enter an amount');
    expect(read('ten', USD)).toBe('Enter an amount such as 12.50');
    expect(read('-5', USD)).toBe('Enter an amount such as 12.50');
    expect(read('1e3', CREDITS)).toBe('Enter an amount such as 100');
    expect(read('0', USD)).toBe('Enter an amount above zero');
    expect(read('0', { ...USD, allowZero: true })).toBe(0n);
    expect(read('12,34,567', USD)).toBe('Group thousands by three digits, as in 1,000,000');
    expect(read('1,2,3.5', USD)).toBe('Enter an amount such as 1,250.50 or 1250.50');
    expect(read('1234567890123456789', CREDITS)).toBe('Enter a smaller amount');
    const capped = { ...USD, most: { minor: 100_000_000n, why: 'the highest display price' } };
    expect(read('1000000', capped)).toBe(100_000_000n);
    expect(read('1000000.01', capped)).toBe('At most 1,000,000.00 USD: the highest display price');
    expect(read('1000000000000.99', capped)).toBe('At most 1,000,000.00 USD: the highest display price');
  });

  it('keeps every digit, past what a float holds', () => {
    expect(read('123456789012345678.123456789012345678', { scale: 18, asset: 'DAI' })).toBe(
      123456789012345678123456789012345678n,
    );
  });
});

describe('amounts as shown and as put back into an input', () => {
  it('shows the amount with its asset', () => {
    expect(formatAmount(4900n, USD)).toBe('49.00 USD');
    expect(formatAmount('1200', CREDITS)).toBe('1,200 credits');
  });

  it('writes an amount so that reading it back gives the same amount', () => {
    expect(editableAmount(123450n, 2)).toBe('1234.50');
    expect(editableAmount('1125000', 6)).toBe('1.1250');
    expect(editableAmount('1234', 3)).toBe('01.234');
    expect(editableAmount('1250', 3)).toBe('1.25');
    expect(editableAmount('125000', 6)).toBe('0.125');
    for (const [minor, rules] of [
      [1125000n, USDC],
      [1234n, KWD],
      [123456789n, USD],
      [1200n, CREDITS],
    ] as const) {
      expect(read(editableAmount(minor, rules.scale), rules)).toBe(minor);
    }
  });
});
