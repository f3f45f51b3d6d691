import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { iso, Uuid } from '../fields';
import { subscriptionStates } from '../schema';
import { ENTITLEMENT_PURPOSE, issueEntitlement } from './entitlements';
import { type Access, checkAccess, recordUsage } from './service';

const tags = ['Streams: access'];

const AccessSchema = z
  .object({
    wallet: z.string(),
    holds: z.boolean().openapi({ description: 'whether to serve the wallet now' }),
    subscription: z
      .object({
        id: Uuid,
        state: z.enum(subscriptionStates),
        started_at: z.string(),
        closed_at: z.string().nullable(),
      })
      .nullable(),
    access_until: z.string().nullable().openapi({
      description: 'after Tally closed the stream: the end of the plan’s grace; null while it streams',
    }),
    uses: z
      .object({ bought: z.number().int(), used: z.number().int(), left: z.number().int() })
      .nullable()
      .openapi({
        description: 'a usage plan: uses bought, reported and left in all; null for the other kinds',
      }),
    month: z.object({
      name: z.string().openapi({ description: 'the UTC month the quota counts: 2026-12' }),
      limit: z.number().int().nullable(),
      used: z.number().int(),
      left: z.number().int().nullable().openapi({ description: 'null: the plan has no month limit' }),
    }),
  })
  .openapi('StreamsAccess');

const accessJson = (a: Access) => ({
  wallet: a.wallet,
  holds: a.holds,
  subscription: a.subscription
    ? {
        id: a.subscription.id,
        state: a.subscription.state,
        started_at: a.subscription.startedAt.toISOString(),
        closed_at: iso(a.subscription.closedAt),
      }
    : null,
  access_until: iso(a.accessUntil),
  month: a.month,
  uses: a.uses,
});

/** The Access API for producers' services: who holds a plan, and the uses it served them. */
export function accessRoutes(deps: StreamsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/plans/{id}/access',
      access: { caller: 'signed-in', scope: 'streams:read' },
      tags,
      summary:
        'Whether a wallet holds my plan (its stream runs, or its grace after Tally closed it lasts), and how much of the month’s quota is left',
      request: { params: z.object({ id: PathId }), query: z.object({ wallet: Address }) },
      responses: {
        200: jsonResponse(AccessSchema, 'The wallet’s access'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) =>
      c.json(
        accessJson(
          await checkAccess(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('query').wallet),
        ),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{id}/usage',
      access: { caller: 'signed-in', scope: 'streams:usage' },
      tags,
      summary:
        'Report uses my service served a wallet of my plan, under my key for them (counted once however often sent), against the month limit',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            wallet: Address,
            uses: z.number().int().min(1).max(1_000_000),
            key: z
              .string()
              .regex(/^[\x21-\x7e]{1,255}$/, '1 to 255 visible ASCII characters')
              .openapi({ description: 'your id for these uses (a request id): the same key counts once' }),
          }),
        ),
      },
      responses: {
        201: jsonResponse(AccessSchema, 'Recorded: the wallet’s access after it'),
        200: jsonResponse(AccessSchema, 'Recorded before under this key: the access as it stands'),
        ...errorResponses,
        ...refusals(streamsErrors, [
          'producer_required',
          'not_subscribed',
          'quota_exceeded',
          'uses_exhausted',
        ]),
      },
    }),
    async (c) => {
      const { access, replayed } = await recordUsage(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json(accessJson(access), replayed ? 200 : 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/plans/{id}/entitlement',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary:
        'A signed entitlement for my wallet — “wallet W holds plan X until T” — that the producer’s service checks offline with GET /api/streams/keys: an hour while the stream runs, the rest of the grace after Tally closed it',
      request: { params: z.object({ id: PathId }), query: z.object({ wallet: Address }) },
      responses: {
        200: jsonResponse(
          z
            .object({
              body: z.object({
                plan_id: Uuid,
                producer_id: Uuid,
                wallet: z.string(),
                subscription_id: Uuid,
                issued_at: z.string(),
                valid_until: z.string(),
              }),
              signature: z
                .string()
                .openapi({ description: 'Ed25519 over the canonical JSON of body, base64url' }),
              key: z.string().openapi({ description: 'the public key that signed it, base64url' }),
            })
            .openapi('StreamsEntitlement'),
          'The signed entitlement',
        ),
        ...errorResponses,
        ...refusals(streamsErrors, ['not_subscribed']),
      },
    }),
    async (c) =>
      c.json(
        await issueEntitlement(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('query').wallet),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      access: { caller: 'anyone' },
      tags,
      summary: 'The public key entitlements are signed with (Ed25519, raw, base64url)',
      responses: {
        200: jsonResponse(z.object({ entitlements: z.string() }).openapi('StreamsKeys'), 'The keys'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ entitlements: deps.keys.signer(ENTITLEMENT_PURPOSE).publicKey }, 200),
  );

  return router;
}
