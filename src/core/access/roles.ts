import type { Db } from '../database';
/**
 * What each role in an organisation may do. Every kind of organisation has three roles the core
 * knows — owner, admin, member — and the permissions the core itself checks; a product line
 * registers its kinds (a coop club, a credits workspace…) and may add roles and permissions of its own.
 *
 * The rules, so a product line can predict them:
 * - an owner holds every permission of its kind, an admin every one but `owners.manage`;
 * - every other role holds the member's permissions plus the ones it declares;
 * - a person may grant, change or take away a role only when they hold all of its permissions
 *   (`permissionsBeyond`), so nobody hands out more than they have, and only owners make owners.
 */

export const corePermissions = {
  'org.read': 'See the organisation',
  'org.update': 'Rename the organisation',
  'members.read': 'See the members and their roles',
  'members.invite': 'Invite people and revoke invitations',
  'members.manage': "Change members' roles and remove members",
  'owners.manage': 'Make people owners, and change or remove owners',
} as const;

export type CorePermission = keyof typeof corePermissions;

export const OWNER = 'owner';
export const ADMIN = 'admin';
export const MEMBER = 'member';

const memberPermissions: readonly CorePermission[] = ['org.read', 'members.read'];
const ownerOnlyPermissions: readonly CorePermission[] = ['owners.manage'];

export interface RoleDefinition {
  label: string;
  /** Added to the member's permissions (owners and admins get every permission of the kind anyway). */
  permissions?: readonly string[];
}

export interface OrganizationKindDefinition {
  kind: string;
  label: string;
  /** Extra roles, or new labels and permissions for owner, admin and member. */
  roles?: Readonly<Record<string, RoleDefinition>>;
  /** The role the person who creates an organisation gets; `owner` unless the kind says otherwise. */
  creatorRole?: string;
  /**
   * Whether any signed-in person may create one (a coop producer: "anyone should be able to create
   * a producer"); false for kinds only the platform creates, such as a whitelabel reseller after its
   * purchase, which administrators and the system create on a person's behalf.
   */
  selfService?: boolean;
  /**
   * Whether only its product line makes one (a buyers club, a credits workspace: each has the line's
   * own record beside the organisation): then the core's create refuses everyone, administrators
   * included, and the line calls `createOrganization` with `byLine`.
   */
  createdByLine?: boolean;
  /**
   * Whether its invitations are the product line's to send (a credits workspace charges for each):
   * then the core's own invitation endpoint refuses them, and the line calls `inviteMember` itself.
   */
  invitationsByLine?: boolean;
  /**
   * Whether renaming it is the line's (a credits workspace's name is unique among open ones, and an
   * archived one keeps its name): then the core's rename refuses, and the line calls
   * `updateOrganization` itself.
   */
  renamedByLine?: boolean;
  /**
   * Asked before a member leaves or is removed, in the removal's transaction: throws the line's
   * refusal when the line must keep them (the person a credits workspace bills).
   */
  beforeRemove?: (tx: Db, organizationId: string, userId: string) => Promise<void>;
}

export interface OrganizationRole {
  role: string;
  label: string;
  /** Sorted, so lists and comparisons are stable. */
  permissions: readonly string[];
}

export interface OrganizationKind {
  kind: string;
  label: string;
  creatorRole: string;
  selfService: boolean;
  invitationsByLine: boolean;
  renamedByLine: boolean;
  createdByLine: boolean;
  beforeRemove?: (tx: Db, organizationId: string, userId: string) => Promise<void>;
  /** Owner, admin, the kind's own roles in the order declared, member. */
  roles: readonly OrganizationRole[];
  /** Every permission a role of this kind can hold. */
  permissions: readonly string[];
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const PERMISSION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

function buildKind(definition: OrganizationKindDefinition): OrganizationKind {
  const declared = definition.roles ?? {};
  const problem = (message: string) => new Error(`organisation kind "${definition.kind}": ${message}`);
  if (!NAME.test(definition.kind)) throw problem('the kind must be lower-case letters, digits and _');
  for (const [role, { permissions = [] }] of Object.entries(declared)) {
    if (!NAME.test(role)) throw problem(`role "${role}" must be lower-case letters, digits and _`);
    for (const permission of permissions) {
      if (!PERMISSION.test(permission))
        throw problem(`permission "${permission}" must look like "area.verb"`);
      if ((ownerOnlyPermissions as readonly string[]).includes(permission)) {
        throw problem(`"${permission}" belongs to owners only and cannot be given to role "${role}"`);
      }
    }
  }

  const all = new Set<string>(Object.keys(corePermissions));
  for (const { permissions = [] } of Object.values(declared)) for (const p of permissions) all.add(p);
  const sorted = (permissions: Iterable<string>) => [...new Set(permissions)].sort();
  const baseline = [...memberPermissions, ...(declared[MEMBER]?.permissions ?? [])];

  const extraRoles = Object.keys(declared).filter((role) => ![OWNER, ADMIN, MEMBER].includes(role));
  const roles: OrganizationRole[] = [
    { role: OWNER, label: declared[OWNER]?.label ?? 'Owner', permissions: sorted(all) },
    {
      role: ADMIN,
      label: declared[ADMIN]?.label ?? 'Admin',
      permissions: sorted([...all].filter((p) => !(ownerOnlyPermissions as readonly string[]).includes(p))),
    },
    ...extraRoles.map((role) => ({
      role,
      label: declared[role]?.label ?? role,
      permissions: sorted([...baseline, ...(declared[role]?.permissions ?? [])]),
    })),
    { role: MEMBER, label: declared[MEMBER]?.label ?? 'Member', permissions: sorted(baseline) },
  ];

  const creatorRole = definition.creatorRole ?? OWNER;
  if (!roles.some((r) => r.role === creatorRole))
    throw problem(`creator role "${creatorRole}" is not one of its roles`);
  return {
    kind: definition.kind,
    label: definition.label,
    creatorRole,
    selfService: definition.selfService ?? true,
    invitationsByLine: definition.invitationsByLine ?? false,
    renamedByLine: definition.renamedByLine ?? false,
    createdByLine: definition.createdByLine ?? false,
    ...(definition.beforeRemove ? { beforeRemove: definition.beforeRemove } : {}),
    roles,
    permissions: sorted(all),
  };
}

/** Builds a kind of organisation from its definition; a product line lists the kinds it declares. */
export function defineOrganizationKind(definition: OrganizationKindDefinition): OrganizationKind {
  return buildKind(definition);
}

/**
 * The one kind the core itself offers: people working together under one name, with the core's
 * roles only. Product lines add their own kinds (a producer, a household, a buyers club…).
 */
export const teamKind = defineOrganizationKind({ kind: 'team', label: 'Team' });

/**
 * The kinds one Tally serves: the core's team and every kind its product lines declare, built once
 * from the list of lines. A kind no line declares (its line is gone) keeps the core's three roles,
 * and its own roles hold nothing, which refuses rather than allows.
 */
export class OrganizationKinds {
  private readonly byName = new Map<string, OrganizationKind>();
  private static readonly unknownKind = buildKind({ kind: 'unregistered', label: 'Organisation' });

  constructor(kinds: readonly OrganizationKind[]) {
    for (const kind of [teamKind, ...kinds]) {
      const existing = this.byName.get(kind.kind);
      if (existing && existing !== kind)
        throw new Error(`organisation kind "${kind.kind}" is declared twice`);
      this.byName.set(kind.kind, kind);
    }
  }

  find(kind: string): OrganizationKind | undefined {
    return this.byName.get(kind);
  }

  list(): OrganizationKind[] {
    return [...this.byName.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  }

  rulesOf(kind: string): OrganizationKind {
    return this.byName.get(kind) ?? OrganizationKinds.unknownKind;
  }
}

export function findRole(kind: OrganizationKind, role: string): OrganizationRole | undefined {
  return kind.roles.find((r) => r.role === role);
}

export function permissionsOf(kind: OrganizationKind, role: string): readonly string[] {
  return findRole(kind, role)?.permissions ?? [];
}

export function hasPermission(kind: OrganizationKind, role: string, permission: string): boolean {
  return permissionsOf(kind, role).includes(permission);
}

/** The permissions of `role` that `holderRole` lacks: empty when the holder may grant that role. */
export function permissionsBeyond(kind: OrganizationKind, holderRole: string, role: string): string[] {
  const held = new Set(permissionsOf(kind, holderRole));
  return permissionsOf(kind, role).filter((permission) => !held.has(permission));
}
