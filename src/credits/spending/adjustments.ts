import { sql } from 'drizzle-orm';
import { type Actor, requireAdmin } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import type { CreditsDeps } from '../deps';
import { adjustCredits, getGrant } from '../engine/grants';
import { derivedId } from '../engine/ledger';
import { findUsageByKey } from '../engine/records';
import { resolveWorkspace } from '../workspaces/service';

/**
 * An administrator's correction of someone's credits, with the reason on record: a positive amount
 * grants (compensation, an offer), a negative one burns, and is refused when the credits are not
 * there. With a workspace, the grant is the workspace's own (spent only there), and the person is
 * the workspace's billing person.
 */
export async function adjustBalance(
  { db, clock }: CreditsDeps,
  actor: Actor,
  input: {
    userId: string;
    workspaceId?: string;
    amount: bigint;
    reason: string;
    expiresAt?: Date | null;
    idempotencyKey?: string;
  },
) {
  requireAdmin(actor);
  if (input.amount === 0n) {
    throw new AppError('validation_failed', 'an adjustment of 0 credits changes nothing', {
      field: 'amount',
    });
  }
  return db.transaction(async (tx) => {
    const found = await queryRows(tx, sql`SELECT 1 FROM core_users WHERE id = ${input.userId}`);
    if (found.length === 0) throw notFound('person', { user_id: input.userId });
    if (input.workspaceId) {
      const workspace = await resolveWorkspace(tx, actor, input.workspaceId, 'org.read');
      if (workspace.billingUserId !== input.userId) {
        throw new AppError('validation_failed', 'a workspace’s credits are its billing person’s', {
          field: 'user_id',
          billing_user_id: workspace.billingUserId,
        });
      }
    }
    const key = input.idempotencyKey;
    // A retry answers the first adjustment (the engine checks the terms match) and is not audited again.
    const replay = key
      ? input.amount > 0n
        ? await getGrant(tx, derivedId('adjustment', input.userId, key))
        : await findUsageByKey(tx, input.userId, `adjustment:${key}`)
      : null;
    const result = await adjustCredits(tx, clock, {
      idempotencyKey: key ?? null,
      userId: input.userId,
      workspaceId: input.workspaceId ?? null,
      amount: input.amount,
      reason: input.reason,
      createdByUserId: actor.userId,
      expiresAt: input.expiresAt ?? null,
    });
    if (replay) return result;
    await recordAudit(tx, clock, actor, {
      action: 'credits.adjust',
      objectType: input.amount > 0n ? 'credits_grant' : 'credits_usage',
      objectId: result.id,
      organizationId: input.workspaceId ?? null,
      details: { userId: input.userId, amount: input.amount.toString(), reason: input.reason },
    });
    return result;
  });
}
