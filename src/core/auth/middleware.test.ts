import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { queryRows } from '../database';

/**
 * Who a request is, as `authenticate` decides it, seen through what the routes then do: the audit
 * rows they write and what they let through. `requireScriptForCookies` beside it.
 */

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const SECOND = 1000;

async function keyOf(person: Awaited<ReturnType<typeof signedInPerson>>, scopes: string[]) {
  const created = await request(tally, 'POST', '/api/auth/api-keys', {
    as: person,
    body: { name: 'key', scopes },
  });
  expect(created.status).toBe(201);
  return read(created) as Promise<{ api_key: { id: string }; secret: string }>;
}

const auditOf = async (objectId: string) =>
  (
    await queryRows<{
      actor_user_id: string | null;
      actor_api_key_id: string | null;
      ip: string | null;
      request_id: string | null;
    }>(
      tally.database.db,
      sql`SELECT actor_user_id, actor_api_key_id, ip, request_id FROM core_audit_log
          WHERE object_id = ${objectId} ORDER BY at, id`,
    )
  )[0];

async function createOrg(headers: Record<string, string>) {
  const response = await request(tally, 'POST', '/api/orgs', {
    headers,
    body: { kind: 'team', name: 'Acme' },
  });
  return { response, body: await read(response) };
}

describe('authenticate', () => {
  it('takes an API key in any case of "Bearer", acting as its owner with its scopes, and audits the key and request', async () => {
    const person = await signedInPerson(tally);
    const { api_key: key, secret } = await keyOf(person, ['orgs:write']);
    const { response, body } = await createOrg({ authorization: `bearer   ${secret}` });
    expect(response.status).toBe(201);
    expect(await auditOf(body.id)).toEqual({
      actor_user_id: person.userId,
      actor_api_key_id: key.id,
      ip: null,
      request_id: response.headers.get('x-request-id'),
    });
    expect(response.headers.get('x-request-id')).toMatch(/\S{8,}/);
  });

  it('refuses a key with anything after it, rather than running the request as nobody', async () => {
    const person = await signedInPerson(tally);
    const { secret } = await keyOf(person, ['profile:read']);
    const me = await request(tally, 'GET', '/api/auth/me', {
      headers: { authorization: `Bearer ${secret} extra` },
    });
    expect(me.status).toBe(401);
    expect((await read(me)).error.code).toBe('unauthorized');
  });

  it('gives an administrator’s key the administrator’s rights, and a person’s key only theirs', async () => {
    const admin = await signedInPerson(tally, { isAdmin: true });
    const person = await signedInPerson(tally);
    const adminKey = await keyOf(admin, ['audit:read']);
    const personKey = await keyOf(person, ['audit:read']);
    const audit = (secret: string) =>
      request(tally, 'GET', '/api/audit?limit=1', { headers: { authorization: `Bearer ${secret}` } });
    expect((await audit(adminKey.secret)).status).toBe(200);
    const refused = await audit(personKey.secret);
    expect(refused.status).toBe(403);
    expect((await read(refused)).error.details.reason).toBe('admin_only');
  });

  it('records the caller’s address from the socket', async () => {
    const server = serve({ fetch: tally.http.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const person = await signedInPerson(tally);
      const response = await fetch(`http://127.0.0.1:${port}/api/orgs`, {
        method: 'POST',
        headers: { cookie: person.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'team', name: 'Over a socket' }),
      });
      expect(response.status).toBe(201);
      const org = await response.json();
      expect(await auditOf(org.id)).toMatchObject({ actor_user_id: person.userId, ip: '127.0.0.1' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('signs a session out at its expiry and when revoked, as a visitor, not an error', async () => {
    const person = await signedInPerson(tally);
    const me = () => request(tally, 'GET', '/api/auth/me', { as: person });
    expect((await me()).status).toBe(200);
    const [session] = await queryRows<{ expires_at: string }>(
      tally.database.db,
      sql`SELECT expires_at::text FROM core_sessions WHERE user_id = ${person.userId}`,
    );
    const expiry = new Date(session!.expires_at);
    const before = tally.clock.now();
    tally.clock.set(new Date(expiry.getTime() - 1));
    expect((await me()).status).toBe(200);
    tally.clock.set(expiry);
    const after = await me();
    expect(after.status).toBe(401);
    // A visitor may still use what visitors may use.
    expect((await request(tally, 'GET', '/api/auth/siwe/nonce', { as: person })).status).toBe(200);
    tally.clock.set(before);

    await tally.database.db.execute(
      sql`UPDATE core_sessions SET revoked_at = ${tally.clock.now()} WHERE user_id = ${person.userId}`,
    );
    expect((await me()).status).toBe(401);
  });

  it('records when a session was last seen at most once a minute', async () => {
    const person = await signedInPerson(tally);
    const lastSeen = async () =>
      (
        await queryRows<{ at: string }>(
          tally.database.db,
          sql`SELECT last_seen_at::text AS at FROM core_sessions WHERE user_id = ${person.userId}`,
        )
      )[0]!.at;
    const created = await lastSeen();
    tally.clock.advance(60 * SECOND);
    await request(tally, 'GET', '/api/auth/me', { as: person });
    expect(await lastSeen()).toBe(created);
    const later = tally.clock.advance(1);
    await request(tally, 'GET', '/api/auth/me', { as: person });
    expect(new Date(await lastSeen()).toISOString()).toBe(later.toISOString());
  });

  it('lets the operator key act as the system, audited as no person', async () => {
    const response = await request(tally, 'POST', '/api/ledger/ledgers', {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: { code: 'MW1', scale: 2 },
    });
    expect(response.status).toBe(201);
    expect(await auditOf('MW1')).toMatchObject({ actor_user_id: null, actor_api_key_id: null });
  });
});

describe('a change riding on the session cookie', () => {
  const logoutAll = (headers: Record<string, string>) =>
    tally.http.request('/api/auth/logout-all', { method: 'POST', headers, body: '' });

  it('passes with a JSON body (any parameters), or X-Requested-With, and is refused otherwise', async () => {
    const person = await signedInPerson(tally);
    for (const contentType of ['application/jsonx', 'text/json', 'application/json-patch']) {
      const refused = await logoutAll({ cookie: person.cookie, 'content-type': contentType });
      expect(refused.status, contentType).toBe(403);
    }
    const json = await tally.http.request('/api/auth/logout-all', {
      method: 'POST',
      headers: { cookie: person.cookie, 'content-type': 'Application/JSON; charset=utf-8' },
      body: '{}',
    });
    expect(json.status).toBe(204);
    const other = await signedInPerson(tally);
    expect((await logoutAll({ cookie: other.cookie, 'x-requested-with': '' })).status).toBe(204);
  });

  it('does not concern reads, API keys, or requests without the cookie', async () => {
    const person = await signedInPerson(tally);
    for (const method of ['GET', 'HEAD']) {
      const read = await tally.http.request('/api/auth/me', { method, headers: { cookie: person.cookie } });
      expect(read.status, method).toBe(200);
    }
    const preflight = await tally.http.request('/api/auth/logout-all', {
      method: 'OPTIONS',
      headers: { cookie: person.cookie },
    });
    expect(preflight.status).not.toBe(403);
    const { secret } = await keyOf(person, ['orgs:write']);
    const withKey = await tally.http.request('/api/orgs', {
      method: 'POST',
      headers: { cookie: person.cookie, authorization: `Bearer ${secret}`, 'content-type': 'text/plain' },
      body: '{"kind":"workspace","name":"x"}',
    });
    // Past the cookie check; refused by the body check instead.
    expect(withKey.status).toBe(415);
    expect((await read(withKey)).error.code).not.toBe('forbidden');
    const visitor = await tally.http.request('/api/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
    });
    expect(visitor.status).toBe(204);
  });
});
