import { describe, expect, it } from 'vitest';
import { parseFaucetAmount } from './faucetAmount';

describe('parseFaucetAmount', () => {
  it('takes whole and decimal amounts, with or without thousands separators', () => {
    expect(parseFaucetAmount('250', 6, 'USDC', 100_000n)).toEqual({
      ok: true,
      amount: '250',
      minor: '250000000',
    });
    expect(parseFaucetAmount(' 1,000 ', 6, 'USDC', 100_000n)).toEqual({
      ok: true,
      amount: '1000',
      minor: '1000000000',
    });
    expect(parseFaucetAmount('12.50', 6, 'USDC', 100_000n)).toEqual({
      ok: true,
      amount: '12.5',
      minor: '12500000',
    });
    expect(parseFaucetAmount('12.', 18, 'DAI', 100_000n)).toEqual({
      ok: true,
      amount: '12',
      minor: `12${'0'.repeat(18)}`,
    });
    expect(parseFaucetAmount('100000', 6, 'USDC', 100_000n)).toMatchObject({ ok: true, amount: '100000' });
  });

  it('refuses what the faucet would refuse, saying why', () => {
    expect(parseFaucetAmount('', 6, 'USDC', 100_000n)).toEqual({ ok: false, error: 'Enter an amount' });
    expect(parseFaucetAmount('ten', 6, 'USDC', 100_000n)).toEqual({
      ok: false,
      error: 'Enter a positive amount such as 12.50',
    });
    expect(parseFaucetAmount('-5', 6, 'USDC', 100_000n)).toMatchObject({ ok: false });
    expect(parseFaucetAmount('0.0000001', 6, 'USDC', 100_000n)).toEqual({
      ok: false,
      error: 'Use at most 6 decimals',
    });
    expect(parseFaucetAmount('0', 6, 'USDC', 100_000n)).toEqual({
      ok: false,
      error: 'Enter an amount above zero',
    });
    expect(parseFaucetAmount('100000.000001', 6, 'USDC', 100_000n)).toEqual({
      ok: false,
      error: 'The faucet gives at most 100,000 USDC',
    });
  });
});
