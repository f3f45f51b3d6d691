import { describe, expect, it } from 'vitest';
import {
  creditorReference,
  findCreditorReferences,
  formatCreditorReference,
  isCreditorReference,
} from './creditor-reference';
import { checkIban, formatIban } from './iban';
import { mod97 } from './mod97';

describe('IBANs', () => {
  it('accepts valid ones as people type them, compact', () => {
    expect(checkIban('de89 3704 0044 0532 0130 00')).toEqual({ valid: true, iban: 'DE89370400440532013000' });
    expect(checkIban('GB29 NWBK 6016 1331 9268 19')).toEqual({ valid: true, iban: 'GB29NWBK60161331926819' });
    expect(checkIban('NL91ABNA0417164300')).toMatchObject({ valid: true });
    expect(formatIban('DE89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
  });

  it('refuses a typo, a wrong length, a country outside SEPA and what is no IBAN, saying why', () => {
    expect(checkIban('DE89 3704 0044 0532 0130 01')).toEqual({
      valid: false,
      reason: 'the check digits do not match: a character is mistyped',
    });
    expect(checkIban('DE89 3704 0044 0532 0130 0')).toMatchObject({
      valid: false,
      reason: expect.stringContaining('22 characters'),
    });
    expect(checkIban('US12 3456 7890 1234')).toMatchObject({
      valid: false,
      reason: 'US is not a country of the SEPA area',
    });
    expect(checkIban('12345')).toMatchObject({ valid: false });
    expect(checkIban('')).toMatchObject({ valid: false });
  });
});

describe('creditor references (ISO 11649)', () => {
  it('computes the check digits of the standard’s example and checks them', () => {
    expect(creditorReference('539007547034')).toBe('RF18539007547034');
    expect(formatCreditorReference('RF18539007547034')).toBe('RF18 5390 0754 7034');
    expect(isCreditorReference('rf18 5390 0754 7034')).toBe(true);
    expect(isCreditorReference('RF18539007547035')).toBe(false);
    expect(isCreditorReference('RF185390075470341234567890')).toBe(false);
  });

  it('makes a valid reference of any base, with two digits even when the check is below ten', () => {
    for (const base of ['1', 'A', '12345678901234567890Z', 'ORDER12ABCD']) {
      const reference = creditorReference(base);
      expect(reference).toMatch(/^RF\d{2}/);
      expect(isCreditorReference(reference)).toBe(true);
      expect(mod97(reference.slice(4) + reference.slice(0, 4))).toBe(1);
    }
    expect(() => creditorReference('')).toThrow(RangeError);
    expect(() => creditorReference('1234567890123456789012')).toThrow(RangeError);
  });

  it('finds references in a payer’s free text, with or without spaces, and skips broken ones', () => {
    expect(findCreditorReferences('Order 12 RF18 5390 0754 7034 thanks!')).toEqual(['RF18539007547034']);
    expect(findCreditorReferences('rf18539007547034')).toEqual(['RF18539007547034']);
    expect(findCreditorReferences('RF18539007547035 typo')).toEqual([]);
    expect(findCreditorReferences('no reference here')).toEqual([]);
  });
});
