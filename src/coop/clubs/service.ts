import { and, desc, eq, sql } from 'drizzle-orm';
import { authorize, type OrganizationForActor, organizationForActor } from '../../core/access/authorization';
import { admitMember } from '../../core/access/memberships';
import { createOrganization, updateOrganization } from '../../core/access/organizations';
import { type Actor, requireUser, systemActor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { hashSecret, newSecret } from '../../core/auth/tokens';
import { type Db, queryRows } from '../../core/database';
import { notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { clubs, inviteLinks } from '../schema';
import { CLUB_KIND, CLUB_PERMISSIONS } from './kind';

/** How a club is found through the core's access checks: only clubs, and "club not found" otherwise. */
export const clubAccess = { kind: CLUB_KIND, what: 'club' } as const;

/** An invite link works this long unless revoked earlier. */
export const INVITE_LINK_DAYS = 14;
const INVITE_LINK_PREFIX = 'club_';

export interface Club extends OrganizationForActor {
  joinCodeRequired: boolean;
  /** The household of the club the caller is in, or null. */
  myHouseholdId: string | null;
}

export async function myHouseholdIn(db: Db, clubId: string, actor: Actor): Promise<string | null> {
  if (!actor.userId) return null;
  const [row] = await queryRows<{ household_id: string }>(
    db,
    sql`SELECT household_id FROM coop_household_members WHERE club_id = ${clubId} AND user_id = ${actor.userId}`,
  );
  return row?.household_id ?? null;
}

async function clubSettings(db: Db, clubId: string) {
  const [row] = await db.select().from(clubs).where(eq(clubs.organizationId, clubId));
  if (!row) throw notFound('club', { id: clubId });
  return row;
}

/** Starts a buyers club: its creator is its Admin, holding every role. */
export async function createClub(
  deps: CoopDeps,
  actor: Actor,
  input: { name: string; joinCodeRequired?: boolean },
): Promise<Club> {
  const ownerUserId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const organization = await createOrganization(
      { db: tx, clock: deps.clock, publicUrl: deps.publicUrl, kinds: deps.kinds },
      { ...systemActor, ip: actor.ip, requestId: actor.requestId },
      { kind: CLUB_KIND, name: input.name, ownerUserId },
      { byLine: true },
    );
    const now = deps.clock.now();
    const [settings] = await tx
      .insert(clubs)
      .values({
        organizationId: organization.id,
        joinCodeRequired: input.joinCodeRequired ?? true,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.club.create',
      objectType: 'organization',
      objectId: organization.id,
      organizationId: organization.id,
      details: { name: organization.name, join_code_required: settings!.joinCodeRequired },
    });
    const rules = deps.kinds.rulesOf(CLUB_KIND);
    return {
      ...organizationForActor(deps.kinds, organization, actor, rules.creatorRole),
      joinCodeRequired: settings!.joinCodeRequired,
      myHouseholdId: null,
    };
  });
}

/** A club its members (and administrators) see; anyone else finds none. */
export async function getClub(deps: CoopDeps, actor: Actor, clubId: string): Promise<Club> {
  const access = await authorize(deps, actor, clubId, 'org.read', 'read', clubAccess);
  const settings = await clubSettings(deps.db, access.organization.id);
  return {
    ...organizationForActor(deps.kinds, access.organization, actor, access.role),
    joinCodeRequired: settings.joinCodeRequired,
    myHouseholdId: await myHouseholdIn(deps.db, access.organization.id, actor),
  };
}

/** The clubs the caller is a member of, newest first. */
export async function listMyClubs(deps: CoopDeps, actor: Actor): Promise<Club[]> {
  const userId = requireUser(actor);
  const rows = await queryRows<{ id: string; role: string }>(
    deps.db,
    sql`SELECT o.id, m.role FROM core_organizations o
        JOIN core_memberships m ON m.organization_id = o.id AND m.user_id = ${userId}
        WHERE o.kind = ${CLUB_KIND} ORDER BY o.id DESC`,
  );
  return Promise.all(rows.map((row) => getClub(deps, actor, row.id)));
}

/** The admin renames the club or changes how households admit people. */
export async function updateClub(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  changes: { name?: string; joinCodeRequired?: boolean },
): Promise<Club> {
  await deps.db.transaction(async (tx) => {
    const access = await authorize(
      { db: tx, kinds: deps.kinds },
      actor,
      clubId,
      CLUB_PERMISSIONS.settings,
      'change',
      clubAccess,
    );
    if (changes.name !== undefined && changes.name.trim() !== access.organization.name) {
      await updateOrganization({ ...deps, db: tx }, actor, { organizationId: clubId, name: changes.name });
    }
    if (changes.joinCodeRequired !== undefined) {
      const before = await clubSettings(tx, clubId);
      if (before.joinCodeRequired !== changes.joinCodeRequired) {
        await tx
          .update(clubs)
          .set({ joinCodeRequired: changes.joinCodeRequired, updatedAt: deps.clock.now() })
          .where(eq(clubs.organizationId, clubId));
        await recordAudit(tx, deps.clock, actor, {
          action: 'coop.club.settings',
          objectType: 'organization',
          objectId: clubId,
          organizationId: clubId,
          details: { join_code_required: changes.joinCodeRequired },
        });
      }
    }
  });
  return getClub(deps, actor, clubId);
}

export type InviteLink = typeof inviteLinks.$inferSelect;

/** An invite link to the club, its secret shown once: whoever follows it and signs in becomes a member. */
export async function createInviteLink(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<{ link: InviteLink; url: string }> {
  const access = await authorize(deps, actor, clubId, 'members.invite', 'read', clubAccess);
  const token = newSecret(INVITE_LINK_PREFIX);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [link] = await tx
      .insert(inviteLinks)
      .values({
        id: newId(),
        clubId: access.organization.id,
        tokenHash: hashSecret(token),
        createdBy: requireUser(actor),
        expiresAt: new Date(now.getTime() + INVITE_LINK_DAYS * 86_400_000),
        createdAt: now,
      })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.invite_link.create',
      objectType: 'coop_invite_link',
      objectId: link!.id,
      organizationId: access.organization.id,
      details: { expires_at: link!.expiresAt.toISOString() },
    });
    return { link: link!, url: `${deps.publicUrl}/coop/join/${token}` };
  });
}

export async function listInviteLinks(deps: CoopDeps, actor: Actor, clubId: string): Promise<InviteLink[]> {
  const access = await authorize(deps, actor, clubId, 'members.invite', 'read', clubAccess);
  return deps.db
    .select()
    .from(inviteLinks)
    .where(eq(inviteLinks.clubId, access.organization.id))
    .orderBy(desc(inviteLinks.id));
}

export async function revokeInviteLink(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  linkId: string,
): Promise<InviteLink> {
  return deps.db.transaction(async (tx) => {
    const access = await authorize(
      { db: tx, kinds: deps.kinds },
      actor,
      clubId,
      'members.invite',
      'change',
      clubAccess,
    );
    const [link] = await tx
      .select()
      .from(inviteLinks)
      .where(and(eq(inviteLinks.id, linkId), eq(inviteLinks.clubId, access.organization.id)));
    if (!link) throw notFound('invite link', { id: linkId });
    if (link.revokedAt) return link;
    const [revoked] = await tx
      .update(inviteLinks)
      .set({ revokedAt: deps.clock.now() })
      .where(eq(inviteLinks.id, link.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.invite_link.revoke',
      objectType: 'coop_invite_link',
      objectId: link.id,
      organizationId: access.organization.id,
    });
    return revoked!;
  });
}

async function usableLink(db: Db, token: string, now: Date) {
  const [link] = await db
    .select()
    .from(inviteLinks)
    .where(eq(inviteLinks.tokenHash, hashSecret(token)));
  if (!link) throw notFound('invite link');
  if (link.revokedAt || link.expiresAt <= now) {
    throw coopErrors.error(
      'invite_link_unusable',
      'this invite link expired or was revoked: ask the club for a new one',
    );
  }
  return link;
}

/** What an invite link leads to, for anyone holding it: the club's name, before signing in. */
export async function previewInviteLink(
  deps: CoopDeps,
  token: string,
): Promise<{ clubId: string; clubName: string; expiresAt: Date }> {
  const link = await usableLink(deps.db, token, deps.clock.now());
  const [club] = await queryRows<{ name: string }>(
    deps.db,
    sql`SELECT name FROM core_organizations WHERE id = ${link.clubId}`,
  );
  return { clubId: link.clubId, clubName: club!.name, expiresAt: link.expiresAt };
}

/** Follows an invite link: the signed-in caller becomes a member (a member already stays as they are). */
export async function joinByInviteLink(deps: CoopDeps, actor: Actor, token: string): Promise<Club> {
  const userId = requireUser(actor);
  const clubId = await deps.db.transaction(async (tx) => {
    const link = await usableLink(tx, token, deps.clock.now());
    const joined = await admitMember(tx, deps.clock, actor, {
      organizationId: link.clubId,
      userId,
      via: 'invite_link',
    });
    if (joined) {
      await tx
        .update(inviteLinks)
        .set({ uses: sql`${inviteLinks.uses} + 1` })
        .where(eq(inviteLinks.id, link.id));
    }
    return link.clubId;
  });
  return getClub(deps, actor, clubId);
}
