import {
  type AbiEvent,
  type Address,
  BaseError,
  type GetEventArgs,
  getAddress,
  LimitExceededRpcError,
} from 'viem';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { smaller } from '../../core/money';
import type { ChainClient } from '../client';
import { BlockReader, fetchLogs, type MinedLog } from './blocks';
import { type ChainEvent, chainEventId, type EventArgs, encodeArgs, toChainEvent } from './events';
import { type BlockRef, type Cursor, FollowerStore, type Header, type NewEventRow } from './store';

/**
 * The block/log follower: turns the logs a product line watches into calls of its handlers, each
 * exactly once when the log's block is deep enough, and undoes them when that block leaves the chain.
 *
 * Each watcher has a cursor (the last block read, with its hash). A poll, per watcher:
 * 1. checks that the cursor's block is still canonical; if not, walks back the blocks it knows (the
 *    recent cursor blocks in `chain_seen_blocks`, every block it holds an event of, and genesis) to the
 *    highest one still canonical, orphans the events above it and moves the cursor back there;
 * 2. reads logs in ranges of at most `maxBlockRange` blocks, up to `headMargin` below the head, and
 *    stores them as `seen`; every log's block hash must be the one the node gives for its height;
 * 3. reads each range a second time once it is `confirmations` deep, and stores what the first read
 *    missed (a provider's backend behind the head answers a range it has not got with no logs);
 * 4. confirms `seen` events at least `confirmations` deep and read twice whose block hash is still the
 *    canonical one at that height, each in a transaction that also runs the watcher's `onConfirmed`.
 *
 * Calls to the node happen outside database transactions: the embedded database has one connection,
 * and a transaction held across a network call would stall every other request. Every transaction
 * instead re-checks, under the cursor row's lock, that the cursor is where it was read; when another
 * process moved it first, this poll's work is dropped and the next poll starts from there.
 */

/** Indexed arguments to filter on; an array means any of its values. */
export type EventFilter<TEvent extends AbiEvent> = GetEventArgs<readonly [TEvent], TEvent['name']>;

type Resolvable<T> = T | (() => T | Promise<T>);

export interface Watcher<TEvent extends AbiEvent = AbiEvent> {
  /**
   * Names the cursor: a renamed watcher starts over from `fromBlock`, and finds the events it
   * handled under its old name already there (event ids are the logs', not the watcher's).
   */
  name: string;
  /** Contracts whose logs are read; a function is asked again at every range. */
  address: Resolvable<Address | readonly Address[]>;
  event: TEvent;
  args?: Resolvable<EventFilter<TEvent>>;
  /** First block read when the cursor is new; by default the follower's `startBlock`. */
  fromBlock?: bigint;
  /** Runs in the transaction that marks the event confirmed; no network calls here. */
  onConfirmed(tx: Db, event: ChainEvent<EventArgs<TEvent>>): Promise<void>;
  /**
   * Runs in the transaction that marks a confirmed event orphaned, to undo what `onConfirmed` did.
   * Required: a credit whose log left the chain must be undone, or the follower stops there (a
   * handler that throws leaves the watcher where it is, for an operator).
   */
  onOrphaned(tx: Db, event: ChainEvent<EventArgs<TEvent>>): Promise<void>;
}

/** Keeps a watcher's event type for its handlers while the follower holds watchers of any event. */
export const defineWatcher = <const TEvent extends AbiEvent>(watcher: Watcher<TEvent>): Watcher =>
  watcher as unknown as Watcher;

export interface FollowerDeps {
  db: Db;
  clock: Clock;
  chain: ChainClient;
  log: Logger;
}

export interface FollowerOptions {
  /** Blocks on top of an event's block before it is handed over: 0 on the development chain. */
  confirmations: number;
  /**
   * Most blocks asked for in one getLogs call at first (2000 by default); halved by itself, down to
   * one block, when the provider refuses a range as too wide or its answer as too large.
   */
  maxBlockRange?: bigint;
  /** Blocks below the head the follower reads up to: how far a provider's slowest backend may lag (0). */
  headMargin?: bigint;
  /**
   * First block read by a watcher that names none, when its cursor is new (CHAIN_START_BLOCK);
   * the head at that moment by default.
   */
  startBlock?: bigint;
  /** Most ranges read per watcher in one poll, so a long catch-up still confirms as it goes (10). */
  rangesPerPoll?: number;
  /**
   * How many blocks back the cursor's recent blocks are kept, to find where two chains part in a
   * few calls (128). A deeper reorg is still undone, by checking every older event block.
   */
  reorgDepth?: bigint;
  /** Most events confirmed per watcher in one poll (500). */
  confirmBatch?: number;
}

export interface WatcherPoll {
  follower: string;
  /** The cursor after the poll; null before the chain reaches `fromBlock`, or when another process moved it. */
  cursor: bigint | null;
  ranges: { from: bigint; to: bigint }[];
  /** Events stored for the first time, and orphaned ones whose block came back. */
  inserted: number;
  revived: number;
  /** Events the second read of a deep enough range found that the first read had missed. */
  recovered: number;
  confirmed: number;
  orphaned: number;
  /** The reorg found, as the height found off the chain and the block the cursor went back to. */
  reorg: { detectedAt: bigint; forkBlock: bigint } | null;
  /** Another process moved the cursor first, so this poll's reading was dropped. */
  contended: boolean;
  caughtUp: boolean;
  error: { code: string; message: string } | null;
}

export interface PollSummary {
  head: bigint | null;
  watchers: WatcherPoll[];
}

/** One watcher's share of one poll. */
interface Pass {
  watcher: Watcher;
  store: FollowerStore;
  head: bigint;
  /** The highest block read: `headMargin` below the head. */
  readable: bigint;
  blocks: BlockReader;
  result: WatcherPoll;
}

export class Follower {
  private readonly confirmations: bigint;
  /** The getLogs range now: `maxBlockRange`, or less once the provider refused wider ones. */
  private logRange: bigint;
  private readonly headMargin: bigint;
  private readonly startBlock: bigint | undefined;
  private readonly rangesPerPoll: number;
  private readonly reorgDepth: bigint;
  private readonly confirmBatch: number;
  private readonly followed: { watcher: Watcher; store: FollowerStore }[];
  private inFlight: Promise<PollSummary> | undefined;

  constructor(
    private readonly deps: FollowerDeps,
    private readonly watchers: readonly Watcher[],
    options: FollowerOptions,
  ) {
    const names = watchers.map((w) => w.name);
    if (names.some((name) => name.length === 0) || new Set(names).size !== names.length) {
      throw new AppError('validation_failed', 'watcher names must be present and distinct', { names });
    }
    for (const watcher of watchers) {
      if (typeof watcher.onOrphaned !== 'function') {
        throw new AppError(
          'validation_failed',
          `watcher "${watcher.name}" has no onOrphaned to undo a credit`,
        );
      }
    }
    if (!Number.isInteger(options.confirmations) || options.confirmations < 0) {
      throw new AppError('validation_failed', 'confirmations must be a non-negative integer');
    }
    this.confirmations = BigInt(options.confirmations);
    this.logRange = options.maxBlockRange ?? 2000n;
    this.headMargin = options.headMargin ?? 0n;
    this.startBlock = options.startBlock;
    this.rangesPerPoll = options.rangesPerPoll ?? 10;
    this.reorgDepth = options.reorgDepth ?? 128n;
    this.confirmBatch = options.confirmBatch ?? 500;
    if (
      this.logRange < 1n ||
      this.rangesPerPoll < 1 ||
      this.confirmBatch < 1 ||
      this.reorgDepth < 1n ||
      this.headMargin < 0n
    ) {
      throw new AppError(
        'validation_failed',
        'maxBlockRange, rangesPerPoll, reorgDepth, confirmBatch must be positive, headMargin not negative',
      );
    }
    this.followed = watchers.map((watcher) => ({
      watcher,
      store: new FollowerStore(
        deps.db,
        deps.clock,
        watcher.name,
        deps.chain.chainId,
        new Set(names.filter((name) => name !== watcher.name)),
      ),
    }));
  }

  /** One pass over every watcher; a poll already running is joined rather than doubled. */
  poll(): Promise<PollSummary> {
    this.inFlight ??= this.pollOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async pollOnce(): Promise<PollSummary> {
    const blocks = new BlockReader(this.deps.chain);
    let head: bigint;
    try {
      head = await this.deps.chain.publicClient.getBlockNumber({ cacheTime: 0 });
    } catch (error) {
      const failure = describeFailure(error);
      this.deps.log.warn({ error: failure }, 'chain follower could not read the head');
      return { head: null, watchers: this.watchers.map((w) => ({ ...emptyPoll(w.name), error: failure })) };
    }
    const results: WatcherPoll[] = [];
    for (const { watcher, store } of this.followed) {
      const readable = head > this.headMargin ? head - this.headMargin : 0n;
      const pass: Pass = { watcher, store, head, readable, blocks, result: emptyPoll(watcher.name) };
      await this.pollWatcher(pass).catch((error: unknown) => {
        pass.result.error = describeFailure(error);
        this.deps.log.warn(
          { follower: watcher.name, error: pass.result.error },
          'chain follower poll failed',
        );
      });
      results.push(pass.result);
    }
    return { head, watchers: results };
  }

  private async pollWatcher(pass: Pass): Promise<void> {
    const { readable, result } = pass;
    let cursor = await this.openCursor(pass);
    if (cursor) cursor = await this.checkCursor(pass, cursor);
    for (let i = 0; cursor && cursor.number < readable && i < this.rangesPerPoll; i++) {
      const next = await this.readRange(pass, cursor);
      if (!next) {
        result.contended = true;
        break;
      }
      cursor = next;
    }
    if (cursor && !result.contended) cursor = await this.verifyRanges(pass, cursor);
    result.cursor = cursor?.number ?? null;
    result.caughtUp = cursor !== null && cursor.number >= readable;
    await this.confirmEvents(pass, cursor);
  }

  /** The cursor, created just before `fromBlock` (or the head) the first time. */
  private async openCursor({ watcher, store, readable, blocks }: Pass): Promise<Cursor | null> {
    const existing = await store.readCursor();
    if (existing) return existing;
    const first = watcher.fromBlock ?? this.startBlock ?? readable;
    const start = first > 0n ? first - 1n : 0n;
    if (start > readable) return null;
    // Genesis is kept for good: it tells a node that lags behind the cursor from a new chain.
    await store.createCursor(await blocks.require(start), await blocks.require(0n));
    return store.readCursor();
  }

  /** Step 1: the cursor's block must still be on the chain, or the cursor goes back to where it is. */
  private async checkCursor(pass: Pass, cursor: Cursor): Promise<Cursor | null> {
    const { store, head, blocks } = pass;
    if (cursor.number <= head) {
      const header = await blocks.require(cursor.number);
      return header.hash === cursor.hash ? cursor : this.rewind(pass, cursor, cursor.number);
    }
    // The head is below the cursor: a node that lags (wait for it), or a shorter chain that replaced
    // ours, told apart by the highest block we know at or below that head.
    const [anchor] = await store.knownBlocks(0n, head + 1n, 1);
    if (!anchor || (await blocks.hash(anchor.number)) === anchor.hash) return cursor;
    return this.rewind(pass, cursor, cursor.number);
  }

  /** Step 2: one range of logs, stored with the cursor's move in one transaction. */
  private async readRange(pass: Pass, cursor: Cursor): Promise<Cursor | null> {
    const { store, result } = pass;
    const { tip, rows } = await this.readLogs(pass, cursor.number + 1n, pass.readable);
    const stored = await store.storeRange(cursor, tip, rows, tip.number - this.reorgDepth);
    if (!stored) return null;
    result.ranges.push({ from: cursor.number + 1n, to: tip.number });
    result.inserted += stored.inserted;
    result.revived += stored.revived;
    return { number: tip.number, hash: tip.hash, verified: cursor.verified };
  }

  /**
   * Step 3: reads again what is `confirmations` deep and was read once, so a first answer from a
   * backend that had not got the blocks yet (no logs, no error) costs a delay, never a deposit.
   */
  private async verifyRanges(pass: Pass, cursor: Cursor): Promise<Cursor | null> {
    const { store, head, result } = pass;
    if (head < this.confirmations) return cursor;
    const deep = head - this.confirmations;
    const upTo = smaller(cursor.number, deep);
    let current = cursor;
    for (let i = 0; current.verified.number < upTo && i < this.rangesPerPoll; i++) {
      const { tip, rows } = await this.readLogs(pass, current.verified.number + 1n, upTo);
      const stored = await store.storeVerified(current, tip, rows);
      if (!stored) {
        result.contended = true;
        return null;
      }
      result.recovered += stored.inserted + stored.revived;
      current = { ...current, verified: { number: tip.number, hash: tip.hash } };
    }
    return current;
  }

  /**
   * The watcher's logs from `from` up to `upTo` (at most one range), as rows to store, with the
   * range's last block. Every log's block must be the one the node gives for its height: logs of
   * another branch (a reorg between the calls, a backend on another fork) are read again next poll.
   * A range the provider refuses as too wide or too large is halved, down to one block.
   */
  private async readLogs(
    { watcher, store, blocks }: Pass,
    from: bigint,
    upTo: bigint,
  ): Promise<{ tip: Header; rows: NewEventRow[] }> {
    const address = await resolve(watcher.address);
    const args = watcher.args === undefined ? undefined : await resolve(watcher.args);
    for (;;) {
      const last = from + this.logRange - 1n;
      const to = smaller(upTo, last);
      let logs: MinedLog[];
      try {
        logs = await fetchLogs(this.deps.chain, {
          address,
          event: watcher.event,
          args,
          fromBlock: from,
          toBlock: to,
        });
      } catch (error) {
        if (!isRangeRefusal(error) || this.logRange === 1n) throw error;
        this.logRange = this.logRange / 2n;
        this.deps.log.warn(
          { follower: watcher.name, range: this.logRange.toString(), error: describeFailure(error) },
          'the provider refused a log range: asking for smaller ones',
        );
        continue;
      }
      const tip = await blocks.require(to);
      const now = this.deps.clock.now();
      const rows: NewEventRow[] = [];
      for (const log of logs) {
        const header = await blocks.require(log.blockNumber);
        if (header.hash !== log.blockHash.toLowerCase()) {
          throw new AppError(
            'unavailable',
            `the node's logs and blocks disagree at block ${log.blockNumber}: reading again at the next poll`,
            { block: log.blockNumber.toString() },
          );
        }
        rows.push({
          id: chainEventId(store.chainId, log.blockHash, log.logIndex),
          follower: watcher.name,
          chainId: store.chainId,
          blockNumber: log.blockNumber,
          blockHash: header.hash,
          blockTimestamp: header.timestamp,
          transactionHash: log.transactionHash.toLowerCase(),
          logIndex: log.logIndex,
          address: getAddress(log.address),
          eventName: log.eventName,
          args: encodeArgs(log.args),
          createdAt: now,
        });
      }
      return { tip, rows };
    }
  }

  /**
   * Step 4: hands deep enough events, read twice, to `onConfirmed`, in chain order, each once. An
   * event whose block is no longer the canonical one at its height shows a reorg the cursor check could
   * not see (the logs and the cursor's block were read from two branches): the cursor goes back below it.
   */
  private async confirmEvents(pass: Pass, cursor: Cursor | null): Promise<void> {
    const { watcher, store, head, blocks, result } = pass;
    if (head < this.confirmations || !cursor) return;
    const deep = head - this.confirmations;
    const upTo = smaller(cursor.verified.number, deep);
    const due = await store.dueEvents(upTo, this.confirmBatch);
    let offChain: bigint | null = null;
    const ready: typeof due = [];
    for (const row of due) {
      if ((await blocks.hash(row.blockNumber)) !== row.blockHash) {
        offChain = row.blockNumber;
        break;
      }
      ready.push(row);
    }
    for (const row of ready) {
      const confirmed = await store.confirm(row.id, (tx, claimed) =>
        watcher.onConfirmed(tx, toChainEvent(watcher.event, claimed)),
      );
      if (confirmed) result.confirmed += 1;
    }
    if (offChain === null) return;
    const current = await store.readCursor();
    const moved = current && (await this.rewind(pass, current, offChain));
    if (moved) result.cursor = moved.number;
    result.caughtUp = false;
  }

  /**
   * Moves the cursor back below `offChainAt`, a height where a block we hold is no longer canonical,
   * to the highest block we know below it that still is. Events above it are orphaned; the confirmed
   * ones have their `onOrphaned` run in the same transaction.
   */
  private async rewind(pass: Pass, cursor: Cursor, offChainAt: bigint): Promise<Cursor | null> {
    const { watcher, store, result } = pass;
    const fork = await this.findForkBlock(pass, cursor, offChainAt);
    const orphaned = await store.rewind(cursor, fork, (tx, row) =>
      watcher.onOrphaned(tx, toChainEvent(watcher.event, row)),
    );
    if (orphaned === null) {
      result.contended = true;
      return null;
    }
    result.reorg = { detectedAt: offChainAt, forkBlock: fork.number };
    result.orphaned += orphaned;
    this.deps.log.info(
      { follower: watcher.name, from: cursor.number, to: fork.number, orphaned },
      'chain reorg: follower moved back',
    );
    const verified =
      cursor.verified.number > fork.number ? { number: fork.number, hash: fork.hash } : cursor.verified;
    return { number: fork.number, hash: fork.hash, verified };
  }

  /**
   * The highest block we know below `below` that is still canonical, walking down the blocks kept:
   * first the recent window (cursor blocks and event blocks), then, for a reorg deeper than that, the
   * event blocks kept for good and genesis. Every event above the answer and below `below` was found
   * off the chain; events at or above `below` that still stand come back as revived when read again.
   */
  private async findForkBlock(
    { watcher, store, head, blocks }: Pass,
    cursor: BlockRef,
    below: bigint,
  ): Promise<Header> {
    const floor = cursor.number > this.reorgDepth ? cursor.number - this.reorgDepth : 0n;
    const windowStart = floor < below ? floor : below;
    const found = await firstCanonical(await store.knownBlocks(windowStart, below), head, blocks);
    if (found) return found;
    this.deps.log.error(
      { follower: watcher.name, cursor: cursor.number, reorgDepth: this.reorgDepth.toString() },
      'chain reorg deeper than the recent blocks kept: checking every older event block',
    );
    const deep = await firstCanonical(await store.knownBlocks(0n, windowStart), head, blocks);
    if (deep) return deep;
    // Not even genesis matches: another chain answers on this RPC (a development chain started
    // afresh). Everything read was on the old one; the new one is read from its start.
    this.deps.log.error(
      { follower: watcher.name },
      'chain genesis changed: following the new chain from block 0',
    );
    return blocks.require(0n);
  }
}

async function firstCanonical(known: BlockRef[], head: bigint, blocks: BlockReader): Promise<Header | null> {
  for (const block of known) {
    if (block.number > head) continue;
    const header = await blocks.header(block.number);
    if (header?.hash === block.hash) return header;
  }
  return null;
}

async function resolve<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === 'function' ? (value as () => T | Promise<T>)() : value;
}

const emptyPoll = (follower: string): WatcherPoll => ({
  follower,
  cursor: null,
  ranges: [],
  inserted: 0,
  revived: 0,
  recovered: 0,
  confirmed: 0,
  orphaned: 0,
  reorg: null,
  contended: false,
  caughtUp: false,
  error: null,
});

/** A provider refusing a getLogs range as too wide, or its answer as too large (each says it in its words). */
const RANGE_REFUSAL =
  /block range|range (is )?too (large|wide|big)|exceeds? (the )?max(imum)?( block)? range|more than \d+ (results|logs)|too many (results|logs)|response (size|is too)|query timeout|limit exceeded/i;

function isRangeRefusal(error: unknown): boolean {
  if (error instanceof BaseError && error.walk((e) => e instanceof LimitExceededRpcError)) return true;
  return RANGE_REFUSAL.test(
    error instanceof BaseError ? `${error.details} ${error.shortMessage}` : String(error),
  );
}

/** A node that does not answer is `unavailable`; a handler's AppError keeps its code. */
function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if (error instanceof BaseError) return { code: 'unavailable', message: error.shortMessage };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
