import { describe, expect, it } from 'vitest';
import { Amount, PositiveAmount, SignedAmount } from './amounts';
import { UINT256_MAX } from './money';

describe('the one amount schema', () => {
  it('takes whole minor units up to 2^256-1 as decimal strings, and nothing else', () => {
    for (const good of ['0', '1', '1250000', UINT256_MAX.toString()])
      expect(Amount.safeParse(good).success, good).toBe(true);
    for (const bad of ['', '-1', '01', '1.5', '1e6', ' 1', (UINT256_MAX + 1n).toString(), '9'.repeat(79)]) {
      expect(Amount.safeParse(bad).success, bad).toBe(false);
    }
    expect(Amount.safeParse(12).success).toBe(false);
  });

  it('has a positive form and a signed form that refuse 0', () => {
    expect(PositiveAmount.safeParse('0').success).toBe(false);
    expect(PositiveAmount.safeParse('3').success).toBe(true);
    expect(SignedAmount.safeParse('-25').success).toBe(true);
    expect(SignedAmount.safeParse('0').success).toBe(false);
    expect(SignedAmount.safeParse(`-${UINT256_MAX + 1n}`).success).toBe(false);
  });
});
