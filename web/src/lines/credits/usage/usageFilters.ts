import type { CreditsUsageQuery } from '../../../api/types';

/** The usage history's filters, kept in the page's address so a filtered view can be linked and reloaded. */
export interface UsageFilters {
  action: string;
  used_for: string;
  /** Days as typed (`2026-06-01`), in the reader's time zone, both included. */
  from: string;
  to: string;
  workspace: string;
}

const names: (keyof UsageFilters)[] = ['action', 'used_for', 'from', 'to', 'workspace'];

export function filtersFromSearch(search: URLSearchParams): UsageFilters {
  return Object.fromEntries(names.map((name) => [name, search.get(name) ?? ''])) as unknown as UsageFilters;
}

export function searchFromFilters(filters: UsageFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const name of names) if (filters[name].trim()) search.set(name, filters[name].trim());
  return search;
}

/** The start of a typed day in the reader's time zone, as ISO 8601; `dayAfter` for an exclusive end. */
function dayStart(day: string, dayAfter = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (dayAfter) date.setDate(date.getDate() + 1);
  return date.toISOString();
}

export function queryFromFilters(filters: UsageFilters): CreditsUsageQuery {
  const query: CreditsUsageQuery = {};
  if (filters.action) query.action = filters.action;
  if (filters.used_for.trim()) query.used_for = filters.used_for.trim();
  if (filters.workspace) query.workspace_id = filters.workspace;
  const from = dayStart(filters.from);
  const to = dayStart(filters.to, true);
  if (from) query.from = from;
  if (to) query.to = to;
  return query;
}

export function checkDayRange(filters: UsageFilters): string | null {
  const from = dayStart(filters.from);
  const to = dayStart(filters.to, true);
  return from && to && from >= to ? 'The first day must not be after the last' : null;
}

/** The server's CSV export of the same filtered usages (up to 10,000 rows, newest first). */
export function exportHref(filters: UsageFilters): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(queryFromFilters(filters))) search.set(name, String(value));
  const query = search.toString();
  return `/api/credits/usages/export.csv${query ? `?${query}` : ''}`;
}
