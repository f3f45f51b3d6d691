import { describe, expect, it } from 'vitest';
import { formatRate, formatUsdc, parseUsdc, usdcNumber } from './format';

const micro = (text: string, options?: { allowZero?: boolean }) => {
  const parsed = parseUsdc(text, options);
  return parsed.ok ? parsed.micro : parsed.error;
};

describe('parseUsdc', () => {
  it('takes either decimal separator, and thousands grouped by the other one or by spaces', () => {
    expect(micro('49.00')).toBe('49000000');
    expect(micro('49,00')).toBe('49000000');
    expect(micro(' 0.0025 ')).toBe('2500');
    expect(micro('0,0025')).toBe('2500');
    expect(micro('.5')).toBe('500000');
    expect(micro('12')).toBe('12000000');
    expect(micro('1,250.50')).toBe('1250500000');
    expect(micro('1.250,50')).toBe('1250500000');
    expect(micro('1 250,5')).toBe('1250500000');
    expect(micro('1,000,000')).toBe('1000000000000');
    expect(micro('0.000001')).toBe('1');
    expect(micro('0,125')).toBe('125000');
  });

  it('refuses what could be read two ways, says how to write it, and never guesses', () => {
    expect(micro('1,250')).toBe(
      '“1,250” could be 1250 or 1.250: write 1250 without a separator, or 1.2500 for decimals',
    );
    expect(micro('12.500')).toMatch(/^“12\.500” could be 12500 or 12\.500/);
  });

  it('refuses what is not an amount, zero, and more decimals than USDC has', () => {
    expect(micro('')).toBe('Enter an amount');
    expect(micro('ten')).toBe('Enter an amount such as 12.50');
    expect(micro('-5')).toBe('Enter an amount such as 12.50');
    expect(micro('1e3')).toBe('Enter an amount such as 12.50');
    expect(micro('0')).toBe('Enter an amount above zero');
    expect(micro('0', { allowZero: true })).toBe('0');
    expect(micro('0.0000001')).toBe('USDC has 6 decimals: use at most 6');
    expect(micro('1,2,3.5')).toBe('Enter an amount such as 1,250.50 or 1250.50');
    expect(micro('1.2.3,5')).toBe('Enter an amount such as 1,250.50 or 1250.50');
    expect(micro('12,34,567')).toBe('Group thousands by three digits, as in 1,000,000');
  });
});

describe('money as shown', () => {
  it('shows micro-units exactly with the asset', () => {
    expect(formatUsdc('2500')).toBe('0.0025 USDC');
    expect(formatUsdc('49000000')).toBe('49.00 USDC');
    expect(formatUsdc(1234567891n)).toBe('1,234.567891 USDC');
    expect(usdcNumber('1234567891')).toBe('1234.567891');
  });

  it('shows rates as people read them', () => {
    expect(formatRate(0.985)).toBe('98.5 %');
    expect(formatRate(null)).toBe('no calls yet');
  });
});
