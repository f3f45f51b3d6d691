import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, errorResponses, jsonResponse, refusals } from '../../core/http';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { iso, Uuid } from '../fields';
import { closeReasons, planTokens, subscriptionStates } from '../schema';
import { listMySubscribers, listMySubscriptions, type SubscriptionView } from './service';

const tags = ['Streams: subscriptions'];

const SubscriptionSchema = z
  .object({
    id: Uuid,
    plan: z.object({ id: Uuid, name: z.string() }),
    producer: z.object({ id: Uuid, name: z.string() }),
    checkout_id: Uuid,
    state: z.enum(subscriptionStates),
    subscriber_address: z.string(),
    receiver_address: z.string(),
    token: z.enum(planTokens),
    flow_rate: z
      .string()
      .nullable()
      .openapi({ description: 'this plan’s share of the flow, wei per second' }),
    started_at: z.string().openapi({ description: 'the time of the block its flow was seen in' }),
    closed_at: z.string().nullable(),
    close_reason: z.enum(closeReasons).nullable().openapi({
      description:
        'who closed the flow: `operator` (Tally, before the balance ran out), `subscriber`, or `liquidated` (anyone else, once the balance ran out); null while it streams, or until the flow operator is read',
    }),
    runs_out_at: z.string().nullable().openapi({
      description:
        'when the wallet’s balance turns critical at its current rates, as the last run-out scan read it; null: never, or not read yet',
    }),
    scanned_at: z.string().nullable().openapi({ description: 'when a run-out scan last read the wallet' }),
    warned_7d_at: z
      .string()
      .nullable()
      .openapi({ description: 'when the subscriber was warned 7 days ahead' }),
    warned_24h_at: z
      .string()
      .nullable()
      .openapi({ description: 'when the subscriber was warned 24 hours ahead' }),
    closing: z.boolean().openapi({
      description: 'Tally’s operator has queued the close of the flow, before the balance runs out',
    }),
    access_until: z.string().nullable().openapi({
      description:
        'until when the plan is served: null while it streams; the plan’s grace after a close; the close itself after a liquidation',
    }),
    uses: z
      .object({ bought: z.number().int(), used: z.number().int(), left: z.number().int() })
      .nullable()
      .openapi({ description: 'a usage plan: uses bought and reported in all, and left; null for a stream' }),
  })
  .openapi('StreamsSubscription');

const subscriptionJson = (s: SubscriptionView) => ({
  id: s.id,
  plan: { id: s.planId, name: s.planName },
  producer: { id: s.producerId, name: s.producerName },
  checkout_id: s.checkoutId,
  state: s.state,
  subscriber_address: s.subscriberAddress,
  receiver_address: s.receiverAddress,
  token: s.token,
  flow_rate: s.flowRate?.toString() ?? null,
  started_at: s.startedAt.toISOString(),
  closed_at: iso(s.closedAt),
  close_reason: s.closeReason,
  runs_out_at: iso(s.runsOutAt),
  scanned_at: iso(s.scannedAt),
  warned_7d_at: iso(s.warned7dAt),
  warned_24h_at: iso(s.warned24hAt),
  closing: s.closingTransactionId !== null && (s.state === 'active' || s.state === 'at_risk'),
  access_until: iso(s.accessUntil),
  uses: s.uses,
});

const List = z.object({ items: z.array(SubscriptionSchema) });

/** Subscriptions, as their subscriber and as their producer see them. */
export function subscriptionRoutes(deps: StreamsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/subscriptions',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary: 'My subscriptions, newest first',
      responses: { 200: jsonResponse(List, 'The subscriptions'), ...errorResponses },
    }),
    async (c) =>
      c.json({ items: (await listMySubscriptions(deps, c.get('actor'))).map(subscriptionJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/subscriptions',
      access: { caller: 'signed-in', scope: 'streams:read' },
      tags,
      summary: 'The subscriptions of my plans, newest first',
      responses: {
        200: jsonResponse(List, 'The subscriptions'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) =>
      c.json({ items: (await listMySubscribers(deps, c.get('actor'))).map(subscriptionJson) }, 200),
  );

  return router;
}
