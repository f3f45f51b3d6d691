import { formatMinorNumber } from './money';

/**
 * What every table of the web app does with its rows (UI.md "Tables"): sort by a column, keep the
 * rows a search matches, and write them as CSV. Pure, so the rules are tested apart from any page.
 */

export type SortScalar = string | number | bigint | Date | boolean | null | undefined;
/** A list compares element by element: a price sorts by its currency, then its amount. */
export type SortValue = SortScalar | readonly SortScalar[];
export type SortDirection = 'ascending' | 'descending';

export interface TableSort {
  columnId: string;
  direction: SortDirection;
}

/** What the pure functions need of a column; the table component adds how a cell looks. */
export interface DataColumn<T> {
  id: string;
  header: string;
  /** What the column sorts by; a column without one does not sort. */
  sortValue?: (row: T) => SortValue;
  /** The column's text in the CSV file and in what a search reads; without one it is in neither. */
  csv?: (row: T) => string;
}

const text = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A value that is there to compare, or null: null, undefined, NaN and an invalid date are missing. */
function present(value: SortScalar): Exclude<SortScalar, undefined> {
  if (value === undefined || (typeof value === 'number' && Number.isNaN(value))) return null;
  if (value instanceof Date && Number.isNaN(value.getTime())) return null;
  return value;
}

function compareScalars(
  a: string | number | bigint | Date | boolean,
  b: string | number | bigint | Date | boolean,
) {
  if (typeof a === 'string' && typeof b === 'string') return text.compare(a, b);
  const left = a instanceof Date ? a.getTime() : typeof a === 'boolean' ? Number(a) : a;
  const right = b instanceof Date ? b.getTime() : typeof b === 'boolean' ? Number(b) : b;
  if (typeof left === 'string' || typeof right === 'string') return text.compare(String(left), String(right));
  // A bigint and a number compare exactly with < and > (the bigint is never turned into a float).
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The order of two sort values in `direction`. A missing value sorts after the others in either
 * direction (a deposit not credited yet is never the "latest" one); a list compares element by element.
 */
export function compareSortValues(
  a: SortValue,
  b: SortValue,
  direction: SortDirection = 'ascending',
): number {
  const sign = direction === 'ascending' ? 1 : -1;
  const left: readonly SortScalar[] = Array.isArray(a) ? a : [a];
  const right: readonly SortScalar[] = Array.isArray(b) ? b : [b];
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const x = present(left[index]);
    const y = present(right[index]);
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const order = compareScalars(x, y);
    if (order !== 0) return sign * order;
  }
  return 0;
}

/**
 * The rows in the order `sort` asks, as a new array; rows that compare equal keep the order they came
 * in (newest first, as the API pages them).
 */
export function sortRows<T>(
  rows: readonly T[],
  columns: readonly DataColumn<T>[],
  sort: TableSort | null,
): T[] {
  const sortValue = sort && columns.find((column) => column.id === sort.columnId)?.sortValue;
  if (!sort || !sortValue) return [...rows];
  return rows
    .map((row) => ({ row, key: sortValue(row) }))
    .sort((a, b) => compareSortValues(a.key, b.key, sort.direction))
    .map(({ row }) => row);
}

/** Lower case without accents, so `zoe` finds "Zoë" and `ADA` finds "ada@example.com". */
const folded = (value: string) => value.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();

/** Every word of `query` appears in `text`, in any order and case; an empty query matches everything. */
export function matchesSearch(text: string, query: string): boolean {
  const haystack = folded(text);
  return folded(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** What a search reads in a row: the text of every exported column. */
export function rowSearchText<T>(row: T, columns: readonly DataColumn<T>[]): string {
  return columns.flatMap((column) => (column.csv ? [column.csv(row)] : [])).join(' ');
}

export function searchRows<T>(rows: readonly T[], query: string, textOf: (row: T) => string): T[] {
  return query.trim() ? rows.filter((row) => matchesSearch(textOf(row), query)) : [...rows];
}

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
/** A signed decimal, perhaps with its unit (`-5`, `-12.50 EUR`): a number to a spreadsheet, never a formula. */
const SIGNED_AMOUNT = /^-\d+(\.\d+)?( [A-Za-z]+)?$/;

/**
 * One CSV field as RFC 4180 writes it (quoted when it holds a comma, a quote or a line break, its
 * quotes doubled), and, as the server's exports do, with an apostrophe before text a spreadsheet
 * would run as a formula: emails, order references and names arrive from outside.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) && !SIGNED_AMOUNT.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A header row and the rows as CSV text, every line ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** The rows as CSV, one field per column that has a CSV value, headed by the columns' headers. */
export function tableCsv<T>(rows: readonly T[], columns: readonly DataColumn<T>[]): string {
  const exported = columns.filter((column) => column.csv);
  return toCsv(
    exported.map((column) => column.header),
    rows.map((row) => exported.map((column) => column.csv!(row))),
  );
}

/** An amount for a CSV file: exact, without thousands separators, with its unit (`1200 credits`, `0.0025 USDC`). */
export function csvAmount(minor: string | bigint, scale: number, unit: string): string {
  return `${formatMinorNumber(minor.toString(), scale).replaceAll(',', '')} ${unit}`;
}

/** A moment for a CSV file: ISO 8601 in UTC, to the second (`2025-06-01T09:30:05Z`); none is empty. */
export function csvTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19)}Z`;
}

/** A download's file name: the table's and the day's, in the person's own calendar (`purchases-2025-06-01.csv`). */
export function csvFileName(table: string, at: Date): string {
  const day = [at.getFullYear(), at.getMonth() + 1, at.getDate()]
    .map((part, index) => String(part).padStart(index === 0 ? 4 : 2, '0'))
    .join('-');
  return `${table}-${day}.csv`;
}
