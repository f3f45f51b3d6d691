import { type SQL, sql } from 'drizzle-orm';
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

export const totalOf = (parts: readonly GrantPart[]): bigint => parts.reduce((sum, p) => sum + p.amount, 0n);

export function insufficientFunds(available: bigint, requested: bigint): AppError {
  return new AppError(
    'insufficient_funds',
    `${requested} credits are needed and ${available} are available`,
    { available: available.toString(), requested: requested.toString() },
  );
}
