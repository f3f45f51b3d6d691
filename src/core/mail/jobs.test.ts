import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestTally, testTally } from '../../../test/support/app';
import { type Db, queryRows } from '../database';
import { backoffMs, enqueueJob } from '../jobs';
import { silentLogger } from '../log';
import { registerMailJobs, requeueStrandedMail } from './jobs';
import {
  DELIVER_MAIL_JOB,
  fromMailbox,
  MAIL_ATTACHMENTS_MAX_BYTES,
  type MailInput,
  queueMail,
} from './outbox';

/** A mail as the SMTP server received it. */
interface ReceivedMail {
  envelopeTo: string[];
  headers: Map<string, string>;
  text: string;
}

interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on a free local port. `refuse` answers RCPT TO with an SMTP error for an address,
 * given how many times that address was offered before.
 */
async function startSmtpServer(
  refuse?: (address: string, offered: number) => { code: number; message: string } | null,
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const offers = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const offered = offers.get(address.address) ?? 0;
      offers.set(address.address, offered + 1);
      const refusal = refuse?.(address.address, offered);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelopeTo = session.envelope.rcptTo.map((recipient) => recipient.address);
        received.push({ envelopeTo, ...parseMessage(Buffer.concat(chunks).toString('utf8')) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

/** Headers (unfolded, names lower-cased) and the body of a plain-text message. */
function parseMessage(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, text: raw.slice(split + 4).replace(/\r\n$/, '') };
}

let tally: TestTally;
let db: Db;
const servers: TestSmtpServer[] = [];

beforeAll(async () => {
  tally = await testTally();
  db = tally.database.db;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function smtpServer(refuse?: Parameters<typeof startSmtpServer>[0]): Promise<TestSmtpServer> {
  const server = await startSmtpServer(refuse);
  servers.push(server);
  return server;
}

function deliverThrough(smtpUrl: string | undefined, maxAttempts?: number): void {
  registerMailJobs(tally.jobs, {
    clock: tally.clock,
    log: silentLogger,
    smtpUrl,
    mailFrom: 'Tally <no-reply@tally.test>',
    maxAttempts,
  });
}

const queue = (mail: MailInput) => db.transaction((tx) => queueMail(tx, tally.clock, mail));

const mail = (to: string, extra: Partial<MailInput> = {}): MailInput => ({
  to,
  subject: 'Your order is ready',
  text: 'Pick it up on Friday between 5 and 7.',
  template: 'test',
  ...extra,
});

interface MessageRow {
  state: string;
  transport: string | null;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}

async function message(id: string | null): Promise<MessageRow> {
  const [row] = await queryRows<MessageRow>(
    db,
    sql`SELECT state, transport, attempts, last_error, sent_at FROM core_mail_messages WHERE id = ${id}`,
  );
  if (!row) throw new Error(`no message ${id}`);
  return { ...row, sent_at: row.sent_at === null ? null : new Date(row.sent_at) };
}

const messagesTo = async (address: string) =>
  (
    await queryRows<{ count: number }>(
      db,
      sql`SELECT count(*)::int AS count FROM core_mail_messages WHERE to_address = ${address}`,
    )
  )[0]?.count;

const liveDeliveryJobs = async (messageId: string | null) =>
  (
    await queryRows<{ count: number }>(
      db,
      sql`SELECT count(*)::int AS count FROM core_jobs
          WHERE name = ${DELIVER_MAIL_JOB} AND payload->>'messageId' = ${messageId} AND state IN ('queued', 'running')`,
    )
  )[0]?.count;

describe('mail delivery over SMTP', () => {
  it('sends a queued mail with its To, Subject, text and a Message-ID made from its id', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    const id = await queue(mail('Ada@Example.test'));

    expect(await tally.jobs.runDue()).toBe(1);

    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received?.envelopeTo).toEqual(['ada@example.test']);
    expect(received?.headers.get('to')).toBe('ada@example.test');
    expect(received?.headers.get('from')).toBe('Tally <no-reply@tally.test>');
    expect(received?.headers.get('subject')).toBe('Your order is ready');
    expect(received?.headers.get('message-id')).toBe(`<${id}@tally>`);
    expect(received?.text).toBe('Pick it up on Friday between 5 and 7.');
    expect(await message(id)).toEqual({
      state: 'sent',
      transport: 'smtp',
      attempts: 1,
      last_error: null,
      sent_at: tally.clock.now(),
    });

    expect(await tally.jobs.runDue()).toBe(0);
    expect(server.received).toHaveLength(1);
  });

  it('sends a mail queued in someone else’s name from its own From, and the rest from MAIL_FROM', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    await queue(
      mail('brand-customer@example.test', {
        from: fromMailbox('Acme\r\nBcc: victim@example.test "Shop"', 'no-reply@acme.example'),
      }),
    );
    await queue(mail('plain@example.test'));
    expect(await tally.jobs.runDue()).toBe(2);
    const fromOf = (to: string) =>
      server.received.find((received) => received.envelopeTo.includes(to))?.headers.get('from');
    expect(fromOf('brand-customer@example.test')).toBe(
      '"Acme Bcc: victim@example.test \\"Shop\\"" <no-reply@acme.example>',
    );
    expect(server.received.flatMap((received) => received.envelopeTo)).not.toContain('victim@example.test');
    expect(fromOf('plain@example.test')).toBe('Tally <no-reply@tally.test>');
  });

  it('sends the files a mail carries as attachments, and refuses to queue more than a mail may carry', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    const sheet = Buffer.from('%PDF-1.4\norder sheet\n', 'latin1');
    await queue(
      mail('liaison@example.test', {
        attachments: [
          { name: 'order-7.pdf', contentType: 'application/pdf', bytes: sheet },
          { name: 'order-7.csv', contentType: 'text/csv', bytes: Buffer.from('code,items\r\nEGG,3\r\n') },
        ],
      }),
    );
    expect(await tally.jobs.runDue()).toBe(1);
    const [received] = server.received;
    expect(received?.headers.get('content-type')).toMatch(/^multipart\/mixed/);
    const body = received?.text.replace(/\r\n/g, '\n') ?? '';
    expect(body).toContain('Pick it up on Friday between 5 and 7.');
    expect(body).toMatch(
      /Content-Type: application\/pdf; name=order-7\.pdf\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=order-7\.pdf/,
    );
    expect(body).toContain(sheet.toString('base64'));
    expect(body).toContain('Content-Disposition: attachment; filename=order-7.csv');

    const tooLarge = queue(
      mail('liaison@example.test', {
        attachments: [
          {
            name: 'big.pdf',
            contentType: 'application/pdf',
            bytes: Buffer.alloc(MAIL_ATTACHMENTS_MAX_BYTES + 1),
          },
        ],
      }),
    );
    await expect(tooLarge).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(await messagesTo('liaison@example.test')).toBe(1);
  });

  it('gives a message whose delivery job ended undelivered a new job, so it is not lost', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    const id = await queue(mail('stranded@example.test'));
    // The runner gave up on the job for reasons of its own (the database was away for every try).
    await db.execute(sql`UPDATE core_jobs SET state = 'failed' WHERE payload->>'messageId' = ${id}`);
    expect(await requeueStrandedMail(tally.jobs, tally.clock)).toBe(0);
    tally.clock.advance(10 * 60 * 1000);
    expect(await requeueStrandedMail(tally.jobs, tally.clock)).toBe(1);
    expect(await requeueStrandedMail(tally.jobs, tally.clock)).toBe(0);
    await tally.jobs.runDue();
    expect(server.received.map((r) => r.envelopeTo)).toEqual([['stranded@example.test']]);
    expect((await message(id)).state).toBe('sent');
  });

  it('queues nothing when the change that causes the mail rolls back', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    await expect(
      db.transaction(async (tx) => {
        await queueMail(tx, tally.clock, mail('rolled-back@example.test'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    expect(await messagesTo('rolled-back@example.test')).toBe(0);
    expect(await tally.jobs.runDue()).toBe(0);
    expect(server.received).toHaveLength(0);
  });

  it('queues a mail once per dedupe key, however often it is asked for', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    const first = await queue(mail('once@example.test', { dedupeKey: 'welcome:once' }));
    const again = await queue(
      mail('once@example.test', { dedupeKey: 'welcome:once', subject: 'Welcome again' }),
    );

    expect(first).not.toBeNull();
    expect(again).toBeNull();
    expect(await messagesTo('once@example.test')).toBe(1);
    await tally.jobs.runDue();
    expect(server.received.map((m) => m.headers.get('subject'))).toEqual(['Your order is ready']);
  });

  it('retries with backoff while the server is down, then fails the message with the last error', async () => {
    const server = await startSmtpServer();
    await server.close();
    deliverThrough(server.url, 3);
    const id = await queue(mail('unlucky@example.test'));

    expect(await tally.jobs.runDue()).toBe(1);
    expect(await message(id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      last_error: expect.stringMatching(/ECONNREFUSED/),
    });

    // Not due again until the backoff has passed.
    tally.clock.advance(backoffMs(1) - 1);
    expect(await tally.jobs.runDue()).toBe(0);
    tally.clock.advance(1);
    expect(await tally.jobs.runDue()).toBe(1);
    expect(await message(id)).toMatchObject({ state: 'queued', attempts: 2 });

    tally.clock.advance(backoffMs(2) - 1);
    expect(await tally.jobs.runDue()).toBe(0);
    tally.clock.advance(1);
    expect(await tally.jobs.runDue()).toBe(1);
    expect(await message(id)).toEqual({
      state: 'failed',
      transport: null,
      attempts: 3,
      last_error: expect.stringMatching(/ECONNREFUSED/),
      sent_at: null,
    });

    expect(await liveDeliveryJobs(id)).toBe(0);
    tally.clock.advance(24 * 3600 * 1000);
    expect(await tally.jobs.runDue()).toBe(0);
  });

  it('retries a temporary refusal and delivers once the server accepts', async () => {
    const server = await smtpServer((_address, offered) =>
      offered === 0 ? { code: 451, message: 'try again later' } : null,
    );
    deliverThrough(server.url, 3);
    const id = await queue(mail('greylisted@example.test'));

    await tally.jobs.runDue();
    expect(await message(id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      last_error: expect.stringMatching(/451/),
    });
    tally.clock.advance(backoffMs(1));
    await tally.jobs.runDue();

    expect(await message(id)).toMatchObject({
      state: 'sent',
      transport: 'smtp',
      attempts: 2,
      last_error: null,
    });
    expect(server.received).toHaveLength(1);
  });

  it('fails a permanently refused address at once, without retrying', async () => {
    const server = await smtpServer(() => ({ code: 550, message: 'no such mailbox' }));
    deliverThrough(server.url, 5);
    const id = await queue(mail('nobody@example.test'));

    await tally.jobs.runDue();

    expect(await message(id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: expect.stringMatching(/550/),
    });
    expect(await liveDeliveryJobs(id)).toBe(0);
    expect(server.received).toHaveLength(0);
  });

  it('never sends a message twice when two workers run its jobs at once', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await queue(mail(`crowd-${i}@example.test`));
      if (!id) throw new Error('not queued');
      ids.push(id);
      // A second job for the same message, as a lease that ran out or a duplicate enqueue would leave.
      await enqueueJob(
        db,
        tally.clock,
        DELIVER_MAIL_JOB,
        { messageId: id },
        { uniqueKey: `duplicate:${id}` },
      );
    }

    // Each worker takes one job at a time, so the two jobs of one message run side by side.
    const worker = async () => {
      let ran = 0;
      while ((await tally.jobs.runDue(1)) > 0) ran++;
      return ran;
    };
    const ran = await Promise.all([worker(), worker()]);

    expect(ran[0] + ran[1]).toBe(12);
    const receptions = server.received.map((m) => m.headers.get('message-id'));
    expect(receptions.sort()).toEqual(ids.map((id) => `<${id}@tally>`).sort());
    for (const id of ids) expect(await message(id)).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('resends with the same Message-ID when a worker died between the server accepting and our commit', async () => {
    const server = await smtpServer();
    deliverThrough(server.url);
    const id = await queue(mail('crash@example.test'));
    await tally.jobs.runDue();
    // What the database holds when the worker dies after the server's 250 and before COMMIT.
    await db.execute(sql`
      UPDATE core_mail_messages SET state = 'queued', transport = NULL, sent_at = NULL, attempts = 0 WHERE id = ${id}`);
    await db.execute(sql`
      UPDATE core_jobs SET state = 'running', finished_at = NULL,
        locked_until = ${new Date(tally.clock.now().getTime() + 5 * 60 * 1000)}
      WHERE unique_key = ${`${DELIVER_MAIL_JOB}:${id}`}`);

    tally.clock.advance(5 * 60 * 1000 + 1);
    expect(await tally.jobs.runDue()).toBe(1);

    expect(server.received.map((m) => m.headers.get('message-id'))).toEqual([
      `<${id}@tally>`,
      `<${id}@tally>`,
    ]);
    expect(await message(id)).toMatchObject({ state: 'sent', attempts: 1 });
  });
});
