import { and, eq, ne, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import { withDatabase } from '../../core/request-database';
import { applyTransfers } from '../../ledger/engine';
import { firstFailure } from '../../ledger/errors';
import { createAccounts } from '../../ledger/service';
import type { TransferInput } from '../../ledger/types';
import { lockCustomers } from '../engine/customer-lock';
import { allApplied, CREDITS_LEDGER, derivedId, GRANT_ACCOUNT_CODE } from '../engine/ledger';
import { FLOAT_IN_ACCOUNT, floatAccountId } from '../float/ids';
import {
  grants as grantsTable,
  type TenantMoveDirection,
  type TenantMoveState,
  tenantDatabases,
  tenantMoves,
  whitelabels,
} from '../schema';
import { advanceTenantDatabases, tenantDatabaseMachine } from './provisioning';
import type { TenantDatabases } from './registry';
import { insertTenantDatabase } from './service';
import type { TenantDatabaseDeps } from './settings';
import { copyRows, copyShopRows, type ShopScope } from './shop-data';
import { prepareTenantDatabase } from './tenancy';

/**
 * Moving a reseller's shop from Tally's database into its own, or back (`tally credits tenant-move`).
 *
 * 1. `preparing` (into its own only): its database is made while the shop is served as before.
 * 2. `moving`: the domain answers that the shop is unavailable; once every process has seen that
 *    (`settle`), passes run until one finds nothing left to move. A pass, in the database the shop
 *    leaves, locks its people's credits, refuses while credits are held for them, and closes every
 *    grant's remaining credits into the float's account there; then it copies the shop's rows
 *    (shop-data.ts); then, in the database it goes to, opens each closed grant again with the same
 *    credits, under the same transfer id. Credits that arrived meanwhile (a refill, a sale) are
 *    closed by the next pass.
 * 3. `done`: in one transaction of the database it leaves, under the same locks, nothing is left to
 *    move; its people's sessions and keys there are revoked and their holdings refill no more there.
 *    The shop is then served from where it went.
 *
 * Every step can run again: rows are upserted, grants opened under ids that derive from the move's,
 * and a ledger finds a transfer it holds (`exists`). A move cut short is carried on by running the
 * command again. Both ledgers keep their history; the float's accounts (Tally's `float` account of
 * the reseller, the tenant's `float_in`) carry the move's credits, so the reconciliation of the
 * float (src/credits/float/reconcile.ts) finds both sides equal after a move as after a top-up.
 */

export type TenantMove = typeof tenantMoves.$inferSelect;

export interface TenantMoveDeps extends TenantDatabaseDeps {
  registry: Pick<TenantDatabases, 'open'>;
}

export interface TenantMoveOptions {
  /** Waits until every process serves the shop as unavailable; by default a little longer than the tenants' cache. */
  settle?(): Promise<void>;
  /** Called after each pass; a test stops the move here to stand for a crash. */
  afterPass?(pass: number): void | Promise<void>;
  /** How many rounds of provisioning a move into its own database waits for (each after the last failed). */
  provisioningRounds?: number;
}

/** The tenants' directory caches a host's answer for 5 s (src/core/tenants.ts). */
const SETTLE_MS = 6_000;
const MOVE_TRANSFER_CODE = 'tenant_move';
const MOVE_HISTORY_CODE = 'tenant_move_history';
/**
 * What a grant was given and what was used of it before it moved: each database's grants that
 * arrived by a move draw their history from it, so they read as they read where they were.
 */
const HISTORY_ACCOUNT = derivedId('account', MOVE_HISTORY_CODE);
const MAX_PASSES = 20;

export const moveTransferId = (moveId: string, grantId: string): string =>
  derivedId('tenant_move', moveId, grantId);

export async function moveShop(
  deps: TenantMoveDeps,
  actor: Actor,
  resellerUserId: string,
  direction: TenantMoveDirection,
  options: TenantMoveOptions = {},
): Promise<TenantMove> {
  await refuseBeforeMoving(deps, resellerUserId, direction);
  let move = await openMove(deps, actor, resellerUserId, direction);
  if (move.state === 'preparing') {
    await provision(deps, resellerUserId, options.provisioningRounds ?? 5);
    move = await setState(deps, move, 'moving');
  }
  await (options.settle ?? (() => new Promise((resolve) => setTimeout(resolve, SETTLE_MS))))();

  const [shop] = await deps.db.select().from(whitelabels).where(eq(whitelabels.userId, resellerUserId));
  if (!shop) throw notFound('whitelabel set-up');
  const tenantDb = (await deps.registry.open(shop.id)).db;
  const intoOwn = direction === 'into_own';
  if (intoOwn) await prepareTenantDatabase({ ownDb: deps.db, clock: deps.clock }, tenantDb, resellerUserId);
  const sides: Sides = intoOwn
    ? { from: deps.db, to: tenantDb, leaving: floatAccountId(resellerUserId), arriving: FLOAT_IN_ACCOUNT }
    : { from: tenantDb, to: deps.db, leaving: FLOAT_IN_ACCOUNT, arriving: floatAccountId(resellerUserId) };

  const rows: Record<string, number> = {};
  for (let pass = 1; ; pass++) {
    if (pass > MAX_PASSES) {
      throw new AppError('conflict', 'credits keep arriving for the shop’s people: run the move again', {
        reason: 'shop_busy',
      });
    }
    const scope = {
      reseller: resellerUserId,
      people: await shopPeople(sides.from, resellerUserId, direction),
    };
    await refuseOpenCheckouts(deps.db, resellerUserId, direction);
    const closed = await closeCredits(deps.clock, sides, move, scope);
    Object.assign(rows, await copyShopRows(sides.from, sides.to, scope));
    await openCredits(deps.clock, sides, move, scope);
    await options.afterPass?.(pass);
    if (closed === 0 && (await finish(deps, actor, sides, move, scope, rows))) break;
  }
  const [finished] = await deps.db.select().from(tenantMoves).where(eq(tenantMoves.id, move.id));
  return finished!;
}

interface Sides {
  /** The database the shop leaves, and the one it goes to. */
  from: Db;
  to: Db;
  /** The float's account in each: where the closed credits go, and where the reopened come from. */
  leaving: string;
  arriving: string;
}

/**
 * What refuses a move before it starts, so a refusal changes nothing and the shop is served on:
 * credits held for its people, a payment for one of its products on its way, or (on the way back)
 * people of its database whose address or wallet is someone else's on Tally's. A move already under
 * way is carried on, and meets the same checks in its passes.
 */
async function refuseBeforeMoving(
  deps: TenantMoveDeps,
  resellerUserId: string,
  direction: TenantMoveDirection,
): Promise<void> {
  const [open] = await deps.db
    .select({ id: tenantMoves.id })
    .from(tenantMoves)
    .where(and(eq(tenantMoves.resellerUserId, resellerUserId), ne(tenantMoves.state, 'done')));
  if (open) return;
  let from = deps.db;
  if (direction === 'back_to_shared') {
    const [shop] = await deps.db.select().from(whitelabels).where(eq(whitelabels.userId, resellerUserId));
    const [database] = await deps.db
      .select({ state: tenantDatabases.state })
      .from(tenantDatabases)
      .where(eq(tenantDatabases.userId, resellerUserId));
    // openMove says why there is nothing to move back.
    if (!shop || database?.state !== 'ready') return;
    from = (await deps.registry.open(shop.id)).db;
  }
  const people = await shopPeople(from, resellerUserId, direction);
  await refuseHeldCredits(from, holdersOf({ reseller: resellerUserId, people }, direction));
  await refuseOpenCheckouts(deps.db, resellerUserId, direction);
  if (direction === 'back_to_shared') await refuseTakenIdentities(from, deps.db, people);
}

/**
 * A checkout is recorded on Tally's database and makes its purchase where the shop was when the
 * buyer started it: one on its way would make it in the database the shop left.
 */
async function refuseOpenCheckouts(
  db: Db,
  resellerUserId: string,
  direction: TenantMoveDirection,
): Promise<void> {
  const [open] = await queryRows<{ n: number }>(
    db,
    direction === 'into_own'
      ? sql`SELECT count(*)::int AS n FROM credits_checkouts c
            WHERE c.tenant_user_id IS NULL AND c.state = 'awaiting_payment'
              AND c.product_id IN (SELECT id FROM credits_products WHERE owner_user_id = ${resellerUserId})`
      : sql`SELECT count(*)::int AS n FROM credits_checkouts c
            WHERE c.tenant_user_id = ${resellerUserId}
              AND (c.state = 'awaiting_payment' OR (c.state = 'paid' AND c.purchase_id IS NULL))`,
  );
  if (open && open.n > 0) {
    throw new AppError(
      'conflict',
      `${open.n} checkout(s) of the shop are waiting for their payment or purchase: run the move again once they are through`,
      { reason: 'checkouts_open', count: open.n },
    );
  }
}

/** On the way back, an address or a wallet of the shop's people that is another person's on Tally's database. */
async function refuseTakenIdentities(from: Db, to: Db, people: readonly string[]): Promise<void> {
  if (people.length === 0) return;
  const theirs = await queryRows<{ id: string; email: string | null }>(
    from,
    sql`SELECT id, email FROM core_users WHERE id = ANY(${sql.param([...people])}::uuid[])`,
  );
  const wallets = await queryRows<{ address: string; user_id: string }>(
    from,
    sql`SELECT address, user_id FROM core_wallets WHERE user_id = ANY(${sql.param([...people])}::uuid[])`,
  );
  const emails = theirs.filter((p) => p.email !== null);
  const taken = await queryRows<{ what: string }>(
    to,
    sql`SELECT u.email AS what FROM core_users u
          JOIN unnest(${sql.param(emails.map((p) => p.email!))}::text[], ${sql.param(emails.map((p) => p.id))}::uuid[]) AS m(email, id)
            ON u.email = m.email AND u.id <> m.id
        UNION ALL
        SELECT w.address FROM core_wallets w
          JOIN unnest(${sql.param(wallets.map((w) => w.address))}::text[], ${sql.param(wallets.map((w) => w.user_id))}::uuid[]) AS m(address, user_id)
            ON w.address = m.address AND w.user_id <> m.user_id`,
  );
  if (taken.length > 0) {
    throw new AppError(
      'conflict',
      `${taken.length} of the shop's people sign in with an address or wallet that is someone else's on Tally's database: ${taken
        .slice(0, 5)
        .map((t) => t.what)
        .join(', ')}`,
      { reason: 'people_taken', count: taken.length },
    );
  }
}

/** The shop's open move in this direction, carried on; or a new one, after the checks that can refuse it. */
async function openMove(
  deps: TenantMoveDeps,
  actor: Actor,
  resellerUserId: string,
  direction: TenantMoveDirection,
): Promise<TenantMove> {
  return deps.db.transaction(async (tx) => {
    const [customer] = await queryRows<{ type: string }>(
      tx,
      sql`SELECT type FROM credits_customers WHERE user_id = ${resellerUserId} FOR UPDATE`,
    );
    if (customer?.type !== 'whitelabel') {
      throw new AppError('validation_failed', 'only a whitelabel reseller’s shop can move');
    }
    const [open] = await tx
      .select()
      .from(tenantMoves)
      .where(and(eq(tenantMoves.resellerUserId, resellerUserId), ne(tenantMoves.state, 'done')));
    if (open) {
      if (open.direction !== direction) {
        throw new AppError('conflict', `the shop is in the middle of a move ${describe(open.direction)}`, {
          reason: 'move_in_progress',
          move_id: open.id,
        });
      }
      return open;
    }
    const [shop] = await tx.select().from(whitelabels).where(eq(whitelabels.userId, resellerUserId));
    if (!shop) throw notFound('whitelabel set-up', { reason: 'the reseller has no domain set' });
    const [database] = await tx
      .select()
      .from(tenantDatabases)
      .where(eq(tenantDatabases.userId, resellerUserId));
    const now = deps.clock.now();
    let state: TenantMoveState = 'moving';
    if (direction === 'into_own') {
      if (database?.state === 'ready') {
        throw new AppError('conflict', 'the shop is served from its own database already', {
          reason: 'already_there',
        });
      }
      if (database?.state === 'retired') {
        throw new AppError(
          'conflict',
          `the shop moved out of its own database ${database.databaseName} before, which is kept as it was left: drop it and its row first`,
          { reason: 'database_retired', database: database.databaseName },
        );
      }
      if (database && database.state !== 'failed') {
        throw new AppError('conflict', 'the shop’s own database is being made: wait until it is ready', {
          reason: 'database_in_progress',
        });
      }
      if (!database) await insertTenantDatabase(deps, tx, resellerUserId);
      state = 'preparing';
    } else if (database?.state !== 'ready') {
      throw new AppError('conflict', 'the shop is not served from a database of its own', {
        reason: 'already_there',
      });
    }
    const [move] = await tx
      .insert(tenantMoves)
      .values({ id: newId(), resellerUserId, direction, state, startedAt: now })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.tenant_move.start',
      objectType: 'credits_tenant_move',
      objectId: move!.id,
      details: { reseller_user_id: resellerUserId, direction },
    });
    return move!;
  });
}

const describe = (direction: TenantMoveDirection) =>
  direction === 'into_own' ? 'into its own database' : 'back to Tally’s database';

/** Runs provisioning until the reseller's database is ready; its error when it will not be. */
async function provision(deps: TenantMoveDeps, userId: string, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    // A failed try waits for its backoff in the job; the move is being watched, so it tries now.
    await deps.db
      .update(tenantDatabases)
      .set({ nextAttemptAt: deps.clock.now() })
      .where(and(eq(tenantDatabases.userId, userId), ne(tenantDatabases.state, 'ready')));
    await advanceTenantDatabases(deps);
    const [row] = await deps.db.select().from(tenantDatabases).where(eq(tenantDatabases.userId, userId));
    if (row?.state === 'ready') return;
    if (round === rounds - 1) {
      throw new AppError(
        'unavailable',
        `the shop’s own database could not be made: ${row?.lastError ?? row?.state}`,
        {
          reason: 'database_failed',
        },
      );
    }
  }
}

async function setState(deps: TenantMoveDeps, move: TenantMove, state: TenantMoveState): Promise<TenantMove> {
  const [updated] = await deps.db
    .update(tenantMoves)
    .set({ state })
    .where(and(eq(tenantMoves.id, move.id), eq(tenantMoves.state, move.state)))
    .returning();
  if (!updated) throw new AppError('conflict', 'the move was carried on elsewhere', { reason: 'move_taken' });
  return updated;
}

/**
 * The shop's people in the database it leaves: on Tally's, its customers; in its own, everyone but
 * the reseller. Into its own database, someone who holds one of its products without being its
 * customer (a person of Tally's own) cannot follow it, and the move is refused.
 */
async function shopPeople(from: Db, reseller: string, direction: TenantMoveDirection): Promise<string[]> {
  if (direction === 'back_to_shared') {
    const rows = await queryRows<{ id: string }>(
      from,
      sql`SELECT id FROM core_users WHERE id <> ${reseller} ORDER BY id`,
    );
    return rows.map((r) => r.id);
  }
  const rows = await queryRows<{ user_id: string }>(
    from,
    sql`SELECT user_id FROM credits_customers WHERE reseller_user_id = ${reseller} AND user_id <> ${reseller}
        ORDER BY user_id`,
  );
  const people = rows.map((r) => r.user_id);
  const [outside] = await queryRows<{ n: number }>(
    from,
    sql`SELECT count(DISTINCT h.user_id)::int AS n FROM credits_holdings h
        JOIN credits_products p ON p.id = h.product_id
        WHERE p.owner_user_id = ${reseller} AND h.user_id <> ${reseller}
          AND h.user_id <> ALL(${sql.param(people)}::uuid[])`,
  );
  if (outside && outside.n > 0) {
    throw new AppError(
      'conflict',
      `${outside.n} person(s) of Tally’s own hold the shop’s products and cannot follow it into its database`,
      { reason: 'people_elsewhere', count: outside.n },
    );
  }
  return people;
}

/** Whose credits move: the shop's people, and on the way back the reseller's unsold float too. */
const holdersOf = (scope: ShopScope, direction: TenantMoveDirection) =>
  direction === 'back_to_shared' ? [...scope.people, scope.reseller] : [...scope.people];

/**
 * In the database the shop leaves, under its people's locks: refuses while credits are held for
 * them, and closes what is left of every grant into the float's account. Returns how many grants it
 * closed now.
 */
async function closeCredits(clock: Clock, sides: Sides, move: TenantMove, scope: ShopScope): Promise<number> {
  const holders = holdersOf(scope, move.direction);
  return withDatabase(sides.from, () =>
    sides.from.transaction(async (tx) => {
      await lockCustomers(tx, clock, [...holders, scope.reseller]);
      await refuseHeldCredits(tx, holders);
      const left = await grantsHoldingCredits(tx, holders);
      if (left.length === 0) return 0;
      await ensureFloatAccount(tx, clock, sides.leaving, scope.reseller);
      const transfers: TransferInput[] = left.map((grant) => ({
        id: moveTransferId(move.id, grant.id),
        debitAccountId: grant.id,
        creditAccountId: sides.leaving,
        amount: BigInt(grant.left),
        ledger: CREDITS_LEDGER,
        code: MOVE_TRANSFER_CODE,
        metadata: { tenantMoveId: move.id },
      }));
      const results = await applyTransfers(tx, transfers, { clock });
      if (!allApplied(results)) {
        throw new AppError('internal', 'a grant could not be closed for the move', {
          result: firstFailure(results),
        });
      }
      return transfers.length;
    }),
  );
}

/** The grants of these people that still hold credits, with what they hold. */
const grantsHoldingCredits = (tx: Db, holders: readonly string[]) =>
  queryRows<{ id: string; left: string }>(
    tx,
    sql`SELECT g.id, (a.credits_posted - a.debits_posted)::text AS left
        FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
        WHERE g.user_id = ANY(${sql.param([...holders])}::uuid[]) AND a.credits_posted > a.debits_posted
        ORDER BY g.id`,
  );

async function refuseHeldCredits(tx: Db, holders: readonly string[]): Promise<void> {
  const [held] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM credits_reservations
        WHERE user_id = ANY(${sql.param([...holders])}::uuid[]) AND state = 'active'`,
  );
  if (held && held.n > 0) {
    throw new AppError(
      'conflict',
      `${held.n} reservation(s) of the shop’s people still hold credits: run the move again once they are used, released or expired`,
      { reason: 'reservations_held', count: held.n },
    );
  }
}

async function ensureFloatAccount(tx: Db, clock: Clock, id: string, reseller: string): Promise<void> {
  const account =
    id === FLOAT_IN_ACCOUNT
      ? { id, ledger: CREDITS_LEDGER, code: 'float_in', owner: 'credits' }
      : { id, ledger: CREDITS_LEDGER, code: 'float', owner: `user:${reseller}` };
  const [made] = await createAccounts({ db: tx, clock }, [account]);
  if (made?.result !== 'ok' && made?.result !== 'exists') {
    throw new AppError('internal', `the float account could not be created: ${made?.result}`);
  }
}

/**
 * In the database the shop goes to, one transaction: every grant of the shop's people is there with
 * the credits it held. A grant new to that database reads there as it read where it was — what it
 * was granted, what was used of it — through the moves' history account, and holds what this move
 * closed, from the float's account, under the closing transfer's id. A grant that was there before
 * (the shop moved back to where it was) gets back what it holds, and its figures count the moves.
 * The reseller's unsold float, back on Tally's database, is a grant of its own again.
 */
async function openCredits(clock: Clock, sides: Sides, move: TenantMove, scope: ShopScope): Promise<void> {
  const holders = holdersOf(scope, move.direction);
  const grants = await queryRows<{ id: string; user_id: string; credits: string; debits: string }>(
    sides.from,
    sql`SELECT g.id, g.user_id, a.credits_posted::text AS credits, a.debits_posted::text AS debits
        FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
        WHERE g.user_id = ANY(${sql.param(holders)}::uuid[]) ORDER BY g.id`,
  );
  if (grants.length === 0) return;
  const closings = await queryRows<{ id: string; amount: string }>(
    sides.from,
    sql`SELECT id, amount::text FROM ledger_transfers
        WHERE id = ANY(${sql.param(grants.map((g) => moveTransferId(move.id, g.id)))}::uuid[])`,
  );
  const closed = new Map(closings.map((c) => [c.id, BigInt(c.amount)]));
  // The reseller's own grants come back only when they bring credits back.
  const moving = grants.filter(
    (g) => g.user_id !== scope.reseller || closed.has(moveTransferId(move.id, g.id)),
  );
  const ids = (grant: { id: string }) => ({
    arrival: moveTransferId(move.id, grant.id),
    granted: derivedId('tenant_move_granted', move.id, grant.id),
    used: derivedId('tenant_move_used', move.id, grant.id),
  });
  await withDatabase(sides.to, () =>
    sides.to.transaction(async (tx) => {
      const done = await queryRows<{ id: string }>(
        tx,
        sql`SELECT id::text FROM ledger_transfers WHERE id = ANY(${sql.param(
          moving.flatMap((g) => [ids(g).arrival, ids(g).granted]),
        )}::uuid[])`,
      );
      const arrived = new Set(done.map((d) => d.id));
      const owed = moving.filter((g) => !arrived.has(ids(g).arrival) && !arrived.has(ids(g).granted));
      if (owed.length === 0) return;
      const present = await queryRows<{ id: string }>(
        tx,
        sql`SELECT id::text FROM ledger_accounts WHERE id = ANY(${sql.param(owed.map((g) => g.id))}::uuid[])`,
      );
      const existing = new Set(present.map((p) => p.id));
      const incoming = owed.reduce((sum, g) => sum + (closed.get(ids(g).arrival) ?? 0n), 0n);
      if (sides.arriving !== FLOAT_IN_ACCOUNT) await requireFloatCovers(tx, sides.arriving, incoming);
      await ensureFloatAccount(tx, clock, sides.arriving, scope.reseller);
      const resellers = owed.filter((g) => g.user_id === scope.reseller).map((g) => g.id);
      if (resellers.length > 0) {
        await copyRows(sides.from, tx, grantsTable, sql`t.id = ANY(${sql.param(resellers)}::uuid[])`);
      }
      const fresh = owed.filter((g) => !existing.has(g.id));
      const accounts = await createAccounts({ db: tx, clock }, [
        { id: HISTORY_ACCOUNT, ledger: CREDITS_LEDGER, code: MOVE_HISTORY_CODE, owner: 'credits' },
        ...fresh.map((grant) => ({
          id: grant.id,
          ledger: CREDITS_LEDGER,
          code: GRANT_ACCOUNT_CODE,
          owner: `user:${grant.user_id}`,
          flags: { debitsMustNotExceedCredits: true },
        })),
      ]);
      const refused = accounts.find((a) => a.result !== 'ok' && a.result !== 'exists');
      if (refused) throw new AppError('internal', `account ${refused.id}: ${refused.result}`);
      const transfers: TransferInput[] = [];
      const metadata = { tenantMoveId: move.id };
      const base = { ledger: CREDITS_LEDGER, code: MOVE_TRANSFER_CODE, metadata };
      for (const grant of owed) {
        const amount = closed.get(ids(grant).arrival) ?? 0n;
        const isNew = !existing.has(grant.id);
        const granted = BigInt(grant.credits) - amount;
        const used = BigInt(grant.debits) - amount;
        if (isNew && granted > 0n) {
          transfers.push({
            ...base,
            id: ids(grant).granted,
            debitAccountId: HISTORY_ACCOUNT,
            creditAccountId: grant.id,
            amount: granted,
          });
        }
        if (amount > 0n) {
          transfers.push({
            ...base,
            id: ids(grant).arrival,
            debitAccountId: sides.arriving,
            creditAccountId: grant.id,
            amount,
          });
        }
        if (isNew && used > 0n) {
          transfers.push({
            ...base,
            id: ids(grant).used,
            debitAccountId: grant.id,
            creditAccountId: HISTORY_ACCOUNT,
            amount: used,
          });
        }
      }
      const results = await applyTransfers(tx, transfers, { clock });
      if (!allApplied(results)) {
        throw new AppError('internal', 'a grant could not be opened for the move', {
          result: firstFailure(results),
        });
      }
    }),
  );
}

/**
 * Credits coming back to Tally's database come out of the reseller's float account, which holds
 * every credit that went into its database: more than that back would be credits made out of
 * nothing, so the move stops and the float's reconciliation is the place to look.
 */
async function requireFloatCovers(tx: Db, account: string, total: bigint): Promise<void> {
  const [balance] = await queryRows<{ balance: string }>(
    tx,
    sql`SELECT (credits_posted - debits_posted)::text AS balance FROM ledger_accounts WHERE id = ${account}`,
  );
  if (BigInt(balance?.balance ?? '0') < total) {
    throw new AppError(
      'internal',
      `the shop's database holds ${total} credits more than its float brought in: reconcile the float before moving it back`,
    );
  }
}

/**
 * The move's last step, or false when another pass is needed. In the database the shop leaves,
 * under its people's locks: nothing is left to move; their holdings refill no more there, their
 * sessions and keys there are revoked. Then, on Tally's database, the shop is served from where it
 * went.
 */
async function finish(
  deps: TenantMoveDeps,
  actor: Actor,
  sides: Sides,
  move: TenantMove,
  scope: ShopScope,
  rows: Record<string, number>,
): Promise<boolean> {
  const holders = holdersOf(scope, move.direction);
  const settled = await withDatabase(sides.from, () =>
    sides.from.transaction(async (tx) => {
      await lockCustomers(tx, deps.clock, [...holders, scope.reseller]);
      await refuseHeldCredits(tx, holders);
      if ((await grantsHoldingCredits(tx, holders)).length > 0) return false;
      const people = sql`ANY(${sql.param([...scope.people])}::uuid[])`;
      const now = deps.clock.now();
      await tx.execute(sql`UPDATE credits_holdings SET next_refill_at = NULL WHERE user_id = ${people}`);
      await tx.execute(
        sql`UPDATE core_sessions SET revoked_at = ${now} WHERE user_id = ${people} AND revoked_at IS NULL`,
      );
      await tx.execute(
        sql`UPDATE core_api_keys SET revoked_at = ${now} WHERE user_id = ${people} AND revoked_at IS NULL`,
      );
      return true;
    }),
  );
  if (!settled) return false;
  const [credits] = await queryRows<{ total: string; grants: number }>(
    sides.from,
    sql`SELECT coalesce(sum(amount), 0)::text AS total, count(*)::int AS grants FROM ledger_transfers
        WHERE code = ${MOVE_TRANSFER_CODE} AND metadata->>'tenantMoveId' = ${move.id}`,
  );
  const moved = { people: scope.people.length, grants: credits!.grants, credits: credits!.total, rows };
  await deps.db.transaction(async (tx) => {
    if (move.direction === 'back_to_shared') {
      const [database] = await tx
        .select()
        .from(tenantDatabases)
        .where(eq(tenantDatabases.userId, scope.reseller))
        .for('update');
      if (database && database.state !== 'retired') {
        await tx
          .update(tenantDatabases)
          .set({ state: tenantDatabaseMachine.move(database.state, 'retired'), updatedAt: deps.clock.now() })
          .where(eq(tenantDatabases.id, database.id));
      }
    }
    await tx
      .update(tenantMoves)
      .set({ state: 'done', moved, finishedAt: deps.clock.now() })
      .where(and(eq(tenantMoves.id, move.id), eq(tenantMoves.state, 'moving')));
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.tenant_move.done',
      objectType: 'credits_tenant_move',
      objectId: move.id,
      details: { reseller_user_id: scope.reseller, direction: move.direction, ...moved },
    });
  });
  return true;
}
