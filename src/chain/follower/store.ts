import { and, asc, desc, eq, gt, gte, inArray, lt, lte, ne } from 'drizzle-orm';
import type { Hex } from 'viem';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { cursors, events, seenBlocks } from '../schema';
import { revivedEventId } from './events';

/**
 * The database side of one watcher on one chain: its cursor, the blocks it keeps and its events.
 * Every change runs in one short transaction that first locks the cursor row and checks the cursor
 * is still where the caller read it, so two processes never both apply the same reading.
 */

export interface BlockRef {
  number: bigint;
  hash: Hex;
}

export interface Header extends BlockRef {
  parentHash: Hex;
  timestamp: Date;
}

/** Where a watcher stands: the last block read, and the last block read a second time once deep enough. */
export interface Cursor extends BlockRef {
  verified: BlockRef;
}

export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;

const sameBlock = (a: BlockRef, b: BlockRef) => a.number === b.number && a.hash === b.hash;

/** Events per INSERT: each takes a dozen parameters, and a statement at most 65,535. */
export const EVENTS_PER_STATEMENT = 2_000;

function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export class FollowerStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly follower: string,
    readonly chainId: number,
    /** The other watchers of this Tally: one of them already holding a log means two read the same logs. */
    private readonly others: ReadonlySet<string> = new Set(),
  ) {}

  async readCursor(executor: Db = this.db, lock = false): Promise<Cursor | null> {
    const query = executor
      .select({
        number: cursors.blockNumber,
        hash: cursors.blockHash,
        verifiedNumber: cursors.verifiedNumber,
        verifiedHash: cursors.verifiedHash,
      })
      .from(cursors)
      .where(this.cursorRow());
    const [row] = lock ? await query.for('update') : await query;
    return row
      ? {
          number: row.number,
          hash: row.hash as Hex,
          verified: { number: row.verifiedNumber, hash: row.verifiedHash as Hex },
        }
      : null;
  }

  /** Creates the cursor at `start` unless another process just did; genesis is kept for good. */
  async createCursor(start: Header, genesis: Header): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .insert(cursors)
        .values({
          ...this.key(),
          blockNumber: start.number,
          blockHash: start.hash,
          verifiedNumber: start.number,
          verifiedHash: start.hash,
          updatedAt: this.clock.now(),
        })
        .onConflictDoNothing();
      await tx
        .insert(seenBlocks)
        .values([genesis, start].map((block) => this.seenBlock(block)))
        .onConflictDoNothing();
    });
  }

  /**
   * Stores a range's events and moves the cursor to its last block. A log whose row was orphaned
   * (its block left the chain and came back) is revived under a new id. Null when the cursor moved.
   */
  async storeRange(
    expected: Cursor,
    tip: Header,
    rows: NewEventRow[],
    keepFrom: bigint,
  ): Promise<{ inserted: number; revived: number } | null> {
    return this.db.transaction(async (tx) => {
      if (!(await this.lockCursorAt(tx, expected))) return null;
      const stored = await this.insertEvents(tx, rows);
      await tx
        .insert(seenBlocks)
        .values(this.seenBlock(tip))
        .onConflictDoUpdate({
          target: [seenBlocks.follower, seenBlocks.chainId, seenBlocks.number],
          set: { hash: tip.hash, parentHash: tip.parentHash },
        });
      await tx
        .delete(seenBlocks)
        .where(and(this.seenBlockRows(), lt(seenBlocks.number, keepFrom), gt(seenBlocks.number, 0n)));
      await this.moveCursor(tx, tip);
      return stored;
    });
  }

  /**
   * Stores what a second read of a deep enough range found (what the first read missed is new) and
   * moves the verified mark to its last block. Null when the cursor or the mark moved meanwhile.
   */
  async storeVerified(
    expected: Cursor,
    tip: BlockRef,
    rows: NewEventRow[],
  ): Promise<{ inserted: number; revived: number } | null> {
    return this.db.transaction(async (tx) => {
      const current = await this.readCursor(tx, true);
      if (!current || !sameBlock(current, expected) || !sameBlock(current.verified, expected.verified)) {
        return null;
      }
      const stored = await this.insertEvents(tx, rows);
      await tx
        .update(cursors)
        .set({ verifiedNumber: tip.number, verifiedHash: tip.hash, updatedAt: this.clock.now() })
        .where(this.cursorRow());
      return stored;
    });
  }

  /**
   * Inserts events not stored yet. A log stored by another watcher of this Tally means two watchers
   * read the same logs, and is refused; one stored under a name no watcher has any more (a renamed
   * watcher) was handled already and stays as it is.
   */
  private async insertEvents(tx: Db, rows: NewEventRow[]): Promise<{ inserted: number; revived: number }> {
    if (rows.length === 0) return { inserted: 0, revived: 0 };
    const insertedIds = new Set<string>();
    // A busy contract can log thousands of events in one range: a statement takes at most 65,535
    // parameters, so they go in slices.
    for (const slice of slices(rows, EVENTS_PER_STATEMENT)) {
      const inserted = await tx
        .insert(events)
        .values(slice)
        .onConflictDoNothing()
        .returning({ id: events.id });
      for (const row of inserted) insertedIds.add(row.id);
    }
    const rest = rows.filter((r) => !insertedIds.has(r.id));
    if (rest.length === 0) return { inserted: insertedIds.size, revived: 0 };
    const holders = [];
    for (const slice of slices(rest, EVENTS_PER_STATEMENT)) {
      holders.push(
        ...(await tx
          .select({ id: events.id, follower: events.follower })
          .from(events)
          .where(
            inArray(
              events.id,
              slice.map((r) => r.id),
            ),
          )),
      );
    }
    for (const holder of holders) {
      if (holder.follower !== this.follower && this.others.has(holder.follower)) {
        throw new AppError(
          'conflict',
          `watchers "${this.follower}" and "${holder.follower}" read the same logs: each log may have one watcher`,
          { eventId: holder.id },
        );
      }
    }
    // The orphans among them, read by block in one statement: a range read again finds every one of
    // its logs stored already, and only a block that left the chain and came back has orphans.
    const orphans = new Map<string, string>();
    const blockHashes = [...new Set(rest.map((row) => row.blockHash))];
    for (const slice of slices(blockHashes, EVENTS_PER_STATEMENT)) {
      const found = await tx
        .select({ id: events.id, blockHash: events.blockHash, logIndex: events.logIndex })
        .from(events)
        .where(and(this.eventRows(), inArray(events.blockHash, slice), eq(events.state, 'orphaned')));
      for (const orphan of found) orphans.set(`${orphan.blockHash}:${orphan.logIndex}`, orphan.id);
    }
    let revived = 0;
    for (const row of rest) {
      const orphanId = orphans.get(`${row.blockHash}:${row.logIndex}`);
      if (!orphanId) continue;
      await tx
        .update(events)
        .set({ id: revivedEventId(orphanId), state: 'seen', confirmedAt: null, orphanedAt: null })
        .where(eq(events.id, orphanId));
      revived += 1;
    }
    return { inserted: insertedIds.size, revived };
  }

  /** Events still `seen` at or below `upTo`, in chain order. */
  dueEvents(upTo: bigint, limit: number): Promise<EventRow[]> {
    return this.db
      .select()
      .from(events)
      .where(and(this.eventRows(), eq(events.state, 'seen'), lte(events.blockNumber, upTo)))
      .orderBy(asc(events.blockNumber), asc(events.logIndex))
      .limit(limit);
  }

  /**
   * Marks the event confirmed and runs `handle` in the same transaction; false when it was no longer
   * `seen` (another process confirmed or orphaned it first). Under the cursor's lock, so one
   * watcher's handlers run one at a time, in chain order, across processes.
   */
  async confirm(eventId: string, handle: (tx: Db, row: EventRow) => Promise<void>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.readCursor(tx, true);
      const [claimed] = await tx
        .update(events)
        .set({ state: 'confirmed', confirmedAt: this.clock.now() })
        .where(and(eq(events.id, eventId), eq(events.state, 'seen')))
        .returning();
      if (!claimed) return false;
      await handle(tx, claimed);
      return true;
    });
  }

  /**
   * Moves the cursor back to `fork`, orphaning every event above it, newest first; `undo` runs for
   * each one that had been confirmed, in the same transaction. The count orphaned, or null when the
   * cursor moved.
   */
  async rewind(
    expected: Cursor,
    fork: Header,
    undo: (tx: Db, row: EventRow) => Promise<void>,
  ): Promise<number | null> {
    return this.db.transaction(async (tx) => {
      if (!(await this.lockCursorAt(tx, expected))) return null;
      const doomed = await tx
        .select()
        .from(events)
        .where(and(this.eventRows(), gt(events.blockNumber, fork.number), ne(events.state, 'orphaned')))
        .orderBy(desc(events.blockNumber), desc(events.logIndex))
        .for('update');
      if (doomed.length > 0) {
        const ids = doomed.map((row) => row.id);
        await tx
          .update(events)
          .set({ state: 'orphaned', orphanedAt: this.clock.now() })
          .where(inArray(events.id, ids));
      }
      for (const row of doomed) if (row.state === 'confirmed') await undo(tx, row);
      await tx.delete(seenBlocks).where(and(this.seenBlockRows(), gte(seenBlocks.number, fork.number)));
      await tx.insert(seenBlocks).values(this.seenBlock(fork));
      await this.moveCursor(tx, fork);
      if (expected.verified.number > fork.number) {
        await tx
          .update(cursors)
          .set({ verifiedNumber: fork.number, verifiedHash: fork.hash })
          .where(this.cursorRow());
      }
      return doomed.length;
    });
  }

  /** Blocks this watcher holds a hash of (kept blocks, blocks of its standing events) in `[from, below)`, highest first. */
  async knownBlocks(from: bigint, below: bigint, limit?: number): Promise<BlockRef[]> {
    if (from >= below) return [];
    const kept = this.db
      .select({ number: seenBlocks.number, hash: seenBlocks.hash })
      .from(seenBlocks)
      .where(and(this.seenBlockRows(), gte(seenBlocks.number, from), lt(seenBlocks.number, below)))
      .orderBy(desc(seenBlocks.number));
    const withEvents = this.db
      .selectDistinct({ number: events.blockNumber, hash: events.blockHash })
      .from(events)
      .where(
        and(
          this.eventRows(),
          ne(events.state, 'orphaned'),
          gte(events.blockNumber, from),
          lt(events.blockNumber, below),
        ),
      )
      .orderBy(desc(events.blockNumber));
    const [a, b] = limit
      ? await Promise.all([kept.limit(limit), withEvents.limit(limit)])
      : await Promise.all([kept, withEvents]);
    const byKey = new Map<string, BlockRef>();
    for (const row of [...a, ...b]) byKey.set(`${row.number}:${row.hash}`, { ...row, hash: row.hash as Hex });
    const known = [...byKey.values()].sort((x, y) =>
      x.number === y.number ? 0 : x.number > y.number ? -1 : 1,
    );
    return limit ? known.slice(0, limit) : known;
  }

  private async lockCursorAt(tx: Db, expected: BlockRef): Promise<boolean> {
    const current = await this.readCursor(tx, true);
    return current !== null && sameBlock(current, expected);
  }

  private async moveCursor(tx: Db, to: BlockRef): Promise<void> {
    await tx
      .update(cursors)
      .set({ blockNumber: to.number, blockHash: to.hash, updatedAt: this.clock.now() })
      .where(this.cursorRow());
  }

  private key() {
    return { follower: this.follower, chainId: this.chainId };
  }

  private seenBlock(block: Header) {
    return { ...this.key(), number: block.number, hash: block.hash, parentHash: block.parentHash };
  }

  private cursorRow() {
    return and(eq(cursors.follower, this.follower), eq(cursors.chainId, this.chainId));
  }

  private eventRows() {
    return and(eq(events.follower, this.follower), eq(events.chainId, this.chainId));
  }

  private seenBlockRows() {
    return and(eq(seenBlocks.follower, this.follower), eq(seenBlocks.chainId, this.chainId));
  }
}
