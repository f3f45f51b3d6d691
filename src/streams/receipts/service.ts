import { createHash } from 'node:crypto';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { users } from '../../core/auth/schema';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { divideRounded } from '../../core/money';
import type { StreamsDeps } from '../deps';
import { streamsAccountIds } from '../ledger';
import { findOwnProducer, requireOwnProducer } from '../producers/service';
import { type PlanToken, plans, producers, subscriptions } from '../schema';
import { PRICE_SCALE, type UsdPrice, type UsdPriceSource } from './prices';

/**
 * Receipts of what streamed: one per subscription and UTC calendar month, read from the ledger's
 * daily transfers (`../ledger.ts`), never from the flow rate alone, so a receipt states what was
 * booked and says up to when. Its dollars are each day's wei at that day's price, summed exactly
 * and rounded half-up to the cent once. The stream is paid already, so the dollars are what was
 * paid, VAT included: the VAT is the part of them at the producer's rate.
 */

const DAY_MS = 86_400_000;
const WEI_SCALE = 18;

export interface ReceiptDay {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  wei: bigint;
  price: UsdPrice | null;
}

export interface Receipt {
  number: string;
  /** `YYYY-MM`. */
  month: string;
  /** The day after the period for a receipt booked in full; the day it was read for one that is not. */
  issuedOn: string;
  /** The month's first and last day, both included. */
  period: { from: string; to: string };
  /** Whether everything that could stream in the month is booked; if not, it covers up to `bookedUntil`. */
  complete: boolean;
  bookedUntil: Date;
  subscriptionId: string;
  plan: { id: string; name: string };
  token: PlanToken;
  chainId: number | null;
  seller: {
    producerId: string;
    name: string;
    legalName: string | null;
    site: string;
    postalAddress: string | null;
    taxId: string | null;
    payoutAddress: string;
  };
  buyer: { wallet: string; name: string; email: string | null };
  /** The first and last moment of streaming booked in the month. */
  streamedFrom: Date;
  streamedTo: Date;
  wei: bigint;
  days: ReceiptDay[];
  /** In USD cents, VAT included; null when a day has no price. */
  usdCents: bigint | null;
  /** `par` when every day was valued at par, `fixed_rate` when any was at a configured rate. */
  valuation: 'par' | 'fixed_rate' | null;
  /** Null: no VAT charged. */
  vat: { rateBps: number; netCents: bigint; vatCents: bigint } | null;
}

/** `YYYY-MM` to the instants it covers, refused when it is no month. */
export function monthBounds(month: string): { start: Date; end: Date } {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const index = match ? Number(match[2]) - 1 : -1;
  if (!match || index < 0 || index > 11)
    throw new AppError('validation_failed', 'month: a month as YYYY-MM', { field: 'month' });
  const year = Number(match[1]);
  return { start: new Date(Date.UTC(year, index, 1)), end: new Date(Date.UTC(year, index + 1, 1)) };
}

/**
 * A receipt's number: the month and a digest of the producer, the subscription and the month, so it
 * is the same however often the receipt is read, and no two receipts of a producer share one (64
 * bits of SHA-256). Nothing stores it: a receipt is found again by computing the numbers the caller
 * may see.
 */
export function receiptNumber(producerId: string, subscriptionId: string, month: string): string {
  const digest = createHash('sha256').update(`${producerId}|${subscriptionId}|${month}`).digest('hex');
  return `S-${month.replace('-', '')}-${digest.slice(0, 16).toUpperCase()}`;
}

const NUMBER = /^S-(\d{4})(\d{2})-[0-9A-F]{16}$/;

/** VAT inside an amount paid at a rate: rounded half-up, the rest is net. */
export function vatIncluded(grossCents: bigint, rateBps: number): { netCents: bigint; vatCents: bigint } {
  const rate = BigInt(rateBps);
  const vatCents = divideRounded(grossCents * rate, 10_000n + rate, 'half_up');
  return { netCents: grossCents - vatCents, vatCents };
}

interface Context {
  subscriptionId: string;
  token: PlanToken;
  subscriberAddress: string;
  startedAt: Date;
  closedAt: Date | null;
  state: string;
  mirroredUntil: Date | null;
  planId: string;
  planName: string;
  producer: typeof producers.$inferSelect;
  buyerName: string;
  buyerEmail: string | null;
}

async function contexts(db: Db, where: { userId?: string; producerId?: string; subscriptionId?: string }) {
  const rows = await db
    .select({
      subscription: subscriptions,
      planName: plans.name,
      producer: producers,
      buyerName: users.name,
      buyerEmail: users.email,
    })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(producers, eq(producers.id, plans.producerId))
    .innerJoin(users, eq(users.id, subscriptions.userId))
    .where(
      and(
        // A usage plan's subscription has no flow: its purchases are paid at once, not streamed.
        isNotNull(subscriptions.flowRate),
        where.userId ? eq(subscriptions.userId, where.userId) : undefined,
        where.producerId ? eq(plans.producerId, where.producerId) : undefined,
        where.subscriptionId ? eq(subscriptions.id, where.subscriptionId) : undefined,
      ),
    );
  return rows.map(
    (row): Context => ({
      subscriptionId: row.subscription.id,
      token: row.subscription.token,
      subscriberAddress: row.subscription.subscriberAddress,
      startedAt: row.subscription.startedAt,
      closedAt: row.subscription.closedAt,
      state: row.subscription.state,
      mirroredUntil: row.subscription.mirroredUntil,
      planId: row.subscription.planId,
      planName: row.planName,
      producer: row.producer,
      buyerName: row.buyerName,
      buyerEmail: row.buyerEmail,
    }),
  );
}

interface Booked {
  subscription_id: string;
  amount: string;
  from: string;
  to: string;
}

/** The ledger's daily transfers of these subscriptions, found by the producers' accounts they credit. */
async function bookedTransfers(db: Db, of: readonly Context[], month?: string): Promise<Booked[]> {
  if (of.length === 0) return [];
  const accounts = [...new Set(of.map((c) => streamsAccountIds.producer(c.token, c.producer.id)))];
  const ids = [...new Set(of.map((c) => c.subscriptionId))];
  const bounds = month ? monthBounds(month) : null;
  return queryRows<Booked>(
    db,
    sql`SELECT t.metadata->>'subscription_id' AS subscription_id, t.amount::text AS amount,
          t.metadata->>'from' AS "from", t.metadata->>'to' AS "to"
        FROM ledger_transfers t
        WHERE t.credit_account_id = ANY(${sql.param(accounts)}::uuid[]) AND t.code = 'streams_streamed'
          AND t.kind = 'posted'
          AND t.metadata->>'subscription_id' = ANY(${sql.param(ids)}::text[])
          ${bounds ? sql`AND (t.metadata->>'from')::timestamptz >= ${bounds.start.toISOString()}::timestamptz AND (t.metadata->>'from')::timestamptz < ${bounds.end.toISOString()}::timestamptz` : sql``}
        ORDER BY t.seq`,
  );
}

const day = (at: Date) => at.toISOString().slice(0, 10);
const earlier = (a: Date, b: Date) => (a < b ? a : b);

function buildReceipt(
  context: Context,
  month: string,
  booked: readonly Booked[],
  prices: UsdPriceSource,
  now: Date,
  chainId: number | null,
): Receipt {
  const { start, end } = monthBounds(month);
  const byDay = new Map<string, bigint>();
  for (const row of booked) {
    const key = row.from.slice(0, 10);
    byDay.set(key, (byDay.get(key) ?? 0n) + BigInt(row.amount));
  }
  const days = [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, wei]): ReceiptDay => ({ day: key, wei, price: prices.priceOn(context.token, key) }));
  const wei = days.reduce((sum, d) => sum + d.wei, 0n);
  const priced = days.every((d) => d.price !== null);
  // Σ wei × price, in 10⁻¹⁸ token × 10⁻⁸ USD; to cents, rounded once.
  const exact = days.reduce((sum, d) => sum + d.wei * (d.price?.units ?? 0n), 0n);
  const usdCents = priced
    ? divideRounded(exact * 100n, 10n ** BigInt(WEI_SCALE + PRICE_SCALE), 'half_up')
    : null;
  const valuation = !priced ? null : days.some((d) => d.price!.basis === 'fixed_rate') ? 'fixed_rate' : 'par';
  // What could stream in the month: from the start (or the month's) to the close (or the month's end).
  const streamEnd = context.closedAt ? earlier(context.closedAt, end) : end;
  const booking = context.mirroredUntil ?? context.startedAt;
  const bookedUntil = earlier(booking, streamEnd);
  const complete = bookedUntil >= streamEnd;
  const rate = context.producer.vatRateBps;
  const times = booked.flatMap((row) => [new Date(row.from), new Date(row.to)]);
  return {
    number: receiptNumber(context.producer.id, context.subscriptionId, month),
    month,
    issuedOn: complete ? day(new Date(Math.ceil(streamEnd.getTime() / DAY_MS) * DAY_MS)) : day(now),
    period: { from: day(start), to: day(new Date(end.getTime() - DAY_MS)) },
    complete,
    bookedUntil,
    subscriptionId: context.subscriptionId,
    plan: { id: context.planId, name: context.planName },
    token: context.token,
    chainId,
    seller: {
      producerId: context.producer.id,
      name: context.producer.name,
      legalName: context.producer.legalName,
      site: context.producer.site,
      postalAddress: context.producer.postalAddress,
      taxId: context.producer.taxId,
      payoutAddress: context.producer.payoutAddress,
    },
    buyer: { wallet: context.subscriberAddress, name: context.buyerName, email: context.buyerEmail },
    streamedFrom: new Date(Math.min(...times.map((t) => t.getTime()))),
    streamedTo: new Date(Math.max(...times.map((t) => t.getTime()))),
    wei,
    days,
    usdCents,
    valuation,
    vat: rate === null || usdCents === null ? null : { rateBps: rate, ...vatIncluded(usdCents, rate) },
  };
}

/** Every month something of these subscriptions is booked in, as receipts, newest month first. */
async function receiptsOf(
  deps: StreamsDeps,
  prices: UsdPriceSource,
  of: readonly Context[],
  month?: string,
): Promise<Receipt[]> {
  const booked = await bookedTransfers(deps.db, of, month);
  const groups = new Map<string, Booked[]>();
  for (const row of booked) {
    const key = `${row.subscription_id}|${new Date(row.from).toISOString().slice(0, 7)}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const byId = new Map(of.map((c) => [c.subscriptionId, c]));
  const now = deps.clock.now();
  const chainId = deps.chain?.client.chainId ?? null;
  return [...groups.entries()]
    .map(([key, rows]) => {
      const [subscriptionId, keyMonth] = key.split('|') as [string, string];
      return buildReceipt(byId.get(subscriptionId)!, keyMonth, rows, prices, now, chainId);
    })
    .sort(
      (a, b) =>
        b.month.localeCompare(a.month) ||
        a.plan.name.localeCompare(b.plan.name) ||
        a.number.localeCompare(b.number),
    );
}

/** The caller's receipts as a subscriber, of one subscription or all. */
export async function listMyReceipts(
  deps: StreamsDeps,
  prices: UsdPriceSource,
  actor: Actor,
  options: { subscriptionId?: string } = {},
): Promise<Receipt[]> {
  const userId = requireUser(actor);
  return receiptsOf(deps, prices, await contexts(deps.db, { userId, ...options }));
}

/** The receipts of the caller's plans, as their producer; of one month or subscription, or all. */
export async function listProducerReceipts(
  deps: StreamsDeps,
  prices: UsdPriceSource,
  actor: Actor,
  options: { month?: string; subscriptionId?: string } = {},
): Promise<Receipt[]> {
  if (options.month) monthBounds(options.month);
  const producer = await requireOwnProducer(deps.db, actor);
  const of = await contexts(deps.db, { producerId: producer.id, subscriptionId: options.subscriptionId });
  return receiptsOf(deps, prices, of, options.month);
}

/** One receipt by its number, for its subscriber or its producer (`as`); anyone else finds none. */
export async function getReceipt(
  deps: StreamsDeps,
  prices: UsdPriceSource,
  actor: Actor,
  number: string,
  as: 'subscriber' | 'producer',
): Promise<Receipt> {
  const match = NUMBER.exec(number);
  if (!match) throw notFound('receipt', { number });
  const month = `${match[1]}-${match[2]}`;
  let of: Context[] = [];
  if (as === 'subscriber') of = await contexts(deps.db, { userId: requireUser(actor) });
  else {
    const own = await findOwnProducer(deps.db, actor);
    if (own) of = await contexts(deps.db, { producerId: own.id });
  }
  const receipts = await receiptsOf(deps, prices, of, month);
  const receipt = receipts.find((r) => r.number === number);
  if (!receipt) throw notFound('receipt', { number });
  return receipt;
}
