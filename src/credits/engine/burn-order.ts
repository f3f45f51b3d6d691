import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import type { SpendScope } from './spending';

/** The part of a grant one spend takes. */
export interface GrantPart {
  grantId: string;
  amount: bigint;
}

/**
 * The grants a scope can spend in this order: its workspace's grants first, then the person's pool;
 * inside each, priority (lower first), earliest expiry (none last), oldest, then id. `g` is
 * `credits_grants`, `a` its ledger account.
 */
export const burnOrder = sql.raw(
  'g.workspace_id IS NULL, g.priority, g.expires_at NULLS LAST, g.created_at, g.id',
);

/** The grants that pay in a scope: with a workspace, its grants and the pool; without, the pool alone. */
export function grantsInScope(scope: SpendScope): SQL {
  return scope.workspaceId
    ? sql`g.user_id = ${scope.userId} AND (g.workspace_id = ${scope.workspaceId} OR g.workspace_id IS NULL)`
    : sql`g.user_id = ${scope.userId} AND g.workspace_id IS NULL`;
}

/** A grant counts until its expiry, even before the sweep has moved what is left of it away. */
export const grantUnexpired = (now: Date): SQL =>
  sql`g.expired_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > ${now})`;

/** What is left to spend in a grant: credited, less what left it, less what is held. */
export const remainingOf = sql.raw('(a.credits_posted - a.debits_posted - a.debits_pending)');

export interface SpendableGrants {
  grants: GrantPart[];
  /** Whether the person has reservations past their expiry that no sweep has released yet. */
  hasDueReservations: boolean;
}

/** The scope's grants with something left, in burn order, with what is left in each. */
export async function spendableGrants(tx: Db, now: Date, scope: SpendScope): Promise<SpendableGrants> {
  const rows = await queryRows<{ id: string | null; remaining: string | null; due: boolean }>(
    tx,
    sql`SELECT s.id, s.remaining, EXISTS (
          SELECT 1 FROM credits_reservations r
          WHERE r.user_id = ${scope.userId} AND r.state = 'active' AND r.expires_at <= ${now}) AS due
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (
          SELECT g.id, ${remainingOf}::text AS remaining, row_number() OVER (ORDER BY ${burnOrder}) AS n
          FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
          WHERE ${grantsInScope(scope)} AND ${grantUnexpired(now)} AND ${remainingOf} > 0) AS s ON TRUE
        ORDER BY s.n`,
  );
  return {
    grants: rows
      .filter((r) => r.id !== null && r.remaining !== null)
      .map((r) => ({ grantId: r.id!, amount: BigInt(r.remaining!) })),
    hasDueReservations: rows[0]?.due === true,
  };
}

/** Takes `amount` from the grants in their order; null when they hold less than that. */
export function allocate(grants: readonly GrantPart[], amount: bigint): GrantPart[] | null {
  const parts: GrantPart[] = [];
  let left = amount;
  for (const grant of grants) {
    if (left === 0n) break;
    const take = smaller(grant.amount, left);
    parts.push({ grantId: grant.grantId, amount: take });
    left -= take;
  }
  return left === 0n ? parts : null;
}

/** The smaller of two amounts (Math.min takes no bigint). */
export const smaller = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export const totalOf = (parts: readonly GrantPart[]): bigint => parts.reduce((sum, p) => sum + p.amount, 0n);

export function insufficientFunds(available: bigint, requested: bigint): AppError {
  return new AppError(
    'insufficient_funds',
    `${requested} credits are needed and ${available} are available`,
    { available: available.toString(), requested: requested.toString() },
  );
}
