import { sql } from 'drizzle-orm';
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
import {
  adminKey,
  apiKeyOf,
  balanceOf,
  counts,
  creditsAdmin,
  customerOf,
  makeProduct,
  ok,
  setPrice,
} from '../../../test/support/credits';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';
import { reserveCall, runSpendBatch } from '../engine/spend-batch';
import { chargeWorkspaceActivity, resolveWorkspace } from '../workspaces/service';

let tally: TestTally;
let admin: TestPerson;
let productId: string;

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  await setPrice(tally, admin, 'generate_image', 2);
  await setPrice(tally, admin, 'generate_post', 3);
  productId = (
    await makeProduct(tally, admin, {
      type: 'generic',
      credits: 100,
      permissions: ['create_workspace', 'invite_member', 'generate_image'],
    })
  ).id;
});

let keyCounter = 0;
const newKey = () => `key-${++keyCounter}-${Date.now()}`;

/** A server-to-server call with an API key (or the operator key). */
async function call(
  key: string,
  path: string,
  body: unknown,
  idempotencyKey?: string,
): Promise<{ status: number; body: Body; replayed: boolean }> {
  const response = await tally.http.request(path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: await read(response),
    replayed: response.headers.get('idempotent-replayed') === 'true',
  };
}

async function spender(): Promise<{ person: TestPerson; key: string }> {
  const person = await customerOf(tally, admin, productId);
  return { person, key: await apiKeyOf(tally, person, ['credits:spend', 'credits:read']) };
}

/** Runs a request that must be refused, and checks it changed nothing at all. */
async function unchangedBy<T>(person: TestPerson, run: () => Promise<T>): Promise<T> {
  const before = await counts(tally);
  const balance = await balanceOf(tally, person);
  const result = await run();
  expect(await counts(tally)).toEqual(before);
  expect(await balanceOf(tally, person)).toEqual(balance);
  return result;
}

describe('charging with an API key', () => {
  it('charges the action’s price; a repeat with the same Idempotency-Key returns the same usage', async () => {
    const { person, key } = await spender();
    const idempotencyKey = newKey();
    const body = { action: 'generate_image', quantity: 3, used_for: 'image:1' };
    const first = await call(key, '/api/credits/charge', body, idempotencyKey);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.usages).toHaveLength(1);
    expect(first.body.usages[0]).toMatchObject({
      action: 'generate_image',
      amount: '6',
      used_for: 'image:1',
    });
    expect(first.replayed).toBe(false);

    const repeat = await unchangedBy(person, () => call(key, '/api/credits/charge', body, idempotencyKey));
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.replayed).toBe(true);
    expect(await balanceOf(tally, person)).toMatchObject({ used: '6', available: '94' });
  });

  it('refuses the same Idempotency-Key with another body (409) and a missing key (400), changing nothing', async () => {
    const { person, key } = await spender();
    const idempotencyKey = newKey();
    await call(key, '/api/credits/charge', { action: 'generate_image', used_for: 'image:1' }, idempotencyKey);
    const conflict = await unchangedBy(person, () =>
      call(key, '/api/credits/charge', { action: 'generate_image', used_for: 'image:2' }, idempotencyKey),
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({
      code: 'idempotency_conflict',
      details: { field: 'Idempotency-Key' },
    });
    const missing = await unchangedBy(person, () =>
      call(key, '/api/credits/charge', { action: 'generate_image', used_for: 'image:3' }),
    );
    expect(missing.status).toBe(400);
  });

  it('refuses an action the person’s products do not grant, naming it (403)', async () => {
    const { person, key } = await spender();
    const refused = await unchangedBy(person, () =>
      call(key, '/api/credits/charge', { action: 'generate_post', used_for: 'post:1' }, newKey()),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.action).toBe('generate_post');
    expect(refused.body.error.message).toContain('generate_post');
  });

  it('refuses a charge the credits do not cover (422)', async () => {
    const { person, key } = await spender();
    const refused = await unchangedBy(person, () =>
      call(
        key,
        '/api/credits/charge',
        { action: 'generate_image', quantity: 51, used_for: 'batch' },
        newKey(),
      ),
    );
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('insufficient_funds');
  });

  it('needs the credits:spend scope to spend; credits:read reads', async () => {
    const { person } = await spender();
    const reader = await apiKeyOf(tally, person, ['credits:read']);
    const refused = await unchangedBy(person, () =>
      call(reader, '/api/credits/charge', { action: 'generate_image', used_for: 'image' }, newKey()),
    );
    expect(refused.status).toBe(403);
    const balance = await tally.http.request('/api/credits/balance', {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(balance.status).toBe(200);
  });

  it('lets the operator key charge a named person, and only a named one', async () => {
    const { person } = await spender();
    const charged = await call(
      adminKey.authorization.slice('Bearer '.length),
      '/api/credits/charge',
      { user_id: person.userId, action: 'generate_image', used_for: 'image' },
      newKey(),
    );
    expect(charged.status).toBe(200);
    const unnamed = await call(
      adminKey.authorization.slice('Bearer '.length),
      '/api/credits/charge',
      { action: 'generate_image', used_for: 'image' },
      newKey(),
    );
    expect(unnamed.status).toBe(400);
  });
});

describe('reservations', () => {
  it('reserves, uses in part keeping the rest, and releases; each step idempotent', async () => {
    const { person, key } = await spender();
    const reserveKey = newKey();
    const body = { action: 'generate_image', amount: '10', reserved_for: 'batch:7' };
    const reserved = await call(key, '/api/credits/reserve', body, reserveKey);
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(200);
    expect(reserved.body).toMatchObject({ state: 'active', amount: '10', action: 'generate_image' });
    expect((await call(key, '/api/credits/reserve', body, reserveKey)).body.id).toBe(reserved.body.id);
    expect(await balanceOf(tally, person)).toMatchObject({ reserved: '10', available: '90' });

    const useKey = newKey();
    const useBody = {
      reservation_id: reserved.body.id,
      amount: '4',
      used_for: 'image:a',
      keep_remainder: true,
    };
    const used = await call(key, '/api/credits/use', useBody, useKey);
    expect(used.status, JSON.stringify(used.body)).toBe(200);
    expect(used.body.usage).toMatchObject({
      amount: '4',
      is_reserved: true,
      reservation_id: reserved.body.id,
    });
    expect(used.body.remainder).toMatchObject({ amount: '6', state: 'active' });
    const again = await call(key, '/api/credits/use', useBody, useKey);
    expect(again.body).toEqual(used.body);
    expect(again.replayed).toBe(true);
    expect(await balanceOf(tally, person)).toMatchObject({ used: '4', reserved: '6', available: '90' });

    const released = await call(key, '/api/credits/release', { reservation_id: used.body.remainder.id });
    expect(released.body).toMatchObject({ state: 'released' });
    expect((await call(key, '/api/credits/release', { reservation_id: used.body.remainder.id })).status).toBe(
      200,
    );
    expect(await balanceOf(tally, person)).toMatchObject({ used: '4', reserved: '0', available: '96' });

    const list = await ok(tally, 200, 'GET', '/api/credits/reservations?state=released', { as: person });
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([used.body.remainder.id]);
  });

  it('refuses to use more than is reserved, and a used reservation a second time, changing nothing', async () => {
    const { person, key } = await spender();
    const reserved = await call(
      key,
      '/api/credits/reserve',
      { action: 'generate_image', reserved_for: 'one' },
      newKey(),
    );
    expect(reserved.body.amount).toBe('2');
    const tooMuch = await unchangedBy(person, () =>
      call(key, '/api/credits/use', { reservation_id: reserved.body.id, amount: '3' }, newKey()),
    );
    expect(tooMuch.status).toBe(400);
    expect((await call(key, '/api/credits/use', { reservation_id: reserved.body.id }, newKey())).status).toBe(
      200,
    );
    const twice = await unchangedBy(person, () =>
      call(key, '/api/credits/use', { reservation_id: reserved.body.id }, newKey()),
    );
    expect(twice.status).toBe(409);
  });
});

describe('nobody reads or touches another person’s credits', () => {
  it('answers 404 for another person’s balance, history, reservations; administrators may', async () => {
    const { person: alice, key: aliceKey } = await spender();
    const { person: bob, key: bobKey } = await spender();
    const reserved = await call(
      aliceKey,
      '/api/credits/reserve',
      { action: 'generate_image', reserved_for: 'x' },
      newKey(),
    );
    for (const path of ['balance', 'usages', 'reservations', 'grants']) {
      const response = await request(tally, 'GET', `/api/credits/${path}?user_id=${alice.userId}`, {
        as: bob,
      });
      expect(response.status, path).toBe(404);
    }
    for (const path of ['/api/credits/use', '/api/credits/release']) {
      const refused = await unchangedBy(alice, () =>
        call(bobKey, path, { reservation_id: reserved.body.id }, newKey()),
      );
      expect(refused.status, path).toBe(404);
    }
    const charged = await unchangedBy(alice, () =>
      call(
        bobKey,
        '/api/credits/charge',
        { user_id: alice.userId, action: 'generate_image', used_for: 'x' },
        newKey(),
      ),
    );
    expect(charged.status).toBe(404);
    const seen = await ok(tally, 200, 'GET', `/api/credits/balance?user_id=${alice.userId}`, { as: admin });
    expect(seen).toMatchObject({ user_id: alice.userId, reserved: '2' });
  });

  it('keeps administrators’ routes to administrators (403), changing nothing', async () => {
    const { person } = await spender();
    for (const [method, path, body] of [
      ['GET', '/api/credits/users', undefined],
      ['POST', '/api/credits/adjustments', { user_id: person.userId, amount: '100', reason: 'gift' }],
      ['PUT', '/api/credits/action-prices/generate_image', { price: '0' }],
      [
        'POST',
        '/api/credits/purchases',
        { email: person.email, product_id: productId, order_reference: 'mine' },
      ],
      ['POST', '/api/credits/integrations', { name: 'Mine' }],
    ] as const) {
      const response = await unchangedBy(person, () => request(tally, method, path, { as: person, body }));
      expect(response.status, `${method} ${path}`).toBe(403);
    }
  });
});

describe('adjustments', () => {
  it('adds and takes away credits with a reason; never below what is there', async () => {
    const { person } = await spender();
    const added = await ok(tally, 201, 'POST', '/api/credits/adjustments', {
      as: admin,
      body: { user_id: person.userId, amount: '25', reason: 'compensation for downtime' },
    });
    expect(added.grant).toMatchObject({
      source: 'adjustment',
      amount: '25',
      reason: 'compensation for downtime',
    });
    const taken = await ok(tally, 201, 'POST', '/api/credits/adjustments', {
      as: admin,
      body: { user_id: person.userId, amount: '-5', reason: 'double grant' },
    });
    expect(taken.usage).toMatchObject({ amount: '5', action: 'adjustment' });
    expect((await balanceOf(tally, person)).available).toBe('120');
    const refused = await unchangedBy(person, () =>
      request(tally, 'POST', '/api/credits/adjustments', {
        as: admin,
        body: { user_id: person.userId, amount: '-1000', reason: 'too much' },
      }),
    );
    expect(refused.status).toBe(422);
  });

  it('applies a retried adjustment once when it carries an Idempotency-Key', async () => {
    const { person } = await spender();
    const adjust = (amount: string, key: string) =>
      request(tally, 'POST', '/api/credits/adjustments', {
        as: admin,
        headers: { 'idempotency-key': key },
        body: { user_id: person.userId, amount, reason: 'retried' },
      });
    const audited = async () =>
      (
        await queryRows<{ n: number }>(
          tally.database.db,
          sql`SELECT count(*)::int AS n FROM core_audit_log WHERE action = 'credits.adjust'
              AND details->>'userId' = ${person.userId}`,
        )
      )[0]?.n;
    const addKey = newKey();
    const first = await read(await adjust('30', addKey));
    const again = await adjust('30', addKey);
    expect(again.status).toBe(201);
    expect((await read(again)).grant.id).toBe(first.grant.id);
    expect((await balanceOf(tally, person)).available).toBe('130');
    expect((await adjust('31', addKey)).status).toBe(409);

    const takeKey = newKey();
    const taken = await read(await adjust('-7', takeKey));
    expect((await read(await adjust('-7', takeKey))).usage.id).toBe(taken.usage.id);
    expect((await balanceOf(tally, person)).available).toBe('123');
    expect(await audited()).toBe(2);
  });
});

describe('workspaces', () => {
  async function workspaceOf(person: TestPerson, name = `Team ${Date.now()}-${Math.random()}`) {
    return ok(tally, 201, 'POST', '/api/credits/workspaces', { as: person, body: { name } });
  }

  it('are renamed through the credits line only: a free name, an open workspace, nothing else changed', async () => {
    const { person } = await spender();
    const workspace = await workspaceOf(person, `Lab ${Date.now()}`);
    const other = await workspaceOf(person, `Studio ${Date.now()}`);
    const db = tally.database.db;

    let before = await snapshotTables(db);
    const throughCore = await request(tally, 'PATCH', `/api/orgs/${workspace.id}`, {
      as: person,
      body: { name: 'Renamed by the core' },
    });
    expect(throughCore.status).toBe(422);
    expect((await read(throughCore)).error.code).toBe('managed_by_line');
    await expectUnchanged(db, before);

    before = await snapshotTables(db);
    const taken = await request(tally, 'PATCH', `/api/credits/workspaces/${workspace.id}`, {
      as: person,
      body: { name: other.name.toUpperCase() },
    });
    expect(taken.status).toBe(409);
    expect((await read(taken)).error).toMatchObject({
      code: 'workspace_name_taken',
      details: { field: 'name' },
    });
    await expectUnchanged(db, before);

    const renamed = await ok(tally, 200, 'PATCH', `/api/credits/workspaces/${workspace.id}`, {
      as: person,
      body: { name: `${workspace.name} 2` },
    });
    expect(renamed).toMatchObject({ id: workspace.id, name: `${workspace.name} 2`, reserved: '10' });

    await ok(tally, 200, 'POST', `/api/credits/workspaces/${other.id}/archive`, { as: person });
    before = await snapshotTables(db);
    const archived = await request(tally, 'PATCH', `/api/credits/workspaces/${other.id}`, {
      as: person,
      body: { name: 'After the archive' },
    });
    expect(archived.status).toBe(409);
    expect((await read(archived)).error.code).toBe('workspace_archived');
    await expectUnchanged(db, before);
    // Its name is free again for an open workspace.
    await ok(tally, 200, 'PATCH', `/api/credits/workspaces/${workspace.id}`, {
      as: person,
      body: { name: other.name },
    });

    // An organisation of another kind is no workspace, even to its owner.
    const team = await ok(tally, 201, 'POST', '/api/orgs', {
      as: person,
      body: { kind: 'team', name: `Team ${Date.now()}` },
    });
    const notWorkspace = await request(tally, 'PATCH', `/api/credits/workspaces/${team.id}`, {
      as: person,
      body: { name: 'Not a workspace' },
    });
    expect(notWorkspace.status).toBe(404);
    expect((await read(notWorkspace)).error.message).toBe('workspace not found');

    // The line keeps its state in its own table, none in the core's organisation.
    const rows = await queryRows<{ metadata: unknown }>(
      db,
      sql`SELECT metadata FROM core_organizations WHERE id IN (${workspace.id}, ${other.id})`,
    );
    expect(rows).toEqual([{ metadata: {} }, { metadata: {} }]);
  });

  it('reserve the create_workspace price, which their activity uses first, then the pool', async () => {
    const { person, key } = await spender();
    const workspace = await workspaceOf(person);
    expect(workspace).toMatchObject({ reserved: '10', my_role: 'owner', billing_user_id: person.userId });
    expect(await balanceOf(tally, person)).toMatchObject({ reserved: '10', available: '90' });

    const small = await call(
      key,
      '/api/credits/charge',
      { workspace_id: workspace.id, action: 'generate_image', used_for: 'img' },
      newKey(),
    );
    // Paid from the workspace's reserve, yet counted as the action taken, not as the reservation's.
    expect(small.body.usages).toEqual([
      expect.objectContaining({
        amount: '2',
        is_reserved: true,
        workspace_id: workspace.id,
        action: 'generate_image',
        reserved_for: `workspace:${workspace.id}`,
      }),
    ]);
    expect(
      (await ok(tally, 200, 'GET', `/api/credits/workspaces/${workspace.id}`, { as: person })).reserved,
    ).toBe('8');

    const splitKey = newKey();
    const splitBody = {
      workspace_id: workspace.id,
      action: 'generate_image',
      quantity: 5,
      used_for: 'album',
    };
    const split = await call(key, '/api/credits/charge', splitBody, splitKey);
    expect(split.body.usages.map((u: Body) => [u.amount, u.is_reserved])).toEqual([
      ['8', true],
      ['2', false],
    ]);
    const repeat = await unchangedBy(person, () => call(key, '/api/credits/charge', splitBody, splitKey));
    expect(repeat.body).toEqual(split.body);
    const conflict = await unchangedBy(person, () =>
      call(key, '/api/credits/charge', { ...splitBody, quantity: 4 }, splitKey),
    );
    expect(conflict.status).toBe(409);
    expect(await balanceOf(tally, person)).toMatchObject({ used: '12', reserved: '0', available: '88' });
    const history = await ok(tally, 200, 'GET', `/api/credits/usages?workspace_id=${workspace.id}`, {
      as: person,
    });
    expect(history.items).toHaveLength(3);
  });

  it('charge invitations to the workspace, and let members spend its billing person’s credits', async () => {
    const { person: owner } = await spender();
    const workspace = await workspaceOf(owner);
    const guest = await signedInPerson(tally);
    const invited = await ok(tally, 201, 'POST', `/api/credits/workspaces/${workspace.id}/invitations`, {
      as: owner,
      body: { email: guest.email },
    });
    expect(invited.usages).toEqual([
      expect.objectContaining({
        amount: '1',
        is_reserved: true,
        used_for: `invitation:${invited.invitation.id}`,
      }),
    ]);
    // The history says what the credit was for in words, and what paid for it.
    const history = await ok(tally, 200, 'GET', `/api/credits/usages?workspace_id=${workspace.id}`, {
      as: owner,
    });
    expect(history.items[0]).toMatchObject({
      used_for_label: `Invitation of ${guest.email} to ${workspace.name}`,
    });
    const [mail] = await queryRows<{ text: string }>(
      tally.database.db,
      sql`SELECT text FROM core_mail_messages WHERE to_address = ${guest.email} AND template = 'invitation'`,
    );
    const token = /\/invitations\/([A-Za-z0-9_-]+)/.exec(mail!.text)![1];
    await ok(tally, 200, 'POST', `/api/invitations/${token}/accept`, { as: guest });

    const sharedKey = newKey();
    const chargeAs = (who: TestPerson) =>
      ok(tally, 200, 'POST', '/api/credits/charge', {
        as: who,
        headers: { 'idempotency-key': sharedKey },
        body: { workspace_id: workspace.id, action: 'generate_image', used_for: 'guest-image' },
      });
    const charged = await chargeAs(guest);
    expect(charged.usages[0]).toMatchObject({
      user_id: owner.userId,
      workspace_id: workspace.id,
      amount: '2',
    });
    // The same key from another member is that member's own charge, not a replay of the guest's.
    const byOwner = await chargeAs(owner);
    expect(byOwner.usages[0].id).not.toBe(charged.usages[0].id);
    expect((await chargeAs(guest)).usages[0].id).toBe(charged.usages[0].id);
    const seen = await ok(tally, 200, 'GET', `/api/credits/balance?workspace_id=${workspace.id}`, {
      as: guest,
    });
    expect(seen).toMatchObject({ user_id: owner.userId, workspace_id: workspace.id, reserved: '5' });
    // The guest's own credits are theirs alone: none.
    expect((await balanceOf(tally, guest)).total).toBe('0');
    const outsider = await signedInPerson(tally);
    const hidden = await request(tally, 'GET', `/api/credits/balance?workspace_id=${workspace.id}`, {
      as: outsider,
    });
    expect(hidden.status).toBe(404);
    // A key shaped like the one the line makes for the owner's workspace charge is the guest's own:
    // the owner's later charge with that key is not answered as a replay of the guest's use.
    const ownerKey = newKey();
    const reservation = await ok(tally, 200, 'POST', '/api/credits/reserve', {
      as: guest,
      headers: { 'idempotency-key': newKey() },
      body: { workspace_id: workspace.id, action: 'generate_image', reserved_for: 'forged' },
    });
    const forged = await ok(tally, 200, 'POST', '/api/credits/use', {
      as: guest,
      headers: { 'idempotency-key': `ws:${workspace.id}:${owner.userId}:${ownerKey}` },
      body: { reservation_id: reservation.id },
    });
    const ownCharge = await ok(tally, 200, 'POST', '/api/credits/charge', {
      as: owner,
      headers: { 'idempotency-key': ownerKey },
      body: { workspace_id: workspace.id, action: 'generate_image', used_for: 'owner-image' },
    });
    expect(ownCharge.usages[0].id).not.toBe(forged.usage.id);
    expect(ownCharge.usages[0].used_for).toBe('owner-image');
  });

  it('keep the person they bill while open: nobody removes them, they cannot leave; after the archive they may', async () => {
    const { person: payer } = await spender();
    const workspace = await workspaceOf(payer);
    const guest = await signedInPerson(tally);
    const invited = await ok(tally, 201, 'POST', `/api/credits/workspaces/${workspace.id}/invitations`, {
      as: payer,
      body: { email: guest.email, role: 'owner' },
    });
    const [mail] = await queryRows<{ text: string }>(
      tally.database.db,
      sql`SELECT text FROM core_mail_messages WHERE to_address = ${guest.email} AND template = 'invitation'`,
    );
    const token = /\/invitations\/([A-Za-z0-9_-]+)/.exec(mail!.text)![1];
    await ok(tally, 200, 'POST', `/api/invitations/${token}/accept`, { as: guest });
    expect(invited.invitation.role).toBe('owner');

    const before = await snapshotTables(tally.database.db);
    for (const who of [guest, payer]) {
      const refused = await request(tally, 'DELETE', `/api/orgs/${workspace.id}/members/${payer.userId}`, {
        as: who,
      });
      expect(refused.status).toBe(409);
      expect((await read(refused)).error.code).toBe('billing_member');
    }
    await expectUnchanged(tally.database.db, before);

    await ok(tally, 200, 'POST', `/api/credits/workspaces/${workspace.id}/archive`, { as: payer });
    const removed = await request(tally, 'DELETE', `/api/orgs/${workspace.id}/members/${payer.userId}`, {
      as: guest,
    });
    expect(removed.status).toBe(204);
  });

  it('refuse a spend that looked at the workspace before an archive committed', async () => {
    const { person } = await spender();
    const workspace = await workspaceOf(person);
    // What a concurrent spend read before taking the lock: the workspace still open.
    const stale = await resolveWorkspace(
      tally.database.db,
      { userId: person.userId, isAdmin: false },
      workspace.id,
      'org.read',
    );
    await ok(tally, 200, 'POST', `/api/credits/workspaces/${workspace.id}/archive`, { as: person });
    const before = await balanceOf(tally, person);
    let refused: unknown;
    try {
      await tally.database.db.transaction((tx) =>
        chargeWorkspaceActivity(tx, tally.clock, stale, {
          amount: 2n,
          usedFor: 'late',
          action: 'generate_image',
          callerId: person.userId,
        }),
      );
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'workspace_archived', status: 409 });
    expect(await balanceOf(tally, person)).toEqual(before);
  });

  it('refuse a reservation that looked at the workspace before an archive committed, the rest of its batch done', async () => {
    const { person } = await spender();
    const workspace = await workspaceOf(person);
    const open = await workspaceOf(person);
    await ok(tally, 200, 'POST', `/api/credits/workspaces/${workspace.id}/archive`, { as: person });
    const before = await balanceOf(tally, person);
    // What concurrent reservations were planned on: each workspace still open.
    const reserveIn = (workspaceId: string) => ({
      ...reserveCall(
        { userId: person.userId, workspaceId },
        { amount: 3n, reservedFor: 'late', action: 'generate_image' },
        tally.clock.now(),
      ),
      openWorkspaceId: workspaceId,
    });
    const [refused, done] = await tally.database.db.transaction((tx) =>
      runSpendBatch(tx, tally.clock, [reserveIn(workspace.id), reserveIn(open.id)]),
    );
    expect(
      refused?.ok === false && [refused.error.code, refused.error.message, refused.error.details],
    ).toEqual(['workspace_archived', 'the workspace is archived', { workspace_id: workspace.id }]);
    expect(done?.ok && done.done.reservation).toMatchObject({
      workspaceId: open.id,
      amount: 3n,
      state: 'active',
    });
    expect(await balanceOf(tally, person)).toMatchObject({
      reserved: (BigInt(before.reserved) + 3n).toString(),
      available: (BigInt(before.available) - 3n).toString(),
    });
  });

  it('release what is left when archived, and refuse activity afterwards', async () => {
    const { person, key } = await spender();
    const workspace = await workspaceOf(person);
    await call(
      key,
      '/api/credits/charge',
      { workspace_id: workspace.id, action: 'generate_image', used_for: 'img' },
      newKey(),
    );
    const archived = await ok(tally, 200, 'POST', `/api/credits/workspaces/${workspace.id}/archive`, {
      as: person,
    });
    expect(archived).toMatchObject({ reserved: '0' });
    expect(archived.archived_at).not.toBeNull();
    expect(await balanceOf(tally, person)).toMatchObject({ used: '2', reserved: '0', available: '98' });
    const refused = await unchangedBy(person, () =>
      call(
        key,
        '/api/credits/charge',
        { workspace_id: workspace.id, action: 'generate_image', used_for: 'late' },
        newKey(),
      ),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('workspace_archived');
    // Its name is free again.
    await workspaceOf(person, workspace.name);
  });

  it('need the create_workspace permission and enough credits; a refusal makes nothing', async () => {
    const bare = await makeProduct(tally, admin, { type: 'generic', credits: 100, permissions: [] });
    const person = await customerOf(tally, admin, bare.id);
    const refused = await unchangedBy(person, () =>
      request(tally, 'POST', '/api/credits/workspaces', { as: person, body: { name: `No ${Date.now()}` } }),
    );
    expect(refused.status).toBe(403);
    const poor = await makeProduct(tally, admin, {
      type: 'generic',
      credits: 5,
      permissions: ['create_workspace'],
    });
    const poorPerson = await customerOf(tally, admin, poor.id);
    const short = await unchangedBy(poorPerson, () =>
      request(tally, 'POST', '/api/credits/workspaces', {
        as: poorPerson,
        body: { name: `Poor ${Date.now()}` },
      }),
    );
    expect(short.status).toBe(422);
  });

  it('are not made for free through the core organisation API, not even by an administrator', async () => {
    const { person } = await spender();
    for (const as of [person, admin]) {
      const response = await unchangedBy(person, () =>
        request(tally, 'POST', '/api/orgs', {
          as,
          body: { kind: 'credits_workspace', name: `Free ${Date.now()}` },
        }),
      );
      expect(response.status).toBe(422);
      expect((await read(response)).error.code).toBe('managed_by_line');
    }
  });

  it('invite members only through the credits API, which charges for it', async () => {
    const { person } = await spender();
    const workspace = await workspaceOf(person);
    const invitations = () =>
      ok(tally, 200, 'GET', `/api/orgs/${workspace.id}/invitations`, { as: person }).then(
        (b) => b.items.length,
      );
    const before = await invitations();
    const free = await unchangedBy(person, () =>
      request(tally, 'POST', `/api/orgs/${workspace.id}/invitations`, {
        as: person,
        body: { email: `free-${Date.now()}@example.test`, role: 'member' },
      }),
    );
    expect(free.status).toBe(422);
    expect((await read(free)).error.message).toMatch(/sent from its own page/);
    expect(await invitations()).toBe(before);
  });
});

describe('usage statistics', () => {
  it('sums credits per day and action for a chart', async () => {
    const { person, key } = await spender();
    await call(key, '/api/credits/charge', { action: 'generate_image', used_for: 'a' }, newKey());
    await call(
      key,
      '/api/credits/charge',
      { action: 'generate_image', quantity: 2, used_for: 'b' },
      newKey(),
    );
    const from = new Date(tally.clock.now().getTime() - 86_400_000).toISOString();
    const to = new Date(tally.clock.now().getTime() + 86_400_000).toISOString();
    const series = await ok(tally, 200, 'GET', `/api/credits/usage-by-action?from=${from}&to=${to}`, {
      as: person,
    });
    expect(series.items).toEqual([expect.objectContaining({ action: 'generate_image', amount: '6' })]);
    const filtered = await ok(tally, 200, 'GET', '/api/credits/usages?used_for=B', { as: person });
    expect(filtered.items).toHaveLength(1);
    // The history names what paid: the product the credits came with, not a grant id.
    const [product] = await queryRows<{ name: string }>(
      tally.database.db,
      sql`SELECT name FROM credits_products WHERE id = ${productId}`,
    );
    expect(filtered.items[0].paid_by).toEqual([
      expect.objectContaining({ amount: '4', label: `${product!.name} (bought)` }),
    ]);
  });
});

describe('one usage and one grant', () => {
  it('each has its own read, with the grant’s purchase and the usages it paid for, for its person and administrators only', async () => {
    const { person, key } = await spender();
    const charged = await call(
      key,
      '/api/credits/charge',
      { action: 'generate_image', used_for: 'image:one' },
      newKey(),
    );
    const usageId = charged.body.usages[0].id as string;
    const usage = await ok(tally, 200, 'GET', `/api/credits/usages/${usageId}`, { as: person });
    expect(usage).toMatchObject({
      id: usageId,
      amount: '2',
      used_for: 'image:one',
      action: 'generate_image',
    });
    const [paid] = usage.paid_by as { grant_id: string; amount: string; label: string }[];
    const [product] = await queryRows<{ name: string }>(
      tally.database.db,
      sql`SELECT name FROM credits_products WHERE id = ${productId}`,
    );
    expect(paid).toMatchObject({ amount: '2', label: `${product!.name} (bought)` });

    const [purchase] = await queryRows<{ id: string }>(
      tally.database.db,
      sql`SELECT id FROM credits_purchases WHERE user_id = ${person.userId}`,
    );
    const grant = await ok(tally, 200, 'GET', `/api/credits/grants/${paid!.grant_id}`, { as: person });
    expect(grant).toMatchObject({
      id: paid!.grant_id,
      source: 'purchase',
      amount: '100',
      remaining: '98',
      label: `${product!.name} (bought)`,
      product_id: productId,
      purchase_id: purchase!.id,
      expired_at: null,
    });
    const spentOn = await ok(tally, 200, 'GET', `/api/credits/usages?grant_id=${paid!.grant_id}`, {
      as: person,
    });
    expect(spentOn.items.map((item: { id: string }) => item.id)).toEqual([usageId]);

    // An administrator reads both; anyone else finds neither, nor the usages a grant paid for.
    await ok(tally, 200, 'GET', `/api/credits/usages/${usageId}`, { as: admin });
    await ok(tally, 200, 'GET', `/api/credits/grants/${paid!.grant_id}`, { as: admin });
    const stranger = await signedInPerson(tally);
    for (const path of [`/api/credits/usages/${usageId}`, `/api/credits/grants/${paid!.grant_id}`]) {
      expect((await request(tally, 'GET', path, { as: stranger })).status).toBe(404);
    }
    const theirs = await ok(tally, 200, 'GET', `/api/credits/usages?grant_id=${paid!.grant_id}`, {
      as: stranger,
    });
    expect(theirs.items).toEqual([]);
    const unknown = '01900000-0000-7000-8000-000000000000';
    for (const path of [`/api/credits/usages/${unknown}`, `/api/credits/grants/${unknown}`]) {
      expect((await request(tally, 'GET', path, { as: admin })).status).toBe(404);
    }
    expect((await request(tally, 'GET', '/api/credits/grants/not-an-id', { as: admin })).status).toBe(400);
  });

  it('names no purchase for an adjustment, and gives its reason as its label', async () => {
    const { person } = await spender();
    const adjusted = await ok(tally, 201, 'POST', '/api/credits/adjustments', {
      as: admin,
      body: { user_id: person.userId, amount: '5', reason: 'Sorry for the outage' },
    });
    const grant = await ok(tally, 200, 'GET', `/api/credits/grants/${adjusted.grant.id}`, { as: person });
    expect(grant).toMatchObject({
      source: 'adjustment',
      purchase_id: null,
      label: 'Adjustment: Sorry for the outage',
      amount: '5',
    });
  });
});

describe('the usage export', () => {
  it('writes the filtered usages as formula-safe CSV, in files a cursor continues', async () => {
    const { person, key } = await spender();
    for (const usedFor of ['=HYPERLINK("x")', 'post:1', 'Post:2', 'other']) {
      // Newest first is by time; ids (from idempotency keys) say nothing of order.
      tally.clock.advance(1);
      await call(key, '/api/credits/charge', { action: 'generate_image', used_for: usedFor }, newKey());
    }
    const csv = async (query: string) => {
      const response = await request(tally, 'GET', `/api/credits/usages/export.csv${query}`, { as: person });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      return { lines: (await response.text()).split('\r\n'), next: response.headers.get('x-next-cursor') };
    };

    const all = await csv('');
    expect(all.lines[0]).toBe(
      'used_at,action,used_for,workspace_id,amount,from_reservation,reservation_id,reserved_for,paid_by,user_id,id',
    );
    expect(all.lines).toHaveLength(6);
    expect(all.next).toBeNull();
    expect(all.lines[4]).toContain(`,generate_image,"'=HYPERLINK(""x"")",,2,false,,,`);

    const posts = await csv('?used_for=POST');
    expect(posts.lines.slice(1, -1).map((line) => line.split(',')[2])).toEqual(['Post:2', 'post:1']);

    const first = await csv('?used_for=post&limit=1');
    expect(first.lines.slice(1, -1).map((line) => line.split(',')[2])).toEqual(['Post:2']);
    expect(first.next).toMatch(/^\S{8,}$/);
    const rest = await csv(`?used_for=post&limit=1&cursor=${encodeURIComponent(first.next!)}`);
    expect(rest.lines.slice(1, -1).map((line) => line.split(',')[2])).toEqual(['post:1']);
  });

  it('answers who may not read the usages as the listing does', async () => {
    const { person } = await spender();
    const stranger = await signedInPerson(tally, {});
    for (const query of [`?user_id=${person.userId}`, '']) {
      const listing = await request(tally, 'GET', `/api/credits/usages${query}`, { as: stranger });
      const exported = await request(tally, 'GET', `/api/credits/usages/export.csv${query}`, {
        as: stranger,
      });
      expect(exported.status).toBe(listing.status);
    }
    const visitor = await request(tally, 'GET', '/api/credits/usages/export.csv');
    expect(visitor.status).toBe(401);
  });
});

describe('the API reference', () => {
  it('documents every credits route', async () => {
    const doc = await read(await tally.http.request('/api/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/credits/webhooks/{integrationId}',
        '/api/credits/onboarding',
        '/api/credits/products/{id}',
        '/api/credits/workspaces/{id}/invitations',
        '/api/credits/charge',
        '/api/credits/usage-by-action',
        '/api/credits/whitelabel/check-dns',
      ]),
    );
    expect(doc.components.schemas.CreditsWebhookOrder.required).toContain('order_id');
  });
});
