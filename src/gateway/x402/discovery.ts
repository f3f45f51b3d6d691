import type { PaymentRequirements } from '@x402/core/types';
import type { GatewayDeps } from '../deps';
import { catalogue } from '../servers/catalogue';
import { requirementsOf, X402_VERSION } from './offers';

/** One paid resource as x402's discovery lists it (the shape of its facilitators' resource lists). */
export interface DiscoveredResource {
  resource: string;
  type: 'http';
  x402Version: typeof X402_VERSION;
  accepts: PaymentRequirements[];
  lastUpdated: string;
  metadata: Record<string, unknown>;
}

/**
 * Every priced tool of every active server as a paid HTTP resource, with what Tally accepts for it
 * (the call, and the top-up) and where the same tool is reached over MCP. Free tools need no
 * payment and are left out. Without a chain, nothing is offered.
 */
export async function discoveryOf(
  deps: GatewayDeps,
): Promise<{ x402Version: typeof X402_VERSION; items: DiscoveredResource[] }> {
  const chain = deps.chain;
  if (!chain) return { x402Version: X402_VERSION, items: [] };
  const lastUpdated = deps.clock.now().toISOString();
  const items: DiscoveredResource[] = [];
  for (const server of await catalogue(deps)) {
    for (const tool of server.tools) {
      if (tool.price <= 0n) continue;
      const url = `${deps.publicUrl}/api/gateway/x402/${server.slug}/${encodeURIComponent(tool.name)}`;
      items.push({
        resource: url,
        type: 'http',
        x402Version: X402_VERSION,
        accepts: await requirementsOf(chain, {
          slug: server.slug,
          serverName: server.name,
          tool: tool.name,
          price: tool.price,
          url,
        }),
        lastUpdated,
        metadata: {
          server: server.slug,
          serverName: server.name,
          provider: server.provider,
          tool: tool.name,
          title: tool.title,
          description: tool.description,
          price: tool.price.toString(),
          asset: 'USDC',
          mcp: `${deps.publicUrl}/mcp/${server.slug}`,
        },
      });
    }
  }
  return { x402Version: X402_VERSION, items };
}
