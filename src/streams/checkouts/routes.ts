import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import { flowReference } from '../chain/flow-reference';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { Uuid } from '../fields';
import { checkoutStates, planTokens } from '../schema';
import { type Checkout, cancelCheckout, getCheckout, startCheckout } from './service';

const tags = ['Streams: checkout'];

const CheckoutSchema = z
  .object({
    id: Uuid,
    plan_id: Uuid,
    state: z.enum(checkoutStates),
    expires_at: z.string().openapi({ description: 'the slot is held until then' }),
    subscriber_address: z.string(),
    receiver_address: z.string().openapi({ description: 'the producer’s wallet the flow goes to' }),
    token: z.enum(planTokens),
    flow_rate: z
      .string()
      .nullable()
      .openapi({ description: 'stream and vesting: wei per second the flow adds' }),
    uses: z.number().int().nullable(),
    amount: z.string().nullable().openapi({ description: 'usage: what the uses cost, in wei of the token' }),
    user_data: z
      .string()
      .openapi({ description: 'the bytes the flow is created with, naming this checkout' }),
    created_at: z.string(),
  })
  .openapi('StreamsCheckout');

const checkoutJson = (c: Checkout) => ({
  id: c.id,
  plan_id: c.planId,
  state: c.state,
  expires_at: c.expiresAt.toISOString(),
  subscriber_address: c.subscriberAddress,
  receiver_address: c.receiverAddress,
  token: c.token,
  flow_rate: c.flowRate?.toString() ?? null,
  uses: c.uses,
  amount: c.amount?.toString() ?? null,
  user_data: flowReference(c.id),
  created_at: c.createdAt.toISOString(),
});

/** A subscriber's checkout: a slot of the plan held while the wallet signs. */
export function checkoutRoutes(deps: StreamsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{id}/checkouts',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary:
        'Start a checkout of a plan for a wallet: a slot of its supply is held for 30 minutes; the same wallet asking again gets the same checkout',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            subscriber_address: Address,
            uses: z
              .number()
              .int()
              .min(1)
              .optional()
              .openapi({ description: 'usage plans: how many uses to buy' }),
          }),
        ),
      },
      responses: {
        201: jsonResponse(CheckoutSchema, 'The checkout'),
        ...errorResponses,
        ...refusals(streamsErrors, ['plan_inactive', 'plan_not_started', 'plan_sold_out']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const checkout = await startCheckout(deps, c.get('actor'), c.req.valid('param').id, {
        subscriberAddress: body.subscriber_address,
        uses: body.uses,
      });
      return c.json(checkoutJson(checkout), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/checkouts/{id}',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary: 'My checkout, and whether its slot is still held',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(CheckoutSchema, 'The checkout'), ...errorResponses },
    }),
    async (c) => c.json(checkoutJson(await getCheckout(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/checkouts/{id}/cancel',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary: 'Give my reserved slot up, for someone else to take',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(CheckoutSchema, 'The checkout, cancelled'),
        ...errorResponses,
        ...refusals(streamsErrors, ['checkout_closed']),
      },
    }),
    async (c) =>
      c.json(checkoutJson(await cancelCheckout(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  return router;
}
