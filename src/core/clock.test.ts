import { describe, expect, it } from 'vitest';
import { systemClock, TestClock } from './clock';

describe('TestClock', () => {
  it('starts at 2026-01-01T00:00:00Z unless told otherwise', () => {
    expect(new TestClock().now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(new TestClock('2026-03-01T12:30:00Z').now().toISOString()).toBe('2026-03-01T12:30:00.000Z');
    expect(new TestClock(new Date('2027-06-15T08:00:00.250Z')).now().toISOString()).toBe(
      '2027-06-15T08:00:00.250Z',
    );
  });

  it('stands still until it is moved', () => {
    const clock = new TestClock('2026-05-01T00:00:00Z');
    const first = clock.now();
    const second = clock.now();
    expect(second.getTime()).toBe(first.getTime());
  });

  it('is set to a string or a Date, forwards or backwards', () => {
    const clock = new TestClock();
    clock.set('2030-01-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    clock.set(new Date('2025-07-04T10:00:00.001Z'));
    expect(clock.now().toISOString()).toBe('2025-07-04T10:00:00.001Z');
  });

  it('advances by milliseconds, cumulatively, and returns the new time', () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    expect(clock.advance(1500).toISOString()).toBe('2026-01-01T00:00:01.500Z');
    expect(clock.advance(3 * 24 * 60 * 60 * 1000).toISOString()).toBe('2026-01-04T00:00:01.500Z');
    expect(clock.now().toISOString()).toBe('2026-01-04T00:00:01.500Z');
    expect(clock.advance(-1500).toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(clock.advance(0).toISOString()).toBe('2026-01-04T00:00:00.000Z');
  });

  it('hands out copies: changing a returned Date does not move the clock', () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    clock.now().setUTCFullYear(1999);
    clock.advance(1000).setUTCFullYear(1999);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.000Z');
  });
});

describe('systemClock', () => {
  it('reads the real time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    const after = Date.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after);
  });
});
