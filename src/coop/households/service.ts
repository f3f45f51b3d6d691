import { randomInt, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { authorize, requireMembership } from '../../core/access/authorization';
import { hasPermission } from '../../core/access/roles';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows, refusingUniqueViolations } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { readPhoto, storePhoto } from '../../core/files/photos';
import { isUuid, newId } from '../../core/ids';
import { notify } from '../../core/notifications/service';
import { CLUB_PERMISSIONS } from '../clubs/kind';
import { clubAccess } from '../clubs/service';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { COOP_NOTIFICATIONS, coopNotifier } from '../notifications';
import { clubs, householdMembers, households, type JoinRequestState, joinRequests } from '../schema';

export type Household = typeof households.$inferSelect;

export type JoinRequest = typeof joinRequests.$inferSelect;

export interface Person {
  userId: string;
  name: string;
  email: string | null;
}

export interface HouseholdView extends Household {
  members: (Person & { joinedAt: Date })[];
}

/** A household and who is in it now. */
async function withMembers(db: Db, household: Household): Promise<HouseholdView> {
  const members = await queryRows<{ user_id: string; name: string; email: string | null; joined_at: Date }>(
    db,
    sql`SELECT m.user_id, u.name, u.email, m.joined_at FROM coop_household_members m
        JOIN core_users u ON u.id = m.user_id
        WHERE m.household_id = ${household.id} ORDER BY m.joined_at, m.user_id`,
  );
  return {
    ...household,
    members: members.map((m) => ({
      userId: m.user_id,
      name: m.name,
      email: m.email,
      joinedAt: new Date(m.joined_at),
    })),
  };
}

async function findHousehold(db: Db, householdId: string, lock = false): Promise<Household> {
  if (!isUuid(householdId)) throw notFound('household', { id: householdId });
  const query = db.select().from(households).where(eq(households.id, householdId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('household', { id: householdId });
  return row;
}

/** The household of the club the person is in now, or null. */
async function householdOf(db: Db, clubId: string, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ householdId: householdMembers.householdId })
    .from(householdMembers)
    .where(and(eq(householdMembers.clubId, clubId), eq(householdMembers.userId, userId)));
  return row?.householdId ?? null;
}

async function requireNoHousehold(db: Db, clubId: string, userId: string, who = 'you are'): Promise<void> {
  const current = await householdOf(db, clubId, userId);
  if (current) {
    throw coopErrors.error('in_a_household', `${who} in a household of this club already: leave it first`, {
      household_id: current,
    });
  }
}

/**
 * The caller's standing in a household's club: a member of the club (anyone else finds no
 * household), whether they live in the household, and whether they manage the club's households.
 */
async function standing(deps: CoopDeps, db: Db, actor: Actor, household: Household, mode: 'read' | 'change') {
  const access = await requireMembership(db, actor, household.clubId, mode, clubAccess).catch((error) => {
    if (error instanceof AppError && error.code === 'not_found')
      throw notFound('household', { id: household.id });
    throw error;
  });
  const kind = deps.kinds.rulesOf(access.organization.kind);
  const manages =
    actor.isAdmin || (access.role !== null && hasPermission(kind, access.role, CLUB_PERMISSIONS.households));
  const lives =
    actor.userId !== null && (await householdOf(db, household.clubId, actor.userId)) === household.id;
  return { access, manages, lives };
}

function requireOpen(household: Household): void {
  if (household.archivedAt) {
    throw coopErrors.error('household_archived', `${household.name} is archived`, {
      household_id: household.id,
    });
  }
}

/**
 * Runs a write that may meet one of the household rules the database keeps (checked before, but two
 * requests at once both pass the check), as the line's refusal instead of a server error.
 */
function withHouseholdRules<T>(name: string, run: () => Promise<T>): Promise<T> {
  return refusingUniqueViolations(run, {
    coop_households_open_name: () =>
      coopErrors.error('household_name_taken', `a household called "${name}" exists in this club already`, {
        field: 'name',
      }),
    coop_household_members_one_per_club: () =>
      coopErrors.error('in_a_household', 'that person is in a household of this club already'),
  });
}

function householdName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('validation_failed', 'give the household a name', { field: 'name' });
  return trimmed;
}

/** The club's open households with their members, by name: the list people join from. */
export async function listHouseholds(deps: CoopDeps, actor: Actor, clubId: string): Promise<HouseholdView[]> {
  const access = await authorize(deps, actor, clubId, 'org.read', 'read', clubAccess);
  const rows = await deps.db
    .select()
    .from(households)
    .where(and(eq(households.clubId, access.organization.id), isNull(households.archivedAt)))
    .orderBy(sql`lower(${households.name})`);
  return Promise.all(rows.map((row) => withMembers(deps.db, row)));
}

export async function getHousehold(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
): Promise<HouseholdView> {
  const household = await findHousehold(deps.db, householdId);
  await standing(deps, deps.db, actor, household, 'read');
  return withMembers(deps.db, household);
}

/** A club member starts a household and is its first member; a pending request of theirs is withdrawn. */
export async function createHousehold(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  input: { name: string },
): Promise<HouseholdView> {
  const userId = requireUser(actor);
  const name = householdName(input.name);
  return deps.db.transaction(async (tx) => {
    const access = await requireMembership(tx, actor, clubId, 'change', clubAccess);
    await requireNoHousehold(tx, access.organization.id, userId);
    const now = deps.clock.now();
    const [household] = await withHouseholdRules(name, () =>
      tx
        .insert(households)
        .values({
          id: newId(),
          clubId: access.organization.id,
          name,
          createdBy: userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
    );
    await withHouseholdRules(name, () =>
      tx.insert(householdMembers).values({
        householdId: household!.id,
        clubId: access.organization.id,
        userId,
        joinedAt: now,
      }),
    );
    await withdrawPending(tx, deps, actor, access.organization.id, userId);
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.household.create',
      objectType: 'coop_household',
      objectId: household!.id,
      organizationId: access.organization.id,
      details: { name },
    });
    return withMembers(tx, household!);
  });
}

/** Its members rename their household; so may whoever manages the club's households. */
export async function renameHousehold(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
  input: { name: string },
): Promise<HouseholdView> {
  const name = householdName(input.name);
  return deps.db.transaction(async (tx) => {
    const household = await findHousehold(tx, householdId, true);
    const { manages, lives } = await standing(deps, tx, actor, household, 'change');
    if (!lives && !manages) throw new AppError('forbidden', 'only its members rename a household');
    requireOpen(household);
    if (household.name === name) return withMembers(tx, household);
    const [renamed] = await withHouseholdRules(name, () =>
      tx
        .update(households)
        .set({ name, updatedAt: deps.clock.now() })
        .where(eq(households.id, household.id))
        .returning(),
    );
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.household.rename',
      objectType: 'coop_household',
      objectId: household.id,
      organizationId: household.clubId,
      details: { from: household.name, to: name },
    });
    return withMembers(tx, renamed!);
  });
}

/** Its members (or the club's admin) give the household a photo: PNG, JPEG or WebP, up to 5 MB. */
export async function setHouseholdPhoto(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
  upload: { name: string; bytes: Buffer },
): Promise<HouseholdView> {
  const household = await findHousehold(deps.db, householdId);
  const { manages, lives } = await standing(deps, deps.db, actor, household, 'read');
  if (!lives && !manages) throw new AppError('forbidden', 'only its members change a household’s photo');
  requireOpen(household);
  const stored = await storePhoto(deps, actor, upload);
  return deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(households)
      .set({ photoFileId: stored.id, updatedAt: deps.clock.now() })
      .where(eq(households.id, household.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.household.photo',
      objectType: 'coop_household',
      objectId: household.id,
      organizationId: household.clubId,
      details: { file_id: stored.id },
    });
    return withMembers(tx, updated!);
  });
}

/** A household's photo, for the club's members. */
export async function readHouseholdPhoto(deps: CoopDeps, actor: Actor, householdId: string) {
  const household = await findHousehold(deps.db, householdId);
  await standing(deps, deps.db, actor, household, 'read');
  return readPhoto(deps, household.photoFileId, { household_id: household.id });
}

/** Archives a household: kept with its history, no longer listed, nobody in it. */
async function archive(
  tx: Db,
  deps: CoopDeps,
  actor: Actor,
  household: Household,
  why: string,
): Promise<void> {
  const now = deps.clock.now();
  await tx
    .update(households)
    .set({ archivedAt: now, archivedBy: actor.userId, updatedAt: now })
    .where(eq(households.id, household.id));
  await tx.delete(householdMembers).where(eq(householdMembers.householdId, household.id));
  // Nobody can approve the requests still waiting: they end with it.
  await tx
    .update(joinRequests)
    .set({ state: 'rejected', decidedAt: now, decidedBy: actor.userId })
    .where(and(eq(joinRequests.householdId, household.id), eq(joinRequests.state, 'pending')));
  await recordAudit(tx, deps.clock, actor, {
    action: 'coop.household.archive',
    objectType: 'coop_household',
    objectId: household.id,
    organizationId: household.clubId,
    details: { why },
  });
}

/** Takes a person out of a household; the household is archived when nobody is left in it. */
async function takeOut(
  tx: Db,
  deps: CoopDeps,
  actor: Actor,
  household: Household,
  userId: string,
  left: boolean,
) {
  const removed = await tx
    .delete(householdMembers)
    .where(and(eq(householdMembers.householdId, household.id), eq(householdMembers.userId, userId)))
    .returning();
  if (removed.length === 0) throw notFound('household member', { userId });
  await recordAudit(tx, deps.clock, actor, {
    action: left ? 'coop.household.leave' : 'coop.household.remove_member',
    objectType: 'coop_household',
    objectId: household.id,
    organizationId: household.clubId,
    details: { user_id: userId },
  });
  const [rest] = await queryRows<{ count: number }>(
    tx,
    sql`SELECT count(*)::int AS count FROM coop_household_members WHERE household_id = ${household.id}`,
  );
  if ((rest?.count ?? 0) === 0) await archive(tx, deps, actor, household, 'last member left');
}

/** The caller leaves their household; the last to leave archives it. */
export async function leaveHousehold(deps: CoopDeps, actor: Actor, householdId: string): Promise<Household> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const household = await findHousehold(tx, householdId, true);
    const { lives } = await standing(deps, tx, actor, household, 'change');
    if (!lives) throw notFound('household member', { userId });
    await takeOut(tx, deps, actor, household, userId, true);
    return findHousehold(tx, household.id);
  });
}

/** Whoever manages the club's households deletes one: archived, its members free to join another. */
export async function deleteHousehold(deps: CoopDeps, actor: Actor, householdId: string): Promise<Household> {
  return deps.db.transaction(async (tx) => {
    const household = await findHousehold(tx, householdId, true);
    const { manages } = await standing(deps, tx, actor, household, 'change');
    if (!manages) throw new AppError('forbidden', 'only the club’s admin deletes households');
    if (!household.archivedAt) await archive(tx, deps, actor, household, 'deleted');
    return findHousehold(tx, household.id);
  });
}

/** Whoever manages the club's households puts a club member into one directly. */
export async function addHouseholdMember(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
  userId: string,
): Promise<HouseholdView> {
  return deps.db.transaction(async (tx) => {
    const household = await findHousehold(tx, householdId, true);
    const { manages } = await standing(deps, tx, actor, household, 'change');
    if (!manages) throw new AppError('forbidden', 'only the club’s admin adds people to a household');
    requireOpen(household);
    const [member] = isUuid(userId)
      ? await queryRows(
          tx,
          sql`SELECT 1 FROM core_memberships WHERE organization_id = ${household.clubId} AND user_id = ${userId}`,
        )
      : [];
    if (!member) throw notFound('club member', { userId });
    await requireNoHousehold(tx, household.clubId, userId, 'they are');
    await withHouseholdRules(household.name, () =>
      tx.insert(householdMembers).values({
        householdId: household.id,
        clubId: household.clubId,
        userId,
        joinedAt: deps.clock.now(),
      }),
    );
    await withdrawPending(tx, deps, actor, household.clubId, userId);
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.household.add_member',
      objectType: 'coop_household',
      objectId: household.id,
      organizationId: household.clubId,
      details: { user_id: userId },
    });
    return withMembers(tx, household);
  });
}

/** Whoever manages the club's households takes someone out of one. */
export async function removeHouseholdMember(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
  userId: string,
): Promise<Household> {
  return deps.db.transaction(async (tx) => {
    const household = await findHousehold(tx, householdId, true);
    const { manages } = await standing(deps, tx, actor, household, 'change');
    if (!manages) throw new AppError('forbidden', 'only the club’s admin removes people from a household');
    await takeOut(tx, deps, actor, household, userId, false);
    return findHousehold(tx, household.id);
  });
}

/** Four digits: read out in person or on the phone; guessing is cut short by `MAX_WRONG_CODES`. */
const newJoinCode = () => String(randomInt(0, 10_000)).padStart(4, '0');
/** Wrong codes typed for one request before it is rejected: the one who asked must ask again. */
export const MAX_WRONG_CODES = 5;

async function withdrawPending(tx: Db, deps: CoopDeps, actor: Actor, clubId: string, userId: string) {
  await tx
    .update(joinRequests)
    .set({ state: 'withdrawn', decidedAt: deps.clock.now(), decidedBy: actor.userId })
    .where(
      and(
        eq(joinRequests.clubId, clubId),
        eq(joinRequests.userId, userId),
        eq(joinRequests.state, 'pending'),
      ),
    );
}

export interface JoinRequestView extends JoinRequest {
  person: Person;
  householdName: string;
}

async function requestView(db: Db, request: JoinRequest): Promise<JoinRequestView> {
  const [row] = await queryRows<{ name: string; email: string | null; household: string }>(
    db,
    sql`SELECT u.name, u.email, h.name AS household FROM core_users u, coop_households h
        WHERE u.id = ${request.userId} AND h.id = ${request.householdId}`,
  );
  return {
    ...request,
    person: { userId: request.userId, name: row?.name ?? '', email: row?.email ?? null },
    householdName: row?.household ?? '',
  };
}

/**
 * A club member asks to join a household; any of its members decides. The request carries who
 * asks (name and address) and, when the club requires it, a code shown only to the person asking,
 * which the approving member types after hearing it from them. Asking again elsewhere withdraws the
 * earlier request.
 */
export async function requestToJoin(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
  input: { message?: string },
): Promise<JoinRequestView> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const household = await findHousehold(tx, householdId, true);
    await standing(deps, tx, actor, household, 'change');
    requireOpen(household);
    await requireNoHousehold(tx, household.clubId, userId);
    await withdrawPending(tx, deps, actor, household.clubId, userId);
    const [request] = await tx
      .insert(joinRequests)
      .values({
        id: newId(),
        householdId: household.id,
        clubId: household.clubId,
        userId,
        code: newJoinCode(),
        message: (input.message ?? '').trim(),
        state: 'pending',
        createdAt: deps.clock.now(),
      })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.join_request.create',
      objectType: 'coop_join_request',
      objectId: request!.id,
      organizationId: household.clubId,
      details: { household_id: household.id },
    });
    const view = await requestView(tx, request!);
    const members = await tx
      .select({ userId: householdMembers.userId })
      .from(householdMembers)
      .where(eq(householdMembers.householdId, household.id));
    for (const member of members) {
      await notify(tx, coopNotifier(deps), {
        userId: member.userId,
        type: COOP_NOTIFICATIONS.joinRequest,
        title: `${view.person.name || view.person.email} asks to join ${household.name}`,
        body: `${view.person.name} (${view.person.email ?? 'no address'}) asks to join ${household.name}. Approve only someone you know: ask them for the code Tally showed them.`,
        link: `/coop/households/${household.id}`,
        dedupeKey: `join_request:${request!.id}`,
      });
    }
    return view;
  });
}

/** The requests waiting for a household, for its members and the club's admin (without their codes). */
export async function listJoinRequests(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
): Promise<JoinRequestView[]> {
  const household = await findHousehold(deps.db, householdId);
  const { manages, lives } = await standing(deps, deps.db, actor, household, 'read');
  if (!lives && !manages)
    throw new AppError('forbidden', 'only its members see who asks to join a household');
  const rows = await deps.db
    .select()
    .from(joinRequests)
    .where(and(eq(joinRequests.householdId, household.id), eq(joinRequests.state, 'pending')))
    .orderBy(joinRequests.id);
  return Promise.all(rows.map((row) => requestView(deps.db, row)));
}

/** Every request waiting in the club, oldest first, for whoever manages its households (the Admin). */
export async function listClubJoinRequests(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<JoinRequestView[]> {
  const access = await authorize(deps, actor, clubId, CLUB_PERMISSIONS.households, 'read', clubAccess);
  const rows = await deps.db
    .select()
    .from(joinRequests)
    .where(and(eq(joinRequests.clubId, access.organization.id), eq(joinRequests.state, 'pending')))
    .orderBy(joinRequests.id);
  return Promise.all(rows.map((row) => requestView(deps.db, row)));
}

/** The caller's own waiting request in a club, with its code, or null. */
export async function myJoinRequest(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<JoinRequestView | null> {
  const userId = requireUser(actor);
  const access = await requireMembership(deps.db, actor, clubId, 'read', clubAccess);
  const [row] = await deps.db
    .select()
    .from(joinRequests)
    .where(
      and(
        eq(joinRequests.clubId, access.organization.id),
        eq(joinRequests.userId, userId),
        eq(joinRequests.state, 'pending'),
      ),
    );
  return row ? requestView(deps.db, row) : null;
}

async function findRequest(tx: Db, requestId: string): Promise<JoinRequest> {
  if (!isUuid(requestId)) throw notFound('join request', { id: requestId });
  const [row] = await tx.select().from(joinRequests).where(eq(joinRequests.id, requestId)).for('update');
  if (!row) throw notFound('join request', { id: requestId });
  return row;
}

function requirePending(request: JoinRequest): void {
  if (request.state !== 'pending') {
    throw coopErrors.error('join_request_decided', `this request was ${request.state} already`, {
      state: request.state,
    });
  }
}

const sameCode = (typed: string, expected: string) => {
  const a = Buffer.from(typed.trim());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * A member of the household (or the club's admin) approves or rejects a request. Approving needs
 * the request's code when the club requires one and the decider lives in the household; the
 * admin, who admits people anyway, does not need it.
 */
export async function decideJoinRequest(
  deps: CoopDeps,
  actor: Actor,
  requestId: string,
  decision: { approve: boolean; code?: string },
): Promise<JoinRequestView> {
  const outcome = await deps.db.transaction(async (tx) => {
    const request = await findRequest(tx, requestId);
    const household = await findHousehold(tx, request.householdId, true);
    const { manages, lives } = await standing(deps, tx, actor, household, 'change');
    if (!lives && !manages) throw notFound('join request', { id: requestId });
    requirePending(request);
    const now = deps.clock.now();
    let state: JoinRequestState = 'rejected';
    if (decision.approve) {
      requireOpen(household);
      const [club] = await tx.select().from(clubs).where(eq(clubs.organizationId, household.clubId));
      if (club?.joinCodeRequired && !manages && !sameCode(decision.code ?? '', request.code)) {
        // Counted, and committed: the refusal is thrown once this transaction has kept the count.
        const wrongCodes = request.wrongCodes + 1;
        const exhausted = wrongCodes >= MAX_WRONG_CODES;
        await tx
          .update(joinRequests)
          .set(exhausted ? { wrongCodes, state: 'rejected', decidedAt: now } : { wrongCodes })
          .where(eq(joinRequests.id, request.id));
        if (exhausted) {
          await notify(tx, coopNotifier(deps), {
            userId: request.userId,
            type: COOP_NOTIFICATIONS.joinDecided,
            title: `Your request to join ${household.name} ended`,
            body: `The code was typed wrong ${MAX_WRONG_CODES} times. Ask again: you get a new code to read out to a member of ${household.name}.`,
            link: `/coop/clubs/${household.clubId}`,
            dedupeKey: `join_decided:${request.id}`,
          });
        }
        return { wrongCode: true as const, exhausted };
      }
      await requireNoHousehold(tx, household.clubId, request.userId, 'they are');
      await withHouseholdRules(household.name, () =>
        tx.insert(householdMembers).values({
          householdId: household.id,
          clubId: household.clubId,
          userId: request.userId,
          joinedAt: now,
        }),
      );
      state = 'approved';
    }
    const [decided] = await tx
      .update(joinRequests)
      .set({ state, decidedAt: now, decidedBy: actor.userId })
      .where(eq(joinRequests.id, request.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: decision.approve ? 'coop.join_request.approve' : 'coop.join_request.reject',
      objectType: 'coop_join_request',
      objectId: request.id,
      organizationId: household.clubId,
      details: { household_id: household.id, user_id: request.userId },
    });
    await notify(tx, coopNotifier(deps), {
      userId: request.userId,
      type: COOP_NOTIFICATIONS.joinDecided,
      title: decision.approve ? `You are in ${household.name}` : `${household.name} turned your request down`,
      body: decision.approve
        ? `You are now a member of ${household.name}: you order, pick up and pay together.`
        : `${household.name} did not let you in. Ask another household, or start one of your own.`,
      link: `/coop/clubs/${household.clubId}`,
      dedupeKey: `join_decided:${request.id}`,
    });
    return { wrongCode: false as const, request: await requestView(tx, decided!) };
  });
  if (outcome.wrongCode) {
    throw coopErrors.error(
      'join_code_wrong',
      outcome.exhausted
        ? `that was the ${MAX_WRONG_CODES}th wrong code: the request is rejected, and the person must ask again`
        : 'that is not the code shown to the person who asked: ask them for it again',
      { field: 'code', request_rejected: outcome.exhausted },
    );
  }
  return outcome.request;
}

/** The person who asked takes their request back. */
export async function withdrawJoinRequest(
  deps: CoopDeps,
  actor: Actor,
  requestId: string,
): Promise<JoinRequestView> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const request = await findRequest(tx, requestId);
    if (request.userId !== userId) throw notFound('join request', { id: requestId });
    requirePending(request);
    const [withdrawn] = await tx
      .update(joinRequests)
      .set({ state: 'withdrawn', decidedAt: deps.clock.now(), decidedBy: userId })
      .where(eq(joinRequests.id, request.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.join_request.withdraw',
      objectType: 'coop_join_request',
      objectId: request.id,
      organizationId: request.clubId,
    });
    return requestView(tx, withdrawn!);
  });
}
