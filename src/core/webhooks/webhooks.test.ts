import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/support/database';
import { systemActor } from '../actor';
import { TestClock } from '../clock';
import { type Db, queryRows } from '../database';
import { AppError } from '../errors';
import { newId } from '../ids';
import { createKeyring, newInstallationSecret } from '../keyring';
import { silentLogger } from '../log';
import { getWebhookDelivery, listWebhookDeliveries, redeliverWebhook } from './deliveries';
import { deliverDueWebhooks, pruneWebhookEvents, type WebhookDeliveryDeps } from './jobs';
import { RETRY_JITTER, retryDelayMs, WEBHOOK_ATTEMPTS } from './retries';
import { webhookDeliveries, webhookEndpoints } from './schema';
import {
  createWebhookEndpoint,
  MAX_ENDPOINTS_PER_OWNER,
  queueTestWebhook,
  queueWebhookEvent,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookOwner,
  webhookEventId,
} from './service';
import { verifyWebhookSignature, webhookSignature } from './signature';

/** A request as the receiving server saw it. */
interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 that answers each request as `answer` says (200 by default). */
interface Receiver {
  url: string;
  received: Received[];
  answer: (request: Received, index: number) => { status: number; body?: string } | 'hang';
}

const receivers: (Receiver & { server: http.Server })[] = [];

async function startReceiver(): Promise<Receiver> {
  const receiver = {
    url: '',
    received: [] as Received[],
    answer: (() => ({ status: 200, body: 'ok' })) as Receiver['answer'],
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const got = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      receiver.received.push(got);
      const answer = receiver.answer(got, receiver.received.length - 1);
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'text/plain' });
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receivers.push({ ...receiver, server });
  return receiver;
}

afterAll(async () => {
  for (const { server } of receivers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

let db: Db;
const clock = new TestClock('2026-03-01T12:00:00Z');
let deps: WebhookDeliveryDeps;
let random = 0.5;

beforeAll(async () => {
  db = (await freshDatabase()).db;
  deps = {
    db,
    clock,
    keys: createKeyring(newInstallationSecret()),
    log: silentLogger,
    // Everything this file reaches is on 127.0.0.1.
    allowPrivateNetwork: true,
    timeoutMs: 2000,
    random: () => random,
  };
});

beforeEach(() => {
  random = 0.5;
});

// What a test left waiting would be swept by the next one's sweeps.
afterEach(async () => {
  await db.execute(
    sql`UPDATE core_webhook_deliveries SET state = 'failed', next_attempt_at = NULL WHERE state = 'pending'`,
  );
});

const newOwner = (): WebhookOwner => ({ kind: 'test.shop', id: newId() });

async function endpointFor(owner: WebhookOwner, receiver: Receiver, eventTypes = ['order.paid']) {
  return createWebhookEndpoint(deps, systemActor, owner, { url: receiver.url, eventTypes });
}

const queue = (
  owner: WebhookOwner,
  extra: { type?: string; id?: string; data?: Record<string, unknown> } = {},
) =>
  db.transaction((tx) =>
    queueWebhookEvent(tx, clock, {
      ownerKind: owner.kind,
      ownerId: owner.id,
      type: extra.type ?? 'order.paid',
      data: extra.data ?? { order: { id: 'o-1', total: '1250' } },
      id: extra.id,
    }),
  );

const deliveriesOf = (endpointId: string) =>
  db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

describe('an endpoint', () => {
  it('gets a secret shown once and kept sealed, and signed events it can verify with it', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    const { endpoint, secret } = await endpointFor(owner, receiver);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const [stored] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(stored!.secretSealed).not.toContain(secret.slice(6));
    expect(JSON.stringify(stored)).not.toContain(secret);

    const { eventId } = await queue(owner);
    expect(await deliverDueWebhooks(deps)).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(JSON.parse(got!.body)).toEqual({
      id: eventId,
      type: 'order.paid',
      created_at: '2026-03-01T12:00:00.000Z',
      data: { order: { id: 'o-1', total: '1250' } },
    });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['tally-webhook-id']).toBe(eventId);
    const timestamp = got!.headers['tally-webhook-timestamp'] as string;
    expect(timestamp).toBe(String(clock.now().getTime() / 1000));
    const signatureHeader = got!.headers['tally-webhook-signature'] as string;
    expect(signatureHeader).toBe(`v1=${webhookSignature(secret, Number(timestamp), got!.body)}`);
    const check = { body: got!.body, timestamp, signatureHeader, now: clock.now() };
    expect(verifyWebhookSignature({ ...check, secret })).toBe(true);
    expect(verifyWebhookSignature({ ...check, secret: `${secret}x` })).toBe(false);
    expect(verifyWebhookSignature({ ...check, secret, body: `${got!.body} ` })).toBe(false);
    // A replay ten minutes later is refused by the timestamp.
    expect(verifyWebhookSignature({ ...check, secret, now: new Date(clock.now().getTime() + 600_000) })).toBe(
      false,
    );

    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200, nextAttemptAt: null });
  });

  it('is refused a URL that is not https, carries credentials, or is on a private network', async () => {
    const strict = { ...deps, allowPrivateNetwork: false };
    const owner = newOwner();
    const refusal = async (url: string) => {
      const error = await createWebhookEndpoint(strict, systemActor, owner, {
        url,
        eventTypes: ['order.paid'],
      }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_failed');
      expect((error as AppError).details).toEqual({ field: 'url' });
      return (error as AppError).message;
    };
    expect(await refusal('http://93.184.215.14/hooks')).toContain('https://');
    expect(await refusal('https://user:pw@93.184.215.14/hooks')).toContain('user name or password');
    expect(await refusal('https://127.0.0.1/hooks')).toContain('private network');
    expect(await refusal('https://10.1.2.3/hooks')).toContain('private network');
    expect(await refusal('https://[::1]/hooks')).toContain('private network');
    expect(await refusal('not a url')).toContain('not a URL');
    const made = await createWebhookEndpoint(strict, systemActor, owner, {
      url: 'https://93.184.215.14/hooks#part',
      eventTypes: ['order.paid', 'order.paid'],
    });
    expect(made.endpoint).toMatchObject({ url: 'https://93.184.215.14/hooks', eventTypes: ['order.paid'] });
  });

  it('is not reached on a private address when the installation refuses them, whatever it resolves to at sending', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    const byAddress = await endpointFor(owner, receiver);
    const byName = await createWebhookEndpoint(deps, systemActor, owner, {
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      eventTypes: ['order.paid'],
    });
    await queue(owner);
    await deliverDueWebhooks({ ...deps, allowPrivateNetwork: false });
    expect(receiver.received).toHaveLength(0);
    for (const { endpoint } of [byAddress, byName]) {
      const [delivery] = await deliveriesOf(endpoint.id);
      expect(delivery).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null });
      expect(delivery!.lastError).toMatch(/Tally does not reach for others/);
    }
  });

  it('takes at most so many endpoints per owner', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    await Promise.all(Array.from({ length: MAX_ENDPOINTS_PER_OWNER }, () => endpointFor(owner, receiver)));
    const error = await endpointFor(owner, receiver).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('webhook_endpoint_limit');
  });
});

describe('a delivery', () => {
  it('that meets a 500 is retried after the first wait, and delivered by the 200 that follows', async () => {
    const receiver = await startReceiver();
    receiver.answer = (_, index) =>
      index === 0 ? { status: 500, body: 'database is down' } : { status: 204 };
    const owner = newOwner();
    const { endpoint } = await endpointFor(owner, receiver);
    await queue(owner);
    await deliverDueWebhooks(deps);
    let [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500 });
    expect(delivery!.nextAttemptAt).toEqual(new Date(clock.now().getTime() + 30_000));

    // Not yet due: nothing goes out.
    clock.advance(29_000);
    expect(await deliverDueWebhooks(deps)).toBe(0);
    clock.advance(1_000);
    expect(await deliverDueWebhooks(deps)).toBe(1);
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 204, lastError: null });
    expect(receiver.received.map((r) => r.headers['tally-webhook-id'])).toEqual([
      receiver.received[0]!.headers['tally-webhook-id'],
      receiver.received[0]!.headers['tally-webhook-id'],
    ]);

    const view = await getWebhookDelivery(db, owner, delivery!.id);
    expect(view.attemptLog.map((a) => [a.number, a.statusCode, a.responseExcerpt, a.error])).toEqual([
      [1, 500, 'database is down', 'the endpoint answered 500'],
      [2, 204, null, null],
    ]);
    expect(view.attemptLog.every((a) => a.durationMs >= 0)).toBe(true);
  });

  it('waits 30 s, 2 min, 10 min, 1 h, 6 h, 12 h and 24 h between attempts, each moved by up to a tenth', () => {
    const minutes = Array.from(
      { length: WEBHOOK_ATTEMPTS - 1 },
      (_, i) => retryDelayMs(i + 1, () => 0.5) / 60_000,
    );
    expect(minutes).toEqual([0.5, 2, 10, 60, 360, 720, 1440]);
    expect(WEBHOOK_ATTEMPTS).toBe(8);
    expect(retryDelayMs(1, () => 0)).toBe(30_000 * (1 - RETRY_JITTER));
    expect(retryDelayMs(1, () => 0.999_999)).toBeCloseTo(30_000 * (1 + RETRY_JITTER), -1);
    expect(retryDelayMs(20, () => 0.5)).toBe(24 * 3600_000);
  });

  it('gives up after the last attempt, keeps every attempt in its log, and is redelivered by hand once', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => ({ status: 503, body: 'x'.repeat(5000) });
    const owner = newOwner();
    const { endpoint } = await endpointFor(owner, receiver);
    await queue(owner);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
      random = attempt % 2 === 0 ? 0 : 0.999;
      expect(await deliverDueWebhooks(deps), `attempt ${attempt}`).toBe(1);
      const [delivery] = await deliveriesOf(endpoint.id);
      if (delivery!.nextAttemptAt) {
        waits.push(delivery!.nextAttemptAt.getTime() - clock.now().getTime());
        clock.set(delivery!.nextAttemptAt);
      }
    }
    expect(waits).toHaveLength(WEBHOOK_ATTEMPTS - 1);
    waits.forEach((wait, i) => {
      const base = retryDelayMs(i + 1, () => 0.5);
      expect(wait).toBeGreaterThanOrEqual(base * (1 - RETRY_JITTER));
      expect(wait).toBeLessThanOrEqual(base * (1 + RETRY_JITTER));
    });
    let [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 8, nextAttemptAt: null, lastStatus: 503 });
    clock.advance(7 * 86_400_000);
    expect(await deliverDueWebhooks(deps)).toBe(0);
    expect(receiver.received).toHaveLength(8);
    const view = await getWebhookDelivery(db, owner, delivery!.id);
    expect(view.attemptLog.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(view.attemptLog[0]!.responseExcerpt).toHaveLength(1024);

    // By hand: one attempt, not a new round of retries.
    await redeliverWebhook(deps, systemActor, owner, delivery!.id);
    const pending = await redeliverWebhook(deps, systemActor, owner, delivery!.id).catch((e: unknown) => e);
    expect((pending as AppError).code).toBe('webhook_delivery_pending');
    expect(await deliverDueWebhooks(deps)).toBe(1);
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 9, finalAttempt: 9 });

    receiver.answer = () => ({ status: 200 });
    await redeliverWebhook(deps, systemActor, owner, delivery!.id);
    expect(await deliverDueWebhooks(deps)).toBe(1);
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 10 });
    expect(receiver.received).toHaveLength(10);
    const other = await redeliverWebhook(deps, systemActor, newOwner(), delivery!.id).catch(
      (e: unknown) => e,
    );
    expect((other as AppError).code).toBe('not_found');
  });

  it('that gets no answer in time fails that attempt with the reason', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => 'hang';
    const owner = newOwner();
    const { endpoint } = await endpointFor(owner, receiver);
    await queue(owner);
    await deliverDueWebhooks({ ...deps, timeoutMs: 150 });
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null });
    expect(delivery!.lastError).toBe('no answer within 0.15 s');
  });

  it('is sent once by two workers sweeping at once', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    await endpointFor(owner, receiver);
    for (let i = 0; i < 20; i++) await queue(owner, { data: { n: i } });
    const [a, b] = await Promise.all([deliverDueWebhooks(deps), deliverDueWebhooks(deps)]);
    expect(a! + b!).toBe(20);
    const ids = receiver.received.map((r) => r.headers['tally-webhook-id']);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });
});

describe('queueing an event', () => {
  it('reaches only enabled endpoints that want its type, and fails what waited for an endpoint disabled', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    const wants = await endpointFor(owner, receiver);
    const other = await endpointFor(owner, receiver, ['order.refunded']);
    const disabled = await endpointFor(owner, receiver);
    await updateWebhookEndpoint(deps, systemActor, owner, disabled.endpoint.id, { enabled: false });
    const elsewhere = await endpointFor(newOwner(), receiver);
    expect(await queue(owner)).toMatchObject({ deliveries: 1 });
    expect(await deliveriesOf(other.endpoint.id)).toEqual([]);
    expect(await deliveriesOf(disabled.endpoint.id)).toEqual([]);
    expect(await deliveriesOf(elsewhere.endpoint.id)).toEqual([]);

    await updateWebhookEndpoint(deps, systemActor, owner, wants.endpoint.id, { enabled: false });
    expect(await deliverDueWebhooks(deps)).toBe(0);
    expect(receiver.received).toEqual([]);
    const [failed] = await deliveriesOf(wants.endpoint.id);
    expect(failed).toMatchObject({ state: 'failed', lastError: 'the endpoint was disabled', attempts: 0 });
    const refused = await redeliverWebhook(deps, systemActor, owner, failed!.id).catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('webhook_endpoint_disabled');
  });

  it('inside a transaction that rolls back sends nothing', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    const { endpoint } = await endpointFor(owner, receiver);
    const rolledBack = await db
      .transaction(async (tx) => {
        await queueWebhookEvent(tx, clock, {
          ownerKind: owner.kind,
          ownerId: owner.id,
          type: 'order.paid',
          data: {},
        });
        throw new Error('the order was not saved');
      })
      .catch((e: unknown) => e);
    expect((rolledBack as Error).message).toBe('the order was not saved');
    expect(await deliverDueWebhooks(deps)).toBe(0);
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it('twice under one id is one event, delivered once to each endpoint', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    const first = await endpointFor(owner, receiver);
    const id = webhookEventId('test.shop', owner.id, 'order.paid', 'o-1');
    expect(webhookEventId('test.shop', owner.id, 'order.paid', 'o-1')).toBe(id);
    expect(await queue(owner, { id })).toEqual({ eventId: id, deliveries: 1 });
    expect(await queue(owner, { id })).toEqual({ eventId: id, deliveries: 0 });
    // An endpoint added since gets it once too; the first does not get it again.
    const second = await endpointFor(owner, receiver);
    expect(await queue(owner, { id })).toEqual({ eventId: id, deliveries: 1 });
    await deliverDueWebhooks(deps);
    expect(receiver.received.map((r) => r.headers['tally-webhook-id'])).toEqual([id, id]);
    expect(await deliveriesOf(first.endpoint.id)).toHaveLength(1);
    expect(await deliveriesOf(second.endpoint.id)).toHaveLength(1);
    const otherOwner = newOwner();
    await endpointFor(otherOwner, receiver);
    const conflict = await queue(otherOwner, { id }).catch((e: unknown) => e);
    expect((conflict as AppError).code).toBe('conflict');
  });

  it('keeps nothing when no endpoint wants it', async () => {
    const owner = newOwner();
    const { eventId } = await queue(owner);
    const [kept] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM core_webhook_events WHERE id = ${eventId}`,
    );
    expect(kept!.n).toBe(0);
  });
});

describe('a rotated secret', () => {
  it('signs beside the new one for the time asked, then stops', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    const { endpoint, secret: old } = await endpointFor(owner, receiver);
    const { secret, endpoint: rotated } = await rotateWebhookSecret(deps, systemActor, owner, endpoint.id, {
      keepPreviousForMs: 3600_000,
    });
    expect(secret).not.toBe(old);
    expect(rotated.previousSecretExpiresAt).toEqual(new Date(clock.now().getTime() + 3600_000));
    await queue(owner);
    await deliverDueWebhooks(deps);
    const check = (r: Received, key: string) =>
      verifyWebhookSignature({
        secret: key,
        body: r.body,
        timestamp: r.headers['tally-webhook-timestamp'] as string,
        signatureHeader: r.headers['tally-webhook-signature'] as string,
        now: clock.now(),
      });
    const [during] = receiver.received;
    expect((during!.headers['tally-webhook-signature'] as string).split(', ')).toHaveLength(2);
    expect([check(during!, secret), check(during!, old)]).toEqual([true, true]);

    clock.advance(3600_000);
    await queue(owner);
    await deliverDueWebhooks(deps);
    const after = receiver.received[1]!;
    expect([check(after, secret), check(after, old)]).toEqual([true, false]);

    const { secret: third } = await rotateWebhookSecret(deps, systemActor, owner, endpoint.id, {
      keepPreviousForMs: 0,
    });
    await queue(owner);
    await deliverDueWebhooks(deps);
    const atOnce = receiver.received[2]!;
    expect([check(atOnce, third), check(atOnce, secret)]).toEqual([true, false]);
  });
});

describe('the delivery log', () => {
  it('sends a test event to one endpoint, whatever it wants, and lists deliveries newest first', async () => {
    const receiver = await startReceiver();
    const owner = newOwner();
    const a = await endpointFor(owner, receiver);
    const b = await endpointFor(owner, receiver, ['order.refunded']);
    const testId = await queueTestWebhook(deps, owner, b.endpoint.id);
    expect(await deliverDueWebhooks(deps)).toBe(1);
    expect(JSON.parse(receiver.received[0]!.body).type).toBe('webhook.test');
    clock.advance(1000);
    await queue(owner);
    await deliverDueWebhooks(deps);

    const all = await listWebhookDeliveries(db, owner, { limit: 1 });
    expect(all.items.map((d) => [d.event.type, d.endpoint.id, d.state])).toEqual([
      ['order.paid', a.endpoint.id, 'delivered'],
    ]);
    const rest = await listWebhookDeliveries(db, owner, { cursor: all.nextCursor!, limit: 5 });
    expect(rest.items.map((d) => d.event.type)).toEqual(['webhook.test']);
    expect(rest.nextCursor).toBeNull();
    const ofB = await listWebhookDeliveries(db, owner, { endpointId: b.endpoint.id });
    expect(ofB.items.map((d) => d.id)).toEqual([testId]);
    expect((await listWebhookDeliveries(db, newOwner(), {})).items).toEqual([]);

    await updateWebhookEndpoint(deps, systemActor, owner, b.endpoint.id, { enabled: false });
    const refused = await queueTestWebhook(deps, owner, b.endpoint.id).catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('webhook_endpoint_disabled');
  });

  it('forgets events a month old once nothing of theirs is pending', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => ({ status: 500 });
    const owner = newOwner();
    const { endpoint } = await endpointFor(owner, receiver);
    await queue(owner);
    await deliverDueWebhooks(deps);
    clock.advance(31 * 86_400_000);
    await pruneWebhookEvents(deps);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
    await updateWebhookEndpoint(deps, systemActor, owner, endpoint.id, { enabled: false });
    expect(await pruneWebhookEvents(deps)).toBeGreaterThanOrEqual(1);
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
  });

  it('never writes a secret in the logs', async () => {
    const lines: string[] = [];
    // A logger without the production redaction: what the code hands it is what is checked.
    const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const receiver = await startReceiver();
    receiver.answer = (_, index) => (index === 0 ? { status: 500 } : { status: 200 });
    const owner = newOwner();
    const { secret } = await endpointFor(owner, receiver);
    await queue(owner);
    await deliverDueWebhooks({ ...deps, log });
    clock.advance(60_000);
    await deliverDueWebhooks({ ...deps, log });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const text = lines.join('\n');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(receiver.received[0]!.headers['tally-webhook-signature']);
  });
});
