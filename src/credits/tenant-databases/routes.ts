import { createRoute, z } from '@hono/zod-openapi';
import type { Actor } from '../../core/actor';
import { createRouter, errorResponses, jsonResponse, refusals } from '../../core/http';
import { creditsErrors } from '../errors';
import { iso, Uuid } from '../fields';
import { tenantDatabaseEngines, tenantDatabaseStates } from '../schema';
import type { TenantDatabase } from './provisioning';
import { getTenantDatabase, requestTenantDatabase } from './service';
import type { TenantDatabaseDeps } from './settings';

/** A whitelabel reseller's own database: ask for it, and follow it until it is ready. */

const tags = ['Credits: people'];

const TenantDatabaseSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    engine: z.enum(tenantDatabaseEngines),
    state: z.enum(tenantDatabaseStates).openapi({
      description:
        'requested → created → migrated → ready; failed when a step failed, tried again at next_attempt_at; retired once the shop moved back to Tally’s database',
    }),
    attempts: z.number().int().openapi({ description: 'failed tries since the last step that succeeded' }),
    last_error: z.string().nullable().openapi({
      description: 'why the last try failed: shown to administrators only (it names the servers)',
    }),
    next_attempt_at: z.string().nullable(),
    ready_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CreditsTenantDatabase');

/** A database as JSON: never its names or credentials; its errors for administrators. */
const tenantDatabaseJson = (row: TenantDatabase, actor: Actor) => ({
  id: row.id,
  user_id: row.userId,
  engine: row.engine,
  state: row.state,
  attempts: row.attempts,
  last_error: actor.isAdmin ? row.lastError : null,
  next_attempt_at: row.state === 'ready' || row.state === 'retired' ? null : row.nextAttemptAt.toISOString(),
  ready_at: iso(row.readyAt),
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

export function tenantDatabaseRoutes(deps: TenantDatabaseDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/whitelabel/database',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary:
        'Ask for a database of my own (whitelabel resellers, once their domain is set and before their first product); asking again answers the same one',
      responses: {
        200: jsonResponse(TenantDatabaseSchema, 'The database, as far as it got'),
        ...errorResponses,
        ...refusals(creditsErrors, ['shop_already_started']),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      return c.json(tenantDatabaseJson(await requestTenantDatabase(deps, actor), actor), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/database',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'My own database’s state (administrators: anyone’s, with user_id)',
      request: { query: z.object({ user_id: Uuid.optional() }) },
      responses: { 200: jsonResponse(TenantDatabaseSchema, 'The database'), ...errorResponses },
    }),
    async (c) => {
      const actor = c.get('actor');
      const row = await getTenantDatabase(deps, actor, c.req.valid('query').user_id);
      return c.json(tenantDatabaseJson(row, actor), 200);
    },
  );

  return router;
}
