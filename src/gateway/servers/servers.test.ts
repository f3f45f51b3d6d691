import { sql } from 'drizzle-orm';
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
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';
import { type DemoUpstream, startDemoUpstream } from '../demo/upstream-server';

let tally: TestTally;
let upstream: DemoUpstream;
let guarded: DemoUpstream;
let provider: TestPerson;

const UPSTREAM_KEY = 'upstream-secret-7f3c9a';

beforeAll(async () => {
  tally = await testTally();
  upstream = await startDemoUpstream();
  guarded = await startDemoUpstream({ requireHeader: ['x-api-key', UPSTREAM_KEY] });
  provider = await providerPerson();
});

afterAll(async () => {
  await upstream?.close();
  await guarded?.close();
});

async function providerPerson(): Promise<TestPerson> {
  const person = await signedInPerson(tally);
  const made = await request(tally, 'POST', '/api/gateway/provider', {
    as: person,
    body: { name: 'Demo tools', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
  });
  expect(made.status).toBe(201);
  return person;
}

const errorOf = async (response: Response) => ({ status: response.status, ...(await read(response)).error });

let slugs = 0;
async function register(body: Record<string, unknown> = {}, as = provider): Promise<Response> {
  slugs += 1;
  return request(tally, 'POST', '/api/gateway/servers', {
    as,
    body: { slug: `demo-${slugs}`, name: 'Demo tools', upstream_url: upstream.url, ...body },
  });
}

describe('registering an MCP server', () => {
  it('opens a session with the upstream and lists its tools, unpriced, for the provider to price', async () => {
    const response = await register({
      description: 'Tools to try the gateway',
      usage_url: upstream.usageUrl,
    });
    expect(response.status).toBe(201);
    const server = await read(response);
    expect(server).toMatchObject({
      slug: `demo-${slugs}`,
      endpoint: `http://tally.test/mcp/demo-${slugs}`,
      name: 'Demo tools',
      description: 'Tools to try the gateway',
      upstream_url: upstream.url,
      upstream_header: null,
      usage_url: upstream.usageUrl,
      state: 'active',
      upstream: { name: 'tally-demo-tools', version: '1.0.0', check_error: null },
      unpriced_tools: 6,
    });
    expect(server.upstream.protocol_version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(server.tools.map((t: Body) => t.name)).toEqual([
      'add',
      'ask_model',
      'echo',
      'fail',
      'picture',
      'slow',
    ]);
    expect(server.tools.find((t: Body) => t.name === 'add')).toMatchObject({
      title: 'Add',
      description: 'Adds two numbers, answering structured content.',
      price: null,
      listed: true,
      input_schema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
    });
    expect(upstream.lastHeaders()['user-agent'] ?? '').not.toContain(UPSTREAM_KEY);

    const mine = await read(await request(tally, 'GET', '/api/gateway/servers', { as: provider }));
    expect(mine.items.map((s: Body) => s.id)).toContain(server.id);
  });

  it('sends the upstream the header it needs, keeps its value sealed, and never shows it again', async () => {
    const refused = await errorOf(await register({ upstream_url: guarded.url }));
    expect(refused).toMatchObject({
      status: 422,
      code: 'upstream_unreachable',
      details: { field: 'upstream_url' },
    });
    expect(refused.message).toContain(guarded.url);

    const response = await register({
      upstream_url: guarded.url,
      upstream_header: { name: 'X-Api-Key', value: UPSTREAM_KEY },
    });
    expect(response.status).toBe(201);
    const server = await read(response);
    expect(server.upstream_header).toEqual({ name: 'X-Api-Key' });
    expect(JSON.stringify(server)).not.toContain(UPSTREAM_KEY);
    expect(guarded.lastHeaders()['x-api-key']).toBe(UPSTREAM_KEY);
    const [stored] = await queryRows<{ sealed: string }>(
      tally.database.db,
      sql`SELECT upstream_header_sealed AS sealed FROM gateway_servers WHERE id = ${server.id}`,
    );
    expect(stored!.sealed).toMatch(/^v1\./);
    expect(stored!.sealed).not.toContain(UPSTREAM_KEY);

    // Checking again opens the sealed value to send it.
    expect(
      (await request(tally, 'POST', `/api/gateway/servers/${server.id}/check`, { as: provider })).status,
    ).toBe(200);
    // Removing the header: the upstream refuses Tally, so the change is refused and nothing changes.
    const before = await snapshotTables(tally.database.db);
    expect(
      await errorOf(
        await request(tally, 'PATCH', `/api/gateway/servers/${server.id}`, {
          as: provider,
          body: { upstream_header: null },
        }),
      ),
    ).toMatchObject({ status: 422, code: 'upstream_unreachable' });
    await expectUnchanged(tally.database.db, before);
  });

  it('refuses a taken path, an upstream that does not answer, bad input, and a person who is not a provider', async () => {
    const taken = await read(await register());
    const stranger = await signedInPerson(tally);
    const before = await snapshotTables(tally.database.db);
    expect(await errorOf(await register({ slug: taken.slug }))).toMatchObject({
      status: 409,
      code: 'slug_taken',
      details: { field: 'slug' },
    });
    const closed = await startDemoUpstream();
    await closed.close();
    const unreachable = await errorOf(await register({ upstream_url: closed.url }));
    expect(unreachable).toMatchObject({ status: 422, code: 'upstream_unreachable' });
    expect(unreachable.details.reason).toBe('the connection was refused (is the server running?)');
    expect(await errorOf(await register({ upstream_url: 'ftp://example.com/mcp' }))).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    expect(await errorOf(await register({ slug: '-bad' }))).toMatchObject({ status: 400 });
    expect(
      await errorOf(await register({ upstream_header: { name: 'Mcp-Session-Id', value: 'x' } })),
    ).toMatchObject({ status: 400 });
    expect(await errorOf(await register({}, stranger))).toMatchObject({
      status: 409,
      code: 'provider_required',
    });
    await expectUnchanged(tally.database.db, before);
  });
});

describe('prices and the server’s life', () => {
  it('prices tools, refuses unknown ones whole, and takes a price away with null', async () => {
    const server = await read(await register());
    const price = (prices: Record<string, string | null>) =>
      request(tally, 'PUT', `/api/gateway/servers/${server.id}/prices`, { as: provider, body: { prices } });

    const priced = await read(await price({ add: '2500', echo: '0', slow: '10000' }));
    expect(Object.fromEntries(priced.tools.map((t: Body) => [t.name, t.price]))).toEqual({
      add: '2500',
      ask_model: null,
      echo: '0',
      fail: null,
      picture: null,
      slow: '10000',
    });
    expect(priced.unpriced_tools).toBe(3);

    const before = await snapshotTables(tally.database.db);
    expect(await errorOf(await price({ picture: '1', nope: '5' }))).toMatchObject({
      status: 422,
      code: 'tool_unknown',
      details: { tools: ['nope'] },
    });
    expect(await errorOf(await price({ add: '-1' }))).toMatchObject({ status: 400 });
    expect(await errorOf(await price({ add: '1.5' }))).toMatchObject({ status: 400 });
    expect(await errorOf(await price({}))).toMatchObject({ status: 400 });
    await expectUnchanged(tally.database.db, before);

    const unpriced = await read(await price({ slow: null }));
    expect(unpriced.tools.find((t: Body) => t.name === 'slow').price).toBeNull();
  });

  it('pauses and renames a server; a check of an upstream gone down is recorded on the server', async () => {
    const own = await startDemoUpstream();
    const server = await read(await register({ upstream_url: own.url }));
    const paused = await read(
      await request(tally, 'PATCH', `/api/gateway/servers/${server.id}`, {
        as: provider,
        body: { state: 'paused', name: 'Demo tools (paused)' },
      }),
    );
    expect(paused).toMatchObject({ state: 'paused', name: 'Demo tools (paused)', upstream_url: own.url });

    await own.close();
    tally.clock.advance(60_000);
    const failed = await errorOf(
      await request(tally, 'POST', `/api/gateway/servers/${server.id}/check`, { as: provider }),
    );
    expect(failed).toMatchObject({ status: 422, code: 'upstream_unreachable' });
    const after = await read(
      await request(tally, 'GET', `/api/gateway/servers/${server.id}`, { as: provider }),
    );
    // The process is gone: a new connection is refused, a kept-alive one closes under the request.
    expect(after.upstream.check_error).toMatch(
      /^Tally could not use the MCP server at .*: the connection (was refused|closed before the server answered)/,
    );
    expect(after.upstream.checked_at).toBe('2026-06-01T09:01:00.000Z');
    expect(after.tools).toHaveLength(6);
  });

  it('shows and changes a server only to its provider (and administrators)', async () => {
    const server = await read(await register());
    const other = await providerPerson();
    const admin = await signedInPerson(tally, { isAdmin: true });
    const before = await snapshotTables(tally.database.db);
    for (const [method, path, body] of [
      ['GET', `/api/gateway/servers/${server.id}`, undefined],
      ['PATCH', `/api/gateway/servers/${server.id}`, { name: 'Mine now' }],
      ['PUT', `/api/gateway/servers/${server.id}/prices`, { prices: { add: '1' } }],
      ['POST', `/api/gateway/servers/${server.id}/check`, undefined],
    ] as const) {
      expect(await errorOf(await request(tally, method, path, { as: other, body }))).toMatchObject({
        status: 404,
        code: 'not_found',
      });
    }
    await expectUnchanged(tally.database.db, before);
    expect((await request(tally, 'GET', `/api/gateway/servers/${server.id}`, { as: admin })).status).toBe(
      200,
    );
  });
});

describe('where an upstream may be', () => {
  it('is never a loopback or private address on an installation that does not allow them', async () => {
    const strict = await testTally({ allowPrivateNetwork: false });
    const person = await signedInPerson(strict);
    await request(strict, 'POST', '/api/gateway/provider', {
      as: person,
      body: { name: 'Sneaky', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
    });
    const before = await snapshotTables(strict.database.db);
    for (const [field, body] of [
      ['upstream_url', { upstream_url: upstream.url }],
      ['upstream_url', { upstream_url: 'http://169.254.169.254/latest/meta-data' }],
      ['usage_url', { upstream_url: 'https://mcp.example.com/mcp', usage_url: 'http://10.0.0.8/usage' }],
    ] as const) {
      const refused = await request(strict, 'POST', '/api/gateway/servers', {
        as: person,
        body: { slug: 'sneaky', name: 'Sneaky', ...body },
      });
      expect(refused.status).toBe(400);
      expect((await read(refused)).error).toMatchObject({ code: 'validation_failed', details: { field } });
    }
    await expectUnchanged(strict.database.db, before);
  });
});
