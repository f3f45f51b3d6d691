import { z } from '@hono/zod-openapi';
import { iso, Usdc, Uuid } from '../fields';
import { serverStates } from '../schema';
import type { ServerTool, ServerWithTools } from './service';

export const ToolSchema = z
  .object({
    name: z.string(),
    title: z.string().nullable(),
    description: z.string(),
    input_schema: z.record(z.string(), z.unknown()),
    price: Usdc.nullable().openapi({
      description: 'USDC micro-units per call; null: not priced, so not callable',
    }),
    listed: z.boolean().openapi({ description: 'whether the upstream’s last tools/list had it' }),
  })
  .openapi('GatewayTool');

export const toolJson = (t: ServerTool) => ({
  name: t.name,
  title: t.title,
  description: t.description,
  input_schema: t.inputSchema as Record<string, unknown>,
  price: t.price?.toString() ?? null,
  listed: t.listed,
});

export const ServerSchema = z
  .object({
    id: Uuid,
    provider_id: Uuid,
    slug: z.string(),
    endpoint: z.string().openapi({ description: 'where MCP clients connect: /mcp/<slug> on this Tally' }),
    name: z.string(),
    description: z.string(),
    upstream_url: z.string(),
    upstream_header: z
      .object({ name: z.string() })
      .nullable()
      .openapi({ description: 'the header Tally sends upstream; its value is never shown again' }),
    usage_url: z.string().nullable(),
    state: z.enum(serverStates),
    upstream: z.object({
      name: z.string().nullable(),
      version: z.string().nullable(),
      protocol_version: z.string().nullable(),
      checked_at: z.string().nullable(),
      check_error: z.string().nullable(),
    }),
    tools: z.array(ToolSchema),
    unpriced_tools: z
      .number()
      .int()
      .openapi({ description: 'listed tools without a price: they cannot be called yet' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('GatewayServer');

export const serverJson = (s: ServerWithTools, publicUrl: string) => ({
  id: s.id,
  provider_id: s.providerId,
  slug: s.slug,
  endpoint: `${publicUrl}/mcp/${s.slug}`,
  name: s.name,
  description: s.description,
  upstream_url: s.upstreamUrl,
  upstream_header: s.upstreamHeaderName ? { name: s.upstreamHeaderName } : null,
  usage_url: s.usageUrl,
  state: s.state,
  upstream: {
    name: s.upstreamName,
    version: s.upstreamVersion,
    protocol_version: s.protocolVersion,
    checked_at: iso(s.checkedAt),
    check_error: s.checkError,
  },
  tools: s.tools.map(toolJson),
  unpriced_tools: s.tools.filter((t) => t.listed && t.price === null).length,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});
