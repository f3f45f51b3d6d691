import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CompleteResultSchema,
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
  EmptyResultSchema,
  GetPromptRequestSchema,
  GetPromptResultSchema,
  type InitializeRequest,
  ListPromptsRequestSchema,
  ListPromptsResultSchema,
  ListResourcesRequestSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesRequestSchema,
  ListResourceTemplatesResultSchema,
  ListRootsRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  ListToolsResultSchema,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { signWith } from '../../core/signed';
import type { GatewayDeps } from '../deps';
import { formatUsdc } from '../ledger';
import { REFUND_RULE, SIGNING_PURPOSES } from '../receipts';
import type { Server as ServerRow } from '../servers/service';
import { connectUpstream, type UpstreamTarget } from '../servers/upstream';
import type { StrangerSession } from '../x402/payment';
import { type Caller, SessionNonces } from './auth';
import { type CallExtra, callTool, META, relay, UPSTREAM_MAX_TOTAL_MS } from './call-tool';

/** How long a quote in `tools/list` holds. */
const QUOTE_SECONDS = 3600;

/**
 * One MCP session through Tally: the client's session with Tally (an SDK `Server` on a Streamable
 * HTTP transport) and Tally's session with the upstream (an SDK `Client`). Every request is
 * forwarded as it came and every answer, notification and error passes back unchanged, except that
 * `tools/list` carries each tool's price and signed quote, and a priced `tools/call` is charged: its
 * price held before it is forwarded, captured when it succeeds, released when it fails.
 */
export interface Bridge extends StrangerSession {
  transport: WebStandardStreamableHTTPServerTransport;
  slug: string;
  lastSeen: number;
  /** The nonces of the session's signed requests (`auth.ts`). */
  nonces: SessionNonces;
  close(): Promise<void>;
}

export async function openBridge(
  deps: GatewayDeps,
  server: ServerRow,
  target: UpstreamTarget,
  caller: Caller | null,
  initialize: InitializeRequest,
  onClosed: (sessionId: string) => void,
): Promise<Bridge> {
  // Tally's session upstream offers what the client offers: the upstream may ask for a model's
  // completion (sampling), the person's input (elicitation) or the client's roots, through Tally.
  const clientCapabilities = initialize.params.capabilities ?? {};
  const upstream = await connectUpstream(target, {
    timeoutMs: 15_000,
    allowPrivate: deps.allowPrivateNetwork,
    capabilities: {
      ...(clientCapabilities.sampling ? { sampling: clientCapabilities.sampling } : {}),
      ...(clientCapabilities.elicitation ? { elicitation: clientCapabilities.elicitation } : {}),
      ...(clientCapabilities.roots ? { roots: clientCapabilities.roots } : {}),
    },
    clientInfo: { name: `tally-gateway (for ${initialize.params.clientInfo.name})`, version: '1.0.0' },
  });
  const capabilities = upstream.getServerCapabilities() ?? {};
  const info = upstream.getServerVersion();
  const mcp = new Server(
    { name: server.name, version: info?.version ?? '1.0.0', title: server.name },
    { capabilities, instructions: upstream.getInstructions() },
  );
  const forward =
    <T extends Parameters<Client['request']>[1]>(method: string, schema: T) =>
    (request: { params?: Record<string, unknown> }, extra: { signal: AbortSignal }) =>
      relay(upstream, { method, params: request.params }, schema, { signal: extra.signal });

  if (capabilities.tools) {
    mcp.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
      const listed = await relay(
        upstream,
        { method: 'tools/list', params: request.params },
        ListToolsResultSchema,
        {
          signal: extra.signal,
        },
      );
      return withPrices(deps, server, listed);
    });
    mcp.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      callTool(deps, server, async () => upstream, request, extra as unknown as CallExtra, bridge),
    );
  }
  if (capabilities.resources) {
    mcp.setRequestHandler(ListResourcesRequestSchema, forward('resources/list', ListResourcesResultSchema));
    mcp.setRequestHandler(
      ListResourceTemplatesRequestSchema,
      forward('resources/templates/list', ListResourceTemplatesResultSchema),
    );
    mcp.setRequestHandler(ReadResourceRequestSchema, forward('resources/read', ReadResourceResultSchema));
    if (capabilities.resources.subscribe) {
      mcp.setRequestHandler(SubscribeRequestSchema, forward('resources/subscribe', EmptyResultSchema));
      mcp.setRequestHandler(UnsubscribeRequestSchema, forward('resources/unsubscribe', EmptyResultSchema));
    }
  }
  if (capabilities.prompts) {
    mcp.setRequestHandler(ListPromptsRequestSchema, forward('prompts/list', ListPromptsResultSchema));
    mcp.setRequestHandler(GetPromptRequestSchema, forward('prompts/get', GetPromptResultSchema));
  }
  if (capabilities.completions)
    mcp.setRequestHandler(CompleteRequestSchema, forward('completion/complete', CompleteResultSchema));
  if (capabilities.logging)
    mcp.setRequestHandler(SetLevelRequestSchema, forward('logging/setLevel', EmptyResultSchema));
  // What the upstream asks of the client passes to it, and the client's answer (or error) back.
  const toClient =
    <T extends Parameters<Server['request']>[1]>(method: string, schema: T) =>
    (request: { params?: Record<string, unknown> }, extra: { signal: AbortSignal }) =>
      mcp.request({ method, params: request.params } as Parameters<Server['request']>[0], schema, {
        signal: extra.signal,
        timeout: UPSTREAM_MAX_TOTAL_MS,
      });
  if (clientCapabilities.sampling)
    upstream.setRequestHandler(
      CreateMessageRequestSchema,
      toClient('sampling/createMessage', CreateMessageResultSchema),
    );
  if (clientCapabilities.elicitation)
    upstream.setRequestHandler(ElicitRequestSchema, toClient('elicitation/create', ElicitResultSchema));
  if (clientCapabilities.roots)
    upstream.setRequestHandler(ListRootsRequestSchema, toClient('roots/list', ListRootsResultSchema));
  // And what the client announces (its roots changed) reaches the upstream.
  mcp.fallbackNotificationHandler = async (notification) => {
    await upstream.notification(notification as Parameters<typeof upstream.notification>[0]).catch(() => {});
  };
  // What the upstream announces (lists changed, resources updated, log messages) reaches the client.
  upstream.fallbackNotificationHandler = async (notification) => {
    await mcp.notification(notification as Parameters<typeof mcp.notification>[0]).catch(() => {});
  };

  let closed = false;
  const bridge: Bridge = {
    transport: new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessionclosed: (id) => {
        onClosed(id);
        void bridge.close();
      },
    }),
    userId: caller?.userId ?? null,
    payer: null,
    allowance: 0n,
    slug: server.slug,
    lastSeen: Date.now(),
    nonces: new SessionNonces(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([mcp.close(), upstream.close()]);
    },
  };
  upstream.onclose = () => {
    void bridge.close();
  };
  await mcp.connect(bridge.transport);
  return bridge;
}

/** `tools/list` as the upstream answered it, less tools without a price, each with its price and a signed quote. */
async function withPrices(
  deps: GatewayDeps,
  server: ServerRow,
  listed: Awaited<ReturnType<Client['listTools']>>,
): Promise<typeof listed> {
  const priced = await deps.prices.of(server.id).priced();
  const validUntil = new Date(deps.clock.now().getTime() + QUOTE_SECONDS * 1000).toISOString();
  return {
    ...listed,
    tools: listed.tools
      .filter((tool) => priced.has(tool.name))
      .map((tool) => {
        const price = priced.get(tool.name)!.toString();
        return {
          ...tool,
          _meta: {
            ...tool._meta,
            [META.price]: {
              amount: price,
              asset: 'USDC',
              decimals: 6,
              display: formatUsdc(BigInt(price)),
            },
            [META.quote]: signWith(deps.keys, SIGNING_PURPOSES.quotes, {
              server: server.slug,
              tool: tool.name,
              price,
              maximum: price,
              asset: 'USDC' as const,
              refund: REFUND_RULE,
              valid_until: validUntil,
            }),
          },
        };
      }),
  };
}
