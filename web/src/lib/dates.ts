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
