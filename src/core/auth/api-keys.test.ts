import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { read, request, signedInPerson, type TestTally, testTally } from '../../../test/support/app';
import { queryRows } from '../database';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const SECOND = 1000;

async function newKey(
  person: Awaited<ReturnType<typeof signedInPerson>>,
  body: { name: string; scopes: string[]; expires_at?: string },
) {
  const created = await request(tally, 'POST', '/api/auth/api-keys', { as: person, body });
  expect(created.status).toBe(201);
  return read(created);
}

const lastUsed = async (id: string) =>
  (
    await queryRows<{ last_used_at: string | null }>(
      tally.database.db,
      sql`SELECT last_used_at::text FROM core_api_keys WHERE id = ${id}`,
    )
  )[0]!.last_used_at;

const meWith = (secret: string) =>
  request(tally, 'GET', '/api/auth/me', { headers: { authorization: `Bearer ${secret}` } });

describe('an API key', () => {
  it('is stored with its name trimmed, its scopes once each, a prefix of the secret, and audited', async () => {
    const person = await signedInPerson(tally);
    const { api_key: key, secret } = await newKey(person, {
      name: '  deploy bot  ',
      scopes: ['profile:read', 'orgs:read', 'profile:read'],
    });
    expect(key.name).toBe('deploy bot');
    expect(key.scopes).toEqual(['profile:read', 'orgs:read']);
    expect(key.prefix).toBe(secret.slice(0, 'tally_key_'.length + 6));
    expect(key.created_at).toBe('2026-06-01T09:00:00.000Z');
    expect(key.last_used_at).toBeNull();
    expect(key.expires_at).toBeNull();
    const [audit] = await queryRows<{
      action: string;
      object_type: string;
      actor_user_id: string;
      details: unknown;
    }>(
      tally.database.db,
      sql`SELECT action, object_type, actor_user_id, details FROM core_audit_log WHERE object_id = ${key.id}`,
    );
    expect(audit).toEqual({
      action: 'api_key.create',
      object_type: 'api_key',
      actor_user_id: person.userId,
      details: { name: 'deploy bot', scopes: ['profile:read', 'orgs:read'] },
    });
  });

  it('works until its expiry and not a moment after, end to end', async () => {
    const person = await signedInPerson(tally);
    const expiresAt = new Date(tally.clock.now().getTime() + 3600 * SECOND);
    const { api_key: key, secret } = await newKey(person, {
      name: 'short-lived',
      scopes: ['profile:read'],
      expires_at: expiresAt.toISOString(),
    });
    expect(key.expires_at).toBe(expiresAt.toISOString());
    expect((await meWith(secret)).status).toBe(200);
    tally.clock.set(new Date(expiresAt.getTime() - 1));
    expect((await meWith(secret)).status).toBe(200);
    tally.clock.set(expiresAt);
    const expired = await meWith(secret);
    expect(expired.status).toBe(401);
    expect((await read(expired)).error.message).toBe(
      'this API key is not valid (unknown, revoked or expired)',
    );
  });

  it('refuses an expiry that is now or past, naming the field', async () => {
    const person = await signedInPerson(tally);
    const now = await request(tally, 'POST', '/api/auth/api-keys', {
      as: person,
      body: { name: 'x', scopes: [], expires_at: tally.clock.now().toISOString() },
    });
    expect(now.status).toBe(400);
    expect((await read(now)).error).toMatchObject({
      message: 'the expiry must be in the future',
      details: { field: 'expires_at' },
    });
    const later = await request(tally, 'POST', '/api/auth/api-keys', {
      as: person,
      body: { name: 'x', scopes: [], expires_at: new Date(tally.clock.now().getTime() + 1).toISOString() },
    });
    expect(later.status).toBe(201);
  });

  it('records when it was last used at most once a minute, so reads do not become writes', async () => {
    const person = await signedInPerson(tally);
    const { api_key: key, secret } = await newKey(person, { name: 'poller', scopes: ['profile:read'] });
    const first = tally.clock.now().toISOString();
    await meWith(secret);
    expect(await lastUsed(key.id)).toBe(first.replace('T', ' ').replace('.000Z', '+00'));
    tally.clock.advance(60 * SECOND);
    await meWith(secret);
    expect(await lastUsed(key.id)).toBe(first.replace('T', ' ').replace('.000Z', '+00'));
    const later = tally.clock.advance(1);
    await meWith(secret);
    expect(await lastUsed(key.id)).toBe(later.toISOString().replace('T', ' ').replace('Z', '+00'));
  });

  it('is listed to its owner only, newest first, and a second revoke keeps the first time', async () => {
    const person = await signedInPerson(tally);
    const other = await signedInPerson(tally);
    const { api_key: older } = await newKey(person, { name: 'older', scopes: [] });
    tally.clock.advance(SECOND);
    const { api_key: newer } = await newKey(person, { name: 'newer', scopes: [] });
    await newKey(other, { name: 'someone else’s', scopes: [] });
    const listed = await read(await request(tally, 'GET', '/api/auth/api-keys', { as: person }));
    expect(listed.items.map((k: { id: string }) => k.id)).toEqual([newer.id, older.id]);

    const revokedAt = tally.clock.now().toISOString();
    const first = await read(
      await request(tally, 'DELETE', `/api/auth/api-keys/${older.id}`, { as: person }),
    );
    expect(first.api_key.revoked_at).toBe(revokedAt);
    tally.clock.advance(SECOND);
    const second = await read(
      await request(tally, 'DELETE', `/api/auth/api-keys/${older.id}`, { as: person }),
    );
    expect(second.api_key.revoked_at).toBe(revokedAt);
    const audits = await queryRows<{ action: string; object_type: string }>(
      tally.database.db,
      sql`SELECT action, object_type FROM core_audit_log WHERE object_id = ${older.id} ORDER BY at, id`,
    );
    expect(audits.map((a) => `${a.object_type} ${a.action}`)).toEqual([
      'api_key api_key.create',
      'api_key api_key.revoke',
      'api_key api_key.revoke',
    ]);
  });
});
