import { sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/service';
import { queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid, newId } from '../ids';
import {
  type AccessDeps,
  authorize,
  type OrganizationForActor,
  type OrganizationRow,
  organizationColumns,
  organizationForActor,
  requireAccessCaller,
  toOrganization,
} from './authorization';

const NAME_MAX = 200;
// Names go into mail subjects and page titles: one line, no control characters.
const CONTROL_CHARACTERS = /\p{Cc}/u;

function normalizeOrganizationName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > NAME_MAX || CONTROL_CHARACTERS.test(trimmed)) {
    throw new AppError(
      'validation_failed',
      `the name must be 1 to ${NAME_MAX} characters on one line, without control characters`,
    );
  }
  return trimmed;
}

export interface CreateOrganizationInput {
  kind: string;
  name: string;
  /**
   * Administrators (and the system) may create an organisation for someone else, who becomes its
   * creator role; everyone else creates for themselves.
   */
  ownerUserId?: string;
}

/** Creates an organisation of a registered kind; its creator (or `ownerUserId`) gets the kind's creator role. */
export async function createOrganization(
  { db, clock, kinds }: AccessDeps,
  actor: Actor,
  input: CreateOrganizationInput,
  options: { byLine?: boolean } = {},
): Promise<OrganizationForActor> {
  requireAccessCaller(actor);
  const kind = kinds.find(input.kind);
  if (!kind) {
    throw new AppError('validation_failed', `"${input.kind}" is not a kind of organisation Tally knows`, {
      kinds: kinds.list().map((k) => k.kind),
    });
  }
  if (kind.createdByLine && !options.byLine) {
    throw new AppError(
      'managed_by_line',
      `a ${kind.label.toLowerCase()} is made from its own page in its product line, with what it needs beside it`,
    );
  }
  const name = normalizeOrganizationName(input.name);
  if (input.ownerUserId !== undefined && !actor.isAdmin) {
    throw new AppError('forbidden', 'only an administrator may create an organisation for someone else');
  }
  if (!kind.selfService && !actor.isAdmin) {
    throw new AppError('forbidden', `a ${kind.label} is created by Tally, not by its members`);
  }
  const ownerId = input.ownerUserId ?? actor.userId;
  if (!ownerId) throw new AppError('validation_failed', 'say who owns the organisation (ownerUserId)');

  return db.transaction(async (tx) => {
    if (input.ownerUserId !== undefined) {
      const found = isUuid(ownerId)
        ? await queryRows(tx, sql`SELECT 1 FROM core_users WHERE id = ${ownerId}`)
        : [];
      if (found.length === 0) throw notFound('person', { userId: ownerId });
    }
    const now = clock.now();
    const id = newId();
    const [row] = await queryRows<OrganizationRow>(
      tx,
      sql`INSERT INTO core_organizations AS o (id, kind, name, created_by, created_at, updated_at)
          VALUES (${id}, ${kind.kind}, ${name}, ${actor.userId}, ${now}, ${now})
          RETURNING ${organizationColumns}`,
    );
    await tx.execute(sql`
      INSERT INTO core_memberships (organization_id, user_id, role, created_at)
      VALUES (${id}, ${ownerId}, ${kind.creatorRole}, ${now})`);
    await recordAudit(tx, clock, actor, {
      action: 'organization.create',
      objectType: 'organization',
      objectId: id,
      organizationId: id,
      details: { kind: kind.kind, name, ownerUserId: ownerId, role: kind.creatorRole },
    });
    const organization = toOrganization(row!);
    return organizationForActor(
      kinds,
      organization,
      actor,
      ownerId === actor.userId ? kind.creatorRole : null,
    );
  });
}

export async function getOrganization(
  { db, kinds }: AccessDeps,
  actor: Actor,
  organizationId: string,
): Promise<OrganizationForActor> {
  const access = await authorize({ db: db, kinds }, actor, organizationId, 'org.read', 'read');
  return organizationForActor(kinds, access.organization, actor, access.role);
}

/** The organisations the caller belongs to, with their role in each, by name. */
export async function listMyOrganizations(
  { db, kinds }: AccessDeps,
  actor: Actor,
): Promise<OrganizationForActor[]> {
  requireAccessCaller(actor);
  if (!actor.userId) return [];
  const rows = await queryRows<OrganizationRow & { role: string }>(
    db,
    sql`SELECT ${organizationColumns}, m.role
        FROM core_memberships m JOIN core_organizations o ON o.id = m.organization_id
        WHERE m.user_id = ${actor.userId}
        ORDER BY lower(o.name), o.id`,
  );
  return rows.map((row) => organizationForActor(kinds, toOrganization(row), actor, row.role));
}

export interface UpdateOrganizationInput {
  organizationId: string;
  name: string;
}

export async function updateOrganization(
  { db, clock, kinds }: AccessDeps,
  actor: Actor,
  input: UpdateOrganizationInput,
  options: { byLine?: boolean } = {},
): Promise<OrganizationForActor> {
  return db.transaction(async (tx) => {
    const access = await authorize({ db: tx, kinds }, actor, input.organizationId, 'org.update', 'change');
    const kind = kinds.find(access.organization.kind);
    if (kind?.renamedByLine && !options.byLine) {
      throw new AppError(
        'managed_by_line',
        `a ${kind.label.toLowerCase()} is renamed from its own page in its product line`,
      );
    }
    const name = normalizeOrganizationName(input.name);
    const before = access.organization;
    if (name === before.name) return organizationForActor(kinds, before, actor, access.role);
    const [row] = await queryRows<OrganizationRow>(
      tx,
      sql`UPDATE core_organizations AS o SET name = ${name}, updated_at = ${clock.now()}
          WHERE o.id = ${before.id}
          RETURNING ${organizationColumns}`,
    );
    await recordAudit(tx, clock, actor, {
      action: 'organization.update',
      objectType: 'organization',
      objectId: before.id,
      organizationId: before.id,
      details: { name: { from: before.name, to: name } },
    });
    return organizationForActor(kinds, toOrganization(row!), actor, access.role);
  });
}
