import { describe, expect, it } from 'vitest';
import {
  checkDayRange,
  filtersFromSearch,
  queryFromFilters,
  searchFromFilters,
  usagesCsv,
} from './usageFilters';

describe('the usage history’s filters and export', () => {
  it('round-trips the filters through the address and leaves out empty ones', () => {
    const filters = filtersFromSearch(new URLSearchParams('action=generate_image&used_for=post%3A42'));
    expect(filters).toEqual({
      action: 'generate_image',
      used_for: 'post:42',
      from: '',
      to: '',
      workspace: '',
    });
    expect(searchFromFilters(filters).toString()).toBe('action=generate_image&used_for=post%3A42');
    expect(queryFromFilters(filters)).toEqual({ action: 'generate_image', used_for: 'post:42' });
  });

  it('makes the last day inclusive and refuses a range that ends before it starts', () => {
    const query = queryFromFilters({
      action: '',
      used_for: '',
      from: '2026-06-01',
      to: '2026-06-01',
      workspace: '',
    });
    expect(new Date(query.to!).getTime() - new Date(query.from!).getTime()).toBe(24 * 3600 * 1000);
    expect(
      checkDayRange({ action: '', used_for: '', from: '2026-06-02', to: '2026-06-01', workspace: '' }),
    ).toMatch(/must not be after/);
  });

  it('exports exact amounts and quotes what CSV needs quoted', () => {
    const csv = usagesCsv([
      {
        id: 'u1',
        user_id: 'p1',
        workspace_id: null,
        used_for: 'post "a", b',
        action: 'generate_image',
        amount: '123456789012345678',
        is_reserved: true,
        reservation_id: 'r1',
        reserved_for: 'job:9',
        paid_by: [
          { grant_id: 'g1', amount: '123456789012345670' },
          { grant_id: 'g2', amount: '8' },
        ],
        used_at: '2026-06-01T10:00:00.000Z',
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe(
      '2026-06-01T10:00:00.000Z,generate_image,"post ""a"", b",,123456789012345678,true,r1,job:9,g1:123456789012345670 g2:8,u1',
    );
  });
});
