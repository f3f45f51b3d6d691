import { describe, expect, it } from 'vitest';
import { checkCreditorIdentifier } from './creditor-identifier';

describe('SEPA creditor identifiers', () => {
  it('accepts the Bundesbank’s published example, as people type it, compact', () => {
    expect(checkCreditorIdentifier('DE98ZZZ09999999999')).toEqual({
      valid: true,
      identifier: 'DE98ZZZ09999999999',
    });
    expect(checkCreditorIdentifier('de98 zzz0 9999 9999 99')).toEqual({
      valid: true,
      identifier: 'DE98ZZZ09999999999',
    });
  });

  it('skips the creditor business code in the check: any code keeps the same check digits', () => {
    expect(checkCreditorIdentifier('DE98ABC09999999999')).toMatchObject({ valid: true });
    expect(checkCreditorIdentifier('DE9800109999999999')).toMatchObject({ valid: true });
  });

  it('refuses a mistyped digit, swapped check digits, another country and what is no identifier', () => {
    const typo = { valid: false, reason: 'the check digits do not match: a character is mistyped' };
    expect(checkCreditorIdentifier('DE98ZZZ09999999998')).toEqual(typo);
    expect(checkCreditorIdentifier('DE89ZZZ09999999999')).toEqual(typo);
    expect(checkCreditorIdentifier('AT98ZZZ09999999999')).toEqual(typo);
    expect(checkCreditorIdentifier('DE98ZZZ')).toMatchObject({ valid: false });
    expect(checkCreditorIdentifier('DE89370400440532013000x')).toMatchObject({ valid: false });
    expect(checkCreditorIdentifier('')).toMatchObject({ valid: false });
  });
});
