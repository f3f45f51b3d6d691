/**
 * CSV as RFC 4180 writes it: comma-separated, CRLF line ends, a field quoted when it holds a comma,
 * a quote or a line break, quotes doubled. A field that a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, as OWASP's CSV
 * injection advice says: audit entries carry text people typed (organisation names, emails). A
 * negative number alone (-20.94) is left as it is: it runs nothing, and an accountant's spreadsheet
 * must read it as a number.
 */

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) && !NEGATIVE_NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

export interface CsvRecord {
  /** The line of the file the record starts on, counted from 1: what an error report names. */
  line: number;
  fields: string[];
}

/**
 * Reads CSV as people's spreadsheets write it: RFC 4180 (quoted fields, doubled quotes, line breaks
 * inside quotes), with a comma or a semicolon as separator (the one the header line uses; European
 * spreadsheets write semicolons), CRLF or LF, a byte-order mark ignored. The apostrophe `csvField`
 * puts before a formula-like field is taken off again, so an exported file reads back as it was.
 * Blank lines are skipped. Throws a `CsvError` naming the line of a quote left open.
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const headerEnd = source.search(/\r?\n/);
  const header = headerEnd < 0 ? source : source.slice(0, headerEnd);
  const separator = header.split(';').length > header.split(',').length ? ';' : ',';
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const endField = () => {
    fields.push(/^'[=+\-@\t\r]/.test(field) ? field.slice(1) : field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (quoted) {
      if (char === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === separator) {
      endField();
    } else if (char === '\r' && source[i + 1] === '\n') {
      // The CRLF's line feed ends the record.
    } else if (char === '\n' || char === '\r') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) throw new CsvError(`a quoted field opened on line ${recordLine} is never closed`, recordLine);
  endRecord();
  return records;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
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
