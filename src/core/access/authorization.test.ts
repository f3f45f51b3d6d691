import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTestTally, actorFor, testClub } from '../../../test/support/access';
import { signedInPerson, type TestPerson, type TestTally } from '../../../test/support/app';
import { type Actor, anonymousActor } from '../actor';
import { queryRows } from '../database';
import { AppError } from '../errors';
import { newId } from '../ids';
import type { AccessDeps, OrganizationForActor } from './authorization';
import * as invitations from './invitations';
import * as memberships from './memberships';
import * as organizations from './organizations';

let tally: TestTally;
let deps: AccessDeps;
let owner: TestPerson;
let member: TestPerson;
let treasurer: TestPerson;
let outsider: TestPerson;
let org: OrganizationForActor;
let openInvitationId: string;

beforeAll(async () => {
  ({ tally, deps } = await accessTestTally());
  [owner, member, treasurer, outsider] = (await Promise.all(
    ['owner', 'member', 'treasurer', 'outsider'].map((name) =>
      signedInPerson(tally, { email: `${name}@authz.test`, name }),
    ),
  )) as [TestPerson, TestPerson, TestPerson, TestPerson];
  org = await organizations.createOrganization(deps, actorFor(owner), { kind: testClub.kind, name: 'Club' });
  for (const [person, role] of [
    [member, 'member'],
    [treasurer, 'treasurer'],
  ] as const) {
    await tally.database.db.execute(sql`
      INSERT INTO core_memberships (organization_id, user_id, role, created_at)
      VALUES (${org.id}, ${person.userId}, ${role}, ${tally.clock.now()})`);
  }
  openInvitationId = (
    await invitations.inviteMember(deps, actorFor(owner), {
      organizationId: org.id,
      email: 'pending@authz.test',
      role: 'member',
    })
  ).id;
});

/**
 * Every service that acts on one organisation, called with fixed inputs. A new exported service must
 * be added here or to `unguarded` with its reason, or the first test fails: a service cannot ship
 * without this table proving it checks who calls it.
 */
const guarded: Record<string, (actor: Actor) => Promise<unknown>> = {
  getOrganization: (actor) => organizations.getOrganization(deps, actor, org.id),
  updateOrganization: (actor) =>
    organizations.updateOrganization(deps, actor, { organizationId: org.id, name: 'Renamed club' }),
  listMembers: (actor) => memberships.listMembers(deps, actor, org.id),
  changeMemberRole: (actor) =>
    memberships.changeMemberRole(deps, actor, {
      organizationId: org.id,
      userId: treasurer.userId,
      role: 'member',
    }),
  removeMember: (actor) =>
    memberships.removeMember(deps, actor, { organizationId: org.id, userId: treasurer.userId }),
  inviteMember: (actor) =>
    invitations.inviteMember(deps, actor, {
      organizationId: org.id,
      email: 'new@authz.test',
      role: 'member',
    }),
  listInvitations: (actor) => invitations.listInvitations(deps, actor, org.id),
  revokeInvitation: (actor) =>
    invitations.revokeInvitation(deps, actor, { organizationId: org.id, invitationId: openInvitationId }),
};

/** What a plain member may not do: every mutation, and reading who is invited. */
const needsMoreThanMember = [
  'updateOrganization',
  'changeMemberRole',
  'removeMember',
  'inviteMember',
  'listInvitations',
  'revokeInvitation',
];

const unguarded: Record<string, string> = {
  createOrganization: 'acts on no organisation yet; the kind decides (self-service), tested in memberships',
  listMyOrganizations: "reads only the caller's own memberships",
  getInvitationByToken: 'public: the link is the credential',
  acceptInvitation: 'the invited address is the check; tested in the invitation flow',
  admitMember:
    "runs in a product line's transaction after the line's own check (a club's invite link, tested in the coop)",
};

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function snapshot() {
  const db = tally.database.db;
  return {
    audit: await queryRows(db, sql`SELECT id FROM core_audit_log ORDER BY id`),
    organizations: await queryRows(db, sql`SELECT id, name FROM core_organizations ORDER BY id`),
    memberships: await queryRows(db, sql`SELECT * FROM core_memberships ORDER BY organization_id, user_id`),
    invitations: await queryRows(
      db,
      sql`SELECT id, revoked_at, accepted_at FROM core_invitations ORDER BY id`,
    ),
    mails: await queryRows(db, sql`SELECT id FROM core_mail_messages ORDER BY id`),
  };
}

describe('authorization of every access service', () => {
  it('covers every exported service in the table', () => {
    const exported = Object.entries({ ...organizations, ...memberships, ...invitations })
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);
    expect(exported.sort()).toEqual([...Object.keys(guarded), ...Object.keys(unguarded)].sort());
    expect(needsMoreThanMember.every((name) => name in guarded)).toBe(true);
  });

  it.each(needsMoreThanMember)(
    'refuses %s to a member without the permission, changing nothing',
    async (name) => {
      const before = await snapshot();
      const error = await refusal(guarded[name]!(actorFor(member)));
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/your role \(member\)/);
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(Object.keys(guarded))(
    'answers %s to a non-member as if the organisation did not exist',
    async (name) => {
      const before = await snapshot();
      const error = await refusal(guarded[name]!(actorFor(outsider)));
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('organization not found');
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(Object.keys(guarded))('asks an anonymous caller of %s to sign in', async (name) => {
    expect((await refusal(guarded[name]!(anonymousActor()))).code).toBe('unauthorized');
  });

  it('answers not_found for an organisation that does not exist, even to an administrator', async () => {
    const admin = actorFor(outsider, { isAdmin: true });
    for (const id of [newId(), 'not-a-uuid']) {
      const error = await refusal(organizations.getOrganization(deps, admin, id));
      expect(error.code).toBe('not_found');
    }
  });

  it('lets an administrator who is not a member do everything', async () => {
    const admin = actorFor(outsider, { isAdmin: true });
    for (const call of Object.values(guarded)) await call(admin);
    const seen = await organizations.getOrganization(deps, admin, org.id);
    expect(seen).toMatchObject({ name: 'Renamed club', myRole: null });
    expect(seen.myPermissions).toContain('owners.manage');
    const members = await memberships.listMembers(deps, admin, org.id);
    expect(members.map((m) => m.userId).sort()).toEqual([owner.userId, member.userId].sort());
    const open = await invitations.listInvitations(deps, admin, org.id);
    expect(open.map((i) => i.email)).toEqual(['new@authz.test']);
  });
});
