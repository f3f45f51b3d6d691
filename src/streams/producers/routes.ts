import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import {
  createRouter,
  errorResponses,
  jsonBody,
  jsonResponse,
  oneLine,
  PathId,
  refusals,
} from '../../core/http';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { Name } from '../fields';
import { PlanSchema, planJson } from '../plans/json';
import { listOpenPlans } from '../plans/service';
import { planTokens } from '../schema';
import {
  ProducerListingSchema,
  ProducerSchema,
  PublicProducerSchema,
  producerJson,
  producerListingJson,
  publicProducerJson,
} from './json';
import { findOwnProducer, getProducer, listProducers, registerProducer, updateProducer } from './service';
import { producerStats } from './stats';

const tags = ['Streams: producers'];
// A union with null, not `.nullable()`: that would mark the producer schema nullable wherever it is used.
const ProducerAnswer = z.object({ producer: z.union([ProducerSchema, z.null()]) });
const Site = oneLine(z.string().trim().max(200)).openapi({ description: 'its site, or its address' });
const Description = z.string().trim().max(2000);
/** Receipts' fields: optional, null or empty to clear. */
const ReceiptFields = {
  legal_name: oneLine(z.string().trim().max(200)).nullable().optional().openapi({
    description: 'the seller’s legal name on receipts, when it is not the name',
  }),
  postal_address: z.string().trim().max(500).nullable().optional().openapi({
    description: 'the seller’s postal address on receipts (lines)',
  }),
  tax_id: oneLine(z.string().trim().max(50)).nullable().optional().openapi({
    description: 'the seller’s tax id on receipts, such as a VAT number',
  }),
  vat_rate_bps: z.number().int().min(0).max(10_000).nullable().optional().openapi({
    description: 'the VAT rate charged, in basis points (2000: 20 %); null: no VAT charged',
  }),
};
const receiptInput = (body: {
  legal_name?: string | null;
  postal_address?: string | null;
  tax_id?: string | null;
  vat_rate_bps?: number | null;
}) => ({
  legalName: body.legal_name,
  postalAddress: body.postal_address,
  taxId: body.tax_id,
  vatRateBps: body.vat_rate_bps,
});

/** A producer's own profile, and the producers consumers choose from. */
export function producerRoutes(deps: StreamsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer',
      access: { caller: 'signed-in', scope: 'streams:read' },
      tags,
      summary: 'My producer profile; null when I am not a producer yet',
      responses: { 200: jsonResponse(ProducerAnswer, 'The profile, or null'), ...errorResponses },
    }),
    async (c) => {
      const producer = await findOwnProducer(deps.db, c.get('actor'));
      return c.json({ producer: producer ? producerJson(producer) : null }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producer',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Register as a producer: a name, a site (or an address), a description, the wallet streams flow to, and what receipts name the seller by (legal name, postal address, tax id, VAT rate)',
      request: jsonBody(
        z.strictObject({
          name: Name,
          site: Site.default(''),
          description: Description.default(''),
          payout_address: Address,
          ...ReceiptFields,
        }),
      ),
      responses: {
        201: jsonResponse(ProducerSchema, 'The new producer'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_exists']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const producer = await registerProducer(deps, c.get('actor'), {
        name: body.name,
        site: body.site,
        description: body.description,
        payoutAddress: body.payout_address,
        ...receiptInput(body),
      });
      return c.json(producerJson(producer), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/producer',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary: 'Change my producer profile',
      request: jsonBody(
        z.strictObject({
          name: Name.optional(),
          site: Site.optional(),
          description: Description.optional(),
          payout_address: Address.optional(),
          ...ReceiptFields,
        }),
      ),
      responses: {
        200: jsonResponse(ProducerSchema, 'The producer'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const producer = await updateProducer(deps, c.get('actor'), {
        name: body.name,
        site: body.site,
        description: body.description,
        payoutAddress: body.payout_address,
        ...receiptInput(body),
      });
      return c.json(producerJson(producer), 200);
    },
  );

  const Inflow = z.array(
    z.object({
      token: z.enum(planTokens),
      wei: z
        .string()
        .openapi({ description: 'a month (30 days) of the running streams, in wei of the token' }),
    }),
  );
  const inflowJson = (inflow: { token: string; wei: bigint }[]) =>
    inflow.map((i) => ({ token: i.token as (typeof planTokens)[number], wei: i.wei.toString() }));

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/stats',
      access: { caller: 'signed-in', scope: 'streams:read' },
      tags,
      summary:
        'My statistics: active plans, consumers streaming now, the monthly inflow per token, and both day by day over the last 30 days',
      responses: {
        200: jsonResponse(
          z
            .object({
              active_plans: z.number().int(),
              consumers: z.number().int().openapi({ description: 'wallets streaming to me now' }),
              monthly_inflow: Inflow,
              streamed: z.array(
                z.object({
                  token: z.enum(planTokens),
                  wei: z.string().openapi({ description: 'booked in the ledger so far, day by day, in wei' }),
                }),
              ),
              history: z.array(
                z.object({ day: z.string(), subscriptions: z.number().int(), monthly_inflow: Inflow }),
              ),
            })
            .openapi('StreamsProducerStats'),
          'The statistics',
        ),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) => {
      const stats = await producerStats(deps, c.get('actor'));
      return c.json(
        {
          active_plans: stats.activePlans,
          consumers: stats.consumers,
          monthly_inflow: inflowJson(stats.monthlyInflow),
          streamed: inflowJson(stats.streamed),
          history: stats.history.map((point) => ({
            day: point.day,
            subscriptions: point.subscriptions,
            monthly_inflow: inflowJson(point.monthlyInflow),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producers',
      access: { caller: 'anyone' },
      tags,
      summary:
        'Producers to subscribe to, searched by a word of their name, site or description, a page at a time',
      request: {
        query: z.object({
          search: z.string().max(100).optional(),
          after: z.uuid().optional().openapi({ description: 'the last id of the page before' }),
          limit: z.coerce.number().int().min(1).max(100).default(25),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(ProducerListingSchema), next: z.string().nullable() }),
          'A page of producers',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await listProducers(deps, query);
      return c.json({ items: page.items.map(producerListingJson), next: page.next }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producers/{id}',
      access: { caller: 'anyone' },
      tags,
      summary: 'A producer and the plans it takes subscribers for now',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(
          z.object({ producer: PublicProducerSchema, plans: z.array(PlanSchema) }),
          'The producer and its open plans',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const producer = await getProducer(deps.db, c.req.valid('param').id);
      const now = deps.clock.now();
      const plans = await listOpenPlans(deps, producer.id);
      return c.json(
        { producer: publicProducerJson(producer), plans: plans.map((p) => planJson(p, now)) },
        200,
      );
    },
  );

  return router;
}
