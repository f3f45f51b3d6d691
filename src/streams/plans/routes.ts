import { createRoute, z } from '@hono/zod-openapi';
import { Amount } from '../../core/amounts';
import { photoRoutes } from '../../core/files/photo-routes';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { Name } from '../fields';
import { planKinds, planStatuses, planTokens, pricePeriods } from '../schema';
import { PlanSchema, planJson } from './json';
import {
  createPlan,
  getPlan,
  listOwnPlans,
  MAX_USAGE,
  type Plan,
  type PlanInput,
  readPlanImage,
  setPlanImage,
  updatePlan,
} from './service';

const tags = ['Streams: plans'];

const Count = (description: string) => z.number().int().min(1).max(1_000_000_000).openapi({ description });

/** A plan's fields; which ones a kind takes is checked by the service, naming the field. */
const PlanFields = {
  name: Name,
  external_link: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .nullable()
    .optional(),
  description: z.string().trim().max(2000).optional(),
  total_supply: Count('the most subscribers at once; null: no limit').nullable().optional(),
  token: z
    .enum(planTokens)
    .openapi({ description: 'the super token streamed: USDCx (wraps USDC) or DAIx (wraps DAI)' }),
  starts_at: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'new subscriptions from then on; now by default' }),
  status: z.enum(planStatuses).optional(),
  price: Amount.optional().openapi({
    description:
      'stream and vesting: the price per period, in wei of the token (18 decimals): 10 DAI is 10000000000000000000',
  }),
  period: z
    .enum(pricePeriods)
    .optional()
    .openapi({ description: 'stream and vesting: hour, day or month (30 days)' }),
  month_limit: Count('uses a subscription may report in a month (the month limit); null: none')
    .nullable()
    .optional(),
  grace_seconds: z
    .number()
    .int()
    .min(0)
    .max(90 * 86_400)
    .optional()
    .openapi({ description: 'how long access lasts after Tally closed a stream before it turned critical' }),
  cliff_at: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'vesting: when the stream starts' }),
  start_amount: Amount.optional().openapi({ description: 'vesting: paid at the cliff date, in wei' }),
  usage_price: Amount.optional().openapi({ description: 'usage: the price of one use, in wei' }),
  min_usage: z.number().int().min(1).max(MAX_USAGE).optional(),
  max_usage: z.number().int().min(1).max(MAX_USAGE).optional(),
  background_color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #1c7ed6')
    .optional(),
};

const CreatePlan = z.strictObject({ kind: z.enum(planKinds), ...PlanFields });
const UpdatePlan = CreatePlan.partial();

type PlanBody = Partial<z.infer<typeof CreatePlan>>;

const date = (text: string | undefined) => (text === undefined ? undefined : new Date(text));
const wei = (text: string | undefined) => (text === undefined ? undefined : BigInt(text));

/** The service's input from a request's fields: only those it carries. */
function inputOf(body: PlanBody): Partial<PlanInput> {
  const input: Partial<PlanInput> = {
    kind: body.kind,
    name: body.name,
    externalLink: body.external_link,
    description: body.description,
    totalSupply: body.total_supply,
    token: body.token,
    startsAt: date(body.starts_at),
    status: body.status,
    price: wei(body.price),
    period: body.period,
    monthLimit: body.month_limit,
    graceSeconds: body.grace_seconds,
    cliffAt: date(body.cliff_at),
    startAmount: wei(body.start_amount),
    usagePrice: wei(body.usage_price),
    minUsage: body.min_usage,
    maxUsage: body.max_usage,
    backgroundColor: body.background_color,
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** Three days: a subscriber whose stream Tally closed keeps access that long unless the plan says otherwise. */
export const DEFAULT_GRACE_SECONDS = 3 * 86_400;

/** What a new plan is when the request does not say. */
const PLAN_DEFAULTS: Omit<PlanInput, 'kind' | 'name' | 'token'> = {
  externalLink: null,
  description: '',
  totalSupply: null,
  startsAt: null,
  status: 'active',
  price: null,
  period: null,
  monthLimit: null,
  graceSeconds: DEFAULT_GRACE_SECONDS,
  cliffAt: null,
  startAmount: null,
  usagePrice: null,
  minUsage: null,
  maxUsage: null,
  backgroundColor: '#1c7ed6',
};

/** A producer's plans: the seed's Plan, Vesting and N Usage APIs, one resource with a kind. */
export function planRoutes(deps: StreamsDeps) {
  const router = createRouter();
  const json = (plan: Plan) => planJson(plan, deps.clock.now());

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producer/plans',
      access: { caller: 'signed-in', scope: 'streams:read' },
      tags,
      summary: 'My plans, active and inactive, oldest first',
      responses: {
        200: jsonResponse(z.object({ items: z.array(PlanSchema) }), 'The plans'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required']),
      },
    }),
    async (c) => c.json({ items: (await listOwnPlans(deps, c.get('actor'))).map(json) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producer/plans',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Publish a plan: a stream priced per hour, day or month (30 days), a vesting stream that starts at a cliff date with a start amount, or a number of uses at a price each',
      request: jsonBody(CreatePlan),
      responses: {
        201: jsonResponse(PlanSchema, 'The new plan'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required', 'plan_kind_fixed']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const plan = await createPlan(deps, c.get('actor'), {
        ...PLAN_DEFAULTS,
        ...inputOf(body),
      } as PlanInput);
      return c.json(json(plan), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/plans/{id}',
      access: { caller: 'signed-in', scope: 'streams:write' },
      tags,
      summary:
        'Change my plan: any field but its kind; inactive refuses new subscriptions and keeps the others',
      request: { params: z.object({ id: PathId }), ...jsonBody(UpdatePlan) },
      responses: {
        200: jsonResponse(PlanSchema, 'The plan'),
        ...errorResponses,
        ...refusals(streamsErrors, ['producer_required', 'plan_kind_fixed', 'vesting_terms_held']),
      },
    }),
    async (c) => {
      const plan = await updatePlan(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        inputOf(c.req.valid('json')),
      );
      return c.json(json(plan), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/plans/{id}',
      access: { caller: 'anyone' },
      tags,
      summary: 'A plan, as its card and widget show it',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(PlanSchema, 'The plan'), ...errorResponses },
    }),
    async (c) => c.json(json(await getPlan(deps.db, c.req.valid('param').id)), 200),
  );

  photoRoutes(router, {
    what: 'plan',
    path: '/plans',
    tags,
    setters: 'its producer',
    readers: 'anyone: it shows on the plan’s card and widget',
    scopes: { write: 'streams:write', read: 'streams:read' },
    publicRead: true,
    schema: PlanSchema,
    responses: refusals(streamsErrors, ['producer_required']),
    set: (actor, id, upload) => setPlanImage(deps, actor, id, upload),
    json,
    read: (_actor, id) => readPlanImage(deps, id),
  });

  return router;
}
