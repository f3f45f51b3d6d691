import { and, desc, eq, sql } from 'drizzle-orm';
import { authorize } from '../../core/access/authorization';
import type { Actor } from '../../core/actor';
import { requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { clubAccess } from '../clubs/service';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { memberUnitPrice } from '../pricing';
import { findProducer, producerStanding } from '../producers/service';
import { type PackagingUnit, producers, products, productVersions } from '../schema';

export type ProductVersion = typeof productVersions.$inferSelect;

/** What a product is now, with its producer's name and the price a member pays for one item. */
export interface ProductView {
  id: string;
  producerId: string;
  producerName: string;
  clubId: string;
  archivedAt: Date | null;
  current: ProductVersion;
  memberPriceCents: bigint;
}

/** A product's fields as an editor gives them; every amount already exact (cents, basis points, thousandths). */
export interface ProductFields {
  name: string;
  code: string;
  description: string;
  categories: string[];
  unit: PackagingUnit;
  amountPerPackage: bigint;
  packages: number;
  estimate: boolean;
  maximumAvailable: number | null;
  priceCents: bigint;
  vatBasisPoints: number;
  marginBasisPoints: number | null;
  origin: string | null;
  ingredients: string | null;
}

/** Categories as people type them: trimmed, lower case, each once, in the order given. */
export function cleanCategories(categories: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const category of categories) {
    const clean = category.trim().toLowerCase();
    if (clean) seen.add(clean);
  }
  return [...seen];
}

function checkedFields(fields: ProductFields): ProductFields {
  const name = fields.name.trim();
  const code = fields.code.trim();
  if (!name) throw new AppError('validation_failed', 'give the product a name', { field: 'name' });
  if (!code)
    throw new AppError('validation_failed', 'give the product the producer’s reference', { field: 'code' });
  if (fields.amountPerPackage <= 0n)
    throw new AppError('validation_failed', 'a package holds more than nothing', {
      field: 'amount_per_package',
    });
  if (!Number.isInteger(fields.packages) || fields.packages < 1)
    throw new AppError('validation_failed', 'an item is one package or more', { field: 'packages' });
  if (
    fields.maximumAvailable !== null &&
    (!Number.isInteger(fields.maximumAvailable) || fields.maximumAvailable < 0)
  )
    throw new AppError('validation_failed', 'the maximum available is a whole number, 0 or more', {
      field: 'maximum_available',
    });
  if (fields.priceCents < 0n)
    throw new AppError('validation_failed', 'a price is never negative', { field: 'price' });
  if (fields.vatBasisPoints < 0 || fields.vatBasisPoints > 10_000)
    throw new AppError('validation_failed', 'VAT is from 0 to 100 %', { field: 'vat_percent' });
  if (
    fields.marginBasisPoints !== null &&
    (fields.marginBasisPoints < 0 || fields.marginBasisPoints > 100_000)
  )
    throw new AppError('validation_failed', 'the margin is from 0 to 1000 %', { field: 'margin_percent' });
  return {
    ...fields,
    name,
    code,
    description: fields.description.trim(),
    categories: cleanCategories(fields.categories),
    origin: fields.origin?.trim() || null,
    ingredients: fields.ingredients?.trim() || null,
  };
}

const priceOf = (version: ProductVersion) =>
  memberUnitPrice({
    producerPriceCents: version.priceCents,
    marginBasisPoints: BigInt(version.marginBasisPoints ?? 0),
    vatBasisPoints: BigInt(version.vatBasisPoints),
  });

interface ProductRow {
  product: typeof products.$inferSelect;
  version: ProductVersion;
  producerName: string;
}

const toView = ({ product, version, producerName }: ProductRow): ProductView => ({
  id: product.id,
  producerId: product.producerId,
  producerName,
  clubId: product.clubId,
  archivedAt: product.archivedAt,
  current: version,
  memberPriceCents: priceOf(version),
});

function currentProducts(db: Db) {
  return db
    .select({ product: products, version: productVersions, producerName: producers.name })
    .from(products)
    .innerJoin(
      productVersions,
      and(eq(productVersions.productId, products.id), eq(productVersions.version, products.currentVersion)),
    )
    .innerJoin(producers, eq(producers.id, products.producerId));
}

async function findProduct(db: Db, productId: string): Promise<ProductView> {
  if (!isUuid(productId)) throw notFound('product', { id: productId });
  const [row] = await currentProducts(db).where(eq(products.id, productId));
  if (!row) throw notFound('product', { id: productId });
  return toView(row);
}

async function requireFreeCode(db: Db, producerId: string, code: string, except?: string): Promise<void> {
  const [taken] = await queryRows<{ id: string }>(
    db,
    sql`SELECT p.id FROM coop_products p
        JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
        WHERE p.producer_id = ${producerId} AND p.archived_at IS NULL AND lower(v.code) = lower(${code})
          ${except ? sql`AND p.id <> ${except}` : sql``}`,
  );
  if (taken) {
    throw coopErrors.error(
      'product_code_taken',
      `the producer has a product with the reference "${code}" already`,
      {
        field: 'code',
        product_id: taken.id,
      },
    );
  }
}

/** Locks the producer and checks the caller edits its products. */
export async function requireProducerEditor(deps: CoopDeps, tx: Db, actor: Actor, producerId: string) {
  // The producer's row serialises its product changes: two products never take one reference.
  const producer = await findProducer(tx, producerId, true);
  const standing = await producerStanding(deps, tx, actor, producer, 'change');
  if (!standing.edits) throw new AppError('forbidden', `you do not edit ${producer.name}’s products`);
  return producer;
}

type Producer = Awaited<ReturnType<typeof findProducer>>;

/** Adds a product in the caller's transaction, the producer locked and its editor checked. */
export async function createProductIn(
  tx: Db,
  deps: CoopDeps,
  actor: Actor,
  producer: Producer,
  input: ProductFields,
): Promise<string> {
  const userId = requireUser(actor);
  const fields = checkedFields(input);
  await requireFreeCode(tx, producer.id, fields.code);
  const now = deps.clock.now();
  const id = newId();
  await tx
    .insert(products)
    .values({ id, producerId: producer.id, clubId: producer.clubId, currentVersion: 1, createdAt: now });
  await tx
    .insert(productVersions)
    .values({ productId: id, version: 1, ...fields, createdBy: userId, createdAt: now });
  await recordAudit(tx, deps.clock, actor, {
    action: 'coop.product.create',
    objectType: 'coop_product',
    objectId: id,
    organizationId: producer.clubId,
    details: { producer_id: producer.id, name: fields.name, code: fields.code },
  });
  return id;
}

/** An editor of the producer adds a product, as its first version. */
export async function createProduct(
  deps: CoopDeps,
  actor: Actor,
  producerId: string,
  input: ProductFields,
): Promise<ProductView> {
  checkedFields(input);
  return deps.db.transaction(async (tx) => {
    const producer = await requireProducerEditor(deps, tx, actor, producerId);
    return findProduct(tx, await createProductIn(tx, deps, actor, producer, input));
  });
}

/**
 * Writes a product's new version in the caller's transaction (the producer locked, its editor
 * checked); the same fields again write none. Returns whether a version was written.
 */
export async function updateProductIn(
  tx: Db,
  deps: CoopDeps,
  actor: Actor,
  producer: Producer,
  productId: string,
  input: ProductFields,
): Promise<boolean> {
  const userId = requireUser(actor);
  const before = await findProduct(tx, productId);
  const { productId: _id, version: _version, createdBy: _by, createdAt: _at, ...current } = before.current;
  const fields = checkedFields(input);
  const changed = changedFields(fields, current);
  if (changed.length === 0) return false;
  if (fields.code.toLowerCase() !== current.code.toLowerCase())
    await requireFreeCode(tx, producer.id, fields.code, before.id);
  const version = before.current.version + 1;
  const now = deps.clock.now();
  await tx
    .insert(productVersions)
    .values({ productId: before.id, version, ...fields, createdBy: userId, createdAt: now });
  await tx.update(products).set({ currentVersion: version }).where(eq(products.id, before.id));
  await recordAudit(tx, deps.clock, actor, {
    action: 'coop.product.update',
    objectType: 'coop_product',
    objectId: before.id,
    organizationId: producer.clubId,
    details: { version, changed },
  });
  return true;
}

/** An editor changes a product: a new version; the orders that pinned an earlier one keep it. Unchanged fields add none. */
export async function updateProduct(
  deps: CoopDeps,
  actor: Actor,
  productId: string,
  changes: Partial<ProductFields>,
): Promise<ProductView> {
  return deps.db.transaction(async (tx) => {
    const before = await findProduct(tx, productId);
    const producer = await requireProducerEditor(deps, tx, actor, before.producerId);
    const { productId: _id, version: _version, createdBy: _by, createdAt: _at, ...current } = before.current;
    await updateProductIn(tx, deps, actor, producer, before.id, { ...current, ...definedOnly(changes) });
    return findProduct(tx, before.id);
  });
}

const valueText = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** The fields of `next` that differ from `current`: none means a save would write no version. */
export function changedFields(next: ProductFields, current: ProductFields): (keyof ProductFields)[] {
  return (Object.keys(next) as (keyof ProductFields)[]).filter(
    (key) => valueText(next[key]) !== valueText(current[key]),
  );
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Takes a product off the catalogue, or puts it back (an editor); its versions stay. */
export async function setProductArchived(
  deps: CoopDeps,
  actor: Actor,
  productId: string,
  archived: boolean,
): Promise<ProductView> {
  return deps.db.transaction(async (tx) => {
    const before = await findProduct(tx, productId);
    const producer = await requireProducerEditor(deps, tx, actor, before.producerId);
    if ((before.archivedAt !== null) === archived) return before;
    if (!archived) await requireFreeCode(tx, producer.id, before.current.code, before.id);
    await tx
      .update(products)
      .set({ archivedAt: archived ? deps.clock.now() : null })
      .where(eq(products.id, before.id));
    await recordAudit(tx, deps.clock, actor, {
      action: archived ? 'coop.product.archive' : 'coop.product.restore',
      objectType: 'coop_product',
      objectId: before.id,
      organizationId: producer.clubId,
    });
    return findProduct(tx, before.id);
  });
}

/** A product now, and every version it had, newest first (club members). */
export async function getProduct(
  deps: CoopDeps,
  actor: Actor,
  productId: string,
): Promise<{ product: ProductView; versions: ProductVersion[] }> {
  const product = await findProduct(deps.db, productId);
  await authorize(deps, actor, product.clubId, 'org.read', 'read', clubAccess).catch((error) => {
    if (error instanceof AppError && error.code === 'not_found') throw notFound('product', { id: productId });
    throw error;
  });
  const versions = await deps.db
    .select()
    .from(productVersions)
    .where(eq(productVersions.productId, product.id))
    .orderBy(desc(productVersions.version));
  return { product, versions };
}

/** One version of a product, as an order pinned it. */
export async function getProductVersion(
  db: Db,
  productId: string,
  version: number,
): Promise<ProductVersion | null> {
  const [row] = await db
    .select()
    .from(productVersions)
    .where(and(eq(productVersions.productId, productId), eq(productVersions.version, version)));
  return row ?? null;
}

export interface ProductFilter {
  producerId?: string;
  category?: string;
  /** Words found in the name, the reference, the description, the origin or the producer's name. */
  search?: string;
  includeArchived?: boolean;
}

/** The club's products as they are now, by producer then name. */
export async function listProducts(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  filter: ProductFilter = {},
): Promise<ProductView[]> {
  const access = await authorize(deps, actor, clubId, 'org.read', 'read', clubAccess);
  const conditions = [eq(products.clubId, access.organization.id)];
  if (!filter.includeArchived) conditions.push(sql`${products.archivedAt} IS NULL`);
  if (filter.producerId) {
    if (!isUuid(filter.producerId)) return [];
    conditions.push(eq(products.producerId, filter.producerId));
  }
  if (filter.category)
    conditions.push(sql`${filter.category.trim().toLowerCase()} = ANY(${productVersions.categories})`);
  for (const word of (filter.search ?? '').trim().split(/\s+/).filter(Boolean)) {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      sql`(${productVersions.name} ILIKE ${pattern} OR ${productVersions.code} ILIKE ${pattern}
           OR ${productVersions.description} ILIKE ${pattern} OR coalesce(${productVersions.origin}, '') ILIKE ${pattern}
           OR ${producers.name} ILIKE ${pattern})`,
    );
  }
  const rows = await currentProducts(deps.db)
    .where(and(...conditions))
    .orderBy(sql`lower(${producers.name})`, sql`lower(${productVersions.name})`);
  return rows.map(toView);
}

/** A producer's products on offer as they are now, by name (club members): what its CSV holds. */
export async function getProducerProducts(
  deps: CoopDeps,
  actor: Actor,
  producerId: string,
): Promise<ProductView[]> {
  const producer = await findProducer(deps.db, producerId);
  return listProducts(deps, actor, producer.clubId, { producerId: producer.id }).catch((error) => {
    if (error instanceof AppError && error.code === 'not_found')
      throw notFound('producer', { id: producerId });
    throw error;
  });
}

/** The categories of the club's products on offer, with how many products each has. */
export async function listCategories(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<{ category: string; products: number }[]> {
  const access = await authorize(deps, actor, clubId, 'org.read', 'read', clubAccess);
  return queryRows<{ category: string; products: number }>(
    deps.db,
    sql`SELECT c.category, count(*)::int AS products
        FROM coop_products p
        JOIN coop_product_versions v ON v.product_id = p.id AND v.version = p.current_version
        CROSS JOIN LATERAL unnest(v.categories) AS c(category)
        WHERE p.club_id = ${access.organization.id} AND p.archived_at IS NULL
        GROUP BY c.category ORDER BY c.category`,
  );
}
