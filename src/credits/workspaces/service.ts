import { eq, sql } from 'drizzle-orm';
import { authorize } from '../../core/access/authorization';
import { type Invitation, inviteMember } from '../../core/access/invitations';
import { createOrganization, updateOrganization } from '../../core/access/organizations';
import { defineOrganizationKind, OrganizationKinds } from '../../core/access/roles';
import { type Actor, requireUser, systemActor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Clock } from '../../core/clock';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { keepingFailures } from '../../ledger/failures';
import type { CreditsDeps } from '../deps';
import { listReservations } from '../engine/balances';
import { lockCustomers } from '../engine/customer-lock';
import { getActionPrice } from '../engine/prices';
import { findUsagesByKeys } from '../engine/records';
import {
  chargeCredits,
  type Reservation,
  releaseReservation,
  reserveCredits,
  type Usage,
  useReservation,
} from '../engine/spending';
import { creditsErrors } from '../errors';
import { ACTIONS, requireActionAllowed } from '../products/actions';
import { workspaces } from '../schema';

/**
 * Workspaces (seed §3): an organisation kind of the core, made through the credits API because
 * making one costs the `create_workspace` price. That price is not spent but reserved for the
 * workspace (`reserved_for = workspace:<id>`): it looks deducted from the person's balance, and the
 * workspace's activity is paid out of it first, then out of its billing person's pool. Archiving a
 * workspace releases what is left. The person who made a workspace is its billing person for good,
 * whoever its owners later are: their credits are the ones reserved for it.
 */

export const WORKSPACE_KIND = 'credits_workspace';

export const WORKSPACE_PERMISSIONS = {
  read: 'credits.read',
  spend: 'credits.spend',
} as const;

export const workspaceKind = defineOrganizationKind({
  kind: WORKSPACE_KIND,
  label: 'Workspace',
  roles: {
    member: {
      label: 'Member',
      permissions: [WORKSPACE_PERMISSIONS.read, WORKSPACE_PERMISSIONS.spend],
    },
  },
  // Made through POST /api/credits/workspaces, which charges for it; never for free through /api/orgs.
  selfService: false,
  createdByLine: true,
  // Likewise its invitations, which cost `invite_member`.
  invitationsByLine: true,
  // Its name is unique among open workspaces, and an archived one is not renamed.
  renamedByLine: true,
  // The person an open workspace bills stays in it: out of it, they could no longer see what their
  // credits pay for. Once it is archived nothing is charged, and they may go.
  beforeRemove: async (tx, workspaceId, userId) => {
    const [billed] = await queryRows(
      tx,
      sql`SELECT 1 FROM credits_workspaces
          WHERE organization_id = ${workspaceId} AND billing_user_id = ${userId} AND archived_at IS NULL`,
    );
    if (billed) {
      throw creditsErrors.error(
        'billing_member',
        'the person this workspace bills stays in it while it draws on their credits; archive it instead',
        { workspace_id: workspaceId, user_id: userId },
      );
    }
  },
});

/** The rules `resolveWorkspace` checks roles by: the workspace kind's. */
const workspaceKinds = new OrganizationKinds([workspaceKind]);

export const workspaceReservationFor = (workspaceId: string) => `workspace:${workspaceId}`;

export interface WorkspaceAccess {
  id: string;
  name: string;
  billingUserId: string;
  archivedAt: Date | null;
  createdAt: Date;
  /** The role of the person asked about; null for an administrator who is not a member. */
  role: string | null;
}

export interface Workspace extends WorkspaceAccess {
  /** What is left of the credits reserved for the workspace's activity. */
  reserved: bigint;
}

interface WorkspaceRow {
  id: string;
  name: string;
  billing_user_id: string;
  archived_at: string | null;
  created_at: string;
  role: string | null;
}

/** A workspace is the core's organisation (`o`) and the line's row beside it (`w`). */
const workspaceColumns = sql.raw(
  'o.id, o.name, w.billing_user_id, w.archived_at::text AS archived_at, o.created_at::text AS created_at',
);

function toAccess(row: WorkspaceRow): WorkspaceAccess {
  return {
    id: row.id,
    name: row.name,
    billingUserId: row.billing_user_id,
    archivedAt: row.archived_at ? parseTimestamp(row.archived_at) : null,
    createdAt: parseTimestamp(row.created_at),
    role: row.role,
  };
}

/**
 * A workspace as `person` may use it: a non-member gets not_found (as for one that does not exist), a
 * member without `permission` gets forbidden; administrators pass. `lock` holds the workspace's row.
 */
export async function resolveWorkspace(
  db: Db,
  person: { userId: string | null; isAdmin: boolean },
  workspaceId: string,
  permission: string,
  lock = false,
): Promise<WorkspaceAccess> {
  // The core decides membership and roles; the callers checked the credits scope of the call.
  const access = await authorize(
    { db, kinds: workspaceKinds },
    {
      userId: person.userId,
      isAdmin: person.isAdmin,
      apiKeyId: null,
      scopes: null,
      ip: null,
      requestId: null,
    },
    workspaceId,
    permission,
    lock ? 'change' : 'read',
    { kind: WORKSPACE_KIND, what: 'workspace' },
  );
  const [row] = await queryRows<WorkspaceRow>(
    db,
    sql`SELECT ${workspaceColumns}, ${access.role}::text AS role
        FROM core_organizations o JOIN credits_workspaces w ON w.organization_id = o.id
        WHERE o.id = ${workspaceId}`,
  );
  if (!row) throw notFound('workspace', { id: workspaceId });
  return toAccess(row);
}

export function requireOpenWorkspace(workspace: WorkspaceAccess): void {
  if (workspace.archivedAt) {
    throw creditsErrors.error('workspace_archived', `${workspace.name} is archived`, {
      workspace_id: workspace.id,
    });
  }
}

/**
 * The workspace is still open, read again under its billing person's lock, which archiving takes
 * too: a spend that looked before an archive committed must not land after it.
 */
export async function requireStillOpen(tx: Db, workspace: WorkspaceAccess): Promise<void> {
  const [row] = await queryRows<{ archived_at: string | null }>(
    tx,
    sql`SELECT archived_at::text FROM credits_workspaces WHERE organization_id = ${workspace.id}`,
  );
  if (row?.archived_at) requireOpenWorkspace({ ...workspace, archivedAt: parseTimestamp(row.archived_at) });
}

/** Every active reservation made in a workspace (all its billing person's), oldest first. */
async function activeReservationsIn(
  db: Db,
  clock: Clock,
  workspace: WorkspaceAccess,
): Promise<Reservation[]> {
  const found: Reservation[] = [];
  let cursor: string | undefined;
  do {
    const page = await listReservations(
      db,
      clock,
      { userId: workspace.billingUserId, workspaceId: workspace.id, state: 'active' },
      { cursor, limit: 200 },
    );
    found.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found.reverse();
}

/** The active reservations of the workspace's own price (a partial use leaves a new one), oldest first. */
async function workspaceReservations(
  db: Db,
  clock: Clock,
  workspace: WorkspaceAccess,
): Promise<Reservation[]> {
  const reservedFor = workspaceReservationFor(workspace.id);
  return (await activeReservationsIn(db, clock, workspace)).filter((r) => r.reservedFor === reservedFor);
}

/** What is still reserved in a reservation. */
const remainingOf = (reservation: Reservation) => reservation.amount - reservation.usedAmount;

async function withReserve(db: Db, clock: Clock, workspace: WorkspaceAccess): Promise<Workspace> {
  const held = await workspaceReservations(db, clock, workspace);
  return { ...workspace, reserved: held.reduce((sum, r) => sum + remainingOf(r), 0n) };
}

/**
 * Names are unique among open workspaces, compared case-insensitively; the core has no such index,
 * so one name is decided at a time, under a lock named after it.
 */
async function requireFreeName(tx: Db, name: string, field: string, except?: string): Promise<void> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtext(${`credits_workspace_name:${name.toLowerCase()}`}))`,
  );
  const taken = await queryRows(
    tx,
    sql`SELECT 1 FROM core_organizations o JOIN credits_workspaces w ON w.organization_id = o.id
        WHERE lower(o.name) = ${name.toLowerCase()} AND w.archived_at IS NULL
          AND o.id IS DISTINCT FROM ${except ?? null}::uuid`,
  );
  if (taken.length > 0) {
    throw creditsErrors.error(
      'workspace_name_taken',
      `a workspace named "${name}" already exists; choose another name`,
      {
        field,
      },
    );
  }
}

/**
 * Makes a workspace in the caller's transaction: a name no other open workspace has (compared
 * case-insensitively), an organisation of the workspace kind with `ownerUserId` as its owner and
 * billing person, and the `create_workspace` price reserved for it. `first` is the one made at
 * onboarding, which needs no product permission.
 */
export async function openWorkspace(
  tx: Db,
  deps: CreditsDeps,
  actor: Actor,
  input: { ownerUserId: string; name: string; first?: boolean; field?: string },
): Promise<Workspace> {
  const { clock } = deps;
  const name = input.name.trim();
  await requireFreeName(tx, name, input.field ?? 'name');
  if (!input.first) await requireActionAllowed(tx, input.ownerUserId, ACTIONS.createWorkspace);
  const organization = await createOrganization(
    { db: tx, clock, publicUrl: deps.publicUrl, kinds: deps.kinds },
    { ...systemActor, ip: actor.ip, requestId: actor.requestId },
    { kind: WORKSPACE_KIND, name, ownerUserId: input.ownerUserId },
    { byLine: true },
  );
  await tx.insert(workspaces).values({
    organizationId: organization.id,
    billingUserId: input.ownerUserId,
    createdAt: organization.createdAt,
  });
  const price = await getActionPrice(tx, ACTIONS.createWorkspace);
  if (price > 0n) {
    await reserveCredits(
      tx,
      clock,
      { userId: input.ownerUserId, workspaceId: organization.id },
      {
        amount: price,
        reservedFor: workspaceReservationFor(organization.id),
        action: ACTIONS.createWorkspace,
      },
    );
  }
  await recordAudit(tx, clock, actor, {
    action: 'credits.workspace.create',
    objectType: 'organization',
    objectId: organization.id,
    organizationId: organization.id,
    details: {
      name,
      billingUserId: input.ownerUserId,
      reserved: price.toString(),
      first: input.first ?? false,
    },
  });
  return {
    id: organization.id,
    name,
    billingUserId: input.ownerUserId,
    archivedAt: null,
    createdAt: organization.createdAt,
    role: organization.myRole ?? workspaceKind.creatorRole,
    reserved: price,
  };
}

export async function createWorkspace(
  deps: CreditsDeps,
  actor: Actor,
  input: { name: string },
): Promise<Workspace> {
  const ownerUserId = requireUser(actor);
  return keepingFailures(deps.db, deps.clock, (tx) =>
    openWorkspace(tx, deps, actor, { ownerUserId, name: input.name }),
  );
}

/** The workspaces the caller belongs to, archived ones included, by name. */
export async function listWorkspaces({ db, clock }: CreditsDeps, actor: Actor): Promise<Workspace[]> {
  const userId = requireUser(actor);
  const rows = await queryRows<WorkspaceRow>(
    db,
    sql`SELECT ${workspaceColumns}, m.role
        FROM core_memberships m JOIN core_organizations o ON o.id = m.organization_id
        JOIN credits_workspaces w ON w.organization_id = o.id
        WHERE m.user_id = ${userId}
        ORDER BY lower(o.name), o.id`,
  );
  const items: Workspace[] = [];
  for (const row of rows) items.push(await withReserve(db, clock, toAccess(row)));
  return items;
}

export async function getWorkspace(
  { db, clock }: CreditsDeps,
  actor: Actor,
  workspaceId: string,
): Promise<Workspace> {
  return withReserve(db, clock, await resolveWorkspace(db, actor, workspaceId, WORKSPACE_PERMISSIONS.read));
}

/**
 * Renames an open workspace (those who may rename it: owners and admins): the new name must be free
 * among open workspaces, as at its making. An archived workspace keeps its name.
 */
export async function renameWorkspace(
  deps: CreditsDeps,
  actor: Actor,
  input: { workspaceId: string; name: string },
): Promise<Workspace> {
  return deps.db.transaction(async (tx) => {
    const workspace = await resolveWorkspace(tx, actor, input.workspaceId, 'org.update', true);
    requireOpenWorkspace(workspace);
    const name = input.name.trim();
    if (name === workspace.name) return withReserve(tx, deps.clock, workspace);
    await requireFreeName(tx, name, 'name', workspace.id);
    await updateOrganization(
      { db: tx, clock: deps.clock, publicUrl: deps.publicUrl, kinds: deps.kinds },
      { ...systemActor, ip: actor.ip, requestId: actor.requestId },
      { organizationId: workspace.id, name },
      { byLine: true },
    );
    return withReserve(tx, deps.clock, { ...workspace, name });
  });
}

/**
 * Archives a workspace (owners only): its activity stops, and every credit still reserved in it — what
 * is left of its price, and reservations made for work in it — goes back to its billing person.
 * Archiving twice changes nothing. Organisations are not deleted (see src/core/access/README.md).
 */
export async function archiveWorkspace(
  deps: CreditsDeps,
  actor: Actor,
  workspaceId: string,
): Promise<Workspace> {
  const { clock } = deps;
  return deps.db.transaction(async (tx) => {
    const workspace = await resolveWorkspace(tx, actor, workspaceId, 'owners.manage', true);
    if (workspace.archivedAt) return withReserve(tx, clock, workspace);
    await lockCustomers(tx, clock, [workspace.billingUserId]);
    // A reservation past its expiry reads expired: the sweep's to end, not ours.
    const open = await activeReservationsIn(tx, clock, workspace);
    const now = clock.now();
    let released = 0n;
    for (const reservation of open) {
      await releaseReservation(tx, clock, reservation.userId, reservation.id);
      released += remainingOf(reservation);
    }
    await tx.update(workspaces).set({ archivedAt: now }).where(eq(workspaces.organizationId, workspace.id));
    await recordAudit(tx, clock, actor, {
      action: 'credits.workspace.archive',
      objectType: 'organization',
      objectId: workspace.id,
      organizationId: workspace.id,
      details: { released: released.toString(), reservationIds: open.map((r) => r.id) },
    });
    return { ...workspace, archivedAt: now, reserved: 0n };
  });
}

export interface ActivityCharge {
  amount: bigint;
  usedFor: string;
  action: string;
  idempotencyKey?: string | null;
  /** Who asks: keys are theirs within the workspace, so two members' keys never answer for each other. */
  callerId?: string | null;
}

/** The key of the pool's part when one charge is split between the workspace's reserve and the pool. */
const poolPartKey = (key: string) => `${key}#pool`;

/**
 * Charges activity in a workspace: out of what is reserved for it first (`useReservation`, keeping
 * the rest reserved), the remainder out of its billing person's credits in the workspace's scope. One
 * charge may so become two usages; with an idempotency key a repeat returns both, and a repeat that
 * differs (amount, purpose, workspace) is an idempotency conflict.
 */
export async function chargeWorkspaceActivity(
  tx: Db,
  clock: Clock,
  workspace: WorkspaceAccess,
  charge: ActivityCharge,
): Promise<{ usages: Usage[]; replayed: boolean }> {
  const payer = workspace.billingUserId;
  await lockCustomers(tx, clock, [payer]);
  await requireStillOpen(tx, workspace);
  // The payer's usages hold the keys of everyone charging in their workspaces: a key is namespaced by
  // workspace and caller, so nobody's key can replay (or reveal) another's charge.
  const key = charge.idempotencyKey
    ? `ws:${workspace.id}:${charge.callerId ?? '-'}:${charge.idempotencyKey}`
    : null;
  if (key) {
    const earlier = await findUsagesByKeys(tx, payer, [key, poolPartKey(key)]);
    if (earlier.length > 0) {
      const total = earlier.reduce((sum, u) => sum + u.amount, 0n);
      if (
        total !== charge.amount ||
        earlier.some(
          (u) => u.usedFor !== charge.usedFor || u.workspaceId !== workspace.id || u.action !== charge.action,
        )
      ) {
        throw new AppError('idempotency_conflict', 'this Idempotency-Key was used for a different charge');
      }
      return { usages: earlier, replayed: true };
    }
  }
  const paid: Usage[] = [];
  let left = charge.amount;
  const [reserve] = await workspaceReservations(tx, clock, workspace);
  if (reserve && remainingOf(reserve) > 0n) {
    // Bigints have no Math.min.
    let fromReserve = remainingOf(reserve);
    if (fromReserve > left) fromReserve = left;
    // biome-ignore lint/correctness/useHookAtTopLevel: the credits engine's useReservation, not a React hook
    const { usage } = await useReservation(tx, clock, payer, reserve.id, {
      amount: fromReserve,
      usedFor: charge.usedFor,
      action: charge.action,
      idempotencyKey: key ?? undefined,
      keepRemainder: true,
    });
    paid.push(usage);
    left -= fromReserve;
  }
  if (left > 0n) {
    const usage = await chargeCredits(
      tx,
      clock,
      { userId: payer, workspaceId: workspace.id },
      {
        amount: left,
        usedFor: charge.usedFor,
        action: charge.action,
        idempotencyKey: key ? (paid.length > 0 ? poolPartKey(key) : key) : undefined,
      },
    );
    paid.push(usage);
  }
  return { usages: paid, replayed: false };
}

/**
 * Invites someone to a workspace through the core's invitation flow (its rules, its mail), and
 * charges the `invite_member` price to the workspace in the same transaction: no credits, no invitation.
 */
export async function inviteToWorkspace(
  deps: CreditsDeps,
  actor: Actor,
  input: { workspaceId: string; email: string; role: string },
): Promise<{ invitation: Invitation; usages: Usage[] }> {
  requireUser(actor);
  const { clock } = deps;
  return deps.db.transaction(async (tx) => {
    const workspace = await resolveWorkspace(tx, actor, input.workspaceId, 'members.invite');
    requireOpenWorkspace(workspace);
    await requireActionAllowed(tx, workspace.billingUserId, ACTIONS.inviteMember);
    const invitation = await inviteMember(
      { db: tx, clock, publicUrl: deps.publicUrl, kinds: deps.kinds },
      actor,
      { organizationId: workspace.id, email: input.email, role: input.role },
      { byLine: true },
    );
    const price = await getActionPrice(tx, ACTIONS.inviteMember);
    const charged =
      price > 0n
        ? await chargeWorkspaceActivity(tx, clock, workspace, {
            amount: price,
            usedFor: `invitation:${invitation.id}`,
            action: ACTIONS.inviteMember,
          })
        : { usages: [] };
    await recordAudit(tx, clock, actor, {
      action: 'credits.workspace.invite',
      objectType: 'invitation',
      objectId: invitation.id,
      organizationId: workspace.id,
      details: { email: invitation.email, role: invitation.role, charged: price.toString() },
    });
    return { invitation, usages: charged.usages };
  });
}
