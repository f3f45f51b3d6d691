import { createRoute, z } from '@hono/zod-openapi';
import { csvHeaders } from '../../core/csv';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { Uuid } from '../fields';
import { exportProducts, importProducts, PRODUCT_COLUMNS } from './csv';
import {
  ProductChanges,
  ProductInput,
  ProductSchema,
  ProductWithHistorySchema,
  productFields,
  productJson,
  versionJson,
} from './json';
import {
  createProduct,
  getProduct,
  listCategories,
  listProducts,
  type ProductFields,
  setProductArchived,
  updateProduct,
} from './service';

/** Products: edited by their producer's liaison and editors, versioned, browsed by the whole club. */

const tags = ['Coop: products'];

export function productRoutes(deps: CoopDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producers/{id}/products',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Add a product (the producer’s liaison and editors)',
      request: { params: z.object({ id: PathId }), ...jsonBody(ProductInput) },
      responses: {
        201: jsonResponse(ProductSchema, 'The product'),
        ...errorResponses,
        ...refusals(coopErrors, ['product_code_taken']),
      },
    }),
    async (c) => {
      const fields = productFields(c.req.valid('json')) as ProductFields;
      const product = await createProduct(deps, c.get('actor'), c.req.valid('param').id, fields);
      return c.json(productJson(product), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/products',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'The club’s products as they are now, by producer and name; by producer, category or words',
      request: {
        params: z.object({ id: PathId }),
        query: z.object({
          producer_id: Uuid.optional(),
          category: z.string().max(60).optional(),
          q: z
            .string()
            .max(200)
            .optional()
            .openapi({ description: 'words in the name, reference, description, origin or producer' }),
          archived: z
            .enum(['true', 'false'])
            .optional()
            .openapi({ description: 'include products taken off the catalogue' }),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(ProductSchema) }), 'Products'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await listProducts(deps, c.get('actor'), c.req.valid('param').id, {
        producerId: q.producer_id,
        category: q.category,
        search: q.q,
        includeArchived: q.archived === 'true',
      });
      return c.json({ items: items.map(productJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/categories',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'The categories of the products on offer, with how many each has',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(z.object({ category: z.string(), products: z.number().int() })) }),
          'Categories',
        ),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: await listCategories(deps, c.get('actor'), c.req.valid('param').id) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/products/{id}',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'A product now, and every version it had (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(ProductWithHistorySchema, 'The product'), ...errorResponses },
    }),
    async (c) => {
      const { product, versions } = await getProduct(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ product: productJson(product), versions: versions.map(versionJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/products/{id}',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary:
        'Change a product: a new version, the orders that pinned an earlier one keep it (the producer’s editors)',
      request: { params: z.object({ id: PathId }), ...jsonBody(ProductChanges) },
      responses: {
        200: jsonResponse(ProductSchema, 'The product'),
        ...errorResponses,
        ...refusals(coopErrors, ['product_code_taken']),
      },
    }),
    async (c) => {
      const product = await updateProduct(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        productFields(c.req.valid('json')),
      );
      return c.json(productJson(product), 200);
    },
  );

  for (const [action, archived] of [
    ['archive', true],
    ['restore', false],
  ] as const) {
    router.openapi(
      createRoute({
        method: 'post',
        path: `/products/{id}/${action}`,
        access: { caller: 'signed-in', scope: 'coop:write' },
        tags,
        summary: archived
          ? 'Take a product off the catalogue; its versions stay (the producer’s editors)'
          : 'Put a product back on the catalogue (the producer’s editors)',
        request: { params: z.object({ id: PathId }) },
        responses: {
          200: jsonResponse(ProductSchema, 'The product'),
          ...errorResponses,
          ...refusals(coopErrors, ['product_code_taken']),
        },
      }),
      async (c) =>
        c.json(
          productJson(await setProductArchived(deps, c.get('actor'), c.req.valid('param').id, archived)),
          200,
        ),
    );
  }

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producers/{id}/products.csv',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary:
        'The producer’s products on offer as CSV, the columns a liaison keeps in a spreadsheet (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: { description: 'CSV, RFC 4180', content: { 'text/csv': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const csv = await exportProducts(deps, c.get('actor'), c.req.valid('param').id);
      return c.body(csv, 200, csvHeaders('products', deps.clock.now(), null));
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producers/{id}/products/import',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary:
        'Read the producer’s products from CSV: row by row what saving would do or what is wrong; with `save`, and no row wrong, all are saved at once (its editors)',
      description: `Columns: ${PRODUCT_COLUMNS.join(', ')}. A row's \`code\` finds the product it updates; a new code creates one; products not in the file stay as they are.`,
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ csv: z.string().max(1_000_000), save: z.boolean().default(false) })),
      },
      responses: {
        200: jsonResponse(ImportResultSchema, 'The rows, and whether they were saved'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await importProducts(deps, c.get('actor'), c.req.valid('param').id, body.csv, {
        save: body.save,
      });
      return c.json(result, 200);
    },
  );

  return router;
}

const ImportResultSchema = z
  .object({
    rows: z.array(
      z.object({
        line: z.number().int(),
        code: z.string(),
        name: z.string(),
        action: z.enum(['create', 'update', 'unchanged', 'invalid']),
        problems: z.array(z.object({ column: z.enum(PRODUCT_COLUMNS).nullable(), message: z.string() })),
      }),
    ),
    saved: z.boolean(),
    counts: z.object({
      create: z.number().int(),
      update: z.number().int(),
      unchanged: z.number().int(),
      invalid: z.number().int(),
    }),
  })
  .openapi('CoopProductImport');
