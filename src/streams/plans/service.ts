import { and, asc, count, eq, gt, lte } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Db } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { readPhoto, storePhoto } from '../../core/files/photos';
import { isUuid, newId } from '../../core/ids';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { flowRateOf, MAX_FLOW_RATE } from '../flow-rate';
import { requireOwnProducer } from '../producers/service';
import {
  checkouts,
  type PlanKind,
  type PlanStatus,
  type PlanToken,
  type PricePeriod,
  plans,
} from '../schema';

export type Plan = typeof plans.$inferSelect;

/** Super tokens stream in 18 decimals, whatever the token they wrap. */
export const SUPER_TOKEN_DECIMALS = 18;

/** The plan's fields as the producer gives them; amounts in wei of the super token. */
export interface PlanInput {
  kind: PlanKind;
  name: string;
  externalLink: string | null;
  description: string;
  totalSupply: number | null;
  token: PlanToken;
  startsAt: Date | null;
  status: PlanStatus;
  price: bigint | null;
  period: PricePeriod | null;
  monthLimit: number | null;
  graceSeconds: number;
  cliffAt: Date | null;
  startAmount: bigint | null;
  usagePrice: bigint | null;
  minUsage: number | null;
  maxUsage: number | null;
  backgroundColor: string;
}

/** The most uses one purchase of a usage plan may cover. */
export const MAX_USAGE = 1_000_000;

const required = <T>(value: T | null | undefined, field: string, what: string): T => {
  if (value === null || value === undefined)
    throw new AppError('validation_failed', `${field}: ${what}`, { field });
  return value;
};

/**
 * The columns of a plan from what the producer gave, checked as a whole: each kind has its own
 * required fields and refuses the others' (a usage plan has no flow; a stream has no cliff).
 */
export function planColumns(input: PlanInput, now: Date, keptCliff: Date | null = null) {
  const foreign = (field: string, value: unknown) => {
    if (value !== null && value !== undefined)
      throw streamsErrors.error(
        'plan_kind_fixed',
        `${field} belongs to another kind of plan than ${input.kind}`,
        {
          field,
        },
      );
  };
  let stream: { periodPrice: bigint; period: PricePeriod; flowRate: bigint } | null = null;
  if (input.kind === 'usage') {
    foreign('price', input.price);
    foreign('period', input.period);
    foreign('cliff_at', input.cliffAt);
    foreign('start_amount', input.startAmount);
  } else {
    foreign('usage_price', input.usagePrice);
    foreign('min_usage', input.minUsage);
    foreign('max_usage', input.maxUsage);
    const period = required(input.period, 'period', 'hour, day or month');
    const periodPrice = required(input.price, 'price', 'the price per period, in wei');
    const flowRate = flowRateOf(periodPrice, period);
    if (flowRate <= 0n)
      throw new AppError('validation_failed', 'price: too small to stream: less than one wei a second', {
        field: 'price',
      });
    if (flowRate > MAX_FLOW_RATE)
      throw new AppError('validation_failed', 'price: too large for a stream', { field: 'price' });
    stream = { periodPrice, period, flowRate };
  }
  if (input.kind === 'stream') {
    foreign('cliff_at', input.cliffAt);
    foreign('start_amount', input.startAmount);
  }
  let vesting: { cliffAt: Date; startAmount: bigint } | null = null;
  if (input.kind === 'vesting') {
    const cliffAt = required(input.cliffAt, 'cliff_at', 'the date the stream starts');
    // A cliff the plan had already may have passed; a new one must lie ahead.
    if (cliffAt <= now && cliffAt.getTime() !== keptCliff?.getTime())
      throw new AppError('validation_failed', 'cliff_at: a vesting plan starts in the future', {
        field: 'cliff_at',
      });
    vesting = {
      cliffAt,
      startAmount: required(input.startAmount, 'start_amount', 'the first payment, in wei'),
    };
  }
  let usage: { usagePrice: bigint; minUsage: number; maxUsage: number } | null = null;
  if (input.kind === 'usage') {
    const usagePrice = required(input.usagePrice, 'usage_price', 'the price of one use, in wei');
    if (usagePrice <= 0n)
      throw new AppError('validation_failed', 'usage_price: a use costs more than nothing', {
        field: 'usage_price',
      });
    const minUsage = required(input.minUsage, 'min_usage', 'the fewest uses a subscriber buys');
    const maxUsage = required(input.maxUsage, 'max_usage', 'the most uses a subscriber buys');
    if (minUsage < 1 || maxUsage > MAX_USAGE || minUsage > maxUsage)
      throw new AppError('validation_failed', `max_usage: from the minimum up to ${MAX_USAGE} uses`, {
        field: minUsage < 1 ? 'min_usage' : 'max_usage',
      });
    usage = { usagePrice, minUsage, maxUsage };
  }
  if (input.totalSupply !== null && input.totalSupply < 1)
    throw new AppError('validation_failed', 'total_supply: at least one subscriber, or none for no limit', {
      field: 'total_supply',
    });
  return {
    kind: input.kind,
    name: input.name.trim(),
    externalLink: input.externalLink?.trim() || null,
    description: input.description.trim(),
    totalSupply: input.totalSupply,
    token: input.token,
    startsAt: input.startsAt ?? now,
    status: input.status,
    periodPrice: stream?.periodPrice ?? null,
    period: stream?.period ?? null,
    flowRate: stream?.flowRate ?? null,
    monthLimit: input.monthLimit,
    graceSeconds: input.graceSeconds,
    cliffAt: vesting?.cliffAt ?? null,
    startAmount: vesting?.startAmount ?? null,
    usagePrice: usage?.usagePrice ?? null,
    minUsage: usage?.minUsage ?? null,
    maxUsage: usage?.maxUsage ?? null,
    backgroundColor: input.backgroundColor.toLowerCase(),
  };
}

/** Back from a plan's columns to the input that makes them: what an update starts from. */
export function planInputOf(plan: Plan): PlanInput {
  return {
    kind: plan.kind,
    name: plan.name,
    externalLink: plan.externalLink,
    description: plan.description,
    totalSupply: plan.totalSupply,
    token: plan.token,
    startsAt: plan.startsAt,
    status: plan.status,
    price: plan.periodPrice,
    period: plan.period,
    monthLimit: plan.monthLimit,
    graceSeconds: plan.graceSeconds,
    cliffAt: plan.cliffAt,
    startAmount: plan.startAmount,
    usagePrice: plan.usagePrice,
    minUsage: plan.minUsage,
    maxUsage: plan.maxUsage,
    backgroundColor: plan.backgroundColor,
  };
}

/** The caller's producer publishes a plan. */
export async function createPlan(deps: StreamsDeps, actor: Actor, input: PlanInput): Promise<Plan> {
  requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const producer = await requireOwnProducer(tx, actor);
    const now = deps.clock.now();
    const [made] = await tx
      .insert(plans)
      .values({
        id: newId(),
        producerId: producer.id,
        ...planColumns(input, now),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'streams.plan_created',
      objectType: 'streams_plan',
      objectId: made!.id,
      details: { kind: made!.kind, name: made!.name },
    });
    return made!;
  });
}

/** The caller's own plan, for a change; anyone else's is not found. */
async function ownPlan(db: Db, actor: Actor, planId: string, lock = false): Promise<Plan> {
  const producer = await requireOwnProducer(db, actor);
  const query = db
    .select()
    .from(plans)
    .where(
      and(
        eq(plans.id, isUuid(planId) ? planId : '00000000-0000-0000-0000-000000000000'),
        eq(plans.producerId, producer.id),
      ),
    );
  const [plan] = lock ? await query.for('update') : await query;
  if (!plan) throw notFound('plan', { id: planId });
  return plan;
}

/**
 * A vesting plan's cliff and start amount are what its waiting checkouts were planned for: each
 * wallet allowed the operator that start amount and wrapped for it, and its slot is held until a
 * day after that cliff. Changed under them, the cliff would be refused on chain, or come after the
 * hold lapsed, and the person would not know why. Once none waits, the terms are free again.
 */
async function refuseHeldVestingTerms(tx: Db, plan: Plan, changes: Partial<PlanInput>, now: Date) {
  const field =
    changes.cliffAt != null && changes.cliffAt.getTime() !== plan.cliffAt?.getTime()
      ? 'cliff_at'
      : changes.startAmount != null && changes.startAmount !== plan.startAmount
        ? 'start_amount'
        : null;
  if (!field) return;
  const [row] = await tx
    .select({ waiting: count() })
    .from(checkouts)
    .where(
      and(
        eq(checkouts.planId, plan.id),
        eq(checkouts.purpose, 'subscribe'),
        eq(checkouts.state, 'reserved'),
        gt(checkouts.expiresAt, now),
      ),
    );
  const waiting = row?.waiting ?? 0;
  if (waiting > 0)
    throw streamsErrors.error(
      'vesting_terms_held',
      `${field}: ${waiting} checkout${waiting === 1 ? '' : 's'} of the plan wait for the cliff with the terms they were planned for; make a new plan, or change it once they have started or lapsed`,
      { field, waiting },
    );
}

/**
 * Changes the caller's plan: any field but its kind. Setting it inactive stops new subscriptions
 * and keeps existing ones.
 */
export async function updatePlan(
  deps: StreamsDeps,
  actor: Actor,
  planId: string,
  changes: Partial<PlanInput>,
): Promise<Plan> {
  return deps.db.transaction(async (tx) => {
    const plan = await ownPlan(tx, actor, planId, true);
    if (changes.kind !== undefined && changes.kind !== plan.kind)
      throw streamsErrors.error('plan_kind_fixed', 'a plan’s kind cannot change: make a new plan', {
        field: 'kind',
      });
    const now = deps.clock.now();
    if (plan.kind === 'vesting') await refuseHeldVestingTerms(tx, plan, changes, now);
    const input = { ...planInputOf(plan), ...changes, kind: plan.kind };
    const [saved] = await tx
      .update(plans)
      .set({ ...planColumns(input, now, plan.cliffAt), updatedAt: now })
      .where(eq(plans.id, plan.id))
      .returning();
    if (changes.status !== undefined && changes.status !== plan.status)
      await recordAudit(tx, deps.clock, actor, {
        action: 'streams.plan_status_changed',
        objectType: 'streams_plan',
        objectId: plan.id,
        details: { from: plan.status, to: changes.status },
      });
    return saved!;
  });
}

/** The caller's plans, newest first. */
export async function listOwnPlans(deps: StreamsDeps, actor: Actor): Promise<Plan[]> {
  const producer = await requireOwnProducer(deps.db, actor);
  return deps.db.select().from(plans).where(eq(plans.producerId, producer.id)).orderBy(asc(plans.createdAt));
}

/** A producer's plans as consumers see them: active ones that have started, oldest first. */
export async function listOpenPlans(deps: StreamsDeps, producerId: string): Promise<Plan[]> {
  if (!isUuid(producerId)) return [];
  return deps.db
    .select()
    .from(plans)
    .where(
      and(
        eq(plans.producerId, producerId),
        eq(plans.status, 'active'),
        lte(plans.startsAt, deps.clock.now()),
      ),
    )
    .orderBy(asc(plans.createdAt));
}

/** A plan anyone may see by its id (a widget shows it on the producer's site). */
export async function getPlan(db: Db, planId: string): Promise<Plan> {
  const [plan] = isUuid(planId) ? await db.select().from(plans).where(eq(plans.id, planId)) : [];
  if (!plan) throw notFound('plan', { id: planId });
  return plan;
}

/** Sets the image of the caller's plan's card. */
export async function setPlanImage(
  deps: StreamsDeps,
  actor: Actor,
  planId: string,
  upload: { name: string; bytes: Buffer },
): Promise<Plan> {
  await ownPlan(deps.db, actor, planId);
  const stored = await storePhoto(deps, actor, upload);
  const [saved] = await deps.db
    .update(plans)
    .set({ imageFileId: stored.id, updatedAt: deps.clock.now() })
    .where(eq(plans.id, planId))
    .returning();
  return saved!;
}

/** A plan's card image, for anyone (it is shown on other sites). */
export async function readPlanImage(deps: StreamsDeps, planId: string) {
  const plan = await getPlan(deps.db, planId);
  return readPhoto(deps, plan.imageFileId, { plan_id: plan.id });
}
