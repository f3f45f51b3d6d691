import { and, eq, isNull } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { CsvError, parseCsv, toCsv } from '../../core/csv';
import { AppError } from '../../core/errors';
import { formatAmount, parseAmount } from '../../core/money';
import type { CoopDeps } from '../deps';
import { type PackagingUnit, packagingUnits, products, productVersions } from '../schema';
import {
  changedFields,
  cleanCategories,
  createProductIn,
  getProducerProducts,
  type ProductFields,
  requireProducerEditor,
  updateProductIn,
} from './service';

/**
 * A producer's products as the spreadsheet a liaison keeps: one row a product, its reference
 * (`code`) the key. Decimals are written with a point; a comma is read as one too (`2,99`), since
 * European spreadsheets write it so. Categories are separated by `;` within their cell.
 */
export const PRODUCT_COLUMNS = [
  'code',
  'name',
  'description',
  'categories',
  'unit',
  'amount_per_package',
  'packages',
  'estimate',
  'maximum_available',
  'price',
  'vat_percent',
  'margin_percent',
  'origin',
  'ingredients',
] as const;

type Column = (typeof PRODUCT_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['code', 'name', 'unit', 'amount_per_package', 'price', 'vat_percent'];

/** The producer's products on offer, as CSV. */
export async function exportProducts(deps: CoopDeps, actor: Actor, producerId: string): Promise<string> {
  const listed = await getProducerProducts(deps, actor, producerId);
  return toCsv(
    PRODUCT_COLUMNS,
    listed.map(({ current: v }) => [
      v.code,
      v.name,
      v.description,
      v.categories.join('; '),
      v.unit,
      trimZeros(formatAmount(v.amountPerPackage, 3)),
      String(v.packages),
      v.estimate ? 'yes' : 'no',
      v.maximumAvailable === null ? '' : String(v.maximumAvailable),
      formatAmount(v.priceCents, 2),
      trimZeros(formatAmount(BigInt(v.vatBasisPoints), 2)),
      v.marginBasisPoints === null ? '' : trimZeros(formatAmount(BigInt(v.marginBasisPoints), 2)),
      v.origin ?? '',
      v.ingredients ?? '',
    ]),
  );
}

const trimZeros = (decimal: string) => decimal.replace(/\.?0+$/, '');

export interface RowProblem {
  column: Column | null;
  message: string;
}

export interface ImportRow {
  /** The line of the file the row starts on. */
  line: number;
  code: string;
  name: string;
  /** What saving would do with it. */
  action: 'create' | 'update' | 'unchanged' | 'invalid';
  problems: RowProblem[];
}

export interface ImportResult {
  rows: ImportRow[];
  /** Whether anything was saved: only when asked to and no row has a problem. */
  saved: boolean;
  counts: Record<ImportRow['action'], number>;
}

const YES = new Set(['yes', 'y', 'true', '1', 'ja', 'oui', 'x']);
const NO = new Set(['no', 'n', 'false', '0', 'nein', 'non', '']);

/** One cell's decimal, read exactly: `2.99` and `2,99` alike. */
function decimal(text: string, scale: number): bigint {
  return parseAmount(text.trim().replace(',', '.'), scale);
}

function readRow(cells: ReadonlyMap<Column, string>): {
  fields: ProductFields | null;
  problems: RowProblem[];
} {
  const problems: RowProblem[] = [];
  const cell = (column: Column) => cells.get(column)?.trim() ?? '';
  const problem = (column: Column, message: string) => problems.push({ column, message });
  for (const column of REQUIRED) if (!cell(column)) problem(column, 'is empty');
  const exact = (column: Column, scale: number, required: boolean): bigint | null => {
    const text = cell(column);
    if (!text) return required ? 0n : null;
    try {
      const value = decimal(text, scale);
      if (value < 0n) problem(column, 'is negative');
      return value;
    } catch {
      problem(column, `“${text}” is not a number with at most ${scale} decimals`);
      return 0n;
    }
  };
  const whole = (column: Column, fallback: number | null): number | null => {
    const text = cell(column);
    if (!text) return fallback;
    if (!/^\d{1,7}$/.test(text)) {
      problem(column, `“${text}” is not a whole number`);
      return fallback;
    }
    return Number(text);
  };
  const unit = cell('unit').toLowerCase();
  if (unit && !(packagingUnits as readonly string[]).includes(unit))
    problem('unit', `“${unit}” is not one of ${packagingUnits.join(', ')}`);
  const estimateText = cell('estimate').toLowerCase();
  if (!YES.has(estimateText) && !NO.has(estimateText))
    problem('estimate', `“${estimateText}” is not yes or no`);
  const amountPerPackage = exact('amount_per_package', 3, true) ?? 0n;
  if (cell('amount_per_package') && amountPerPackage === 0n) problem('amount_per_package', 'is zero');
  const packages = whole('packages', 1) ?? 1;
  if (packages < 1) problem('packages', 'is less than one');
  const vat = exact('vat_percent', 2, true) ?? 0n;
  if (vat > 10_000n) problem('vat_percent', 'is more than 100');
  const margin = exact('margin_percent', 2, false);
  if (margin !== null && margin > 100_000n) problem('margin_percent', 'is more than 1000');
  const fields: ProductFields = {
    code: cell('code'),
    name: cell('name'),
    description: cell('description'),
    categories: cleanCategories(cell('categories').split(/[;|]/)),
    unit: unit as PackagingUnit,
    amountPerPackage,
    packages,
    estimate: YES.has(estimateText),
    maximumAvailable: whole('maximum_available', null),
    priceCents: exact('price', 2, true) ?? 0n,
    vatBasisPoints: Number(vat),
    marginBasisPoints: margin === null ? null : Number(margin),
    origin: cell('origin') || null,
    ingredients: cell('ingredients') || null,
  };
  return { fields: problems.length === 0 ? fields : null, problems };
}

/**
 * Reads a producer's products from CSV and says, row by row, what saving would do or what is wrong.
 * With `save`, and only when no row has a problem, it creates and updates them all in one
 * transaction: a file is taken whole or not at all. A product missing from the file is left as it is.
 */
export async function importProducts(
  deps: CoopDeps,
  actor: Actor,
  producerId: string,
  csv: string,
  options: { save: boolean },
): Promise<ImportResult> {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(csv);
  } catch (error) {
    if (error instanceof CsvError)
      throw new AppError('validation_failed', `the file: ${error.message}`, { line: error.line });
    throw error;
  }
  const [header, ...body] = records;
  if (!header)
    throw new AppError(
      'validation_failed',
      'the file is empty: it needs a header line and a row per product',
    );
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  const unknown = columns.filter((name) => name && !(PRODUCT_COLUMNS as readonly string[]).includes(name));
  const missing = REQUIRED.filter((name) => !columns.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new AppError(
      'validation_failed',
      [
        missing.length > 0 ? `the header lacks ${missing.join(', ')}` : '',
        unknown.length > 0 ? `the header has columns Tally does not know: ${unknown.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      { expected: PRODUCT_COLUMNS, missing, unknown },
    );
  }
  if (body.length > 2_000) throw new AppError('validation_failed', 'a file holds at most 2000 products');

  return deps.db.transaction(async (tx) => {
    const producer = await requireProducerEditor(deps, tx, actor, producerId);
    const existing = await tx
      .select({ id: products.id, version: productVersions })
      .from(products)
      .innerJoin(
        productVersions,
        and(eq(productVersions.productId, products.id), eq(productVersions.version, products.currentVersion)),
      )
      .where(and(eq(products.producerId, producer.id), isNull(products.archivedAt)));
    const byCode = new Map(existing.map((row) => [row.version.code.toLowerCase(), row]));
    const seen = new Map<string, number>();
    const rows: (ImportRow & { fields: ProductFields | null; productId: string | null })[] = [];
    for (const record of body) {
      const cells = new Map<Column, string>();
      columns.forEach((name, index) => {
        if (name) cells.set(name as Column, record.fields[index] ?? '');
      });
      const { fields, problems } = readRow(cells);
      const code = cells.get('code')?.trim() ?? '';
      const key = code.toLowerCase();
      if (code && seen.has(key)) problems.push({ column: 'code', message: `repeats line ${seen.get(key)}` });
      if (code) seen.set(key, record.line);
      const found = byCode.get(key);
      let action: ImportRow['action'] = 'invalid';
      if (problems.length === 0 && fields) {
        if (!found) action = 'create';
        else {
          const { productId: _p, version: _v, createdBy: _b, createdAt: _a, ...current } = found.version;
          action = changedFields(fields, current).length === 0 ? 'unchanged' : 'update';
        }
      }
      rows.push({
        line: record.line,
        code,
        name: cells.get('name')?.trim() ?? '',
        action,
        problems,
        fields: problems.length === 0 ? fields : null,
        productId: found?.id ?? null,
      });
    }
    const valid = rows.every((row) => row.problems.length === 0);
    const saved = options.save && valid && rows.length > 0;
    if (saved) {
      for (const row of rows) {
        if (row.action === 'create') await createProductIn(tx, deps, actor, producer, row.fields!);
        else if (row.action === 'update')
          await updateProductIn(tx, deps, actor, producer, row.productId!, row.fields!);
      }
    }
    const counts = { create: 0, update: 0, unchanged: 0, invalid: 0 };
    for (const row of rows) counts[row.action] += 1;
    return {
      rows: rows.map(({ fields: _f, productId: _p, ...row }) => row),
      saved,
      counts,
    };
  });
}
