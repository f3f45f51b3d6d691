import { describe, expect, it } from 'vitest';
import { allot, type Claim } from './allocation';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute));
const claim = (
  householdId: string,
  quantity: number,
  minute: number,
  lastShortAt: Date | null = null,
): Claim => ({
  householdId,
  quantity,
  orderedAt: at(minute),
  lastShortAt,
});

describe('sharing a product that ran short', () => {
  const claims = [claim('a', 6, 3), claim('b', 3, 1), claim('c', 1, 2)];

  it('gives everybody what they ordered when there is enough', () => {
    for (const rule of ['pro_rata', 'rotation', 'order_time'] as const) {
      expect(Object.fromEntries(allot(rule, 10, claims))).toEqual({ a: 6, b: 3, c: 1 });
    }
  });

  it('pro rata: shares rounded down, the rest to the largest remainders, ties to the earlier order', () => {
    // 5 of 10: a 3, b 1.5, c 0.5 → a 3, b 1, c 0, and the one left goes to b (earlier than c).
    expect(Object.fromEntries(allot('pro_rata', 5, claims))).toEqual({ a: 3, b: 2, c: 0 });
    // 7 of 10: a 4.2, b 2.1, c 0.7 → 4, 2, 0 and one left: c has the largest remainder.
    expect(Object.fromEntries(allot('pro_rata', 7, claims))).toEqual({ a: 4, b: 2, c: 1 });
  });

  it('pro rata never hands out more than there is, nor more than anybody ordered', () => {
    for (let available = 0; available <= 12; available++) {
      const shares = allot('pro_rata', available, claims);
      const total = [...shares.values()].reduce((s, n) => s + n, 0);
      expect(total).toBe(Math.min(available, 10));
      for (const c of claims) expect(shares.get(c.householdId)).toBeLessThanOrEqual(c.quantity);
    }
  });

  it('order time: first ordered, first served, in full', () => {
    expect(Object.fromEntries(allot('order_time', 5, claims))).toEqual({ b: 3, c: 1, a: 1 });
  });

  it('rotation: whoever was short of it most recently comes first, then by order time', () => {
    const rotating = [claim('a', 6, 3, at(-60)), claim('b', 3, 1), claim('c', 1, 2, at(-10))];
    expect(Object.fromEntries(allot('rotation', 7, rotating))).toEqual({ c: 1, a: 6, b: 0 });
  });

  it('refuses an amount that is not a whole number of items', () => {
    expect(() => allot('pro_rata', -1, claims)).toThrow(RangeError);
    expect(() => allot('pro_rata', 1.5, claims)).toThrow(RangeError);
  });
});
