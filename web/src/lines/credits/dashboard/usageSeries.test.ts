import { describe, expect, it } from 'vitest';
import { CHART_DAYS, chartRange, usageChartData } from './usageSeries';

describe('the usage chart’s data', () => {
  const range = chartRange(new Date('2026-06-30T15:00:00Z'));

  it('covers the last 30 UTC days, today included', () => {
    expect(range.days).toHaveLength(CHART_DAYS);
    expect(range.from).toBe('2026-06-01T00:00:00.000Z');
    expect(range.to).toBe('2026-07-01T00:00:00.000Z');
  });

  it('has a row for every day and a series per action, with exact totals', () => {
    const data = usageChartData(
      [
        { bucket: '2026-06-03T00:00:00.000Z', action: 'generate_image', amount: '9007199254740993' },
        { bucket: '2026-06-30T00:00:00.000Z', action: 'generate_image', amount: '2' },
        { bucket: '2026-06-30T00:00:00.000Z', action: 'invite_member', amount: '1' },
      ],
      range.days,
      [{ action: 'invite_member', label: 'Invite a member', price: '1', built_in: true, updated_at: '' }],
    );
    expect(data.rows).toHaveLength(CHART_DAYS);
    expect(data.rows[0]).toMatchObject({ generate_image: 0, invite_member: 0 });
    expect(data.rows[29]).toMatchObject({ generate_image: 2, invite_member: 1 });
    expect(data.series.map((s) => [s.name, s.label])).toEqual([
      ['generate_image', 'generate_image'],
      ['invite_member', 'Invite a member'],
    ]);
    expect(data.totals[0]?.total).toBe(9007199254740995n);
    expect(data.grandTotal).toBe(9007199254740996n);
  });
});
