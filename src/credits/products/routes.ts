import { createRoute, z } from '@hono/zod-openapi';
import type { Actor } from '../../core/actor';
import { namesOf } from '../../core/auth/names';
import { createRouter, errorResponses, jsonBody, jsonResponse } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { ActionKey, Credits, MinorUnits, PathId, PositiveCredits, Uuid } from '../fields';
import { productTypes, refillCycles } from '../schema';
import { readShop, type ShopDatabaseDeps } from '../whitelabel/shop-database';
import { priceAction, readActionPrices } from './actions';
import {
  ActionPriceSchema,
  actionPriceJson,
  CatalogueProductSchema,
  catalogueProductJson,
  ProductSchema,
  productJson,
} from './json';
import {
  createProduct,
  getProduct,
  listCatalogue,
  listProducts,
  type Product,
  updateProduct,
} from './service';

/** Products (administrators' and resellers') and the prices of actions. */

const tags = ['Credits: products'];

const productFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  credits_per_cycle: PositiveCredits,
  refill_cycle: z.enum(refillCycles),
  rollover_credits: Credits,
  permissions: z
    .array(ActionKey)
    .max(100)
    .openapi({ description: 'the actions the product lets its holders take' }),
  display_price: z.strictObject({
    amount_minor: MinorUnits,
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, such as USD'),
  }),
  active: z.boolean(),
};

const optionalBigint = (value: string | undefined) => (value === undefined ? undefined : BigInt(value));

/**
 * `databases`: a reseller whose shop has a database of its own makes and manages its products there,
 * on Tally's site as on its domain (`readShop`); administrators' products are Tally's.
 */
export function productRoutes(deps: CreditsDeps & Pick<ShopDatabaseDeps, 'databases'>) {
  const router = createRouter();
  const inShopOf = <T>(actor: Actor, work: () => Promise<T>): Promise<T> =>
    actor.userId && !actor.isAdmin ? readShop(deps, actor.userId, work) : work();
  /** A product as the API shows it, its maker named (read in the database the product is in). */
  const named = async (product: Product) =>
    productJson(product, await namesOf(deps.db, [product.ownerUserId]));

  router.openapi(
    createRoute({
      method: 'post',
      path: '/products',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: 'Make a product',
      description:
        'Administrators make generic and whitelabel products. A whitelabel reseller makes under-whitelabel ' +
        'ones: only with actions its own products grant, no more credits per cycle than it has available, ' +
        'and paying the `create_under_whitelabel_product` price.',
      request: jsonBody(
        z.strictObject({
          type: z.enum(productTypes).optional(),
          name: productFields.name,
          description: productFields.description.optional(),
          credits_per_cycle: productFields.credits_per_cycle,
          refill_cycle: productFields.refill_cycle,
          rollover_credits: productFields.rollover_credits.optional(),
          permissions: productFields.permissions,
          display_price: productFields.display_price.optional(),
          active: productFields.active.optional(),
        }),
      ),
      responses: { 201: jsonResponse(ProductSchema, 'The product'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = c.get('actor');
      const made = await inShopOf(actor, async () => {
        const product = await createProduct(deps, actor, {
          type: body.type,
          name: body.name,
          description: body.description,
          creditsPerCycle: BigInt(body.credits_per_cycle),
          refillCycle: body.refill_cycle,
          rolloverCredits: optionalBigint(body.rollover_credits),
          permissions: body.permissions,
          displayPriceMinor: optionalBigint(body.display_price?.amount_minor),
          displayCurrency: body.display_price?.currency,
          active: body.active,
        });
        return named(product);
      });
      return c.json(made, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/products',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'Products, newest first: every one for administrators, their own for resellers',
      request: {
        query: z.object({
          type: z.enum(productTypes).optional(),
          owner_user_id: Uuid.optional(),
          active: z.enum(['true', 'false']).optional(),
          ...pageQuery,
        }),
      },
      responses: { 200: jsonResponse(pageSchema(ProductSchema), 'A page of products'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const actor = c.get('actor');
      const page = await inShopOf(actor, async () => {
        const result = await listProducts(deps, actor, {
          type: q.type,
          ownerUserId: q.owner_user_id,
          active: q.active === undefined ? undefined : q.active === 'true',
          cursor: q.cursor,
          limit: q.limit,
        });
        const names = await namesOf(
          deps.db,
          result.items.map((p) => p.ownerUserId),
        );
        return pageJson(result, (p) => productJson(p, names));
      });
      return c.json(page, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/catalogue',
      access: { caller: 'anyone' },
      tags,
      summary: 'The products on sale, for anyone (no sign-in)',
      description:
        'Without `reseller_domain`: the active generic and whitelabel products. With it: the active ' +
        'under-whitelabel products of the reseller whose active domain it is. A domain that is not ' +
        'active answers an empty list, not an error. On a reseller’s own domain the answer is always its shop.',
      request: {
        query: z.object({
          reseller_domain: z
            .string()
            .trim()
            .min(1)
            .max(253)
            .optional()
            .openapi({ example: 'credits.example.com' }),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(CatalogueProductSchema) }), 'The products on sale'),
        ...errorResponses,
      },
    }),
    async (c) => {
      // On a reseller's own domain its shop is the catalogue, whatever the query names (and its products
      // may be in its own database, where no domain is kept).
      const tenant = c.get('tenant');
      const items = await listCatalogue(
        deps,
        tenant
          ? { resellerUserId: tenant.ownerUserId }
          : { resellerDomain: c.req.valid('query').reseller_domain },
      );
      return c.json({ items: items.map(catalogueProductJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/products/{id}',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'A product its maker (or an administrator) manages',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(ProductSchema, 'The product'), ...errorResponses },
    }),
    async (c) => {
      const actor = c.get('actor');
      const found = await inShopOf(actor, async () =>
        named(await getProduct(deps, actor, c.req.valid('param').id)),
      );
      return c.json(found, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/products/{id}',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: 'Change or deactivate a product; changes apply to later purchases and refills',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            name: productFields.name.optional(),
            description: productFields.description.optional(),
            credits_per_cycle: productFields.credits_per_cycle.optional(),
            refill_cycle: productFields.refill_cycle.optional(),
            rollover_credits: productFields.rollover_credits.optional(),
            permissions: productFields.permissions.optional(),
            display_price: productFields.display_price.optional(),
            active: productFields.active.optional(),
          }),
        ),
      },
      responses: { 200: jsonResponse(ProductSchema, 'The product'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = c.get('actor');
      const changed = await inShopOf(actor, async () => {
        const product = await updateProduct(deps, actor, c.req.valid('param').id, {
          name: body.name,
          description: body.description,
          creditsPerCycle: optionalBigint(body.credits_per_cycle),
          refillCycle: body.refill_cycle,
          rolloverCredits: optionalBigint(body.rollover_credits),
          permissions: body.permissions,
          displayPriceMinor: optionalBigint(body.display_price?.amount_minor),
          displayCurrency: body.display_price?.currency,
          active: body.active,
        });
        return named(product);
      });
      return c.json(changed, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/action-prices',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'What each action costs in credits',
      responses: {
        200: jsonResponse(z.object({ items: z.array(ActionPriceSchema) }), 'Every priced action'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: (await readActionPrices(deps, c.get('actor'))).map(actionPriceJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/action-prices/{action}',
      access: { caller: 'admin', scope: 'credits:manage' },
      tags,
      summary: 'Set an action’s price, adding the action if it is new (administrators)',
      request: {
        params: z.object({ action: ActionKey.openapi({ param: { name: 'action', in: 'path' } }) }),
        ...jsonBody(z.strictObject({ price: Credits, label: z.string().trim().min(1).max(200).optional() })),
      },
      responses: { 200: jsonResponse(ActionPriceSchema, 'The price'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const price = await priceAction(deps, c.get('actor'), {
        action: c.req.valid('param').action,
        label: body.label,
        price: BigInt(body.price),
      });
      return c.json(actionPriceJson(price), 200);
    },
  );

  return router;
}
