import type { AuditQuery } from '../../api/types';

/** The audit log's filters, as they sit in the page's address, so a filtered view can be linked and reloaded. */
export const auditFilterFields = [
  { name: 'action', label: 'Action', placeholder: 'invitation.accept' },
  { name: 'object_type', label: 'Object type', placeholder: 'organization' },
  { name: 'object_id', label: 'Object id', placeholder: '' },
  { name: 'actor_user_id', label: 'Actor (user id)', placeholder: '' },
  { name: 'organization_id', label: 'Organisation id', placeholder: '' },
] as const;

export type AuditFilterName = (typeof auditFilterFields)[number]['name'] | 'from' | 'to';
export type AuditFilters = Record<AuditFilterName, string>;

const filterNames: AuditFilterName[] = [...auditFilterFields.map((field) => field.name), 'from', 'to'];

export function filtersFromSearch(search: URLSearchParams): AuditFilters {
  return Object.fromEntries(filterNames.map((name) => [name, search.get(name) ?? ''])) as AuditFilters;
}

export function searchFromFilters(filters: AuditFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const name of filterNames) if (filters[name].trim()) search.set(name, filters[name].trim());
  return search;
}

/** `from` and `to` are typed as local date-times (`2026-06-01T09:00`); the API takes ISO 8601 with an offset. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function queryFromFilters(filters: AuditFilters): AuditQuery {
  const query: AuditQuery = {};
  for (const { name } of auditFilterFields) if (filters[name].trim()) query[name] = filters[name].trim();
  const from = localToIso(filters.from);
  const to = localToIso(filters.to);
  if (from) query.from = from;
  if (to) query.to = to;
  return query;
}

/** The CSV export of the same filtered entries. */
export function exportHref(filters: AuditFilters): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(queryFromFilters(filters))) search.set(name, String(value));
  const query = search.toString();
  return `/api/audit/export.csv${query ? `?${query}` : ''}`;
}
