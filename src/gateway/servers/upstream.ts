import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities, Implementation, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../../core/errors';
import { assertPublicUrl } from '../../core/network';
import { gatewayErrors } from '../errors';

/** Where an upstream MCP server is, and the header it wants from Tally (its value in the clear, opened). */
export interface UpstreamTarget {
  url: string;
  header?: { name: string; value: string } | null;
}

/** Tally's name towards upstreams: providers see it in their logs. */
export const GATEWAY_CLIENT: Implementation = { name: 'tally-gateway', version: '1.0.0' };

/** How long Tally waits for an upstream to open a session or list its tools. */
export const UPSTREAM_CHECK_TIMEOUT_MS = 10_000;
/** At most this many pages of `tools/list` are read: a server that pages for ever is refused. */
const MAX_TOOL_PAGES = 20;

/** A client session with the upstream, opened (`initialize` done). The caller closes it. */
export async function connectUpstream(
  target: UpstreamTarget,
  options: {
    timeoutMs: number;
    /** Whether the upstream may be on a loopback or private address (a developer's machine). */
    allowPrivate: boolean;
    capabilities?: ClientCapabilities;
    clientInfo?: Implementation;
  },
): Promise<Client> {
  await assertPublicUrl(target.url, { allowPrivate: options.allowPrivate, field: 'upstream_url' });
  const headers: Record<string, string> = {};
  if (target.header) headers[target.header.name] = target.header.value;
  const transport = new StreamableHTTPClientTransport(new URL(target.url), {
    requestInit: { headers, redirect: 'error' },
    // An upstream is a request-answer partner: when its stream drops, the call fails and is refunded.
    reconnectionOptions: {
      maxReconnectionDelay: 1000,
      initialReconnectionDelay: 200,
      reconnectionDelayGrowFactor: 2,
      maxRetries: 0,
    },
  });
  const client = new Client(options.clientInfo ?? GATEWAY_CLIENT, {
    capabilities: options.capabilities ?? {},
  });
  await client.connect(transport, { timeout: options.timeoutMs });
  return client;
}

export interface UpstreamInspection {
  name: string;
  version: string;
  protocolVersion: string | null;
  tools: Tool[];
}

/**
 * Opens a session with the upstream, reads who it is and every page of its tools, and closes it:
 * what registering or re-checking a server does. A failure is `upstream_unreachable` with the reason.
 */
export async function inspectUpstream(
  target: UpstreamTarget,
  options: { allowPrivate: boolean; timeoutMs?: number },
): Promise<UpstreamInspection> {
  const timeoutMs = options.timeoutMs ?? UPSTREAM_CHECK_TIMEOUT_MS;
  let client: Client | undefined;
  try {
    client = await connectUpstream(target, { timeoutMs, allowPrivate: options.allowPrivate });
    const info = client.getServerVersion();
    if (!client.getServerCapabilities()?.tools) {
      throw new UpstreamProblem(
        'the server offers no tools (its initialize answer has no "tools" capability)',
      );
    }
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const answer = await client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs });
      tools.push(...answer.tools);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    if (cursor) throw new UpstreamProblem(`tools/list went on for more than ${MAX_TOOL_PAGES} pages`);
    const protocolVersion = (client.transport as StreamableHTTPClientTransport).protocolVersion ?? null;
    return { name: info?.name ?? '', version: info?.version ?? '', protocolVersion, tools };
  } catch (error) {
    // An address Tally must not reach is the provider's input to fix, named as such.
    if (error instanceof AppError && error.code === 'validation_failed') throw error;
    throw gatewayErrors.error(
      'upstream_unreachable',
      `Tally could not use the MCP server at ${target.url}: ${reasonOf(error)}`,
      { field: 'upstream_url', reason: reasonOf(error) },
    );
  } finally {
    await client?.close().catch(() => {});
  }
}

class UpstreamProblem extends Error {}

/** A failure in words a provider can act on; never the header Tally sent. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The code that says what happened sits somewhere down the chain of causes (fetch wraps it).
  let causeCode: string | null = null;
  for (let cause: unknown = (error as { cause?: unknown }).cause; cause && typeof cause === 'object'; ) {
    if ('code' in cause && typeof cause.code === 'string') {
      causeCode = cause.code;
      break;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  if (causeCode === 'ECONNREFUSED') return 'the connection was refused (is the server running?)';
  if (causeCode === 'ENOTFOUND') return 'the host name does not resolve';
  if (causeCode === 'UND_ERR_SOCKET' || causeCode === 'ECONNRESET')
    return 'the connection closed before the server answered';
  if (/timed out|timeout/i.test(error.message)) return 'it did not answer in time';
  return (causeCode ? `${error.message} (${causeCode})` : error.message).slice(0, 500);
}
