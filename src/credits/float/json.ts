import { z } from '@hono/zod-openapi';
import type { Actor } from '../../core/actor';
import { Credits, iso, Uuid } from '../fields';
import { floatTopUpStates, floatTopUpTriggers, tenantDatabaseStates } from '../schema';
import type { FloatSettings } from './auto-top-up';
import type { FloatOverview } from './overview';
import type { FloatReconciliation } from './reconcile';
import type { FloatTopUp } from './top-ups';

/** The float's JSON: amounts as decimal strings of whole credits. */

export const FloatTopUpSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    amount: Credits,
    trigger: z.enum(floatTopUpTriggers),
    state: z.enum(floatTopUpStates).openapi({
      description: 'pending: left your credits on Tally, on its way to your database; applied: arrived there',
    }),
    attempts: z.number().int().openapi({ description: 'tries to apply it that failed' }),
    last_error: z
      .string()
      .nullable()
      .openapi({ description: 'why the last try failed: administrators only' }),
    created_at: z.string(),
    applied_at: z.string().nullable(),
  })
  .openapi('CreditsFloatTopUp');

export const floatTopUpJson = (t: FloatTopUp, actor: Actor) => ({
  id: t.id,
  user_id: t.resellerUserId,
  amount: t.amount.toString(),
  trigger: t.trigger,
  state: t.state,
  attempts: t.attempts,
  // The driver's words may name the tenant's server, which is Tally's business, not the reseller's.
  last_error: actor.isAdmin ? t.lastError : null,
  created_at: t.createdAt.toISOString(),
  applied_at: iso(t.appliedAt),
});

export const FloatSettingsSchema = z
  .object({
    auto_top_up: z.boolean(),
    threshold: Credits.openapi({ description: 'a top-up is due when the float available falls under it' }),
    amount: Credits.openapi({ description: 'what an automatic top-up moves in' }),
    short_notified_at: z.string().nullable().openapi({
      description: 'when you were told your credits do not cover the top-up; cleared by the next one',
    }),
    updated_at: z.string(),
  })
  .openapi('CreditsFloatSettings');

export const floatSettingsJson = (s: FloatSettings) => ({
  auto_top_up: s.autoTopUp,
  threshold: s.threshold.toString(),
  amount: s.amount.toString(),
  short_notified_at: iso(s.shortNotifiedAt),
  updated_at: s.updatedAt.toISOString(),
});

export const FloatReconciliationSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    main_total: Credits.openapi({ description: 'moved out of Tally’s ledger to the float, ever' }),
    tenant_total: Credits.openapi({ description: 'arrived in the reseller’s database, ever' }),
    pending_total: Credits.openapi({ description: 'on its way: left Tally’s ledger, not yet arrived' }),
    pending_count: z.number().int(),
    difference: z.string().openapi({
      description: 'main − pending − tenant, whole credits (may be negative); 0 when both agree',
      example: '0',
    }),
    checked_at: z.string(),
  })
  .openapi('CreditsFloatReconciliation');

export const floatReconciliationJson = (r: FloatReconciliation) => ({
  id: r.id,
  user_id: r.resellerUserId,
  main_total: r.mainTotal.toString(),
  tenant_total: r.tenantTotal.toString(),
  pending_total: r.pendingTotal.toString(),
  pending_count: r.pendingCount,
  difference: r.difference.toString(),
  checked_at: r.checkedAt.toISOString(),
});

export const FloatSchema = z
  .object({
    user_id: Uuid,
    database_state: z.enum(tenantDatabaseStates).nullable().openapi({
      description: 'your own database’s state; null before you asked for one',
    }),
    available: Credits.nullable().openapi({
      description: 'what your float can still fund in your database; null when it cannot be read now',
    }),
    moved_in: Credits.openapi({ description: 'every credit that arrived in your database' }),
    pending_count: z.number().int(),
    pending_amount: Credits,
    main_available: Credits.openapi({
      description: 'your credits available on Tally: what a top-up draws on',
    }),
    settings: FloatSettingsSchema.nullable(),
    last_reconciliation: FloatReconciliationSchema.nullable(),
  })
  .openapi('CreditsFloat');

export const floatJson = (f: FloatOverview) => ({
  user_id: f.resellerUserId,
  database_state: f.database,
  available: f.available?.toString() ?? null,
  moved_in: f.movedIn.toString(),
  pending_count: f.pendingCount,
  pending_amount: f.pendingAmount.toString(),
  main_available: f.mainAvailable.toString(),
  settings: f.settings ? floatSettingsJson(f.settings) : null,
  last_reconciliation: f.lastReconciliation ? floatReconciliationJson(f.lastReconciliation) : null,
});
