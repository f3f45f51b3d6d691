import { describe, expect, it } from 'vitest';
import { dateTimeInput, isoFromDateTimeInput } from './dates';

describe('date-time fields', () => {
  it('reads a date-time field in local time and gives it back with its offset', () => {
    const iso = isoFromDateTimeInput('2026-06-03T18:30');
    expect(iso).not.toBeNull();
    expect(dateTimeInput(iso)).toBe('2026-06-03T18:30');
    expect(new Date(iso!).getTime()).toBe(new Date(2026, 5, 3, 18, 30).getTime());
    expect(isoFromDateTimeInput('')).toBeNull();
    expect(isoFromDateTimeInput('tomorrow')).toBeNull();
    expect(dateTimeInput(null)).toBe('');
  });
});
