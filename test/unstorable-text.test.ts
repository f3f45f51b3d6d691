import { beforeAll, describe, expect, it } from 'vitest';
import { findUnstorableText } from '../src/core/http';
import {
  read,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestPerson,
  type TestTally,
  testTally,
} from './support/app';
import { expectUnchanged, snapshotTables } from './support/snapshot';

/** Text PostgreSQL would refuse (NUL) or silently change (a lone surrogate) is a 400 naming its field. */

let tally: TestTally;
let person: TestPerson;

beforeAll(async () => {
  tally = await testTally();
  person = await signedInPerson(tally);
});

const send = (method: string, path: string, rawBody: string, asAdmin = false) =>
  tally.http.request(path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(asAdmin ? { authorization: `Bearer ${TEST_ADMIN_KEY}` } : { cookie: person.cookie }),
    },
    body: rawBody,
  });

describe('text the database cannot keep as sent', () => {
  const cases: [string, string, string, string, boolean][] = [
    [
      'an organisation name with NUL',
      'POST',
      '/api/orgs',
      '{"kind":"team","name":"Green\\u0000Valley"}',
      false,
    ],
    [
      'a ledger name with a lone surrogate',
      'POST',
      '/api/ledger/ledgers',
      '{"code":"EUR","scale":2,"name":"Euro \\ud800"}',
      true,
    ],
    [
      'transfer metadata with NUL, deep',
      'POST',
      '/api/ledger/transfers',
      '{"transfers":[{"id":"01900000-0000-7000-8000-000000000001","metadata":{"note":["ok","bad\\u0000"]}}]}',
      true,
    ],
    ['a profile name with a lone low surrogate', 'PATCH', '/api/auth/me', '{"name":"\\udc00Ada"}', false],
    ['a credits workspace name with NUL', 'POST', '/api/credits/workspaces', '{"name":"Lab\\u0000"}', false],
  ];

  it.each(cases)(
    'refuses %s with a 400 naming the field, changing nothing',
    async (_, method, path, body, asAdmin) => {
      const before = await snapshotTables(tally.database.db);
      const response = await send(method, path, body, asAdmin);
      expect(response.status).toBe(400);
      const { error } = await read(response);
      expect(error.code).toBe('validation_failed');
      expect(error.details.field).toMatch(/^(name|transfers\.0\.metadata\.note\.1)$/);
      await expectUnchanged(tally.database.db, before);
    },
  );

  it('refuses them in query values too', async () => {
    const response = await tally.http.request('/api/credits/usages?used_for=a%00b', {
      headers: { cookie: person.cookie },
    });
    expect(response.status).toBe(400);
    expect((await read(response)).error.details).toMatchObject({ target: 'query', field: 'used_for' });
  });

  it('keeps emoji and other well-formed text', async () => {
    expect(findUnstorableText({ name: 'Grüne 🌱 Wiese', tags: ['日本'] })).toBeNull();
    expect(findUnstorableText({ 'bad\u0000key': 1 })).toEqual({
      path: 'bad\u0000key',
      problem: 'must not contain a NUL character',
    });
    const ok = await send('POST', '/api/orgs', JSON.stringify({ kind: 'team', name: 'Grüne 🌱 Wiese' }));
    expect(ok.status).toBe(201);
    expect((await read(ok)).name).toBe('Grüne 🌱 Wiese');
  });
});

describe('names people type', () => {
  it('are one line: a name with a line break and a link is refused where mails would carry it', async () => {
    const name = 'Eve\nClick https://evil.test to claim your prize';
    const cases: [string, string, unknown][] = [
      ['PATCH', '/api/auth/me', { name }],
      ['POST', '/api/orgs', { kind: 'team', name }],
      ['POST', '/api/credits/workspaces', { name }],
    ];
    for (const [method, path, body] of cases) {
      const before = await snapshotTables(tally.database.db);
      const response = await send(method, path, JSON.stringify(body));
      expect(response.status, path).toBe(400);
      expect((await read(response)).error.details.issues[0].path).toBe('name');
      await expectUnchanged(tally.database.db, before);
    }
  });
});
