import { createRoute, z } from '@hono/zod-openapi';
import { setAdministrator } from '../../core/auth/accounts';
import { createRouter, errorResponses, jsonBody, jsonResponse } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { IdempotencyKey, PathId, SignedCredits, Timestamp, Uuid } from '../fields';
import { userTypes } from '../schema';
import { adjustBalance } from '../spending/adjustments';
import { GrantSchema, grantJson, UsageSchema, usageJson } from '../spending/json';
import { getCreditsProfile, listCustomers } from './customers';
import { CustomerSchema, customerJson, ProfileSchema, profileJson } from './json';

/** People as the credits line sees them: my credits, and the administrators' user list and adjustments. */

const tags = ['Credits: people'];

export function peopleRoutes(deps: CreditsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'My type, products, permissions and balance',
      responses: { 200: jsonResponse(ProfileSchema, 'The profile'), ...errorResponses },
    }),
    async (c) => c.json(profileJson(await getCreditsProfile(deps, c.get('actor'))), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary: 'People with their type and balance (administrators)',
      request: {
        query: z.object({ type: z.enum(userTypes).optional(), ...pageQuery }),
      },
      responses: { 200: jsonResponse(pageSchema(CustomerSchema), 'A page of people'), ...errorResponses },
    }),
    async (c) => {
      const result = await listCustomers(deps, c.get('actor'), c.req.valid('query'));
      return c.json(pageJson(result, customerJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'A person’s type, products, permissions and balance (administrators)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(ProfileSchema, 'The profile'), ...errorResponses },
    }),
    async (c) =>
      c.json(profileJson(await getCreditsProfile(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/users/{id}/admin',
      access: { caller: 'admin', session: true },
      tags,
      summary: 'Make a person an administrator, or stop them being one (administrators)',
      request: { params: z.object({ id: PathId }), ...jsonBody(z.strictObject({ is_admin: z.boolean() })) },
      responses: {
        200: jsonResponse(z.object({ user_id: Uuid, is_admin: z.boolean() }), 'The person'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const user = await setAdministrator(deps, c.get('actor'), {
        userId: c.req.valid('param').id,
        isAdmin: c.req.valid('json').is_admin,
      });
      return c.json({ user_id: user.id, is_admin: user.isAdmin }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/adjustments',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary:
        'Add or take away credits with a reason (administrators); an Idempotency-Key makes a retry safe',
      request: {
        headers: z.object({ 'idempotency-key': IdempotencyKey.optional() }),
        ...jsonBody(
          z.strictObject({
            user_id: Uuid,
            workspace_id: Uuid.optional(),
            amount: SignedCredits,
            reason: z.string().trim().min(1).max(500),
            expires_at: Timestamp.optional(),
          }),
        ),
      },
      responses: {
        201: jsonResponse(
          z.object({ grant: GrantSchema.nullable(), usage: UsageSchema.nullable() }),
          'The grant (an addition) or the usage (a deduction)',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await adjustBalance(deps, c.get('actor'), {
        userId: body.user_id,
        workspaceId: body.workspace_id,
        amount: BigInt(body.amount),
        reason: body.reason,
        expiresAt: body.expires_at ? new Date(body.expires_at) : null,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      return 'usedFor' in result
        ? c.json({ grant: null, usage: usageJson(result) }, 201)
        : c.json({ grant: grantJson(result), usage: null }, 201);
    },
  );

  return router;
}
