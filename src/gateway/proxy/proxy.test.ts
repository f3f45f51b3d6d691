import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
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
import {
  availableOf,
  bearerConsumer,
  connectBearer,
  type GatewayWorld,
  gatewayWorld,
} from '../../../test/support/gateway';
import { queryRows } from '../../core/database';
import { verifySigned } from '../../core/signed';
import { type DemoUpstream, startDemoUpstream } from '../demo/upstream-server';

let tally: TestTally;
let world: GatewayWorld;
let upstream: DemoUpstream;
let base: string;
let slug: string;

beforeAll(async () => {
  tally = await testTally();
  world = await gatewayWorld(tally);
  ({ upstream, base, slug } = world);
});

afterAll(async () => {
  await world?.close();
});

const consumer = (funds: bigint, limits: Record<string, unknown> = {}) =>
  bearerConsumer(tally, funds, limits);
const connect = (token: string, server = slug): Promise<Client> => connectBearer(world, token, server);

const balanceOf = (person: TestPerson) => availableOf(tally, person);

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

describe('MCP through Tally', () => {
  it('lists the priced tools with their price and a quote anyone can check; unpriced tools are not offered', async () => {
    const { token } = await consumer(0n);
    const client = await connect(token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'echo', 'fail', 'picture', 'slow']);
    const add = tools.find((t) => t.name === 'add')!;
    expect(add._meta?.['tally/price']).toEqual({
      amount: '2500',
      asset: 'USDC',
      decimals: 6,
      display: '0.0025 USDC',
    });
    const quote = add._meta?.['tally/quote'] as Body;
    expect(quote.body).toMatchObject({
      server: slug,
      tool: 'add',
      price: '2500',
      maximum: '2500',
      asset: 'USDC',
    });
    const keys = await read(await request(tally, 'GET', '/api/gateway/keys'));
    expect(verifySigned(quote, keys.quotes)).toBe(true);
    expect(verifySigned({ ...quote, body: { ...quote.body, price: '1' } }, keys.quotes)).toBe(false);
    expect(add.outputSchema).toMatchObject({ properties: { sum: { type: 'number' } } });
    await client.close();
  });

  it('charges a priced call exactly, with a signed receipt; a free call costs nothing', async () => {
    const { person, token } = await consumer(10_000n);
    const client = await connect(token);
    const echo = (await client.callTool({ name: 'echo', arguments: { text: 'hello' } })) as CallToolResult;
    expect(textOf(echo)).toBe('hello');
    expect(await balanceOf(person)).toBe('10000');

    const added = (await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })) as CallToolResult;
    expect(added.structuredContent).toEqual({ sum: 5 });
    expect(await balanceOf(person)).toBe('7500');
    const receipt = added._meta?.['tally/receipt'] as Body;
    expect(receipt.body).toMatchObject({
      server: slug,
      tool: 'add',
      price: '2500',
      asset: 'USDC',
      balance_after: '7500',
    });
    const keys = await read(await request(tally, 'GET', '/api/gateway/keys'));
    expect(verifySigned(receipt, keys.receipts)).toBe(true);

    const [row] = await queryRows<{ state: string; price: string }>(
      tally.database.db,
      sql`SELECT state, price::text FROM gateway_calls WHERE id = ${receipt.body.call_id}`,
    );
    expect(row).toEqual({ state: 'served', price: '2500' });
    await client.close();
  });

  it('passes images, resource links, resources, prompts and progress through unchanged', async () => {
    const { person, token } = await consumer(10_000n);
    const client = await connect(token);
    const picture = (await client.callTool({ name: 'picture', arguments: {} })) as CallToolResult;
    expect(picture.content).toEqual([
      expect.objectContaining({ type: 'image', mimeType: 'image/png' }),
      { type: 'resource_link', uri: 'demo://readme', name: 'readme', mimeType: 'text/plain' },
    ]);
    const resource = await client.readResource({ uri: 'demo://readme' });
    expect(resource.contents).toEqual([
      { uri: 'demo://readme', mimeType: 'text/plain', text: 'Demo tools for the Tally gateway.' },
    ]);
    const prompt = await client.getPrompt({ name: 'summarize', arguments: { text: 'a long story' } });
    expect(prompt.messages[0]!.content).toEqual({ type: 'text', text: 'Summarize: a long story' });

    const progress: number[] = [];
    const slow = (await client.callTool({ name: 'slow', arguments: { steps: 3, ms: 20 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    })) as CallToolResult;
    expect(textOf(slow)).toBe('counted to 3');
    expect(progress).toEqual([1, 2, 3]);
    expect(await balanceOf(person)).toBe(String(10_000 - 500 - 1000));
    await client.close();
  });

  it('refunds a call the tool fails or the upstream drops, and passes errors on unchanged', async () => {
    const { person, token } = await consumer(10_000n);
    const client = await connect(token);
    const failed = (await client.callTool({ name: 'fail', arguments: {} })) as CallToolResult;
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe('the demo tool failed on purpose');
    expect(failed._meta?.['tally/refunded']).toBe(true);

    const missing = await client.readResource({ uri: 'demo://missing' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(McpError);
    // The upstream's own error, code and words, as it gave it.
    expect((missing as McpError).code).toBe(-32602);
    expect((missing as McpError).message).toContain('demo://missing');

    // An upstream that goes away in the middle of a session: the call fails, nothing is charged.
    const fragile = await startDemoUpstream();
    const provider = await signedInPerson(tally);
    await request(tally, 'POST', '/api/gateway/provider', {
      as: provider,
      body: { name: 'Fragile', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
    });
    const registered = await read(
      await request(tally, 'POST', '/api/gateway/servers', {
        as: provider,
        body: { slug: 'fragile', name: 'Fragile', upstream_url: fragile.url },
      }),
    );
    await request(tally, 'PUT', `/api/gateway/servers/${registered.id}/prices`, {
      as: provider,
      body: { prices: { add: '900' } },
    });
    const fragileClient = await connect(token, 'fragile');
    await fragile.close();
    const dropped = await fragileClient
      .callTool({ name: 'add', arguments: { a: 1, b: 1 } })
      .catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(McpError);

    expect(await balanceOf(person)).toBe('10000');
    const rows = await queryRows<{ state: string; tool: string }>(
      tally.database.db,
      sql`SELECT state, tool FROM gateway_calls WHERE user_id = ${person.userId} ORDER BY tool`,
    );
    expect(rows).toEqual([
      { state: 'refunded', tool: 'add' },
      { state: 'refunded', tool: 'fail' },
    ]);

    // The provider moves the server to a new upstream: the next session reaches it at once.
    const moved = await startDemoUpstream();
    const patched = await request(tally, 'PATCH', `/api/gateway/servers/${registered.id}`, {
      as: provider,
      body: { upstream_url: moved.url },
    });
    expect(patched.status).toBe(200);
    const movedClient = await connect(token, 'fragile');
    const added = (await movedClient.callTool({ name: 'add', arguments: { a: 2, b: 3 } })) as CallToolResult;
    expect(added.isError).toBeFalsy();
    expect(textOf(added)).toBe('5');
    await movedClient.close();
    await moved.close();
    await client.close();
  });

  it('refuses a call the balance cannot pay, in words a model can relay, and charges nothing', async () => {
    const { person, token } = await consumer(1000n);
    const client = await connect(token);
    const refused = (await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(
      'This tool call was not made: it costs 0.0025 USDC and the Tally balance has 0.001 USDC. Ask the person to top up their Tally credits at http://tally.test/gateway/deposit, then call the tool again.',
    );
    expect(refused._meta?.['tally/error']).toMatchObject({
      code: 'insufficient_credits',
      price: '2500',
      available: '1000',
    });
    expect(await balanceOf(person)).toBe('1000');
    await client.close();
  });

  it('charges a retried request once: the same idempotency key answers the first result', async () => {
    const { person, token } = await consumer(10_000n);
    const client = await connect(token);
    const call = () =>
      client.callTool({
        name: 'add',
        arguments: { a: 4, b: 4 },
        _meta: { 'tally/idempotency_key': 'job-77' },
      }) as Promise<CallToolResult>;
    const first = await call();
    const second = await call();
    expect(second.structuredContent).toEqual({ sum: 8 });
    const callIdOf = (result: CallToolResult) => (result._meta as Body)['tally/receipt'].body.call_id;
    expect(callIdOf(second)).toBe(callIdOf(first));
    expect(await balanceOf(person)).toBe('7500');
    expect(upstream.served.get('add')).toBeGreaterThan(0);
    const other = await client
      .callTool({ name: 'add', arguments: { a: 5, b: 5 }, _meta: { 'tally/idempotency_key': 'job-77' } })
      .catch((e: unknown) => e);
    expect((other as McpError).message).toContain('used for a different call');
    await client.close();
  });

  it('charges 50 concurrent calls on a balance for 10 exactly 10 times', async () => {
    const { person, token } = await consumer(25_000n);
    const clients = await Promise.all(Array.from({ length: 5 }, () => connect(token)));
    const results = (await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        clients[i % 5]!.callTool({ name: 'add', arguments: { a: i, b: 1 } }),
      ),
    )) as CallToolResult[];
    const served = results.filter((r) => !r.isError);
    const refused = results.filter((r) => r.isError);
    expect(served).toHaveLength(10);
    expect(refused.every((r) => (r._meta as Body)['tally/error'].code === 'insufficient_credits')).toBe(true);
    expect(await balanceOf(person)).toBe('0');
    await Promise.all(clients.map((c) => c.close()));
  });

  it('stops a grant at its cap, and refuses it once revoked', async () => {
    const { person, token, grant } = await consumer(100_000n, { cap: '3000' });
    const client = await connect(token);
    expect(
      ((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) as CallToolResult).isError,
    ).toBeFalsy();
    const capped = (await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) as CallToolResult;
    expect(capped.isError).toBe(true);
    expect(textOf(capped)).toContain("it would pass the session grant's total cap (0.0005 USDC left)");
    expect(await balanceOf(person)).toBe('97500');

    await request(tally, 'POST', `/api/gateway/grants/${grant.id}/revoke`, { as: person });
    const error = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/403|revoked/);
  });

  it('refuses a request nobody pays for, and another person’s session', async () => {
    const anonymous = await fetch(`${base}/mcp/${slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect((await anonymous.json()).error.message).toContain('session grant');

    const owner = await connect((await consumer(0n)).token);
    const sessionId = (owner.transport as StreamableHTTPClientTransport).sessionId!;
    const { token } = await consumer(0n);
    const stolen = await fetch(`${base}/mcp/${slug}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(stolen.status).toBe(404);
    expect(
      (
        await fetch(`${base}/mcp/nowhere`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: '{}',
        })
      ).status,
    ).toBe(404);
    await owner.close();
  });

  it('shows each person their calls with what they cost, and everyone the catalogue with Tally’s own figures', async () => {
    const { person, token } = await consumer(10_000n);
    const client = await connect(token);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    tally.clock.advance(1000);
    await client.callTool({ name: 'fail', arguments: {} });
    await client.close();

    const calls = await read(await request(tally, 'GET', '/api/gateway/calls', { as: person }));
    expect(calls.items.map((c: Body) => [c.tool, c.state, c.price, c.cost])).toEqual([
      ['fail', 'refunded', '700', '0'],
      ['add', 'served', '2500', '2500'],
    ]);
    expect(calls.items[1].server).toEqual({ slug, name: 'Demo tools' });
    const spend = await read(await request(tally, 'GET', '/api/gateway/spend', { as: person }));
    expect(spend.items).toEqual([
      { day: '2026-06-01', slug, server: 'Demo tools', amount: '2500', calls: 1 },
    ]);
    const stranger = await signedInPerson(tally);
    expect((await read(await request(tally, 'GET', '/api/gateway/calls', { as: stranger }))).items).toEqual(
      [],
    );

    const listed = await read(await request(tally, 'GET', '/api/gateway/catalogue'));
    const demo = listed.items.find((s: Body) => s.slug === slug);
    expect(demo).toMatchObject({
      name: 'Demo tools',
      provider: 'Demo tools',
      endpoint: `http://tally.test/mcp/${slug}`,
    });
    expect(demo.tools.map((t: Body) => [t.name, t.price])).toEqual([
      ['add', '2500'],
      ['echo', '0'],
      ['fail', '700'],
      ['picture', '500'],
      ['slow', '1000'],
    ]);
    const [row] = await queryRows<{ served: number; refunded: number }>(
      tally.database.db,
      sql`SELECT count(*) FILTER (WHERE c.state = 'served')::int AS served, count(*) FILTER (WHERE c.state = 'refunded')::int AS refunded
          FROM gateway_calls c JOIN gateway_servers s ON s.id = c.server_id WHERE s.slug = ${slug}`,
    );
    expect(demo.stats.calls).toBe(row!.served + row!.refunded);
    expect(demo.stats.success_rate).toBeCloseTo(row!.served / (row!.served + row!.refunded), 10);
    expect(demo.stats.refund_rate).toBeCloseTo(row!.refunded / (row!.served + row!.refunded), 10);
    expect(demo.stats.p50_latency_ms).toBe(0); // the test clock stands still during a call
    expect((await request(tally, 'GET', '/api/gateway/catalogue/nowhere')).status).toBe(404);
  });

  it('passes an upstream’s request for the client’s model (sampling) to the client, and its answer back', async () => {
    await request(tally, 'PUT', `/api/gateway/servers/${world.serverId}/prices`, {
      as: world.provider,
      body: { prices: { ask_model: '3000' } },
    });
    const { person, token } = await consumer(10_000n);
    const client = new Client(
      { name: 'sampling-client', version: '1.0.0' },
      { capabilities: { sampling: {} } },
    );
    const asked: string[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      const content = request.params.messages[0]!.content as { text: string };
      asked.push(content.text);
      return { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'forty-two' } };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp/${slug}`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const answered = (await client.callTool({
      name: 'ask_model',
      arguments: { question: 'What is six times seven?' },
    })) as CallToolResult;
    expect(textOf(answered)).toBe('the model said: forty-two');
    expect(asked).toEqual(['What is six times seven?']);
    expect(await balanceOf(person)).toBe('7000');
    await client.close();
  });

  it('walks a person’s calls a page at a time, each once, newest first', async () => {
    const { person, token } = await consumer(10_000n);
    const client = await connect(token);
    for (const text of ['one', 'two', 'three']) {
      tally.clock.advance(1000);
      await client.callTool({ name: 'echo', arguments: { text } });
    }
    await client.close();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Body = await read(
        await request(tally, 'GET', `/api/gateway/calls?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
          as: person,
        }),
      );
      seen.push(...page.items.map((c: Body) => c.started_at));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect(new Set(seen).size).toBe(3);
  });
});
