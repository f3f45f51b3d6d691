import { type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { applyBalanceOps, applyTransfers } from '../../ledger/engine';
import { firstFailure } from '../../ledger/errors';
import { createAccounts } from '../../ledger/service';
import type { TransferInput } from '../../ledger/types';
import { type GrantSource, grantSources } from '../schema';
import { burnOrder, type GrantPart, grantsInScope, grantUnexpired, remainingOf, totalOf } from './burn-order';
import { lockCustomers } from './customer-lock';
import { optionalText, optionalUuid, requirePositive, requireText, requireUuid } from './inputs';
import {
  allApplied,
  CREDITS_LEDGER,
  derivedId,
  GRANT_ACCOUNT_CODE,
  SYSTEM_ACCOUNTS,
  TRANSFER_CODES,
} from './ledger';
import { spendRefusal } from './spend-batch';
import { chargeCredits, type SpendScope, sourcesFor, type Usage } from './spending';

/**
 * Grants: every grant is a ledger account of its own (id = grant id) that may never pay out more
 * than was credited to it. Credits come into it from the issuer, or for an under-whitelabel
 * product out of the reseller's own grants, so a reseller can never hand out more than it holds.
 */

export const DEFAULT_PRIORITY = 100;

export interface GrantInput {
  userId: string;
  workspaceId?: string | null;
  source: GrantSource;
  amount: bigint;
  priority?: number;
  expiresAt?: Date | null;
  reason?: string | null;
  productId?: string | null;
  holdingId?: string | null;
  createdByUserId?: string | null;
  /**
   * Draw the credits out of this reseller's own pool (burn order) instead of issuing new ones: an
   * under-whitelabel product's credits. insufficient_funds when the reseller lacks them.
   */
  fundedBy?: { userId: string } | null;
  /** The grant's id, when the caller needs a retry to find the same grant (refills name theirs). */
  id?: string | null;
}

export interface Grant {
  id: string;
  userId: string;
  workspaceId: string | null;
  source: GrantSource;
  amount: bigint;
  /** What is left to spend: granted, less what left it, less what reservations hold. */
  remaining: bigint;
  priority: number;
  expiresAt: Date | null;
  reason: string | null;
  productId: string | null;
  holdingId: string | null;
  createdByUserId: string | null;
  createdAt: Date;
  expiredAt: Date | null;
}

/** Grants credits; in the caller's transaction. A grant that expires in the past is refused. */
export async function grantCredits(tx: Db, clock: Clock, input: GrantInput): Promise<Grant> {
  if (input.expiresAt && input.expiresAt <= clock.now()) {
    throw new AppError('validation_failed', 'expiresAt must be in the future', { field: 'expiresAt' });
  }
  return issueGrant(tx, clock, input);
}

/**
 * Grants credits without the check on the expiry: a refill catching up on a missed cycle grants that
 * cycle's credits although it has already ended, so the next step can expire or roll them over.
 * With `rolledFrom`, the credits come out of those grants (a rollover) instead of being issued.
 */
export async function issueGrant(
  tx: Db,
  clock: Clock,
  input: GrantInput,
  rolledFrom: readonly GrantPart[] | null = null,
): Promise<Grant> {
  const userId = requireUuid(input.userId, 'userId');
  const amount = requirePositive(input.amount);
  if (!grantSources.includes(input.source)) {
    throw new AppError('validation_failed', `source must be one of ${grantSources.join(', ')}`);
  }
  const priority = input.priority ?? DEFAULT_PRIORITY;
  if (!Number.isInteger(priority) || priority < 0 || priority > 1_000_000) {
    throw new AppError('validation_failed', 'priority must be a whole number from 0 to 1000000');
  }
  const reason =
    input.source === 'adjustment'
      ? requireText(input.reason ?? '', 'reason')
      : optionalText(input.reason, 'reason', 500);
  const resellerId = input.fundedBy ? requireUuid(input.fundedBy.userId, 'fundedBy.userId') : null;
  if (resellerId === userId)
    throw new AppError('validation_failed', 'a grant cannot be funded by its own holder');
  const id = input.id ? requireUuid(input.id, 'id') : newId();
  const now = clock.now();
  const grant: Grant = {
    id,
    userId,
    workspaceId: optionalUuid(input.workspaceId, 'workspaceId'),
    source: input.source,
    amount,
    remaining: amount,
    priority,
    expiresAt: input.expiresAt ?? null,
    reason,
    productId: optionalUuid(input.productId, 'productId'),
    holdingId: optionalUuid(input.holdingId, 'holdingId'),
    createdByUserId: optionalUuid(input.createdByUserId, 'createdByUserId'),
    createdAt: now,
    expiredAt: null,
  };

  if (input.id) {
    const [existing] = await findGrants(tx, sql`g.id = ${id}`);
    if (existing) {
      if (existing.userId !== userId || existing.amount !== amount || existing.source !== input.source) {
        throw new AppError('idempotency_conflict', `grant ${id} exists with different terms`, { id });
      }
      return existing;
    }
  }

  if (rolledFrom && totalOf(rolledFrom) !== amount) {
    throw new AppError('internal', 'a rollover must draw exactly its amount');
  }
  if (resellerId && !rolledFrom) {
    // Both people are locked (in id order): the reseller's pool must not move while it is drawn on.
    await lockCustomers(tx, clock, [userId, resellerId]);
  }
  const [account] = await createAccounts({ db: tx, clock }, [
    {
      id,
      ledger: CREDITS_LEDGER,
      code: GRANT_ACCOUNT_CODE,
      owner: `user:${userId}`,
      flags: { debitsMustNotExceedCredits: true },
    },
  ]);
  if (account?.result !== 'ok') {
    throw new AppError('internal', `the ledger account of grant ${id} could not be created`, {
      result: account?.result,
    });
  }
  await tx.execute(
    sql`INSERT INTO credits_grants (id, user_id, workspace_id, source, holding_id, product_id, amount, priority,
          expires_at, reason, created_by_user_id, created_at)
        VALUES (${id}, ${userId}, ${grant.workspaceId}, ${grant.source}, ${grant.holdingId}, ${grant.productId},
          ${amount.toString()}, ${priority}, ${grant.expiresAt}, ${reason}, ${grant.createdByUserId}, ${now})`,
  );

  if (resellerId && !rolledFrom) {
    const [funded] = await applyBalanceOps(
      tx,
      [
        {
          op: 'spend',
          id: derivedId(TRANSFER_CODES.fund, id),
          ledger: CREDITS_LEDGER,
          code: TRANSFER_CODES.fund,
          from: await sourcesFor(tx, now, { userId: resellerId, workspaceId: null }),
          to: id,
          amount,
        },
      ],
      { clock },
    );
    if (funded!.result !== 'ok') throw spendRefusal(funded!, amount);
    return grant;
  }
  const transfers: TransferInput[] = rolledFrom
    ? rolledFrom.map((part, index) => ({
        id: derivedId(TRANSFER_CODES.rollover, id, part.grantId),
        debitAccountId: part.grantId,
        creditAccountId: id,
        amount: part.amount,
        ledger: CREDITS_LEDGER,
        code: TRANSFER_CODES.rollover,
        flags: { linked: index < rolledFrom.length - 1 },
      }))
    : [
        {
          id: derivedId('issue', id),
          debitAccountId: SYSTEM_ACCOUNTS.issuer,
          creditAccountId: id,
          amount,
          ledger: CREDITS_LEDGER,
          code: TRANSFER_CODES.issue,
        },
      ];
  const results = await applyTransfers(tx, transfers, { clock });
  if (!allApplied(results)) {
    throw new AppError('internal', 'crediting the grant failed in the ledger', {
      result: firstFailure(results),
    });
  }
  return grant;
}

export interface AdjustInput {
  userId: string;
  workspaceId?: string | null;
  /** Above 0 grants, below 0 burns. */
  amount: bigint;
  reason: string;
  createdByUserId?: string | null;
  expiresAt?: Date | null;
  /** A retry with the same key returns the first adjustment; with other terms, idempotency_conflict. */
  idempotencyKey?: string | null;
}

/**
 * An administrator's adjustment: a positive amount grants (an `adjustment` grant with its reason), a
 * negative one burns from the scope in burn order, recorded as a usage `adjustment: <reason>`;
 * insufficient_funds if the scope holds less.
 */
export async function adjustCredits(tx: Db, clock: Clock, input: AdjustInput): Promise<Grant | Usage> {
  const reason = requireText(input.reason, 'reason');
  if (input.amount > 0n) {
    return grantCredits(tx, clock, {
      ...(input.idempotencyKey ? { id: derivedId('adjustment', input.userId, input.idempotencyKey) } : {}),
      userId: input.userId,
      workspaceId: input.workspaceId,
      source: 'adjustment',
      amount: input.amount,
      reason,
      createdByUserId: input.createdByUserId,
      expiresAt: input.expiresAt,
    });
  }
  if (input.amount === 0n)
    throw new AppError('validation_failed', 'an adjustment of 0 credits changes nothing');
  return chargeCredits(
    tx,
    clock,
    { userId: input.userId, workspaceId: input.workspaceId },
    {
      amount: -input.amount,
      usedFor: `adjustment: ${reason}`,
      action: 'adjustment',
      idempotencyKey: input.idempotencyKey ? `adjustment:${input.idempotencyKey}` : null,
    },
  );
}

export interface ListGrantsOptions {
  /** Also grants used up or expired (the history). */
  includeEmpty?: boolean;
  /** Every grant of the person, in whichever workspace, instead of those that pay in the scope. */
  allWorkspaces?: boolean;
  /** Leave out grants expired by this time; without it, those the expiry sweep has expired. */
  now?: Date;
}

/** The scope's grants in burn order: by default those with credits left to spend. */
export async function listGrants(
  db: Db,
  scope: SpendScope,
  options: ListGrantsOptions = {},
): Promise<Grant[]> {
  requireUuid(scope.userId, 'userId');
  const conditions: SQL[] = [options.allWorkspaces ? sql`g.user_id = ${scope.userId}` : grantsInScope(scope)];
  if (!options.includeEmpty) {
    conditions.push(options.now ? grantUnexpired(options.now) : sql`g.expired_at IS NULL`);
    conditions.push(sql`${remainingOf} > 0`);
  }
  return findGrants(db, sql.join(conditions, sql` AND `));
}

export async function getGrant(db: Db, id: string): Promise<Grant | null> {
  const [grant] = await findGrants(db, sql`g.id = ${requireUuid(id, 'id')}`);
  return grant ?? null;
}

interface GrantRow {
  id: string;
  user_id: string;
  workspace_id: string | null;
  source: GrantSource;
  amount: string;
  remaining: string;
  priority: number;
  expires_at: string | null;
  reason: string | null;
  product_id: string | null;
  holding_id: string | null;
  created_by_user_id: string | null;
  created_at: string;
  expired_at: string | null;
}

async function findGrants(db: Db, where: SQL): Promise<Grant[]> {
  const rows = await queryRows<GrantRow>(
    db,
    sql`SELECT g.id, g.user_id, g.workspace_id, g.source, g.amount::text, ${remainingOf}::text AS remaining,
          g.priority, g.expires_at::text, g.reason, g.product_id, g.holding_id, g.created_by_user_id,
          g.created_at::text, g.expired_at::text
        FROM credits_grants g JOIN ledger_accounts a ON a.id = g.id
        WHERE ${where} ORDER BY ${burnOrder}`,
  );
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    workspaceId: row.workspace_id,
    source: row.source,
    amount: BigInt(row.amount),
    remaining: BigInt(row.remaining),
    priority: row.priority,
    expiresAt: row.expires_at ? parseTimestamp(row.expires_at) : null,
    reason: row.reason,
    productId: row.product_id,
    holdingId: row.holding_id,
    createdByUserId: row.created_by_user_id,
    createdAt: parseTimestamp(row.created_at),
    expiredAt: row.expired_at ? parseTimestamp(row.expired_at) : null,
  }));
}
