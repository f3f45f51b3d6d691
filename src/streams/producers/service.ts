import { and, asc, eq, gt, ilike, or, sql } from 'drizzle-orm';
import { walletAddressOf } from '../../chain/address';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Db } from '../../core/database';
import { notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { producers } from '../schema';

export type Producer = typeof producers.$inferSelect;

export interface ProducerInput {
  name: string;
  site: string;
  description: string;
  payoutAddress: string;
  /** What receipts need (all optional): the seller's legal name, postal address, tax id and VAT rate. */
  legalName?: string | null;
  postalAddress?: string | null;
  taxId?: string | null;
  vatRateBps?: number | null;
}

/** An optional text as stored: trimmed, and null when nothing is left. */
const optionalText = (text: string | null | undefined) =>
  text === undefined ? undefined : text === null || text.trim() === '' ? null : text.trim();

/** The receipt fields of an input that were given, as columns. */
const receiptFields = (input: Partial<ProducerInput>) => {
  const fields = {
    legalName: optionalText(input.legalName),
    postalAddress: optionalText(input.postalAddress),
    taxId: optionalText(input.taxId),
    vatRateBps: input.vatRateBps,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
};

/** The caller's producer, or null when they are not one. */
export async function findOwnProducer(db: Db, actor: Actor): Promise<Producer | null> {
  const userId = requireUser(actor);
  const [producer] = await db.select().from(producers).where(eq(producers.userId, userId));
  return producer ?? null;
}

/** The caller's producer, or `producer_required`. */
export async function requireOwnProducer(db: Db, actor: Actor): Promise<Producer> {
  const producer = await findOwnProducer(db, actor);
  if (!producer) throw streamsErrors.error('producer_required', 'register as a producer first');
  return producer;
}

/** Makes the caller a producer: the name and site consumers see, and where their streams flow. */
export async function registerProducer(
  deps: StreamsDeps,
  actor: Actor,
  input: ProducerInput,
): Promise<Producer> {
  const userId = requireUser(actor);
  const payoutAddress = walletAddressOf(input.payoutAddress, 'payout_address');
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [made] = await tx
      .insert(producers)
      .values({
        id: newId(),
        userId,
        name: input.name.trim(),
        site: input.site.trim(),
        description: input.description.trim(),
        payoutAddress,
        ...receiptFields(input),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!made) throw streamsErrors.error('producer_exists', 'you are a producer already');
    await recordAudit(tx, deps.clock, actor, {
      action: 'streams.producer_registered',
      objectType: 'streams_producer',
      objectId: made.id,
      details: { name: made.name, payout_address: payoutAddress },
    });
    return made;
  });
}

/** Changes the caller's producer; a new payout address is audited: new streams flow to it. */
export async function updateProducer(
  deps: StreamsDeps,
  actor: Actor,
  input: Partial<ProducerInput>,
): Promise<Producer> {
  const payoutAddress =
    input.payoutAddress === undefined ? undefined : walletAddressOf(input.payoutAddress, 'payout_address');
  return deps.db.transaction(async (tx) => {
    const producer = await requireOwnProducer(tx, actor);
    const [saved] = await tx
      .update(producers)
      .set({
        ...(input.name === undefined ? {} : { name: input.name.trim() }),
        ...(input.site === undefined ? {} : { site: input.site.trim() }),
        ...(input.description === undefined ? {} : { description: input.description.trim() }),
        ...(payoutAddress === undefined ? {} : { payoutAddress }),
        ...receiptFields(input),
        updatedAt: deps.clock.now(),
      })
      .where(eq(producers.id, producer.id))
      .returning();
    if (payoutAddress !== undefined && payoutAddress !== producer.payoutAddress)
      await recordAudit(tx, deps.clock, actor, {
        action: 'streams.producer_payout_address_changed',
        objectType: 'streams_producer',
        objectId: producer.id,
        details: { from: producer.payoutAddress, to: payoutAddress },
      });
    return saved!;
  });
}

/** A producer anyone may see (consumers choose one to subscribe to). */
export async function getProducer(db: Db, producerId: string): Promise<Producer> {
  const [producer] = isUuid(producerId)
    ? await db.select().from(producers).where(eq(producers.id, producerId))
    : [];
  if (!producer) throw notFound('producer', { id: producerId });
  return producer;
}

export interface ProducerListing extends Producer {
  /** Plans taking subscribers now (active and started). */
  openPlans: number;
}

/**
 * Producers in the order they registered, a page at a time (`after` is the last id of the page before), with how many
 * plans each has open; `search` finds a word in the name, site or description.
 */
export async function listProducers(
  deps: StreamsDeps,
  options: { search?: string; after?: string; limit: number },
): Promise<{ items: ProducerListing[]; next: string | null }> {
  const word = options.search?.trim();
  const pattern = word ? `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await deps.db
    .select({
      producer: producers,
      openPlans: sql<number>`(SELECT count(*)::int FROM streams_plans p
        WHERE p.producer_id = streams_producers.id AND p.status = 'active' AND p.starts_at <= ${deps.clock.now().toISOString()}::timestamptz)`,
    })
    .from(producers)
    .where(
      and(
        pattern
          ? or(
              ilike(producers.name, pattern),
              ilike(producers.site, pattern),
              ilike(producers.description, pattern),
            )
          : undefined,
        options.after && isUuid(options.after) ? gt(producers.id, options.after) : undefined,
      ),
    )
    .orderBy(asc(producers.id))
    .limit(options.limit + 1);
  const items = rows.slice(0, options.limit).map((row) => ({ ...row.producer, openPlans: row.openPlans }));
  return { items, next: rows.length > options.limit ? items.at(-1)!.id : null };
}
