import { describe, expect, it } from 'vitest';
import {
  balanceWords,
  centsOf,
  decimalInput,
  formatEuros,
  formatPercent,
  formatSignedEuros,
  ibanShapeProblem,
  inGroupsOfFour,
  memberPricePreview,
  packaging,
  quantityOf,
} from './format';

describe('coop money and amounts', () => {
  it('shows cents as euros exactly, however large', () => {
    expect(formatEuros('336')).toBe('€3.36');
    expect(formatEuros('5')).toBe('€0.05');
    expect(formatEuros('123456')).toBe('€1,234.56');
    expect(formatEuros('99999999999999999999')).toBe('€999,999,999,999,999,999.99');
  });

  it('reads a typed price with either separator, refusing more decimals than cents', () => {
    expect(centsOf('2,99')).toBe(299n);
    expect(centsOf('2.9')).toBe(290n);
    expect(centsOf('3')).toBe(300n);
    expect(centsOf('2.999')).toBeNull();
    expect(decimalInput('1,250.5', 2)).toBeNull();
  });

  it('prices one unit by the club’s rule: margin, then VAT, each rounded half-up', () => {
    // 2.99 × 1.05 = 3.1395 → 3.14; 7 % of 3.14 = 0.2198 → 0.22.
    expect(memberPricePreview(299n, 500n, 700n)).toBe(336n);
    expect(memberPricePreview(40n, 0n, 700n)).toBe(43n);
  });

  it('says rates and packaging as people read them', () => {
    expect(formatPercent(700)).toBe('7 %');
    expect(formatPercent(250)).toBe('2.5 %');
    expect(formatPercent(null)).toBe('none');
    expect(packaging({ amount_per_package: '0.500', unit: 'kg', packages: 1 })).toBe('0.5 kg');
    expect(packaging({ amount_per_package: '1.000', unit: 'piece', packages: 6 })).toBe('6 × 1 piece');
  });

  it('signs a change to a balance and says a balance in words, exactly', () => {
    expect(formatSignedEuros('-576')).toBe('−€5.76');
    expect(formatSignedEuros(500n)).toBe('+€5.00');
    expect(formatSignedEuros('0')).toBe('€0.00');
    expect(balanceWords('-576')).toBe('owes the club €5.76');
    expect(balanceWords('200')).toBe('in credit: the club owes it €2.00');
    expect(balanceWords('0')).toBe('settled: nothing owed either way');
  });

  it('says a weighed amount with its unit, without trailing zeros', () => {
    expect(quantityOf('2.130', 'kg')).toBe('2.13 kg');
    expect(quantityOf('1.000', 'piece')).toBe('1 piece');
    expect(quantityOf('3', 'piece')).toBe('3 pieces');
    expect(quantityOf('0.500', 'l')).toBe('0.5 litre');
  });
});

describe('bank codes', () => {
  it('prints IBANs and creditor references in groups of four', () => {
    expect(inGroupsOfFour('RF18539007547034')).toBe('RF18 5390 0754 7034');
    expect(inGroupsOfFour('de89 3704 0044 0532 0130 00')).toBe('DE89 3704 0044 0532 0130 00');
    expect(inGroupsOfFour('')).toBe('');
  });

  it('says what is wrong with an IBAN’s shape as it is typed, leaving its check digits to the server', () => {
    expect(ibanShapeProblem('')).toBeNull();
    expect(ibanShapeProblem('de89 3704 0044 0532 0130 00')).toBeNull();
    // A mistyped digit has the right shape: the server's check finds it.
    expect(ibanShapeProblem('DE89 3704 0044 0532 0130 01')).toBeNull();
    expect(ibanShapeProblem('8937040044')).toMatch(/country’s two letters/);
    expect(ibanShapeProblem('DEXX370400440532013000')).toMatch(/two check digits/);
    expect(ibanShapeProblem('DE89-3704-0044')).toMatch(/only letters and digits/);
    expect(ibanShapeProblem('DE89 3704')).toBe('An IBAN has at least 15 characters; this one has 8');
    expect(ibanShapeProblem(`DE89${'1'.repeat(31)}`)).toMatch(/at most 34 characters; this one has 35/);
  });
});
