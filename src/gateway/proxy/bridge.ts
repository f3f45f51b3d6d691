import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  CallToolResultSchema,
  CompleteRequestSchema,
  CompleteResultSchema,
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
  EmptyResultSchema,
  ErrorCode,
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
  McpError,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../../core/errors';
import { canonicalJson } from '../../core/json';
import { signWith } from '../../core/signed';
import type { Call } from '../calls/leases';
import type { Begun } from '../calls/meter';
import type { GatewayDeps } from '../deps';
import { formatUsdc } from '../ledger';
import { REFUND_RULE, type Receipt, SIGNING_PURPOSES } from '../receipts';
import type { Server as ServerRow } from '../servers/service';
import { connectUpstream, type UpstreamTarget } from '../servers/upstream';
import { paymentRequiredOf, type ToolOffer, X402_META } from '../x402/offers';
import { type Payer, payerOfCall, paymentRequiredResult } from '../x402/payment';
import { type Caller, SessionNonces } from './auth';

/** How long Tally waits for an upstream's answer without a progress notification, and at most in all. */
export const UPSTREAM_TIMEOUT_MS = 60_000;
export const UPSTREAM_MAX_TOTAL_MS = 10 * 60_000;
/** How long a quote in `tools/list` holds. */
const QUOTE_SECONDS = 3600;
/** The `_meta` keys Tally reads from a request and adds to answers. */
export const META = {
  idempotencyKey: 'tally/idempotency_key',
  price: 'tally/price',
  quote: 'tally/quote',
  receipt: 'tally/receipt',
  refunded: 'tally/refunded',
  error: 'tally/error',
} as const;

/**
 * One MCP session through Tally: the client's session with Tally (an SDK `Server` on a Streamable
 * HTTP transport) and Tally's session with the upstream (an SDK `Client`). Every request is
 * forwarded as it came and every answer, notification and error passes back unchanged, except that
 * `tools/list` carries each tool's price and signed quote, and a priced `tools/call` is charged: its
 * price held before it is forwarded, captured when it succeeds, released when it fails.
 */
export interface Bridge {
  transport: WebStandardStreamableHTTPServerTransport;
  /** Who opened the session; null for a session opened with no Tally credentials (an x402 client). */
  userId: string | null;
  /**
   * The payer of the first x402 payment in a session opened with no credentials: the session's
   * later calls are charged to them with no payment each (what a top-up left in their balance).
   */
  payer: Caller | null;
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
      callTool(deps, server, upstream, request, extra as unknown as CallExtra, bridge),
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

/** Forwards a request upstream; an upstream error passes back as the same JSON-RPC error. */
async function relay<T extends Parameters<Client['request']>[1]>(
  upstream: Client,
  request: { method: string; params?: Record<string, unknown> },
  schema: T,
  options: RequestOptions,
) {
  try {
    return await upstream.request(request as Parameters<Client['request']>[0], schema, {
      timeout: UPSTREAM_TIMEOUT_MS,
      maxTotalTimeout: UPSTREAM_MAX_TOTAL_MS,
      resetTimeoutOnProgress: true,
      ...options,
    });
  } catch (error) {
    if (error instanceof McpError) throw error;
    throw new McpError(ErrorCode.InternalError, `the upstream server failed: ${(error as Error).message}`);
  }
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

interface CallExtra {
  signal: AbortSignal;
  authInfo?: { extra?: Record<string, unknown> };
  sessionId?: string;
  requestId: string | number;
  _meta?: { progressToken?: string | number };
  sendNotification(notification: { method: string; params: Record<string, unknown> }): Promise<void>;
}

/**
 * The caller a transport request carried (set by the endpoint from the request's authentication),
 * else the payer an earlier x402 payment bound to the session; null for a stranger.
 */
const callerOf = (extra: CallExtra, session: Pick<Bridge, 'payer'>): Caller | null =>
  (extra.authInfo?.extra?.caller as Caller | null | undefined) ?? session.payer;

export async function callTool(
  deps: GatewayDeps,
  server: ServerRow,
  upstream: Client,
  request: { params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> } },
  extra: CallExtra,
  session: Pick<Bridge, 'payer' | 'userId'>,
  offerUrl = `${deps.publicUrl}/mcp/${server.slug}`,
): Promise<CallToolResult> {
  const name = request.params.name;
  // The server's state and the tool's price as they were a moment ago (`PriceBook`).
  const found = await deps.prices.of(server.id).lookup(name);
  if (found.state !== 'active')
    return refusal(
      `The server "${server.name}" is paused by its provider: no calls are taken now.`,
      'server_paused',
    );
  if (found.price === null)
    throw new McpError(ErrorCode.InvalidParams, `Tool ${name} is not offered through Tally on this server.`);

  const meta = { ...(request.params._meta ?? {}) };
  const clientKey = meta[META.idempotencyKey];
  delete meta[META.idempotencyKey];
  const payment = meta[X402_META.payment];
  delete meta[X402_META.payment];

  const offer: ToolOffer = {
    slug: server.slug,
    serverName: server.name,
    tool: name,
    price: found.price,
    url: offerUrl,
  };
  const known = callerOf(extra, session);
  if (found.price === 0n && !known)
    return refusal(
      `Tally needs to know who calls ${name}, though it is free: pay for a priced tool first in this session, or sign requests with a Tally grant.`,
      'caller_unknown',
    );
  const payer: Payer =
    found.price === 0n && known
      ? { kind: 'payer', caller: known, settlement: null }
      : await payerOfCall(deps, offer, payment, known);
  if (payer.kind === 'payment_required') return paymentRequiredResult(payer.paymentRequired);
  const { caller, settlement } = payer;
  // A stranger's session is the payer's from its first payment: a top-up pays its next calls.
  if (settlement && session.userId === null && !session.payer) session.payer = caller;
  const paid = settlement ? { [X402_META.paymentResponse]: settlement } : {};
  const ownKey = typeof clientKey === 'string' && clientKey.length > 0 && clientKey.length <= 200;
  const key = ownKey
    ? `client:${clientKey}`
    : `session:${extra.sessionId}:${JSON.stringify(extra.requestId)}`;
  const requestHash = createHash('sha256')
    .update(canonicalJson({ method: 'tools/call', name, arguments: request.params.arguments ?? {} }))
    .digest('hex');

  let begun: Begun;
  try {
    begun = await deps.meter.begin({
      userId: caller.userId,
      grantId: caller.grantId,
      serverId: server.id,
      providerId: server.providerId,
      slug: server.slug,
      tool: name,
      price: found.price,
      requestHash,
      key,
      clientKey: ownKey,
    });
  } catch (error) {
    if (error instanceof AppError) return paymentRefusal(deps, error, offer, paid);
    throw error;
  }
  if (begun.kind === 'running')
    throw new McpError(ErrorCode.InvalidRequest, 'The same call is still running: wait for its answer.');
  if (begun.kind === 'replay') return replayOf(deps, begun.call, requestHash, server);
  const { ticket } = begun;

  const progressToken = extra._meta?.progressToken;
  let result: CallToolResult;
  try {
    delete meta.progressToken;
    result = (await relay(
      upstream,
      {
        method: 'tools/call',
        params: { ...request.params, _meta: Object.keys(meta).length > 0 ? meta : undefined },
      },
      CallToolResultSchema,
      {
        signal: extra.signal,
        onprogress:
          progressToken === undefined
            ? undefined
            : (progress) => {
                void extra
                  .sendNotification({
                    method: 'notifications/progress',
                    params: { ...progress, progressToken },
                  })
                  .catch(() => {});
              },
      },
    )) as CallToolResult;
  } catch (error) {
    deps.meter.finish(ticket, { served: false, failure: (error as Error).message.slice(0, 500) });
    throw error;
  }
  if (result.isError) {
    deps.meter.finish(ticket, { served: false, failure: 'the tool answered an error' });
    return { ...result, _meta: { ...result._meta, ...paid, [META.refunded]: true } };
  }
  const { call, balanceAfter } = deps.meter.finish(ticket, { served: true, result });
  if (call.state !== 'served')
    return { ...result, _meta: { ...result._meta, ...paid, [META.refunded]: true } };
  const receipt = receiptOf(deps, { ...call, balanceAfter }, server);
  return { ...result, _meta: { ...result._meta, ...paid, [META.receipt]: receipt } };
}

function receiptOf(
  deps: GatewayDeps,
  call: Pick<Call, 'id' | 'tool' | 'requestHash' | 'price' | 'finishedAt'> & { balanceAfter: bigint },
  server: ServerRow,
) {
  const body: Receipt = {
    call_id: call.id,
    server: server.slug,
    tool: call.tool,
    request_hash: call.requestHash,
    price: call.price.toString(),
    asset: 'USDC',
    balance_after: call.balanceAfter.toString(),
    served_at: (call.finishedAt ?? deps.clock.now()).toISOString(),
  };
  return signWith(deps.keys, SIGNING_PURPOSES.receipts, body);
}

/** A retried request: answered from its first attempt, never charged again. */
function replayOf(deps: GatewayDeps, call: Call, requestHash: string, server: ServerRow): CallToolResult {
  if (call.requestHash !== requestHash)
    throw new McpError(
      ErrorCode.InvalidParams,
      'This idempotency key was used for a different call: use a new key for a new call.',
    );
  if (call.state === 'refunded')
    return refusal(
      'This call failed before and was not charged: send it again with a new request id or idempotency key.',
      'call_refunded',
    );
  const result = call.result as CallToolResult;
  const receipt = receiptOf(deps, { ...call, balanceAfter: deps.meter.availableTo(call.userId) }, server);
  return { ...result, _meta: { ...result._meta, [META.receipt]: receipt } };
}

/** A tool result a model can relay to a person: what went wrong with paying, and what to do. */
function refusal(text: string, code: string, details: Record<string, unknown> = {}): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true, _meta: { [META.error]: { code, ...details } } };
}

async function paymentRefusal(
  deps: GatewayDeps,
  error: AppError,
  offer: ToolOffer,
  paid: Record<string, unknown>,
): Promise<CallToolResult> {
  const details = (error.details ?? {}) as Record<string, string>;
  const usdc = (micro: string | undefined) => formatUsdc(BigInt(micro ?? '0'));
  if (error.code === 'insufficient_credits') {
    const topUp = `${deps.publicUrl}/gateway/deposit`;
    const words = `This tool call was not made: it costs ${usdc(details.price)} and the Tally balance has ${usdc(details.available)}. Ask the person to top up their Tally credits at ${topUp}${deps.chain ? ', or pay with x402' : ''}, then call the tool again.`;
    const tallyError = {
      [META.error]: {
        code: error.code,
        price: details.price,
        available: details.available,
        top_up_url: topUp,
      },
    };
    // x402's answer too: a client that pays per call or tops up needs no more than this.
    if (deps.chain)
      return paymentRequiredResult(
        await paymentRequiredOf(deps.chain, offer, `insufficient_credits: ${words}`),
        {
          ...tallyError,
          ...paid,
        },
      );
    return refusal(words, error.code, tallyError[META.error]);
  }
  if (error.code === 'grant_limit') {
    const words: Record<string, string> = {
      cap: 'total cap',
      daily_budget: 'budget for the last 24 hours',
      provider_cap: 'cap for this provider',
      tool_cap: 'cap for this tool',
      servers: 'list of servers',
    };
    const limit = details.limit ?? 'cap';
    const left =
      details.cap && details.used
        ? ` (${usdc((BigInt(details.cap) - BigInt(details.used)).toString())} left)`
        : '';
    return refusal(
      `This tool call was not made: it would pass the session grant's ${words[limit] ?? limit}${left}. Ask the person to raise the limit or issue a new session grant at ${deps.publicUrl}/gateway/sessions.`,
      error.code,
      details,
    );
  }
  return refusal(`This tool call was not made: ${error.message}.`, error.code, details);
}
