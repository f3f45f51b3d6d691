import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import type { GatewayDeps } from '../deps';
import { upstreamTarget } from '../servers/service';
import { reasonOf } from '../servers/upstream';
import { AuthRefusal, authenticate, type Caller, SessionNonces } from './auth';
import { type Bridge, openBridge } from './bridge';

/** The largest JSON-RPC body a client may send through Tally. */
export const MAX_MCP_BODY_BYTES = 4 * 1024 * 1024;
/** An MCP session nobody used for this long is closed, and its upstream session with it. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** Open sessions per person: a client that leaks sessions closes its own oldest, not the gateway. */
export const MAX_SESSIONS_PER_PERSON = 100;
/** Open sessions of strangers (x402 clients with no Tally credentials), all together. */
export const MAX_ANONYMOUS_SESSIONS = 1_000;

/** Whether a request carries Tally credentials of any kind (`auth.ts`). */
const hasCredentials = (request: Request) =>
  request.headers.has('authorization') || request.headers.has('x-tally-signature');

/**
 * `/mcp/<slug>`: every registered server as a real MCP Streamable HTTP endpoint. Each request is
 * authenticated (bearer grant, session-key or wallet signature: `auth.ts`) before anything reaches
 * the upstream; a session belongs to the person who opened it.
 *
 * Sessions live in this process (as MCP's Streamable HTTP sessions do): several Tally processes
 * behind a load balancer route a session's requests by its `Mcp-Session-Id` header.
 */
export function mcpEndpoint(deps: GatewayDeps): {
  app: Hono;
  sessions: Map<string, Bridge>;
  closeAll(): Promise<void>;
} {
  const sessions = new Map<string, Bridge>();
  const app = new Hono();

  const sweep = setInterval(() => {
    const idleSince = Date.now() - SESSION_IDLE_MS;
    for (const [id, bridge] of sessions) {
      if (bridge.lastSeen < idleSince) {
        sessions.delete(id);
        void bridge.close();
      }
    }
  }, 60_000);
  sweep.unref();

  app.all('/:slug', async (c) => {
    const slug = c.req.param('slug');
    const server = await deps.prices.serverAt(slug);
    if (!server) return rpcError(404, -32601, `There is no MCP server at /mcp/${slug} on this Tally.`);

    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_MCP_BODY_BYTES)
      return rpcError(413, -32600, `Requests through Tally are at most ${MAX_MCP_BODY_BYTES} bytes.`);
    const body = c.req.method === 'POST' ? await c.req.raw.clone().text() : '';
    if (body.length > MAX_MCP_BODY_BYTES)
      return rpcError(413, -32600, `Requests through Tally are at most ${MAX_MCP_BODY_BYTES} bytes.`);

    const sessionId = c.req.header('mcp-session-id');
    const named = sessionId ? sessions.get(sessionId) : undefined;
    let caller: Caller | null = null;
    try {
      // A stranger may open a session on a Tally with a chain: x402 asks them to pay per call.
      if (hasCredentials(c.req.raw) || !deps.chain)
        caller = await authenticate(
          deps,
          deps.grants,
          c.req.raw,
          `/mcp/${slug}`,
          body,
          // A session that is not found is refused below, whatever the nonce.
          sessionId ? (named?.nonces ?? new SessionNonces()) : undefined,
        );
    } catch (error) {
      if (error instanceof AuthRefusal) {
        return rpcError(error.status, -32001, error.message, {
          'WWW-Authenticate': `Bearer realm="tally", error="invalid_token"`,
        });
      }
      throw error;
    }
    let parsedBody: unknown;
    if (body !== '') {
      try {
        parsedBody = JSON.parse(body);
      } catch {
        return rpcError(400, -32700, 'The body is not JSON.');
      }
    }
    const authInfo = { token: '', clientId: caller?.userId ?? '', scopes: [], extra: { caller } };

    if (sessionId) {
      const bridge = named;
      // Someone else's session is not found, as a session that does not exist. A stranger's
      // session is known by its id alone, as a bearer token is: its calls are paid by x402.
      if (!bridge || bridge.userId !== (caller?.userId ?? null) || bridge.slug !== slug)
        return rpcError(404, -32001, 'Session not found: open a new one with initialize.');
      bridge.lastSeen = Date.now();
      return bridge.transport.handleRequest(c.req.raw, { parsedBody, authInfo });
    }

    if (c.req.method !== 'POST' || !isInitializeRequest(parsedBody))
      return rpcError(400, -32600, 'No session: send an initialize request first (without Mcp-Session-Id).');
    if (server.state !== 'active')
      return rpcError(
        503,
        -32002,
        `The server "${server.name}" is paused by its provider: no sessions are opened now.`,
      );

    let bridge: Bridge;
    try {
      bridge = await openBridge(deps, server, upstreamTarget(deps, server), caller, parsedBody, (id) =>
        sessions.delete(id),
      );
    } catch (error) {
      deps.log.warn({ slug, reason: reasonOf(error) }, 'gateway: the upstream did not open a session');
      return rpcError(
        502,
        -32002,
        `Tally could not reach the MCP server "${server.name}": ${reasonOf(error)}. Try again later.`,
      );
    }
    const response = await bridge.transport.handleRequest(c.req.raw, { parsedBody, authInfo });
    const opened = bridge.transport.sessionId;
    if (opened) {
      sessions.set(opened, bridge);
      closeOldest(sessions, caller?.userId ?? null);
    } else {
      await bridge.close();
    }
    return response;
  });

  return {
    app,
    sessions,
    async closeAll() {
      clearInterval(sweep);
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((bridge) => bridge.close()));
    },
  };
}

function closeOldest(sessions: Map<string, Bridge>, userId: string | null): void {
  const own = [...sessions.entries()].filter(([, bridge]) => bridge.userId === userId);
  own.sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
  const most = userId === null ? MAX_ANONYMOUS_SESSIONS : MAX_SESSIONS_PER_PERSON;
  for (const [id, bridge] of own.slice(0, Math.max(0, own.length - most))) {
    sessions.delete(id);
    void bridge.close();
  }
}

function rpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
