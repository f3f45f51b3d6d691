import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../core/errors';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { HeaderName, HeaderValue, HttpUrl, Name, Slug, Usdc } from '../fields';
import { serverStates } from '../schema';
import { CATALOGUE_WINDOW_DAYS, type CatalogueServer, catalogue } from './catalogue';
import { ServerSchema, serverJson } from './json';
import {
  checkServer,
  getServer,
  listOwnServers,
  registerServer,
  setToolPrices,
  updateServer,
} from './service';

const tags = ['Gateway: providers'];
const Description = z.string().trim().max(2000);
const UpstreamHeader = z
  .strictObject({ name: HeaderName, value: HeaderValue })
  .openapi({ description: 'a header Tally sends the upstream (an API key of yours); stored sealed' });

/** A provider's MCP servers: register, check, price, pause. */
export function serverRoutes(deps: GatewayDeps) {
  const router = createRouter();
  const json = (server: Parameters<typeof serverJson>[0]) => serverJson(server, deps.publicUrl);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/servers',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'My MCP servers, with their tools and prices',
      responses: {
        200: jsonResponse(z.object({ items: z.array(ServerSchema) }), 'The servers'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required']),
      },
    }),
    async (c) => c.json({ items: (await listOwnServers(deps, c.get('actor'))).map(json) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/servers',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary:
        'Register an MCP server: Tally opens a session with it (initialize, tools/list) and lists its tools, unpriced',
      request: jsonBody(
        z.strictObject({
          slug: Slug,
          name: Name,
          description: Description.optional(),
          upstream_url: HttpUrl,
          upstream_header: UpstreamHeader.optional(),
          usage_url: HttpUrl.optional(),
        }),
      ),
      responses: {
        201: jsonResponse(ServerSchema, 'The server'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'slug_taken', 'upstream_unreachable']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const server = await registerServer(deps, c.get('actor'), {
        slug: body.slug,
        name: body.name,
        description: body.description,
        upstreamUrl: body.upstream_url,
        upstreamHeader: body.upstream_header,
        usageUrl: body.usage_url,
      });
      return c.json(json(server), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/servers/{id}',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'One of my MCP servers (administrators: any)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(ServerSchema, 'The server'), ...errorResponses },
    }),
    async (c) => c.json(json(await getServer(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/servers/{id}',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary:
        'Change one of my servers; a new upstream URL or header is checked first. `paused` refuses calls',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            name: Name.optional(),
            description: Description.optional(),
            upstream_url: HttpUrl.optional(),
            upstream_header: UpstreamHeader.nullable().optional(),
            usage_url: HttpUrl.nullable().optional(),
            state: z.enum(serverStates).optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(ServerSchema, 'The server'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'upstream_unreachable']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const server = await updateServer(deps, c.get('actor'), c.req.valid('param').id, {
        name: body.name,
        description: body.description,
        upstreamUrl: body.upstream_url,
        upstreamHeader: body.upstream_header,
        usageUrl: body.usage_url,
        state: body.state,
      });
      return c.json(json(server), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/servers/{id}/check',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary:
        'Open a session with the upstream again and bring its tools up to date (new ones arrive unpriced)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(ServerSchema, 'The server'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'upstream_unreachable']),
      },
    }),
    async (c) => c.json(json(await checkServer(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/servers/{id}/prices',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary:
        'Price tools (USDC micro-units per call; "0" free; null: not callable). Tools not named keep theirs',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            prices: z
              .record(z.string().min(1).max(200), Usdc.nullable())
              .refine((prices) => Object.keys(prices).length > 0, 'name at least one tool'),
          }),
        ),
      },
      responses: {
        200: jsonResponse(ServerSchema, 'The server'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'tool_unknown']),
      },
    }),
    async (c) => {
      const { prices } = c.req.valid('json');
      const parsed = Object.fromEntries(
        Object.entries(prices).map(([name, price]) => [name, price === null ? null : BigInt(price)]),
      );
      return c.json(json(await setToolPrices(deps, c.get('actor'), c.req.valid('param').id, parsed)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/catalogue',
      access: { caller: 'anyone' },
      tags: ['Gateway: catalogue'],
      summary: `Every MCP server on offer: prices per tool and, from Tally's metering of the last ${CATALOGUE_WINDOW_DAYS} days, its calls, success rate, refund rate and median latency`,
      responses: { 200: jsonResponse(z.object({ items: z.array(CatalogueSchema) }), 'The catalogue') },
    }),
    async (c) => c.json({ items: (await catalogue(deps)).map((s) => catalogueJson(s, deps.publicUrl)) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/catalogue/{slug}',
      access: { caller: 'anyone' },
      tags: ['Gateway: catalogue'],
      summary: 'One server of the catalogue',
      request: { params: z.object({ slug: Slug.openapi({ param: { name: 'slug', in: 'path' } }) }) },
      responses: { 200: jsonResponse(CatalogueSchema, 'The server'), ...errorResponses },
    }),
    async (c) => {
      const [found] = await catalogue(deps, c.req.valid('param').slug);
      if (!found) throw notFound('server', { slug: c.req.valid('param').slug });
      return c.json(catalogueJson(found, deps.publicUrl), 200);
    },
  );

  return router;
}

const CatalogueSchema = z
  .object({
    slug: z.string(),
    endpoint: z.string(),
    name: z.string(),
    description: z.string(),
    provider: z.string(),
    tools: z.array(
      z.object({ name: z.string(), title: z.string().nullable(), description: z.string(), price: Usdc }),
    ),
    stats: z.object({
      calls: z.number().int(),
      success_rate: z
        .number()
        .nullable()
        .openapi({ description: 'served of finished calls, 0 to 1; null before any' }),
      refund_rate: z.number().nullable(),
      p50_latency_ms: z.number().int().nullable(),
    }),
  })
  .openapi('GatewayCatalogueServer');

const catalogueJson = (s: CatalogueServer, publicUrl: string) => ({
  slug: s.slug,
  endpoint: `${publicUrl}/mcp/${s.slug}`,
  name: s.name,
  description: s.description,
  provider: s.provider,
  tools: s.tools.map((t) => ({ ...t, price: t.price.toString() })),
  stats: {
    calls: s.stats.calls,
    success_rate: s.stats.successRate,
    refund_rate: s.stats.refundRate,
    p50_latency_ms: s.stats.p50LatencyMs,
  },
});
