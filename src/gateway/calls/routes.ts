import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../core/actor';
import { createRouter, errorResponses, jsonResponse } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { GatewayDeps } from '../deps';
import { iso, Slug, Usdc, Uuid } from '../fields';
import { SIGNING_PURPOSES } from '../receipts';
import { callStates } from '../schema';
import { type CallEntry, listCalls, spendByServer } from './history';
import { type Balance, balanceOf, userStates } from './service';

const tags = ['Gateway: credits'];

export const BalanceSchema = z
  .object({
    asset: z.literal('USDC'),
    decimals: z.literal(6),
    available: Usdc.openapi({ description: 'what calls and withdrawals can spend now' }),
    held: Usdc.openapi({ description: 'held for calls running now and withdrawals on their way' }),
    deposited: Usdc,
    spent: Usdc,
    state: z.enum(userStates).openapi({
      description:
        'the seed’s user state: no_credits, has_credits, insufficient_credits (below the cheapest tool), withdrew_funds',
    }),
  })
  .openapi('GatewayBalance');

export const CallSchema = z
  .object({
    id: Uuid,
    server: z.object({ slug: z.string(), name: z.string() }),
    tool: z.string(),
    price: Usdc,
    cost: Usdc.openapi({ description: 'what the call cost: its price when served, 0 when refunded' }),
    state: z.enum(callStates),
    failure: z.string().nullable(),
    latency_ms: z.number().int().nullable(),
    grant_id: Uuid.nullable(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('GatewayCall');

export const balanceJson = (balance: Balance) => ({
  asset: 'USDC' as const,
  decimals: 6 as const,
  available: balance.available.toString(),
  held: balance.held.toString(),
  deposited: balance.deposited.toString(),
  spent: balance.spent.toString(),
  state: balance.state,
});

export const callJson = (c: CallEntry) => ({
  id: c.id,
  server: { slug: c.serverSlug, name: c.serverName },
  tool: c.tool,
  price: c.price.toString(),
  cost: c.state === 'served' ? c.price.toString() : '0',
  state: c.state,
  failure: c.failure,
  latency_ms: c.latencyMs,
  grant_id: c.grantId,
  started_at: c.startedAt.toISOString(),
  finished_at: iso(c.finishedAt),
});

/** A person's balance and calls, and the keys anyone checks Tally's receipts and quotes with. */
export function accountRoutes(deps: GatewayDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/balance',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'My gateway balance in USDC micro-units, and my state',
      responses: { 200: jsonResponse(BalanceSchema, 'The balance'), ...errorResponses },
    }),
    async (c) => c.json(balanceJson(await balanceOf(deps, requireUser(c.get('actor')))), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/calls',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary:
        'My calls through the gateway, newest first, with what each cost (a refunded call cost nothing)',
      request: { query: z.object({ ...pageQuery, server: Slug.optional() }) },
      responses: { 200: jsonResponse(pageSchema(CallSchema), 'A page of calls'), ...errorResponses },
    }),
    async (c) => c.json(pageJson(await listCalls(deps, c.get('actor'), c.req.valid('query')), callJson), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/spend',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'What I spent per day and server over the last days (30 by default), for the chart',
      request: { query: z.object({ days: z.coerce.number().int().min(1).max(365).optional() }) },
      responses: {
        200: jsonResponse(
          z.object({
            days: z.number().int(),
            items: z.array(
              z.object({ day: z.string(), server: z.string(), amount: Usdc, calls: z.number().int() }),
            ),
          }),
          'Spend by day and server',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const days = c.req.valid('query').days ?? 30;
      const items = await spendByServer(deps, c.get('actor'), days);
      return c.json({ days, items: items.map((i) => ({ ...i, amount: i.amount.toString() })) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      access: { caller: 'anyone' },
      tags,
      summary: 'The Ed25519 public keys (raw, base64url) that sign receipts and price quotes',
      responses: {
        200: jsonResponse(
          z.object({ receipts: z.string(), quotes: z.string(), algorithm: z.literal('Ed25519') }),
          'The keys',
        ),
      },
    }),
    (c) =>
      c.json(
        {
          receipts: deps.keys.signer(SIGNING_PURPOSES.receipts).publicKey,
          quotes: deps.keys.signer(SIGNING_PURPOSES.quotes).publicKey,
          algorithm: 'Ed25519' as const,
        },
        200,
      ),
  );

  return router;
}
