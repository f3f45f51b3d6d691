import { describe, expect, it } from 'vitest';
import { isBankDay, nextBankDay } from './bank-days';

describe('TARGET2 bank days', () => {
  it('skips weekends and the fixed and Easter closing days', () => {
    expect(isBankDay('2026-06-01')).toBe(true);
    expect(isBankDay('2026-06-06')).toBe(false);
    expect(isBankDay('2026-06-07')).toBe(false);
    // Easter 2026 is 5 April: Good Friday the 3rd, Easter Monday the 6th.
    expect(isBankDay('2026-04-03')).toBe(false);
    expect(isBankDay('2026-04-06')).toBe(false);
    expect(isBankDay('2026-04-07')).toBe(true);
    expect(isBankDay('2026-05-01')).toBe(false);
    expect(isBankDay('2026-12-25')).toBe(false);
    expect(isBankDay('2027-01-01')).toBe(false);
    expect(isBankDay('2026-02-30')).toBe(false);
    expect(isBankDay('tomorrow')).toBe(false);
  });

  it('finds the next bank day after a day', () => {
    expect(nextBankDay('2026-06-01')).toBe('2026-06-02');
    expect(nextBankDay('2026-06-05')).toBe('2026-06-08');
    expect(nextBankDay('2026-04-02')).toBe('2026-04-07');
    expect(nextBankDay('2026-12-24')).toBe('2026-12-28');
  });
});
