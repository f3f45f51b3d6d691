import { and, asc, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Db } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { currencyDecimals, formatAmount, maxPriceMinor } from '../../core/money';
import { idFromCursor, type Page, pageLimit, pageOf } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { getBalance } from '../engine/balances';
import { getActionPrice } from '../engine/prices';
import { chargeCredits } from '../engine/spending';
import { lockCustomer } from '../people/customers';
import { actionPrices, type ProductType, products, type RefillCycle, whitelabels } from '../schema';
import { ACTIONS, heldPermissions, requireActionAllowed } from './actions';

/**
 * Products (seed §1): generic and whitelabel ones are an administrator's; under-whitelabel ones a
 * whitelabel reseller's, who can only put in them what it holds itself — the actions of its own
 * products, and no more credits per cycle than it has available when it makes or raises it.
 */

export type Product = typeof products.$inferSelect;

export interface ProductInput {
  type?: ProductType;
  name: string;
  description?: string;
  creditsPerCycle: bigint;
  refillCycle: RefillCycle;
  rolloverCredits?: bigint;
  permissions: string[];
  displayPriceMinor?: bigint;
  displayCurrency?: string;
  active?: boolean;
}

export type ProductChanges = Partial<Omit<ProductInput, 'type'>>;

const requireCaller = (actor: Actor) => {
  if (!actor.userId && !actor.isAdmin) throw new AppError('unauthorized', 'sign in first');
};

/** Every permission is an action Tally has a price for, so a product never grants what cannot be charged. */
async function requireKnownActions(db: Db, permissions: string[]): Promise<void> {
  if (permissions.length === 0) return;
  const known = await db
    .select({ action: actionPrices.action })
    .from(actionPrices)
    .where(inArray(actionPrices.action, permissions));
  const unknown = permissions.filter((p) => !known.some((k) => k.action === p));
  if (unknown.length > 0) {
    throw new AppError(
      'validation_failed',
      `no price is set for: ${unknown.join(', ')}; price an action first`,
      {
        field: 'permissions',
        unknown,
      },
    );
  }
}

function requireConsistentCredits(creditsPerCycle: bigint, rolloverCredits: bigint): void {
  if (creditsPerCycle <= 0n) {
    throw new AppError('validation_failed', 'credits per cycle must be more than 0', {
      field: 'credits_per_cycle',
    });
  }
  if (rolloverCredits < 0n || rolloverCredits > creditsPerCycle) {
    throw new AppError('validation_failed', 'rollover credits must be from 0 to the credits per cycle', {
      field: 'rollover_credits',
    });
  }
}

/**
 * A reseller's limits (seed §1): only the actions it holds, and credits it has. `extraCost` is
 * what it pays on top in the same transaction (the price of making the product), so it can afford both.
 */
async function requireWithinResellerReach(
  tx: Db,
  deps: CreditsDeps,
  resellerId: string,
  input: { permissions?: string[]; creditsPerCycle?: bigint },
  extraCost: bigint,
): Promise<void> {
  if (input.permissions) {
    const held = new Set(await heldPermissions(tx, resellerId));
    const missing = input.permissions.filter((p) => !held.has(p));
    if (missing.length > 0) {
      throw new AppError(
        'forbidden',
        `you can only put in a product the actions your own products give you; missing: ${missing.join(', ')}`,
        { field: 'permissions', missing },
      );
    }
  }
  if (input.creditsPerCycle !== undefined) {
    const { available } = await getBalance(tx, deps.clock, { userId: resellerId });
    if (input.creditsPerCycle + extraCost > available) {
      throw new AppError(
        'insufficient_funds',
        `a product cannot grant more credits per cycle than you have available (${available}` +
          (extraCost > 0n ? `, after the ${extraCost} credits making it costs` : '') +
          ')',
        {
          field: 'credits_per_cycle',
          available: available.toString(),
          cost: extraCost.toString(),
          credits_per_cycle: input.creditsPerCycle.toString(),
        },
      );
    }
  }
}

async function requireReseller(tx: Db, actor: Actor): Promise<string> {
  const userId = actor.userId;
  const customer = userId ? await lockCustomer(tx, userId) : null;
  if (!userId || customer?.type !== 'whitelabel') {
    throw new AppError(
      'forbidden',
      actor.isAdmin
        ? 'administrators make generic and whitelabel products; under-whitelabel ones are made by resellers'
        : 'only administrators and whitelabel resellers make products',
    );
  }
  return userId;
}

export async function createProduct(deps: CreditsDeps, actor: Actor, input: ProductInput): Promise<Product> {
  requireCaller(actor);
  const type = input.type ?? (actor.isAdmin ? undefined : 'under_whitelabel');
  if (!type) throw new AppError('validation_failed', 'say which type of product this is', { field: 'type' });
  const rolloverCredits = input.rolloverCredits ?? 0n;
  requireConsistentCredits(input.creditsPerCycle, rolloverCredits);
  requireSanePrice(input.displayPriceMinor ?? 0n, input.displayCurrency ?? 'USD');
  const permissions = [...new Set(input.permissions)].sort();
  return deps.db.transaction(async (tx) => {
    let ownerUserId: string | null = null;
    let cost = 0n;
    if (type === 'under_whitelabel') {
      ownerUserId = await requireReseller(tx, actor);
      await requireActionAllowed(tx, ownerUserId, ACTIONS.createUnderWhitelabelProduct);
      cost = await getActionPrice(tx, ACTIONS.createUnderWhitelabelProduct);
      await requireWithinResellerReach(
        tx,
        deps,
        ownerUserId,
        { permissions, creditsPerCycle: input.creditsPerCycle },
        cost,
      );
    } else if (!actor.isAdmin) {
      throw new AppError('forbidden', 'only administrators make generic and whitelabel products');
    }
    await requireKnownActions(tx, permissions);
    const now = deps.clock.now();
    const id = newId();
    const [product] = await tx
      .insert(products)
      .values({
        id,
        ownerUserId,
        type,
        name: input.name.trim(),
        description: input.description?.trim() ?? '',
        creditsPerCycle: input.creditsPerCycle,
        refillCycle: input.refillCycle,
        rolloverCredits,
        permissions,
        displayPriceMinor: input.displayPriceMinor ?? 0n,
        displayCurrency: input.displayCurrency ?? 'USD',
        active: input.active ?? true,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (ownerUserId && cost > 0n) {
      await chargeCredits(
        tx,
        deps.clock,
        { userId: ownerUserId },
        {
          amount: cost,
          usedFor: `product:${id}`,
          action: ACTIONS.createUnderWhitelabelProduct,
        },
      );
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.product.create',
      objectType: 'credits_product',
      objectId: id,
      details: {
        type,
        name: product!.name,
        creditsPerCycle: input.creditsPerCycle.toString(),
        refillCycle: input.refillCycle,
        permissions,
        cost: cost.toString(),
      },
    });
    return product!;
  });
}

/** A product the caller may manage: any for an administrator, its own for a reseller; others get not_found. */
async function findManagedProduct(db: Db, actor: Actor, productId: string, lock = false): Promise<Product> {
  if (!isUuid(productId)) throw notFound('product', { id: productId });
  const query = db.select().from(products).where(eq(products.id, productId));
  const [product] = lock ? await query.for('update') : await query;
  if (!product || (!actor.isAdmin && (!actor.userId || product.ownerUserId !== actor.userId))) {
    throw notFound('product', { id: productId });
  }
  return product;
}

export async function getProduct({ db }: CreditsDeps, actor: Actor, productId: string): Promise<Product> {
  requireCaller(actor);
  return findManagedProduct(db, actor, productId);
}

/**
 * Changes a product; changes apply to later purchases and refills, not to grants already made. A
 * reseller's changes meet the same limits as its new products (a raise of the credits per cycle is
 * checked against what it has now); deactivating stops new purchases, holders keep their holdings.
 */
export async function updateProduct(
  deps: CreditsDeps,
  actor: Actor,
  productId: string,
  changes: ProductChanges,
): Promise<Product> {
  requireCaller(actor);
  return deps.db.transaction(async (tx) => {
    const before = await findManagedProduct(tx, actor, productId, true);
    const permissions = changes.permissions ? [...new Set(changes.permissions)].sort() : undefined;
    const creditsPerCycle = changes.creditsPerCycle ?? before.creditsPerCycle;
    const rolloverCredits = changes.rolloverCredits ?? before.rolloverCredits;
    requireConsistentCredits(creditsPerCycle, rolloverCredits);
    requireSanePrice(
      changes.displayPriceMinor ?? before.displayPriceMinor,
      changes.displayCurrency ?? before.displayCurrency,
    );
    if (before.type === 'under_whitelabel' && before.ownerUserId && !actor.isAdmin) {
      await lockCustomer(tx, before.ownerUserId);
      await requireWithinResellerReach(
        tx,
        deps,
        before.ownerUserId,
        {
          permissions,
          creditsPerCycle: creditsPerCycle > before.creditsPerCycle ? creditsPerCycle : undefined,
        },
        0n,
      );
    }
    if (permissions) await requireKnownActions(tx, permissions);
    const set = {
      name: changes.name?.trim(),
      description: changes.description?.trim(),
      creditsPerCycle: changes.creditsPerCycle,
      refillCycle: changes.refillCycle,
      rolloverCredits: changes.rolloverCredits,
      permissions,
      displayPriceMinor: changes.displayPriceMinor,
      displayCurrency: changes.displayCurrency,
      active: changes.active,
    };
    const changed = Object.fromEntries(
      Object.entries(set).filter(([key, value]) => {
        if (value === undefined) return false;
        const old = before[key as keyof typeof set];
        return JSON.stringify(old, jsonBigint) !== JSON.stringify(value, jsonBigint);
      }),
    );
    if (Object.keys(changed).length === 0) return before;
    const [product] = await tx
      .update(products)
      .set({ ...changed, updatedAt: deps.clock.now() })
      .where(eq(products.id, before.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.product.update',
      objectType: 'credits_product',
      objectId: before.id,
      details: { changes: JSON.parse(JSON.stringify(changed, jsonBigint)) },
    });
    return product!;
  });
}

const jsonBigint = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

export interface ProductFilter {
  type?: ProductType;
  ownerUserId?: string;
  active?: boolean;
  cursor?: string;
  limit?: number;
}

/** Administrators see every product; everyone else the products they made (none, unless a reseller). */
export async function listProducts(
  { db }: CreditsDeps,
  actor: Actor,
  filter: ProductFilter = {},
): Promise<Page<Product>> {
  requireCaller(actor);
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const conditions: (SQL | undefined)[] = [
    actor.isAdmin ? undefined : eq(products.ownerUserId, requireUser(actor)),
    filter.type ? eq(products.type, filter.type) : undefined,
    filter.ownerUserId ? eq(products.ownerUserId, filter.ownerUserId) : undefined,
    filter.active === undefined ? undefined : eq(products.active, filter.active),
    before ? lt(products.id, before) : undefined,
  ];
  const rows = await db
    .select()
    .from(products)
    .where(and(...conditions))
    .orderBy(desc(products.id))
    .limit(limit + 1);
  return pageOf(rows, limit, (row) => ({ id: row.id }));
}

export interface CatalogueProduct {
  product: Product;
  /** Each permission with its action's label, in the product's order. */
  permissions: { action: string; label: string }[];
}

/** More than any catalogue shows on one page; the rest of a longer one is the sales platform's to list. */
const CATALOGUE_LIMIT = 200;

/**
 * What is on sale, for anyone, signed in or not (seed §1): Tally's own generic and whitelabel
 * products, or — for a visitor of a reseller's domain — that reseller's under-whitelabel ones. Only
 * an active domain counts (an unproven claim could be anyone's, a suspended one points elsewhere). A domain nobody holds has nothing
 * on sale: an empty list, so the answer tells no more than a reseller with no active product would.
 */
export async function listCatalogue(
  { db }: CreditsDeps,
  filter: { resellerDomain?: string; resellerUserId?: string } = {},
): Promise<CatalogueProduct[]> {
  let scope: SQL | undefined = inArray(products.type, ['generic', 'whitelabel']);
  if (filter.resellerUserId !== undefined) {
    scope = and(eq(products.type, 'under_whitelabel'), eq(products.ownerUserId, filter.resellerUserId));
  } else if (filter.resellerDomain !== undefined) {
    const domain = filter.resellerDomain.trim().toLowerCase().replace(/\.$/, '');
    const [reseller] = await db
      .select({ userId: whitelabels.userId })
      .from(whitelabels)
      .where(and(eq(whitelabels.domain, domain), eq(whitelabels.status, 'active')));
    if (!reseller) return [];
    scope = and(eq(products.type, 'under_whitelabel'), eq(products.ownerUserId, reseller.userId));
  }
  const rows = await db
    .select()
    .from(products)
    .where(and(scope, eq(products.active, true)))
    .orderBy(asc(products.type), asc(products.name), asc(products.id))
    .limit(CATALOGUE_LIMIT);
  const actions = [...new Set(rows.flatMap((row) => row.permissions))];
  const labels = new Map(
    actions.length === 0
      ? []
      : (
          await db
            .select({ action: actionPrices.action, label: actionPrices.label })
            .from(actionPrices)
            .where(inArray(actionPrices.action, actions))
        ).map((row) => [row.action, row.label]),
  );
  return rows.map((product) => ({
    product,
    permissions: product.permissions.map((action) => ({ action, label: labels.get(action) ?? action })),
  }));
}

/**
 * A price a person meant (a product's displayed price, what a buyer paid): a known currency, and at
 * most a million of its major units, so a slip (`49,00` read as 4,900.00, a stray run of zeros) is
 * refused instead of saved. `field` names the input in the refusal.
 */
export function requireSanePrice(amountMinor: bigint, currency: string, field = 'display_price'): void {
  const max = maxPriceMinor(currency);
  if (max === null) {
    throw new AppError('validation_failed', `${field}.currency: "${currency}" is not an ISO 4217 currency`, {
      issues: [{ path: `${field}.currency`, message: 'not an ISO 4217 currency code' }],
    });
  }
  if (amountMinor > max) {
    const most = `${formatAmount(max, currencyDecimals(currency)!)} ${currency}`;
    throw new AppError('validation_failed', `${field}.amount_minor: a price is at most ${most}`, {
      issues: [{ path: `${field}.amount_minor`, message: `at most ${most} (${max} minor units)` }],
      max: max.toString(),
    });
  }
}
