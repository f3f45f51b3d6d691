import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessTestTally,
  actorFor,
  testClub,
  testHousehold,
  testReseller,
} from '../../../test/support/access';
import { signedInPerson, type TestPerson, type TestTally } from '../../../test/support/app';
import { queryRows } from '../database';
import { AppError } from '../errors';
import type { AccessDeps } from './authorization';
import { inviteMember } from './invitations';
import { changeMemberRole, listMembers, removeMember } from './memberships';
import { createOrganization, listMyOrganizations } from './organizations';

let tally: TestTally;
let deps: AccessDeps;

beforeAll(async () => {
  ({ tally, deps } = await accessTestTally());
});

let people = 0;
const person = (name: string) => signedInPerson(tally, { email: `${name}-${++people}@members.test`, name });

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** A club with an owner and people in the given roles, joined straight in the table. */
async function clubWith(roles: string[]) {
  const owner = await person('owner');
  const org = await createOrganization(deps, actorFor(owner), { kind: testClub.kind, name: 'Club' });
  const others: TestPerson[] = [];
  for (const role of roles) {
    const other = await person(role);
    await tally.database.db.execute(sql`
      INSERT INTO core_memberships (organization_id, user_id, role, created_at)
      VALUES (${org.id}, ${other.userId}, ${role}, ${tally.clock.now()})`);
    others.push(other);
  }
  return { org, owner, others };
}

const rolesIn = async (organizationId: string) =>
  Object.fromEntries(
    (
      await queryRows<{ user_id: string; role: string }>(
        tally.database.db,
        sql`SELECT user_id, role FROM core_memberships WHERE organization_id = ${organizationId}`,
      )
    ).map((r) => [r.user_id, r.role]),
  );

describe('creating organisations', () => {
  it('makes the creator the kind’s creator role and lists it as theirs', async () => {
    const owner = await person('creator');
    const club = await createOrganization(deps, actorFor(owner), {
      kind: testClub.kind,
      name: '  Green Valley  ',
    });
    expect(club).toMatchObject({
      kind: testClub.kind,
      name: 'Green Valley',
      myRole: 'owner',
      createdBy: owner.userId,
    });
    const household = await createOrganization(deps, actorFor(owner), {
      kind: testHousehold.kind,
      name: 'Home',
    });
    expect(household.myRole).toBe('member');
    expect(household.myPermissions).toContain('members.invite');
    const mine = await listMyOrganizations(deps, actorFor(owner));
    expect(mine.map((o) => [o.name, o.myRole])).toEqual([
      ['Green Valley', 'owner'],
      ['Home', 'member'],
    ]);
  });

  it('refuses unknown kinds, blank names, and kinds only the platform creates', async () => {
    const someone = await person('someone');
    const actor = actorFor(someone);
    expect((await refusal(createOrganization(deps, actor, { kind: 'nope', name: 'X' }))).code).toBe(
      'validation_failed',
    );
    expect((await refusal(createOrganization(deps, actor, { kind: testClub.kind, name: ' \n ' }))).code).toBe(
      'validation_failed',
    );
    expect(
      (await refusal(createOrganization(deps, actor, { kind: testClub.kind, name: 'A\u0007B' }))).code,
    ).toBe('validation_failed');
    expect(
      (await refusal(createOrganization(deps, actor, { kind: testReseller.kind, name: 'Shop' }))).code,
    ).toBe('forbidden');
    const forSomeoneElse = createOrganization(deps, actor, {
      kind: testClub.kind,
      name: 'Club',
      ownerUserId: someone.userId,
    });
    expect((await refusal(forSomeoneElse)).code).toBe('forbidden');
    expect(await listMyOrganizations(deps, actor)).toEqual([]);
  });

  it('lets an administrator create a reseller on behalf of a person, who becomes its owner', async () => {
    const admin = actorFor(await person('admin'), { isAdmin: true });
    const buyer = await person('buyer');
    const shop = await createOrganization(deps, admin, {
      kind: testReseller.kind,
      name: 'Shop',
      ownerUserId: buyer.userId,
    });
    expect(shop.myRole).toBeNull();
    expect(await rolesIn(shop.id)).toEqual({ [buyer.userId]: 'owner' });
    const unknown = createOrganization(deps, admin, {
      kind: testReseller.kind,
      name: 'Shop',
      ownerUserId: '0190e0e0-0000-7000-8000-000000000000',
    });
    expect((await refusal(unknown)).code).toBe('not_found');
  });
});

describe('the last owner', () => {
  it('cannot step down or leave while alone, and can once another owner exists', async () => {
    const { org, owner, others } = await clubWith(['admin']);
    const [admin] = others as [TestPerson];
    const demote = changeMemberRole(deps, actorFor(owner), {
      organizationId: org.id,
      userId: owner.userId,
      role: 'admin',
    });
    const stepDown = await refusal(demote);
    expect(stepDown.code).toBe('domain_rule');
    expect(stepDown.message).toMatch(/at least one owner/);
    expect(
      (await refusal(removeMember(deps, actorFor(owner), { organizationId: org.id, userId: owner.userId })))
        .code,
    ).toBe('domain_rule');
    expect(await rolesIn(org.id)).toEqual({ [owner.userId]: 'owner', [admin.userId]: 'admin' });

    await changeMemberRole(deps, actorFor(owner), {
      organizationId: org.id,
      userId: admin.userId,
      role: 'owner',
    });
    await removeMember(deps, actorFor(owner), { organizationId: org.id, userId: owner.userId });
    expect(await rolesIn(org.id)).toEqual({ [admin.userId]: 'owner' });
  });

  it('holds even for an administrator of the platform', async () => {
    const { org, owner } = await clubWith([]);
    const admin = actorFor(await person('operator'), { isAdmin: true });
    const removal = removeMember(deps, admin, { organizationId: org.id, userId: owner.userId });
    expect((await refusal(removal)).code).toBe('domain_rule');
  });

  it('survives two owners demoting each other at the same time', async () => {
    const { org, owner, others } = await clubWith(['owner']);
    const [second] = others as [TestPerson];
    const results = await Promise.allSettled([
      changeMemberRole(deps, actorFor(owner), {
        organizationId: org.id,
        userId: second.userId,
        role: 'member',
      }),
      changeMemberRole(deps, actorFor(second), {
        organizationId: org.id,
        userId: owner.userId,
        role: 'member',
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // Whoever goes second has just been made a member, and members change no roles.
    const failed = results.find((r) => r.status === 'rejected');
    expect(failed?.status === 'rejected' && (failed.reason as AppError).code).toBe('forbidden');
    expect(Object.values(await rolesIn(org.id)).sort()).toEqual(['member', 'owner']);
  });
});

describe('granting roles', () => {
  it('lets an admin manage roles up to their own, never owners', async () => {
    const { org, owner, others } = await clubWith(['admin', 'member']);
    const [admin, member] = others as [TestPerson, TestPerson];
    const asAdmin = actorFor(admin);
    const change = (userId: string, role: string) =>
      changeMemberRole(deps, asAdmin, { organizationId: org.id, userId, role });

    expect(await change(member.userId, 'treasurer')).toMatchObject({
      userId: member.userId,
      role: 'treasurer',
    });
    expect(await change(member.userId, 'admin')).toMatchObject({ role: 'admin' });
    await change(member.userId, 'member');

    const grantOwner = await refusal(change(member.userId, 'owner'));
    expect(grantOwner.code).toBe('forbidden');
    expect(grantOwner.message).toMatch(/cannot grant the Owner role/);
    expect(grantOwner.details).toEqual({ role: 'owner', missing: ['owners.manage'] });
    expect((await refusal(change(owner.userId, 'admin'))).code).toBe('forbidden');
    expect(
      (await refusal(removeMember(deps, asAdmin, { organizationId: org.id, userId: owner.userId }))).code,
    ).toBe('forbidden');
    const inviteOwner = inviteMember(deps, asAdmin, {
      organizationId: org.id,
      email: 'o@members.test',
      role: 'owner',
    });
    expect((await refusal(inviteOwner)).code).toBe('forbidden');
    expect((await refusal(change(member.userId, 'chair'))).code).toBe('validation_failed');

    await removeMember(deps, asAdmin, { organizationId: org.id, userId: member.userId });
    expect(await rolesIn(org.id)).toEqual({ [owner.userId]: 'owner', [admin.userId]: 'admin' });
  });

  it('lets an owner make owners', async () => {
    const { org, owner, others } = await clubWith(['member']);
    const [member] = others as [TestPerson];
    await changeMemberRole(deps, actorFor(owner), {
      organizationId: org.id,
      userId: member.userId,
      role: 'owner',
    });
    expect(await rolesIn(org.id)).toEqual({ [owner.userId]: 'owner', [member.userId]: 'owner' });
  });

  it('lets any member leave, but not remove others', async () => {
    const { org, owner, others } = await clubWith(['treasurer', 'member']);
    const [treasurer, member] = others as [TestPerson, TestPerson];
    const removeTreasurer = removeMember(deps, actorFor(member), {
      organizationId: org.id,
      userId: treasurer.userId,
    });
    expect((await refusal(removeTreasurer)).code).toBe('forbidden');
    await removeMember(deps, actorFor(member), { organizationId: org.id, userId: member.userId });
    expect(await rolesIn(org.id)).toEqual({ [owner.userId]: 'owner', [treasurer.userId]: 'treasurer' });
    const [entry] = await queryRows<{ details: Record<string, unknown> }>(
      tally.database.db,
      sql`SELECT details FROM core_audit_log WHERE action = 'membership.remove' AND organization_id = ${org.id}`,
    );
    expect(entry?.details).toEqual({ userId: member.userId, role: 'member', left: true });
  });

  it('lets household members invite members, as their kind says, but grant nothing above', async () => {
    const founder = await person('founder');
    const home = await createOrganization(deps, actorFor(founder), {
      kind: testHousehold.kind,
      name: 'Home',
    });
    const invite = (role: string) =>
      inviteMember(deps, actorFor(founder), { organizationId: home.id, email: 'partner@members.test', role });
    expect(await invite('member')).toMatchObject({ role: 'member', state: 'open' });
    expect((await refusal(invite('admin'))).code).toBe('forbidden');
    const leaving = removeMember(deps, actorFor(founder), {
      organizationId: home.id,
      userId: founder.userId,
    });
    await expect(leaving).resolves.toBeUndefined();
    expect((await listMembers(deps, actorFor(await person('x'), { isAdmin: true }), home.id)).length).toBe(0);
  });

  it('changes nothing and records nothing when the role is already the one asked for', async () => {
    const { org, owner, others } = await clubWith(['member']);
    const [member] = others as [TestPerson];
    const count = async () =>
      (
        await queryRows(
          tally.database.db,
          sql`SELECT id FROM core_audit_log WHERE organization_id = ${org.id}`,
        )
      ).length;
    const before = await count();
    await changeMemberRole(deps, actorFor(owner), {
      organizationId: org.id,
      userId: member.userId,
      role: 'member',
    });
    expect(await count()).toBe(before);
  });
});
