import { eq, sql } from 'drizzle-orm';
import { requireMembership } from '../../core/access/authorization';
import { hasPermission } from '../../core/access/roles';
import type { Actor } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { CLUB_PERMISSIONS } from '../clubs/kind';
import { clubAccess, myHouseholdIn } from '../clubs/service';
import type { CoopDeps } from '../deps';
import { type OrderStatus, orderEvents, orders } from '../schema';
import { orderMachine } from './state';

export type Order = typeof orders.$inferSelect;

export async function findOrder(db: Db, orderId: string, lock = false): Promise<Order> {
  if (!isUuid(orderId)) throw notFound('order', { id: orderId });
  const query = db.select().from(orders).where(eq(orders.id, orderId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('order', { id: orderId });
  return row;
}

/** What the caller may do in a club's orders. */
export interface OrderStanding {
  clubId: string;
  userId: string | null;
  /** Creates, opens and closes orders (an order manager, the Admin). */
  manages: boolean;
  /** Marks payments and invoices (the bookkeeper, the Admin). */
  books: boolean;
  /** Runs every producer (the Admin). */
  runsProducers: boolean;
  /** The caller's household in the club. */
  householdId: string | null;
  /** The producers the caller is liaison of. */
  liaisonOf: ReadonlySet<string>;
}

/** The caller's standing in a club's orders; anyone outside the club finds no order (404). */
export async function orderStanding(
  deps: CoopDeps,
  db: Db,
  actor: Actor,
  clubId: string,
  mode: 'read' | 'change',
  what: { kind: string; id: string } = { kind: 'order', id: clubId },
): Promise<OrderStanding> {
  const access = await requireMembership(db, actor, clubId, mode, clubAccess).catch((error) => {
    if (error instanceof AppError && error.code === 'not_found' && what.kind !== 'club')
      throw notFound(what.kind, { id: what.id });
    throw error;
  });
  const kind = deps.kinds.rulesOf(access.organization.kind);
  const may = (permission: string) =>
    actor.isAdmin || (access.role !== null && hasPermission(kind, access.role, permission));
  const liaisonOf = actor.userId
    ? await queryRows<{ id: string }>(
        db,
        sql`SELECT id FROM coop_producers WHERE club_id = ${clubId} AND liaison_user_id = ${actor.userId}`,
      )
    : [];
  return {
    clubId,
    userId: actor.userId,
    manages: may(CLUB_PERMISSIONS.orders),
    books: may(CLUB_PERMISSIONS.books),
    runsProducers: may(CLUB_PERMISSIONS.producers),
    householdId: await myHouseholdIn(db, clubId, actor),
    liaisonOf: new Set(liaisonOf.map((row) => row.id)),
  };
}

/** The order with the caller's standing in its club. */
export async function orderFor(
  deps: CoopDeps,
  db: Db,
  actor: Actor,
  orderId: string,
  mode: 'read' | 'change',
): Promise<{ order: Order; standing: OrderStanding }> {
  const unlocked = await findOrder(db, orderId);
  const standing = await orderStanding(deps, db, actor, unlocked.clubId, mode, {
    kind: 'order',
    id: orderId,
  });
  // Changes read the order again under its lock: what they decide on is what they write over.
  const order = mode === 'change' ? await findOrder(db, orderId, true) : unlocked;
  return { order, standing };
}

export function requireRight(allowed: boolean, what: string): void {
  if (!allowed) throw new AppError('forbidden', what);
}

/** Refuses, with the order machine's words for its state, anything its state does not allow. */
export function requireStatus(order: Order, ...allowed: OrderStatus[]): void {
  if (!allowed.includes(order.status)) throw orderMachine.refusal(order.status, allowed[0]!);
}

/** Whether the caller speaks for a producer in an order: its liaison, an order manager, the Admin. */
export const speaksFor = (standing: OrderStanding, producerId: string): boolean =>
  standing.liaisonOf.has(producerId) || standing.manages || standing.runsProducers;

/** One line of the order's activity. */
export async function addEvent(
  tx: Db,
  deps: Pick<CoopDeps, 'clock'>,
  orderId: string,
  userId: string | null,
  kind: string,
  text: string,
): Promise<void> {
  await tx.insert(orderEvents).values({ id: newId(), orderId, userId, kind, text, at: deps.clock.now() });
}

/** The people of the club's open households, by household. */
export async function householdPeople(
  db: Db,
  clubId: string,
): Promise<{ householdId: string; userId: string }[]> {
  return (
    await queryRows<{ household_id: string; user_id: string }>(
      db,
      sql`SELECT m.household_id, m.user_id FROM coop_household_members m
          JOIN coop_households h ON h.id = m.household_id AND h.archived_at IS NULL
          WHERE m.club_id = ${clubId}`,
    )
  ).map((row) => ({ householdId: row.household_id, userId: row.user_id }));
}

/** The members of the club holding a permission (order managers, the bookkeeper), owners and co-admins included. */
export async function peopleWith(
  deps: CoopDeps,
  db: Db,
  clubId: string,
  permission: string,
): Promise<string[]> {
  const rows = await queryRows<{ user_id: string; role: string; kind: string }>(
    db,
    sql`SELECT m.user_id, m.role, o.kind FROM core_memberships m
        JOIN core_organizations o ON o.id = m.organization_id WHERE m.organization_id = ${clubId}`,
  );
  return rows
    .filter((row) => hasPermission(deps.kinds.rulesOf(row.kind), row.role, permission))
    .map((row) => row.user_id);
}

export const orderLink = (order: Pick<Order, 'clubId' | 'id'>) =>
  `/coop/clubs/${order.clubId}/orders/${order.id}`;

/** Money for people: "€12.50". */
export const euros = (cents: bigint): string => {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '−' : ''}€${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};
