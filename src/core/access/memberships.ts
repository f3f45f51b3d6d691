import { sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/service';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid } from '../ids';
import {
  type AccessDeps,
  authorize,
  type OrganizationAccess,
  requireKnownRole,
  requireMembership,
  requireWithinReach,
} from './authorization';
import { MEMBER, OWNER } from './roles';

export interface Member {
  userId: string;
  name: string;
  email: string | null;
  role: string;
  joinedAt: Date;
}

interface MemberRow {
  user_id: string;
  name: string;
  email: string | null;
  role: string;
  joined_at: string;
}

const toMember = (row: MemberRow): Member => ({
  userId: row.user_id,
  name: row.name,
  email: row.email,
  role: row.role,
  joinedAt: parseTimestamp(row.joined_at),
});

const memberColumns = sql.raw('m.user_id, u.name, u.email, m.role, m.created_at::text AS joined_at');

/** The members of an organisation, in the order they joined. */
export async function listMembers(
  { db, kinds }: AccessDeps,
  actor: Actor,
  organizationId: string,
): Promise<Member[]> {
  const access = await authorize({ db: db, kinds }, actor, organizationId, 'members.read', 'read');
  const rows = await queryRows<MemberRow>(
    db,
    sql`SELECT ${memberColumns}
        FROM core_memberships m JOIN core_users u ON u.id = m.user_id
        WHERE m.organization_id = ${access.organization.id}
        ORDER BY m.created_at, m.user_id`,
  );
  return rows.map(toMember);
}

async function findMember(db: Db, organizationId: string, userId: string): Promise<Member> {
  const [row] = isUuid(userId)
    ? await queryRows<MemberRow>(
        db,
        sql`SELECT ${memberColumns}
            FROM core_memberships m JOIN core_users u ON u.id = m.user_id
            WHERE m.organization_id = ${organizationId} AND m.user_id = ${userId}`,
      )
    : [];
  if (!row) throw notFound('member', { userId });
  return toMember(row);
}

/**
 * An organisation keeps at least one owner, so someone can always manage it; called with the
 * organisation locked, so two owners stepping down at once cannot both pass.
 */
async function requireAnotherOwner(db: Db, access: OrganizationAccess, leaving: Member): Promise<void> {
  if (leaving.role !== OWNER) return;
  const [others] = await queryRows<{ count: number }>(
    db,
    sql`SELECT count(*)::int AS count FROM core_memberships
        WHERE organization_id = ${access.organization.id} AND role = ${OWNER} AND user_id <> ${leaving.userId}`,
  );
  if ((others?.count ?? 0) === 0) {
    throw new AppError(
      'domain_rule',
      `${access.organization.name} must keep at least one owner: make someone else an owner first`,
      { rule: 'last_owner' },
    );
  }
}

export interface ChangeMemberRoleInput {
  organizationId: string;
  userId: string;
  role: string;
}

/** Gives a member another role; the caller must hold every permission of both the old and the new role. */
export async function changeMemberRole(
  { db, clock, kinds }: AccessDeps,
  actor: Actor,
  input: ChangeMemberRoleInput,
): Promise<Member> {
  return db.transaction(async (tx) => {
    const access = await authorize(
      { db: tx, kinds },
      actor,
      input.organizationId,
      'members.manage',
      'change',
    );
    requireKnownRole(kinds, access.organization, input.role);
    const member = await findMember(tx, access.organization.id, input.userId);
    if (member.role === input.role) return member;
    requireWithinReach(kinds, actor, access, member.role, 'change');
    requireWithinReach(kinds, actor, access, input.role, 'grant');
    if (input.role !== OWNER) await requireAnotherOwner(tx, access, member);
    await tx.execute(sql`
      UPDATE core_memberships SET role = ${input.role}
      WHERE organization_id = ${access.organization.id} AND user_id = ${member.userId}`);
    await recordAudit(tx, clock, actor, {
      action: 'membership.role_change',
      objectType: 'membership',
      objectId: member.userId,
      organizationId: access.organization.id,
      details: { userId: member.userId, from: member.role, to: input.role },
    });
    return { ...member, role: input.role };
  });
}

export interface RemoveMemberInput {
  organizationId: string;
  userId: string;
}

/**
 * Removes a member. A person may always remove themselves (leave), unless they are the last owner or
 * their organisation's kind keeps them (`beforeRemove`); removing someone else needs `members.manage`
 * and every permission of their role.
 */
export async function removeMember(
  { db, clock, kinds }: AccessDeps,
  actor: Actor,
  input: RemoveMemberInput,
): Promise<void> {
  const leaving = actor.userId !== null && actor.userId === input.userId;
  await db.transaction(async (tx) => {
    const access = leaving
      ? await requireMembership(tx, actor, input.organizationId, 'change')
      : await authorize({ db: tx, kinds }, actor, input.organizationId, 'members.manage', 'change');
    const member = await findMember(tx, access.organization.id, input.userId);
    if (!leaving) requireWithinReach(kinds, actor, access, member.role, 'remove');
    await requireAnotherOwner(tx, access, member);
    await kinds.find(access.organization.kind)?.beforeRemove?.(tx, access.organization.id, member.userId);
    await tx.execute(sql`
      DELETE FROM core_memberships
      WHERE organization_id = ${access.organization.id} AND user_id = ${member.userId}`);
    await recordAudit(tx, clock, actor, {
      action: 'membership.remove',
      objectType: 'membership',
      objectId: member.userId,
      organizationId: access.organization.id,
      details: { userId: member.userId, role: member.role, left: leaving },
    });
  });
}

export interface AdmitMemberInput {
  organizationId: string;
  userId: string;
  /** The kind's member role unless the line says otherwise. */
  role?: string;
  /** What let them in, for the audit log (`invite_link`). */
  via: string;
}

/**
 * Makes a person a member, in the caller's transaction, for a product line that admits people its
 * own way (a buyers club's invite link). The line has checked that they may join; a person who is a
 * member already keeps the role they have. Returns whether they joined now.
 */
export async function admitMember(
  tx: Db,
  clock: Clock,
  actor: Actor,
  input: AdmitMemberInput,
): Promise<boolean> {
  const role = input.role ?? MEMBER;
  const joined = await queryRows(
    tx,
    sql`INSERT INTO core_memberships (organization_id, user_id, role, created_at)
        VALUES (${input.organizationId}, ${input.userId}, ${role}, ${clock.now()})
        ON CONFLICT DO NOTHING RETURNING user_id`,
  );
  if (joined.length === 0) return false;
  await recordAudit(tx, clock, actor, {
    action: 'membership.admit',
    objectType: 'membership',
    objectId: input.userId,
    organizationId: input.organizationId,
    details: { userId: input.userId, role, via: input.via },
  });
  return true;
}
