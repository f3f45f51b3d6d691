import { sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { queryRows } from '../../core/database';
import { olderThan, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
import type { GatewayDeps } from '../deps';
import type { CallState } from '../schema';

export interface CallEntry {
  id: string;
  serverSlug: string;
  serverName: string;
  tool: string;
  price: bigint;
  state: CallState;
  failure: string | null;
  latencyMs: number | null;
  grantId: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * The caller's calls, newest first, with what each cost (a refunded call cost nothing); the first
 * page begins with the calls running now in this process (`processing_request`).
 */
export async function listCalls(
  deps: Pick<GatewayDeps, 'db' | 'meter'>,
  actor: Actor,
  page: PageRequest & { server?: string } = {},
): Promise<Page<CallEntry>> {
  const userId = requireUser(actor);
  await deps.meter.flushed();
  const limit = pageLimit(page.limit);
  const older = olderThan(sql`c.started_at`, sql`c.id`, page.cursor);
  const rows = await queryRows<{
    id: string;
    slug: string;
    name: string;
    tool: string;
    price: string;
    state: CallState;
    failure: string | null;
    latency_ms: number | null;
    grant_id: string | null;
    started_at: string;
    finished_at: string | null;
  }>(
    deps.db,
    sql`SELECT c.id, s.slug, s.name, c.tool, c.price::text, c.state, c.failure, c.latency_ms, c.grant_id,
               c.started_at::text, c.finished_at::text
        FROM gateway_calls c JOIN gateway_servers s ON s.id = c.server_id
        WHERE c.user_id = ${userId}
          ${page.server ? sql`AND s.slug = ${page.server}` : sql``}
          ${older ? sql`AND ${older}` : sql``}
        ORDER BY c.started_at DESC, c.id DESC
        LIMIT ${limit + 1}`,
  );
  const running = page.cursor
    ? []
    : deps.meter.runningOf(userId).filter((t) => !page.server || t.start.slug === page.server);
  const names = new Map<string, string>();
  if (running.length > 0) {
    const ids = [...new Set(running.map((t) => t.start.serverId))];
    for (const row of await queryRows<{ id: string; name: string }>(
      deps.db,
      sql`SELECT id, name FROM gateway_servers WHERE id = ANY(${sql.param(ids)}::uuid[])`,
    ))
      names.set(row.id, row.name);
  }
  const page1 = pageOf(
    rows.map((r) => ({
      id: r.id,
      serverSlug: r.slug,
      serverName: r.name,
      tool: r.tool,
      price: BigInt(r.price),
      state: r.state,
      failure: r.failure,
      latencyMs: r.latency_ms,
      grantId: r.grant_id,
      startedAt: new Date(r.started_at),
      finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    })),
    limit,
    (c) => ({ at: c.startedAt, id: c.id }),
  );
  const now: CallEntry[] = running.map((t) => ({
    id: t.id,
    serverSlug: t.start.slug,
    serverName: names.get(t.start.serverId) ?? t.start.slug,
    tool: t.start.tool,
    price: t.start.price,
    state: 'processing_request',
    failure: null,
    latencyMs: null,
    grantId: t.start.grantId,
    startedAt: t.startedAt,
    finishedAt: null,
  }));
  return { ...page1, items: [...now, ...page1.items] };
}

/** What the caller spent per day and server over the last `days` days (charged calls only), for the chart. */
export async function spendByServer(
  deps: Pick<GatewayDeps, 'db' | 'clock' | 'meter'>,
  actor: Actor,
  days: number,
): Promise<{ day: string; slug: string; server: string; amount: bigint; calls: number }[]> {
  const userId = requireUser(actor);
  await deps.meter.flushed();
  const since = new Date(deps.clock.now().getTime() - days * 86_400_000);
  const rows = await queryRows<{ day: string; slug: string; server: string; amount: string; calls: number }>(
    deps.db,
    sql`SELECT to_char(date_trunc('day', c.started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, s.slug,
               s.name AS server, sum(c.price)::text AS amount, count(*)::int AS calls
        FROM gateway_calls c JOIN gateway_servers s ON s.id = c.server_id
        WHERE c.user_id = ${userId} AND c.state = 'served' AND c.started_at >= ${since}
        GROUP BY 1, 2, 3 ORDER BY 1, 2`,
  );
  return rows.map((r) => ({
    day: r.day,
    slug: r.slug,
    server: r.server,
    amount: BigInt(r.amount),
    calls: r.calls,
  }));
}
