import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '@x402/core/http';
import type { PaymentRequired, SettleResponse } from '@x402/core/types';
import { SIGN_IN_WITH_X } from '@x402/extensions/sign-in-with-x';
import { Hono } from 'hono';
import { AppError, notFound } from '../../core/errors';
import { createRouter, errorResponses, jsonResponse, parseRawJson } from '../../core/http';
import type { GatewayDeps } from '../deps';
import { Slug } from '../fields';
import { AuthRefusal, authenticate, type Caller } from '../proxy/auth';
import { callTool } from '../proxy/call-tool';
import { upstreamTarget } from '../servers/service';
import { connectUpstream, reasonOf } from '../servers/upstream';
import { discoveryOf } from './discovery';
import { X402_META } from './offers';
import { isPaymentRequired } from './payment';
import { signedInCaller, signInChallenge } from './sign-in';

const tags = ['Gateway: x402'];

/** A tool's arguments: read as sent (a signed request signs its bytes), then parsed. */
const ToolArguments = z.record(z.string(), z.unknown()).openapi('GatewayToolArguments');
const ToolName = z
  .string()
  .min(1)
  .max(128)
  .openapi({ param: { name: 'tool', in: 'path' } });
/** x402's `DiscoveryResourcesResponse`. */
const DiscoverySchema = z.object({
  x402Version: z.number(),
  items: z.array(
    z.object({
      resource: z.string(),
      type: z.string(),
      x402Version: z.number(),
      accepts: z.array(z.record(z.string(), z.unknown())),
      lastUpdated: z.string(),
      description: z.string().optional(),
      mimeType: z.string().optional(),
      serviceName: z.string().optional(),
      extensions: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  pagination: z.object({ limit: z.number(), offset: z.number(), total: z.number() }),
});

/** The HTTP side of x402: each priced tool as a paid resource, and the list of them. */
export function x402Routes(deps: GatewayDeps) {
  const router = createRouter();
  router.openAPIRegistry.register('GatewayToolArguments', ToolArguments);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/x402/resources',
      access: { caller: 'anyone' },
      tags,
      summary:
        'The gateway’s paid resources in x402’s discovery shape (also at /.well-known/x402): each priced tool, its price and its top-up',
      responses: { 200: jsonResponse(DiscoverySchema, 'The paid resources') },
    }),
    async (c) => c.json(await discoveryOf(deps), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/x402/{slug}/{tool}',
      access: { caller: 'anyone' },
      tags,
      summary:
        'Call a priced tool over HTTP, paid with x402: without a payment (or Tally credentials with credits) the answer is 402 with PAYMENT-REQUIRED; with PAYMENT-SIGNATURE the payment is settled on chain into the payer’s Tally balance, the tool is called, and PAYMENT-RESPONSE says how it was settled',
      description:
        'The body is the tool’s arguments. The answer is the tool’s MCP result (content, structuredContent). Tally’s own credentials (a bearer grant, a signed request) are taken too: their calls are charged from the balance with no payment.',
      request: {
        params: z.object({ slug: Slug.openapi({ param: { name: 'slug', in: 'path' } }), tool: ToolName }),
        body: {
          required: true,
          description: 'The tool’s arguments',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/GatewayToolArguments' } } },
        },
      },
      responses: {
        200: jsonResponse(z.record(z.string(), z.unknown()), 'The tool’s result'),
        402: jsonResponse(z.record(z.string(), z.unknown()), 'Payment required: x402’s PaymentRequired'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { slug, tool } = c.req.valid('param');
      const raw = await c.req.text();
      const args = parseRawJson(ToolArguments, raw);
      const server = await deps.prices.serverAt(slug);
      if (!server) throw notFound('server', { slug });
      const { price } = await deps.prices.of(server.id).lookup(tool);
      if (price === null) throw notFound('tool', { slug, tool });

      let payment: unknown;
      const signature = c.req.header('payment-signature');
      if (signature) {
        try {
          payment = decodePaymentSignatureHeader(signature);
        } catch {
          payment = null;
        }
      }
      const path = `/api/gateway/x402/${slug}/${tool}`;
      const resourceUrl = `${deps.publicUrl}${path}`;
      let caller: Caller | null = null;
      if (c.req.header('authorization') || c.req.header('x-tally-signature')) {
        try {
          caller = await authenticate(deps, deps.grants, c.req.raw, path, raw);
        } catch (error) {
          if (error instanceof AuthRefusal)
            throw new AppError(error.status === 401 ? 'unauthorized' : 'forbidden', error.message);
          throw error;
        }
      }

      // A wallet that paid before signs in instead of paying (x402's sign-in-with-x).
      const signIn = c.req.header(SIGN_IN_WITH_X);
      if (!caller && payment === undefined && signIn)
        caller = await signedInCaller(deps, signIn, resourceUrl);

      // The upstream is reached only once the call is paid for: a 402 opens no session upstream.
      let opened: Promise<Client> | undefined;
      const upstream = () => {
        opened ??= connectUpstream(upstreamTarget(deps, server), {
          timeoutMs: 15_000,
          allowPrivate: deps.allowPrivateNetwork,
        });
        return opened;
      };
      let result: CallToolResult;
      try {
        const controller = new AbortController();
        result = await callTool(
          deps,
          server,
          upstream,
          { params: { name: tool, arguments: args, _meta: { [X402_META.payment]: payment } } },
          {
            signal: controller.signal,
            authInfo: { extra: { caller } },
            requestId: randomUUID(),
            sendNotification: async () => {},
          },
          { payer: null, userId: caller?.userId ?? null, allowance: 0n },
          resourceUrl,
        );
      } catch (error) {
        if (error instanceof AppError) throw error;
        // Nothing was charged: the call's hold was released before this was thrown.
        if (error instanceof McpError && error.code === ErrorCode.InvalidParams)
          throw new AppError('validation_failed', error.message);
        throw new AppError('unavailable', `the MCP server did not answer: ${reasonOf(error)}`);
      } finally {
        await opened?.then((client) => client.close()).catch(() => {});
      }
      if (isPaymentRequired(result)) {
        const required: PaymentRequired = {
          ...(result.structuredContent as unknown as PaymentRequired),
          extensions: signInChallenge(deps, resourceUrl),
        };
        return c.json(required as unknown as Record<string, unknown>, 402, {
          'payment-required': encodePaymentRequiredHeader(required),
          'cache-control': 'no-store',
        });
      }
      const settlement = result._meta?.[X402_META.paymentResponse] as SettleResponse | undefined;
      return c.json(
        result as Record<string, unknown>,
        200,
        settlement ? { 'payment-response': encodePaymentResponseHeader(settlement) } : {},
      );
    },
  );

  return router;
}

/**
 * `/.well-known/x402`, where x402 crawlers look first: the discovery document's `version` and
 * `resources` (each URL answers 402 with what it costs) and words for an agent, beside the same
 * list in the shape of x402's discovery lists.
 */
export function wellKnownX402(deps: GatewayDeps): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const listed = await discoveryOf(deps);
    return c.json({
      version: 1,
      resources: listed.items.map((item) => item.resource),
      instructions: `Each resource is a tool of an MCP server behind Tally, called by POST with the tool's arguments as JSON and paid with x402 (exact, USDC): the call's price, or a top-up of 100 calls that later calls spend after signing in with the paying wallet (sign-in-with-x). The same tools are reached over MCP at ${deps.publicUrl}/mcp/<server>, paid in _meta["x402/payment"].`,
      ...listed,
    });
  });
  return app;
}
