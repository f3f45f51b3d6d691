import { createRoute, z } from '@hono/zod-openapi';
import { PASSWORD_MAX_LENGTH } from '../../core/auth/passwords';
import { startSession } from '../../core/auth/session-cookie';
import { createRouter, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { PathId, Uuid } from '../fields';
import type { ShopFinder } from '../tenant-databases/shop-products';
import { WorkspaceSchema, workspaceJson } from '../workspaces/json';
import { listDeliveries } from './deliveries';
import { createIntegration, deactivateIntegration, getIntegration, listIntegrations } from './integrations';
import {
  DeliverySchema,
  deliveryJson,
  IntegrationSchema,
  integrationJson,
  PaidAmount,
  PurchaseDetailSchema,
  PurchaseSchema,
  paidOf,
  purchaseDetailJson,
  purchaseJson,
} from './json';
import { completeOnboarding, requestLoginDetails } from './onboarding';
import { enterPurchase, getPurchase, listPurchases } from './service';
import { receivePurchaseWebhook, WebhookOrderSchema } from './webhook';

/** Purchases (by webhook or by an administrator), the sales platforms' integrations, and the first login. */

const tags = ['Credits: purchases'];
const Email = z.email().max(320).openapi({ example: 'ada@example.com' });
const PurchaseOutcomeSchema = z.object({ purchase: PurchaseSchema, created: z.boolean() });

/** `shops`: where a sale of a product of a shop with a database of its own is made. */
export function purchaseRoutes(deps: CreditsDeps, shops: Pick<ShopFinder, 'byProduct'>) {
  const router = createRouter();
  router.openAPIRegistry.register('CreditsWebhookOrder', WebhookOrderSchema);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/{integrationId}',
      access: { caller: 'anyone' },
      tags,
      summary: 'A sales platform reports a purchase',
      description:
        'Signed with the integration’s secret: `X-Tally-Signature: sha256=<hex HMAC-SHA256 of "<X-Tally-Timestamp>.<raw body>">`, ' +
        'the timestamp in unix seconds within 5 minutes of now. The order id makes a repeat answer 200 ' +
        'with the first purchase and create nothing.',
      request: {
        params: z.object({
          integrationId: z
            .string()
            .max(100)
            .openapi({ param: { name: 'integrationId', in: 'path' } }),
        }),
        headers: z.object({
          'x-tally-timestamp': z.string().max(20).optional(),
          'x-tally-signature': z.string().max(200).optional(),
        }),
        // Documented, not validated here: the signature is checked over the raw bytes first.
        body: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/CreditsWebhookOrder' } } },
        },
      },
      responses: {
        200: jsonResponse(PurchaseOutcomeSchema, 'The order was recorded before; nothing changed'),
        201: jsonResponse(PurchaseOutcomeSchema, 'The purchase'),
        ...errorResponses,
        ...refusals(creditsErrors, [
          'integration_deactivated',
          'product_not_sold',
          'own_product',
          'order_recorded_differently',
        ]),
      },
    }),
    async (c) => {
      const headers = c.req.valid('header');
      const outcome = await receivePurchaseWebhook(
        deps,
        c.get('actor'),
        {
          integrationId: c.req.valid('param').integrationId,
          timestamp: headers['x-tally-timestamp'],
          signature: headers['x-tally-signature'],
          rawBody: new Uint8Array(await c.req.arrayBuffer()),
        },
        shops,
      );
      const body = { purchase: purchaseJson(outcome.purchase), created: outcome.created };
      return outcome.created ? c.json(body, 201) : c.json(body, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/purchases',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary: 'Enter a purchase made elsewhere (administrators)',
      description: 'Idempotent on the order reference, like a webhook delivery.',
      request: jsonBody(
        z.strictObject({
          email: Email,
          product_id: Uuid,
          order_reference: z.string().trim().min(1).max(200),
          amount_paid: PaidAmount.optional(),
          name: z.string().max(200).optional(),
          note: z.string().max(2000).optional(),
        }),
      ),
      responses: {
        200: jsonResponse(PurchaseOutcomeSchema, 'The order was entered before; nothing changed'),
        201: jsonResponse(PurchaseOutcomeSchema, 'The purchase'),
        ...errorResponses,
        ...refusals(creditsErrors, ['product_not_sold', 'own_product', 'order_recorded_differently']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const outcome = await enterPurchase(deps, c.get('actor'), {
        email: body.email,
        productId: body.product_id,
        orderReference: body.order_reference,
        amountPaid: paidOf(body.amount_paid),
        name: body.name,
        note: body.note,
      });
      const json = { purchase: purchaseJson(outcome.purchase), created: outcome.created };
      return outcome.created ? c.json(json, 201) : c.json(json, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/purchases',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'Purchases, newest first: all of them for administrators; one’s own, and those of one’s own products, for everyone else',
      request: {
        query: z.object({
          user_id: Uuid.optional(),
          product_id: Uuid.optional(),
          integration_id: Uuid.optional(),
          ...pageQuery,
        }),
      },
      responses: { 200: jsonResponse(pageSchema(PurchaseSchema), 'A page of purchases'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const result = await listPurchases(deps, c.get('actor'), {
        userId: q.user_id,
        productId: q.product_id,
        integrationId: q.integration_id,
        cursor: q.cursor,
        limit: q.limit,
      });
      return c.json(pageJson(result, purchaseJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/purchases/{id}',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'One purchase with its product, buyer, platform and amount paid; administrators also see its webhook deliveries (the buyer, the reseller of the product and administrators only)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(PurchaseDetailSchema, 'The purchase'), ...errorResponses },
    }),
    async (c) =>
      c.json(purchaseDetailJson(await getPurchase(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/integrations',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary: 'Connect a sales platform (administrators); its signing secret is in this response only',
      request: jsonBody(z.strictObject({ name: z.string().trim().min(1).max(200) })),
      responses: {
        201: jsonResponse(
          z.object({ integration: IntegrationSchema, secret: z.string(), webhook_url: z.string() }),
          'The integration and its secret',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { integration, secret } = await createIntegration(deps, c.get('actor'), c.req.valid('json'));
      return c.json(
        {
          integration: integrationJson(integration),
          secret,
          webhook_url: `${deps.publicUrl}/api/credits/webhooks/${integration.id}`,
        },
        201,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/integrations',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary: 'The sales platforms connected (administrators); never their secrets',
      responses: {
        200: jsonResponse(z.object({ items: z.array(IntegrationSchema) }), 'Integrations'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: (await listIntegrations(deps, c.get('actor'))).map(integrationJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/integrations/{id}',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary: 'One sales platform (administrators); never its secret',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(IntegrationSchema, 'The integration'), ...errorResponses },
    }),
    async (c) =>
      c.json(integrationJson(await getIntegration(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/integrations/{id}/deliveries',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary:
        'Every delivery an integration’s webhook received, newest first, failures included and why (administrators)',
      request: { params: z.object({ id: PathId }), query: z.object(pageQuery) },
      responses: {
        200: jsonResponse(pageSchema(DeliverySchema), 'A page of deliveries'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        pageJson(
          await listDeliveries(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('query')),
          deliveryJson,
        ),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/integrations/{id}/deactivate',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary: 'Stop accepting an integration’s deliveries (administrators)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(IntegrationSchema, 'The integration'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        integrationJson(await deactivateIntegration(deps, c.get('actor'), c.req.valid('param').id)),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/onboarding',
      access: { caller: 'anyone' },
      tags,
      summary: 'First login: the temporary password from the mail, a new password and the first workspace',
      description:
        'One transaction: the temporary password is used, the password set, the workspace made and a ' +
        'session opened — or, if any step fails, nothing changes.',
      request: jsonBody(
        z.strictObject({
          email: Email,
          temporary_password: z.string().min(1).max(100),
          new_password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
          workspace_name: z.string().max(200),
        }),
      ),
      responses: {
        201: jsonResponse(
          z.object({
            user: z.object({ id: Uuid, email: z.string().nullable(), name: z.string() }),
            workspace: WorkspaceSchema,
          }),
          'Signed in, with the first workspace',
        ),
        ...errorResponses,
        ...refusals(creditsErrors, [
          'temporary_password_used',
          'temporary_password_expired',
          'password_already_set',
          'workspace_name_taken',
        ]),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { user, session, workspace } = await completeOnboarding(
        deps,
        c.get('actor'),
        {
          email: body.email,
          temporaryPassword: body.temporary_password,
          newPassword: body.new_password,
          workspaceName: body.workspace_name,
        },
        { ip: c.get('actor').ip, userAgent: c.req.header('user-agent') ?? null },
      );
      await startSession(c, deps, user.id, session);
      return c.json(
        { user: { id: user.id, email: user.email, name: user.name }, workspace: workspaceJson(workspace) },
        201,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/onboarding/login-details',
      access: { caller: 'anyone' },
      tags,
      summary: 'Mail new login details to a person who has not finished onboarding',
      description: 'Answers 202 whatever the address, so no response reveals who has an account.',
      request: jsonBody(z.strictObject({ email: Email })),
      responses: {
        202: jsonResponse(z.object({ status: z.literal('check_your_mail') }), 'Accepted'),
        ...errorResponses,
      },
    }),
    async (c) => {
      await requestLoginDetails(deps, c.get('actor'), c.req.valid('json'));
      return c.json({ status: 'check_your_mail' as const }, 202);
    },
  );

  return router;
}
