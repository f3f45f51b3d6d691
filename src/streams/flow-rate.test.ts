import { describe, expect, it } from 'vitest';
import { parseAmount } from '../core/money';
import { flowRateOf, MAX_FLOW_RATE, periodAmount, SECONDS_PER_PERIOD, streamedBetween } from './flow-rate';

const DAI = (text: string) => parseAmount(text, 18);

describe('a stream’s flow rate', () => {
  it('is the seed’s 3,858,024,691,358 wei per second for 10 DAI a month of 30 days', () => {
    expect(flowRateOf(DAI('10'), 'month')).toBe(3_858_024_691_358n);
    expect(SECONDS_PER_PERIOD.month).toBe(30n * 24n * 3600n);
  });

  it('rounds down to whole wei per second, and says what a period then really costs', () => {
    const rate = flowRateOf(DAI('10'), 'month');
    expect(periodAmount(rate, 'month')).toBe(9_999_999_999_999_936_000n);
    expect(DAI('10') - periodAmount(rate, 'month')).toBeLessThan(SECONDS_PER_PERIOD.month);
    // A price that divides evenly streams exactly.
    expect(flowRateOf(DAI('3.6'), 'hour')).toBe(1_000_000_000_000_000n);
    expect(periodAmount(flowRateOf(DAI('3.6'), 'hour'), 'hour')).toBe(DAI('3.6'));
    expect(flowRateOf(DAI('86.4'), 'day')).toBe(DAI('0.001'));
  });

  it('is zero for a price below one wei per second, and fits the protocol’s int96 otherwise', () => {
    expect(flowRateOf(3_599n, 'hour')).toBe(0n);
    expect(flowRateOf(3_600n, 'hour')).toBe(1n);
    expect(MAX_FLOW_RATE).toBe(39_614_081_257_132_168_796_771_975_167n);
  });

  it('streams rate × seconds between two moments, and nothing backwards', () => {
    expect(streamedBetween(5n, 100n, 160n)).toBe(300n);
    expect(streamedBetween(5n, 160n, 100n)).toBe(0n);
  });
});
