import { createRoute, z } from '@hono/zod-openapi';
import { csvHeaders } from '../../core/csv';
import { AppError } from '../../core/errors';
import {
  createRouter,
  downloadHeaders,
  errorResponses,
  jsonBody,
  jsonResponse,
  oneLine,
  PathId,
  refusals,
} from '../../core/http';
import { pdfHeaders } from '../../core/pdf';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { Uuid } from '../fields';
import { Decimal, exact } from '../products/json';
import { allocationRules, badPaymentReasons, orderStatuses } from '../schema';
import { orderStanding } from './access';
import {
  flagBadPayment,
  householdAccount,
  INVOICE_MAX_BYTES,
  markInvoicePaid,
  markPaymentReceived,
  readInvoice,
  reportPaymentFixed,
  uploadInvoice,
} from './billing';
import { closeOrder } from './close';
import { REOPEN_REASON_MAX, reopenOrder, settleCorrection } from './corrections';
import {
  addExtraProduct,
  confirmDelivery,
  recordDelivery,
  reopenDelivery,
  takeExtraProduct,
} from './deliveries';
import { getOrderDetail } from './detail';
import { getHouseholdOrder, orderCatalogue, setOrderLine } from './household-orders';
import {
  CatalogueProductSchema,
  catalogueJson,
  HouseholdOrderSchema,
  householdOrderJson,
  OrderDetailSchema,
  OrderSummarySchema,
  orderDetailJson,
  orderSummaryJson,
} from './json';
import {
  answerForProducer,
  clubAllocationRule,
  createOrder,
  listOrders,
  openOrder,
  setAllocationRule,
  updateOrder,
} from './service';
import { orderSheetCsv, orderSheetFileName, orderSheetPdf, readOrderSheet } from './sheets';

/**
 * Orders, from Preparing to Finished: who may do what is decided in the services from the caller's
 * role in the club (order manager, bookkeeper, Admin), their household, and the producers they are
 * liaison of; anyone outside the club finds no order (404).
 */

const tags = ['Coop: orders'];
const read = { caller: 'signed-in', scope: 'coop:read' } as const;
const write = { caller: 'signed-in', scope: 'coop:write' } as const;
const OrderAndProducer = z.object({
  id: PathId,
  producerId: z.uuid().openapi({ param: { name: 'producerId', in: 'path' } }),
});
const OrderAndProduct = z.object({
  id: PathId,
  productId: z.uuid().openapi({ param: { name: 'productId', in: 'path' } }),
});
const OrderAndHousehold = z.object({
  id: PathId,
  householdId: z.uuid().openapi({ param: { name: 'householdId', in: 'path' } }),
});
const Deadline = z.iso
  .datetime({ offset: true })
  .openapi({ description: 'when households can no longer order' });
const Pickup = oneLine(z.string().max(300)).openapi({ description: 'where and when the food is picked up' });
const stateRefusals = refusals(coopErrors, [
  'order_preparing',
  'order_open',
  'order_closed',
  'order_processed',
  'order_finished',
]);

export function orderRoutes(deps: CoopDeps) {
  const router = createRouter();
  const detail = async (actor: Parameters<typeof getOrderDetail>[1], id: string) =>
    orderDetailJson(await getOrderDetail(deps, actor, id));

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/orders',
      access: read,
      tags,
      summary: 'The club’s orders, newest first (club members)',
      request: {
        params: z.object({ id: PathId }),
        query: z.object({ status: z.enum(orderStatuses).optional() }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(OrderSummarySchema) }), 'Orders'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const items = await listOrders(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('query'));
      return c.json({ items: items.map(orderSummaryJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/orders',
      access: write,
      tags,
      summary:
        'Create an order (order managers, the Admin): every producer’s liaison is asked whether it can deliver',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ pickup: Pickup.optional() })),
      },
      responses: {
        201: jsonResponse(OrderDetailSchema, 'The order, being prepared'),
        ...errorResponses,
        ...refusals(coopErrors, ['order_in_progress']),
      },
    }),
    async (c) => {
      const order = await createOrder(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(await detail(c.get('actor'), order.id), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/order-settings',
      access: read,
      tags,
      summary: 'How the club shares a product that ran short (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ allocation_rule: z.enum(allocationRules) }), 'The club’s order rules'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const clubId = c.req.valid('param').id;
      await orderStanding(deps, deps.db, c.get('actor'), clubId, 'read', { kind: 'club', id: clubId });
      return c.json({ allocation_rule: await clubAllocationRule(deps.db, clubId) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/clubs/{id}/order-settings',
      access: write,
      tags,
      summary:
        'Choose how a product that ran short is shared: pro rata, rotation or order time (order managers, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ allocation_rule: z.enum(allocationRules) })),
      },
      responses: {
        200: jsonResponse(z.object({ allocation_rule: z.enum(allocationRules) }), 'The club’s order rules'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        {
          allocation_rule: await setAllocationRule(
            deps,
            c.get('actor'),
            c.req.valid('param').id,
            c.req.valid('json').allocation_rule,
          ),
        },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}',
      access: read,
      tags,
      summary:
        'An order: its status, dates, producers, your tasks, its activity and your household’s order (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(OrderDetailSchema, 'The order'), ...errorResponses },
    }),
    async (c) => c.json(await detail(c.get('actor'), c.req.valid('param').id), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/orders/{id}',
      access: write,
      tags,
      summary: 'Move an open order’s deadline, or change where food is picked up (order managers, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ deadline: Deadline.optional(), pickup: Pickup.optional() })),
      },
      responses: { 200: jsonResponse(OrderDetailSchema, 'The order'), ...errorResponses, ...stateRefusals },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const order = await updateOrder(deps, c.get('actor'), c.req.valid('param').id, {
        deadline: body.deadline === undefined ? undefined : new Date(body.deadline),
        pickup: body.pickup,
      });
      return c.json(await detail(c.get('actor'), order.id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/producers/{producerId}/answer',
      access: write,
      tags,
      summary:
        'Say whether a producer can deliver for an order being prepared (its liaison, order managers, the Admin)',
      request: {
        params: OrderAndProducer,
        ...jsonBody(
          z.strictObject({
            available: z.boolean(),
            products_up_to_date: z.boolean().default(false).openapi({
              description: 'required with `available`: its products and prices are as they will be delivered',
            }),
            note: z.string().max(1000).optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['producer_has_no_products']),
      },
    }),
    async (c) => {
      const { id, producerId } = c.req.valid('param');
      const body = c.req.valid('json');
      await answerForProducer(deps, c.get('actor'), id, producerId, {
        available: body.available,
        productsUpToDate: body.products_up_to_date,
        note: body.note,
      });
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/open',
      access: write,
      tags,
      summary: 'Open the order until its deadline, once every producer answered (order managers, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ deadline: Deadline, pickup: Pickup.optional() })),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order, open'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['producers_not_answered', 'no_producer_available']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const order = await openOrder(deps, c.get('actor'), c.req.valid('param').id, {
        deadline: new Date(body.deadline),
        pickup: body.pickup,
      });
      return c.json(await detail(c.get('actor'), order.id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/close',
      access: write,
      tags,
      summary:
        'Close the order before its deadline (order managers, the Admin): short products are shared, sheets mailed',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order, closed'),
        ...errorResponses,
        ...stateRefusals,
      },
    }),
    async (c) => {
      const order = await closeOrder(deps, c.get('actor'), c.req.valid('param').id);
      return c.json(await detail(c.get('actor'), order.id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}/catalogue',
      access: read,
      tags,
      summary: 'What households may order: the available producers’ products, with prices (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(CatalogueProductSchema) }), 'Products on offer'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const items = await orderCatalogue(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ items: items.map(catalogueJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}/household-order',
      access: read,
      tags,
      summary:
        'Your household’s order, its bill and every change to it (its members; the Admin, order managers and bookkeeper name one)',
      request: { params: z.object({ id: PathId }), query: z.object({ household_id: Uuid.optional() }) },
      responses: { 200: jsonResponse(HouseholdOrderSchema, 'The household’s order'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        householdOrderJson(
          await getHouseholdOrder(
            deps,
            c.get('actor'),
            c.req.valid('param').id,
            c.req.valid('query').household_id,
          ),
        ),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/orders/{id}/household-order/lines/{productId}',
      access: write,
      tags,
      summary:
        'Set how many items of a product your household orders, 0 to take it off (its members, while the order is open)',
      request: {
        params: OrderAndProduct,
        ...jsonBody(
          z.strictObject({
            quantity: z.number().int().min(0).max(10_000),
            version: z.number().int().min(1).openapi({ description: 'the product version you were shown' }),
            household_id: Uuid.optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(HouseholdOrderSchema, 'The household’s order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['order_deadline_passed', 'product_not_in_order', 'product_version_stale']),
      },
    }),
    async (c) => {
      const { id, productId } = c.req.valid('param');
      const body = c.req.valid('json');
      const view = await setOrderLine(deps, c.get('actor'), id, productId, {
        quantity: body.quantity,
        version: body.version,
        householdId: body.household_id,
      });
      return c.json(householdOrderJson(view), 200);
    },
  );

  for (const format of ['pdf', 'csv'] as const) {
    router.openapi(
      createRoute({
        method: 'get',
        path: `/orders/{id}/producers/{producerId}/sheet.${format}`,
        access: read,
        tags,
        summary: `A producer’s order sheet as ${format.toUpperCase()}: totals per product, and with by_household what each household gets (its liaison, order managers, the bookkeeper)`,
        request: {
          params: OrderAndProducer,
          query: z.object({ by_household: z.enum(['true', 'false']).default('false') }),
        },
        responses: {
          200: {
            description: 'The order sheet',
            content: { [format === 'pdf' ? 'application/pdf' : 'text/csv']: { schema: z.string() } },
          },
          ...errorResponses,
          ...stateRefusals,
        },
      }),
      async (c) => {
        const { id, producerId } = c.req.valid('param');
        const byHousehold = c.req.valid('query').by_household === 'true';
        const sheet = await readOrderSheet(deps, c.get('actor'), id, producerId);
        if (format === 'csv') {
          return c.body(orderSheetCsv(sheet, byHousehold), 200, {
            ...csvHeaders(orderSheetFileName(sheet, '').slice(0, -1), deps.clock.now(), null),
          });
        }
        const pdf = await orderSheetPdf(sheet, byHousehold, deps.clock.now());
        return c.body(new Uint8Array(pdf), 200, pdfHeaders(orderSheetFileName(sheet, 'pdf')));
      },
    );
  }

  const WeightsOrItems = z.strictObject({
    household_id: Uuid,
    items: z.number().int().min(0).max(10_000).optional(),
    weights: z
      .array(Decimal(3))
      .max(10_000)
      .optional()
      .openapi({ description: 'goods sold by weight: each item’s weight, in the product’s unit (1.25)' }),
  });

  router.openapi(
    createRoute({
      method: 'put',
      path: '/orders/{id}/products/{productId}/delivery',
      access: write,
      tags,
      summary:
        'Record what came of a product: delivered (as allotted, or amounts per household), not available, or missing; a changed price (its producer’s liaison, order managers, the Admin)',
      request: {
        params: OrderAndProduct,
        ...jsonBody(
          z.strictObject({
            outcome: z.enum(['delivered', 'not_available', 'missing']),
            comment: z.string().max(1000).optional(),
            price: Decimal(2).nullable().optional().openapi({
              description: 'the producer’s new price per unit (2.40); null takes a change back',
            }),
            households: z.array(WeightsOrItems).max(2000).optional(),
            confirm_implausible: z.boolean().default(false),
          }),
        ),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['implausible_weight', 'delivery_confirmed', 'product_not_in_order']),
      },
    }),
    async (c) => {
      const { id, productId } = c.req.valid('param');
      const body = c.req.valid('json');
      await recordDelivery(deps, c.get('actor'), id, productId, {
        outcome: body.outcome,
        comment: body.comment,
        priceCents:
          body.price === undefined ? undefined : body.price === null ? null : exact(body.price, 2, 'price'),
        households: body.households?.map((h) => ({
          householdId: h.household_id,
          items: h.items,
          weights: h.weights?.map((w) => exact(w, 3, 'weights')),
        })),
        confirmImplausible: body.confirm_implausible,
      });
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/producers/{producerId}/extras',
      access: write,
      tags,
      summary:
        'Record a product delivered that nobody ordered, for households to take (its liaison, order managers, the Admin)',
      request: {
        params: OrderAndProducer,
        ...jsonBody(
          z.strictObject({
            product_id: Uuid,
            items: z.number().int().min(1).max(10_000),
            comment: z.string().max(1000).optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['delivery_confirmed', 'extra_taken_up']),
      },
    }),
    async (c) => {
      const { id, producerId } = c.req.valid('param');
      const body = c.req.valid('json');
      await addExtraProduct(deps, c.get('actor'), id, producerId, {
        productId: body.product_id,
        items: body.items,
        comment: body.comment,
      });
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/orders/{id}/extras/{productId}',
      access: write,
      tags,
      summary: 'Take items of an extra product for your household, 0 to give them back (household members)',
      request: {
        params: OrderAndProduct,
        ...jsonBody(z.strictObject({ items: z.number().int().min(0).max(10_000) })),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['extra_taken_up', 'delivery_confirmed', 'product_not_in_order']),
      },
    }),
    async (c) => {
      const { id, productId } = c.req.valid('param');
      await takeExtraProduct(deps, c.get('actor'), id, productId, c.req.valid('json'));
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  for (const [action, run, summary] of [
    [
      'confirm',
      confirmDelivery,
      'Confirm the producer’s delivery (its liaison, order managers, the Admin): the order is processed once every delivery is',
    ],
    [
      'reopen',
      reopenDelivery,
      'Take a delivery’s confirmation back to correct it, before the order is processed or while it is reopened for a correction',
    ],
  ] as const) {
    router.openapi(
      createRoute({
        method: 'post',
        path: `/orders/{id}/producers/{producerId}/delivery/${action}`,
        access: write,
        tags,
        summary,
        request: { params: OrderAndProducer },
        responses: {
          200: jsonResponse(OrderDetailSchema, 'The order'),
          ...errorResponses,
          ...stateRefusals,
          ...refusals(coopErrors, ['delivery_confirmed']),
        },
      }),
      async (c) => {
        const { id, producerId } = c.req.valid('param');
        await run(deps, c.get('actor'), id, producerId);
        return c.json(await detail(c.get('actor'), id), 200);
      },
    );
  }

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/reopen',
      access: write,
      tags,
      summary:
        'Reopen a processed or finished order to correct a delivery, with the reason households will read (the bookkeeper, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ reason: z.string().max(REOPEN_REASON_MAX) })),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order, closed again for the correction'),
        ...errorResponses,
        ...stateRefusals,
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await reopenOrder(deps, c.get('actor'), id, c.req.valid('json').reason);
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/correction/settle',
      access: write,
      tags,
      summary:
        'Settle a correction whose deliveries are all confirmed: bills are made again, a changed bill is reversed and posted anew, its household told (the bookkeeper, the Admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order, processed again'),
        ...errorResponses,
        ...stateRefusals,
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await settleCorrection(deps, c.get('actor'), id);
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/bills/{householdId}/received',
      access: write,
      tags,
      summary: 'Mark a household’s payment received (the bookkeeper, the Admin)',
      request: { params: OrderAndHousehold },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['bill_settled']),
      },
    }),
    async (c) => {
      const { id, householdId } = c.req.valid('param');
      await markPaymentReceived(deps, c.get('actor'), id, householdId);
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/bills/{householdId}/bad-payment',
      access: write,
      tags,
      summary:
        'Flag a bad payment: missing, the wrong amount (with what was paid), or another reason in words; the household is told (the bookkeeper, the Admin)',
      request: {
        params: OrderAndHousehold,
        ...jsonBody(
          z.strictObject({
            reason: z.enum(badPaymentReasons),
            paid: Decimal(2).optional().openapi({
              description:
                'with bad_amount: everything that arrived for the bill, what was received before included (40.00)',
            }),
            text: z.string().max(1000).optional().openapi({ description: 'with other: what is wrong' }),
          }),
        ),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['bill_settled']),
      },
    }),
    async (c) => {
      const { id, householdId } = c.req.valid('param');
      const body = c.req.valid('json');
      await flagBadPayment(deps, c.get('actor'), id, householdId, {
        reason: body.reason,
        paidCents: body.paid === undefined ? undefined : exact(body.paid, 2, 'paid'),
        text: body.text,
      });
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/payment-fixed',
      access: write,
      tags,
      summary: 'Tell the bookkeeper your household put a flagged payment right (household members)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ note: z.string().max(1000).default('') })),
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['bill_settled']),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await reportPaymentFixed(deps, c.get('actor'), id, c.req.valid('json').note);
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/orders/{id}/producers/{producerId}/invoice',
      access: write,
      tags,
      summary: `Upload the producer’s invoice for the order: a PDF or a photo, up to ${INVOICE_MAX_BYTES} bytes, and its amount (its liaison, the bookkeeper, the Admin)`,
      request: {
        params: OrderAndProducer,
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({
                file: z.any().openapi({ type: 'string', format: 'binary' }),
                amount: Decimal(2).openapi({ description: 'the invoice’s total, VAT included (123.45)' }),
              }),
            },
          },
        },
      },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['invoice_paid', 'invoice_payment_sent']),
      },
    }),
    async (c) => {
      const { id, producerId } = c.req.valid('param');
      const { file, amount } = c.req.valid('form');
      if (!(file instanceof File))
        throw new AppError('validation_failed', 'file: the invoice is required', { field: 'file' });
      await uploadInvoice(deps, c.get('actor'), id, producerId, {
        name: file.name,
        bytes: Buffer.from(await file.arrayBuffer()),
        amountCents: exact(amount, 2, 'amount'),
      });
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}/producers/{producerId}/invoice',
      access: read,
      tags,
      summary:
        'The producer’s invoice for the order, as uploaded (its liaison, order managers, the bookkeeper)',
      request: { params: OrderAndProducer },
      responses: {
        200: { description: 'The invoice', content: { 'application/octet-stream': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id, producerId } = c.req.valid('param');
      const file = await readInvoice(deps, c.get('actor'), id, producerId);
      return c.body(
        new Uint8Array(file.bytes),
        200,
        downloadHeaders(file.name, file.contentType, file.bytes.length),
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/producers/{producerId}/invoice/paid',
      access: write,
      tags,
      summary:
        'Mark the producer’s invoice paid (the bookkeeper, the Admin); the order finishes once every bill and invoice is paid',
      request: { params: OrderAndProducer },
      responses: {
        200: jsonResponse(OrderDetailSchema, 'The order'),
        ...errorResponses,
        ...stateRefusals,
        ...refusals(coopErrors, ['invoice_missing', 'invoice_paid']),
      },
    }),
    async (c) => {
      const { id, producerId } = c.req.valid('param');
      await markInvoicePaid(deps, c.get('actor'), id, producerId);
      return c.json(await detail(c.get('actor'), id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/households/{id}/account',
      access: read,
      tags,
      summary:
        'A household’s statement: its balance with the club (below zero: it owes) and every bill, payment and correction, newest first (its members, the bookkeeper, the Admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(
          z
            .object({
              balance_cents: z
                .string()
                .openapi({ description: 'signed: below zero the household owes the club' }),
              entries: z.array(
                z.object({
                  at: z.string(),
                  kind: z.enum(['bill', 'bill_reversal', 'payment', 'payment_return']).openapi({
                    description:
                      'bill_reversal: a bill taken back by a correction, before the corrected bill; payment_return: a direct debit the household’s bank returned after its money arrived, owed again',
                  }),
                  order_id: Uuid.nullable().openapi({ description: 'null: paid ahead of any bill' }),
                  correction: z.number().int().nullable().openapi({
                    description: 'the order’s correction this belongs to; null for its first bill',
                  }),
                  reason: z.string().nullable().openapi({ description: 'why the order was corrected' }),
                  order_number: z.number().int().nullable(),
                  amount_cents: z
                    .string()
                    .openapi({ description: 'signed: a bill or a returned direct debit below zero' }),
                  balance_cents: z.string(),
                }),
              ),
            })
            .openapi('CoopHouseholdAccount'),
          'The household’s account',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const account = await householdAccount(deps, c.get('actor'), c.req.valid('param').id);
      return c.json(
        {
          balance_cents: account.balanceCents.toString(),
          entries: account.entries.map((e) => ({
            at: e.at.toISOString(),
            kind: e.kind,
            order_id: e.orderId,
            order_number: e.orderNumber,
            correction: e.correction,
            reason: e.reason,
            amount_cents: e.amountCents.toString(),
            balance_cents: e.balanceCents.toString(),
          })),
        },
        200,
      );
    },
  );

  return router;
}
