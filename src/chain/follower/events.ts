import { createHash } from 'node:crypto';
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { AbiEvent, AbiParameter, Address, GetEventArgs, Hex } from 'viem';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { type EventState, eventStates, events } from '../schema';

/**
 * The events a follower has read, as handlers receive them and as the status pages list them.
 */

/** The decoded arguments of `TEvent`, every one present, bigints as bigint. */
export type EventArgs<TEvent extends AbiEvent> = GetEventArgs<
  readonly [TEvent],
  TEvent['name'],
  { EnableUnion: false; IndexedOnly: false; Required: true }
>;

export interface ChainEvent<TArgs = Record<string, unknown> | readonly unknown[]> {
  /** Stable for one log in one block: handlers derive their ledger transfer ids from it. */
  id: string;
  chainId: number;
  blockNumber: bigint;
  blockHash: Hex;
  /** When its block was made, as the chain says. */
  blockTimestamp: Date;
  transactionHash: Hex;
  logIndex: number;
  address: Address;
  eventName: string;
  args: TArgs;
}

export interface StoredChainEvent {
  id: string;
  follower: string;
  chainId: number;
  blockNumber: bigint;
  blockHash: Hex;
  blockTimestamp: Date;
  transactionHash: Hex;
  logIndex: number;
  address: Address;
  eventName: string;
  /** As stored: bigints as decimal strings, so it goes out as JSON unchanged. */
  args: unknown;
  state: EventState;
  createdAt: Date;
  confirmedAt: Date | null;
  orphanedAt: Date | null;
}

/**
 * A UUID (version 8, RFC 9562 §5.8) from the SHA-256 of its parts: the same parts give the same id
 * in every process, so a handler that derives its transfer ids with it applies each at most once.
 */
export function derivedUuid(...parts: readonly (string | number | bigint)[]): string {
  const bytes = createHash('sha256')
    .update(JSON.stringify(parts.map(String)))
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A log's id: the log itself (chain, block hash, position in the block), whichever watcher reads it,
 * so a renamed watcher finds the events it handled under its old name and credits nothing twice. It
 * is bound to its block hash: the same transaction mined again in another block after a reorg is
 * another event, whose credit is not the orphaned one's.
 */
export const chainEventId = (chainId: number, blockHash: string, logIndex: number): string =>
  derivedUuid('chain-log', chainId, blockHash.toLowerCase(), logIndex);

/**
 * The id an orphaned event takes when its very block becomes canonical again (the chain switched
 * back, or a node briefly served another branch). Its handlers already undid the first id's effects,
 * so the event must come back under an id they have not used.
 */
export const revivedEventId = (previousId: string): string => derivedUuid('chain-event-revived', previousId);

/** JSON cannot hold a bigint: stored as its decimal string, restored from the ABI by `restoreArgs`. */
export function encodeArgs(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(encodeArgs);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encodeArgs(item)]));
  }
  return value;
}

/** viem decodes named parameters into an object and unnamed ones into an array; both are kept. */
export function restoreArgs(inputs: readonly AbiParameter[], stored: unknown): unknown {
  if (Array.isArray(stored)) return inputs.map((input, index) => restoreValue(input, stored[index]));
  if (stored === null || typeof stored !== 'object') return stored;
  const record = stored as Record<string, unknown>;
  return Object.fromEntries(
    inputs.map((input, index) => {
      const key = input.name || String(index);
      return [key, restoreValue(input, record[key])];
    }),
  );
}

function restoreValue(parameter: AbiParameter, value: unknown): unknown {
  const array = /^(.*)\[\d*\]$/.exec(parameter.type);
  if (array?.[1] && Array.isArray(value)) {
    const element = { ...parameter, type: array[1] };
    return value.map((item) => restoreValue(element, item));
  }
  if (parameter.type === 'tuple' && 'components' in parameter)
    return restoreArgs(parameter.components, value);
  if (/^u?int\d*$/.test(parameter.type) && typeof value === 'string') return BigInt(value);
  return value;
}

type EventRow = typeof events.$inferSelect;

export function toStoredEvent(row: EventRow): StoredChainEvent {
  return {
    id: row.id,
    follower: row.follower,
    chainId: row.chainId,
    blockNumber: row.blockNumber,
    blockHash: row.blockHash as Hex,
    blockTimestamp: row.blockTimestamp,
    transactionHash: row.transactionHash as Hex,
    logIndex: row.logIndex,
    address: row.address as Address,
    eventName: row.eventName,
    args: row.args,
    state: row.state,
    createdAt: row.createdAt,
    confirmedAt: row.confirmedAt,
    orphanedAt: row.orphanedAt,
  };
}

export function toChainEvent(event: AbiEvent, row: EventRow): ChainEvent {
  return {
    id: row.id,
    chainId: row.chainId,
    blockNumber: row.blockNumber,
    blockHash: row.blockHash as Hex,
    blockTimestamp: row.blockTimestamp,
    transactionHash: row.transactionHash as Hex,
    logIndex: row.logIndex,
    address: row.address as Address,
    eventName: row.eventName,
    args: restoreArgs(event.inputs, row.args) as ChainEvent['args'],
  };
}

export interface EventFilter {
  follower?: string;
  chainId?: number;
  state?: EventState;
  transactionHash?: string;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

export interface EventPage {
  items: StoredChainEvent[];
  nextCursor: string | null;
}

const MAX_PAGE = 500;

/** Newest first: by block, then position in the block. */
export async function listEvents(db: Db, filter: EventFilter = {}): Promise<EventPage> {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new AppError('validation_failed', `limit must be an integer from 1 to ${MAX_PAGE}`);
  }
  if (filter.state !== undefined && !eventStates.includes(filter.state)) {
    throw new AppError('validation_failed', `state must be one of ${eventStates.join(', ')}`);
  }
  const conditions: SQL[] = [];
  if (filter.follower !== undefined) conditions.push(eq(events.follower, filter.follower));
  if (filter.chainId !== undefined) conditions.push(eq(events.chainId, filter.chainId));
  if (filter.state !== undefined) conditions.push(eq(events.state, filter.state));
  if (filter.transactionHash !== undefined) {
    conditions.push(eq(events.transactionHash, filter.transactionHash.toLowerCase()));
  }
  if (filter.cursor !== undefined) {
    const after = parseEventCursor(filter.cursor);
    conditions.push(
      sql`(${events.blockNumber}, ${events.logIndex}, ${events.id})
          < (${after.blockNumber}::bigint, ${after.logIndex}::integer, ${after.id}::uuid)`,
    );
  }
  const rows = await db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(desc(events.blockNumber), desc(events.logIndex), desc(events.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(toStoredEvent);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? `${last.blockNumber}.${last.logIndex}.${last.id}` : null,
  };
}

function parseEventCursor(cursor: string): { blockNumber: string; logIndex: string; id: string } {
  const match = /^(\d{1,20})\.(\d{1,9})\.([0-9a-f-]{36})$/.exec(cursor);
  if (!match?.[1] || !match[2] || !match[3]) throw new AppError('validation_failed', 'unreadable cursor');
  return { blockNumber: match[1], logIndex: match[2], id: match[3] };
}
