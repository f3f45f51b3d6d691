import { sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { CSV_EXPORT_MAX_ROWS, collectPages } from '../../core/csv';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid } from '../../core/ids';
import type { PageRequest } from '../../core/paging';
import { keepingFailures } from '../../ledger/failures';
import type { CreditsDeps } from '../deps';
import { getBalance, getUsage, listReservations, listUsages, usageByAction } from '../engine/balances';
import { type Grant, getGrant, listGrants } from '../engine/grants';
import { getActionPrice } from '../engine/prices';
import { findReservationById } from '../engine/records';
import { chargeCall, clientKey, doneOrThrow, releaseCall, reserveCall, useCall } from '../engine/spend-batch';
import { getReservation, type Reservation, type Usage } from '../engine/spending';
import { creditsErrors } from '../errors';
import { ACTIONS, requireActionAllowed } from '../products/actions';
import type { ReservationState } from '../schema';
import {
  chargeWorkspaceActivity,
  requireOpenWorkspace,
  resolveWorkspace,
  WORKSPACE_PERMISSIONS,
  type WorkspaceAccess,
} from '../workspaces/service';

/**
 * Spending and reading credits on someone's behalf: the host application's servers call these with
 * an API key (its owner's credits; an administrator's key names the person), people's browsers with
 * their session. A workspace in scope means the workspace's billing person pays, its reserve first.
 */

export interface ScopeInput {
  /** Whose credits; only administrators name someone else. */
  userId?: string;
  workspaceId?: string;
}

interface ResolvedScope {
  /** Whose credits are spent or read: the person, or the workspace's billing person. */
  payerId: string;
  workspace: WorkspaceAccess | null;
}

type Mode = 'read' | 'spend';

async function requirePerson(db: Db, userId: string): Promise<void> {
  const found = isUuid(userId) ? await queryRows(db, sql`SELECT 1 FROM core_users WHERE id = ${userId}`) : [];
  if (found.length === 0) throw notFound('person', { user_id: userId });
}

/**
 * Whose credits a call touches. Someone else's, or a workspace the person is not in, is not_found:
 * a caller cannot even tell that they exist.
 */
async function resolveScope(db: Db, actor: Actor, input: ScopeInput, mode: Mode): Promise<ResolvedScope> {
  const personId = input.userId ?? actor.userId;
  if (!personId) {
    if (!actor.isAdmin) throw new AppError('unauthorized', 'sign in first');
    throw new AppError('validation_failed', 'say whose credits (user_id)', { field: 'user_id' });
  }
  if (personId !== actor.userId) {
    if (!actor.isAdmin) throw notFound('person', { user_id: personId });
    await requirePerson(db, personId);
  }
  if (!input.workspaceId) return { payerId: personId, workspace: null };
  const workspace = await resolveWorkspace(
    db,
    { userId: personId, isAdmin: actor.isAdmin },
    input.workspaceId,
    mode === 'read' ? WORKSPACE_PERMISSIONS.read : WORKSPACE_PERMISSIONS.spend,
  );
  return { payerId: workspace.billingUserId, workspace };
}

const spendScope = (scope: ResolvedScope) => ({
  userId: scope.payerId,
  workspaceId: scope.workspace?.id ?? null,
});

/** A workspace's own reservation is the workspace's: used by its activity, released by archiving it. */
const isWorkspaceReserve = (reservation: Reservation) =>
  reservation.action === ACTIONS.createWorkspace && reservation.reservedFor.startsWith('workspace:');

export interface ChargeActionInput extends ScopeInput {
  action: string;
  /** How many of the action, each at its price. */
  quantity?: number;
  usedFor: string;
  idempotencyKey: string;
}

/**
 * Charges an action at its price. A free action (price 0) records nothing. A repeat with the same
 * Idempotency-Key and body returns what the first call charged (`replayed`), a different body is 409.
 */
export async function chargeAction(
  deps: CreditsDeps,
  actor: Actor,
  input: ChargeActionInput,
): Promise<{ usages: Usage[]; replayed: boolean }> {
  const { db, clock } = deps;
  const scope = await resolveScope(db, actor, input, 'spend');
  if (scope.workspace) requireOpenWorkspace(scope.workspace);
  await requireActionAllowed(db, scope.payerId, input.action);
  const amount = (await getActionPrice(db, input.action)) * BigInt(input.quantity ?? 1);
  if (amount === 0n) return { usages: [], replayed: false };
  const audit = (usages: Usage[]) => ({
    action: 'credits.charge',
    objectType: 'credits_usage',
    objectId: usages[0]?.id,
    organizationId: scope.workspace?.id,
    details: {
      userId: scope.payerId,
      action: input.action,
      amount: amount.toString(),
      usedFor: input.usedFor,
      usageIds: usages.map((u) => u.id),
    },
  });
  if (!scope.workspace) {
    // The hot path: one spend, through the group commit, its audit entry written with it.
    const done = doneOrThrow(
      await deps.spender.submit({
        ...chargeCall(spendScope(scope), {
          amount,
          usedFor: input.usedFor,
          action: input.action,
          idempotencyKey: clientKey(input.idempotencyKey),
        }),
        audit: (charged) => ({ actor, entry: audit([charged.usage!]) }),
      }),
    );
    return { usages: [done.usage!], replayed: done.replayed };
  }
  const workspace = scope.workspace;
  // In a workspace the reserve pays first, then the pool: one or two spends in one transaction.
  return keepingFailures(db, clock, async (tx) => {
    const outcome = await chargeWorkspaceActivity(tx, clock, workspace, {
      amount,
      usedFor: input.usedFor,
      action: input.action,
      idempotencyKey: input.idempotencyKey,
      callerId: actor.userId,
    });
    if (!outcome.replayed) await recordAudit(tx, clock, actor, audit(outcome.usages));
    return outcome;
  });
}

export interface ReserveActionInput extends ScopeInput {
  action: string;
  /** An explicit amount (an estimate); the action's price × quantity when omitted. */
  amount?: bigint;
  quantity?: number;
  reservedFor: string;
  expiresAt?: Date | null;
  idempotencyKey: string;
}

/** Reserves credits for an action that will be used, or released, later. */
export async function reserveForAction(
  deps: CreditsDeps,
  actor: Actor,
  input: ReserveActionInput,
): Promise<{ reservation: Reservation; replayed: boolean }> {
  const { db, clock } = deps;
  if (input.reservedFor.startsWith('workspace:')) {
    throw new AppError('validation_failed', '"workspace:…" purposes are the workspaces’ own', {
      field: 'reserved_for',
    });
  }
  const scope = await resolveScope(db, actor, input, 'spend');
  if (scope.workspace) requireOpenWorkspace(scope.workspace);
  await requireActionAllowed(db, scope.payerId, input.action);
  const amount = input.amount ?? (await getActionPrice(db, input.action)) * BigInt(input.quantity ?? 1);
  if (amount <= 0n) {
    throw new AppError('validation_failed', `"${input.action}" is free: there is nothing to reserve`, {
      field: 'amount',
    });
  }
  const done = doneOrThrow(
    await deps.spender.submit({
      ...reserveCall(
        spendScope(scope),
        {
          amount,
          reservedFor: input.reservedFor,
          action: input.action,
          expiresAt: input.expiresAt,
          idempotencyKey: clientKey(input.idempotencyKey),
        },
        clock.now(),
      ),
      openWorkspaceId: scope.workspace?.id ?? null,
      audit: ({ reservation }) => ({
        actor,
        entry: {
          action: 'credits.reserve',
          objectType: 'credits_reservation',
          objectId: reservation!.id,
          organizationId: scope.workspace?.id,
          details: {
            userId: scope.payerId,
            action: input.action,
            amount: amount.toString(),
            reservedFor: input.reservedFor,
          },
        },
      }),
    }),
  );
  return { reservation: done.reservation!, replayed: done.replayed };
}

/**
 * A reservation the caller may use or release: their own, one in a workspace where they may spend,
 * or any for an administrator; not_found otherwise.
 */
async function findReservationFor(
  { db, clock }: Pick<CreditsDeps, 'db' | 'clock'>,
  actor: Actor,
  reservationId: string,
): Promise<Reservation> {
  const reservation = await findReservationById(db, reservationId, clock.now());
  if (!reservation) throw notFound('reservation', { id: reservationId });
  if (actor.isAdmin || reservation.userId === actor.userId) return reservation;
  if (reservation.workspaceId && actor.userId) {
    try {
      await resolveWorkspace(db, actor, reservation.workspaceId, WORKSPACE_PERMISSIONS.spend);
      return reservation;
    } catch {
      // Not theirs to see: the same answer as for a reservation that does not exist.
    }
  }
  throw notFound('reservation', { id: reservationId });
}

function requireNotWorkspaceReserve(reservation: Reservation): void {
  if (isWorkspaceReserve(reservation)) {
    throw creditsErrors.error(
      'workspace_reserve',
      'this is a workspace’s own reserve: its activity uses it, and archiving the workspace releases it',
      { reservation_id: reservation.id },
    );
  }
}

export interface UseReservedInput {
  reservationId: string;
  amount?: bigint;
  usedFor?: string;
  keepRemainder?: boolean;
  idempotencyKey: string;
}

export async function useReserved(
  deps: CreditsDeps,
  actor: Actor,
  input: UseReservedInput,
): Promise<{ usage: Usage; remainder: Reservation | null; replayed: boolean }> {
  const found = await findReservationFor(deps, actor, input.reservationId);
  requireNotWorkspaceReserve(found);
  const done = doneOrThrow(
    await deps.spender.submit({
      ...useCall(found.userId, found.id, {
        amount: input.amount,
        usedFor: input.usedFor,
        keepRemainder: input.keepRemainder,
        idempotencyKey: clientKey(input.idempotencyKey),
      }),
      audit: ({ usage, remainder }) => ({
        actor,
        entry: {
          action: 'credits.use',
          objectType: 'credits_reservation',
          objectId: found.id,
          organizationId: found.workspaceId,
          details: {
            userId: found.userId,
            usageId: usage!.id,
            amount: usage!.amount.toString(),
            remainderId: remainder?.id ?? null,
          },
        },
      }),
    }),
  );
  return { usage: done.usage!, remainder: done.remainder ?? null, replayed: done.replayed };
}

/** Releases a reservation. Releasing one already released answers it as it is: a retry is harmless. */
export async function releaseReserved(
  deps: CreditsDeps,
  actor: Actor,
  reservationId: string,
): Promise<Reservation> {
  const found = await findReservationFor(deps, actor, reservationId);
  requireNotWorkspaceReserve(found);
  if (found.state === 'released') return found;
  const outcome = await deps.spender.submit({
    ...releaseCall(found.userId, found.id),
    audit: () => ({
      actor,
      entry: {
        action: 'credits.release',
        objectType: 'credits_reservation',
        objectId: found.id,
        organizationId: found.workspaceId,
        details: { userId: found.userId, amount: found.amount.toString() },
      },
    }),
  });
  // Released meanwhile by another call: answered as it is, as a retry would be.
  if (!outcome.ok && outcome.error.code === 'reservation_released') {
    return getReservation(deps.db, deps.clock, found.userId, found.id);
  }
  return doneOrThrow(outcome).reservation!;
}

export interface CreditsBalance {
  userId: string;
  workspaceId: string | null;
  balance: Awaited<ReturnType<typeof getBalance>>;
}

/** A person's balance, or a workspace's (its billing person's credits as they pay in it). */
export async function readBalance(
  deps: CreditsDeps,
  actor: Actor,
  input: ScopeInput,
): Promise<CreditsBalance> {
  const scope = await resolveScope(deps.db, actor, input, 'read');
  return {
    userId: scope.payerId,
    workspaceId: scope.workspace?.id ?? null,
    balance: await getBalance(deps.db, deps.clock, spendScope(scope)),
  };
}

export interface UsageFilter extends ScopeInput {
  action?: string;
  grantId?: string;
  usedFor?: string;
  from?: Date;
  to?: Date;
  reservedOnly?: boolean;
  cursor?: string;
  limit?: number;
}

export async function readUsages(deps: CreditsDeps, actor: Actor, filter: UsageFilter) {
  const scope = await resolveScope(deps.db, actor, filter, 'read');
  return listUsages(deps.db, usageQuery(scope, filter), { cursor: filter.cursor, limit: filter.limit });
}

/** The listing's filters in a resolved scope: one reading for the list and its export. */
const usageQuery = (scope: Parameters<typeof spendScope>[0], filter: UsageFilter) => ({
  ...spendScope(scope),
  action: filter.action,
  usedFor: filter.usedFor,
  from: filter.from,
  to: filter.to,
  reservedOnly: filter.reservedOnly,
  grantId: filter.grantId,
});

/**
 * Up to `limit` usages (at most CSV_EXPORT_MAX_ROWS) with the listing's filters and authorization,
 * newest first, read page by page along the (time, id) cursor so usages recorded meanwhile never
 * shift or repeat rows; `nextCursor` continues where the export stopped.
 */
export async function exportUsages(deps: CreditsDeps, actor: Actor, filter: UsageFilter) {
  const scope = await resolveScope(deps.db, actor, filter, 'read');
  const query = usageQuery(scope, filter);
  return collectPages((page) => listUsages(deps.db, query, page), {
    wanted: Math.min(filter.limit ?? CSV_EXPORT_MAX_ROWS, CSV_EXPORT_MAX_ROWS),
    cursor: filter.cursor,
  });
}

export async function readReservations(
  deps: CreditsDeps,
  actor: Actor,
  filter: ScopeInput & PageRequest & { state?: ReservationState },
) {
  const scope = await resolveScope(deps.db, actor, filter, 'read');
  return listReservations(
    deps.db,
    deps.clock,
    { ...spendScope(scope), state: filter.state },
    { cursor: filter.cursor, limit: filter.limit },
  );
}

export async function readUsageSeries(
  deps: CreditsDeps,
  actor: Actor,
  filter: ScopeInput & { from: Date; to: Date; bucket: 'day' | 'hour' },
) {
  if (filter.from >= filter.to)
    throw new AppError('validation_failed', '"from" must be before "to"', { field: 'from' });
  const scope = await resolveScope(deps.db, actor, filter, 'read');
  return usageByAction(deps.db, spendScope(scope), {
    from: filter.from,
    to: filter.to,
    bucket: filter.bucket,
  });
}

/**
 * Who may read one record of a person's credits (a usage, a grant): the person, an administrator,
 * or someone who may read the credits of the workspace it belongs to.
 */
async function mayRead(db: Db, actor: Actor, record: { userId: string; workspaceId: string | null }) {
  if (actor.isAdmin || actor.userId === record.userId) return true;
  if (!actor.userId || !record.workspaceId) return false;
  try {
    const scope = await resolveScope(db, actor, { workspaceId: record.workspaceId }, 'read');
    return scope.payerId === record.userId;
  } catch (error) {
    if (error instanceof AppError && (error.code === 'not_found' || error.code === 'forbidden')) return false;
    throw error;
  }
}

/** One usage, for its page. Someone who may not read it is told there is none (404). */
export async function readUsage(deps: CreditsDeps, actor: Actor, id: string): Promise<Usage> {
  const usage = isUuid(id) ? await getUsage(deps.db, id) : null;
  if (!usage || !(await mayRead(deps.db, actor, usage))) throw notFound('usage', { id });
  return usage;
}

export interface GrantDetail {
  grant: Grant;
  /** The purchase whose product the grant came with (bought, refilled or rolled over); null for an adjustment. */
  purchaseId: string | null;
}

/** One grant, for its page: what it gave, what is left, and the purchase it came from. */
export async function readGrant(deps: CreditsDeps, actor: Actor, id: string): Promise<GrantDetail> {
  const grant = isUuid(id) ? await getGrant(deps.db, id) : null;
  if (!grant || !(await mayRead(deps.db, actor, grant))) throw notFound('grant', { id });
  const [holding] = grant.holdingId
    ? await queryRows<{ purchase_id: string }>(
        deps.db,
        sql`SELECT purchase_id FROM credits_holdings WHERE id = ${grant.holdingId}`,
      )
    : [];
  return { grant, purchaseId: holding?.purchase_id ?? null };
}

export async function readGrants(deps: CreditsDeps, actor: Actor, input: ScopeInput) {
  const scope = await resolveScope(deps.db, actor, input, 'read');
  return listGrants(deps.db, spendScope(scope), { now: deps.clock.now() });
}

/**
 * What people call the grants that paid for usages: the product they came with (bought, refilled,
 * rolled over) or the administrator's reason for an adjustment. Pages show these, not grant ids.
 */
export async function grantLabels(db: Db, grantIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(grantIds)];
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; source: string; reason: string | null; product: string | null }>(
    db,
    sql`SELECT g.id, g.source, g.reason, p.name AS product
        FROM credits_grants g LEFT JOIN credits_products p ON p.id = g.product_id
        WHERE g.id = ANY(${sql.param(ids)}::uuid[])`,
  );
  const how: Record<string, string> = { purchase: 'bought', refill: 'refill', rollover: 'rolled over' };
  return new Map(
    rows.map((row) => [
      row.id,
      row.source === 'adjustment'
        ? `Adjustment: ${row.reason ?? 'no reason given'}`
        : `${row.product ?? 'A product'} (${how[row.source] ?? row.source})`,
    ]),
  );
}

const REFERENCE = /^(invitation|workspace|product):([0-9a-f-]{36})$/;

/**
 * What people call the purposes Tally itself writes on usages and reservations (`invitation:<id>`,
 * `workspace:<id>`, `product:<id>`): "Invitation of bob@example.com to Acme", "Workspace Acme",
 * "Product Pro". A host application's own purposes are shown as written.
 */
export async function purposeLabels(
  db: Db,
  purposes: readonly (string | null)[],
): Promise<Map<string, string>> {
  const byKind = { invitation: new Set<string>(), workspace: new Set<string>(), product: new Set<string>() };
  for (const purpose of purposes) {
    const match = purpose ? REFERENCE.exec(purpose) : null;
    if (match) byKind[match[1] as keyof typeof byKind].add(match[2]!);
  }
  const labels = new Map<string, string>();
  const ids = (set: Set<string>) => sql.param([...set]);
  if (byKind.invitation.size > 0)
    for (const row of await queryRows<{ id: string; email: string; workspace: string }>(
      db,
      sql`SELECT i.id, i.email, o.name AS workspace FROM core_invitations i
          JOIN core_organizations o ON o.id = i.organization_id WHERE i.id = ANY(${ids(byKind.invitation)}::uuid[])`,
    ))
      labels.set(`invitation:${row.id}`, `Invitation of ${row.email} to ${row.workspace}`);
  if (byKind.workspace.size > 0)
    for (const row of await queryRows<{ id: string; name: string }>(
      db,
      sql`SELECT id, name FROM core_organizations WHERE id = ANY(${ids(byKind.workspace)}::uuid[])`,
    ))
      labels.set(`workspace:${row.id}`, `Workspace ${row.name}`);
  if (byKind.product.size > 0)
    for (const row of await queryRows<{ id: string; name: string }>(
      db,
      sql`SELECT id, name FROM credits_products WHERE id = ANY(${ids(byKind.product)}::uuid[])`,
    ))
      labels.set(`product:${row.id}`, `Product ${row.name}`);
  return labels;
}
