import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { creditsAdmin, customerOf, makeProduct, ok } from '../../../test/support/credits';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { resellerWithDomain } from '../../../test/support/whitelabel';
import { queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { contrastWithWhite } from './branding';

let tally: TestTally;
let admin: TestPerson;
let whitelabelProductId: string;

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  whitelabelProductId = (await makeProduct(tally, admin, { type: 'whitelabel', credits: 10 })).id;
});

/** A reseller who has set its domain, so it has a brand to set. */
const brandable = () => resellerWithDomain(tally, admin, whitelabelProductId);

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR fake image data'),
]);

const OTHER_PNG = Buffer.concat([PNG.subarray(0, 8), Buffer.from('IHDR another fake image')]);

const logoFileOf = async (whitelabelId: string): Promise<string> => {
  const [row] = await queryRows<{ logo_file_id: string }>(
    tally.database.db,
    sql`SELECT logo_file_id FROM credits_whitelabels WHERE id = ${whitelabelId}`,
  );
  return row!.logo_file_id;
};

/** Which of `ids` the core's file store still has, in order. */
const fileIds = async (ids: string[]): Promise<string[]> =>
  (
    await queryRows<{ id: string }>(
      tally.database.db,
      sql`SELECT id FROM core_files WHERE id IN (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )}) ORDER BY id`,
    )
  ).map((row) => row.id);

/** Whether the core's file store still holds each file's bytes. */
const bytesKept = (ids: string[]): Promise<boolean[]> =>
  Promise.all(
    ids.map((id) =>
      tally.context.files.store.read(id).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      ),
    ),
  );

/** A file the person uploaded for something other than its logo. */
async function anotherFileOf(person: TestPerson): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    tally.database.db,
    sql`INSERT INTO core_files (id, owner_user_id, name, content_type, size, sha256, created_at)
        VALUES (${newId()}, ${person.userId}, 'invoice.pdf', 'application/pdf', 1, 'x', ${tally.clock.now()})
        RETURNING id`,
  );
  return row!.id;
}

function uploadLogo(as: TestPerson, bytes: Buffer, name: string, type = 'image/png') {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return tally.http.request('/api/credits/whitelabel/branding/logo', {
    method: 'PUT',
    body: form,
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
  });
}

describe('a reseller’s brand', () => {
  it('is set and read by the reseller, colours stored lower case, and audited', async () => {
    const { person: reseller, domain } = await brandable();
    const initial = await ok(tally, 200, 'GET', '/api/credits/whitelabel/branding', { as: reseller });
    expect(initial).toMatchObject({
      domain,
      domain_status: 'pending',
      brand_name: null,
      // Unnamed, the brand is the reseller's own name.
      name: 'Test Person',
      logo_url: null,
      primary_color: null,
      accent_color: null,
    });

    const saved = await ok(tally, 200, 'PATCH', '/api/credits/whitelabel/branding', {
      as: reseller,
      body: { brand_name: '  Acme   Credits ', primary_color: '#1C4E80', accent_color: '#8A2BE2' },
    });
    expect(saved).toMatchObject({
      brand_name: 'Acme Credits',
      name: 'Acme Credits',
      primary_color: '#1c4e80',
      accent_color: '#8a2be2',
    });
    expect(await ok(tally, 200, 'GET', '/api/credits/whitelabel/branding', { as: reseller })).toEqual(saved);

    // Fields left out stay; null goes back to the default.
    const renamed = await ok(tally, 200, 'PATCH', '/api/credits/whitelabel/branding', {
      as: reseller,
      body: { brand_name: null },
    });
    expect(renamed).toMatchObject({ brand_name: null, name: 'Test Person', primary_color: '#1c4e80' });

    const [audit] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM core_audit_log
          WHERE action = 'credits.whitelabel.set_brand' AND object_id = ${saved.whitelabel_id}`,
    );
    expect(audit?.n).toBe(2);
    // Administrators read anyone's.
    expect(
      await ok(tally, 200, 'GET', `/api/credits/whitelabel/branding?user_id=${reseller.userId}`, {
        as: admin,
      }),
    ).toEqual(renamed);
  });

  it('is refused to people who do not resell (403), and to resellers without a domain (409)', async () => {
    const person = await signedInPerson(tally);
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { brand_name: 'Mine' }],
    ] as const) {
      const refused = await request(tally, method, '/api/credits/whitelabel/branding', { as: person, body });
      expect(refused.status, method).toBe(403);
      expect((await read(refused)).error.code).toBe('forbidden');
    }
    const undomained = await customerOf(tally, admin, whitelabelProductId);
    const before = await snapshotTables(tally.database.db);
    const early = await request(tally, 'PATCH', '/api/credits/whitelabel/branding', {
      as: undomained,
      body: { brand_name: 'Too Early' },
    });
    expect(early.status).toBe(409);
    expect((await read(early)).error).toMatchObject({
      code: 'domain_not_set',
      message: expect.stringContaining('Set up your domain first'),
    });
    await expectUnchanged(tally.database.db, before);
  });

  it('is nobody else’s to read or change: another reseller finds nothing (404)', async () => {
    const { person: owner } = await brandable();
    const { person: other } = await brandable();
    await ok(tally, 200, 'PATCH', '/api/credits/whitelabel/branding', {
      as: owner,
      body: { brand_name: 'Owner Brand' },
    });
    const peek = await request(tally, 'GET', `/api/credits/whitelabel/branding?user_id=${owner.userId}`, {
      as: other,
    });
    expect(peek.status).toBe(404);
    // A change always lands on the caller's own brand: there is no way to name another's.
    const smuggled = await request(tally, 'PATCH', '/api/credits/whitelabel/branding', {
      as: other,
      body: { brand_name: 'Hijack', user_id: owner.userId },
    });
    expect(smuggled.status).toBe(400);
    expect((await ok(tally, 200, 'GET', '/api/credits/whitelabel/branding', { as: owner })).brand_name).toBe(
      'Owner Brand',
    );
  });

  it('refuses bad colours, colours too light for white text and long names with the field named, changing nothing', async () => {
    const { person: reseller } = await brandable();
    await ok(tally, 200, 'PATCH', '/api/credits/whitelabel/branding', {
      as: reseller,
      body: { brand_name: 'Kept', primary_color: '#0b5394' },
    });
    const before = await snapshotTables(tally.database.db);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ primary_color: 'blue' }, 'primary_color', /#rrggbb/],
      [{ primary_color: '#12345' }, 'primary_color', /#rrggbb/],
      [{ accent_color: '#12345g' }, 'accent_color', /#rrggbb/],
      // Yellow under white text: about 1.07:1.
      [{ primary_color: '#FFFF00' }, 'primary_color', /too light .* at least 4\.5:1/],
      // #777777 is 4.48:1, just short of AA.
      [{ accent_color: '#777777' }, 'accent_color', /too light/],
      [{ brand_name: 'x'.repeat(81) }, 'brand_name', /at most 80 characters/],
      [{ brand_name: 'Two\nlines' }, 'brand_name', /one line/],
      // One bad field refuses the good ones beside it.
      [{ brand_name: 'New Name', primary_color: '#eeeeee' }, 'primary_color', /too light/],
    ];
    for (const [body, field, message] of cases) {
      const refused = await request(tally, 'PATCH', '/api/credits/whitelabel/branding', {
        as: reseller,
        body,
      });
      const answer = await read(refused);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(answer.error.details.field, JSON.stringify(body)).toBe(field);
      expect(answer.error.message).toMatch(message);
    }
    await expectUnchanged(tally.database.db, before);
    expect(contrastWithWhite('#777777')).toBeLessThan(4.5);
    expect(contrastWithWhite('#767676')).toBeGreaterThanOrEqual(4.5);
  });
});

describe('a reseller’s logo', () => {
  it('is uploaded as a PNG and served to anyone as an image nothing runs, cacheable with a validator', async () => {
    const { person: reseller } = await brandable();
    const response = await uploadLogo(reseller, PNG, 'logo.png');
    expect(response.status).toBe(200);
    const brand = await read(response);
    expect(brand.logo_url).toMatch(new RegExp(`^/api/credits/brands/${brand.whitelabel_id}/logo\\?v=`));

    // No sign-in: the tenant's login page shows it.
    const served = await tally.http.request(brand.logo_url);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(served.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = served.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const revalidated = await tally.http.request(brand.logo_url, { headers: { 'if-none-match': etag! } });
    expect(revalidated.status).toBe(304);
    expect((await revalidated.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses a text file, HTML or SVG named .png, keeping nothing', async () => {
    const { person: reseller } = await brandable();
    const stranger = await signedInPerson(tally);
    const before = await snapshotTables(tally.database.db);
    for (const [bytes, name, type] of [
      [Buffer.from('just some words\n'), 'logo.png', 'image/png'],
      [Buffer.from('<html><script>alert(document.cookie)</script></html>'), 'logo.png', 'image/png'],
      [
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        'logo.svg',
        'image/svg+xml',
      ],
    ] as const) {
      const refused = await uploadLogo(reseller, bytes, name, type);
      expect(refused.status, name).toBe(415);
      expect((await read(refused)).error).toMatchObject({
        code: 'unsupported_media_type',
        details: { field: 'file' },
      });
    }
    expect((await uploadLogo(stranger, PNG, 'logo.png')).status).toBe(403);
    await expectUnchanged(tally.database.db, before);
  });

  it('when replaced, lets go of the file that was the logo once the new one is saved, and of no other', async () => {
    const { person: reseller } = await brandable();
    const { person: neighbour } = await brandable();
    const first = await read(await uploadLogo(reseller, PNG, 'first.png'));
    const firstFile = await logoFileOf(first.whitelabel_id);
    const neighbours = await logoFileOf(
      (await read(await uploadLogo(neighbour, PNG, 'logo.png'))).whitelabel_id,
    );
    const ownPhoto = await anotherFileOf(reseller);

    // A refused upload is no replacement: the logo and its file stay.
    expect((await uploadLogo(reseller, Buffer.from('not an image'), 'second.png')).status).toBe(415);
    expect(await fileIds([firstFile])).toEqual([firstFile]);

    const second = await read(await uploadLogo(reseller, OTHER_PNG, 'second.png'));
    const secondFile = await logoFileOf(second.whitelabel_id);
    expect(secondFile).not.toBe(firstFile);
    expect(await fileIds([firstFile, secondFile, neighbours, ownPhoto])).toEqual(
      [secondFile, neighbours, ownPhoto].sort(),
    );
    expect(await bytesKept([firstFile, secondFile, neighbours])).toEqual([false, true, true]);
    const served = await tally.http.request(second.logo_url);
    expect(Buffer.from(await served.arrayBuffer()).equals(OTHER_PNG)).toBe(true);
    expect((await tally.http.request(`/api/credits/brands/${first.whitelabel_id}/logo`)).status).toBe(200);
    const [audited] = await queryRows<{ details: Record<string, unknown> }>(
      tally.database.db,
      sql`SELECT details FROM core_audit_log WHERE action = 'credits.whitelabel.set_logo'
          AND object_id = ${second.whitelabel_id} ORDER BY id DESC LIMIT 1`,
    );
    expect(audited!.details).toMatchObject({
      fileId: secondFile,
      previous: firstFile,
      previousReleased: true,
    });
  });

  it('when replaced, keeps a file that was the logo while another record still refers to it', async () => {
    const { person: reseller } = await brandable();
    const first = await read(await uploadLogo(reseller, PNG, 'first.png'));
    const firstFile = await logoFileOf(first.whitelabel_id);
    await tally.database.db.execute(
      sql`CREATE TABLE IF NOT EXISTS test_file_references (file_id uuid NOT NULL REFERENCES core_files (id))`,
    );
    await tally.database.db.execute(sql`INSERT INTO test_file_references (file_id) VALUES (${firstFile})`);

    const replaced = await uploadLogo(reseller, OTHER_PNG, 'second.png');
    expect(replaced.status).toBe(200);
    const second = await read(replaced);
    const secondFile = await logoFileOf(second.whitelabel_id);
    expect(await fileIds([firstFile, secondFile])).toEqual([firstFile, secondFile].sort());
    expect(await bytesKept([firstFile, secondFile])).toEqual([true, true]);
    const served = await tally.http.request(second.logo_url);
    expect(Buffer.from(await served.arrayBuffer()).equals(OTHER_PNG)).toBe(true);
  });

  it('is removed with DELETE, after which it is not found, and its file is let go', async () => {
    const { person: reseller } = await brandable();
    const brand = await read(await uploadLogo(reseller, PNG, 'logo.png'));
    const file = await logoFileOf(brand.whitelabel_id);
    const removed = await ok(tally, 200, 'DELETE', '/api/credits/whitelabel/branding/logo', { as: reseller });
    expect(removed.logo_url).toBeNull();
    expect(await fileIds([file])).toEqual([]);
    expect(await bytesKept([file])).toEqual([false]);
    const gone = await tally.http.request(`/api/credits/brands/${brand.whitelabel_id}/logo`);
    expect(gone.status).toBe(404);
    // Removing again is no change, not an error (a retried click).
    await ok(tally, 200, 'DELETE', '/api/credits/whitelabel/branding/logo', { as: reseller });
    const unknown = await tally.http.request(`/api/credits/brands/${admin.userId}/logo`);
    expect(unknown.status).toBe(404);
  });
});
