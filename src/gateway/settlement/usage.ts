import { desc, isNotNull, lt, sql } from 'drizzle-orm';
import { queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { assertPublicUrl } from '../../core/network';
import type { GatewayDeps } from '../deps';
import { discrepancies, servers, settlements } from '../schema';
import { reasonOf } from '../servers/upstream';

/** How long a provider's usage report may take to answer. */
const USAGE_TIMEOUT_MS = 10_000;

/**
 * Tally's own metering is the record; a provider's usage report is a second opinion. For every
 * server with a usage URL, its report for the settled period (`?from=&to=`, answering
 * `{"calls": {"<tool>": <count>}}`) is compared per tool with the calls this settlement counted,
 * and each difference (or a report that could not be read) is kept for an administrator.
 */
export async function compareUsage(
  deps: Pick<GatewayDeps, 'db' | 'log' | 'allowPrivateNetwork'>,
  settlement: { id: string; periodEnd: Date },
): Promise<number> {
  const [previous] = await deps.db
    .select({ periodEnd: settlements.periodEnd })
    .from(settlements)
    .where(lt(settlements.periodEnd, settlement.periodEnd))
    .orderBy(desc(settlements.periodEnd))
    .limit(1);
  const from = previous?.periodEnd ?? new Date(0);
  const reporting = await deps.db.select().from(servers).where(isNotNull(servers.usageUrl));
  let found = 0;
  for (const server of reporting) {
    const metered = new Map(
      (
        await queryRows<{ tool: string; n: number }>(
          deps.db,
          sql`SELECT tool, count(*)::int AS n FROM gateway_calls
              WHERE settlement_id = ${settlement.id} AND server_id = ${server.id} GROUP BY tool`,
        )
      ).map((row) => [row.tool, row.n]),
    );
    const rows: (typeof discrepancies.$inferInsert)[] = [];
    try {
      await assertPublicUrl(server.usageUrl!, { allowPrivate: deps.allowPrivateNetwork, field: 'usage_url' });
      const url = new URL(server.usageUrl!);
      url.searchParams.set('from', from.toISOString());
      url.searchParams.set('to', settlement.periodEnd.toISOString());
      const response = await fetch(url, { signal: AbortSignal.timeout(USAGE_TIMEOUT_MS), redirect: 'error' });
      if (!response.ok) throw new Error(`it answered HTTP ${response.status}`);
      const report = (await response.json()) as { calls?: Record<string, unknown> };
      if (!report.calls || typeof report.calls !== 'object') throw new Error('it has no "calls" object');
      const tools = new Set([...metered.keys(), ...Object.keys(report.calls)]);
      for (const tool of [...tools].sort()) {
        const reported = Number(report.calls[tool] ?? 0);
        const counted = metered.get(tool) ?? 0;
        if (!Number.isInteger(reported) || reported !== counted) {
          rows.push({
            id: newId(),
            settlementId: settlement.id,
            serverId: server.id,
            tool,
            metered: counted,
            reported: Number.isInteger(reported) ? reported : null,
            note: `Tally counted ${counted} served calls of ${tool}; the provider reports ${String(report.calls[tool] ?? 0)}`,
          });
        }
      }
    } catch (error) {
      rows.push({
        id: newId(),
        settlementId: settlement.id,
        serverId: server.id,
        tool: null,
        metered: null,
        reported: null,
        note: `the usage report at ${server.usageUrl} could not be read: ${reasonOf(error)}`,
      });
    }
    if (rows.length > 0) {
      await deps.db.insert(discrepancies).values(rows);
      found += rows.length;
    }
  }
  return found;
}
