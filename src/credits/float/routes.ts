import { createRoute, z } from '@hono/zod-openapi';
import { requireAdmin } from '../../core/actor';
import { createRouter, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import { Credits, IdempotencyKey, PositiveCredits, Uuid } from '../fields';
import { setFloatSettings } from './auto-top-up';
import { floatErrors } from './errors';
import { topUpIdFromKey } from './ids';
import {
  FloatReconciliationSchema,
  FloatSchema,
  FloatSettingsSchema,
  FloatTopUpSchema,
  floatJson,
  floatReconciliationJson,
  floatSettingsJson,
  floatTopUpJson,
} from './json';
import { getFloatOverview } from './overview';
import { reconcileFloats } from './reconcile';
import { type FloatDeps, listTopUps, topUpFloat } from './top-ups';

/** A whitelabel reseller's float: its credits moved into its own database ahead of its sales. */

const tags = ['Credits: float'];
const subjectQuery = {
  user_id: Uuid.optional().openapi({
    description: 'whose float; administrators only, the caller by default',
  }),
};

export function floatRoutes(deps: FloatDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/float',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'My float (whitelabel resellers; administrators anyone’s): available in my database, moved in, on its way, settings, last check',
      request: { query: z.object(subjectQuery) },
      responses: { 200: jsonResponse(FloatSchema, 'The float'), ...errorResponses },
    }),
    async (c) => {
      const overview = await getFloatOverview(deps, c.get('actor'), c.req.valid('query').user_id);
      return c.json(floatJson(overview), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/whitelabel/float/top-ups',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: 'Move credits from my pool on Tally into my database’s float (whitelabel resellers)',
      description:
        'The credits leave your pool at once, in burn order; they arrive in your database within seconds ' +
        '(the top-up is `pending` until then). With an Idempotency-Key a retry answers the same top-up.',
      request: {
        headers: z.object({ 'idempotency-key': IdempotencyKey.optional() }),
        ...jsonBody(z.strictObject({ amount: PositiveCredits })),
      },
      responses: {
        201: jsonResponse(FloatTopUpSchema, 'The top-up, pending'),
        ...errorResponses,
        ...refusals(floatErrors, ['float_database_not_ready']),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const key = c.req.valid('header')['idempotency-key'];
      const topUp = await topUpFloat(deps, actor, {
        amount: BigInt(c.req.valid('json').amount),
        topUpId: key && actor.userId ? topUpIdFromKey(actor.userId, key) : null,
      });
      return c.json(floatTopUpJson(topUp, actor), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/float/top-ups',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'My float’s top-ups, newest first (administrators: anyone’s, with user_id)',
      request: { query: z.object({ ...subjectQuery, ...pageQuery }) },
      responses: { 200: jsonResponse(pageSchema(FloatTopUpSchema), 'A page of top-ups'), ...errorResponses },
    }),
    async (c) => {
      const actor = c.get('actor');
      const query = c.req.valid('query');
      const page = await listTopUps(deps, actor, {
        userId: query.user_id,
        cursor: query.cursor,
        limit: query.limit,
      });
      return c.json(
        pageJson(page, (t) => floatTopUpJson(t, actor)),
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/whitelabel/float/settings',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: 'My automatic top-up: when my float falls under the threshold, move the amount in',
      request: {
        ...jsonBody(
          z.strictObject({
            auto_top_up: z.boolean(),
            threshold: Credits,
            amount: PositiveCredits,
          }),
        ),
      },
      responses: { 200: jsonResponse(FloatSettingsSchema, 'The settings'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const settings = await setFloatSettings(deps, c.get('actor'), {
        autoTopUp: body.auto_top_up,
        threshold: BigInt(body.threshold),
        amount: BigInt(body.amount),
      });
      return c.json(floatSettingsJson(settings), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/admin/float/reconcile',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary:
        'Reconcile resellers’ floats now (all, or one with user_id): each run recorded, a difference flagged',
      request: { ...jsonBody(z.strictObject(subjectQuery)) },
      responses: {
        200: jsonResponse(
          z.object({
            reconciliations: z.array(FloatReconciliationSchema),
            unreachable: z.array(Uuid).openapi({ description: 'resellers whose database could not be read' }),
          }),
          'The runs',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      requireAdmin(actor);
      const run = await reconcileFloats(deps, actor, { resellerUserId: c.req.valid('json').user_id });
      return c.json(
        { reconciliations: run.reconciliations.map(floatReconciliationJson), unreachable: run.unreachable },
        200,
      );
    },
  );

  return router;
}
