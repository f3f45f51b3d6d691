import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { queryRows } from '../../core/database';
import { getBalance } from '../engine/balances';
import { type TenantDatabaseState, tenantDatabases } from '../schema';
import { type FloatSettings, getFloatSettings } from './auto-top-up';
import { type FloatReconciliation, latestReconciliation } from './reconcile';
import { type FloatDeps, floatSubject, openTenantOf } from './top-ups';

/** A reseller's float at a glance: both sides, what is on its way, its settings, the last check. */
export interface FloatOverview {
  resellerUserId: string;
  /** The reseller's own database's state; null when it has not asked for one. */
  database: TenantDatabaseState | null;
  /** What its float can still fund in its own database; null when that database cannot be read. */
  available: bigint | null;
  /** Every credit that arrived in its database (applied top-ups). */
  movedIn: bigint;
  pendingCount: number;
  pendingAmount: bigint;
  /** What the reseller has available on Tally, which a top-up draws on. */
  mainAvailable: bigint;
  settings: FloatSettings | null;
  lastReconciliation: FloatReconciliation | null;
}

export async function getFloatOverview(
  deps: FloatDeps,
  actor: Actor,
  userId?: string,
): Promise<FloatOverview> {
  const resellerUserId = await floatSubject(deps.db, actor, userId);
  const [database] = await deps.db
    .select({ state: tenantDatabases.state })
    .from(tenantDatabases)
    .where(eq(tenantDatabases.userId, resellerUserId));
  const [totals] = await queryRows<{ moved_in: string; pending_amount: string; pending_count: number }>(
    deps.db,
    sql`SELECT coalesce(sum(amount) FILTER (WHERE state = 'applied'), 0)::text AS moved_in,
          coalesce(sum(amount) FILTER (WHERE state = 'pending'), 0)::text AS pending_amount,
          count(*) FILTER (WHERE state = 'pending')::int AS pending_count
        FROM credits_float_top_ups WHERE reseller_user_id = ${resellerUserId}`,
  );
  let available: bigint | null = null;
  if (database?.state === 'ready') {
    try {
      const tenant = await openTenantOf(deps, resellerUserId);
      available = (await getBalance(tenant.db, deps.clock, { userId: resellerUserId })).available;
    } catch (error) {
      // The page still shows Tally's side; the tenant's figure is missing, not made up.
      deps.log.warn({ resellerUserId, err: error }, 'a reseller’s database could not be read for its float');
    }
  }
  const main = await getBalance(deps.db, deps.clock, { userId: resellerUserId });
  return {
    resellerUserId,
    database: database?.state ?? null,
    available,
    movedIn: BigInt(totals!.moved_in),
    pendingCount: totals!.pending_count,
    pendingAmount: BigInt(totals!.pending_amount),
    mainAvailable: main.available,
    settings: await getFloatSettings(deps, resellerUserId),
    lastReconciliation: await latestReconciliation(deps.db, resellerUserId),
  };
}
