import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { z } from 'zod';

/**
 * A small MCP server of every kind of tool a paid server has: free and priced ones, a slow one that
 * reports progress and honours cancellation, one answering an image and a resource link, and one
 * that fails; plus a resource and a prompt. `tally demo` registers it as the demo provider's server,
 * and the gateway's tests call it through Tally. It counts the calls it served per tool, and reports
 * them at `/usage` as a provider's usage endpoint would.
 */
export interface DemoUpstream {
  /** Its Streamable HTTP endpoint. */
  url: string;
  /** Its usage report: `{ "calls": { "<tool>": n } }` of the calls it completed. */
  usageUrl: string;
  /** Calls completed per tool, as the usage report says. */
  served: Map<string, number>;
  /** Headers of the last MCP request, lower-case names: what Tally sent. */
  lastHeaders(): Record<string, string>;
  close(): Promise<void>;
}

// A 1×1 transparent PNG.
export const DEMO_IMAGE_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

export function createDemoServer(served: Map<string, number> = new Map()): McpServer {
  const server = new McpServer(
    { name: 'tally-demo-tools', version: '1.0.0' },
    { capabilities: { logging: {} }, instructions: 'Demo tools for trying the Tally gateway.' },
  );
  const count = (tool: string) => served.set(tool, (served.get(tool) ?? 0) + 1);

  server.registerTool(
    'echo',
    { title: 'Echo', description: 'Answers the text it is given.', inputSchema: { text: z.string() } },
    async ({ text }) => {
      count('echo');
      return { content: [{ type: 'text', text }] };
    },
  );
  server.registerTool(
    'add',
    {
      title: 'Add',
      description: 'Adds two numbers, answering structured content.',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => {
      count('add');
      return { content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } };
    },
  );
  server.registerTool(
    'slow',
    {
      title: 'Slow count',
      description: 'Counts to `steps`, waiting `ms` between steps and reporting progress.',
      inputSchema: { steps: z.number().int().min(1).max(50), ms: z.number().int().min(0).max(2000) },
    },
    async ({ steps, ms }, extra) => {
      for (let step = 1; step <= steps; step++) {
        if (extra.signal.aborted)
          return { content: [{ type: 'text', text: `cancelled at ${step}` }], isError: true };
        const token = extra._meta?.progressToken;
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: {
              progressToken: token,
              progress: step,
              total: steps,
              message: `step ${step} of ${steps}`,
            },
          });
        }
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
      if (extra.signal.aborted) return { content: [{ type: 'text', text: 'cancelled' }], isError: true };
      count('slow');
      return { content: [{ type: 'text', text: `counted to ${steps}` }] };
    },
  );
  server.registerTool(
    'picture',
    { title: 'Picture', description: 'Answers a small image and a link to the readme resource.' },
    async () => {
      count('picture');
      return {
        content: [
          { type: 'image', data: DEMO_IMAGE_PNG, mimeType: 'image/png' },
          { type: 'resource_link', uri: 'demo://readme', name: 'readme', mimeType: 'text/plain' },
        ],
      };
    },
  );
  server.registerTool(
    'fail',
    { title: 'Fail', description: 'Always fails, answering a tool error.' },
    async () => ({ content: [{ type: 'text', text: 'the demo tool failed on purpose' }], isError: true }),
  );
  server.registerTool(
    'ask_model',
    {
      title: 'Ask the model',
      description: 'Asks the client’s model (MCP sampling) to answer a question, and answers what it said.',
      inputSchema: { question: z.string() },
    },
    async ({ question }) => {
      const answer = await server.server.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: question } }],
        maxTokens: 200,
      });
      count('ask_model');
      const text = answer.content.type === 'text' ? answer.content.text : `(${answer.content.type})`;
      return { content: [{ type: 'text', text: `the model said: ${text}` }] };
    },
  );
  server.registerResource(
    'readme',
    'demo://readme',
    { title: 'Readme', description: 'What these tools are', mimeType: 'text/plain' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Demo tools for the Tally gateway.' }],
    }),
  );
  server.registerPrompt(
    'summarize',
    { title: 'Summarize', description: 'Asks for a summary of a text.', argsSchema: { text: z.string() } },
    ({ text }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Summarize: ${text}` } }] }),
  );
  return server;
}

/**
 * The demo server as an HTTP app: `/mcp` (Streamable HTTP, a session per client) and `/usage`.
 * Tally mounts it at `/demo-mcp` on its development chain, so `tally demo` has a server to call.
 */
export function demoUpstreamApp(options: { requireHeader?: [string, string] } = {}) {
  const served = new Map<string, number>();
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  let lastHeaders: Record<string, string> = {};
  const app = new Hono();
  app.get('/usage', (c) => c.json({ calls: Object.fromEntries(served) }));
  app.all('/mcp', async (c) => {
    lastHeaders = c.req.header();
    if (options.requireHeader) {
      const [name, value] = options.requireHeader;
      if (c.req.header(name) !== value) return c.json({ error: 'unauthorized' }, 401);
    }
    const sessionId = c.req.header('mcp-session-id');
    const existing = sessionId ? sessions.get(sessionId) : undefined;
    if (existing) return existing.handleRequest(c.req.raw);
    if (sessionId)
      return c.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }, 404);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    await createDemoServer(served).connect(transport);
    return transport.handleRequest(c.req.raw);
  });
  return {
    app,
    served,
    lastHeaders: () => lastHeaders,
    closeSessions: () => Promise.all([...sessions.values()].map((t) => t.close().catch(() => {}))),
  };
}

/** Starts the demo server on 127.0.0.1 (a free port unless one is given). */
export async function startDemoUpstream(options: { port?: number; requireHeader?: [string, string] } = {}) {
  const demo = demoUpstreamApp(options);
  const server = serve({ fetch: demo.app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/mcp`,
    usageUrl: `${base}/usage`,
    served: demo.served,
    lastHeaders: demo.lastHeaders,
    async close() {
      await demo.closeSessions();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
    },
  } satisfies DemoUpstream;
}
