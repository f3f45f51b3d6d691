import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTestTally, TEST_PUBLIC_URL, testClub, testHousehold } from '../../../test/support/access';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
} from '../../../test/support/app';
import { queryRows } from '../database';
import { newId } from '../ids';

let tally: TestTally;
let owner: TestPerson;
let member: TestPerson;
let orgId: string;

beforeAll(async () => {
  ({ tally } = await accessTestTally());
  owner = await signedInPerson(tally, { email: 'owner@routes.test', name: 'Owner' });
  member = await signedInPerson(tally, { email: 'member@routes.test', name: 'Member' });
  const created = await request(tally, 'POST', '/api/orgs', {
    as: owner,
    body: { kind: testClub.kind, name: 'Routes club' },
  });
  orgId = (await read(created)).id;
  await tally.database.db.execute(sql`
    INSERT INTO core_memberships (organization_id, user_id, role, created_at)
    VALUES (${orgId}, ${member.userId}, 'member', ${tally.clock.now()})`);
});

/** Everything the access routes can change, to prove a refused request changed none of it. */
async function everything() {
  const db = tally.database.db;
  return {
    organizations: await queryRows(
      db,
      sql`SELECT id, kind, name, updated_at::text FROM core_organizations ORDER BY id`,
    ),
    memberships: await queryRows(db, sql`SELECT * FROM core_memberships ORDER BY organization_id, user_id`),
    invitations: await queryRows(
      db,
      sql`SELECT id, revoked_at, accepted_at FROM core_invitations ORDER BY id`,
    ),
    mails: await queryRows(db, sql`SELECT id FROM core_mail_messages ORDER BY id`),
    audit: await queryRows(db, sql`SELECT id FROM core_audit_log ORDER BY id`),
  };
}

describe('organisation routes', () => {
  it('asks anonymous callers to sign in on every organisation route', async () => {
    const id = orgId;
    const user = member.userId;
    const calls: [string, string, unknown?][] = [
      ['POST', '/api/orgs', { kind: testClub.kind, name: 'X' }],
      ['GET', '/api/orgs'],
      ['GET', `/api/orgs/${id}`],
      ['PATCH', `/api/orgs/${id}`, { name: 'X' }],
      ['GET', `/api/orgs/${id}/members`],
      ['PATCH', `/api/orgs/${id}/members/${user}`, { role: 'admin' }],
      ['DELETE', `/api/orgs/${id}/members/${user}`],
      ['POST', `/api/orgs/${id}/invitations`, { email: 'a@b.test', role: 'member' }],
      ['GET', `/api/orgs/${id}/invitations`],
      ['DELETE', `/api/orgs/${id}/invitations/${newId()}`],
      ['POST', `/api/invitations/${'t'.repeat(43)}/accept`],
    ];
    for (const [method, path, body] of calls) {
      const response = await request(tally, method, path, { body });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect((await read(response)).error.code).toBe('unauthorized');
    }
  });

  it('lists the registered kinds with their roles, for the web app', async () => {
    const response = await request(tally, 'GET', '/api/orgs/kinds', { as: member });
    expect(response.status).toBe(200);
    const { items } = await read(response);
    const club = items.find((k: Body) => k.kind === testClub.kind);
    expect(club).toMatchObject({
      label: 'Buyers club',
      creator_role: 'owner',
      self_service: true,
      invitations_by_line: false,
    });
    // The credits line sends its workspaces' invitations itself (each one costs credits).
    expect(items.find((k: Body) => k.kind === 'credits_workspace')).toMatchObject({
      invitations_by_line: true,
    });
    expect(club.roles.map((r: Body) => r.role)).toEqual([
      'owner',
      'admin',
      'order_manager',
      'treasurer',
      'member',
    ]);
    expect(club.roles.find((r: Body) => r.role === 'treasurer').permissions).toContain(
      'test.payments.manage',
    );
    expect(items.find((k: Body) => k.kind === testHousehold.kind).creator_role).toBe('member');
  });

  it('creates, lists, reads and renames an organisation, with my role and permissions', async () => {
    const created = await request(tally, 'POST', '/api/orgs', {
      as: member,
      body: { kind: testClub.kind, name: 'Second club' },
    });
    expect(created.status).toBe(201);
    const org = await read(created);
    expect(org).toMatchObject({
      kind: testClub.kind,
      name: 'Second club',
      my_role: 'owner',
      created_at: '2026-06-01T09:00:00.000Z',
    });
    expect(org.my_permissions).toContain('owners.manage');

    const mine = await read(await request(tally, 'GET', '/api/orgs', { as: member }));
    expect(mine.items.map((o: Body) => [o.name, o.my_role])).toEqual([
      ['Routes club', 'member'],
      ['Second club', 'owner'],
    ]);
    const seen = await read(await request(tally, 'GET', `/api/orgs/${orgId}`, { as: member }));
    expect(seen).toMatchObject({
      id: orgId,
      my_role: 'member',
      my_permissions: ['members.read', 'org.read'],
    });

    tally.clock.advance(60_000);
    const renamed = await request(tally, 'PATCH', `/api/orgs/${org.id}`, {
      as: member,
      body: { name: 'Renamed' },
    });
    expect(renamed.status).toBe(200);
    expect(await read(renamed)).toMatchObject({ name: 'Renamed', updated_at: '2026-06-01T09:01:00.000Z' });
  });

  it('answers a non-member 404 and a member without the permission 403', async () => {
    const stranger = await signedInPerson(tally);
    const hidden = await request(tally, 'GET', `/api/orgs/${orgId}`, { as: stranger });
    expect(hidden.status).toBe(404);
    expect(await read(hidden)).toEqual({ error: { code: 'not_found', message: 'organization not found' } });
    const refused = await request(tally, 'PATCH', `/api/orgs/${orgId}`, {
      as: member,
      body: { name: 'Mine' },
    });
    expect(refused.status).toBe(403);
    expect((await read(refused)).error.code).toBe('forbidden');
  });

  it('refuses bad input with 400 in the one error shape, changing nothing', async () => {
    const before = await everything();
    const bad: [string, string, string | object | undefined, string][] = [
      ['POST', '/api/orgs', { kind: testClub.kind, name: 'X', plan: 'gold' }, 'validation_failed'],
      ['POST', '/api/orgs', { kind: testClub.kind, name: '   ' }, 'validation_failed'],
      ['POST', '/api/orgs', { kind: testClub.kind }, 'validation_failed'],
      ['POST', '/api/orgs', { kind: 'no_such_kind', name: 'X' }, 'validation_failed'],
      ['POST', '/api/orgs', { kind: testClub.kind, name: 'x'.repeat(201) }, 'validation_failed'],
      ['POST', '/api/orgs', '{"kind": ', 'malformed_json'],
      ['POST', '/api/orgs', undefined, 'malformed_json'],
      ['PATCH', `/api/orgs/${orgId}`, { name: 'X', kind: 'other' }, 'validation_failed'],
      ['PATCH', '/api/orgs/not-a-uuid', { name: 'X' }, 'validation_failed'],
      ['PATCH', `/api/orgs/${orgId}/members/${member.userId}`, { role: 'Chair!' }, 'validation_failed'],
      ['PATCH', `/api/orgs/${orgId}/members/${member.userId}`, { role: 'chair' }, 'validation_failed'],
      ['PATCH', `/api/orgs/${orgId}/members/${member.userId}`, {}, 'validation_failed'],
      [
        'POST',
        `/api/orgs/${orgId}/invitations`,
        { email: 'not-an-email', role: 'member' },
        'validation_failed',
      ],
      [
        'POST',
        `/api/orgs/${orgId}/invitations`,
        { email: 'a@b.test', role: 'member', note: 'hi' },
        'validation_failed',
      ],
      ['POST', `/api/orgs/${orgId}/invitations`, { email: 'a@b.test', role: 'chair' }, 'validation_failed'],
      ['DELETE', `/api/orgs/${orgId}/invitations/nope`, undefined, 'validation_failed'],
    ];
    for (const [method, path, body, code] of bad) {
      const response = await tally.http.request(path, {
        method,
        headers: { cookie: owner.cookie, 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      const payload = await read(response);
      expect(Object.keys(payload)).toEqual(['error']);
      expect(payload.error).toMatchObject({ code, message: expect.any(String) });
    }
    expect(await everything()).toEqual(before);
  });

  it('records every mutation in the audit log with actor, object, organisation and request id', async () => {
    const invitee = await signedInPerson(tally, { email: 'nia@routes.test' });
    let newOrgId = '';
    let invitationId = '';
    let token = '';
    const steps: {
      as: TestPerson;
      method: string;
      path: () => string;
      body?: unknown;
      action: string;
      objectType: string;
      objectId: () => string;
      after?: (body: Body) => Promise<void>;
    }[] = [
      {
        as: owner,
        method: 'POST',
        path: () => '/api/orgs',
        body: { kind: testClub.kind, name: 'Audited' },
        action: 'organization.create',
        objectType: 'organization',
        objectId: () => newOrgId,
        after: async (body) => {
          newOrgId = body.id;
        },
      },
      {
        as: owner,
        method: 'PATCH',
        path: () => `/api/orgs/${newOrgId}`,
        body: { name: 'Audited club' },
        action: 'organization.update',
        objectType: 'organization',
        objectId: () => newOrgId,
      },
      {
        as: owner,
        method: 'POST',
        path: () => `/api/orgs/${newOrgId}/invitations`,
        body: { email: 'nia@routes.test', role: 'member' },
        action: 'invitation.create',
        objectType: 'invitation',
        objectId: () => invitationId,
        after: async (body) => {
          invitationId = body.id;
          const [mail] = await queryRows<{ text: string }>(
            tally.database.db,
            sql`SELECT text FROM core_mail_messages WHERE to_address = 'nia@routes.test'`,
          );
          token = new RegExp(`${TEST_PUBLIC_URL}/invitations/(\\S+)`).exec(mail!.text)![1]!;
        },
      },
      {
        as: invitee,
        method: 'POST',
        path: () => `/api/invitations/${token}/accept`,
        action: 'invitation.accept',
        objectType: 'invitation',
        objectId: () => invitationId,
      },
      {
        as: owner,
        method: 'PATCH',
        path: () => `/api/orgs/${newOrgId}/members/${invitee.userId}`,
        body: { role: 'treasurer' },
        action: 'membership.role_change',
        objectType: 'membership',
        objectId: () => invitee.userId,
      },
      {
        as: owner,
        method: 'POST',
        path: () => `/api/orgs/${newOrgId}/invitations`,
        body: { email: 'ned@routes.test', role: 'member' },
        action: 'invitation.create',
        objectType: 'invitation',
        objectId: () => invitationId,
        after: async (body) => {
          invitationId = body.id;
        },
      },
      {
        as: owner,
        method: 'DELETE',
        path: () => `/api/orgs/${newOrgId}/invitations/${invitationId}`,
        action: 'invitation.revoke',
        objectType: 'invitation',
        objectId: () => invitationId,
      },
      {
        as: owner,
        method: 'DELETE',
        path: () => `/api/orgs/${newOrgId}/members/${invitee.userId}`,
        action: 'membership.remove',
        objectType: 'membership',
        objectId: () => invitee.userId,
      },
    ];
    for (const step of steps) {
      const response = await request(tally, step.method, step.path(), { as: step.as, body: step.body });
      expect(response.status, step.action).toBeLessThan(300);
      if (step.after) await step.after(await read(response));
      const requestId = response.headers.get('x-request-id');
      const entries = await queryRows<Record<string, unknown>>(
        tally.database.db,
        sql`SELECT actor_user_id, actor_api_key_id, action, object_type, object_id, organization_id, ip, request_id
            FROM core_audit_log WHERE request_id = ${requestId}`,
      );
      expect(entries, step.action).toEqual([
        {
          actor_user_id: step.as.userId,
          actor_api_key_id: null,
          action: step.action,
          object_type: step.objectType,
          object_id: step.objectId(),
          organization_id: newOrgId,
          // app.request has no socket, so no address; over a real port the socket's address is recorded.
          ip: null,
          request_id: requestId,
        },
      ]);
    }
  });

  it('lets a member leave with DELETE on their own membership', async () => {
    const leaver = await signedInPerson(tally);
    await tally.database.db.execute(sql`
      INSERT INTO core_memberships (organization_id, user_id, role, created_at)
      VALUES (${orgId}, ${leaver.userId}, 'member', ${tally.clock.now()})`);
    const left = await request(tally, 'DELETE', `/api/orgs/${orgId}/members/${leaver.userId}`, {
      as: leaver,
    });
    expect(left.status).toBe(204);
    expect((await request(tally, 'GET', `/api/orgs/${orgId}`, { as: leaver })).status).toBe(404);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = await read(await tally.http.request('/api/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/orgs',
        '/api/orgs/kinds',
        '/api/orgs/{id}',
        '/api/orgs/{id}/members',
        '/api/orgs/{id}/members/{userId}',
        '/api/orgs/{id}/invitations',
        '/api/orgs/{id}/invitations/{invitationId}',
        '/api/invitations/{token}',
        '/api/invitations/{token}/accept',
        '/api/audit',
        '/api/audit/export.csv',
      ]),
    );
  });
});
