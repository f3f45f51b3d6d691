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
import { API_KEY_PREFIX, hashSecret, newSecret } from '../auth/tokens';
import { queryRows } from '../database';
import { newId } from '../ids';
import { silentLogger } from '../log';
import { registerMailJobs } from './jobs';
import { type MailInput, queueMail } from './outbox';

/** A Tally whose mail goes to the given SMTP server, or to the Mailbox. */
async function tallyWithMail(smtpUrl?: string, mailboxOpen = false): Promise<TestTally> {
  const tally = await testTally({ smtpUrl, mailboxOpen });
  registerMailJobs(tally.jobs, {
    clock: tally.clock,
    log: silentLogger,
    smtpUrl,
    mailFrom: 'Tally <no-reply@tally.test>',
  });
  return tally;
}

const queue = (tally: TestTally, mail: Pick<MailInput, 'to' | 'subject'>) =>
  tally.database.db.transaction(async (tx) => {
    const id = await queueMail(tx, tally.clock, {
      ...mail,
      text: `About: ${mail.subject}`,
      template: 'test',
    });
    if (!id) throw new Error('not queued');
    return id;
  });

describe('the Mailbox, without SMTP', () => {
  let tally: TestTally;
  let ada: TestPerson;
  let bob: TestPerson;
  let admin: TestPerson;
  const adaMail: string[] = [];
  let bobMail: string;

  beforeAll(async () => {
    tally = await tallyWithMail();
    ada = await signedIn('ada@example.test');
    bob = await signedIn('bob@example.test');
    admin = await signedIn('admin@example.test', true);
    adaMail.push(await queue(tally, { to: 'ada@example.test', subject: 'Welcome, Ada' }));
    bobMail = await queue(tally, { to: 'bob@example.test', subject: 'Welcome, Bob' });
    adaMail.push(await queue(tally, { to: 'Ada@Example.test', subject: 'Your order is ready' }));
    await tally.jobs.runDue();
  });

  const signedIn = (email: string, isAdmin = false) => signedInPerson(tally, { email, isAdmin });

  it('lists the files a message carries and serves each as a download, to whoever may read the message', async () => {
    const bytes = Buffer.from('code,items\r\nEGG,3\r\n');
    const id = await tally.database.db.transaction(
      async (tx) =>
        (await queueMail(tx, tally.clock, {
          to: 'ada@example.test',
          subject: 'Order sheet',
          text: 'Attached.',
          template: 'test',
          attachments: [{ name: 'order 7.csv', contentType: 'text/csv', bytes }],
        }))!,
    );
    const message = await read(await request(tally, 'GET', `/api/mail/messages/${id}`, { as: ada }));
    expect(message.attachments).toEqual([
      { name: 'order 7.csv', content_type: 'text/csv', size: bytes.length },
    ]);
    const download = await request(tally, 'GET', `/api/mail/messages/${id}/attachments/0`, { as: ada });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('attachment; filename="order 7.csv"');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await request(tally, 'GET', `/api/mail/messages/${id}/attachments/1`, { as: ada })).status).toBe(
      404,
    );
    expect((await request(tally, 'GET', `/api/mail/messages/${id}/attachments/0`, { as: bob })).status).toBe(
      404,
    );
    await tally.database.db.execute(sql`DELETE FROM core_mail_messages WHERE id = ${id}`);
  });

  it('says the Mailbox is on, to anyone', async () => {
    const response = await request(tally, 'GET', '/api/mail/status');
    expect(response.status).toBe(200);
    expect(await read(response)).toEqual({ mailbox_enabled: true, open_to_visitors: false });
  });

  it('delivers into the Mailbox: sent, by the mailbox transport, and nothing else', async () => {
    const rows = await queryRows<{ state: string; transport: string; attempts: number }>(
      tally.database.db,
      sql`SELECT state, transport, attempts FROM core_mail_messages`,
    );
    expect(rows).toHaveLength(3);
    expect(rows).toEqual(Array(3).fill({ state: 'sent', transport: 'mailbox', attempts: 1 }));
  });

  it('shows a person only the mail addressed to them, newest first', async () => {
    const page = await read(await request(tally, 'GET', '/api/mail/messages', { as: ada }));
    expect(page.items.map((m: { id: string }) => m.id)).toEqual([...adaMail].reverse());
    expect(page.items[0]).toMatchObject({
      to: 'ada@example.test',
      subject: 'Your order is ready',
      state: 'sent',
      transport: 'mailbox',
      created_at: tally.clock.now().toISOString(),
    });
    expect(page.next_cursor).toBeNull();
    const bobs = await read(await request(tally, 'GET', '/api/mail/messages', { as: bob }));
    expect(bobs.items.map((m: { id: string }) => m.id)).toEqual([bobMail]);

    const asking = await read(
      await request(tally, 'GET', '/api/mail/messages?to=bob@example.test', { as: ada }),
    );
    expect(asking.items).toEqual([]);
  });

  it("reads one's own message in full, and calls another person's not found", async () => {
    const own = await request(tally, 'GET', `/api/mail/messages/${adaMail[0]}`, { as: ada });
    expect(own.status).toBe(200);
    expect(await read(own)).toMatchObject({
      id: adaMail[0],
      subject: 'Welcome, Ada',
      text: 'About: Welcome, Ada',
    });

    const others = await request(tally, 'GET', `/api/mail/messages/${bobMail}`, { as: ada });
    expect(others.status).toBe(404);
    expect((await read(others)).error.code).toBe('not_found');
    const missing = await request(tally, 'GET', `/api/mail/messages/${newId()}`, { as: ada });
    expect(missing.status).toBe(404);
  });

  it('shows an administrator all mail, filtered by recipient and paged', async () => {
    const all = await read(await request(tally, 'GET', '/api/mail/messages', { as: admin }));
    expect(all.items.map((m: { id: string }) => m.id)).toEqual([adaMail[1], bobMail, adaMail[0]]);

    const first = await read(
      await request(tally, 'GET', '/api/mail/messages?to=ada@example.test&limit=1', { as: admin }),
    );
    expect(first.items.map((m: { id: string }) => m.id)).toEqual([adaMail[1]]);
    const second = await read(
      await request(
        tally,
        'GET',
        `/api/mail/messages?to=ada@example.test&limit=1&cursor=${first.next_cursor}`,
        {
          as: admin,
        },
      ),
    );
    expect(second.items.map((m: { id: string }) => m.id)).toEqual([adaMail[0]]);
    expect(second.next_cursor).toBeNull();

    expect((await request(tally, 'GET', `/api/mail/messages/${bobMail}`, { as: admin })).status).toBe(200);
  });

  it('refuses anyone not signed in', async () => {
    for (const path of ['/api/mail/messages', `/api/mail/messages/${adaMail[0]}`]) {
      const response = await request(tally, 'GET', path);
      expect(response.status).toBe(401);
      expect((await read(response)).error.code).toBe('unauthorized');
    }
  });

  it('opens to visitors who are not signed in on a developer’s machine, and says so', async () => {
    const local = await tallyWithMail(undefined, true);
    const id = await queue(local, { to: 'new@example.test', subject: 'Welcome' });
    expect(await read(await request(local, 'GET', '/api/mail/status'))).toEqual({
      mailbox_enabled: true,
      open_to_visitors: true,
    });
    const list = await read(await request(local, 'GET', '/api/mail/messages'));
    expect(list.items.map((m: { id: string }) => m.id)).toEqual([id]);
    expect((await request(local, 'GET', `/api/mail/messages/${id}`)).status).toBe(200);
  });

  it("refuses an API key, even an administrator's: mail carries sign-in links", async () => {
    const secret = newSecret(API_KEY_PREFIX);
    await tally.database.db.execute(sql`
      INSERT INTO core_api_keys (id, user_id, name, prefix, key_hash, scopes, created_at)
      VALUES (${newId()}, ${admin.userId}, 'ci', ${secret.slice(0, 16)}, ${hashSecret(secret)},
        ${sql.param(['profile:read'])}::text[], ${tally.clock.now()})`);
    const response = await request(tally, 'GET', '/api/mail/messages', {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(response.status).toBe(403);
    expect((await read(response)).error.code).toBe('forbidden');
  });

  it('refuses a malformed message id or page size in the one error shape', async () => {
    for (const path of ['/api/mail/messages/not-an-id', '/api/mail/messages?limit=0']) {
      const response = await request(tally, 'GET', path, { as: admin });
      expect(response.status).toBe(400);
      expect((await read(response)).error.code).toBe('validation_failed');
    }
  });
});

describe('the Mailbox, with SMTP configured', () => {
  let tally: TestTally;

  beforeAll(async () => {
    // Nothing is delivered in these tests: the URL only has to be configured.
    tally = await tallyWithMail('smtp://127.0.0.1:2525');
  });

  it('says the Mailbox is off, and keeps people to their own inbox while an administrator still reads the record', async () => {
    const person = await signedInPerson(tally, { email: 'carol@example.test' });
    const admin = await signedInPerson(tally, { isAdmin: true });
    const id = await queue(tally, { to: 'carol@example.test', subject: 'Reset your password' });

    expect(await read(await request(tally, 'GET', '/api/mail/status'))).toEqual({
      mailbox_enabled: false,
      open_to_visitors: false,
    });
    for (const path of ['/api/mail/messages', `/api/mail/messages/${id}`]) {
      const refused = await request(tally, 'GET', path, { as: person });
      expect(refused.status).toBe(403);
      expect((await read(refused)).error.code).toBe('forbidden');
    }
    const record = await read(await request(tally, 'GET', '/api/mail/messages', { as: admin }));
    expect(record.items).toEqual([expect.objectContaining({ id, state: 'queued', transport: null })]);
  });
});
