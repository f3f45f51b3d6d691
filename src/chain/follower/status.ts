import { and, asc, count, eq } from 'drizzle-orm';
import type { Hex } from 'viem';
import type { Db } from '../../core/database';
import type { ChainClient } from '../client';
import { cursors, events } from '../schema';

export interface FollowerCursor {
  follower: string;
  chainId: number;
  /** The last block read, confirmed or not. */
  blockNumber: bigint;
  blockHash: Hex;
  updatedAt: Date;
}

export interface FollowerStatus extends FollowerCursor {
  /** The chain's head as the node reports it now; null when the node does not answer. */
  head: bigint | null;
  /** Blocks between the cursor and the head. */
  lag: bigint | null;
  /** Events read and waiting for their confirmations. */
  unconfirmedEvents: number;
}

export async function listCursors(db: Db): Promise<FollowerCursor[]> {
  const rows = await db.select().from(cursors).orderBy(asc(cursors.follower), asc(cursors.chainId));
  return rows.map((row) => ({ ...row, blockHash: row.blockHash as Hex }));
}

/** The followers of one chain, with how far behind its head each one is, for the chain status page. */
export async function followerStatus(db: Db, chain: ChainClient): Promise<FollowerStatus[]> {
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 }).catch(() => null);
  const [rows, waiting] = await Promise.all([
    db.select().from(cursors).where(eq(cursors.chainId, chain.chainId)).orderBy(asc(cursors.follower)),
    db
      .select({ follower: events.follower, count: count() })
      .from(events)
      .where(and(eq(events.chainId, chain.chainId), eq(events.state, 'seen')))
      .groupBy(events.follower),
  ]);
  const waitingBy = new Map(waiting.map((row) => [row.follower, row.count]));
  return rows.map((row) => ({
    ...row,
    blockHash: row.blockHash as Hex,
    head,
    lag: head === null ? null : head > row.blockNumber ? head - row.blockNumber : 0n,
    unconfirmedEvents: waitingBy.get(row.follower) ?? 0,
  }));
}
