import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../test/support/snapshot';
import { productLines } from '../lines';
import type { ProductLine } from '../product-line';
import { queryRows } from './database';
import { createRouter, jsonBody, jsonResponse } from './http';
import { IDEMPOTENCY_LEASE_MS, requestFingerprint } from './idempotency';

/** A line of the test's own whose one route counts how often it really ran. */
let runs = 0;
let failNext = false;
let hold: Promise<void> | undefined;

const countingLine: ProductLine = {
  name: 'counting',
  label: 'Counting',
  routes: () => {
    const router = createRouter();
    router.openapi(
      createRoute({
        method: 'post',
        path: '/things',
        access: { caller: 'anyone' },
        request: jsonBody(z.object({ name: z.string(), size: z.number().optional() })),
        responses: { 201: jsonResponse(z.object({ run: z.number(), name: z.string() }), 'Made') },
      }),
      async (c) => {
        await hold;
        if (failNext) {
          failNext = false;
          throw new Error('the disk is full');
        }
        runs++;
        return c.json({ run: runs, name: c.req.valid('json').name }, 201);
      },
    );
    return router;
  },
};

let tally: TestTally;
let ada: TestPerson;
let bob: TestPerson;

beforeAll(async () => {
  tally = await testTally({ lines: [...productLines, countingLine] });
  ada = await signedInPerson(tally);
  bob = await signedInPerson(tally);
});

const make = (as: TestPerson | undefined, key: string | undefined, body: unknown) =>
  request(tally, 'POST', '/api/counting/things', {
    as,
    body,
    headers: key === undefined ? {} : { 'idempotency-key': key },
  });

describe('Idempotency-Key', () => {
  it('answers a repeat with the stored response, marked replayed, without running it again', async () => {
    const first = await make(ada, 'replay-1', { name: 'bowl', size: 2 });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const made = await read(first);
    const before = await snapshotTables(tally.database.db);
    // The same body with its keys in another order and other spacing is the same request.
    const repeat = await tally.http.request('/api/counting/things', {
      method: 'POST',
      headers: { cookie: ada.cookie, 'content-type': 'application/json', 'idempotency-key': 'replay-1' },
      body: '{ "size": 2,   "name": "bowl" }',
    });
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await read(repeat)).toEqual(made);
    await expectUnchanged(tally.database.db, before);
  });

  it('refuses the same key with another request (409), running nothing and changing nothing', async () => {
    await make(ada, 'conflict-1', { name: 'cup' });
    const ran = runs;
    const before = await snapshotTables(tally.database.db);
    const conflict = await make(ada, 'conflict-1', { name: 'plate' });
    expect(conflict.status).toBe(409);
    expect((await read(conflict)).error.code).toBe('idempotency_conflict');
    expect(runs).toBe(ran);
    await expectUnchanged(tally.database.db, before);
  });

  it('keeps each person’s keys apart: the same key from someone else is their own request', async () => {
    const mine = await read(await make(ada, 'shared-name', { name: 'jug' }));
    const theirs = await make(bob, 'shared-name', { name: 'jug' });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect((await read(theirs)).run).toBe(mine.run + 1);
  });

  it('answers 409 while the first request with the key still runs, then replays it', async () => {
    let release: () => void = () => undefined;
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const first = make(ada, 'slow-1', { name: 'vase' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const meanwhile = await make(ada, 'slow-1', { name: 'vase' });
    expect(meanwhile.status).toBe(409);
    expect((await read(meanwhile)).error.code).toBe('idempotency_in_flight');
    release();
    hold = undefined;
    const done = await read(await first);
    const after = await make(ada, 'slow-1', { name: 'vase' });
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(await read(after)).toEqual(done);
  });

  it('lets one of many concurrent requests with a key run, and each of many keys run once', async () => {
    const before = runs;
    const same = await Promise.all(Array.from({ length: 20 }, () => make(ada, 'burst-1', { name: 'cup' })));
    // One ran; the others either found it still running (409) or replayed its answer.
    expect(
      same.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null),
    ).toHaveLength(1);
    for (const response of same) {
      expect([201, 409]).toContain(response.status);
      if (response.status === 409) expect((await read(response)).error.code).toBe('idempotency_in_flight');
    }
    expect(runs - before).toBe(1);

    const distinct = await Promise.all(
      Array.from({ length: 20 }, (_, i) => make(bob, `burst-2-${i}`, { name: `plate ${i}` })),
    );
    expect(distinct.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(runs - before).toBe(21);
    // Every key was finished with its own answer: each replays what it ran.
    const replays = await Promise.all(
      Array.from({ length: 20 }, (_, i) => make(bob, `burst-2-${i}`, { name: `plate ${i}` })),
    );
    const answers = await Promise.all(replays.map((r) => read(r)));
    expect(answers.map((a) => a.name)).toEqual(Array.from({ length: 20 }, (_, i) => `plate ${i}`));
    expect(replays.every((r) => r.headers.get('idempotent-replayed') === 'true')).toBe(true);
    expect(runs - before).toBe(21);
  });

  it('keeps no failure of ours (5xx): a retry runs the request again', async () => {
    failNext = true;
    const failed = await make(ada, 'fails-once', { name: 'pot' });
    expect(failed.status).toBe(500);
    const retried = await make(ada, 'fails-once', { name: 'pot' });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps refusals of the request itself (4xx) like any answer', async () => {
    const refused = await make(ada, 'refused-1', { name: 42 });
    expect(refused.status).toBe(400);
    const repeat = await make(ada, 'refused-1', { name: 42 });
    expect(repeat.status).toBe(400);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
  });

  it('lets a retry take over a key whose request died with its process, once the lease has passed', async () => {
    // A process claimed the key and died before answering: its row stays in flight.
    const body = { name: 'lamp' };
    await tally.database.db.execute(sql`
      INSERT INTO core_idempotency_keys (owner, key, method, path, fingerprint, state, locked_at, created_at)
      VALUES (${ada.userId}, 'crashed-1', 'POST', '/api/counting/things',
        ${requestFingerprint('POST', '/api/counting/things', { text: JSON.stringify(body) })}, 'in_flight',
        ${tally.clock.now()}, ${tally.clock.now()})`);
    const tooSoon = await make(ada, 'crashed-1', body);
    expect(tooSoon.status).toBe(409);
    tally.clock.advance(IDEMPOTENCY_LEASE_MS);
    const ran = runs;
    const retried = await make(ada, 'crashed-1', body);
    expect(retried.status).toBe(201);
    expect(runs).toBe(ran + 1);
    const [row] = await queryRows<{ state: string; response_status: number }>(
      tally.database.db,
      sql`SELECT state, response_status FROM core_idempotency_keys WHERE owner = ${ada.userId} AND key = 'crashed-1'`,
    );
    expect(row).toEqual({ state: 'done', response_status: 201 });
    const replayed = await make(ada, 'crashed-1', body);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(ran + 1);
  });

  it('refuses a key from an anonymous caller, and a key that is not 1–255 visible characters', async () => {
    const anonymous = await make(undefined, 'anon-1', { name: 'x' });
    expect(anonymous.status).toBe(401);
    expect((await read(anonymous)).error).toMatchObject({
      message: 'sign in first (an Idempotency-Key is kept per signed-in caller)',
      details: { reason: 'sign_in' },
    });
    const long = await make(ada, 'k'.repeat(256), { name: 'x' });
    expect(long.status).toBe(400);
    expect((await read(long)).error.details.field).toBe('Idempotency-Key');
    expect((await make(ada, 'with space', { name: 'x' })).status).toBe(400);
  });

  it('makes creating a credits workspace safe to retry', async () => {
    // Without a product that allows workspaces the first call is refused, and the refusal is kept.
    const first = await request(tally, 'POST', '/api/credits/workspaces', {
      as: ada,
      body: { name: 'Lab' },
      headers: { 'idempotency-key': 'ws-1' },
    });
    const repeat = await request(tally, 'POST', '/api/credits/workspaces', {
      as: ada,
      body: { name: 'Lab' },
      headers: { 'idempotency-key': 'ws-1' },
    });
    expect(repeat.status).toBe(first.status);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await read(repeat)).toEqual(await read(first));
  });
});

describe('the API document', () => {
  it('offers an Idempotency-Key on every mutation of every line, and on no read', async () => {
    const document = await read(await request(tally, 'GET', '/api/openapi.json'));
    let mutations = 0;
    for (const [path, operations] of Object.entries(
      document.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        const keys = (operation.parameters ?? []).filter(
          (p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key',
        );
        const mutation = ['post', 'put', 'patch', 'delete'].includes(method);
        if (mutation) mutations++;
        expect(keys.length, `${method.toUpperCase()} ${path}`).toBe(mutation ? 1 : 0);
      }
    }
    expect(mutations).toBeGreaterThan(40);
  });
});
