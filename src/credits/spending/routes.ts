import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { CSV_EXPORT_MAX_ROWS, csvHeaders, toCsv } from '../../core/csv';
import { createRouter, type Env, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import type { Usage } from '../engine/spending';
import { creditsErrors, spendingRefusals } from '../errors';
import {
  ActionKey,
  Credits,
  IdempotencyKey,
  PathId,
  PositiveCredits,
  Purpose,
  Timestamp,
  Uuid,
} from '../fields';
import { reservationStates } from '../schema';
import {
  BalanceSchema,
  balanceJson,
  GrantDetailSchema,
  GrantSchema,
  grantDetailJson,
  grantJson,
  ReservationSchema,
  reservationJson,
  UsageSchema,
  usageJson,
} from './json';
import {
  chargeAction,
  exportUsages,
  grantLabels,
  purposeLabels,
  readBalance,
  readGrant,
  readGrants,
  readReservations,
  readUsage,
  readUsageSeries,
  readUsages,
  releaseReserved,
  reserveForAction,
  useReserved,
} from './service';

/**
 * The server-to-server API of the host application (an API key with `credits:spend` or
 * `credits:read`; a browser session works too): reserve, use, release and charge credits for actions,
 * and read balances, usages and reservations. An administrator's key names the person (`user_id`).
 */

const tags = ['Credits: spending'];

const scopeFields = {
  user_id: Uuid.optional().openapi({
    description: 'whose credits; administrators only, the caller by default',
  }),
  workspace_id: Uuid.optional().openapi({
    description: 'spend or read in this workspace (its billing person pays)',
  }),
};
const Quantity = z.number().int().min(1).max(1_000_000).optional();
const idempotentHeaders = { headers: z.object({ 'idempotency-key': IdempotencyKey }) };
const UsagesSchema = z.object({ usages: z.array(UsageSchema) });

/** The usage history's filters, the same for the JSON pages and the CSV export. */
const usageFilterFields = {
  ...scopeFields,
  action: ActionKey.optional(),
  used_for: z
    .string()
    .max(500)
    .optional()
    .openapi({ description: 'part of the purpose, in any case', example: 'post' }),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  reserved_only: z.enum(['true', 'false']).optional(),
  grant_id: Uuid.optional().openapi({
    description: 'only the usages this grant paid for, in whole or in part',
  }),
  cursor: pageQuery.cursor,
};

const usageCsvColumns = [
  'used_at',
  'action',
  'used_for',
  'workspace_id',
  'amount',
  'from_reservation',
  'reservation_id',
  'reserved_for',
  'paid_by',
  'user_id',
  'id',
] as const;

/** One usage as a CSV row: exact whole credits, its grants as `grant_id:amount` pairs. */
const usageCsvRow = (u: Usage) => [
  u.usedAt.toISOString(),
  u.action,
  u.usedFor,
  u.workspaceId,
  u.amount.toString(),
  u.isReserved ? 'true' : 'false',
  u.reservationId,
  u.reservedFor,
  u.paidBy.map((part) => `${part.grantId}:${part.amount}`).join(' '),
  u.userId,
  u.id,
];

/** Stripe's convention: a replayed answer says so. */
const markReplay = (c: Context<Env>, replayed: boolean) => {
  if (replayed) c.header('Idempotent-Replayed', 'true');
};

const optionalDate = (value: string | undefined) => (value ? new Date(value) : undefined);

/** The usage listing's query, as the service reads it: the list and its CSV export share it. */
function usageFilterOf(q: z.infer<z.ZodObject<typeof usageFilterFields>> & { limit?: number }) {
  return {
    userId: q.user_id,
    workspaceId: q.workspace_id,
    action: q.action,
    usedFor: q.used_for,
    from: optionalDate(q.from),
    to: optionalDate(q.to),
    reservedOnly: q.reserved_only === 'true',
    grantId: q.grant_id,
    cursor: q.cursor,
    limit: q.limit,
  };
}

export function spendingRoutes(deps: CreditsDeps) {
  const router = createRouter();

  /** The words for the grants and purposes of the usages an answer shows, read once per answer. */
  const usageLabels = async (usages: readonly Usage[]) => ({
    grants: await grantLabels(
      deps.db,
      usages.flatMap((u) => u.paidBy.map((p) => p.grantId)),
    ),
    purposes: await purposeLabels(
      deps.db,
      usages.map((u) => u.usedFor),
    ),
  });

  router.openapi(
    createRoute({
      method: 'post',
      path: '/charge',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Charge an action at its price (× quantity)',
      description:
        'In a workspace the workspace’s reserve pays first, then the pool, which can make two usages. ' +
        'A free action records nothing. A repeat with the same Idempotency-Key answers what the first ' +
        'charged; the same key with another body is 409.',
      request: {
        ...idempotentHeaders,
        ...jsonBody(
          z.strictObject({ ...scopeFields, action: ActionKey, quantity: Quantity, used_for: Purpose }),
        ),
      },
      responses: {
        200: jsonResponse(UsagesSchema, 'What was charged'),
        ...errorResponses,
        ...refusals(spendingRefusals, ['action_not_in_products', 'workspace_archived', 'id_already_failed']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const outcome = await chargeAction(deps, c.get('actor'), {
        userId: body.user_id,
        workspaceId: body.workspace_id,
        action: body.action,
        quantity: body.quantity,
        usedFor: body.used_for,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      markReplay(c, outcome.replayed);
      return c.json({ usages: outcome.usages.map((u) => usageJson(u)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/reserve',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Reserve credits for an action: its price × quantity, or an explicit amount',
      request: {
        ...idempotentHeaders,
        ...jsonBody(
          z.strictObject({
            ...scopeFields,
            action: ActionKey,
            amount: PositiveCredits.optional(),
            quantity: Quantity,
            reserved_for: Purpose,
            expires_at: Timestamp.optional().openapi({
              description: 'when the credits go back by themselves',
            }),
          }),
        ),
      },
      responses: {
        200: jsonResponse(ReservationSchema, 'The reservation'),
        ...errorResponses,
        ...refusals(spendingRefusals, ['action_not_in_products', 'workspace_archived', 'id_already_failed']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const outcome = await reserveForAction(deps, c.get('actor'), {
        userId: body.user_id,
        workspaceId: body.workspace_id,
        action: body.action,
        amount: body.amount === undefined ? undefined : BigInt(body.amount),
        quantity: body.quantity,
        reservedFor: body.reserved_for,
        expiresAt: optionalDate(body.expires_at),
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      markReplay(c, outcome.replayed);
      return c.json(reservationJson(outcome.reservation), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/use',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Use a reservation, whole or in part; the rest is released, or kept reserved',
      request: {
        ...idempotentHeaders,
        ...jsonBody(
          z.strictObject({
            reservation_id: Uuid,
            amount: PositiveCredits.optional(),
            used_for: Purpose.optional(),
            keep_remainder: z.boolean().optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(
          z.object({ usage: UsageSchema, remainder: ReservationSchema.nullable() }),
          'The usage, and the reservation keeping the rest',
        ),
        ...errorResponses,
        ...refusals(spendingRefusals, [
          'reservation_expired',
          'reservation_used',
          'reservation_released',
          'workspace_reserve',
          'workspace_archived',
          'id_already_failed',
        ]),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const outcome = await useReserved(deps, c.get('actor'), {
        reservationId: body.reservation_id,
        amount: body.amount === undefined ? undefined : BigInt(body.amount),
        usedFor: body.used_for,
        keepRemainder: body.keep_remainder,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      markReplay(c, outcome.replayed);
      return c.json(
        {
          usage: usageJson(outcome.usage),
          remainder: outcome.remainder && reservationJson(outcome.remainder),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/release',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Release a reservation; releasing it again answers it as it is',
      request: {
        headers: z.object({ 'idempotency-key': IdempotencyKey.optional() }),
        ...jsonBody(z.strictObject({ reservation_id: Uuid })),
      },
      responses: {
        200: jsonResponse(ReservationSchema, 'The reservation'),
        ...errorResponses,
        ...refusals(creditsErrors, [
          'reservation_expired',
          'reservation_used',
          'reservation_released',
          'workspace_reserve',
        ]),
      },
    }),
    async (c) =>
      c.json(
        reservationJson(await releaseReserved(deps, c.get('actor'), c.req.valid('json').reservation_id)),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/balance',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'A balance: the caller’s, or a workspace’s',
      request: { query: z.object(scopeFields) },
      responses: { 200: jsonResponse(BalanceSchema, 'The balance'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { userId, workspaceId, balance } = await readBalance(deps, c.get('actor'), {
        userId: q.user_id,
        workspaceId: q.workspace_id,
      });
      return c.json(balanceJson(balance, userId, workspaceId), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/usages',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'Usage history, newest first',
      description:
        '`used_for` finds the usages whose purpose contains the text, in any case (`post` finds ' +
        '`Post:7f3c` and `repost`); `%`, `_` and `\\` in it are only themselves.',
      request: {
        query: z.object({ ...usageFilterFields, limit: pageQuery.limit }),
      },
      responses: { 200: jsonResponse(pageSchema(UsageSchema), 'A page of usages'), ...errorResponses },
    }),
    async (c) => {
      const result = await readUsages(deps, c.get('actor'), usageFilterOf(c.req.valid('query')));
      const labels = await usageLabels(result.items);
      return c.json(
        pageJson(result, (u) => usageJson(u, labels)),
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/usages/export.csv',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: `Usage history as CSV, newest first, with the same filters (up to ${CSV_EXPORT_MAX_ROWS} rows)`,
      description:
        'Read by the same people as `/usages`. When more usages match than `limit` (at most 10,000), the ' +
        '`X-Next-Cursor` header carries the `cursor` for the next file. Fields a ' +
        'spreadsheet would run as a formula start with an apostrophe.',
      request: {
        query: z.object({
          ...usageFilterFields,
          limit: z.coerce.number().int().min(1).max(CSV_EXPORT_MAX_ROWS).optional(),
        }),
      },
      responses: {
        200: { description: 'CSV, RFC 4180', content: { 'text/csv': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const result = await exportUsages(deps, c.get('actor'), usageFilterOf(c.req.valid('query')));
      const csv = toCsv(usageCsvColumns, result.rows.map(usageCsvRow));
      return c.body(csv, 200, csvHeaders('credit-usages', deps.clock.now(), result.nextCursor));
    },
  );

  // After the export: `export.csv` is not an id.
  router.openapi(
    createRoute({
      method: 'get',
      path: '/usages/{id}',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'One usage: what it was for, the grants that paid for it (its person, whoever may read the workspace it was in, and administrators)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(UsageSchema, 'The usage'), ...errorResponses },
    }),
    async (c) => {
      const usage = await readUsage(deps, c.get('actor'), c.req.valid('param').id);
      return c.json(usageJson(usage, await usageLabels([usage])), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/usage-by-action',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'Credits used per day or hour and action, for a chart',
      request: {
        query: z.object({
          ...scopeFields,
          from: Timestamp,
          to: Timestamp,
          bucket: z.enum(['day', 'hour']).default('day'),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(z.object({ bucket: z.string(), action: z.string(), amount: Credits })) }),
          'The series',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const series = await readUsageSeries(deps, c.get('actor'), {
        userId: q.user_id,
        workspaceId: q.workspace_id,
        from: new Date(q.from),
        to: new Date(q.to),
        bucket: q.bucket,
      });
      return c.json(
        {
          items: series.map((s) => ({
            bucket: s.bucket.toISOString(),
            action: s.action,
            amount: s.amount.toString(),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/reservations',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'Reservations, newest first',
      request: {
        query: z.object({
          ...scopeFields,
          state: z.enum(reservationStates).optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageSchema(ReservationSchema), 'A page of reservations'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const result = await readReservations(deps, c.get('actor'), {
        userId: q.user_id,
        workspaceId: q.workspace_id,
        state: q.state,
        cursor: q.cursor,
        limit: q.limit,
      });
      return c.json(pageJson(result, reservationJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/grants',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'The grants with credits left, in the order they are spent',
      request: { query: z.object(scopeFields) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(GrantSchema) }), 'The grants'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const grants = await readGrants(deps, c.get('actor'), {
        userId: q.user_id,
        workspaceId: q.workspace_id,
      });
      return c.json({ items: grants.map(grantJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/grants/{id}',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'One grant: what it gave, what is left, and the purchase it came from (its holder, whoever may read the workspace it is in, and administrators); its usages are `/usages?grant_id=`',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(GrantDetailSchema, 'The grant'), ...errorResponses },
    }),
    async (c) => {
      const detail = await readGrant(deps, c.get('actor'), c.req.valid('param').id);
      const labels = await grantLabels(deps.db, [detail.grant.id]);
      return c.json(grantDetailJson(detail, labels.get(detail.grant.id) ?? null), 200);
    },
  );

  return router;
}
