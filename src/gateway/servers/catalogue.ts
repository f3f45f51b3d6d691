import { sql } from 'drizzle-orm';
import { queryRows } from '../../core/database';
import type { GatewayDeps } from '../deps';

/** How far back the catalogue's figures look. */
export const CATALOGUE_WINDOW_DAYS = 30;

export interface CatalogueServer {
  slug: string;
  name: string;
  description: string;
  provider: string;
  tools: { name: string; title: string | null; description: string; price: bigint }[];
  /** From Tally's own metering over the window: what directories of paid MCP servers lack. */
  stats: {
    calls: number;
    successRate: number | null;
    refundRate: number | null;
    p50LatencyMs: number | null;
  };
}

/**
 * The public catalogue: every active server with at least one priced tool, its prices, and from
 * Tally's metering of the last 30 days its calls, success rate (served of finished), refund rate
 * (refunded of finished) and median latency.
 */
export async function catalogue(
  deps: Pick<GatewayDeps, 'db' | 'clock'>,
  slug?: string,
): Promise<CatalogueServer[]> {
  const since = new Date(deps.clock.now().getTime() - CATALOGUE_WINDOW_DAYS * 86_400_000);
  const rows = await queryRows<{
    id: string;
    slug: string;
    name: string;
    description: string;
    provider: string;
    tools: { name: string; title: string | null; description: string; price: string }[];
    calls: number;
    served: number;
    refunded: number;
    p50: number | null;
  }>(
    deps.db,
    sql`SELECT s.id, s.slug, s.name, s.description, p.name AS provider,
               (SELECT json_agg(json_build_object('name', t.name, 'title', t.title, 'description', t.description,
                                                  'price', t.price::text) ORDER BY t.name)
                  FROM gateway_tools t WHERE t.server_id = s.id AND t.listed AND t.price IS NOT NULL) AS tools,
               coalesce(m.calls, 0)::int AS calls, coalesce(m.served, 0)::int AS served,
               coalesce(m.refunded, 0)::int AS refunded, m.p50
        FROM gateway_servers s
        JOIN gateway_providers p ON p.id = s.provider_id
        LEFT JOIN LATERAL (
          SELECT count(*) AS calls,
                 count(*) FILTER (WHERE c.state = 'served') AS served,
                 count(*) FILTER (WHERE c.state = 'refunded') AS refunded,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY c.latency_ms) FILTER (WHERE c.latency_ms IS NOT NULL) AS p50
          FROM gateway_calls c WHERE c.server_id = s.id AND c.started_at >= ${since}
        ) m ON true
        WHERE s.state = 'active'
          AND EXISTS (SELECT 1 FROM gateway_tools t WHERE t.server_id = s.id AND t.listed AND t.price IS NOT NULL)
          ${slug ? sql`AND s.slug = ${slug}` : sql``}
        ORDER BY coalesce(m.calls, 0) DESC, s.name, s.slug
        LIMIT 500`,
  );
  return rows.map((r) => {
    const finished = r.served + r.refunded;
    return {
      slug: r.slug,
      name: r.name,
      description: r.description,
      provider: r.provider,
      tools: (r.tools ?? []).map((t) => ({ ...t, price: BigInt(t.price) })),
      stats: {
        calls: r.calls,
        successRate: finished === 0 ? null : r.served / finished,
        refundRate: finished === 0 ? null : r.refunded / finished,
        p50LatencyMs: r.p50 === null ? null : Math.round(Number(r.p50)),
      },
    };
  });
}
