import { describe, expect, it } from 'vitest';
import {
  checkDayRange,
  exportHref,
  filtersFromSearch,
  queryFromFilters,
  searchFromFilters,
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

  it('exports the same filters through the server’s CSV', () => {
    const filters = filtersFromSearch(new URLSearchParams('action=generate_image&used_for=post%3A42'));
    expect(exportHref(filters)).toBe(
      '/api/credits/usages/export.csv?action=generate_image&used_for=post%3A42',
    );
    expect(exportHref(filtersFromSearch(new URLSearchParams()))).toBe('/api/credits/usages/export.csv');
  });
});
