import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { Amount } from '../../core/amounts';
import { AppError } from '../../core/errors';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { iso, Usdc, Uuid } from '../fields';
import { requireOwnProvider } from '../providers/service';
import { payoutStates } from '../schema';
import {
  claimEarnings,
  getSettings,
  getSettlement,
  listSettlements,
  type Payout,
  periodEndAt,
  providerEarnings,
  resolveDiscrepancy,
  type SettlementRow,
  settle,
  updateSettings,
} from './service';

const tags = ['Gateway: settlement'];

const SettingsSchema = z
  .object({
    fee_bps: z.number().int().openapi({ description: 'the platform fee in basis points (500 = 5 %)' }),
    minimum_payout: Usdc,
    interval_hours: z.number().int(),
  })
  .openapi('GatewaySettings');

const PayoutSchema = z
  .object({
    id: Uuid,
    state: z.enum(payoutStates),
    amount: Usdc,
    to: Address,
    settlement_id: Uuid.nullable(),
    transaction_id: Uuid.nullable(),
    encrypted: z.boolean().openapi({
      description:
        'paid into the provider’s encrypted account (a batch out of the pool), not to its address in USDC',
    }),
    failure: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('GatewayPayout');

const payoutJson = (p: Payout) => ({
  id: p.id,
  state: p.state,
  amount: p.amount.toString(),
  to: p.toAddress,
  settlement_id: p.settlementId,
  transaction_id: p.transactionId,
  encrypted: p.batchId !== null,
  failure: p.failure,
  created_at: p.createdAt.toISOString(),
  finished_at: iso(p.finishedAt),
});

const SettlementSchema = z
  .object({
    id: Uuid,
    period_end: z.string(),
    fee_bps: z.number().int(),
    minimum_payout: Usdc,
    calls: z.number().int(),
    gross: Usdc,
    fees: Usdc,
    created_at: z.string(),
  })
  .openapi('GatewaySettlement');

const settlementJson = (s: SettlementRow) => ({
  id: s.id,
  period_end: s.periodEnd.toISOString(),
  fee_bps: s.feeBps,
  minimum_payout: s.minimumPayout.toString(),
  calls: s.calls,
  gross: s.gross.toString(),
  fees: s.fees.toString(),
  created_at: s.createdAt.toISOString(),
});

export const providerStates = [
  'serving_requests',
  'metrics_collected',
  'payout_calculated',
  'funds_claimable',
] as const;

/** Settlement runs, their settings and discrepancies (administrators); a provider's earnings and claims. */
export function settlementRoutes(deps: GatewayDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/settings',
      access: { caller: 'admin', scope: 'gateway:read' },
      tags,
      summary: 'The platform fee, the minimum payout and the settlement interval (administrators)',
      responses: { 200: jsonResponse(SettingsSchema, 'The settings'), ...errorResponses },
    }),
    async (c) => {
      const s = await getSettings(deps.db);
      return c.json(
        { fee_bps: s.feeBps, minimum_payout: s.minimumPayout.toString(), interval_hours: s.intervalHours },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/settings',
      access: { caller: 'admin', session: true },
      tags,
      summary: 'Change the platform fee, the minimum payout or the settlement interval (administrators)',
      request: jsonBody(
        z.strictObject({
          fee_bps: z.number().int().min(0).max(5000).optional(),
          minimum_payout: Amount.optional(),
          interval_hours: z
            .number()
            .int()
            .min(1)
            .max(24 * 31)
            .optional(),
        }),
      ),
      responses: { 200: jsonResponse(SettingsSchema, 'The settings'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const s = await updateSettings(deps, c.get('actor'), {
        feeBps: body.fee_bps,
        minimumPayout: body.minimum_payout === undefined ? undefined : BigInt(body.minimum_payout),
        intervalHours: body.interval_hours,
      });
      return c.json(
        { fee_bps: s.feeBps, minimum_payout: s.minimumPayout.toString(), interval_hours: s.intervalHours },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/settlements',
      access: { caller: 'admin', scope: 'gateway:read' },
      tags,
      summary: 'Settlement runs, newest first (administrators)',
      responses: {
        200: jsonResponse(z.object({ items: z.array(SettlementSchema) }), 'The runs'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: (await listSettlements(deps, c.get('actor'))).map(settlementJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/settlements',
      access: { caller: 'admin', session: true },
      tags,
      summary:
        'Settle now: everything served before the last interval boundary (or `period_end`) that no run settled. A period settled before changes nothing',
      request: jsonBody(z.strictObject({ period_end: z.iso.datetime({ offset: true }).optional() })),
      responses: {
        200: jsonResponse(z.object({ settlement: SettlementSchema, made: z.boolean() }), 'The run'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const end = body.period_end
        ? new Date(body.period_end)
        : periodEndAt(deps.clock.now(), (await getSettings(deps.db)).intervalHours);
      if (end > deps.clock.now())
        throw new AppError('validation_failed', 'a settlement cannot reach into the future', {
          field: 'period_end',
        });
      const outcome = await settle(deps, end);
      return c.json({ settlement: settlementJson(outcome.settlement), made: outcome.made }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/settlements/{id}',
      access: { caller: 'admin', scope: 'gateway:read' },
      tags,
      summary:
        'A settlement run: each provider’s share, payout and the discrepancies its usage reports showed',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(
          z.object({
            settlement: SettlementSchema,
            earnings: z.array(
              z.object({
                provider_id: Uuid,
                provider_name: z.string(),
                calls: z.number().int(),
                gross: Usdc,
                fee: Usdc,
                net: Usdc,
                share_percent: z.string(),
                balance_after: Usdc,
                payout: z.union([PayoutSchema, z.null()]),
              }),
            ),
            discrepancies: z.array(
              z.object({
                id: Uuid,
                server_id: Uuid,
                server_name: z.string(),
                tool: z.string().nullable(),
                metered: z.number().int().nullable(),
                reported: z.number().int().nullable(),
                note: z.string(),
                resolved_at: z.string().nullable(),
              }),
            ),
          }),
          'The run',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const detail = await getSettlement(deps, c.get('actor'), c.req.valid('param').id);
      return c.json(
        {
          settlement: settlementJson(detail.settlement),
          earnings: detail.earnings.map((e) => ({
            provider_id: e.providerId,
            provider_name: e.providerName,
            calls: e.calls,
            gross: e.gross.toString(),
            fee: e.fee.toString(),
            net: e.net.toString(),
            share_percent: (e.shareBps / 100).toFixed(2),
            balance_after: e.balanceAfter.toString(),
            payout: e.payout ? payoutJson(e.payout) : null,
          })),
          discrepancies: detail.discrepancies.map((d) => ({
            id: d.id,
            server_id: d.serverId,
            server_name: d.serverName,
            tool: d.tool,
            metered: d.metered,
            reported: d.reported,
            note: d.note,
            resolved_at: iso(d.resolvedAt),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/discrepancies/{id}/resolve',
      access: { caller: 'admin', session: true },
      tags,
      summary: 'Mark a usage discrepancy as looked at (administrators)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ id: Uuid, resolved_at: z.string() }), 'Resolved'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const resolved = await resolveDiscrepancy(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ id: resolved.id, resolved_at: resolved.resolvedAt!.toISOString() }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/provider/earnings',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary:
        'My earnings per settlement, my payouts, and what I can claim now, with my state in the seed’s words',
      responses: {
        200: jsonResponse(
          z.object({
            state: z.enum(providerStates),
            claimable: Usdc,
            can_claim: z.boolean(),
            unsettled: Usdc.openapi({
              description: 'what served calls earned since the last settlement, before the fee',
            }),
            settlements: z.array(
              z.object({
                settlement_id: Uuid,
                period_end: z.string(),
                calls: z.number().int(),
                gross: Usdc,
                fee: Usdc,
                net: Usdc,
                share_percent: z.string(),
                balance_after: Usdc,
              }),
            ),
            payouts: z.array(PayoutSchema),
          }),
          'The earnings',
        ),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required']),
      },
    }),
    async (c) => {
      const provider = await requireOwnProvider(deps.db, c.get('actor'));
      const mine = await providerEarnings(deps.db, provider);
      return c.json(
        {
          state: mine.state,
          claimable: mine.available.toString(),
          can_claim: mine.canClaim,
          unsettled: mine.unsettled.toString(),
          settlements: mine.shares.map((s) => ({
            settlement_id: s.settlement_id,
            period_end: new Date(s.period_end).toISOString(),
            calls: s.calls,
            gross: s.gross,
            fee: s.fee,
            net: s.net,
            share_percent: (s.share_bps / 100).toFixed(2),
            balance_after: s.balance_after,
          })),
          payouts: mine.payouts.map(payoutJson),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/provider/claim',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary: 'Claim what my earnings hold: paid in USDC to my payout address (approved KYC only)',
      responses: {
        201: jsonResponse(PayoutSchema, 'The payout, on its way'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'kyc_not_approved', 'nothing_to_claim']),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const provider = await requireOwnProvider(deps.db, actor);
      return c.json(payoutJson(await claimEarnings(deps, actor, provider)), 201);
    },
  );

  return router;
}
