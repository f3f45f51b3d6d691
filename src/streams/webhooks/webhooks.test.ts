import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { silentLogger } from '../../core/log';
import { deliverDueWebhooks } from '../../core/webhooks/jobs';
import { webhookEndpoints } from '../../core/webhooks/schema';
import { verifyWebhookSignature } from '../../core/webhooks/signature';
import { subscriptions } from '../schema';
import { tellProducer } from './events';

let tally: TestTally;
let server: http.Server;
let receiverUrl: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  // As a public installation: producers' endpoints must be https on public addresses.
  tally = await testTally({ start: '2026-06-10T12:00:00Z', allowPrivateNetwork: false });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tally`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A public address: what the API takes for someone else's endpoint. Nothing connects to it here. */
const PUBLIC_URL = 'https://93.184.215.14/tally-hooks';
const wallet = () => `0x${randomBytes(20).toString('hex')}`;

async function call(as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  return { status: response.status, body: response.status === 204 ? null : await read(response) };
}

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const answer = await call(as, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body as Body;
}

async function refused(
  code: string,
  status: number,
  as: TestPerson,
  method: string,
  path: string,
  body?: unknown,
) {
  const answer = await call(as, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.code).toBe(code);
  return answer.body.error as Body;
}

async function producer() {
  const person = await signedInPerson(tally);
  const made = await ok(201, person, 'POST', '/api/streams/producer', {
    name: 'Weather Co',
    payout_address: wallet(),
  });
  return { person, producer: made };
}

/**
 * Points an endpoint at this file's receiver on 127.0.0.1, which the API refuses for producers'
 * endpoints (it is this machine's own network), as an operator's database change would.
 */
const pointAtReceiver = (endpointId: string) =>
  tally.database.db
    .update(webhookEndpoints)
    .set({ url: receiverUrl })
    .where(eq(webhookEndpoints.id, endpointId));

/** The delivery sweep, as the job worker runs it, allowed to reach this file's receiver. */
const sweep = () =>
  deliverDueWebhooks({
    db: tally.database.db,
    clock: tally.clock,
    keys: tally.context.keys,
    log: silentLogger,
    allowPrivateNetwork: true,
  });

/** A subscription of one of the producer's plans, as the follower writes it when the flow starts. */
async function subscriptionOf(person: TestPerson) {
  const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
    kind: 'stream',
    name: 'Forecasts',
    token: 'DAIx',
    price: '2592000000000000000',
    period: 'month',
  });
  const consumer = await signedInPerson(tally);
  const subscriber = wallet();
  const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
    subscriber_address: subscriber,
  });
  const now = tally.clock.now();
  const id = newId();
  await tally.database.db.insert(subscriptions).values({
    id,
    planId: plan.id,
    checkoutId: checkout.id,
    userId: consumer.userId,
    subscriberAddress: subscriber,
    receiverAddress: checkout.receiver_address,
    token: 'DAIx',
    flowRate: 1_000_000_000_000n,
    state: 'active',
    startedAt: now,
    startEventId: `start-${id}`,
    createdAt: now,
    updatedAt: now,
  });
  return { id, plan, subscriber };
}

describe('a producer’s webhook endpoints', () => {
  it('are for producers only', async () => {
    const person = await signedInPerson(tally);
    await refused('producer_required', 409, person, 'GET', '/api/streams/producer/webhooks');
    await refused('producer_required', 409, person, 'POST', '/api/streams/producer/webhooks', {
      url: PUBLIC_URL,
      events: ['subscription.created'],
    });
    await refused('producer_required', 409, person, 'GET', '/api/streams/producer/webhooks/deliveries');
  });

  it('are added with a secret shown once, listed without it, changed, rotated and removed', async () => {
    const { person } = await producer();
    const badUrl = await refused('validation_failed', 400, person, 'POST', '/api/streams/producer/webhooks', {
      url: 'http://93.184.215.14/hooks',
      events: ['subscription.created'],
    });
    expect(badUrl.details).toEqual({ field: 'url' });
    await refused('validation_failed', 400, person, 'POST', '/api/streams/producer/webhooks', {
      url: 'https://127.0.0.1/hooks',
      events: ['subscription.created'],
    });
    await refused('validation_failed', 400, person, 'POST', '/api/streams/producer/webhooks', {
      url: PUBLIC_URL,
      events: ['subscription.deleted'],
    });
    await refused('validation_failed', 400, person, 'POST', '/api/streams/producer/webhooks', {
      url: PUBLIC_URL,
      events: [],
    });

    const made = await ok(201, person, 'POST', '/api/streams/producer/webhooks', {
      url: PUBLIC_URL,
      events: ['subscription.closed', 'subscription.created'],
    });
    expect(made.secret).toMatch(/^whsec_/);
    expect(made.endpoint).toMatchObject({
      url: PUBLIC_URL,
      events: ['subscription.closed', 'subscription.created'],
      enabled: true,
      previous_secret_expires_at: null,
    });
    const listed = await ok(200, person, 'GET', '/api/streams/producer/webhooks');
    expect(listed).toEqual({ items: [made.endpoint] });
    expect(JSON.stringify(listed)).not.toContain(made.secret);

    const id = made.endpoint.id;
    const changed = await ok(200, person, 'PATCH', `/api/streams/producer/webhooks/${id}`, {
      events: ['subscription.at_risk'],
      enabled: false,
    });
    expect(changed).toMatchObject({ events: ['subscription.at_risk'], enabled: false });
    await refused(
      'webhook_endpoint_disabled',
      409,
      person,
      'POST',
      `/api/streams/producer/webhooks/${id}/test`,
    );

    const rotated = await ok(200, person, 'POST', `/api/streams/producer/webhooks/${id}/rotate-secret`, {});
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(made.secret);
    expect(rotated.endpoint.previous_secret_expires_at).toBe('2026-06-11T12:00:00.000Z');
    const atOnce = await ok(200, person, 'POST', `/api/streams/producer/webhooks/${id}/rotate-secret`, {
      keep_previous_hours: 0,
    });
    expect(atOnce.endpoint.previous_secret_expires_at).toBeNull();

    // Another producer sees none of it.
    const { person: other } = await producer();
    expect(await ok(200, other, 'GET', '/api/streams/producer/webhooks')).toEqual({ items: [] });
    await refused('not_found', 404, other, 'PATCH', `/api/streams/producer/webhooks/${id}`, {
      enabled: true,
    });
    await refused('not_found', 404, other, 'DELETE', `/api/streams/producer/webhooks/${id}`);
    await refused('not_found', 404, other, 'POST', `/api/streams/producer/webhooks/${id}/rotate-secret`, {});

    await ok(204, person, 'DELETE', `/api/streams/producer/webhooks/${id}`);
    expect(await ok(200, person, 'GET', '/api/streams/producer/webhooks')).toEqual({ items: [] });
    const audit = await queryRows<{ action: string }>(
      tally.database.db,
      sql`SELECT action FROM core_audit_log WHERE object_id = ${id} ORDER BY at, id`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      'webhooks.endpoint_created',
      'webhooks.endpoint_updated',
      'webhooks.secret_rotated',
      'webhooks.secret_rotated',
      'webhooks.endpoint_deleted',
    ]);
  });

  it('get a signed test event, listed with its attempts, and redelivered by hand', async () => {
    const { person } = await producer();
    const made = await ok(201, person, 'POST', '/api/streams/producer/webhooks', {
      url: PUBLIC_URL,
      events: ['subscription.created'],
    });
    const id = made.endpoint.id;
    await pointAtReceiver(id);
    const queued = await ok(202, person, 'POST', `/api/streams/producer/webhooks/${id}/test`);
    expect(queued).toMatchObject({
      state: 'pending',
      event: { type: 'webhook.test' },
      endpoint: { id, url: receiverUrl },
      attempt_count: 0,
      max_attempts: 8,
      attempts: [],
    });
    await refused(
      'webhook_delivery_pending',
      409,
      person,
      'POST',
      `/api/streams/producer/webhooks/deliveries/${queued.id}/redeliver`,
    );
    const before = received.length;
    expect(await sweep()).toBe(1);
    const got = received[before]!;
    expect(JSON.parse(got.body)).toMatchObject({ id: queued.event.id, type: 'webhook.test' });
    expect(
      verifyWebhookSignature({
        secret: made.secret,
        body: got.body,
        timestamp: got.headers['tally-webhook-timestamp'] as string,
        signatureHeader: got.headers['tally-webhook-signature'] as string,
        now: tally.clock.now(),
      }),
    ).toBe(true);

    const log = await ok(200, person, 'GET', '/api/streams/producer/webhooks/deliveries');
    expect(log.next_cursor).toBeNull();
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({
      id: queued.id,
      state: 'delivered',
      attempt_count: 1,
      last_status: 200,
      next_attempt_at: null,
      delivered_at: '2026-06-10T12:00:00.000Z',
      attempts: [{ number: 1, status_code: 200, response_excerpt: 'thanks', error: null }],
    });

    const again = await ok(
      202,
      person,
      'POST',
      `/api/streams/producer/webhooks/deliveries/${queued.id}/redeliver`,
    );
    expect(again).toMatchObject({ state: 'pending', max_attempts: 2 });
    await sweep();
    expect(received.slice(before).map((r) => r.headers['tally-webhook-id'])).toEqual([
      queued.event.id,
      queued.event.id,
    ]);
    const { person: other } = await producer();
    await refused(
      'not_found',
      404,
      other,
      'POST',
      `/api/streams/producer/webhooks/deliveries/${queued.id}/redeliver`,
    );
    expect((await ok(200, other, 'GET', '/api/streams/producer/webhooks/deliveries')).items).toEqual([]);
    const ofEndpoint = await ok(
      200,
      person,
      'GET',
      `/api/streams/producer/webhooks/deliveries?endpoint_id=${id}&limit=5`,
    );
    expect(ofEndpoint.items.map((d: Body) => d.id)).toEqual([queued.id]);
  });
});

describe('telling a producer', () => {
  it('sends the subscription as the API shows it to the endpoints that want the event, once per change', async () => {
    const { person, producer: made } = await producer();
    const wants = await ok(201, person, 'POST', '/api/streams/producer/webhooks', {
      url: PUBLIC_URL,
      events: ['subscription.created', 'subscription.plan_changed'],
    });
    const other = await ok(201, person, 'POST', '/api/streams/producer/webhooks', {
      url: PUBLIC_URL,
      events: ['subscription.closed'],
    });
    await pointAtReceiver(wants.endpoint.id);
    await pointAtReceiver(other.endpoint.id);
    const subscription = await subscriptionOf(person);
    const db = tally.database.db;
    const tell = () =>
      db.transaction((tx) =>
        tellProducer(tx, tally.clock, { type: 'subscription.created', subscriptionId: subscription.id }),
      );
    await tell();
    await tell();
    const rolledBack = await db
      .transaction(async (tx) => {
        await tellProducer(tx, tally.clock, {
          type: 'subscription.created',
          subscriptionId: subscription.id,
          causeId: 'another',
        });
        throw new Error('the flow update failed');
      })
      .catch((e: unknown) => e);
    expect((rolledBack as Error).message).toBe('the flow update failed');
    await db.transaction((tx) =>
      tellProducer(tx, tally.clock, {
        type: 'subscription.plan_changed',
        subscriptionId: subscription.id,
        causeId: 'change-1',
        previousAttributes: { plan: { id: newId(), name: 'Forecasts lite' } },
      }),
    );

    const before = received.length;
    expect(await sweep()).toBe(2);
    const bodies = received.slice(before).map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.type).sort()).toEqual(['subscription.created', 'subscription.plan_changed']);
    const created = bodies.find((b) => b.type === 'subscription.created');
    expect(created.data).toEqual({
      subscription: {
        id: subscription.id,
        plan: { id: subscription.plan.id, name: 'Forecasts' },
        producer: { id: made.id, name: 'Weather Co' },
        checkout_id: expect.any(String),
        state: 'active',
        subscriber_address: subscription.subscriber,
        receiver_address: made.payout_address,
        token: 'DAIx',
        flow_rate: '1000000000000',
        started_at: '2026-06-10T12:00:00.000Z',
        closed_at: null,
        close_reason: null,
        runs_out_at: null,
      },
    });
    const changed = bodies.find((b) => b.type === 'subscription.plan_changed');
    expect(changed.data.previous_attributes).toEqual({
      plan: { id: expect.any(String), name: 'Forecasts lite' },
    });
    const otherLog = await ok(
      200,
      person,
      'GET',
      `/api/streams/producer/webhooks/deliveries?endpoint_id=${other.endpoint.id}`,
    );
    expect(otherLog.items).toEqual([]);
  });
});
