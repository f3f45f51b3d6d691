import type { DiscoveryResource, DiscoveryResourcesResponse } from '@x402/extensions/bazaar';
import type { GatewayDeps } from '../deps';
import { formatUsdc } from '../ledger';
import { catalogue } from '../servers/catalogue';
import { requirementsOf, X402_VERSION } from './offers';

/**
 * Every priced tool of every active server as a paid HTTP resource, in the shape of x402's
 * discovery lists (`DiscoveryResourcesResponse`), with what Tally accepts for it (the call, and the
 * top-up) and, in `extensions.tally`, the server, the tool, its price and where the same tool is
 * reached over MCP. Free tools need no payment and are left out. Without a chain, nothing is offered.
 */
export async function discoveryOf(deps: GatewayDeps): Promise<DiscoveryResourcesResponse> {
  const chain = deps.chain;
  const items: DiscoveryResource[] = [];
  const lastUpdated = deps.clock.now().toISOString();
  const page = () => ({
    x402Version: X402_VERSION,
    items,
    pagination: { limit: items.length, offset: 0, total: items.length },
  });
  if (!chain) return page();
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
        description: tool.description || `${server.name}: ${tool.name}`,
        mimeType: 'application/json',
        serviceName: server.name,
        extensions: {
          tally: {
            server: server.slug,
            provider: server.provider,
            tool: tool.name,
            title: tool.title,
            price: tool.price.toString(),
            asset: 'USDC',
            display: formatUsdc(tool.price),
            mcp: `${deps.publicUrl}/mcp/${server.slug}`,
          },
        },
      });
    }
  }
  return page();
}
