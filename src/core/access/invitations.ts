import { sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../actor';
import { recordAudit } from '../audit/service';
import { normalizeEmail } from '../auth/accounts';
import { hashSecret, newSecret } from '../auth/tokens';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid, newId } from '../ids';
import { queueMail } from '../mail/outbox';
import { action, paragraph, renderMail, subject } from '../mail/template';
import {
  type AccessDeps,
  authorize,
  type Organization,
  type OrganizationForActor,
  type OrganizationRow,
  organizationColumns,
  organizationForActor,
  requireAccessCaller,
  requireKnownRole,
  requireWithinReach,
  toOrganization,
} from './authorization';
import {
  INVITATION_LIFETIME_MS,
  type InvitationState,
  invitationState,
  moveInvitation,
} from './invitation-state';
import { findRole, type OrganizationKinds } from './roles';

export interface Invitation {
  id: string;
  organizationId: string;
  email: string;
  role: string;
  state: InvitationState;
  invitedBy: { userId: string; name: string };
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  revokedAt: Date | null;
}

interface InvitationRow {
  id: string;
  organization_id: string;
  email: string;
  role: string;
  invited_by: string;
  inviter_name: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
}

const invitationColumns = sql.raw(`i.id, i.organization_id, i.email, i.role, i.invited_by,
  coalesce(nullif(u.name, ''), u.email, '') AS inviter_name, i.created_at::text AS created_at,
  i.expires_at::text AS expires_at, i.accepted_at::text AS accepted_at, i.accepted_by,
  i.revoked_at::text AS revoked_at`);

function toInvitation(row: InvitationRow, now: Date): Invitation {
  const times = {
    expiresAt: parseTimestamp(row.expires_at),
    acceptedAt: row.accepted_at ? parseTimestamp(row.accepted_at) : null,
    revokedAt: row.revoked_at ? parseTimestamp(row.revoked_at) : null,
  };
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    role: row.role,
    state: invitationState(times, now),
    invitedBy: { userId: row.invited_by, name: row.inviter_name },
    createdAt: parseTimestamp(row.created_at),
    acceptedBy: row.accepted_by,
    ...times,
  };
}

async function findInvitation(
  db: Db,
  where: { id: string } | { tokenHash: string },
  now: Date,
  lock = false,
) {
  const condition = 'id' in where ? sql`i.id = ${where.id}` : sql`i.token_hash = ${where.tokenHash}`;
  const [row] = await queryRows<InvitationRow>(
    db,
    sql`SELECT ${invitationColumns}
        FROM core_invitations i JOIN core_users u ON u.id = i.invited_by
        WHERE ${condition}
        ${lock ? sql`FOR UPDATE OF i` : sql``}`,
  );
  return row ? toInvitation(row, now) : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The one normal form of an address (the same as sign-up's), refused when it is not an address at all. */
function invitedAddress(email: string): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > 254 || !EMAIL.test(normalized)) {
    throw new AppError('validation_failed', `"${email}" is not an email address`);
  }
  return normalized;
}

export interface InviteMemberInput {
  organizationId: string;
  email: string;
  role: string;
}

/**
 * Invites an email address to join with a role, and queues the mail carrying the link in the same
 * transaction. Inviting an address that has an open invitation withdraws that one, so only the
 * newest link works.
 */
export async function inviteMember(
  { db, clock, publicUrl, kinds }: AccessDeps,
  actor: Actor,
  input: InviteMemberInput,
  options: { byLine?: boolean } = {},
): Promise<Invitation> {
  const inviterId = requireUser(actor);
  return db.transaction(async (tx) => {
    const access = await authorize(
      { db: tx, kinds },
      actor,
      input.organizationId,
      'members.invite',
      'change',
    );
    const { organization } = access;
    const kind = kinds.find(organization.kind);
    if (kind?.invitationsByLine && !options.byLine) {
      throw new AppError(
        'managed_by_line',
        `invitations to a ${kind.label.toLowerCase()} are sent from its own page in its product line`,
      );
    }
    const email = invitedAddress(input.email);
    requireKnownRole(kinds, organization, input.role);
    requireWithinReach(kinds, actor, access, input.role, 'grant');

    const [existing] = await queryRows<{ user_id: string | null; member: boolean }>(
      tx,
      sql`SELECT u.id AS user_id, m.user_id IS NOT NULL AS member
          FROM core_users u
          LEFT JOIN core_memberships m ON m.user_id = u.id AND m.organization_id = ${organization.id}
          WHERE lower(u.email) = ${email}`,
    );
    if (existing?.member) {
      throw new AppError('conflict', `${email} is already a member of ${organization.name}`, { email });
    }

    const now = clock.now();
    const replaced = await queryRows<{ id: string }>(
      tx,
      sql`UPDATE core_invitations SET revoked_at = ${now}
          WHERE organization_id = ${organization.id} AND email = ${email}
            AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ${now}
          RETURNING id`,
    );

    const id = newId();
    const token = newSecret();
    const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);
    await tx.execute(sql`
      INSERT INTO core_invitations (id, organization_id, email, role, token_hash, invited_by, created_at, expires_at)
      VALUES (${id}, ${organization.id}, ${email}, ${input.role}, ${hashSecret(token)}, ${inviterId}, ${now},
        ${expiresAt})`);
    const invitation = await findInvitation(tx, { id }, now);

    await queueMail(tx, clock, {
      to: email,
      userId: existing?.user_id ?? null,
      dedupeKey: `invitation:${id}`,
      ...invitationMail(kinds, organization, invitation!, `${publicUrl}/invitations/${token}`),
    });
    await recordAudit(tx, clock, actor, {
      action: 'invitation.create',
      objectType: 'invitation',
      objectId: id,
      organizationId: organization.id,
      details: { email, role: input.role, replacedInvitationIds: replaced.map((r) => r.id) },
    });
    return invitation!;
  });
}

function invitationMail(
  kinds: OrganizationKinds,
  organization: Organization,
  invitation: Invitation,
  link: string,
) {
  const kind = kinds.find(organization.kind);
  const kindLabel = kind?.label ?? 'organisation';
  const roleLabel = findRole(kinds.rulesOf(organization.kind), invitation.role)?.label ?? invitation.role;
  const inviter = invitation.invitedBy.name || 'Someone';
  const until = `${invitation.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return renderMail('invitation', {
    subject: subject`${inviter} invited you to join ${organization.name} on Tally`,
    blocks: [
      paragraph`${inviter} invited you to join ${organization.name} (${kindLabel}) on Tally as ${roleLabel}.`,
      action('Accept the invitation', link),
      paragraph`The link works once and until ${until}. Sign in (or create your account) with ${invitation.email} to accept it.`,
      paragraph`If you did not expect this invitation, you can ignore this mail.`,
    ],
  });
}

/** The invitations still waiting for an answer (open, not expired), newest first. */
export async function listInvitations(
  { db, clock, kinds }: AccessDeps,
  actor: Actor,
  organizationId: string,
): Promise<Invitation[]> {
  const access = await authorize({ db: db, kinds }, actor, organizationId, 'members.invite', 'read');
  const now = clock.now();
  const rows = await queryRows<InvitationRow>(
    db,
    sql`SELECT ${invitationColumns}
        FROM core_invitations i JOIN core_users u ON u.id = i.invited_by
        WHERE i.organization_id = ${access.organization.id}
          AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ${now}
        ORDER BY i.created_at DESC, i.id DESC`,
  );
  return rows.map((row) => toInvitation(row, now));
}

export interface RevokeInvitationInput {
  organizationId: string;
  invitationId: string;
}

export async function revokeInvitation(
  { db, clock, kinds }: AccessDeps,
  actor: Actor,
  input: RevokeInvitationInput,
): Promise<Invitation> {
  return db.transaction(async (tx) => {
    const access = await authorize(
      { db: tx, kinds },
      actor,
      input.organizationId,
      'members.invite',
      'change',
    );
    const now = clock.now();
    const invitation = isUuid(input.invitationId)
      ? await findInvitation(tx, { id: input.invitationId }, now)
      : undefined;
    if (!invitation || invitation.organizationId !== access.organization.id) {
      throw notFound('invitation', { invitationId: input.invitationId });
    }
    requireWithinReach(kinds, actor, access, invitation.role, 'revoke');
    moveInvitation(invitation, now, 'revoked');
    await tx.execute(sql`UPDATE core_invitations SET revoked_at = ${now} WHERE id = ${invitation.id}`);
    await recordAudit(tx, clock, actor, {
      action: 'invitation.revoke',
      objectType: 'invitation',
      objectId: invitation.id,
      organizationId: access.organization.id,
      details: { email: invitation.email, role: invitation.role },
    });
    return { ...invitation, revokedAt: now, state: 'revoked' };
  });
}

/** What the page behind an invitation link shows, before anyone signs in. */
export interface InvitationPreview {
  organization: { id: string; name: string; kind: string; kindLabel: string };
  inviterName: string;
  email: string;
  role: string;
  roleLabel: string;
  state: InvitationState;
  expiresAt: Date;
}

/** Public: holding the link is what entitles one to see it; it needs no actor. */
export async function getInvitationByToken(
  { db, clock, kinds }: AccessDeps,
  token: string,
): Promise<InvitationPreview> {
  const invitation = await findInvitation(db, { tokenHash: hashSecret(token) }, clock.now());
  if (!invitation) throw notFound('invitation');
  const [row] = await queryRows<OrganizationRow>(
    db,
    sql`SELECT ${organizationColumns} FROM core_organizations o WHERE o.id = ${invitation.organizationId}`,
  );
  const organization = toOrganization(row!);
  return {
    organization: {
      id: organization.id,
      name: organization.name,
      kind: organization.kind,
      kindLabel: kinds.find(organization.kind)?.label ?? organization.kind,
    },
    inviterName: invitation.invitedBy.name,
    email: invitation.email,
    role: invitation.role,
    roleLabel: findRole(kinds.rulesOf(organization.kind), invitation.role)?.label ?? invitation.role,
    state: invitation.state,
    expiresAt: invitation.expiresAt,
  };
}

/**
 * Accepts an invitation as the signed-in person, who must own the invited address: the link alone
 * may have been forwarded. Single use: the invitation is locked, checked open, and marked accepted
 * in the transaction that creates the membership.
 */
export async function acceptInvitation(
  { db, clock, kinds }: AccessDeps,
  actor: Actor,
  token: string,
): Promise<OrganizationForActor> {
  requireAccessCaller(actor);
  const userId = requireUser(actor);
  return db.transaction(async (tx) => {
    const now = clock.now();
    const tokenHash = hashSecret(token);
    const found = await findInvitation(tx, { tokenHash }, now);
    if (!found) throw notFound('invitation');
    // The organisation first, then the invitation: the order every change to its invitations takes.
    const [organizationRow] = await queryRows<OrganizationRow>(
      tx,
      sql`SELECT ${organizationColumns} FROM core_organizations o WHERE o.id = ${found.organizationId} FOR UPDATE`,
    );
    const invitation = (await findInvitation(tx, { tokenHash }, now, true))!;
    moveInvitation(invitation, now, 'accepted');

    const [person] = await queryRows<{ email: string | null; email_verified: boolean }>(
      tx,
      sql`SELECT email, email_verified_at IS NOT NULL AS email_verified FROM core_users WHERE id = ${userId}`,
    );
    if (person?.email?.toLowerCase() !== invitation.email) {
      throw new AppError(
        'forbidden',
        `this invitation was sent to ${invitation.email}, and you are signed in as ` +
          `${person?.email ?? 'a person without an email address'}: sign in as ${invitation.email} to accept it`,
        { invitedEmail: invitation.email },
      );
    }
    // The address must be proven, or anyone could sign up with the invitee's address and accept.
    if (!person.email_verified) {
      throw new AppError(
        'forbidden',
        `confirm ${invitation.email} first: follow the link in the welcome mail`,
        {
          reason: 'email_not_verified',
        },
      );
    }
    const organization = toOrganization(organizationRow!);
    const joined = await queryRows(
      tx,
      sql`INSERT INTO core_memberships (organization_id, user_id, role, created_at)
          VALUES (${organization.id}, ${userId}, ${invitation.role}, ${now})
          ON CONFLICT (organization_id, user_id) DO NOTHING
          RETURNING user_id`,
    );
    if (joined.length === 0) {
      throw new AppError('conflict', `you are already a member of ${organization.name}`);
    }
    await tx.execute(sql`
      UPDATE core_invitations SET accepted_at = ${now}, accepted_by = ${userId} WHERE id = ${invitation.id}`);
    await recordAudit(tx, clock, actor, {
      action: 'invitation.accept',
      objectType: 'invitation',
      objectId: invitation.id,
      organizationId: organization.id,
      details: { email: invitation.email, role: invitation.role, userId },
    });
    return organizationForActor(kinds, organization, actor, invitation.role);
  });
}
