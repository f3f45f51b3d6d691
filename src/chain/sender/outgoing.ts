import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Address, Hex } from 'viem';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { isUuid } from '../../core/ids';
import { idFromCursor, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
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
  /** The newest version a node accepted (or already had); null before the first. */
  acceptedHash: Hex | null;
  minedHash: Hex | null;
  blockNumber: bigint | null;
  gasUsed: bigint | null;
  /** Refusals of the transaction since a node last accepted a version; at the sender's limit the nonce is filled instead. */
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
    acceptedHash: row.acceptedHash as Hex | null,
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

export type OutgoingPage = Page<OutgoingTransaction>;

/** Newest first (ids are UUIDv7, so id order is creation order), optionally in one state. */
export async function listOutgoingTransactions(
  db: Db,
  options: PageRequest & { state?: OutgoingState } = {},
): Promise<OutgoingPage> {
  const limit = pageLimit(options.limit);
  const before = idFromCursor(options.cursor);
  const t = outgoingTransactions;
  const conditions: SQL[] = [];
  if (options.state) conditions.push(eq(t.state, options.state));
  if (before) conditions.push(lt(t.id, before));
  const rows = await db
    .select()
    .from(t)
    .where(and(...conditions))
    .orderBy(desc(t.id))
    .limit(limit + 1);
  return pageOf(rows.map(toOutgoing), limit, (transaction) => ({ id: transaction.id }));
}

export async function getOutgoingTransaction(db: Db, id: string): Promise<OutgoingTransaction | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(outgoingTransactions).where(eq(outgoingTransactions.id, id));
  return row ? toOutgoing(row) : undefined;
}
