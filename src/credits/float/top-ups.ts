import { and, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Clock } from '../../core/clock';
import { type Database, type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/log';
import type { Notifier } from '../../core/notifications/service';
import { type Page, type PageRequest, pageLimit, pageOf, timeFromCursor } from '../../core/paging';
import { applyBalanceOps } from '../../ledger/engine';
import { createAccounts } from '../../ledger/service';
import { requirePositive } from '../engine/inputs';
import { CREDITS_LEDGER } from '../engine/ledger';
import { spendRefusal } from '../engine/spend-batch';
import { sourcesFor } from '../engine/spending';
import { lockCustomer } from '../people/customers';
import { type FloatTopUpTrigger, floatTopUps, tenantDatabases, whitelabels } from '../schema';
import { floatErrors } from './errors';
import { FLOAT_TRANSFER_CODE, floatAccountId, topUpTransferId } from './ids';

/**
 * A top-up of a reseller's float, Tally's side: in one transaction of Tally's own database the
 * credits leave the reseller's pool in burn order (the ledger's `spend`, as an under-whitelabel
 * grant's `fundedBy` draw does) for its float account, and the outbox row says they are still to
 * arrive in its own database. The apply job (`apply.ts`) takes it from there.
 */

/** What the float's services need. */
export interface FloatDeps {
  /** Tally's own database, whatever the work in progress: the float is moved from it. */
  db: Db;
  clock: Clock;
  log: Logger;
  /** The resellers' own databases (the line's `TenantDatabases`). */
  tenants: { open(whitelabelId: string): Promise<Database> };
  /** How the float tells the reseller and administrators. */
  notifier: Notifier;
}

export type FloatTopUp = typeof floatTopUps.$inferSelect;

/** The reseller tops up its float by hand. */
export async function topUpFloat(
  deps: FloatDeps,
  actor: Actor,
  input: { amount: bigint; topUpId?: string | null },
): Promise<FloatTopUp> {
  const resellerUserId = requireUser(actor);
  const topUp = await startTopUp(deps, actor, {
    resellerUserId,
    amount: input.amount,
    trigger: 'manual',
    id: input.topUpId ?? newId(),
  });
  // A manual top-up is never skipped: only an automatic one yields to a pending top-up.
  return topUp!;
}

export interface StartTopUpInput {
  resellerUserId: string;
  amount: bigint;
  trigger: FloatTopUpTrigger;
  id: string;
}

/**
 * Draws the credits and writes the outbox row, in one transaction. The same id again answers the
 * first top-up (another amount is `idempotency_conflict`). An automatic top-up is skipped (null)
 * while another is pending: the check runs under the reseller's lock, so two runs never both move.
 */
export async function startTopUp(
  deps: FloatDeps,
  actor: Actor,
  input: StartTopUpInput,
): Promise<FloatTopUp | null> {
  const amount = requirePositive(input.amount, 'amount');
  const { resellerUserId, id } = input;
  return deps.db.transaction(async (tx) => {
    const customer = await lockCustomer(tx, resellerUserId);
    if (customer?.type !== 'whitelabel') throw onlyResellers();
    const [earlier] = await tx.select().from(floatTopUps).where(eq(floatTopUps.id, id));
    if (earlier) {
      if (earlier.resellerUserId !== resellerUserId || earlier.amount !== amount) {
        throw new AppError('idempotency_conflict', 'this top-up was asked for with another amount', { id });
      }
      return earlier;
    }
    if (input.trigger === 'automatic' && (await pendingTopUpCount(tx, resellerUserId)) > 0) return null;
    await requireReadyDatabase(tx, resellerUserId);

    const now = deps.clock.now();
    const account = floatAccountId(resellerUserId);
    const [made] = await createAccounts({ db: tx, clock: deps.clock }, [
      { id: account, ledger: CREDITS_LEDGER, code: 'float', owner: `user:${resellerUserId}` },
    ]);
    if (made?.result !== 'ok' && made?.result !== 'exists') {
      throw new AppError('internal', `the float account could not be created: ${made?.result}`);
    }
    const [drawn] = await applyBalanceOps(
      tx,
      [
        {
          op: 'spend',
          id: topUpTransferId(id),
          ledger: CREDITS_LEDGER,
          code: FLOAT_TRANSFER_CODE,
          from: await sourcesFor(tx, now, { userId: resellerUserId, workspaceId: null }),
          to: account,
          amount,
          metadata: { floatTopUpId: id },
        },
      ],
      { clock: deps.clock },
    );
    // Refused: the transaction rolls back whole, the ledger's record of the refusal with it. The
    // top-up's id is new to every request (or the middleware replays the refusal), so nothing needs
    // to remember it.
    if (drawn!.result !== 'ok') throw spendRefusal(drawn!, amount);
    const [row] = await tx
      .insert(floatTopUps)
      .values({
        id,
        resellerUserId,
        amount,
        trigger: input.trigger,
        state: 'pending',
        createdByUserId: actor.userId,
        createdAt: now,
      })
      .returning();
    if (input.trigger === 'automatic') {
      // A shortfall the reseller was told of is over: the next one is told again.
      await tx.execute(
        sql`UPDATE credits_float_settings SET short_notified_at = NULL WHERE reseller_user_id = ${resellerUserId}`,
      );
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.float.top_up',
      objectType: 'credits_float_top_up',
      objectId: id,
      details: {
        resellerUserId,
        amount: amount.toString(),
        trigger: input.trigger,
        transferId: topUpTransferId(id),
        parts: drawn!.parts.map((p) => ({ grantId: p.accountId, amount: p.amount.toString() })),
      },
    });
    return row!;
  });
}

/** The reseller's top-ups, newest first; an administrator reads anyone's. */
export async function listTopUps(
  deps: Pick<FloatDeps, 'db'>,
  actor: Actor,
  filter: PageRequest & { userId?: string } = {},
): Promise<Page<FloatTopUp>> {
  const resellerUserId = await floatSubject(deps.db, actor, filter.userId);
  const limit = pageLimit(filter.limit);
  const cursor = timeFromCursor(filter.cursor);
  const rows = await deps.db
    .select()
    .from(floatTopUps)
    .where(
      and(
        eq(floatTopUps.resellerUserId, resellerUserId),
        cursor
          ? sql`(${floatTopUps.createdAt}, ${floatTopUps.id}) < (${cursor.at}, ${cursor.id})`
          : undefined,
      ),
    )
    .orderBy(sql`${floatTopUps.createdAt} DESC, ${floatTopUps.id} DESC`)
    .limit(limit + 1);
  return pageOf(rows, limit, (t) => ({ at: t.createdAt, id: t.id }));
}

/**
 * Whose float a caller reads: a reseller its own; an administrator anyone's (`userId`), its own
 * otherwise. Someone else's answers 404, as if it did not exist.
 */
export async function floatSubject(db: Db, actor: Actor, userId?: string): Promise<string> {
  const subject = userId ?? requireUser(actor);
  if (subject !== actor.userId && !actor.isAdmin) throw notFound('float');
  const [row] = await queryRows<{ type: string }>(
    db,
    sql`SELECT type FROM credits_customers WHERE user_id = ${subject}`,
  );
  if (row?.type !== 'whitelabel') {
    if (actor.isAdmin && subject !== actor.userId) throw notFound('float');
    throw onlyResellers();
  }
  return subject;
}

export async function pendingTopUpCount(db: Db, resellerUserId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM credits_float_top_ups
        WHERE reseller_user_id = ${resellerUserId} AND state = 'pending'`,
  );
  return row?.n ?? 0;
}

/** The reseller's database once it is ready, with its whitelabel set-up's id (the registry's key). */
export async function readyDatabaseOf(
  db: Db,
  resellerUserId: string,
): Promise<{ whitelabelId: string } | null> {
  const [row] = await db
    .select({ whitelabelId: whitelabels.id })
    .from(tenantDatabases)
    .innerJoin(whitelabels, eq(whitelabels.userId, tenantDatabases.userId))
    .where(and(eq(tenantDatabases.userId, resellerUserId), eq(tenantDatabases.state, 'ready')));
  return row ?? null;
}

async function requireReadyDatabase(db: Db, resellerUserId: string): Promise<{ whitelabelId: string }> {
  const ready = await readyDatabaseOf(db, resellerUserId);
  if (!ready) {
    throw floatErrors.error(
      'float_database_not_ready',
      'a float is moved into your own database: ask for one and wait until it is ready',
    );
  }
  return ready;
}

/** The reseller's own database, opened (the registry keeps it open). */
export async function openTenantOf(deps: FloatDeps, resellerUserId: string): Promise<Database> {
  const ready = await requireReadyDatabase(deps.db, resellerUserId);
  return deps.tenants.open(ready.whitelabelId);
}

const onlyResellers = () =>
  new AppError('forbidden', 'only whitelabel resellers have a float; buy a whitelabel product first');
