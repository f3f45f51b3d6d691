import { type SQL, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { idFromCursor, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
import type { CreditsDeps } from '../deps';
import { getBalance } from '../engine/balances';
import { TRANSFER_CODES } from '../engine/ledger';
import { FLOAT_TRANSFER_CODE } from '../float/ids';

/**
 * What a whitelabel reseller sees of its business: the people who hold its under-whitelabel
 * products, with the credits it funded for them this cycle, and its own pool — what it holds, what
 * it handed out, what is left. Only what the reseller funded is shown: a customer's credits from
 * other products (Tally's, another reseller's) are none of its business.
 */

export interface ResellerCustomer {
  userId: string;
  email: string | null;
  name: string;
  /** The reseller's products the person holds, oldest first. */
  products: { id: string; name: string; active: boolean }[];
  /**
   * The person's grants of the reseller's products that count now (this cycle's, and what rolled
   * over into it), read from their ledger accounts as every balance is: granted, used for good,
   * held by active reservations, and available.
   */
  granted: bigint;
  used: bigint;
  reserved: bigint;
  available: bigint;
  /** When they first bought one of its products. */
  customerSince: Date;
  /** Their latest usage paid by one of those grants, or null when they have used none. */
  lastUsedAt: Date | null;
}

/**
 * The caller when it is a whitelabel reseller; anyone else is refused. Asked of Tally's database,
 * where its whitelabel purchase is, whichever database its shop's people are read from.
 */
async function requireReseller(db: Db, actor: Actor): Promise<string> {
  const userId = requireUser(actor);
  const [row] = await queryRows<{ type: string }>(
    db,
    sql`SELECT type FROM credits_customers WHERE user_id = ${userId}`,
  );
  if (row?.type !== 'whitelabel') {
    throw new AppError(
      'forbidden',
      'only whitelabel resellers have customers; buy a whitelabel product first',
    );
  }
  return userId;
}

interface CustomerRow {
  user_id: string;
  email: string | null;
  name: string;
  products: { id: string; name: string; active: boolean }[];
  granted: string;
  used: string;
  reserved: string;
  lapsed: string;
  customer_since: string;
  last_used_at: string | null;
}

/** The caller's customers, newest first, paged; `q` finds a part of a name or an address. */
export async function listResellerCustomers(
  deps: CreditsDeps,
  actor: Actor,
  filter: PageRequest & { q?: string } = {},
): Promise<Page<ResellerCustomer>> {
  const resellerId = await requireReseller(deps.ownDb, actor);
  const now = deps.clock.now();
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const conditions: SQL[] = [sql`TRUE`];
  if (before) conditions.push(sql`u.id < ${before}`);
  if (filter.q?.trim()) {
    const pattern = `%${filter.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`(u.email ILIKE ${pattern} ESCAPE '\\' OR u.name ILIKE ${pattern} ESCAPE '\\')`);
  }
  const rows = await queryRows<CustomerRow>(
    deps.db,
    sql`WITH mine AS (SELECT id, name FROM credits_products WHERE owner_user_id = ${resellerId}),
        people AS (
          SELECT h.user_id, min(h.created_at) AS since FROM credits_holdings h
          WHERE h.product_id IN (SELECT id FROM mine) GROUP BY h.user_id),
        funded AS (
          SELECT g.id, g.user_id, a.credits_posted, a.debits_posted, a.debits_pending
          FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
          WHERE g.user_id IN (SELECT user_id FROM people) AND g.product_id IN (SELECT id FROM mine)
            AND g.expired_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > ${now}))
        SELECT u.id AS user_id, u.email, u.name, p.since::text AS customer_since,
          (SELECT coalesce(json_agg(json_build_object('id', m.id, 'name', m.name, 'active', h.active)
                    ORDER BY h.created_at, h.id), '[]'::json)
             FROM credits_holdings h JOIN mine m ON m.id = h.product_id WHERE h.user_id = u.id) AS products,
          (SELECT coalesce(sum(credits_posted), 0)::text FROM funded f WHERE f.user_id = u.id) AS granted,
          (SELECT coalesce(sum(debits_posted), 0)::text FROM funded f WHERE f.user_id = u.id) AS used,
          (SELECT coalesce(sum(debits_pending), 0)::text FROM funded f WHERE f.user_id = u.id) AS reserved,
          (SELECT coalesce(sum(t.amount), 0)::text FROM ledger_transfers t
             WHERE t.pending_state = 'pending' AND t.expires_at <= ${now}
               AND t.debit_account_id IN (SELECT id FROM funded f WHERE f.user_id = u.id)) AS lapsed,
          (SELECT max(us.used_at)::text FROM credits_usages us
             WHERE us.user_id = u.id AND EXISTS (
               SELECT 1 FROM jsonb_array_elements(us.paid_by) part
                 JOIN credits_grants g ON g.id = (part->>'grantId')::uuid
               WHERE g.product_id IN (SELECT id FROM mine))) AS last_used_at
        FROM people p JOIN core_users u ON u.id = p.user_id
        WHERE ${sql.join(conditions, sql` AND `)}
        ORDER BY u.id DESC LIMIT ${limit + 1}`,
  );
  const items = rows.map((row): ResellerCustomer => {
    const granted = BigInt(row.granted);
    const used = BigInt(row.used);
    // A hold past its expiry only waits for the sweep: it holds nothing any more (as getBalance reads it).
    const reserved = BigInt(row.reserved) - BigInt(row.lapsed);
    return {
      userId: row.user_id,
      email: row.email,
      name: row.name,
      products: row.products,
      granted,
      used,
      reserved,
      available: granted - used - reserved,
      customerSince: parseTimestamp(row.customer_since),
      lastUsedAt: row.last_used_at === null ? null : parseTimestamp(row.last_used_at),
    };
  });
  return pageOf(items, limit, (item) => ({ id: item.userId }));
}

export interface ResellerPool {
  /** What the reseller's own grants hold this cycle (its balance's total on Tally). */
  total: bigint;
  /**
   * What went to its customers' grants this cycle: out of this pool, or, for a shop on a database of
   * its own, out of the float moved there from it.
   */
  handedOut: bigint;
  /** What of it moved into its own database's float (src/credits/float/) this cycle. */
  movedToFloat: bigint;
  /** What it spent itself: its own actions, the making of products. */
  spent: bigint;
  reserved: bigint;
  /** What is left to hand out or spend. */
  available: bigint;
  customers: number;
}

/**
 * The caller's own pool of credits this cycle, and how much of it its customers hold. The pool is
 * on Tally's database (`ownDb`); its customers, and what was handed out to them, are read from the
 * database of the work in progress (`db`): its shop's own when the caller runs this there.
 */
export async function getResellerPool(deps: CreditsDeps, actor: Actor): Promise<ResellerPool> {
  const subject = await requireReseller(deps.ownDb, actor);
  const now = deps.clock.now();
  const balance = await getBalance(deps.ownDb, deps.clock, { userId: subject });
  const drawnAs = (code: string) =>
    sql`(SELECT coalesce(sum(t.amount), 0)::text FROM ledger_transfers t
           WHERE t.code = ${code} AND t.kind = 'posted' AND t.debit_account_id IN (
             SELECT g.id FROM credits_grants g
             WHERE g.user_id = ${subject} AND g.workspace_id IS NULL AND g.expired_at IS NULL
               AND (g.expires_at IS NULL OR g.expires_at > ${now})))`;
  const [pool] = await queryRows<{ handed_out: string; moved_to_float: string }>(
    deps.ownDb,
    sql`SELECT ${drawnAs(TRANSFER_CODES.fund)} AS handed_out, ${drawnAs(FLOAT_TRANSFER_CODE)} AS moved_to_float`,
  );
  const [shop] = await queryRows<{ handed_out: string; customers: number }>(
    deps.db,
    sql`SELECT
          ${drawnAs(TRANSFER_CODES.fund)} AS handed_out,
          (SELECT count(DISTINCT h.user_id)::int FROM credits_holdings h
             JOIN credits_products p ON p.id = h.product_id WHERE p.owner_user_id = ${subject}) AS customers`,
  );
  const movedToFloat = BigInt(pool?.moved_to_float ?? '0');
  return {
    total: balance.total,
    handedOut: BigInt(shop?.handed_out ?? '0'),
    movedToFloat,
    spent: balance.used - BigInt(pool?.handed_out ?? '0') - movedToFloat,
    reserved: balance.reserved,
    available: balance.available,
    customers: shop?.customers ?? 0,
  };
}
