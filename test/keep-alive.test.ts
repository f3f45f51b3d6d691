import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientErrors } from '../src/core/http';
import { signedInPerson, TEST_ADMIN_KEY, type TestPerson, type TestTally, testTally } from './support/app';

/** Over a real socket: an answer given before the body was read must not poison the connection. */

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
  requests: { method: string; path: string; body?: string; headers?: Record<string, string> }[],
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
          request.end(r.body);
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
      { method: 'POST', path: '/api/ledger/transfers', body: big }, // 413: over the body limit
      { method: 'GET', path: '/healthz' },
      // 401 (no operator key) and 404, answered without reading a body that is not JSON.
      {
        method: 'POST',
        path: '/api/ledger/transfers',
        body: 'a'.repeat(5000),
        headers: { 'content-type': 'text/plain' },
      },
      { method: 'GET', path: '/healthz' },
      {
        method: 'POST',
        path: '/api/no-such-route',
        body: 'b'.repeat(5000),
        headers: { 'content-type': 'text/plain' },
      },
      { method: 'GET', path: '/healthz' },
    ]);
    expect(results.map((r) => r.status)).toEqual([413, 200, 401, 200, 404, 200]);
    expect(results.filter((r) => r.status >= 400).map((r) => r.connection)).toEqual([
      'close',
      'close',
      'close',
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
