const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp from the API in the reader's own time zone; a missing one reads as "never". */
export function formatDateTime(iso: string | null | undefined, missing = 'never'): string {
  if (!iso) return missing;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

const toTheSecond = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A timestamp to the second, where the order of things matters (purchases, usages, calls). */
export function formatToTheSecond(iso: string | null | undefined, missing = 'never'): string {
  if (!iso) return missing;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : toTheSecond.format(date);
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A timestamp as a date-time field shows it, in the reader's time zone (`2026-06-03T18:00`); empty for none. */
export function dateTimeInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** What a date-time field holds (the reader's local time) as the API takes it, with its offset; null when empty or not a date. */
export function isoFromDateTimeInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
