import { sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { queryRows } from '../../core/database';
import type { StreamsDeps } from '../deps';
import { SECONDS_PER_PERIOD } from '../flow-rate';
import { streamsAccountIds } from '../ledger';
import { type PlanToken, planTokens } from '../schema';
import { requireOwnProducer } from './service';

/** What the producer page shows on top: plans, consumers, what flows in, and how both moved. */
export interface ProducerStats {
  activePlans: number;
  /** Wallets streaming to the producer now (a wallet with two plans counts once). */
  consumers: number;
  /** What the running streams bring in a month of 30 days, per token, in wei. */
  monthlyInflow: { token: PlanToken; wei: bigint }[];
  /** What streamed to the producer so far, as the ledger has booked it (up to the start of today, and every closed stream). */
  streamed: { token: PlanToken; wei: bigint }[];
  /** One point a day over the last `days` days (UTC), the last one today: subscriptions running at the day's end, and the month's inflow they make. */
  history: { day: string; subscriptions: number; monthlyInflow: { token: PlanToken; wei: bigint }[] }[];
}

export async function producerStats(deps: StreamsDeps, actor: Actor, days = 30): Promise<ProducerStats> {
  const producer = await requireOwnProducer(deps.db, actor);
  const now = deps.clock.now();
  const [counts] = await queryRows<{ active_plans: number; consumers: number }>(
    deps.db,
    sql`SELECT
          (SELECT count(*)::int FROM streams_plans WHERE producer_id = ${producer.id} AND status = 'active') AS active_plans,
          (SELECT count(DISTINCT s.subscriber_address)::int FROM streams_subscriptions s
             JOIN streams_plans p ON p.id = s.plan_id
             WHERE p.producer_id = ${producer.id} AND s.state IN ('active', 'at_risk')) AS consumers`,
  );
  const month = SECONDS_PER_PERIOD.month;
  const inflow = await queryRows<{ token: PlanToken; rate: string }>(
    deps.db,
    sql`SELECT s.token, sum(s.flow_rate)::text AS rate FROM streams_subscriptions s
        JOIN streams_plans p ON p.id = s.plan_id
        WHERE p.producer_id = ${producer.id} AND s.state IN ('active', 'at_risk') AND s.flow_rate IS NOT NULL
        GROUP BY s.token ORDER BY s.token`,
  );
  // Each day's end: a subscription counts from the moment it started until it closed.
  const history = await queryRows<{
    day: string;
    token: PlanToken | null;
    subscriptions: number;
    rate: string | null;
  }>(
    deps.db,
    sql`WITH days AS (
          SELECT d::date AS day, (d::date + 1)::timestamptz AS day_end
          FROM generate_series((${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')::date - ${days - 1}::int,
                               (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')::date, interval '1 day') AS d
        ), running AS (
          SELECT s.* FROM streams_subscriptions s JOIN streams_plans p ON p.id = s.plan_id
          WHERE p.producer_id = ${producer.id}
        )
        SELECT to_char(days.day, 'YYYY-MM-DD') AS day, r.token,
               count(r.id)::int AS subscriptions, sum(r.flow_rate)::text AS rate
        FROM days LEFT JOIN running r
          ON r.started_at < days.day_end AND (r.closed_at IS NULL OR r.closed_at >= days.day_end)
        GROUP BY days.day, r.token ORDER BY days.day, r.token`,
  );
  const byDay = new Map<string, ProducerStats['history'][number]>();
  for (const row of history) {
    const point = byDay.get(row.day) ?? { day: row.day, subscriptions: 0, monthlyInflow: [] };
    point.subscriptions += row.subscriptions;
    if (row.token && row.rate !== null)
      point.monthlyInflow.push({ token: row.token, wei: BigInt(row.rate) * month });
    byDay.set(row.day, point);
  }
  const booked = await queryRows<{ ledger: PlanToken; credits: string }>(
    deps.db,
    sql`SELECT ledger, credits_posted::text AS credits FROM ledger_accounts
        WHERE id = ANY(${sql.param(planTokens.map((token) => streamsAccountIds.producer(token, producer.id)))}::uuid[])
        ORDER BY ledger`,
  );
  return {
    activePlans: counts!.active_plans,
    streamed: booked.map((row) => ({ token: row.ledger, wei: BigInt(row.credits) })),
    consumers: counts!.consumers,
    monthlyInflow: inflow.map((row) => ({ token: row.token, wei: BigInt(row.rate) * month })),
    history: [...byDay.values()],
  };
}
