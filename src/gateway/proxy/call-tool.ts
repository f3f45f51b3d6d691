import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  ErrorCode,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../../core/errors';
import { canonicalJson } from '../../core/json';
import { signWith } from '../../core/signed';
import type { Call } from '../calls/leases';
import type { Begun } from '../calls/meter';
import type { GatewayDeps } from '../deps';
import { formatUsdc } from '../ledger';
import { type Receipt, SIGNING_PURPOSES } from '../receipts';
import type { Server as ServerRow } from '../servers/service';
import { paymentRequiredOf, type ToolOffer, X402_META } from '../x402/offers';
import {
  drawsOnSession,
  type Payer,
  payerOfCall,
  paymentRequiredResult,
  type StrangerSession,
} from '../x402/payment';
import type { Caller } from './auth';

/**
 * A `tools/call` through Tally: who pays (a caller Tally knows, or an x402 payment), its price
 * held before it is forwarded upstream, captured when the tool succeeds and released when it does
 * not, and the answer with its receipt. The MCP bridge (`bridge.ts`) and the x402 HTTP resources
 * (`x402/routes.ts`) both call tools this way.
 */

/** How long Tally waits for an upstream's answer without a progress notification, and at most in all. */
export const UPSTREAM_TIMEOUT_MS = 60_000;
export const UPSTREAM_MAX_TOTAL_MS = 10 * 60_000;
/** The `_meta` keys Tally reads from a request and adds to answers. */
export const META = {
  idempotencyKey: 'tally/idempotency_key',
  price: 'tally/price',
  quote: 'tally/quote',
  receipt: 'tally/receipt',
  refunded: 'tally/refunded',
  error: 'tally/error',
} as const;

/** Forwards a request upstream; an upstream error passes back as the same JSON-RPC error. */
export async function relay<T extends Parameters<Client['request']>[1]>(
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

export interface CallExtra {
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
const callerOf = (extra: CallExtra, session: StrangerSession): Caller | null =>
  (extra.authInfo?.extra?.caller as Caller | null | undefined) ?? session.payer;

export async function callTool(
  deps: GatewayDeps,
  server: ServerRow,
  /** The upstream session, opened when the call is forwarded (a refused call opens none). */
  upstream: () => Promise<Client>,
  request: { params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> } },
  extra: CallExtra,
  session: StrangerSession,
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
  const paid = settlement ? { [X402_META.paymentResponse]: settlement } : {};
  const draws = drawsOnSession(session, caller, settlement);
  if (draws && session.allowance < found.price && deps.chain)
    return paymentRequiredResult(
      await paymentRequiredOf(
        deps.chain,
        offer,
        'session_spent: what was paid in this MCP session is spent; pay again, or top up',
      ),
    );
  if (draws) session.allowance -= found.price;
  const result = await chargeAndForward(deps, server, upstream, request, extra, {
    caller,
    meta,
    clientKey,
    offer,
    paid,
  });
  // Not charged (a refusal, a tool error, a refund): the session keeps what it would have cost.
  if (draws && result._meta?.[META.receipt] === undefined) session.allowance += found.price;
  return result;
}

/** Charges a call to `caller` and forwards it upstream: held, then captured when served, released when not. */
async function chargeAndForward(
  deps: GatewayDeps,
  server: ServerRow,
  upstream: () => Promise<Client>,
  request: { params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> } },
  extra: CallExtra,
  charge: {
    caller: Caller;
    meta: Record<string, unknown>;
    clientKey: unknown;
    offer: ToolOffer;
    paid: Record<string, unknown>;
  },
): Promise<CallToolResult> {
  const { caller, meta, clientKey, offer, paid } = charge;
  const name = request.params.name;
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
      price: offer.price,
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
      await upstream(),
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
