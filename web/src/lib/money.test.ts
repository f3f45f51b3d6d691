import { describe, expect, it } from 'vitest';
import { assetLabel, formatMinor, formatMinorNumber, parseDecimalToMinor } from './money';

describe('formatMinor', () => {
  it('shows every non-zero decimal and at least two', () => {
    expect(formatMinor('1250000', 6, 'USDC')).toBe('1.25 USDC');
    expect(formatMinor('4000', 6, 'USDC')).toBe('0.004 USDC');
    expect(formatMinor('1250', 2, 'EUR')).toBe('12.50 EUR');
    expect(formatMinor('1000000', 6, 'USDC')).toBe('1.00 USDC');
    expect(formatMinor('0', 6, 'USDC')).toBe('0.00 USDC');
    expect(formatMinor('1', 6, 'USDC')).toBe('0.000001 USDC');
  });

  it('keeps 18 decimals exactly, past what a float can hold', () => {
    expect(formatMinor('1000000000000000001', 18, 'DAI')).toBe('1.000000000000000001 DAI');
    expect(formatMinor('123456789012345678901234567890', 18, 'DAI')).toBe(
      '123,456,789,012.34567890123456789 DAI',
    );
  });

  it('groups thousands and names credits as credits', () => {
    expect(formatMinor('1200', 0, 'CREDIT:acme')).toBe('1,200 credits');
    expect(formatMinorNumber('123456789', 2)).toBe('1,234,567.89');
  });

  it('handles negative amounts', () => {
    expect(formatMinorNumber('-1250', 2)).toBe('-12.50');
    expect(formatMinorNumber('-5', 2)).toBe('-0.05');
  });

  it('refuses what is not a whole number of minor units', () => {
    expect(() => formatMinorNumber('1.5', 2)).toThrow(RangeError);
    expect(() => formatMinorNumber('', 2)).toThrow(RangeError);
    expect(() => formatMinorNumber('12', 1.5)).toThrow(RangeError);
  });
});

describe('parseDecimalToMinor', () => {
  it('turns a typed amount into minor units', () => {
    expect(parseDecimalToMinor('12.5', 2)).toBe('1250');
    expect(parseDecimalToMinor('1,200', 0)).toBe('1200');
    expect(parseDecimalToMinor('0.000001', 6)).toBe('1');
    expect(parseDecimalToMinor('3.', 2)).toBe('300');
  });

  it('refuses more decimals than the asset has instead of rounding', () => {
    expect(() => parseDecimalToMinor('1.234', 2)).toThrow('use at most 2 decimals');
    expect(() => parseDecimalToMinor('1.5', 0)).toThrow('enter a whole amount');
    expect(() => parseDecimalToMinor('-1', 2)).toThrow(RangeError);
    expect(() => parseDecimalToMinor('abc', 2)).toThrow(RangeError);
  });
});

describe('assetLabel', () => {
  it('keeps token codes as they are', () => {
    expect(assetLabel('USDC')).toBe('USDC');
    expect(assetLabel('CREDIT:issuer-1')).toBe('credits');
  });
});
