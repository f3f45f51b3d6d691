import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Address, Hex } from 'viem';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { isUuid } from '../../core/ids';
import { type OutgoingState, outgoingTransactions } from '../schema';

/** One of Tally's outgoing transactions as services and the status page see it: amounts as bigints. */
export interface OutgoingTransaction {
  id: string;
  chainId: number;
  fromAddress: Address;
  nonce: bigint;
  toAddress: Address;
  data: Hex;
  value: bigint;
  gasLimit: bigint;
  /** The fees of the latest signed version; null until it is first signed. */
  maxFeePerGas: bigint | null;
  maxPriorityFeePerGas: bigint | null;
  purpose: string;
  idempotencyKey: string | null;
  state: OutgoingState;
  /** Every version signed for this nonce, oldest first; any of them may be the one mined. */
  hashes: Hex[];
  minedHash: Hex | null;
  blockNumber: bigint | null;
  gasUsed: bigint | null;
  /** Broadcasts the node refused; at the sender's limit the nonce is filled instead. */
  attempts: number;
  lastError: string | null;
  nextCheckAt: Date;
  createdAt: Date;
  /** When the latest version was first accepted by the node: a fee bump is due `bumpAfterMs` later. */
  sentAt: Date | null;
  finishedAt: Date | null;
  metadata: Record<string, unknown>;
}

export type OutgoingRow = typeof outgoingTransactions.$inferSelect;

export function toOutgoing(row: OutgoingRow): OutgoingTransaction {
  const optional = (amount: string | null) => (amount === null ? null : BigInt(amount));
  return {
    id: row.id,
    chainId: row.chainId,
    fromAddress: row.fromAddress as Address,
    nonce: row.nonce,
    toAddress: row.toAddress as Address,
    data: row.data as Hex,
    value: BigInt(row.value),
    gasLimit: BigInt(row.gasLimit),
    maxFeePerGas: optional(row.maxFeePerGas),
    maxPriorityFeePerGas: optional(row.maxPriorityFeePerGas),
    purpose: row.purpose,
    idempotencyKey: row.idempotencyKey,
    state: row.state,
    hashes: row.hashes as Hex[],
    minedHash: row.minedHash as Hex | null,
    blockNumber: row.blockNumber,
    gasUsed: optional(row.gasUsed),
    attempts: row.attempts,
    lastError: row.lastError,
    nextCheckAt: row.nextCheckAt,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    finishedAt: row.finishedAt,
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
  };
}

/**
 * The moves an outgoing transaction may make. A queued one can end without ever being marked
 * pending: its hash is recorded before the broadcast, so after a crash between the two the next
 * check may already find it mined, or find its nonce taken by someone else.
 */
const allowedMoves: Record<OutgoingState, readonly OutgoingState[]> = {
  queued: ['pending', 'confirmed', 'reverted', 'cancelled'],
  pending: ['confirmed', 'reverted', 'cancelled'],
  confirmed: [],
  reverted: [],
  cancelled: [],
};

export const isOpen = (state: OutgoingState): boolean => state === 'queued' || state === 'pending';

/** Returns `to` if an outgoing transaction may move there from `from`; throws otherwise. */
export function moveOutgoingState(from: OutgoingState, to: OutgoingState): OutgoingState {
  if (!allowedMoves[from].includes(to)) {
    throw new AppError('conflict', `an outgoing transaction cannot move from ${from} to ${to}`, { from, to });
  }
  return to;
}

export interface OutgoingPage {
  items: OutgoingTransaction[];
  /** Pass as `before` for the next page; null on the last one. */
  nextCursor: string | null;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

/** Newest first (ids are UUIDv7, so id order is creation order), optionally in one state. */
export async function listOutgoingTransactions(
  db: Db,
  options: { state?: OutgoingState; before?: string; limit?: number } = {},
): Promise<OutgoingPage> {
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(options.limit ?? DEFAULT_PAGE)));
  if (options.before !== undefined && !isUuid(options.before)) {
    throw new AppError('validation_failed', 'the cursor is not a transaction id', { field: 'before' });
  }
  const t = outgoingTransactions;
  const conditions: SQL[] = [];
  if (options.state) conditions.push(eq(t.state, options.state));
  if (options.before) conditions.push(lt(t.id, options.before));
  const rows = await db
    .select()
    .from(t)
    .where(and(...conditions))
    .orderBy(desc(t.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(toOutgoing);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function getOutgoingTransaction(db: Db, id: string): Promise<OutgoingTransaction | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(outgoingTransactions).where(eq(outgoingTransactions.id, id));
  return row ? toOutgoing(row) : undefined;
}
