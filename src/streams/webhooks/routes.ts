import { createRoute, z } from '@hono/zod-openapi';
import type { Actor } from '../../core/actor';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import { getWebhookDelivery, listWebhookDeliveries, redeliverWebhook } from '../../core/webhooks/deliveries';
import { webhookErrors } from '../../core/webhooks/errors';
import {
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
  webhookDeliveryJson,
  webhookEndpointJson,
  webhookEndpointWithSecretJson,
} from '../../core/webhooks/json';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  queueTestWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookDeps,
} from '../../core/webhooks/service';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { requireOwnProducer } from '../producers/service';
import { producerEventTypes, producerOwner } from './events';

const tags = ['Streams: webhooks'];

const Url = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .openapi({ description: 'https://…, on a public address', example: 'https://example.com/tally/webhooks' });
const Events = z
  .array(z.enum(producerEventTypes))
  .min(1)
  .max(producerEventTypes.length)
  .openapi({ description: 'the event types it receives' });
const noContent = { description: 'Done' };

/** A producer's webhook endpoints and their delivery log, for the signed-in producer. */
export function producerWebhookRoutes(deps: StreamsDeps) {
  const router = createRouter();
  const webhookDeps: WebhookDeps = {
    db: deps.db,
    clock: deps.clock,
    keys: deps.keys,
    allowPrivateNetwork: deps.allowPrivateNetwork,
  };
  const ownerOf = async (actor: Actor) => producerOwner((await requireOwnProducer(deps.db, actor)).id);
  const producerRefusals = refusals(streamsErrors, ['producer_required']);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/webhooks',
      access: { caller: 'signed-in', scope: 'streams:read' },
      tags,
      summary: 'My webhook endpoints, oldest first (their secrets are never shown again)',
      responses: {
        200: jsonResponse(z.object({ items: z.array(WebhookEndpointSchema) }), 'The endpoints'),
        ...errorResponses,
        ...producerRefusals,
      },
    }),
    async (c) => {
      const endpoints = await listWebhookEndpoints(deps.db, await ownerOf(c.get('actor')));
      return c.json({ items: endpoints.map(webhookEndpointJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producer/webhooks',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Add a webhook endpoint: Tally POSTs the chosen events to it, signed with a secret shown in this answer only',
      request: jsonBody(z.strictObject({ url: Url, events: Events })),
      responses: {
        201: jsonResponse(WebhookEndpointWithSecretSchema, 'The endpoint, and its secret: store it now'),
        ...errorResponses,
        ...refusals({ definitions: { ...streamsErrors.definitions, ...webhookErrors.definitions } }, [
          'producer_required',
          'webhook_endpoint_limit',
        ]),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = c.get('actor');
      const made = await createWebhookEndpoint(webhookDeps, actor, await ownerOf(actor), {
        url: body.url,
        eventTypes: body.events,
      });
      return c.json(webhookEndpointWithSecretJson(made), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/producer/webhooks/{id}',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Change a webhook endpoint: its URL, its events, or whether it is enabled (disabling it fails what still waited for it)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({ url: Url.optional(), events: Events.optional(), enabled: z.boolean().optional() }),
        ),
      },
      responses: {
        200: jsonResponse(WebhookEndpointSchema, 'The endpoint'),
        ...errorResponses,
        ...producerRefusals,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = c.get('actor');
      const endpoint = await updateWebhookEndpoint(
        webhookDeps,
        actor,
        await ownerOf(actor),
        c.req.valid('param').id,
        {
          url: body.url,
          eventTypes: body.events,
          enabled: body.enabled,
        },
      );
      return c.json(webhookEndpointJson(endpoint), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/producer/webhooks/{id}',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary: 'Remove a webhook endpoint, with its deliveries and their log',
      request: { params: z.object({ id: PathId }) },
      responses: { 204: noContent, ...errorResponses, ...producerRefusals },
    }),
    async (c) => {
      const actor = c.get('actor');
      await deleteWebhookEndpoint(deps, actor, await ownerOf(actor), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producer/webhooks/{id}/rotate-secret',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Give a webhook endpoint a new secret, shown in this answer only; the old one keeps signing beside it for the hours asked',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            keep_previous_hours: z.number().int().min(0).max(72).default(24).openapi({
              description: 'how long the replaced secret still signs too; 0 after a leak',
            }),
          }),
        ),
      },
      responses: {
        200: jsonResponse(WebhookEndpointWithSecretSchema, 'The endpoint, and its new secret: store it now'),
        ...errorResponses,
        ...producerRefusals,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const rotated = await rotateWebhookSecret(
        webhookDeps,
        actor,
        await ownerOf(actor),
        c.req.valid('param').id,
        {
          keepPreviousForMs: c.req.valid('json').keep_previous_hours * 3600_000,
        },
      );
      return c.json(webhookEndpointWithSecretJson(rotated), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producer/webhooks/{id}/test',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Send a webhook.test event to an endpoint, whatever events it receives; it goes out within seconds',
      request: { params: z.object({ id: PathId }) },
      responses: {
        202: jsonResponse(WebhookDeliverySchema, 'The delivery, pending'),
        ...errorResponses,
        ...refusals({ definitions: { ...streamsErrors.definitions, ...webhookErrors.definitions } }, [
          'producer_required',
          'webhook_endpoint_disabled',
        ]),
      },
    }),
    async (c) => {
      const owner = await ownerOf(c.get('actor'));
      const deliveryId = await queueTestWebhook(deps, owner, c.req.valid('param').id);
      return c.json(webhookDeliveryJson(await getWebhookDelivery(deps.db, owner, deliveryId)), 202);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/webhooks/deliveries',
      access: { caller: 'signed-in', scope: 'streams:read' },
      tags,
      summary: 'My webhook deliveries, newest first, with every attempt; of one endpoint when asked',
      request: {
        query: z.object({
          ...pageQuery,
          endpoint_id: z.uuid().optional().openapi({ description: 'only this endpoint’s deliveries' }),
        }),
      },
      responses: {
        200: jsonResponse(pageSchema(WebhookDeliverySchema), 'A page of deliveries'),
        ...errorResponses,
        ...producerRefusals,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await listWebhookDeliveries(deps.db, await ownerOf(c.get('actor')), {
        cursor: query.cursor,
        limit: query.limit,
        endpointId: query.endpoint_id,
      });
      return c.json(pageJson(page, webhookDeliveryJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producer/webhooks/deliveries/{id}/redeliver',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Send a delivered or failed delivery once more: the same event and id, signed anew; it goes out within seconds',
      request: { params: z.object({ id: PathId }) },
      responses: {
        202: jsonResponse(WebhookDeliverySchema, 'The delivery, pending again'),
        ...errorResponses,
        ...refusals({ definitions: { ...streamsErrors.definitions, ...webhookErrors.definitions } }, [
          'producer_required',
          'webhook_endpoint_disabled',
          'webhook_delivery_pending',
        ]),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const owner = await ownerOf(actor);
      const { id } = c.req.valid('param');
      await redeliverWebhook(deps, actor, owner, id);
      return c.json(webhookDeliveryJson(await getWebhookDelivery(deps.db, owner, id)), 202);
    },
  );

  return router;
}
