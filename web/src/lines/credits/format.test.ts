import { describe, expect, it } from 'vitest';
import {
  checkCredits,
  checkCurrency,
  formatCredits,
  formatDisplayPrice,
  parseCredits,
  parsePrice,
} from './format';

describe('credits as people read and type them', () => {
  it('shows whole credits exactly, grouped, with the right noun', () => {
    expect(formatCredits('1200')).toBe('1,200 credits');
    expect(formatCredits('1')).toBe('1 credit');
    expect(formatCredits('0')).toBe('0 credits');
    expect(formatCredits('123456789012345678')).toBe('123,456,789,012,345,678 credits');
    expect(formatCredits(-25n)).toBe('-25 credits');
  });

  it('reads typed credits as a decimal string, refusing fractions and signs', () => {
    expect(parseCredits(' 1,200 ')).toBe('1200');
    expect(parseCredits('007')).toBe('7');
    expect(parseCredits('1.5')).toBeNull();
    expect(parseCredits('-3')).toBeNull();
    expect(parseCredits('1234567890123456789')).toBeNull();
  });

  it('checks a reseller’s limit with bigint arithmetic', () => {
    const check = checkCredits({ max: '9007199254740993' });
    expect(check('9007199254740993')).toBeNull();
    expect(check('9007199254740994')).toMatch(/^At most 9,007,199,254,740,993 credits/);
    expect(checkCredits()('0')).toBe('Enter more than 0 credits');
    expect(checkCredits({ allowZero: true })('0')).toBeNull();
  });

  it('shows and reads display prices in the currency’s minor units', () => {
    expect(formatDisplayPrice({ amount_minor: '4900', currency: 'USD' })).toBe('49.00 USD');
    expect(formatDisplayPrice({ amount_minor: '500', currency: 'JPY' })).toBe('500 JPY');
    expect(parsePrice('49.5', 'EUR')).toBe('4950');
    expect(parsePrice('49.555', 'EUR')).toBeNull();
    expect(parsePrice('500', 'JPY')).toBe('500');
  });

  it('reads a price with either decimal separator, up to a million of its currency', () => {
    expect(parsePrice('49,00', 'USD')).toBe('4900');
    expect(parsePrice('1.234,50', 'EUR')).toBe('123450');
    expect(parsePrice('1,234', 'USD')).toBeNull();
    expect(parsePrice('1000000', 'USD')).toBe('100000000');
    expect(parsePrice('1000000.01', 'USD')).toBeNull();
    expect(parsePrice('1000000', 'JPY')).toBe('1000000');
    expect(parsePrice('1000001', 'JPY')).toBeNull();
    expect(checkCurrency('EUR')).toBeNull();
    expect(checkCurrency('eu')).toBe('A three-letter code, such as USD or EUR');
    expect(checkCurrency('XYZ')).toBe('XYZ is not an ISO 4217 currency: use a code such as USD or EUR');
  });

  it('reads credits grouped either way, never with decimals', () => {
    expect(parseCredits('1.200')).toBe('1200');
    expect(parseCredits('1 200')).toBe('1200');
    expect(parseCredits('12,5')).toBeNull();
  });
});
