import { sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid } from '../ids';
import { findRole, hasPermission, type OrganizationKinds, permissionsBeyond, permissionsOf } from './roles';

/** What every access service needs: the database, the clock, and where people reach Tally (links in mails). */
export interface AccessDeps {
  db: Db;
  clock: Clock;
  publicUrl: string;
  /** The kinds of organisation this Tally serves, built from its product lines. */
  kinds: OrganizationKinds;
}

/** What a permission check reads: the database (or the caller's transaction) and the kinds' rules. */
export interface AccessReader {
  db: Db;
  kinds: OrganizationKinds;
}

export interface Organization {
  id: string;
  kind: string;
  name: string;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An organisation as the caller sees it: with their role and what it lets them do. */
export interface OrganizationForActor extends Organization {
  /** Null for an administrator who is not a member. */
  myRole: string | null;
  myPermissions: readonly string[];
}

export interface OrganizationAccess {
  organization: Organization;
  /** The caller's role, or null for an administrator who is not a member. */
  role: string | null;
}

export interface OrganizationRow {
  id: string;
  kind: string;
  name: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export const organizationColumns = sql.raw(
  'o.id, o.kind, o.name, o.created_by, o.created_at::text AS created_at, o.updated_at::text AS updated_at',
);

export const toOrganization = (row: OrganizationRow): Organization => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  createdBy: row.created_by,
  createdAt: parseTimestamp(row.created_at),
  updatedAt: parseTimestamp(row.updated_at),
});

export function organizationForActor(
  kinds: OrganizationKinds,
  organization: Organization,
  actor: Actor,
  role: string | null,
): OrganizationForActor {
  const kind = kinds.rulesOf(organization.kind);
  const myPermissions = actor.isAdmin ? kind.permissions : role ? permissionsOf(kind, role) : [];
  return { ...organization, myRole: role, myPermissions };
}

/** A signed-in person, or the system (an administrator without a person); anonymous callers get `unauthorized`. */
export function requireCaller(actor: Actor): void {
  if (!actor.userId && !actor.isAdmin) throw new AppError('unauthorized', 'sign in first');
}

/**
 * How a call uses an organisation. A `read` needs an API key's `orgs:read` scope; a `change` needs
 * `orgs:write` (the scopes src/core/auth/api-keys.ts defines) and locks the organisation's row until
 * the transaction ends. Every change to its memberships and invitations takes that lock first, which
 * serializes them: two owners demoting each other cannot leave it ownerless, two re-invites cannot
 * both stay open.
 */
export type AccessMode = 'read' | 'change';

/**
 * A call that needs no organisation (creating one, listing mine, accepting an invitation). The
 * API key's scope (`orgs:read`, `orgs:write`, or a line's own) is the route's to declare.
 */
export function requireAccessCaller(actor: Actor): void {
  requireCaller(actor);
}

/** How a product line checks access to organisations of its own kind through `authorize`. */
export interface LineAccess {
  /** Only organisations of this kind are found; any other id is not found, as a missing one is. */
  kind: string;
  /** The noun of the not-found answer (`workspace`). */
  what: string;
}

/**
 * Loads an organisation for the caller and checks one permission. A person who is not a member
 * gets `not_found`, as for an organisation that does not exist, so ids reveal nothing; a member
 * without the permission gets `forbidden`; administrators pass. A product line passes `line` for
 * its own kind of organisation: its roles come from the kinds.
 */
export async function authorize(
  { db, kinds }: AccessReader,
  actor: Actor,
  organizationId: string,
  permission: string,
  mode: AccessMode,
  line?: LineAccess,
): Promise<OrganizationAccess> {
  const access = await requireMembership(db, actor, organizationId, mode, line);
  const kind = kinds.rulesOf(access.organization.kind);
  if (!actor.isAdmin && access.role && !hasPermission(kind, access.role, permission)) {
    throw new AppError('forbidden', `your role (${access.role}) does not allow "${permission}" here`, {
      permission,
    });
  }
  return access;
}

/** As `authorize`, for calls that any member may make (leaving), with no permission to check. */
export async function requireMembership(
  db: Db,
  actor: Actor,
  organizationId: string,
  mode: AccessMode,
  line?: LineAccess,
): Promise<OrganizationAccess> {
  requireCaller(actor);
  const missing = () => notFound(line?.what ?? 'organization', line ? { id: organizationId } : undefined);
  if (!isUuid(organizationId)) throw missing();
  // Lock first, read after: in READ COMMITTED the next statement sees whatever the previous holder
  // of the lock committed, such as the caller's own role changed a moment ago.
  if (mode === 'change') {
    await db.execute(sql`SELECT id FROM core_organizations WHERE id = ${organizationId} FOR UPDATE`);
  }
  const [row] = await queryRows<OrganizationRow & { role: string | null }>(
    db,
    sql`SELECT ${organizationColumns}, m.role
        FROM core_organizations o
        LEFT JOIN core_memberships m ON m.organization_id = o.id AND m.user_id = ${actor.userId}
        WHERE o.id = ${organizationId}`,
  );
  if (!row || (!row.role && !actor.isAdmin) || (line && row.kind !== line.kind)) throw missing();
  return { organization: toOrganization(row), role: row.role };
}

const reachPhrases = {
  grant: (label: string) => `grant the ${label} role`,
  change: (label: string) => `change the role of a person who is ${label}`,
  remove: (label: string) => `remove a person who is ${label}`,
  revoke: (label: string) => `revoke an invitation to the ${label} role`,
} as const;

/**
 * Refuses to let the caller grant, change, take away or revoke an invitation to `role` unless they
 * hold all of its permissions; administrators may do everything.
 */
export function requireWithinReach(
  kinds: OrganizationKinds,
  actor: Actor,
  access: OrganizationAccess,
  role: string,
  doing: keyof typeof reachPhrases,
): void {
  if (actor.isAdmin) return;
  const kind = kinds.rulesOf(access.organization.kind);
  const missing = permissionsBeyond(kind, access.role ?? '', role);
  if (missing.length > 0) {
    const label = findRole(kind, role)?.label ?? role;
    throw new AppError(
      'forbidden',
      `your role (${access.role}) cannot ${reachPhrases[doing](label)}: it carries permissions you do not hold`,
      { role, missing },
    );
  }
}

/** A role name the organisation's kind defines, or `validation_failed`. */
export function requireKnownRole(kinds: OrganizationKinds, organization: Organization, role: string): void {
  if (!findRole(kinds.rulesOf(organization.kind), role)) {
    throw new AppError(
      'validation_failed',
      `"${role}" is not a role of a ${organization.kind} organisation`,
      {
        role,
      },
    );
  }
}
