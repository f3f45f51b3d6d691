import { z } from '@hono/zod-openapi';
import type { Balance } from '../engine/balances';
import type { Grant } from '../engine/grants';
import type { Reservation, Usage } from '../engine/spending';
import { Credits, iso, Uuid } from '../fields';
import { reservationStates } from '../schema';
import type { GrantDetail } from './service';

/** The JSON of balances, usages, reservations and grants: the zod schemas routes answer with, and each record as JSON. */
export const BalanceSchema = z
  .object({
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    total: Credits,
    used: Credits,
    reserved: Credits,
    available: Credits,
    refilled_at: z.string().nullable(),
    next_refill_at: z.string().nullable(),
  })
  .openapi('CreditsBalance');

export const balanceJson = (b: Balance, userId: string, workspaceId: string | null) => ({
  user_id: userId,
  workspace_id: workspaceId,
  total: b.total.toString(),
  used: b.used.toString(),
  reserved: b.reserved.toString(),
  available: b.available.toString(),
  refilled_at: iso(b.refilledAt),
  next_refill_at: iso(b.nextRefillAt),
});

export const UsageSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    used_for: z.string(),
    used_for_label: z.string().nullable().openapi({
      description:
        'what Tally itself used the credits for, in words ("Invitation of bob@example.com to Acme"), in the usage history',
    }),
    action: z.string().nullable(),
    amount: Credits,
    is_reserved: z.boolean(),
    reservation_id: Uuid.nullable(),
    reserved_for: z.string().nullable().openapi({ description: 'what the credits were reserved for' }),
    paid_by: z.array(
      z.object({
        grant_id: Uuid,
        amount: Credits,
        label: z.string().nullable().openapi({
          description:
            'the grant as people call it: "Pro (refill)", "Adjustment: <reason>" (in the usage history)',
        }),
      }),
    ),
    used_at: z.string(),
  })
  .openapi('CreditsUsage');

/** Names a usage's grants and purposes carry in words (the usage history reads them once per page). */
export interface UsageLabels {
  grants: ReadonlyMap<string, string>;
  purposes: ReadonlyMap<string, string>;
}

export const usageJson = (u: Usage, labels?: UsageLabels) => ({
  id: u.id,
  user_id: u.userId,
  workspace_id: u.workspaceId,
  used_for: u.usedFor,
  used_for_label: labels?.purposes.get(u.usedFor) ?? null,
  action: u.action,
  amount: u.amount.toString(),
  is_reserved: u.isReserved,
  reservation_id: u.reservationId,
  reserved_for: u.reservedFor,
  paid_by: u.paidBy.map((p) => ({
    grant_id: p.grantId,
    amount: p.amount.toString(),
    label: labels?.grants.get(p.grantId) ?? null,
  })),
  used_at: u.usedAt.toISOString(),
});

export const ReservationSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    reserved_for: z.string(),
    action: z.string().nullable(),
    amount: Credits,
    used_amount: Credits,
    state: z.enum(reservationStates),
    expires_at: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('CreditsReservation');

export const reservationJson = (r: Reservation) => ({
  id: r.id,
  user_id: r.userId,
  workspace_id: r.workspaceId,
  reserved_for: r.reservedFor,
  action: r.action,
  amount: r.amount.toString(),
  used_amount: r.usedAmount.toString(),
  state: r.state,
  expires_at: iso(r.expiresAt),
  created_at: r.createdAt.toISOString(),
  finished_at: iso(r.finishedAt),
});

export const GrantSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    source: z.string(),
    amount: Credits,
    remaining: Credits,
    priority: z.number().int(),
    expires_at: z.string().nullable(),
    reason: z.string().nullable(),
    product_id: Uuid.nullable(),
    holding_id: Uuid.nullable(),
    created_at: z.string(),
  })
  .openapi('CreditsGrant');

export const grantJson = (g: Grant) => ({
  id: g.id,
  user_id: g.userId,
  workspace_id: g.workspaceId,
  source: g.source,
  amount: g.amount.toString(),
  remaining: g.remaining.toString(),
  priority: g.priority,
  expires_at: iso(g.expiresAt),
  reason: g.reason,
  product_id: g.productId,
  holding_id: g.holdingId,
  created_at: g.createdAt.toISOString(),
});

export const GrantDetailSchema = GrantSchema.extend({
  label: z
    .string()
    .nullable()
    .openapi({ description: 'the grant as people call it: "Pro (refill)", "Adjustment: <reason>"' }),
  purchase_id: Uuid.nullable().openapi({
    description: 'the purchase whose product it came with; null for an adjustment',
  }),
  expired_at: z
    .string()
    .nullable()
    .openapi({ description: 'when the expiry sweep ended it, what was left returned' }),
}).openapi('CreditsGrantDetail');

export const grantDetailJson = (detail: GrantDetail, label: string | null) => ({
  ...grantJson(detail.grant),
  label,
  purchase_id: detail.purchaseId,
  expired_at: iso(detail.grant.expiredAt),
});
