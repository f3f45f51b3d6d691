import { and, eq, sql } from 'drizzle-orm';
import { authorize, requireMembership } from '../../core/access/authorization';
import { hasPermission } from '../../core/access/roles';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { checkIban } from '../../core/banking/iban';
import { type Db, queryRows, refusingUniqueViolations } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { readPhoto, storePhoto } from '../../core/files/photos';
import { isUuid, newId } from '../../core/ids';
import { CLUB_PERMISSIONS } from '../clubs/kind';
import { clubAccess } from '../clubs/service';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { type EditorPolicy, type ProducerPeopleRole, producerPeople, producers } from '../schema';

export type Producer = typeof producers.$inferSelect;

export interface ProducerView extends Producer {
  liaison: { userId: string; name: string };
  editors: string[];
  sorters: string[];
  /** What the caller may do with it: run it (its details, people, photo, liaison), edit its products. */
  /** `books`: keeps the club's books, so sees where the producer is paid. */
  mine: { runs: boolean; edits: boolean; books: boolean };
}

export interface ProducerFields {
  name: string;
  contactEmail?: string;
  phoneNumber?: string;
  location?: string;
  details?: string;
  /** Where it is paid: an IBAN as typed (checked, kept compact); null or empty removes it. */
  iban?: string | null;
  accountHolder?: string | null;
}

/** An IBAN as the producer's payout account: checked, compact; null when none is given. */
function payoutIban(text: string | null | undefined): string | null | undefined {
  if (text === undefined) return undefined;
  if (text === null || text.trim() === '') return null;
  const checked = checkIban(text);
  if (!checked.valid) throw new AppError('validation_failed', `iban: ${checked.reason}`, { field: 'iban' });
  return checked.iban;
}

export async function findProducer(db: Db, producerId: string, lock = false): Promise<Producer> {
  if (!isUuid(producerId)) throw notFound('producer', { id: producerId });
  const query = db.select().from(producers).where(eq(producers.id, producerId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('producer', { id: producerId });
  return row;
}

async function view(deps: CoopDeps, db: Db, actor: Actor, producer: Producer): Promise<ProducerView> {
  const mine = await producerStanding(deps, db, actor, producer, 'read');
  const people = await db.select().from(producerPeople).where(eq(producerPeople.producerId, producer.id));
  const [liaison] = await queryRows<{ name: string }>(
    db,
    sql`SELECT name FROM core_users WHERE id = ${producer.liaisonUserId}`,
  );
  const of = (role: ProducerPeopleRole) =>
    people
      .filter((p) => p.role === role)
      .map((p) => p.userId)
      .sort();
  return {
    ...producer,
    liaison: { userId: producer.liaisonUserId, name: liaison?.name ?? '' },
    editors: of('editor'),
    sorters: of('sorter'),
    mine,
  };
}

/**
 * The caller's standing with a producer of their club: anyone outside the club finds no producer;
 * `runs` is the liaison or whoever manages the club's producers (the Admin); `edits` adds the
 * editors its policy names.
 */
export async function producerStanding(
  deps: CoopDeps,
  db: Db,
  actor: Actor,
  producer: Producer,
  mode: 'read' | 'change',
) {
  const access = await requireMembership(db, actor, producer.clubId, mode, clubAccess).catch((error) => {
    if (error instanceof AppError && error.code === 'not_found')
      throw notFound('producer', { id: producer.id });
    throw error;
  });
  const kind = deps.kinds.rulesOf(access.organization.kind);
  const manages =
    actor.isAdmin || (access.role !== null && hasPermission(kind, access.role, CLUB_PERMISSIONS.producers));
  const runs = manages || actor.userId === producer.liaisonUserId;
  const books =
    actor.isAdmin || (access.role !== null && hasPermission(kind, access.role, CLUB_PERMISSIONS.books));
  let edits = runs || producer.editorPolicy === 'all_members';
  if (!edits && producer.editorPolicy === 'members' && actor.userId) {
    const [named] = await db
      .select()
      .from(producerPeople)
      .where(
        and(
          eq(producerPeople.producerId, producer.id),
          eq(producerPeople.role, 'editor'),
          eq(producerPeople.userId, actor.userId),
        ),
      );
    edits = named !== undefined;
  }
  return { runs, edits, books };
}

function requireRuns(standing: { runs: boolean }): void {
  if (!standing.runs)
    throw new AppError('forbidden', 'only the producer’s liaison or the club’s Admin changes this');
}

function withNameRule<T>(name: string, run: () => Promise<T>): Promise<T> {
  return refusingUniqueViolations(run, {
    coop_producers_club_name: () =>
      coopErrors.error('producer_name_taken', `the club has a producer called "${name}" already`, {
        field: 'name',
      }),
  });
}

function producerName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('validation_failed', 'give the producer a name', { field: 'name' });
  return trimmed;
}

/** Any member of the club adds a producer, and becomes its liaison. */
export async function createProducer(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  fields: ProducerFields,
): Promise<ProducerView> {
  const userId = requireUser(actor);
  const name = producerName(fields.name);
  return deps.db.transaction(async (tx) => {
    const access = await requireMembership(tx, actor, clubId, 'change', clubAccess);
    const now = deps.clock.now();
    const [producer] = await withNameRule(name, () =>
      tx
        .insert(producers)
        .values({
          id: newId(),
          clubId: access.organization.id,
          name,
          contactEmail: fields.contactEmail?.trim() ?? '',
          phoneNumber: fields.phoneNumber?.trim() ?? '',
          iban: payoutIban(fields.iban) ?? null,
          accountHolder: fields.accountHolder?.trim() || null,
          location: fields.location?.trim() ?? '',
          details: fields.details?.trim() ?? '',
          liaisonUserId: userId,
          createdBy: userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
    );
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.producer.create',
      objectType: 'coop_producer',
      objectId: producer!.id,
      organizationId: access.organization.id,
      details: { name },
    });
    return view(deps, tx, actor, producer!);
  });
}

/** The club's producers, by name. */
export async function listProducers(deps: CoopDeps, actor: Actor, clubId: string): Promise<ProducerView[]> {
  const access = await authorize(deps, actor, clubId, 'org.read', 'read', clubAccess);
  const rows = await deps.db
    .select()
    .from(producers)
    .where(eq(producers.clubId, access.organization.id))
    .orderBy(sql`lower(${producers.name})`);
  return Promise.all(rows.map((row) => view(deps, deps.db, actor, row)));
}

export async function getProducer(deps: CoopDeps, actor: Actor, producerId: string): Promise<ProducerView> {
  const producer = await findProducer(deps.db, producerId);
  await producerStanding(deps, deps.db, actor, producer, 'read');
  return view(deps, deps.db, actor, producer);
}

export interface ProducerChanges extends Partial<ProducerFields> {
  editorPolicy?: EditorPolicy;
  /** The editors when the policy is `members`: club members, replacing the list. */
  editors?: string[];
  sorters?: string[];
}

async function requireClubMembers(db: Db, clubId: string, userIds: readonly string[], field: string) {
  const unique = [...new Set(userIds)];
  if (unique.some((id) => !isUuid(id)))
    throw new AppError('validation_failed', `${field}: not a person's id`, { field });
  const found = await queryRows<{ user_id: string }>(
    db,
    sql`SELECT user_id FROM core_memberships WHERE organization_id = ${clubId} AND user_id = ANY(${sql.param(unique)}::uuid[])`,
  );
  const missing = unique.filter((id) => !found.some((row) => row.user_id === id));
  if (missing.length > 0) {
    throw new AppError('validation_failed', `${field}: not members of the club: ${missing.join(', ')}`, {
      field,
      missing,
    });
  }
  return unique;
}

/** The liaison (or the club's Admin) edits the producer, its editors policy and its sorters. */
export async function updateProducer(
  deps: CoopDeps,
  actor: Actor,
  producerId: string,
  changes: ProducerChanges,
): Promise<ProducerView> {
  return deps.db.transaction(async (tx) => {
    const producer = await findProducer(tx, producerId, true);
    requireRuns(await producerStanding(deps, tx, actor, producer, 'change'));
    const name = changes.name === undefined ? producer.name : producerName(changes.name);
    const [updated] = await withNameRule(name, () =>
      tx
        .update(producers)
        .set({
          name,
          contactEmail: changes.contactEmail?.trim() ?? producer.contactEmail,
          phoneNumber: changes.phoneNumber?.trim() ?? producer.phoneNumber,
          iban: changes.iban === undefined ? producer.iban : (payoutIban(changes.iban) ?? null),
          accountHolder:
            changes.accountHolder === undefined
              ? producer.accountHolder
              : changes.accountHolder?.trim() || null,
          location: changes.location?.trim() ?? producer.location,
          details: changes.details?.trim() ?? producer.details,
          editorPolicy: changes.editorPolicy ?? producer.editorPolicy,
          updatedAt: deps.clock.now(),
        })
        .where(eq(producers.id, producer.id))
        .returning(),
    );
    for (const [role, ids] of [
      ['editor', changes.editors],
      ['sorter', changes.sorters],
    ] as const) {
      if (ids === undefined) continue;
      const people = await requireClubMembers(tx, producer.clubId, ids, `${role}s`);
      await tx
        .delete(producerPeople)
        .where(and(eq(producerPeople.producerId, producer.id), eq(producerPeople.role, role)));
      if (people.length > 0)
        await tx
          .insert(producerPeople)
          .values(people.map((userId) => ({ producerId: producer.id, userId, role })));
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.producer.update',
      objectType: 'coop_producer',
      objectId: producer.id,
      organizationId: producer.clubId,
      details: {
        changed: Object.keys(changes).filter((key) => changes[key as keyof ProducerChanges] !== undefined),
      },
    });
    return view(deps, tx, actor, updated!);
  });
}

/** The liaison hands the role to another member of the club (the Admin may too). */
export async function transferLiaison(
  deps: CoopDeps,
  actor: Actor,
  producerId: string,
  userId: string,
): Promise<ProducerView> {
  return deps.db.transaction(async (tx) => {
    const producer = await findProducer(tx, producerId, true);
    requireRuns(await producerStanding(deps, tx, actor, producer, 'change'));
    await requireClubMembers(tx, producer.clubId, [userId], 'user_id');
    if (producer.liaisonUserId === userId) return view(deps, tx, actor, producer);
    const [updated] = await tx
      .update(producers)
      .set({ liaisonUserId: userId, updatedAt: deps.clock.now() })
      .where(eq(producers.id, producer.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.producer.liaison',
      objectType: 'coop_producer',
      objectId: producer.id,
      organizationId: producer.clubId,
      details: { from: producer.liaisonUserId, to: userId },
    });
    return view(deps, tx, actor, updated!);
  });
}

/** The producer's photo, stored by Tally (PNG, JPEG or WebP, read from its bytes, up to 5 MB). */
export async function setProducerPhoto(
  deps: CoopDeps,
  actor: Actor,
  producerId: string,
  upload: { name: string; bytes: Buffer },
): Promise<ProducerView> {
  const producer = await findProducer(deps.db, producerId);
  requireRuns(await producerStanding(deps, deps.db, actor, producer, 'read'));
  const stored = await storePhoto(deps, actor, upload);
  return deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(producers)
      .set({ photoFileId: stored.id, updatedAt: deps.clock.now() })
      .where(eq(producers.id, producer.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.producer.photo',
      objectType: 'coop_producer',
      objectId: producer.id,
      organizationId: producer.clubId,
      details: { file_id: stored.id },
    });
    return view(deps, tx, actor, updated!);
  });
}

/** The photo's bytes, for the club's members. */
export async function readProducerPhoto(
  deps: CoopDeps,
  actor: Actor,
  producerId: string,
): Promise<{ contentType: string; bytes: Buffer }> {
  const producer = await findProducer(deps.db, producerId);
  await producerStanding(deps, deps.db, actor, producer, 'read');
  return readPhoto(deps, producer.photoFileId, { producer_id: producer.id });
}
