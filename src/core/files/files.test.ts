import { beforeAll, describe, expect, it } from 'vitest';
import { read, signedInPerson, type TestPerson, type TestTally, testTally } from '../../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';

let tally: TestTally;
let ada: TestPerson;
let bob: TestPerson;

beforeAll(async () => {
  tally = await testTally({ lines: [] });
  ada = await signedInPerson(tally);
  bob = await signedInPerson(tally);
});

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x20), Buffer.from('\n%%EOF\n')]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const HTML = Buffer.from('<html><script>alert(document.cookie)</script></html>');

function upload(as: TestPerson | undefined, bytes: Buffer, name: string, type = 'application/pdf') {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return tally.http.request('/api/files', {
    method: 'POST',
    body: form,
    // As the web app sends it: a form another site posts carries no X-Requested-With.
    headers: as ? { cookie: as.cookie, 'x-requested-with': 'tally-web' } : {},
  });
}

describe('file uploads', () => {
  it('keeps a file with the type its bytes say, and gives it back to its owner as a safe download', async () => {
    const response = await upload(ada, PDF, '../../etc/invoice "June".pdf', 'text/html');
    expect(response.status).toBe(201);
    const stored = await read(response);
    expect(stored).toMatchObject({
      name: 'invoice June.pdf',
      content_type: 'application/pdf',
      size: PDF.length,
    });

    const download = await tally.http.request(`/api/files/${stored.id}`, { headers: { cookie: ada.cookie } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="invoice June.pdf"/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");

    const png = await read(await upload(ada, PNG, 'photo.png', 'application/pdf'));
    expect(png.content_type).toBe('image/png');
  });

  it('shows a file to nobody but its owner and administrators', async () => {
    const { id } = await read(await upload(ada, PDF, 'private.pdf'));
    expect((await tally.http.request(`/api/files/${id}`, { headers: { cookie: bob.cookie } })).status).toBe(
      404,
    );
    // A visitor is asked to sign in, whatever the id: that says nothing of the file either.
    expect((await tally.http.request(`/api/files/${id}`)).status).toBe(401);
    const admin = await signedInPerson(tally, { isAdmin: true });
    expect((await tally.http.request(`/api/files/${id}`, { headers: { cookie: admin.cookie } })).status).toBe(
      200,
    );
    expect(
      (await tally.http.request('/api/files/not-an-id', { headers: { cookie: ada.cookie } })).status,
    ).toBe(404);
  });

  it('refuses what is not an allowed type, too large, empty, or from nobody, keeping nothing', async () => {
    const before = await snapshotTables(tally.database.db);
    const html = await upload(ada, HTML, 'invoice.pdf');
    expect(html.status).toBe(415);
    expect((await read(html)).error).toMatchObject({
      code: 'unsupported_media_type',
      details: { field: 'file' },
    });
    const large = await upload(ada, Buffer.concat([PDF, Buffer.alloc(300 * 1024)]), 'big.pdf');
    expect(large.status).toBe(413);
    expect((await read(large)).error.code).toBe('payload_too_large');
    expect((await upload(ada, Buffer.alloc(0), 'empty.pdf')).status).toBe(400);
    expect((await upload(undefined, PDF, 'anon.pdf')).status).toBe(401);
    const noFile = await tally.http.request('/api/files', {
      method: 'POST',
      headers: { cookie: ada.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noFile.status).toBe(415);
    const formWithoutFile = new FormData();
    formWithoutFile.set('note', 'no file here');
    const missing = await tally.http.request('/api/files', {
      method: 'POST',
      headers: { cookie: ada.cookie, 'x-requested-with': 'tally-web' },
      body: formWithoutFile,
    });
    expect(missing.status).toBe(400);
    expect((await read(missing)).error.details.issues[0].path).toBe('file');
    await expectUnchanged(tally.database.db, before);
  });
});
