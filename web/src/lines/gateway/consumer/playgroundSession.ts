import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { useEffect, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';

/** The playground's own session grant: small and short-lived, so the page never holds much. */
export const PLAYGROUND_CAP = '1000000';
const PLAYGROUND_HOURS = 1;

export interface PlaygroundTool {
  name: string;
  title: string | null;
  description: string;
  inputSchema: { type: 'object'; properties?: Record<string, unknown>; required?: string[] };
  /** What Tally charges per call, from `_meta["tally/price"]`; null when it said nothing. */
  price: string | null;
}

export type PlaygroundSession =
  | { status: 'connecting' }
  | { status: 'connected'; client: Client; tools: PlaygroundTool[]; grantId: string }
  | { status: 'failed'; error: string };

const playgroundClient = () => new Client({ name: 'Tally playground', version: '1.0.0' });

function priceOf(meta: Record<string, unknown> | undefined): string | null {
  const price = meta?.['tally/price'] as { amount?: unknown } | undefined;
  return typeof price?.amount === 'string' ? price.amount : null;
}

async function issuePlaygroundGrant(): Promise<{ id: string; token: string }> {
  const { grant, token } = await call(
    api.POST('/api/gateway/grants', {
      body: {
        label: 'Playground',
        cap: PLAYGROUND_CAP,
        expires_at: new Date(Date.now() + PLAYGROUND_HOURS * 3600 * 1000).toISOString(),
      },
    }),
  );
  return { id: grant.id, token };
}

/**
 * An MCP session with one server through Tally, as any MCP client has it: the official SDK's client
 * over Streamable HTTP, with the bearer token of a session grant the page issues for itself (1 USDC,
 * one hour) and revokes when it is done with it. A new server, or starting over, is a new session.
 */
export function usePlaygroundSession(slug: string): PlaygroundSession {
  const [session, setSession] = useState<PlaygroundSession>({ status: 'connecting' });
  useEffect(() => {
    let cancelled = false;
    let client: Client | null = null;
    const grant = issuePlaygroundGrant();
    void (async () => {
      try {
        const { id, token } = await grant;
        client = playgroundClient();
        const transport = new StreamableHTTPClientTransport(new URL(`/mcp/${slug}`, window.location.origin), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        });
        await client.connect(transport);
        const listed = await client.listTools();
        if (cancelled) return;
        setSession({
          status: 'connected',
          client,
          grantId: id,
          tools: listed.tools.map((tool) => ({
            name: tool.name,
            title: tool.title ?? null,
            description: tool.description ?? '',
            inputSchema: tool.inputSchema,
            price: priceOf(tool._meta),
          })),
        });
      } catch (error) {
        if (!cancelled) setSession({ status: 'failed', error: asApiError(error).message });
      }
    })();
    return () => {
      cancelled = true;
      void client?.close().catch(() => {});
      void grant
        .then(({ id }) => call(api.POST('/api/gateway/grants/{id}/revoke', { params: { path: { id } } })))
        .catch(() => {});
    };
  }, [slug]);
  return session;
}

/** Arguments to start from, by the tool's input schema: each property with an empty value of its type. */
export function argumentsSkeleton(schema: PlaygroundTool['inputSchema']): string {
  const skeleton: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const p = (property ?? {}) as { type?: string | string[]; minimum?: number; default?: unknown };
    const type = Array.isArray(p.type) ? p.type[0] : p.type;
    if (p.default !== undefined) skeleton[name] = p.default;
    else if (type === 'number' || type === 'integer') skeleton[name] = p.minimum ?? 0;
    else if (type === 'boolean') skeleton[name] = false;
    else if (type === 'array') skeleton[name] = [];
    else if (type === 'object') skeleton[name] = {};
    else skeleton[name] = '';
  }
  return JSON.stringify(skeleton, null, 2);
}

/** The arguments typed as JSON, or why they cannot be sent. */
export function parseArguments(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `This is not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'The arguments are a JSON object, such as {"text": "hello"}' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
