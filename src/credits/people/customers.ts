import { and, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import { type Actor, requireAdmin, requireUser } from '../../core/actor';
import { users } from '../../core/auth/schema';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { notFound } from '../../core/errors';
import { idFromCursor, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { getBalance } from '../engine/balances';
import { heldPermissions } from '../products/actions';
import { customers, holdings, type ProductType, products, purchases, type UserType } from '../schema';

/**
 * A person's type is set by what they bought (seed §2). It only ever rises, in this order:
 * generic < under_whitelabel < whitelabel. A reseller's customer who later buys a generic product
 * stays under their reseller; a reseller who buys anything stays a reseller. Administrators are
 * `core_users.is_admin`, whatever they bought, and are reported as `admin`.
 */
const typeRank: Record<ProductType, number> = { generic: 0, under_whitelabel: 1, whitelabel: 2 };

export type Customer = typeof customers.$inferSelect;

export interface TypeAfterPurchase {
  type: ProductType;
  resellerUserId: string | null;
}

/**
 * The type and reseller a purchase leaves a person with. `reseller_user_id` records the first
 * reseller the person bought from and is never overwritten: that reseller's domain is where the
 * person came in.
 */
export function typeAfterPurchase(
  current: { type: UserType; resellerUserId: string | null } | null,
  bought: { type: ProductType; ownerUserId: string | null },
): TypeAfterPurchase {
  const currentType: ProductType = current && current.type !== 'admin' ? current.type : 'generic';
  const type = current && typeRank[currentType] >= typeRank[bought.type] ? currentType : bought.type;
  const resellerUserId =
    current?.resellerUserId ?? (bought.type === 'under_whitelabel' ? bought.ownerUserId : null);
  return { type, resellerUserId };
}

export const reportedType = (isAdmin: boolean, type: UserType | null): UserType | null =>
  isAdmin ? 'admin' : type;

/**
 * Locks a person's credits row (the row that serialises their spending) for the rest of the
 * transaction and returns it; null when they have never bought anything.
 */
export async function lockCustomer(tx: Db, userId: string): Promise<Customer | null> {
  const [row] = await tx.select().from(customers).where(eq(customers.userId, userId)).for('update');
  return row ?? null;
}

/** Records what a purchase makes of a person, under the lock of their credits row. */
export async function recordCustomerPurchase(
  tx: Db,
  clock: Clock,
  userId: string,
  bought: { type: ProductType; ownerUserId: string | null },
): Promise<Customer> {
  const current = await lockCustomer(tx, userId);
  const next = typeAfterPurchase(current, bought);
  const now = clock.now();
  const [row] = await tx
    .insert(customers)
    .values({ userId, ...next, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: customers.userId,
      set: { type: next.type, resellerUserId: next.resellerUserId, updatedAt: now },
    })
    .returning();
  return row!;
}

export interface HoldingView {
  id: string;
  productId: string;
  productName: string;
  productType: ProductType;
  purchaseId: string;
  refilledAt: Date;
  nextRefillAt: Date | null;
  active: boolean;
}

export const firstLogins = ['done', 'waiting', 'not_needed'] as const;
/** Where a person stands with their first login: `not_needed` for an account they made themselves. */
export type FirstLogin = (typeof firstLogins)[number];

/**
 * Only an account a purchase registered (with a temporary password by mail) has a first login to
 * do; an account people made themselves, an administrator's included, never waits for one. Read
 * with `credits_customers` left-joined to `core_users`.
 */
const firstLoginOf = sql<FirstLogin>`CASE
  WHEN ${customers.onboardedAt} IS NOT NULL THEN 'done'
  WHEN EXISTS (SELECT 1 FROM ${purchases} WHERE ${purchases.userId} = ${users.id} AND ${purchases.registered}) THEN 'waiting'
  ELSE 'not_needed' END`;

/** A person as both the profile and the list read them: `core_users` with `credits_customers` left-joined. */
const personColumns = {
  userId: users.id,
  email: users.email,
  name: users.name,
  isAdmin: users.isAdmin,
  type: customers.type,
  resellerUserId: customers.resellerUserId,
  onboardedAt: customers.onboardedAt,
  firstLogin: firstLoginOf,
  createdAt: users.createdAt,
};

export interface CreditsProfile {
  userId: string;
  email: string | null;
  name: string;
  type: UserType | null;
  resellerUserId: string | null;
  onboardedAt: Date | null;
  firstLogin: FirstLogin;
  permissions: string[];
  holdings: HoldingView[];
  balance: Awaited<ReturnType<typeof getBalance>>;
}

/** What the credits line knows of a person: their type, products, permissions and balance. */
export async function getCreditsProfile(
  { db, clock }: CreditsDeps,
  actor: Actor,
  userId?: string,
): Promise<CreditsProfile> {
  const callerId = actor.userId;
  const subject = userId ?? requireUser(actor);
  if (subject !== callerId && !actor.isAdmin) throw notFound('person', { userId: subject });
  const [person] = await db
    .select(personColumns)
    .from(users)
    .leftJoin(customers, eq(customers.userId, users.id))
    .where(eq(users.id, subject));
  if (!person) throw notFound('person', { userId: subject });
  const held = await db
    .select({
      id: holdings.id,
      productId: holdings.productId,
      productName: products.name,
      productType: products.type,
      purchaseId: holdings.purchaseId,
      refilledAt: holdings.refilledAt,
      nextRefillAt: holdings.nextRefillAt,
      active: holdings.active,
    })
    .from(holdings)
    .innerJoin(products, eq(products.id, holdings.productId))
    .where(eq(holdings.userId, subject))
    .orderBy(desc(holdings.createdAt));
  return {
    userId: person.userId,
    email: person.email,
    name: person.name,
    type: reportedType(person.isAdmin, person.type),
    resellerUserId: person.resellerUserId,
    onboardedAt: person.onboardedAt,
    firstLogin: person.firstLogin,
    permissions: await heldPermissions(db, subject),
    holdings: held,
    balance: await getBalance(db, clock, { userId: subject }),
  };
}

export interface CustomerListItem {
  userId: string;
  email: string | null;
  name: string;
  type: UserType;
  resellerUserId: string | null;
  onboardedAt: Date | null;
  firstLogin: FirstLogin;
  createdAt: Date;
  balance: Awaited<ReturnType<typeof getBalance>>;
}

/** Administrators: everyone who bought something, and every administrator, newest first, with their balance. */
export async function listCustomers(
  { db, clock }: CreditsDeps,
  actor: Actor,
  filter: PageRequest & { type?: UserType } = {},
): Promise<Page<CustomerListItem>> {
  requireAdmin(actor);
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const conditions: (SQL | undefined)[] = [
    or(sql`${customers.userId} IS NOT NULL`, eq(users.isAdmin, true)),
    before ? lt(users.id, before) : undefined,
  ];
  if (filter.type === 'admin') conditions.push(eq(users.isAdmin, true));
  else if (filter.type) conditions.push(and(eq(users.isAdmin, false), eq(customers.type, filter.type)));
  const rows = await db
    .select(personColumns)
    .from(users)
    .leftJoin(customers, eq(customers.userId, users.id))
    .where(and(...conditions))
    .orderBy(desc(users.id))
    .limit(limit + 1);
  const items: CustomerListItem[] = [];
  for (const row of rows) {
    items.push({
      userId: row.userId,
      email: row.email,
      name: row.name,
      type: reportedType(row.isAdmin, row.type) ?? 'generic',
      resellerUserId: row.resellerUserId,
      onboardedAt: row.onboardedAt,
      firstLogin: row.firstLogin,
      createdAt: row.createdAt,
      balance: await getBalance(db, clock, { userId: row.userId }),
    });
  }
  return pageOf(items, limit, (item) => ({ id: item.userId }));
}
