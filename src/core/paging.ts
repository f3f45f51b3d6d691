import { z } from '@hono/zod-openapi';
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { AppError } from './errors';
import { isUuid } from './ids';

/**
 * Cursor paging, one way for every list of every line: `?cursor=&limit=` in, `{ items, next_cursor }`
 * out. A cursor is opaque to clients; inside it is the sort key of the last row served, compared
 * as what it is (a sequence number as a number, a UUIDv7 or a time as such), so a walk sees every
 * row exactly once in a stable order whatever is inserted meanwhile, and an index serves each page.
 */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface PageRequest {
  /** The `nextCursor` of the page before; none for the first page. */
  cursor?: string;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** The one limit clamp: 1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when unsaid. */
export function pageLimit(limit: number | undefined, max = MAX_PAGE_SIZE): number {
  if (limit === undefined || !Number.isFinite(limit)) return Math.min(DEFAULT_PAGE_SIZE, max);
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}

/** What a cursor holds: a sequence number, a time-ordered id, or a time with an id to break ties. */
export type CursorKey = { seq: bigint } | { id: string } | { at: Date; id: string };

export function encodeCursor(key: CursorKey): string {
  const text =
    'seq' in key ? `s:${key.seq}` : 'at' in key ? `t:${key.at.toISOString()}|${key.id}` : `i:${key.id}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

const invalidCursor = () =>
  new AppError('validation_failed', 'cursor: not a cursor this list gave out', { field: 'cursor' });

function decodeText(cursor: string, prefix: string): string {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(prefix)) throw invalidCursor();
  return text.slice(prefix.length);
}

/** The sequence number in a cursor of a list ordered by one. */
export function seqFromCursor(cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined;
  const value = decodeText(cursor, 's:');
  if (!/^\d{1,19}$/.test(value)) throw invalidCursor();
  return BigInt(value);
}

/** The id in a cursor of a list ordered by a time-ordered id (UUIDv7). */
export function idFromCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const value = decodeText(cursor, 'i:');
  if (!isUuid(value)) throw invalidCursor();
  return value;
}

/** The time and id in a cursor of a list ordered by a time, ties broken by id. */
export function timeFromCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [iso, id] = decodeText(cursor, 't:').split('|');
  const at = new Date(iso ?? '');
  if (!id || !isUuid(id) || Number.isNaN(at.getTime()) || at.toISOString() !== iso) throw invalidCursor();
  return { at, id };
}

/**
 * The rows after a cursor of a list ordered by a time then an id, newest first: one row comparison,
 * which an index on (time, id) answers directly. None without a cursor.
 */
export function olderThan(at: SQLWrapper, id: SQLWrapper, cursor: string | undefined): SQL | undefined {
  const after = timeFromCursor(cursor);
  return after ? sql`(${at}, ${id}) < (${after.at}, ${after.id})` : undefined;
}

/** A page from `limit + 1` rows read in order: the extra row only says there is more. */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => CursorKey): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** The query fields of every paged list. */
export const pageQuery = {
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'the next_cursor of the previous page; none for the first page' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .optional()
    .openapi({ description: `items per page, ${DEFAULT_PAGE_SIZE} by default` }),
};

/** The response of every paged list. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'pass as cursor for the next page; null on the last' }),
  });

export const pageJson = <T, J>(page: Page<T>, toJson: (item: T) => J) => ({
  items: page.items.map(toJson),
  next_cursor: page.nextCursor,
});
