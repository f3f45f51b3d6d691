import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../core/actor';
import { createRouter, errorResponses, jsonResponse } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { Credits, iso, Uuid } from '../fields';
import { getResellerPool, listResellerCustomers, type ResellerCustomer } from './customers';
import { readShop, type ShopDatabaseDeps } from './shop-database';

/** A whitelabel reseller's customers and its own pool of credits, for its dashboard. */

const tags = ['Credits: people'];

const ResellerCustomerSchema = z
  .object({
    user_id: Uuid,
    email: z.string().nullable(),
    name: z.string(),
    products: z.array(z.object({ id: Uuid, name: z.string(), active: z.boolean() })),
    granted: Credits.openapi({ description: 'this cycle, by your products' }),
    used: Credits,
    reserved: Credits,
    available: Credits,
    customer_since: z.string(),
    last_used_at: z.string().nullable(),
  })
  .openapi('CreditsResellerCustomer');

const customerJson = (c: ResellerCustomer) => ({
  user_id: c.userId,
  email: c.email,
  name: c.name,
  products: c.products,
  granted: c.granted.toString(),
  used: c.used.toString(),
  reserved: c.reserved.toString(),
  available: c.available.toString(),
  customer_since: c.customerSince.toISOString(),
  last_used_at: iso(c.lastUsedAt),
});

const PoolSchema = z
  .object({
    total: Credits.openapi({ description: 'what your own grants hold this cycle' }),
    handed_out: Credits.openapi({ description: 'what of it went to your customers’ grants' }),
    moved_to_float: Credits.openapi({ description: 'what of it you moved into your own database’s float' }),
    spent: Credits.openapi({ description: 'what you used yourself (your actions, making products)' }),
    reserved: Credits,
    available: Credits.openapi({ description: 'what is left to hand out or spend' }),
    customers: z.number().int(),
  })
  .openapi('CreditsResellerPool');

/**
 * Read on the database the reseller's shop keeps its people in, whichever host asks: on Tally's own
 * site too, where the reseller manages its business.
 */
export function resellerCustomerRoutes(deps: CreditsDeps & Pick<ShopDatabaseDeps, 'databases'>) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/customers',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'My customers (whitelabel resellers): who holds my products, with the credits I funded for them this cycle, newest first',
      request: {
        query: z.object({
          q: z.string().max(200).optional().openapi({ description: 'part of a name or an email address' }),
          ...pageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageSchema(ResellerCustomerSchema), 'A page of customers'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const actor = c.get('actor');
      const page = await readShop(deps, requireUser(actor), () => listResellerCustomers(deps, actor, query));
      return c.json(pageJson(page, customerJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/pool',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'My own credits this cycle (whitelabel resellers): held, handed out to customers, spent, left',
      responses: { 200: jsonResponse(PoolSchema, 'The pool'), ...errorResponses },
    }),
    async (c) => {
      const actor = c.get('actor');
      const pool = await readShop(deps, requireUser(actor), () => getResellerPool(deps, actor));
      return c.json(
        {
          total: pool.total.toString(),
          handed_out: pool.handedOut.toString(),
          moved_to_float: pool.movedToFloat.toString(),
          spent: pool.spent.toString(),
          reserved: pool.reserved.toString(),
          available: pool.available.toString(),
          customers: pool.customers,
        },
        200,
      );
    },
  );

  return router;
}
