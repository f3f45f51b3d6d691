import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, downloadHeaders, errorResponses, jsonResponse, refusals } from '../../core/http';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { Uuid } from '../fields';
import { planTokens } from '../schema';
import {
  coverageOf,
  descriptionOf,
  paidNoteOf,
  receiptFileName,
  receiptPdf,
  receiptsCsv,
  valuationOf,
} from './files';
import { usdPricesFromEnv } from './prices';
import { getReceipt, listMyReceipts, listProducerReceipts, type Receipt } from './service';

const tags = ['Streams: receipts'];
const subscriber = { caller: 'signed-in', scope: 'streams:subscribe' } as const;
const producer = { caller: 'signed-in', scope: 'streams:read' } as const;

const ReceiptSchema = z
  .object({
    number: z.string().openapi({ description: 'unique per producer, the same at every reading' }),
    month: z.string().openapi({ description: 'YYYY-MM, UTC' }),
    issued_on: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    complete: z.boolean().openapi({ description: 'everything that could stream in the month is booked' }),
    booked_until: z.string().openapi({ description: 'what is booked reaches this moment' }),
    coverage: z.string(),
    subscription_id: Uuid,
    plan: z.object({ id: Uuid, name: z.string() }),
    token: z.enum(planTokens),
    chain_id: z.number().int().nullable(),
    seller: z.object({
      producer_id: Uuid,
      name: z.string(),
      legal_name: z.string().nullable(),
      site: z.string(),
      postal_address: z.string().nullable(),
      tax_id: z.string().nullable(),
      payout_address: z.string(),
    }),
    buyer: z.object({ wallet: z.string(), name: z.string(), email: z.string().nullable() }),
    description: z.string(),
    streamed_from: z.string(),
    streamed_to: z.string(),
    wei: z.string().openapi({ description: 'what streamed in the month as booked, in wei of the token' }),
    usd_cents: z
      .string()
      .nullable()
      .openapi({ description: 'its value in US cents, VAT included; null when a day has no price' }),
    valuation: z.enum(['par', 'fixed_rate']).nullable(),
    valuation_note: z.string(),
    vat: z
      .object({ rate_bps: z.number().int(), net_cents: z.string(), vat_cents: z.string() })
      .nullable()
      .openapi({ description: 'null: no VAT charged' }),
    note: z.string(),
  })
  .openapi('StreamsReceipt');

const receiptJson = (r: Receipt) => ({
  number: r.number,
  month: r.month,
  issued_on: r.issuedOn,
  period: r.period,
  complete: r.complete,
  booked_until: r.bookedUntil.toISOString(),
  coverage: coverageOf(r),
  subscription_id: r.subscriptionId,
  plan: r.plan,
  token: r.token,
  chain_id: r.chainId,
  seller: {
    producer_id: r.seller.producerId,
    name: r.seller.name,
    legal_name: r.seller.legalName,
    site: r.seller.site,
    postal_address: r.seller.postalAddress,
    tax_id: r.seller.taxId,
    payout_address: r.seller.payoutAddress,
  },
  buyer: r.buyer,
  description: descriptionOf(r),
  streamed_from: r.streamedFrom.toISOString(),
  streamed_to: r.streamedTo.toISOString(),
  wei: r.wei.toString(),
  usd_cents: r.usdCents?.toString() ?? null,
  valuation: r.valuation,
  valuation_note: valuationOf(r),
  vat: r.vat
    ? { rate_bps: r.vat.rateBps, net_cents: r.vat.netCents.toString(), vat_cents: r.vat.vatCents.toString() }
    : null,
  note: paidNoteOf(r),
});

const List = z.object({ items: z.array(ReceiptSchema) });
const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
  .openapi({ description: 'a UTC month, YYYY-MM' });
const NumberParam = z.object({
  number: z
    .string()
    .max(40)
    .openapi({ param: { name: 'number', in: 'path' }, example: 'S-202606-3F9A0C1B7E2D4A56' }),
});
const Format = z.object({ format: z.enum(['pdf', 'csv']) });
const download = {
  200: {
    description: 'The receipt',
    content: { 'text/csv': { schema: z.string() }, 'application/pdf': { schema: z.string() } },
  },
};

async function receiptFile(r: Receipt, format: 'pdf' | 'csv') {
  const bytes = format === 'csv' ? Buffer.from(receiptsCsv([r]), 'utf8') : await receiptPdf(r);
  return {
    bytes: new Uint8Array(bytes),
    headers: downloadHeaders(
      receiptFileName(r, format),
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf',
      bytes.length,
    ),
  };
}

/** Receipts of what streamed, per subscription and month: for the subscriber, and for the producer. */
export function receiptRoutes(deps: StreamsDeps) {
  // Read at start: a malformed STREAMS_USD_PRICES stops it.
  const prices = usdPricesFromEnv(process.env);
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/receipts',
      access: subscriber,
      tags,
      summary:
        'My receipts, one per subscription and month something streamed in, newest month first (of one subscription when named)',
      request: { query: z.object({ subscription_id: Uuid.optional() }) },
      responses: { 200: jsonResponse(List, 'The receipts'), ...errorResponses },
    }),
    async (c) => {
      const { subscription_id } = c.req.valid('query');
      const items = await listMyReceipts(deps, prices, c.get('actor'), { subscriptionId: subscription_id });
      return c.json({ items: items.map(receiptJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/receipts/{number}',
      access: subscriber,
      tags,
      summary: 'One of my receipts as PDF or CSV (its subscriber; anyone else finds none)',
      request: { params: NumberParam, query: Format },
      responses: { ...download, ...errorResponses },
    }),
    async (c) => {
      const receipt = await getReceipt(
        deps,
        prices,
        c.get('actor'),
        c.req.valid('param').number,
        'subscriber',
      );
      const file = await receiptFile(receipt, c.req.valid('query').format);
      return c.body(file.bytes, 200, file.headers);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/receipts',
      access: producer,
      tags,
      summary:
        'The receipts of my plans’ subscriptions, newest month first (of one month or subscription when named)',
      request: { query: z.object({ month: Month.optional(), subscription_id: Uuid.optional() }) },
      responses: {
        200: jsonResponse(List, 'The receipts'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const items = await listProducerReceipts(deps, prices, c.get('actor'), {
        month: query.month,
        subscriptionId: query.subscription_id,
      });
      return c.json({ items: items.map(receiptJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/receipts/export',
      access: producer,
      tags,
      summary: 'A month of my receipts as one CSV for the accountant, a row per receipt',
      request: { query: z.object({ month: Month }) },
      responses: {
        200: { description: 'The receipts', content: { 'text/csv': { schema: z.string() } } },
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) => {
      const { month } = c.req.valid('query');
      const receipts = await listProducerReceipts(deps, prices, c.get('actor'), { month });
      const bytes = Buffer.from(receiptsCsv(receipts), 'utf8');
      return c.body(
        new Uint8Array(bytes),
        200,
        downloadHeaders(`receipts-${month}.csv`, 'text/csv; charset=utf-8', bytes.length),
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/receipts/{number}',
      access: producer,
      tags,
      summary: 'A receipt of one of my plans as PDF or CSV (its producer; anyone else finds none)',
      request: { params: NumberParam, query: Format },
      responses: {
        ...download,
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) => {
      const receipt = await getReceipt(deps, prices, c.get('actor'), c.req.valid('param').number, 'producer');
      const file = await receiptFile(receipt, c.req.valid('query').format);
      return c.body(file.bytes, 200, file.headers);
    },
  );

  return router;
}
