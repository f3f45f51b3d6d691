import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientErrors } from '../src/core/http';
import { signDelivery } from '../src/credits/purchases/integrations';
import { signedInPerson, TEST_ADMIN_KEY, type TestPerson, type TestTally, testTally } from './support/app';
import { creditsAdmin, freshEmail, makeProduct, ok } from './support/credits';

/**
 * Over a real socket, as Node serves Tally (the other tests call the app in process): bodies are read
 * once, within the limit, and every route reads them as sent; an answer given before the body was
 * read must not poison the connection.
 */

let tally: TestTally;
let person: TestPerson;
let server: ReturnType<typeof serve>;
let port: number;

beforeAll(async () => {
  tally = await testTally();
  person = await signedInPerson(tally);
  server = serve({ fetch: tally.http.fetch, port: 0, hostname: '127.0.0.1' });
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends requests one after another on one kept-alive connection; returns each status and its Connection header. */
async function onOneConnection(
  requests: {
    method: string;
    path: string;
    body?: string | Buffer | Buffer[];
    headers?: Record<string, string>;
  }[],
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results: { status: number; connection: string | undefined }[] = [];
  try {
    for (const r of requests) {
      results.push(
        await new Promise((resolve, reject) => {
          const request = http.request(
            {
              host: '127.0.0.1',
              port,
              method: r.method,
              path: r.path,
              agent,
              headers: { 'content-type': 'application/json', ...r.headers },
            },
            (response) => {
              response.resume();
              response.on('end', () =>
                resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }),
              );
            },
          );
          request.on('error', reject);
          // An array goes out in chunks of its own, with no Content-Length (chunked encoding).
          if (Array.isArray(r.body)) {
            for (const chunk of r.body) request.write(chunk);
            request.end();
          } else request.end(r.body);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return results;
}

describe('answers before the body is read', () => {
  it('close the connection, so the next request on it is read cleanly', async () => {
    const big = JSON.stringify({ transfers: [], padding: 'x'.repeat(200_000) });
    const results = await onOneConnection([
      // 413 from the declared length, before a byte of the body is read.
      { method: 'POST', path: '/api/ledger/transfers', body: big },
      { method: 'GET', path: '/healthz' },
      // 413 once the chunks sent without a length pass the limit.
      {
        method: 'POST',
        path: '/api/ledger/transfers',
        body: Array.from({ length: 4 }, () => Buffer.alloc(60_000, 0x20)),
      },
      { method: 'GET', path: '/healthz' },
      // Outside /api nothing reads a body: the 404 is answered with it still on the socket.
      {
        method: 'POST',
        path: '/no-such-page',
        body: 'b'.repeat(5000),
        headers: { 'content-type': 'text/plain' },
      },
      { method: 'GET', path: '/healthz' },
    ]);
    expect(results.map((r) => r.status)).toEqual([413, 200, 413, 200, 404, 200]);
    expect(results.filter((r) => r.status >= 400).map((r) => r.connection)).toEqual([
      'close',
      'close',
      'close',
    ]);
  });

  it('keep it alive when the body within the limit was read before the refusal', async () => {
    // Under /api a body within the limit is read first, so a 401 or a 404 leaves a clean socket.
    const results = await onOneConnection([
      {
        method: 'POST',
        path: '/api/ledger/transfers',
        body: 'a'.repeat(5000),
        headers: { 'content-type': 'text/plain' },
      },
      {
        method: 'POST',
        path: '/api/no-such-route',
        body: Array.from({ length: 3 }, () => Buffer.from('{}')),
      },
      { method: 'GET', path: '/healthz' },
    ]);
    expect(results.map((r) => [r.status, r.connection])).toEqual([
      [401, 'keep-alive'],
      [404, 'keep-alive'],
      [200, 'keep-alive'],
    ]);
  });

  it('keep it alive when the body was read', async () => {
    const results = await onOneConnection([
      {
        method: 'POST',
        path: '/api/ledger/ledgers',
        body: '{"code":"KA","scale":0}',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      },
      { method: 'PATCH', path: '/api/auth/me', body: '{"name":"Ada"}', headers: { cookie: person.cookie } },
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 200]);
    expect(results.map((r) => r.connection)).toEqual(['keep-alive', 'keep-alive']);
  });
});

describe('bodies as Node serves them', () => {
  const base = () => `http://127.0.0.1:${port}`;

  it('reach a JSON route parsed, and a wrong one refused, in the one error shape', async () => {
    const created = await fetch(`${base()}/api/ledger/ledgers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: '{"code":"NODE","scale":2}',
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ code: 'NODE', scale: 2 });
    const broken = await fetch(`${base()}/api/ledger/ledgers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: '{"code":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe('malformed_json');
  });

  it('reach an upload as the bytes sent', async () => {
    const bytes = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      Buffer.alloc(3000, 0xfe),
      Buffer.from('\n%%EOF\n'),
    ]);
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), 'statement.pdf');
    const uploaded = await fetch(`${base()}/api/files`, {
      method: 'POST',
      headers: { cookie: person.cookie, 'x-requested-with': 'tally-web' },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const stored = (await uploaded.json()) as { id: string; size: number };
    expect(stored.size).toBe(bytes.length);
    const download = await fetch(`${base()}/api/files/${stored.id}`, { headers: { cookie: person.cookie } });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('reach a signed webhook as the exact bytes that were signed', async () => {
    const admin = await creditsAdmin(tally);
    const { integration, secret } = await ok(tally, 201, 'POST', '/api/credits/integrations', {
      as: admin,
      body: { name: 'Shop over a socket' },
    });
    const product = await makeProduct(tally, admin, { type: 'generic', credits: 5 });
    // Spacing and escapes a re-serialised parse would change: the signature covers these bytes.
    const rawBody = `{ "order_id": "N-${Date.now()}",\n  "email": "${freshEmail()}", "name": "Zo\u00eb \ud83c\udf3f", "product_id": "${product.id}" }`;
    const timestamp = String(Math.floor(tally.clock.now().getTime() / 1000));
    const signature = signDelivery(secret, timestamp, Buffer.from(rawBody));
    const delivered = await fetch(`${base()}/api/credits/webhooks/${integration.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-tally-timestamp': timestamp,
        'x-tally-signature': `sha256=${signature}`,
      },
      body: rawBody,
    });
    expect(delivered.status).toBe(201);
    expect((await delivered.json()).purchase).toMatchObject({ source: 'webhook', registered: true });
  });
});

describe('what Node refuses before any route', () => {
  it('answers a URL over 16 KB with 431 in the one JSON error shape', async () => {
    const response = await fetch(
      `http://127.0.0.1:${port}/api/credits/usages?used_for=${'x'.repeat(20_000)}`,
    );
    expect(response.status).toBe(431);
    expect(await response.json()).toEqual({
      error: { code: 'request_too_large', message: 'the request line and headers are over 16 KB' },
    });
  });
});
