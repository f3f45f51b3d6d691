import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTestTally, actorFor } from '../../../test/support/access';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
} from '../../../test/support/app';
import type { Actor } from '../actor';
import { API_KEY_PREFIX, hashSecret, newSecret } from '../auth/tokens';
import { CSV_EXPORT_MAX_ROWS as EXPORT_MAX_ROWS } from '../csv';
import { newId } from '../ids';
import { recordAudit } from './service';

let tally: TestTally;
let admin: TestPerson;
let alice: TestPerson;
let bob: TestPerson;
const orgA = newId();
const orgB = newId();

const HOUR_MS = 3600 * 1000;
const tricky = { email: 'eve@example.test', note: '=HYPERLINK("http://evil.test"), "quoted"\nnext line' };

beforeAll(async () => {
  ({ tally } = await accessTestTally());
  admin = await signedInPerson(tally, { email: 'admin@audit.test', isAdmin: true });
  alice = await signedInPerson(tally, { email: 'alice@audit.test' });
  bob = await signedInPerson(tally, { email: 'bob@audit.test' });
  const asAlice: Actor = { ...actorFor(alice), ip: '203.0.113.9', requestId: 'req-1' };
  const entries: [Actor, string, string, string, string][] = [
    [asAlice, 'organization.create', 'organization', orgA, orgA],
    [actorFor(bob), 'invitation.create', 'invitation', newId(), orgA],
    [asAlice, 'membership.remove', 'membership', bob.userId, orgB],
    [asAlice, 'organization.update', 'organization', orgB, orgB],
    [actorFor(bob), 'organization.update', 'organization', orgA, orgA],
  ];
  for (const [actor, action, objectType, objectId, organizationId] of entries) {
    await recordAudit(tally.database.db, tally.clock, actor, {
      action,
      objectType,
      objectId,
      organizationId,
      details: action === 'invitation.create' ? tricky : {},
    });
    tally.clock.advance(HOUR_MS);
  }
});

const audit = async (query = '', as = admin) =>
  read(await request(tally, 'GET', `/api/audit${query}`, { as }));

const actionsOf = (page: Body) => page.items.map((e: Body) => e.action);

/** An RFC 4180 reader, to check the export by reading it back the way a spreadsheet would. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && ch === '"') {
      quoted = false;
    } else if (quoted || (ch !== '"' && ch !== ',' && ch !== '\r')) {
      field += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else {
      expect(text[i + 1]).toBe('\n');
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    }
  }
  expect(field).toBe('');
  expect(record).toEqual([]);
  return records;
}

describe('the audit log API', () => {
  it('asks anonymous callers to sign in, and refuses people who are not administrators', async () => {
    for (const path of ['/api/audit', '/api/audit/export.csv']) {
      const anonymous = await request(tally, 'GET', path);
      expect(anonymous.status).toBe(401);
      expect((await read(anonymous)).error.code).toBe('unauthorized');
      const person = await request(tally, 'GET', path, { as: alice });
      expect(person.status).toBe(403);
      expect(await read(person)).toEqual({
        error: {
          code: 'forbidden',
          message: 'only an administrator may do this',
          details: { reason: 'admin_only' },
        },
      });
    }
  });

  it('lets an administrator’s API key in only with the audit:read scope', async () => {
    const keyWith = async (scopes: string[]) => {
      const secret = newSecret(API_KEY_PREFIX);
      await tally.database.db.execute(sql`
        INSERT INTO core_api_keys (id, user_id, name, prefix, key_hash, scopes, created_at)
        VALUES (${newId()}, ${admin.userId}, 'export', ${secret.slice(0, 14)}, ${hashSecret(secret)},
          ${sql.param(scopes)}::text[], ${tally.clock.now()})`);
      return { authorization: `Bearer ${secret}` };
    };
    const without = await request(tally, 'GET', '/api/audit/export.csv', {
      headers: await keyWith(['orgs:read']),
    });
    expect(without.status).toBe(403);
    expect((await read(without)).error.message).toMatch(/audit:read/);
    const granted = await request(tally, 'GET', '/api/audit?limit=1', {
      headers: await keyWith(['audit:read']),
    });
    expect(granted.status).toBe(200);
    expect((await read(granted)).items).toHaveLength(1);
  });

  it('lists entries newest first with who, what, which object, where from and which request', async () => {
    const page = await audit();
    expect(actionsOf(page)).toEqual([
      'organization.update',
      'organization.update',
      'membership.remove',
      'invitation.create',
      'organization.create',
    ]);
    expect(page.next_cursor).toBeNull();
    expect(page.items.at(-1)).toEqual({
      id: expect.any(String),
      at: '2026-06-01T09:00:00.000Z',
      actor_user_id: alice.userId,
      actor: { name: 'Test Person', email: alice.email },
      actor_api_key_id: null,
      action: 'organization.create',
      object_type: 'organization',
      object_id: orgA,
      organization_id: orgA,
      ip: '203.0.113.9',
      request_id: 'req-1',
      details: {},
    });
    expect(page.items.at(-2).details).toEqual(tricky);
  });

  it('filters by actor, action, object, organisation and time', async () => {
    expect((await audit(`?actor_user_id=${bob.userId}`)).items).toHaveLength(2);
    expect(actionsOf(await audit('?action=organization.update'))).toEqual([
      'organization.update',
      'organization.update',
    ]);
    expect((await audit(`?object_type=membership&object_id=${bob.userId}`)).items).toHaveLength(1);
    expect((await audit(`?organization_id=${orgB}`)).items.map((e: Body) => e.organization_id)).toEqual([
      orgB,
      orgB,
    ]);
    // `from` includes its instant, `to` excludes its own: 10:00 up to 12:00 is two entries.
    const window = await audit('?from=2026-06-01T10:00:00Z&to=2026-06-01T12:00:00Z');
    expect(actionsOf(window)).toEqual(['membership.remove', 'invitation.create']);
    const combined = await audit(
      `?actor_user_id=${alice.userId}&organization_id=${orgB}&action=organization.update`,
    );
    expect(combined.items).toHaveLength(1);
    expect((await audit(`?organization_id=${newId()}`)).items).toEqual([]);
  });

  it('pages with the cursor, never repeating or skipping an entry', async () => {
    const all = (await audit()).items.map((e: Body) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Body = await audit(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e: Body) => e.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
  });

  it('refuses bad filters with 400 in the one error shape', async () => {
    for (const query of [
      '?limit=0',
      '?limit=two',
      '?actor_user_id=alice',
      '?organization_id=1',
      '?cursor=last',
      '?from=yesterday',
      '?to=2026-06-01',
      '?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z',
      '?actor=someone',
    ]) {
      for (const path of ['/api/audit', '/api/audit/export.csv']) {
        const response = await request(tally, 'GET', `${path}${query}`, { as: admin });
        expect(response.status, `${path}${query}`).toBe(400);
        expect((await read(response)).error.code).toBe('validation_failed');
      }
    }
    // A page holds at most 200 entries, as every list; an export up to EXPORT_MAX_ROWS.
    expect((await request(tally, 'GET', '/api/audit?limit=201', { as: admin })).status).toBe(400);
  });

  it('exports the filtered log as CSV that reads back exactly as the JSON list', async () => {
    const response = await request(tally, 'GET', `/api/audit/export.csv?organization_id=${orgA}`, {
      as: admin,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tally-audit-.+\.csv"$/,
    );
    expect(response.headers.get('x-next-cursor')).toBeNull();
    const text = await response.text();
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([
      'id',
      'at',
      'actor_user_id',
      'actor_api_key_id',
      'action',
      'object_type',
      'object_id',
      'organization_id',
      'ip',
      'request_id',
      'details',
    ]);
    const listed = (await audit(`?organization_id=${orgA}`)).items;
    expect(rows).toEqual(
      listed.map((e: Body) => [
        e.id,
        e.at,
        e.actor_user_id ?? '',
        '',
        e.action,
        e.object_type,
        e.object_id,
        e.organization_id,
        e.ip ?? '',
        e.request_id ?? '',
        JSON.stringify(e.details),
      ]),
    );
    // The "=" sits inside the JSON, not at the start of a field: quoted, and left as it is.
    expect(text).toContain('""note"":""=HYPERLINK(\\""http://evil.test\\""), \\""quoted\\""\\nnext line""');
  });

  it('exports large logs page by page, up to the limit, and says where to continue', async () => {
    const ids = Array.from({ length: 1200 }, () => newId());
    await tally.database.db.execute(sql`
      INSERT INTO core_audit_log (id, at, actor_user_id, action, object_type, object_id)
      SELECT id, ${tally.clock.now()}, ${admin.userId}, 'bulk.test', 'thing', id::text
      FROM unnest(${sql.param(ids)}::uuid[]) AS id`);
    const exportCsv = (query: string) =>
      request(tally, 'GET', `/api/audit/export.csv?action=bulk.test${query}`, { as: admin });

    const whole = await exportCsv('');
    expect(whole.headers.get('x-next-cursor')).toBeNull();
    const wholeRows = parseCsv(await whole.text()).slice(1);
    expect(wholeRows.map((r) => r[0])).toEqual([...ids].reverse());

    const first = await exportCsv('&limit=1000');
    const cursor = first.headers.get('x-next-cursor');
    const firstRows = parseCsv(await first.text()).slice(1);
    expect(firstRows).toHaveLength(1000);
    // Opaque: the rest starts right after the last row of the first file.
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const rest = await exportCsv(`&cursor=${cursor}`);
    expect(rest.headers.get('x-next-cursor')).toBeNull();
    const restRows = parseCsv(await rest.text()).slice(1);
    expect([...firstRows, ...restRows]).toEqual(wholeRows);
    expect(EXPORT_MAX_ROWS).toBe(10_000);
    expect((await exportCsv(`&limit=${EXPORT_MAX_ROWS + 1}`)).status).toBe(400);
  });
});
