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
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';

let tally: TestTally;
let admin: TestPerson;

beforeAll(async () => {
  tally = await testTally();
  admin = await signedInPerson(tally, { isAdmin: true });
});

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(500, 0x20), Buffer.from('\n%%EOF\n')]);
const PAYOUT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

async function upload(as: TestPerson, name = 'passport.pdf'): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), name);
  const response = await tally.http.request('/api/files', {
    method: 'POST',
    body: form,
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
  });
  expect(response.status).toBe(201);
  return (await read(response)).id;
}

async function newProvider(name = 'Weather Co'): Promise<{ person: TestPerson; provider: Body }> {
  const person = await signedInPerson(tally);
  const response = await request(tally, 'POST', '/api/gateway/provider', {
    as: person,
    body: { name, payout_address: PAYOUT },
  });
  expect(response.status).toBe(201);
  return { person, provider: await read(response) };
}

const errorOf = async (response: Response) => ({ status: response.status, ...(await read(response)).error });

describe('becoming a provider', () => {
  it('registers once per person, with the payout address stored lower case', async () => {
    const { person, provider } = await newProvider();
    expect(provider).toMatchObject({
      user_id: person.userId,
      name: 'Weather Co',
      payout_address: PAYOUT.toLowerCase(),
      kyc: { state: 'none', can_claim: false, note: null },
      documents: [],
    });
    const mine = await read(await request(tally, 'GET', '/api/gateway/provider', { as: person }));
    expect(mine.provider.id).toBe(provider.id);

    const newcomer = await signedInPerson(tally);
    const before = await snapshotTables(tally.database.db);
    expect(
      await errorOf(
        await request(tally, 'POST', '/api/gateway/provider', {
          as: person,
          body: { name: 'Again', payout_address: PAYOUT },
        }),
      ),
    ).toMatchObject({ status: 409, code: 'provider_exists' });
    expect(
      await errorOf(
        await request(tally, 'POST', '/api/gateway/provider', {
          as: newcomer,
          body: { name: 'Bad', payout_address: '0x1234' },
        }),
      ),
    ).toMatchObject({ status: 400, code: 'validation_failed' });
    await expectUnchanged(tally.database.db, before);
  });

  it('answers null to a person who is not a provider, and provider_required where one is needed', async () => {
    const stranger = await signedInPerson(tally);
    expect(await read(await request(tally, 'GET', '/api/gateway/provider', { as: stranger }))).toEqual({
      provider: null,
    });
    expect(
      await errorOf(await request(tally, 'POST', '/api/gateway/provider/kyc/submit', { as: stranger })),
    ).toMatchObject({ status: 409, code: 'provider_required' });
  });

  it('changes the payout address and records who changed it from what', async () => {
    const { person, provider } = await newProvider();
    const next = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
    const changed = await read(
      await request(tally, 'PATCH', '/api/gateway/provider', { as: person, body: { payout_address: next } }),
    );
    expect(changed.payout_address).toBe(next.toLowerCase());
    expect(changed.name).toBe('Weather Co');
    const [entry] = await queryRows<{ details: Record<string, string> }>(
      tally.database.db,
      sql`SELECT details FROM core_audit_log WHERE object_id = ${provider.id} AND action = 'gateway.payout_address_changed'`,
    );
    expect(entry?.details).toEqual({ from: PAYOUT.toLowerCase(), to: next.toLowerCase() });
  });
});

describe('KYC', () => {
  it('goes none → submitted → rejected → submitted → approved, and the provider is told each decision', async () => {
    const { person, provider } = await newProvider();
    const submit = () => request(tally, 'POST', '/api/gateway/provider/kyc/submit', { as: person });
    const review = (body: unknown) =>
      request(tally, 'POST', `/api/gateway/providers/${provider.id}/kyc`, { as: admin, body });

    expect(await errorOf(await submit())).toMatchObject({ status: 422, code: 'kyc_documents_missing' });
    expect(await errorOf(await review({ decision: 'approved' }))).toMatchObject({
      status: 409,
      code: 'kyc_none',
    });

    const passport = await upload(person);
    const added = await read(
      await request(tally, 'POST', '/api/gateway/provider/kyc/documents', {
        as: person,
        body: { file_id: passport, kind: 'identity' },
      }),
    );
    expect(added.documents).toEqual([
      expect.objectContaining({
        file_id: passport,
        kind: 'identity',
        name: 'passport.pdf',
        content_type: 'application/pdf',
      }),
    ]);

    const submitted = await read(await submit());
    expect(submitted.kyc).toMatchObject({ state: 'submitted', submitted_at: '2026-06-01T09:00:00.000Z' });
    const told = await queryRows<{ title: string; link: string }>(
      tally.database.db,
      sql`SELECT title, link FROM core_notifications WHERE user_id = ${admin.userId} AND type = 'gateway.kyc_submitted'`,
    );
    expect(told).toContainEqual({
      title: 'Weather Co sent KYC documents for review',
      link: `/gateway/admin/providers/${provider.id}`,
    });
    expect(await errorOf(await submit())).toMatchObject({ status: 409, code: 'kyc_submitted' });
    expect(
      await errorOf(
        await request(tally, 'POST', '/api/gateway/provider/kyc/documents', {
          as: person,
          body: { file_id: await upload(person, 'late.pdf'), kind: 'other' },
        }),
      ),
    ).toMatchObject({ status: 409, code: 'kyc_submitted' });

    // The administrator sees it first in the queue, and may read the document.
    const queue = await read(
      await request(tally, 'GET', '/api/gateway/providers?kyc_state=submitted', { as: admin }),
    );
    expect(queue.items.map((p: Body) => p.id)).toContain(provider.id);
    expect((await request(tally, 'GET', `/api/files/${passport}`, { as: admin })).status).toBe(200);

    expect(await errorOf(await review({ decision: 'rejected' }))).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: { field: 'note' },
    });
    const rejected = await read(await review({ decision: 'rejected', note: 'The passport is expired.' }));
    expect(rejected.kyc).toMatchObject({
      state: 'rejected',
      note: 'The passport is expired.',
      can_claim: false,
    });

    const notes = await queryRows<{ title: string; body: string }>(
      tally.database.db,
      sql`SELECT title, body FROM core_notifications WHERE user_id = ${person.userId} ORDER BY created_at, id`,
    );
    expect(notes).toEqual([
      {
        title: 'Your KYC documents were rejected',
        body: 'Reason: The passport is expired. Upload corrected documents and submit them again.',
      },
    ]);

    expect(
      (
        await read(
          await request(tally, 'DELETE', `/api/gateway/provider/kyc/documents/${passport}`, { as: person }),
        )
      ).documents,
    ).toEqual([]);
    await request(tally, 'POST', '/api/gateway/provider/kyc/documents', {
      as: person,
      body: { file_id: await upload(person, 'new-passport.pdf'), kind: 'identity' },
    });
    expect((await read(await submit())).kyc.state).toBe('submitted');
    const approved = await read(await review({ decision: 'approved' }));
    expect(approved.kyc).toMatchObject({ state: 'approved', can_claim: true, note: null });
    expect(await errorOf(await review({ decision: 'rejected', note: 'changed my mind' }))).toMatchObject({
      status: 409,
      code: 'kyc_approved',
    });
    expect(await errorOf(await submit())).toMatchObject({ status: 409, code: 'kyc_approved' });
  });

  it('leaves an administrator’s own KYC to another administrator, unless none is there', async () => {
    // A provider who is an administrator, and another administrator (from the test above).
    const own = await signedInPerson(tally, { isAdmin: true });
    const made = await read(
      await request(tally, 'POST', '/api/gateway/provider', {
        as: own,
        body: { name: 'Admin tools', payout_address: PAYOUT },
      }),
    );
    const passport = await upload(own);
    await request(tally, 'POST', '/api/gateway/provider/kyc/documents', {
      as: own,
      body: { file_id: passport, kind: 'identity' },
    });
    expect((await request(tally, 'POST', '/api/gateway/provider/kyc/submit', { as: own })).status).toBe(200);
    const review = (as: TestPerson) =>
      request(tally, 'POST', `/api/gateway/providers/${made.id}/kyc`, { as, body: { decision: 'approved' } });
    expect(await errorOf(await review(own))).toMatchObject({ status: 403, code: 'kyc_own_review' });
    expect((await read(await review(admin))).kyc.state).toBe('approved');

    // On an installation with one administrator, nobody else could: they decide, and the log says so.
    const alone = await testTally();
    const sole = await signedInPerson(alone, { isAdmin: true });
    const mine = await read(
      await request(alone, 'POST', '/api/gateway/provider', {
        as: sole,
        body: { name: 'Solo tools', payout_address: PAYOUT },
      }),
    );
    await alone.database.db.execute(
      sql`UPDATE gateway_providers SET kyc_state = 'submitted' WHERE id = ${mine.id}`,
    );
    const decided = await request(alone, 'POST', `/api/gateway/providers/${mine.id}/kyc`, {
      as: sole,
      body: { decision: 'approved' },
    });
    expect((await read(decided)).kyc.state).toBe('approved');
    const [logged] = await queryRows<{ details: Record<string, unknown> }>(
      alone.database.db,
      sql`SELECT details FROM core_audit_log WHERE action = 'gateway.kyc_approved' AND object_id = ${mine.id}`,
    );
    expect(logged!.details).toMatchObject({ own_review: true });
  });

  it('takes only the provider’s own uploads, and only administrators review', async () => {
    const { person, provider } = await newProvider();
    const someoneElses = await upload(await signedInPerson(tally));
    const stranger = await signedInPerson(tally);
    const before = await snapshotTables(tally.database.db);
    expect(
      await errorOf(
        await request(tally, 'POST', '/api/gateway/provider/kyc/documents', {
          as: person,
          body: { file_id: someoneElses, kind: 'identity' },
        }),
      ),
    ).toMatchObject({ status: 404, code: 'not_found' });
    expect(
      await errorOf(
        await request(tally, 'POST', `/api/gateway/providers/${provider.id}/kyc`, {
          as: person,
          body: { decision: 'approved' },
        }),
      ),
    ).toMatchObject({ status: 403 });
    expect(
      await errorOf(await request(tally, 'GET', `/api/gateway/providers/${provider.id}`, { as: stranger })),
    ).toMatchObject({ status: 404 });
    expect((await request(tally, 'GET', '/api/gateway/providers', { as: person })).status).toBe(403);
    await expectUnchanged(tally.database.db, before);
  });
});
