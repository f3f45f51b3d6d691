import { and, eq, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { backoffMs } from '../../core/jobs';
import { redactText } from '../../core/log';
import { withDatabase } from '../../core/request-database';
import { applyTransfers } from '../../ledger/engine';
import { firstFailure } from '../../ledger/errors';
import { createAccounts } from '../../ledger/service';
import { DEFAULT_PRIORITY } from '../engine/grants';
import { allApplied, CREDITS_LEDGER, GRANT_ACCOUNT_CODE } from '../engine/ledger';
import { floatTopUps } from '../schema';
import { prepareTenantDatabase } from '../tenant-databases/tenancy';
import { FLOAT_IN_ACCOUNT, FLOAT_TRANSFER_CODE, floatGrantId, topUpTransferId } from './ids';
import { type FloatDeps, type FloatTopUp, openTenantOf } from './top-ups';

/**
 * Applying top-ups: a flow of three steps across two databases, none inside the other's transaction
 * (DESIGN.md, "Flows that reach outside"):
 *
 * 1. claim the pending row on Tally's database (a lease, in a short transaction of its own);
 * 2. grant the credits in the tenant's database, in one transaction of it, under the transfer id of
 *    Tally's side: a second try finds the transfer there (`exists`) and grants nothing again;
 * 3. mark the row applied on Tally's database.
 *
 * A crash after 2 leaves the row pending with a lease that runs out; the next try finds step 2 done
 * and only marks it. A crash before 2 committed changed nothing in the tenant's database.
 */

/** How long a process holds a top-up it applies before another may take it over. */
export const APPLY_LEASE_MS = 60_000;
const BATCH = 20;

export interface ApplyOptions {
  /** Called when the tenant's transaction has committed, before Tally's row is marked: a test kills the process here. */
  afterTenantCommit?(topUp: FloatTopUp): void | Promise<void>;
}

export interface ApplyRun {
  applied: number;
  /** Top-ups whose try failed (logged and recorded on the row); each is tried again after a backoff. */
  failed: number;
}

export async function applyPendingTopUps(deps: FloatDeps, options: ApplyOptions = {}): Promise<ApplyRun> {
  const run: ApplyRun = { applied: 0, failed: 0 };
  for (const topUp of await claimPendingTopUps(deps)) {
    try {
      await applyTopUp(deps, topUp, options);
      run.applied += 1;
    } catch (error) {
      run.failed += 1;
      const message = redactText(error instanceof Error ? error.message : String(error));
      deps.log.warn({ topUpId: topUp.id, err: message }, 'a float top-up could not be applied yet');
      const attempts = topUp.attempts + 1;
      await deps.db
        .update(floatTopUps)
        .set({
          attempts,
          lastError: message.slice(0, 500),
          lockedUntil: new Date(deps.clock.now().getTime() + backoffMs(attempts)),
        })
        .where(and(eq(floatTopUps.id, topUp.id), eq(floatTopUps.state, 'pending')));
    }
  }
  return run;
}

/**
 * Takes the pending top-ups nobody holds, each with a lease, skipping rows another process is
 * taking at this moment: across processes each is applied by one at a time.
 */
async function claimPendingTopUps(deps: FloatDeps): Promise<FloatTopUp[]> {
  const now = deps.clock.now();
  const leaseEnd = new Date(now.getTime() + APPLY_LEASE_MS);
  return deps.db.transaction(async (tx) => {
    const due = await queryRows<{ id: string }>(
      tx,
      sql`SELECT id FROM credits_float_top_ups
          WHERE state = 'pending' AND (locked_until IS NULL OR locked_until <= ${now})
          ORDER BY created_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
    );
    if (due.length === 0) return [];
    return tx
      .update(floatTopUps)
      .set({ lockedUntil: leaseEnd })
      .where(sql`${floatTopUps.id} = ANY(${sql.param(due.map((d) => d.id))}::uuid[])`)
      .returning();
  });
}

async function applyTopUp(deps: FloatDeps, topUp: FloatTopUp, options: ApplyOptions): Promise<void> {
  const tenant = await openTenantOf(deps, topUp.resellerUserId);
  await prepareTenantDatabase({ ownDb: deps.db, clock: deps.clock }, tenant.db, topUp.resellerUserId);
  await grantFloatInTenant(tenant.db, deps.clock, topUp);
  await options.afterTenantCommit?.(topUp);
  const now = deps.clock.now();
  await deps.db
    .update(floatTopUps)
    .set({ state: 'applied', appliedAt: now, lockedUntil: null, lastError: null })
    .where(and(eq(floatTopUps.id, topUp.id), eq(floatTopUps.state, 'pending')));
}

/**
 * The tenant's side of a top-up, in one transaction of the tenant's database: the reseller's float
 * grant (no expiry: the credits were bought on Tally) credited from the float source account under
 * Tally's transfer id. Found there already: done, nothing moves again.
 */
export async function grantFloatInTenant(tenantDb: Db, clock: Clock, topUp: FloatTopUp): Promise<void> {
  const transferId = topUpTransferId(topUp.id);
  const grantId = floatGrantId(topUp.id);
  await withDatabase(tenantDb, () =>
    tenantDb.transaction(async (tx) => {
      const [arrived] = await queryRows<{ amount: string; credit_account_id: string }>(
        tx,
        sql`SELECT amount::text, credit_account_id FROM ledger_transfers WHERE id = ${transferId}`,
      );
      if (arrived) {
        if (BigInt(arrived.amount) !== topUp.amount || arrived.credit_account_id !== grantId) {
          throw new AppError('internal', `float transfer ${transferId} arrived with other terms`);
        }
        return;
      }
      const accounts = await createAccounts({ db: tx, clock }, [
        { id: FLOAT_IN_ACCOUNT, ledger: CREDITS_LEDGER, code: 'float_in', owner: 'credits' },
        {
          id: grantId,
          ledger: CREDITS_LEDGER,
          code: GRANT_ACCOUNT_CODE,
          owner: `user:${topUp.resellerUserId}`,
          flags: { debitsMustNotExceedCredits: true },
        },
      ]);
      const failed = accounts.find((a) => a.result !== 'ok' && a.result !== 'exists');
      if (failed) throw new AppError('internal', `float account ${failed.id}: ${failed.result}`);
      const now = clock.now();
      await tx.execute(
        sql`INSERT INTO credits_grants (id, user_id, workspace_id, source, amount, priority, reason, created_at)
            VALUES (${grantId}, ${topUp.resellerUserId}, NULL, 'float', ${topUp.amount.toString()},
              ${DEFAULT_PRIORITY}, ${`float top-up ${topUp.id}`}, ${now})
            ON CONFLICT (id) DO NOTHING`,
      );
      const results = await applyTransfers(
        tx,
        [
          {
            id: transferId,
            debitAccountId: FLOAT_IN_ACCOUNT,
            creditAccountId: grantId,
            amount: topUp.amount,
            ledger: CREDITS_LEDGER,
            code: FLOAT_TRANSFER_CODE,
            metadata: { floatTopUpId: topUp.id },
          },
        ],
        { clock },
      );
      if (!allApplied(results)) {
        throw new AppError('internal', 'the float grant could not be credited', {
          result: firstFailure(results),
        });
      }
    }),
  );
}
