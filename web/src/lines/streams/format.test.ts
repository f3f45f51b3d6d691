import { describe, expect, it } from 'vitest';
import { flowFigure, flowRateOf, formatTokenWei, periodAmount, textColourOn } from './format';

describe('the streams line’s money', () => {
  it('derives the seed’s flow rate from 10 DAI a month of 30 days, exactly', () => {
    const tenDai = 10n * 10n ** 18n;
    expect(flowRateOf(tenDai, 'month')).toBe(3_858_024_691_358n);
    expect(periodAmount(3_858_024_691_358n, 'month')).toBe(9_999_999_999_999_936_000n);
    expect(flowFigure(tenDai, 'month', 'DAIx')).toBe('10.00 DAIx a month = 3,858,024,691,358 wei a second');
    expect(flowRateOf(864n * 10n ** 17n, 'day')).toBe(10n ** 15n);
    expect(flowRateOf(2_591_999n, 'month')).toBe(0n);
  });

  it('writes amounts as the API takes them and shows them with their token', () => {
    expect(formatTokenWei('9999999999999936000', 'DAIx')).toBe('9.999999999999936 DAIx');
    expect(formatTokenWei('2592000000000000000000', 'USDCx')).toBe('2,592.00 USDCx');
  });

  it('writes a card’s text in black or white, whichever reads on its colour', () => {
    expect(textColourOn('#212529')).toBe('#ffffff');
    expect(textColourOn('#f8f9fa')).toBe('#000000');
    expect(textColourOn('#1c7ed6')).toBe('#000000');
    expect(textColourOn('#862e9c')).toBe('#ffffff');
  });
});
