import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { testDatabaseUrl } from '../../../test/support/database';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { MAX_WRONG_CODES } from './service';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, club } = coopApi(() => tally);

describe('a buyers club', () => {
  it('makes its creator its Admin with every role, and lets people in through an invite link', async () => {
    const { id, admin, members, token } = await club(1);
    const mine = await ok(200, 'GET', `/api/coop/clubs/${id}`, admin);
    expect(mine).toMatchObject({ my_role: 'owner', join_code_required: true });
    expect(mine.my_permissions).toEqual(
      expect.arrayContaining([
        'coop.households.manage',
        'coop.producers.manage',
        'coop.orders.manage',
        'coop.books.keep',
        'members.invite',
      ]),
    );
    const member = await ok(200, 'GET', `/api/coop/clubs/${id}`, members[0]!);
    expect(member.my_role).toBe('member');
    expect(member.my_permissions).not.toContain('coop.households.manage');
    // The link says where it leads before anyone signs in; joining twice changes nothing.
    const preview = await read(await request(tally, 'GET', `/api/coop/invite-links/${token}`));
    expect(preview.club_id).toBe(id);
    await ok(200, 'POST', `/api/coop/invite-links/${token}/join`, members[0]!);
    const links = await ok(200, 'GET', `/api/coop/clubs/${id}/invite-links`, admin);
    expect(links.items[0]).toMatchObject({ uses: 1, revoked_at: null });
  });

  it('lets the Admin name an order manager and a bookkeeper through the club’s roles', async () => {
    const { id, admin, members } = await club(2);
    await ok(200, 'PATCH', `/api/orgs/${id}/members/${members[0]!.userId}`, admin, { role: 'order_manager' });
    await ok(200, 'PATCH', `/api/orgs/${id}/members/${members[1]!.userId}`, admin, { role: 'bookkeeper' });
    const manager = await ok(200, 'GET', `/api/coop/clubs/${id}`, members[0]!);
    expect(manager.my_permissions).toContain('coop.orders.manage');
    expect(manager.my_permissions).not.toContain('coop.books.keep');
    const bookkeeper = await ok(200, 'GET', `/api/coop/clubs/${id}`, members[1]!);
    expect(bookkeeper.my_permissions).toContain('coop.books.keep');
    // A member names nobody.
    await refused('forbidden', 403, 'PATCH', `/api/orgs/${id}/members/${members[1]!.userId}`, members[0]!, {
      role: 'order_manager',
    });
  });

  it('is found by its members only, and a revoked or unknown link lets nobody in', async () => {
    const { id, admin, token } = await club(0);
    const stranger = await signedInPerson(tally);
    await refused('not_found', 404, 'GET', `/api/coop/clubs/${id}`, stranger);
    await refused('forbidden', 403, 'POST', `/api/coop/clubs/${id}/invite-links`, await memberOf(id, token));
    const [link] = (await ok(200, 'GET', `/api/coop/clubs/${id}/invite-links`, admin)).items;
    await ok(200, 'POST', `/api/coop/clubs/${id}/invite-links/${link.id}/revoke`, admin);
    await refused('invite_link_unusable', 410, 'POST', `/api/coop/invite-links/${token}/join`, stranger);
    await refused(
      'not_found',
      404,
      'POST',
      '/api/coop/invite-links/club_not-a-real-link-at-all/join',
      stranger,
    );
  });

  it('is made through the coop only: the core refuses a club without its record, administrators included', async () => {
    const platformAdmin = await signedInPerson(tally, { isAdmin: true });
    const before = await snapshotTables(tally.database.db, ['core_organizations', 'coop_clubs']);
    const refusal = await request(tally, 'POST', '/api/orgs', {
      as: platformAdmin,
      body: { kind: 'club', name: 'Back door' },
    });
    expect(refusal.status).toBe(422);
    expect((await read(refusal)).error.code).toBe('managed_by_line');
    await expectUnchanged(tally.database.db, before);
    const kinds = await read(await request(tally, 'GET', '/api/orgs/kinds', { as: platformAdmin }));
    expect(kinds.items.find((kind: Body) => kind.kind === 'club')).toMatchObject({
      label: 'Buyers club',
      created_by_line: true,
    });
  });

  it('lets only its Admin change how households admit people', async () => {
    const { id, admin, members } = await club(1);
    await refused('forbidden', 403, 'PATCH', `/api/coop/clubs/${id}`, members[0]!, {
      join_code_required: false,
    });
    const changed = await ok(200, 'PATCH', `/api/coop/clubs/${id}`, admin, { join_code_required: false });
    expect(changed.join_code_required).toBe(false);
  });
});

async function memberOf(clubId: string, token: string): Promise<TestPerson> {
  const person = await signedInPerson(tally);
  const joined = await ok(200, 'POST', `/api/coop/invite-links/${token}/join`, person);
  expect(joined.id).toBe(clubId);
  return person;
}

describe('households', () => {
  it('are made by a member, joined by request with the code read out, and listed with their members', async () => {
    const { id, admin, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const household = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'The Millers' });
    expect(household.members.map((m: Body) => m.user_id)).toEqual([ana.userId]);
    expect((await ok(200, 'GET', `/api/coop/clubs/${id}`, ana)).my_household_id).toBe(household.id);
    expect((await ok(200, 'GET', `/api/coop/clubs/${id}`, ben)).my_household_id).toBeNull();

    const asked = await ok(201, 'POST', `/api/coop/households/${household.id}/join-requests`, ben, {
      message: 'Hi, it is Ben from the third floor',
    });
    expect(asked.code).toMatch(/^\d{4}$/);
    // The household sees who asks, never the code.
    const waiting = await ok(200, 'GET', `/api/coop/households/${household.id}/join-requests`, ana);
    expect(waiting.items).toEqual([
      expect.objectContaining({
        id: asked.id,
        person: expect.objectContaining({ user_id: ben.userId }),
        code: null,
      }),
    ]);
    // The Admin sees every request waiting in the club; a member does not.
    const clubWide = await ok(200, 'GET', `/api/coop/clubs/${id}/join-requests`, admin);
    expect(clubWide.items).toEqual([
      expect.objectContaining({ id: asked.id, household_name: 'The Millers', code: null }),
    ]);
    await refused('forbidden', 403, 'GET', `/api/coop/clubs/${id}/join-requests`, ana);
    const mine = await ok(200, 'GET', `/api/coop/clubs/${id}/my-join-request`, ben);
    expect(mine).toMatchObject({ id: asked.id, code: asked.code });

    const wrong = asked.code === '0000' ? '0001' : '0000';
    // A wrong code is counted (so not "nothing changed"), and lets nobody in.
    const refusal = await request(tally, 'POST', `/api/coop/join-requests/${asked.id}/approve`, {
      as: ana,
      body: { code: wrong },
    });
    expect(refusal.status).toBe(422);
    expect((await read(refusal)).error).toMatchObject({
      code: 'join_code_wrong',
      details: { field: 'code' },
    });
    expect((await ok(200, 'GET', `/api/coop/households/${household.id}`, ana)).members).toHaveLength(1);
    const approved = await ok(200, 'POST', `/api/coop/join-requests/${asked.id}/approve`, ana, {
      code: asked.code,
    });
    expect(approved.state).toBe('approved');
    // Ana was told who asked; Ben, that he is in.
    const told = async (person: TestPerson) =>
      (await ok(200, 'GET', '/api/notifications', person)).items.map((n: Body) => [n.type, n.title, n.link]);
    expect(await told(ana)).toContainEqual([
      'coop.join_request',
      'Member 2 asks to join The Millers',
      `/coop/households/${household.id}`,
    ]);
    expect(await told(ben)).toContainEqual([
      'coop.join_decided',
      'You are in The Millers',
      `/coop/clubs/${id}`,
    ]);
    const listed = await ok(200, 'GET', `/api/coop/clubs/${id}/households`, ben);
    expect(listed.items).toEqual([
      expect.objectContaining({
        name: 'The Millers',
        members: [
          expect.objectContaining({ user_id: ana.userId }),
          expect.objectContaining({ user_id: ben.userId }),
        ],
      }),
    ]);
  });

  it('counts a wrong code, and rejects the request at the fifth', async () => {
    const { id, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const household = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'Flat 3B' });
    const asked = await ok(201, 'POST', `/api/coop/households/${household.id}/join-requests`, ben, {});
    const wrong = asked.code === '0000' ? '0001' : '0000';
    for (let attempt = 1; attempt <= MAX_WRONG_CODES; attempt++) {
      const response = await request(tally, 'POST', `/api/coop/join-requests/${asked.id}/approve`, {
        as: ana,
        body: { code: wrong },
      });
      expect(response.status).toBe(422);
      expect((await read(response)).error.details.request_rejected).toBe(attempt === MAX_WRONG_CODES);
    }
    // Rejected now: even the right code no longer lets Ben in, and he is in no household.
    await refused('join_request_decided', 409, 'POST', `/api/coop/join-requests/${asked.id}/approve`, ana, {
      code: asked.code,
    });
    const listed = await ok(200, 'GET', `/api/coop/households/${household.id}`, ana);
    expect(listed.members).toHaveLength(1);
  });

  it('needs no code when the club does not ask for one, and lets the Admin approve without it', async () => {
    const open = await club(2, { joinCodeRequired: false });
    const [ana, ben] = open.members as [TestPerson, TestPerson];
    const household = await ok(201, 'POST', `/api/coop/clubs/${open.id}/households`, ana, {
      name: 'Open House',
    });
    const asked = await ok(201, 'POST', `/api/coop/households/${household.id}/join-requests`, ben, {});
    await ok(200, 'POST', `/api/coop/join-requests/${asked.id}/approve`, ana, {});

    const strict = await club(2);
    const [cy, di] = strict.members as [TestPerson, TestPerson];
    const theirs = await ok(201, 'POST', `/api/coop/clubs/${strict.id}/households`, cy, {
      name: 'Strict House',
    });
    const request2 = await ok(201, 'POST', `/api/coop/households/${theirs.id}/join-requests`, di, {});
    await ok(200, 'POST', `/api/coop/join-requests/${request2.id}/approve`, strict.admin, {});
  });

  it('keeps a person in one household per club, and one waiting request', async () => {
    const { id, members } = await club(3);
    const [ana, ben, cy] = members as [TestPerson, TestPerson, TestPerson];
    const first = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'First' });
    await refused('in_a_household', 409, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'Second' });
    await refused('household_name_taken', 409, 'POST', `/api/coop/clubs/${id}/households`, ben, {
      name: 'first',
    });
    const second = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ben, { name: 'Second' });
    await refused('in_a_household', 409, 'POST', `/api/coop/households/${second.id}/join-requests`, ana, {});
    // Asking a second household withdraws the first request.
    const toFirst = await ok(201, 'POST', `/api/coop/households/${first.id}/join-requests`, cy, {});
    const toSecond = await ok(201, 'POST', `/api/coop/households/${second.id}/join-requests`, cy, {});
    expect((await ok(200, 'GET', `/api/coop/households/${first.id}/join-requests`, ana)).items).toEqual([]);
    await refused('join_request_decided', 409, 'POST', `/api/coop/join-requests/${toFirst.id}/reject`, ana);
    await ok(200, 'POST', `/api/coop/join-requests/${toSecond.id}/reject`, ben);
  });

  it('is archived when its last member leaves, and no longer listed', async () => {
    const { id, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const household = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'Short Lived' });
    const pending = await ok(201, 'POST', `/api/coop/households/${household.id}/join-requests`, ben, {});
    const left = await ok(200, 'POST', `/api/coop/households/${household.id}/leave`, ana);
    expect(left.archived_at).not.toBeNull();
    expect((await ok(200, 'GET', `/api/coop/clubs/${id}/households`, ben)).items).toEqual([]);
    // The request waiting for it ended with it; its name is free again.
    expect(await ok(200, 'GET', `/api/coop/clubs/${id}/my-join-request`, ben)).toBeNull();
    await refused('join_request_decided', 409, 'POST', `/api/coop/join-requests/${pending.id}/withdraw`, ben);
    await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ben, { name: 'Short Lived' });
  });

  it('is managed by the Admin: rename, add and remove members, delete', async () => {
    const { id, admin, members } = await club(3);
    const [ana, ben, cy] = members as [TestPerson, TestPerson, TestPerson];
    const household = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'Managed' });
    await ok(200, 'POST', `/api/coop/households/${household.id}/members`, admin, { user_id: ben.userId });
    await refused('forbidden', 403, 'POST', `/api/coop/households/${household.id}/members`, ana, {
      user_id: cy.userId,
    });
    const renamed = await ok(200, 'PATCH', `/api/coop/households/${household.id}`, admin, {
      name: 'Managed Well',
    });
    expect(renamed.name).toBe('Managed Well');
    await refused('forbidden', 403, 'PATCH', `/api/coop/households/${household.id}`, cy, { name: 'Mine' });
    await ok(200, 'DELETE', `/api/coop/households/${household.id}/members/${ben.userId}`, admin);
    await refused('forbidden', 403, 'DELETE', `/api/coop/households/${household.id}`, ana);
    const deleted = await ok(200, 'DELETE', `/api/coop/households/${household.id}`, admin);
    expect(deleted.archived_at).not.toBeNull();
    // Its members are free to start another.
    await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'Fresh Start' });
  });

  it('hides households and requests from people outside the club, and keeps members in the club while in a household', async () => {
    const { id, admin, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const household = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'Private' });
    const asked = await ok(201, 'POST', `/api/coop/households/${household.id}/join-requests`, ben, {});
    const stranger = await signedInPerson(tally);
    await refused('not_found', 404, 'GET', `/api/coop/households/${household.id}`, stranger);
    await refused('not_found', 404, 'GET', `/api/coop/clubs/${id}/households`, stranger);
    await refused(
      'not_found',
      404,
      'POST',
      `/api/coop/households/${household.id}/join-requests`,
      stranger,
      {},
    );
    await refused('not_found', 404, 'POST', `/api/coop/join-requests/${asked.id}/approve`, stranger, {});
    // A club member outside the household neither sees nor decides its requests.
    await refused('forbidden', 403, 'GET', `/api/coop/households/${household.id}/join-requests`, ben);
    await refused('not_found', 404, 'POST', `/api/coop/join-requests/${asked.id}/reject`, ben);
    // Ana leaves her household before the club.
    await refused('in_a_household', 409, 'DELETE', `/api/orgs/${id}/members/${ana.userId}`, ana);
    await refused('in_a_household', 409, 'DELETE', `/api/orgs/${id}/members/${ana.userId}`, admin);
  });

  it.runIf(testDatabaseUrl)(
    'lets one of two requests at once in, and refuses the other as the rule says',
    async () => {
      const { id, admin, members } = await club(3);
      const [ana, ben, cy] = members as [TestPerson, TestPerson, TestPerson];
      // The same person starts two households at once: one is made.
      const both = await Promise.all(
        ['Twin A', 'Twin B'].map((name) =>
          request(tally, 'POST', `/api/coop/clubs/${id}/households`, { as: ana, body: { name } }),
        ),
      );
      expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
      // Two people take the same name at once: one gets it.
      const named = await Promise.all(
        [ben, cy].map((person) =>
          request(tally, 'POST', `/api/coop/clubs/${id}/households`, {
            as: person,
            body: { name: 'Same Name' },
          }),
        ),
      );
      expect(named.map((r) => r.status).sort()).toEqual([201, 409]);
      // A request approved by two members at once is approved once.
      const household = await ok(200, 'GET', `/api/coop/clubs/${id}/households`, admin);
      const theirs = household.items.find((h: Body) => h.name === 'Same Name');
      const outsider = (theirs.members[0].user_id === ben.userId ? cy : ben) as TestPerson;
      const asked = await ok(201, 'POST', `/api/coop/households/${theirs.id}/join-requests`, outsider, {});
      const decided = await Promise.all(
        [admin, admin].map((person) =>
          request(tally, 'POST', `/api/coop/join-requests/${asked.id}/approve`, { as: person, body: {} }),
        ),
      );
      expect(decided.map((r) => r.status).sort()).toEqual([200, 409]);
      expect((await ok(200, 'GET', `/api/coop/households/${theirs.id}`, admin)).members).toHaveLength(2);
    },
  );
});

describe('a household’s photo', () => {
  const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const upload = (householdId: string, as: TestPerson, bytes: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), 'us.png');
    return tally.http.request(`/api/coop/households/${householdId}/photo`, {
      method: 'PUT',
      headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
      body: form,
    });
  };

  it('is set by its members, checked as an image, and seen by the club', async () => {
    const { id, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const household = await ok(201, 'POST', `/api/coop/clubs/${id}/households`, ana, { name: 'Pictured' });
    expect(household.has_photo).toBe(false);
    expect((await upload(household.id, ben, PNG)).status).toBe(403);
    expect((await upload(household.id, ana, Buffer.from('GIF89a not allowed'))).status).toBe(415);
    const saved = await upload(household.id, ana, PNG);
    expect(saved.status).toBe(200);
    expect((await read(saved)).has_photo).toBe(true);
    const photo = await request(tally, 'GET', `/api/coop/households/${household.id}/photo`, { as: ben });
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
  });
});
