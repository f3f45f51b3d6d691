import { desc, eq, sql } from 'drizzle-orm';
import { type Actor, systemActor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { notifyAll } from '../../core/notifications/service';
import { floatReconciliations } from '../schema';
import { FLOAT_IN_ACCOUNT, floatAccountId, topUpTransferId } from './ids';
import { FLOAT_NOTIFICATIONS } from './notifications';
import { type FloatDeps, openTenantOf } from './top-ups';

/**
 * Reconciliation: for each reseller with a database of its own, what left Tally's ledger for its
 * float (the credits posted to its float account) against what arrived in its database's ledger (the
 * debits of the float source account there). A top-up in flight has left one side and may not yet
 * have arrived on the other: each pending top-up whose transfer the tenant's ledger does not hold is
 * counted apart, so a top-up between its two steps is no difference, and one found on both is.
 *
 * Tally's figures are read in one statement (the account and the pending rows agree), then the
 * tenant's: a top-up that arrives in between is pending on Tally's side and found in the tenant's,
 * which is how it is counted anyway.
 */

export type FloatReconciliation = typeof floatReconciliations.$inferSelect;

export interface ReconcileRun {
  reconciliations: FloatReconciliation[];
  /** Resellers whose database could not be read (logged): nothing was recorded for them. */
  unreachable: string[];
}

export async function reconcileFloats(
  deps: FloatDeps,
  actor: Actor = systemActor,
  options: { resellerUserId?: string } = {},
): Promise<ReconcileRun> {
  const resellers = await queryRows<{ user_id: string }>(
    deps.db,
    // A shop in the middle of a move has credits between its two ledgers: it is checked once it has moved.
    sql`SELECT user_id FROM credits_tenant_databases d WHERE state = 'ready'
        AND NOT EXISTS (SELECT 1 FROM credits_tenant_moves m WHERE m.reseller_user_id = d.user_id AND m.state <> 'done')
        ${options.resellerUserId ? sql`AND user_id = ${options.resellerUserId}` : sql``}
        ORDER BY user_id`,
  );
  const run: ReconcileRun = { reconciliations: [], unreachable: [] };
  for (const { user_id: resellerUserId } of resellers) {
    try {
      run.reconciliations.push(await reconcileFloat(deps, actor, resellerUserId));
    } catch (error) {
      deps.log.warn({ resellerUserId, err: error }, 'a float could not be reconciled');
      run.unreachable.push(resellerUserId);
    }
  }
  return run;
}

async function reconcileFloat(deps: FloatDeps, actor: Actor, resellerUserId: string) {
  const [main] = await queryRows<{ total: string; pending: { id: string; amount: string }[] }>(
    deps.db,
    sql`SELECT
          (SELECT coalesce(sum(credits_posted), 0)::text FROM ledger_accounts
             WHERE id = ${floatAccountId(resellerUserId)}) AS total,
          (SELECT coalesce(json_agg(json_build_object('id', id, 'amount', amount::text)), '[]'::json)
             FROM credits_float_top_ups
             WHERE reseller_user_id = ${resellerUserId} AND state = 'pending') AS pending`,
  );
  const pending = main!.pending.map((p) => ({ transferId: topUpTransferId(p.id), amount: BigInt(p.amount) }));
  const tenant = await openTenantOf(deps, resellerUserId);
  const [arrivedRow] = await queryRows<{ total: string; arrived: string[] }>(
    tenant.db,
    sql`SELECT
          (SELECT coalesce(sum(debits_posted), 0)::text FROM ledger_accounts WHERE id = ${FLOAT_IN_ACCOUNT}) AS total,
          (SELECT coalesce(array_agg(id::text), '{}') FROM ledger_transfers
             WHERE id = ANY(${sql.param(pending.map((p) => p.transferId))}::uuid[])) AS arrived`,
  );
  const arrived = new Set(arrivedRow!.arrived);
  const inFlight = pending.filter((p) => !arrived.has(p.transferId));
  const mainTotal = BigInt(main!.total);
  const tenantTotal = BigInt(arrivedRow!.total);
  const pendingTotal = inFlight.reduce((sum, p) => sum + p.amount, 0n);
  const difference = mainTotal - pendingTotal - tenantTotal;
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(floatReconciliations)
      .values({
        id: newId(),
        resellerUserId,
        mainTotal,
        tenantTotal,
        pendingTotal,
        pendingCount: inFlight.length,
        difference,
        checkedAt: deps.clock.now(),
      })
      .returning();
    if (difference !== 0n) await flagDifference(tx, deps, actor, row!);
    return row!;
  });
}

/** A difference is audited and every administrator is told, in the transaction that records it. */
async function flagDifference(tx: Db, deps: FloatDeps, actor: Actor, run: FloatReconciliation) {
  const details = {
    resellerUserId: run.resellerUserId,
    mainTotal: run.mainTotal.toString(),
    tenantTotal: run.tenantTotal.toString(),
    pendingTotal: run.pendingTotal.toString(),
    difference: run.difference.toString(),
  };
  await recordAudit(tx, deps.clock, actor, {
    action: 'credits.float.difference',
    objectType: 'credits_float_reconciliation',
    objectId: run.id,
    details,
  });
  const admins = await queryRows<{ id: string }>(
    tx,
    sql`SELECT id FROM core_users WHERE is_admin ORDER BY created_at LIMIT 50`,
  );
  // More left Tally than arrived: the tenant's ledger holds less than it should.
  const sign = run.difference > 0n ? 'less' : 'more';
  await notifyAll(
    tx,
    deps.notifier,
    admins.map((admin) => ({
      userId: admin.id,
      type: FLOAT_NOTIFICATIONS.difference,
      title: `A reseller’s float is off by ${abs(run.difference)} credits`,
      body:
        `Tally’s ledger moved ${run.mainTotal} credits out to the reseller’s database and ` +
        `${run.pendingTotal} are on their way; its database received ${run.tenantTotal}, ` +
        `${abs(run.difference)} ${sign} than it should have.`,
      data: { reconciliationId: run.id, ...details },
      dedupeKey: `float_difference:${run.id}`,
    })),
  );
}

const abs = (value: bigint) => (value < 0n ? -value : value);

/** The reseller's latest reconciliation, if any ran. */
export async function latestReconciliation(db: Db, resellerUserId: string) {
  const [row] = await db
    .select()
    .from(floatReconciliations)
    .where(eq(floatReconciliations.resellerUserId, resellerUserId))
    .orderBy(desc(floatReconciliations.checkedAt), desc(floatReconciliations.id))
    .limit(1);
  return row ?? null;
}
