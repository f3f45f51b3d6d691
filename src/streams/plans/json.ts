import { z } from '@hono/zod-openapi';
import { iso, Uuid } from '../fields';
import { periodAmount, SECONDS_PER_PERIOD } from '../flow-rate';
import { planKinds, planStatuses, planTokens, pricePeriods } from '../schema';
import type { Plan } from './service';

/** The token a super token wraps: what a subscriber holds before checkout wraps it. */
export const underlyingOf = { USDCx: 'USDC', DAIx: 'DAI' } as const;

const Wei = (description: string) =>
  z.string().openapi({
    description: `${description}, in wei of the token (18 decimals)`,
    example: '10000000000000000000',
  });

export const PlanSchema = z
  .object({
    id: Uuid,
    producer_id: Uuid,
    kind: z.enum(planKinds),
    name: z.string(),
    external_link: z.string().nullable(),
    description: z.string(),
    total_supply: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'the most subscribers at once; null: no limit' }),
    token: z.object({
      symbol: z.enum(planTokens),
      underlying: z.enum(['USDC', 'DAI']),
      decimals: z.literal(18),
    }),
    starts_at: z.string(),
    status: z.enum(planStatuses),
    open: z.boolean().openapi({ description: 'taking new subscribers now: active and started' }),
    stream: z
      .object({
        price: Wei('the price per period as the producer set it'),
        period: z.enum(pricePeriods),
        period_seconds: z.number().int().openapi({ description: 'a month is 30 days' }),
        flow_rate: z.string().openapi({ description: 'wei per second' }),
        per_period: Wei('what the flow rate really streams in a period (rounded down to whole wei a second)'),
      })
      .nullable(),
    vesting: z.object({ cliff_at: z.string(), start_amount: Wei('paid at the cliff date') }).nullable(),
    usage: z
      .object({
        usage_price: Wei('one use'),
        min_usage: z.number().int(),
        max_usage: z.number().int(),
      })
      .nullable(),
    month_limit: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'uses a subscription may report in a month' }),
    grace_seconds: z.number().int(),
    background_color: z.string(),
    image_url: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('StreamsPlan');

export const planJson = (plan: Plan, now: Date) => ({
  id: plan.id,
  producer_id: plan.producerId,
  kind: plan.kind,
  name: plan.name,
  external_link: plan.externalLink,
  description: plan.description,
  total_supply: plan.totalSupply,
  token: { symbol: plan.token, underlying: underlyingOf[plan.token], decimals: 18 as const },
  starts_at: plan.startsAt.toISOString(),
  status: plan.status,
  open: plan.status === 'active' && plan.startsAt <= now,
  stream:
    plan.flowRate !== null && plan.period !== null && plan.periodPrice !== null
      ? {
          price: plan.periodPrice.toString(),
          period: plan.period,
          period_seconds: Number(SECONDS_PER_PERIOD[plan.period]),
          flow_rate: plan.flowRate.toString(),
          per_period: periodAmount(plan.flowRate, plan.period).toString(),
        }
      : null,
  vesting:
    plan.cliffAt && plan.startAmount !== null
      ? { cliff_at: plan.cliffAt.toISOString(), start_amount: plan.startAmount.toString() }
      : null,
  usage:
    plan.usagePrice !== null && plan.minUsage !== null && plan.maxUsage !== null
      ? {
          usage_price: plan.usagePrice.toString(),
          min_usage: plan.minUsage,
          max_usage: plan.maxUsage,
        }
      : null,
  month_limit: plan.monthLimit,
  grace_seconds: plan.graceSeconds,
  background_color: plan.backgroundColor,
  image_url: plan.imageFileId ? `/api/streams/plans/${plan.id}/photo` : null,
  created_at: plan.createdAt.toISOString(),
  updated_at: iso(plan.updatedAt)!,
});
