import { eq, sql } from 'drizzle-orm';
import { type Actor, requireUser, systemActor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { notify } from '../../core/notifications/service';
import { getBalance } from '../engine/balances';
import { requirePositive } from '../engine/inputs';
import { floatSettings } from '../schema';
import { FLOAT_NOTIFICATIONS } from './notifications';
import { type FloatDeps, floatSubject, openTenantOf, startTopUp } from './top-ups';

/**
 * The automatic top-up: a reseller names a threshold and an amount; when what its float has
 * available in its own database falls under the threshold and no top-up is on its way, the job moves
 * the amount in (trigger `automatic`). When its credits on Tally do not cover it, the reseller is told
 * once, and again only after a top-up has gone through since.
 */

export type FloatSettings = typeof floatSettings.$inferSelect;

export interface FloatSettingsInput {
  autoTopUp: boolean;
  threshold: bigint;
  amount: bigint;
}

export async function setFloatSettings(
  deps: FloatDeps,
  actor: Actor,
  input: FloatSettingsInput,
): Promise<FloatSettings> {
  const resellerUserId = requireUser(actor);
  await floatSubject(deps.db, actor);
  const amount = requirePositive(input.amount, 'amount');
  if (input.threshold < 0n) {
    throw new AppError('validation_failed', 'threshold must be 0 or more', { field: 'threshold' });
  }
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [before] = await tx
      .select()
      .from(floatSettings)
      .where(eq(floatSettings.resellerUserId, resellerUserId))
      .for('update');
    const values = { autoTopUp: input.autoTopUp, threshold: input.threshold, amount, updatedAt: now };
    const [row] = await tx
      .insert(floatSettings)
      .values({ resellerUserId, ...values })
      .onConflictDoUpdate({ target: floatSettings.resellerUserId, set: values })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.float.set_settings',
      objectType: 'credits_float_settings',
      objectId: resellerUserId,
      details: {
        before: before ? settingsDetails(before) : null,
        after: settingsDetails(row!),
      },
    });
    return row!;
  });
}

const settingsDetails = (s: FloatSettings) => ({
  autoTopUp: s.autoTopUp,
  threshold: s.threshold.toString(),
  amount: s.amount.toString(),
});

export async function getFloatSettings(deps: Pick<FloatDeps, 'db'>, resellerUserId: string) {
  const [row] = await deps.db
    .select()
    .from(floatSettings)
    .where(eq(floatSettings.resellerUserId, resellerUserId));
  return row ?? null;
}

export interface AutoTopUpRun {
  toppedUp: number;
  /** Resellers whose credits did not cover their top-up this run. */
  short: number;
}

/** One run of the job over every reseller whose automatic top-up is on and has nothing pending. */
export async function runAutoTopUps(deps: FloatDeps): Promise<AutoTopUpRun> {
  const due = await queryRows<{ reseller_user_id: string; threshold: string; amount: string }>(
    deps.db,
    sql`SELECT s.reseller_user_id, s.threshold::text, s.amount::text FROM credits_float_settings s
        JOIN credits_tenant_databases d ON d.user_id = s.reseller_user_id AND d.state = 'ready'
        WHERE s.auto_top_up AND NOT EXISTS (
          SELECT 1 FROM credits_float_top_ups t WHERE t.reseller_user_id = s.reseller_user_id AND t.state = 'pending')
        ORDER BY s.reseller_user_id`,
  );
  const run: AutoTopUpRun = { toppedUp: 0, short: 0 };
  for (const row of due) {
    const resellerUserId = row.reseller_user_id;
    const amount = BigInt(row.amount);
    try {
      const tenant = await openTenantOf(deps, resellerUserId);
      const float = await getBalance(tenant.db, deps.clock, { userId: resellerUserId });
      if (float.available >= BigInt(row.threshold)) continue;
      const topUp = await startTopUp(deps, systemActor, {
        resellerUserId,
        amount,
        trigger: 'automatic',
        id: newId(),
      });
      if (topUp) run.toppedUp += 1;
    } catch (error) {
      if (error instanceof AppError && error.code === 'insufficient_funds') {
        run.short += 1;
        await tellShortOnce(deps, resellerUserId, amount);
      } else {
        deps.log.warn({ resellerUserId, err: error }, 'an automatic float top-up failed');
      }
    }
  }
  return run;
}

/** Tells the reseller its credits fall short, unless it was told since its last top-up went through. */
async function tellShortOnce(deps: FloatDeps, resellerUserId: string, amount: bigint): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const marked = await queryRows<{ reseller_user_id: string }>(
      tx,
      sql`UPDATE credits_float_settings SET short_notified_at = ${now}
          WHERE reseller_user_id = ${resellerUserId} AND short_notified_at IS NULL
          RETURNING reseller_user_id`,
    );
    if (marked.length === 0) return;
    await notify(tx, deps.notifier, {
      userId: resellerUserId,
      type: FLOAT_NOTIFICATIONS.short,
      title: 'Your shop’s float is low, and your credits do not cover the automatic top-up',
      body:
        `Your float fell under its threshold, and ${amount} credits could not be moved in: your ` +
        'credits on Tally are fewer. Buy more credits or lower the top-up amount; until then your ' +
        'customers’ purchases draw on what is left.',
      link: '/credits/reseller/float',
      data: { amount: amount.toString() },
    });
  });
}
