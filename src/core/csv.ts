/**
 * CSV as RFC 4180 writes it: comma-separated, CRLF line ends, a field quoted when it holds a comma,
 * a quote or a line break, quotes doubled. A field that a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, as OWASP's CSV
 * injection advice says: audit entries carry text people typed (organisation names, emails).
 */

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** Rows in one CSV export; past it the response names the cursor to continue from (`X-Next-Cursor`). */
export const CSV_EXPORT_MAX_ROWS = 10_000;

/**
 * Reads a list page after page, following its cursor, up to `wanted` rows: pages follow the cursor,
 * so rows written during an export never shift or repeat. Returns the cursor to continue from.
 */
export async function collectPages<T>(
  readPage: (page: { cursor?: string; limit: number }) => Promise<{ items: T[]; nextCursor: string | null }>,
  options: { wanted: number; cursor?: string; pageSize?: number },
): Promise<{ rows: T[]; nextCursor: string | null }> {
  const rows: T[] = [];
  let cursor = options.cursor;
  let nextCursor: string | null = null;
  do {
    const page = await readPage({
      cursor,
      limit: Math.min(options.pageSize ?? 200, options.wanted - rows.length),
    });
    rows.push(...page.items);
    nextCursor = page.nextCursor;
    cursor = nextCursor ?? undefined;
  } while (nextCursor && rows.length < options.wanted);
  return { rows, nextCursor };
}

/** The headers of a CSV download named `<name>-<time>.csv`, with the cursor of the rest if any. */
export function csvHeaders(name: string, at: Date, nextCursor: string | null): Record<string, string> {
  const stamp = at.toISOString().slice(0, 19).replaceAll(':', '-');
  return {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}-${stamp}.csv"`,
    ...(nextCursor ? { 'x-next-cursor': nextCursor } : {}),
  };
}
