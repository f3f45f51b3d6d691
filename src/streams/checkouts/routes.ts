import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import { streamChainErrors } from '../chain/errors';
import { flowReference } from '../chain/flow-reference';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { Uuid } from '../fields';
import { checkoutPurposes, checkoutStates, planTokens } from '../schema';
import { startCancel, startPlanChange } from './changes';
import { type Checkout, cancelCheckout, getCheckout, startCheckout } from './service';
import { type WalletSteps, walletStepsOf } from './wallet-steps';

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
    purpose: z.enum(checkoutPurposes).openapi({
      description:
        'subscribe: a new plan; change: the subscription named moves to this plan; cancel: the subscription named ends',
    }),
    replaces_subscription_id: Uuid.nullable().openapi({
      description: 'change and cancel: the subscription it ends',
    }),
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
  purpose: c.purpose,
  replaces_subscription_id: c.replacesSubscriptionId,
  user_data: flowReference(c.id),
  created_at: c.createdAt.toISOString(),
});

const Wei = z.string().regex(/^\d{1,78}$/, 'a whole number of wei, as decimal digits');
const stepKinds = [
  'approve',
  'wrap',
  'create_flow',
  'update_flow',
  'delete_flow',
  'approve_start',
  'authorize_operator',
  'pay',
] as const;

const WalletStepsSchema = z
  .object({
    checkout: CheckoutSchema,
    buffer: z.string().openapi({
      description: 'the deposit the protocol locks while the flow runs, returned when it is closed in time',
    }),
    existing_flow_rate: z.string().openapi({
      description: 'what the wallet already streams to the producer in this token (other plans)',
    }),
    flow_rate_after: z.string().openapi({ description: 'the one flow’s rate once the checkout is done' }),
    wrap_amount: z
      .string()
      .openapi({ description: 'what the checkout wraps into the super token, in its wei' }),
    underlying_amount: z.string().openapi({
      description: 'the same in the underlying token’s smallest unit (approved to the super token)',
    }),
    underlying_decimals: z.number().int(),
    prepaid_seconds: z
      .string()
      .openapi({ description: 'the stream wrapped ahead on top of the buffer: one period of the plan' }),
    per_period: z.string().nullable().openapi({ description: 'what one period of the plan streams, in wei' }),
    lasts_seconds: z.string().nullable().openapi({
      description:
        'how long the wallet’s balance lasts once the checkout is done, at every flow it then sends; null: it never runs out',
    }),
    steps: z.array(z.object({ kind: z.enum(stepKinds), done: z.boolean() })),
    prompts: z.array(
      z.object({
        kind: z.enum(['sign_permit', 'send', 'send_after_signature']),
        covers: z.array(z.enum(stepKinds)),
        typed_data: z
          .object({
            domain: z.object({
              name: z.string(),
              version: z.string(),
              chainId: z.number().int(),
              verifyingContract: z.string(),
            }),
            types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
            primaryType: z.literal('Permit'),
            message: z.object({
              owner: z.string(),
              spender: z.string(),
              value: z.string(),
              nonce: z.string(),
              deadline: z.string(),
            }),
          })
          .optional()
          .openapi({ description: 'sign_permit: the EIP-2612 permit to sign (eth_signTypedData_v4)' }),
        transaction: z
          .object({ to: z.string(), data: z.string() })
          .optional()
          .openapi({ description: 'send: the transaction the wallet sends' }),
      }),
    ),
  })
  .openapi('StreamsWalletSteps');

const walletStepsJson = ({ checkout, plan, perPeriod, lastsSeconds, prompts, stepKinds }: WalletSteps) => {
  const wrap = plan.steps.find((step) => step.kind === 'wrap');
  return {
    checkout: checkoutJson(checkout),
    buffer: plan.buffer.toString(),
    existing_flow_rate: plan.existingFlowRate.toString(),
    flow_rate_after: (
      plan.existingFlowRate + (plan.terms.flowStart === 'operator' ? 0n : plan.terms.flowRate)
    ).toString(),
    wrap_amount: (wrap?.amount ?? 0n).toString(),
    underlying_amount: (wrap?.underlyingAmount ?? 0n).toString(),
    underlying_decimals: plan.contracts.underlyingDecimals,
    prepaid_seconds: plan.terms.prepaidSeconds.toString(),
    per_period: perPeriod?.toString() ?? null,
    lasts_seconds: lastsSeconds?.toString() ?? null,
    steps: stepKinds,
    prompts: prompts.map((prompt) => {
      switch (prompt.kind) {
        case 'sign_permit': {
          const { domain, types, message } = prompt.permit;
          return {
            kind: prompt.kind,
            covers: prompt.covers,
            typed_data: {
              domain,
              types: { Permit: [...types.Permit] },
              primaryType: 'Permit' as const,
              message: {
                owner: message.owner,
                spender: message.spender,
                value: message.value.toString(),
                nonce: message.nonce.toString(),
                deadline: message.deadline.toString(),
              },
            },
          };
        }
        case 'send':
          return { kind: prompt.kind, covers: prompt.covers, transaction: prompt.call };
        default:
          return { kind: prompt.kind, covers: prompt.covers };
      }
    }),
  };
};

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
      path: '/checkouts/{id}/wallet-steps',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary:
        'What my wallet still has to do for the checkout, in the fewest prompts, with the deposit locked, how long the balance lasts and what a period costs. Send the permit signed from an earlier answer to get the transaction that carries it',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            permit: z
              .strictObject({
                value: Wei,
                deadline: z.string().regex(/^\d{1,20}$/),
                signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte signature in hex'),
              })
              .optional()
              .openapi({ description: 'the permit of the last answer’s sign_permit prompt, as signed' }),
          }),
        ),
      },
      responses: {
        200: jsonResponse(WalletStepsSchema, 'The steps left and the figures to show'),
        ...errorResponses,
        ...refusals(streamsErrors, ['checkout_closed']),
        ...refusals(streamChainErrors, ['flow_exists', 'permit_stale']),
      },
    }),
    async (c) => {
      const { permit } = c.req.valid('json');
      const steps = await walletStepsOf(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        permit && {
          value: BigInt(permit.value),
          deadline: BigInt(permit.deadline),
          signature: permit.signature as `0x${string}`,
        },
      );
      return c.json(walletStepsJson(steps), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/change',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary:
        'Move my subscription to another stream plan of the same producer and token: a checkout whose one flow update swaps the old plan’s rate for the new one’s (paid by the second, so each plan is paid exactly up to the block it lands in). Its wallet steps say what to send',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ plan_id: Uuid })),
      },
      responses: {
        201: jsonResponse(CheckoutSchema, 'The change’s checkout'),
        ...errorResponses,
        ...refusals(streamsErrors, [
          'subscription_closed',
          'plan_inactive',
          'plan_not_started',
          'plan_sold_out',
        ]),
      },
    }),
    async (c) => {
      const checkout = await startPlanChange(deps, c.get('actor'), c.req.valid('param').id, {
        planId: c.req.valid('json').plan_id,
      });
      return c.json(checkoutJson(checkout), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/cancel',
      access: { caller: 'signed-in', scope: 'streams:subscribe' },
      tags,
      summary:
        'End my subscription: a checkout whose flow update takes the plan’s share out of the flow (or deletes it, when it was the last), from my wallet; the deposit’s share comes back at once',
      request: { params: z.object({ id: PathId }) },
      responses: {
        201: jsonResponse(CheckoutSchema, 'The cancel’s checkout'),
        ...errorResponses,
        ...refusals(streamsErrors, ['subscription_closed']),
      },
    }),
    async (c) => c.json(checkoutJson(await startCancel(deps, c.get('actor'), c.req.valid('param').id)), 201),
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
