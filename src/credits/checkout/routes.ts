import { createRoute, z } from '@hono/zod-openapi';
import {
  AuthorizationFields,
  AuthorizationTermsSchema,
  authorizationInputOf,
  authorizationTermsJson,
} from '../../chain/authorization-json';
import { chainErrors } from '../../chain/errors';
import { createRouter, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { iso, PathId, Uuid } from '../fields';
import { checkoutStates } from '../schema';
import {
  type Checkout,
  type CheckoutOffer,
  checkoutOffer,
  getCheckout,
  listCheckouts,
  startCheckout,
} from './service';

const tags = ['Credits: checkout'];
const ProductPathId = z.uuid().openapi({ param: { name: 'productId', in: 'path' } });

/** The credits line's refusals and the chain rail's, for the routes that take a payment. */
const withChainErrors = { definitions: { ...creditsErrors.definitions, ...chainErrors.definitions } };

export const CheckoutOfferSchema = z
  .object({
    product: z.object({ id: Uuid, name: z.string(), description: z.string(), type: z.string() }),
    price: z.object({ amount_minor: z.string(), currency: z.string() }),
    value: z
      .string()
      .nullable()
      .openapi({ description: 'the USDC (micro-units) to authorize; null when not for sale here' }),
    unavailable: z
      .string()
      .nullable()
      .openapi({ description: 'why the checkout cannot sell this product; null when it can' }),
    terms: AuthorizationTermsSchema.nullable(),
  })
  .openapi('CreditsCheckoutOffer');

const offerJson = (o: CheckoutOffer) => ({
  product: o.product,
  price: { amount_minor: o.price.amountMinor.toString(), currency: o.price.currency },
  value: o.value?.toString() ?? null,
  unavailable: o.unavailable,
  terms: o.terms ? authorizationTermsJson(o.terms) : null,
});

export const CheckoutSchema = z
  .object({
    id: Uuid,
    state: z.enum(checkoutStates).openapi({
      description:
        'awaiting_payment: submitted, waiting for confirmations; paid: the payment is confirmed, and the purchase is made (login details mailed) once `purchase_id` is set — on a shop with a database of its own it follows within seconds, or waits for the shop’s float, `failure` saying so; failed; reversed',
    }),
    product_id: Uuid,
    email: z.string(),
    value: z.string().openapi({ description: 'USDC micro-units' }),
    from: z.string(),
    purchase_id: Uuid.nullable(),
    failure: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CreditsCheckout');

const checkoutJson = (c: Checkout) => ({
  id: c.id,
  state: c.state,
  product_id: c.productId,
  email: c.email,
  value: c.value.toString(),
  from: c.fromAddress,
  purchase_id: c.purchaseId,
  failure: c.failure,
  created_at: c.createdAt.toISOString(),
  updated_at: iso(c.updatedAt)!,
});

/** What administrators see of a checkout besides its buyer's view: whose shop makes the purchase, and how often it tried. */
const AdminCheckoutSchema = CheckoutSchema.extend({
  name: z.string(),
  tenant_user_id: Uuid.nullable().openapi({
    description: 'the reseller whose own database makes the purchase; null: made on Tally’s database',
  }),
  purchase_attempts: z.number().int(),
}).openapi('CreditsAdminCheckout');

const adminCheckoutJson = (c: Checkout) => ({
  ...checkoutJson(c),
  name: c.name,
  tenant_user_id: c.tenantUserId,
  purchase_attempts: c.purchaseAttempts,
});

/** A product's payment link: what it costs in USDC, and paying it with one wallet signature. */
export function checkoutRoutes(deps: CreditsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/checkout/{productId}',
      access: { caller: 'anyone' },
      tags,
      summary:
        'A product’s payment link: the product, its price in USDC, and the EIP-3009 terms a wallet signs',
      request: { params: z.object({ productId: ProductPathId }) },
      responses: { 200: jsonResponse(CheckoutOfferSchema, 'The offer'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        offerJson(await checkoutOffer(deps, c.req.valid('param').productId, c.get('tenant')?.ownerUserId)),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/checkout/{productId}',
      // The wallet's signature is the payment; the buyer's address gets the login details.
      access: { caller: 'anyone' },
      tags,
      summary:
        'Buy a product: an EIP-3009 authorization of its price in USDC to the treasury; the purchase is made once the chain confirms it. The same authorization again answers the same checkout',
      request: {
        params: z.object({ productId: ProductPathId }),
        ...jsonBody(
          z.strictObject({
            email: z.email().max(320),
            name: z.string().trim().max(200).optional(),
            authorization: z.strictObject(AuthorizationFields),
          }),
        ),
      },
      responses: {
        200: jsonResponse(CheckoutSchema, 'The checkout this authorization started before'),
        201: jsonResponse(CheckoutSchema, 'The checkout, its payment submitted to the chain'),
        ...errorResponses,
        ...refusals(withChainErrors, [
          'product_not_sold',
          'checkout_unavailable',
          'checkout_amount',
          'authorization_not_valid_yet',
          'authorization_expiring',
          'signature_invalid',
          'insufficient_balance',
          'authorization_used',
        ]),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { checkout, replayed } = await startCheckout(
        deps,
        c.get('actor'),
        c.req.valid('param').productId,
        {
          email: body.email,
          name: body.name,
          authorization: authorizationInputOf(body.authorization),
        },
        c.get('tenant') ?? undefined,
      );
      return c.json(checkoutJson(checkout), replayed ? 200 : 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/checkouts',
      access: { caller: 'admin', scope: 'credits:read' },
      tags,
      summary:
        'Every checkout, newest first (administrators): filter by state, or those paid whose purchase waits',
      request: {
        query: z.object({
          state: z.enum(checkoutStates).optional(),
          waiting: z
            .enum(['true', 'false'])
            .optional()
            .openapi({ description: 'true: paid, with the purchase not made yet (a shop’s float too low)' }),
          ...pageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageSchema(AdminCheckoutSchema), 'A page of checkouts'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listCheckouts(deps, c.get('actor'), {
        state: q.state,
        waiting: q.waiting === 'true',
        cursor: q.cursor,
        limit: q.limit,
      });
      return c.json(pageJson(page, adminCheckoutJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/checkouts/{id}',
      // Its id is the buyer's receipt: whoever holds it follows the payment.
      access: { caller: 'anyone' },
      tags,
      summary: 'A checkout by its id: waiting for the chain, paid (the purchase made), or failed and why',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(CheckoutSchema, 'The checkout'), ...errorResponses },
    }),
    async (c) => c.json(checkoutJson(await getCheckout(deps, c.req.valid('param').id)), 200),
  );

  return router;
}
