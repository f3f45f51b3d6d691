import { sql } from 'drizzle-orm';
import { hashSecret, newSecret } from '../../src/core/auth/tokens';
import type { Db } from '../../src/core/database';
import { newId } from '../../src/core/ids';

/**
 * A buyers club written straight through SQL, at whatever size a benchmark asks: its households
 * (one member each), its producers and their products, an order open to every producer, every
 * household's lines in it, and a signed-in member.
 */

export interface ClubSize {
  households: number;
  producers: number;
  productsPerProducer: number;
  /** The first products of each producer, which every household orders. */
  orderedPerProducer: number;
  /** How many of the ordered products have a most to be had: 40 % of what 500 households order. */
  shortProducts: number;
}

export interface SeededClub {
  people: { id: string; name: string }[];
  households: { id: string; name: string }[];
  producers: { id: string; name: string }[];
  /** The products every household orders, in the catalogue's order of producers. */
  ordered: { id: string; producerId: string; name: string }[];
}

/** What product `i` of producer `p` (both from 0) is called; `Product 3-17` by default. */
export type ProductNamer = (p: number, i: number) => string;

const defaultName: ProductNamer = (p, i) => `Product ${p + 1}-${i + 1}`;

/** Writes the club's members, households, producers and products. */
export async function seedClub(
  db: Db,
  clubId: string,
  ownerId: string,
  size: ClubSize,
  productName: ProductNamer = defaultName,
): Promise<SeededClub> {
  const now = new Date();
  const people = Array.from({ length: size.households }, (_, i) => ({
    id: newId(),
    name: `Member ${i + 1}`,
  }));
  const households = people.map((_, i) => ({
    id: newId(),
    name: `Household ${String(i + 1).padStart(3, '0')}`,
  }));
  const ids = (rows: { id: string }[]) => sql.param(rows.map((r) => r.id));
  await db.execute(sql`
    INSERT INTO core_users (id, email, email_verified_at, name, is_admin, created_at, updated_at)
    SELECT id, 'bench-' || id || '@tally.invalid', ${now}, name, false, ${now}, ${now}
    FROM unnest(${ids(people)}::uuid[], ${sql.param(people.map((p) => p.name))}::text[]) AS p(id, name)`);
  await db.execute(sql`
    INSERT INTO core_memberships (organization_id, user_id, role, created_at)
    SELECT ${clubId}, id, 'member', ${now} FROM unnest(${ids(people)}::uuid[]) AS p(id)`);
  await db.execute(sql`
    INSERT INTO coop_households (id, club_id, name, created_by, created_at, updated_at)
    SELECT h.id, ${clubId}, h.name, p.id, ${now}, ${now}
    FROM unnest(${ids(households)}::uuid[], ${sql.param(households.map((h) => h.name))}::text[], ${ids(people)}::uuid[])
      AS x(hid, name, pid), LATERAL (SELECT x.hid AS id, x.name) h, LATERAL (SELECT x.pid AS id) p`);
  await db.execute(sql`
    INSERT INTO coop_household_members (household_id, club_id, user_id, joined_at)
    SELECT hid, ${clubId}, pid, ${now} FROM unnest(${ids(households)}::uuid[], ${ids(people)}::uuid[]) AS x(hid, pid)`);
  const producers = Array.from({ length: size.producers }, (_, i) => ({
    id: newId(),
    name: `Farm ${i + 1}`,
  }));
  await db.execute(sql`
    INSERT INTO coop_producers (id, club_id, name, liaison_user_id, created_by, created_at, updated_at)
    SELECT id, ${clubId}, name, ${ownerId}, ${ownerId}, ${now}, ${now}
    FROM unnest(${ids(producers)}::uuid[], ${sql.param(producers.map((p) => p.name))}::text[]) AS p(id, name)`);
  const products = producers.flatMap((producer, p) =>
    Array.from({ length: size.productsPerProducer }, (_, i) => ({
      id: newId(),
      producerId: producer.id,
      name: productName(p, i),
      ordered: i < size.orderedPerProducer,
      // The first products of the first producers run short: 40 % of what 500 households order.
      maximum:
        p * size.orderedPerProducer + i < size.shortProducts && i < size.orderedPerProducer ? 200 : null,
    })),
  );
  await db.execute(sql`
    INSERT INTO coop_products (id, producer_id, club_id, current_version, created_at)
    SELECT id, producer_id, ${clubId}, 1, ${now}
    FROM unnest(${ids(products)}::uuid[], ${sql.param(products.map((p) => p.producerId))}::uuid[]) AS p(id, producer_id)`);
  await db.execute(sql`
    INSERT INTO coop_product_versions (product_id, version, name, code, description, categories, unit,
      amount_per_package, packages, estimate, maximum_available, price_cents, vat_basis_points, margin_basis_points,
      created_by, created_at)
    SELECT id, 1, name, 'C' || ordinality, 'A product of the benchmark club', ARRAY['vegetables', 'organic'], 'kg',
      500, 1, ordinality % 7 = 0, maximum, 100 + ordinality % 900, 700, 500, ${ownerId}, ${now}
    FROM unnest(${ids(products)}::uuid[], ${sql.param(products.map((p) => p.name))}::text[],
                ${sql.param(products.map((p) => p.maximum))}::int[]) WITH ORDINALITY AS p(id, name, maximum, ordinality)`);
  return { people, households, producers, ordered: products.filter((p) => p.ordered) };
}

/** Every producer of the club answers that it delivers, and the order opens until tomorrow. */
export async function openToEveryProducer(db: Db, clubId: string, orderId: string, ownerId: string) {
  const now = new Date();
  await db.execute(sql`
    INSERT INTO coop_order_producers (order_id, producer_id, answer, answered_by, answered_at)
    SELECT ${orderId}::uuid, id, 'available', ${ownerId}::uuid, ${now}::timestamptz FROM coop_producers WHERE club_id = ${clubId}`);
  await db.execute(sql`
    UPDATE coop_orders SET status = 'open', opened_at = ${now}, deadline = ${new Date(now.getTime() + 86_400_000)}
    WHERE id = ${orderId}`);
}

/** Every household orders 1 to 3 items of each ordered product. */
export async function orderForEveryHousehold(db: Db, orderId: string, club: SeededClub) {
  const { people, households, ordered } = club;
  const now = new Date();
  await db.execute(sql`
    INSERT INTO coop_household_orders (order_id, household_id, created_at, updated_at, updated_by)
    SELECT ${orderId}::uuid, h, ${now}::timestamptz, ${now}::timestamptz, p FROM unnest(${sql.param(households.map((h) => h.id))}::uuid[],
      ${sql.param(people.map((p) => p.id))}::uuid[]) AS x(h, p)`);
  await db.execute(sql`
    INSERT INTO coop_order_lines (order_id, household_id, product_id, producer_id, version, quantity, ordered_by, ordered_at, updated_at)
    SELECT ${orderId}::uuid, h.h, pr.id, pr.producer_id, 1, 1 + (h.n + pr.n) % 3, ARRAY[h.p], ${now}::timestamptz + (h.n || ' ms')::interval, ${now}::timestamptz
    FROM unnest(${sql.param(households.map((h) => h.id))}::uuid[], ${sql.param(people.map((p) => p.id))}::uuid[])
           WITH ORDINALITY AS h(h, p, n)
    CROSS JOIN unnest(${sql.param(ordered.map((p) => p.id))}::uuid[], ${sql.param(ordered.map((p) => p.producerId))}::uuid[])
           WITH ORDINALITY AS pr(id, producer_id, n)`);
}

/** A session of a day for the person: the value of its session cookie. */
export async function signIn(db: Db, userId: string): Promise<string> {
  const token = newSecret();
  await db.execute(sql`
    INSERT INTO core_sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at)
    VALUES (${newId()}, ${userId}, ${hashSecret(token)}, now(), now() + interval '1 day', now())`);
  return token;
}
