import { describe, expect, it } from 'vitest';
import { parseFaucetAmount } from './faucetAmount';

const USDC = { decimals: 6, symbol: 'USDC' };
const DAI = { decimals: 18, symbol: 'DAI' };
const MOST_USDC = 100_000_000_000n;

describe('parseFaucetAmount', () => {
  it('reads whole tokens, with or without thousands separators, as minor units', () => {
    expect(parseFaucetAmount('250', USDC, MOST_USDC)).toEqual({ ok: true, minor: '250000000' });
    expect(parseFaucetAmount(' 1,000 ', USDC, MOST_USDC)).toEqual({ ok: true, minor: '1000000000' });
    expect(parseFaucetAmount('12.50', USDC, MOST_USDC)).toEqual({ ok: true, minor: '12500000' });
    expect(parseFaucetAmount('12.', DAI, 10n ** 30n)).toEqual({ ok: true, minor: `12${'0'.repeat(18)}` });
    expect(parseFaucetAmount('100000', USDC, MOST_USDC)).toEqual({ ok: true, minor: '100000000000' });
  });

  it('refuses what the faucet would refuse, saying why', () => {
    expect(parseFaucetAmount('', USDC, MOST_USDC)).toEqual({ ok: false, error: 'Enter an amount' });
    expect(parseFaucetAmount('ten', USDC, MOST_USDC)).toEqual({
      ok: false,
      error: 'Enter a positive amount such as 12.50',
    });
    expect(parseFaucetAmount('-5', USDC, MOST_USDC)).toMatchObject({ ok: false });
    expect(parseFaucetAmount('0.0000001', USDC, MOST_USDC)).toEqual({
      ok: false,
      error: 'Use at most 6 decimals',
    });
    expect(parseFaucetAmount('0', USDC, MOST_USDC)).toEqual({
      ok: false,
      error: 'Enter an amount above zero',
    });
    expect(parseFaucetAmount('100000.000001', USDC, MOST_USDC)).toEqual({
      ok: false,
      error: 'The faucet gives at most 100,000 USDC',
    });
  });
});
