import { eq } from 'drizzle-orm';
import type { Hold } from '../../ledger/holds';
import type { GatewayDeps } from '../deps';
import { calls } from '../schema';
import {
  type Call,
  callIdOf,
  commitLeases,
  type LeaseCommit,
  type LeaseRow,
  type LeaseScope,
  type NewCall,
  openLease,
} from './leases';

/**
 * Charges calls without a database round trip per call. A person's credits (and their grant's
 * limits) are taken in leases of up to a hundred calls' worth (`leases.ts`, one transaction each);
 * a call reserves its price from its lease in memory, where nothing can interleave, so concurrent
 * calls never overdraw; when it ends, its row and its capture join the next group commit, which one
 * transaction writes for every call that ended meanwhile. A call's answer does not wait for that
 * commit: if the process dies first, the calls of the last group are not charged (never charged
 * twice, never charged for what was not served) and their leases' holds expire by themselves.
 *
 * A lease serves calls of one tool, under one grant, for one person: every limit it was committed
 * against is the same for each of its calls. It stops taking calls when idle, when its hold nears
 * its end, when its grant is revoked or its person withdraws, and then ends at the next commit.
 */

/** A lease nobody drew on for this long ends: its rest is free again for withdrawals and other processes. */
export const LEASE_IDLE_MS = 15_000;
/** A lease takes no call that could outlive its hold: the longest call, and a minute of margin. */
const LEASE_DRAW_MARGIN_MS = 11 * 60_000;
/** Calls remembered by id for retries; older retries of calls without an idempotency key are new calls. */
const RECENT_CALLS = 100_000;
/**
 * Calls that end within this of each other share a commit: one transaction for many calls, and the
 * most a process that dies can leave uncharged (an answer never waits for it).
 */
export const COMMIT_WINDOW_MS = 50;
/** A commit that fails is tried again after this, so a database that is away does not lose metering. */
const RETRY_MS = 1_000;

export type MeterDeps = Pick<GatewayDeps, 'db' | 'clock' | 'log'>;

interface Lease {
  key: string;
  row: LeaseRow;
  holdId: string;
  hold?: Hold;
  /** Held and neither reserved by a running call nor spent. */
  free: bigint;
  reserved: bigint;
  /** Served calls' prices not captured yet. */
  spent: bigint;
  /** Calls that ended since the last commit. */
  ended: NewCall[];
  closing: boolean;
  lastUsed: number;
}

export interface CallStart extends LeaseScope {
  price: bigint;
  /** SHA-256 of the request (method, tool, arguments). */
  requestHash: string;
  /** The request's idempotency key (the client's, or the MCP session and JSON-RPC id): one charge per key. */
  key: string;
  /** The key is the client's own: a retry may come long after, to another process. */
  clientKey: boolean;
}

/** A call under way: its price reserved. */
export interface Ticket {
  id: string;
  start: CallStart;
  lease: Lease | null;
  startedAt: Date;
}

export type Begun =
  | { kind: 'started'; ticket: Ticket }
  | { kind: 'replay'; call: Call }
  | { kind: 'running' };

export type CallOutcome = { served: true; result: unknown } | { served: false; failure: string };

export interface Finished {
  call: NewCall & { id: string; finishedAt: Date };
  /** What the person's credits can pay for now, as this process knows it. */
  balanceAfter: bigint;
}

interface Recent {
  state: 'running' | 'served' | 'refunded';
  requestHash: string;
}

export class Meter {
  private readonly leases = new Map<string, Lease>();
  private readonly opening = new Map<string, Promise<Lease>>();
  private readonly recent = new Map<string, Recent>();
  private readonly running = new Map<string, Ticket>();
  /** What each person's credits give besides this process's leases, as of the last read. */
  private readonly beside = new Map<string, bigint>();
  private readonly freeCalls: NewCall[] = [];
  private committing: Promise<void> | null = null;
  private window: NodeJS.Timeout | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: MeterDeps) {
    this.timer = setInterval(() => this.closeStale(), 1_000);
    this.timer.unref();
  }

  /**
   * Starts a call: answers the call its key named before (`replay`, or `running` while it runs), or
   * reserves its price from a lease, opening one when needed. Refuses with `insufficient_credits` or
   * a grant's refusal (`grant_limit`, `grant_revoked`, `grant_expired`) when its price does not fit.
   */
  async begin(start: CallStart): Promise<Begun> {
    const id = callIdOf(start.userId, start.key);
    const seen = this.recent.get(id);
    if (seen?.state === 'running') return { kind: 'running' };
    if (seen || start.clientKey) {
      if (seen) await this.flushed();
      const [call] = await this.deps.db.select().from(calls).where(eq(calls.id, id));
      if (call) return { kind: 'replay', call };
    }
    const lease = start.price > 0n ? await this.reserve(start) : null;
    const ticket: Ticket = { id, start, lease, startedAt: this.deps.clock.now() };
    this.remember(id, { state: 'running', requestHash: start.requestHash });
    this.running.set(id, ticket);
    return { kind: 'started', ticket };
  }

  /** Ends a call: served, its price is spent from its lease; otherwise it is free again. Committed soon after. */
  finish(ticket: Ticket, outcome: CallOutcome): Finished {
    this.running.delete(ticket.id);
    const finishedAt = this.deps.clock.now();
    const { lease, start } = ticket;
    // A lease that ended under a call (the process stopping, its hold expired) cannot charge it.
    const live = lease !== null && this.leases.get(lease.key) === lease;
    const served = outcome.served && (lease === null || live);
    const call = {
      id: ticket.id,
      userId: start.userId,
      grantId: start.grantId,
      serverId: start.serverId,
      providerId: start.providerId,
      tool: start.tool,
      price: start.price,
      state: served ? ('served' as const) : ('refunded' as const),
      requestHash: start.requestHash,
      failure: outcome.served ? (served ? null : 'Tally was stopping; nothing was charged') : outcome.failure,
      result: served && outcome.served ? (outcome.result as object) : null,
      startedAt: ticket.startedAt,
      finishedAt,
      latencyMs: finishedAt.getTime() - ticket.startedAt.getTime(),
    };
    if (lease && live) {
      lease.reserved -= start.price;
      if (served) lease.spent += start.price;
      else lease.free += start.price;
      lease.ended.push(call);
    } else {
      this.freeCalls.push(call);
    }
    this.remember(ticket.id, { state: call.state, requestHash: start.requestHash });
    this.armWindow();
    return { call, balanceAfter: this.availableTo(start.userId) };
  }

  /** What a person's credits give beside this process's leases, plus what those leases hold unused. */
  availableTo(userId: string): bigint {
    return (this.beside.get(userId) ?? 0n) + this.unusedOf(userId);
  }

  /** What this process's leases hold for a person and no call has taken. */
  unusedOf(userId: string): bigint {
    let unused = 0n;
    for (const lease of this.leases.values()) if (lease.row.userId === userId) unused += lease.free;
    return unused;
  }

  /** A person's calls running now in this process. */
  runningOf(userId: string): Ticket[] {
    return [...this.running.values()].filter((ticket) => ticket.start.userId === userId);
  }

  /** Resolves once every call that ended before it was asked is committed. */
  async flushed(): Promise<void> {
    while (this.committing || this.hasWork()) {
      this.scheduleCommit();
      await this.committing;
    }
  }

  /**
   * Ends the leases of a person (or of one grant) and waits until they are committed: before a
   * withdrawal (their credits are free again) and when a grant is revoked (no call draws on it
   * again). Leases with calls running end when those calls do; this waits for them a few seconds.
   */
  async release(match: { userId?: string; grantId?: string }): Promise<void> {
    const mine = [...this.leases.values()].filter(
      (lease) =>
        (match.userId === undefined || lease.row.userId === match.userId) &&
        (match.grantId === undefined || lease.row.grantId === match.grantId),
    );
    for (const lease of mine) lease.closing = true;
    const deadline = Date.now() + 5_000;
    while (mine.some((lease) => this.leases.get(lease.key) === lease) && Date.now() < deadline) {
      this.scheduleCommit();
      await (this.committing ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
  }

  /** Ends every lease and commits everything: the process is stopping. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.window) clearTimeout(this.window);
    await this.release({});
    for (const lease of this.leases.values()) lease.reserved = 0n;
    await this.flushed();
  }

  private async reserve(start: CallStart): Promise<Lease> {
    const key = [start.userId, start.grantId ?? '', start.serverId, start.tool].join('|');
    for (let opened = false; ; ) {
      const lease = this.leases.get(key);
      if (lease && !lease.closing && this.drawable(lease)) {
        if (lease.free >= start.price) {
          lease.free -= start.price;
          lease.reserved += start.price;
          lease.lastUsed = Date.now();
          return lease;
        }
        lease.closing = true;
      }
      // Calls that find no lease wait for the one being opened; a refusal is theirs too.
      if (opened && !this.opening.has(key)) await this.open(key, start);
      else await (this.opening.get(key) ?? this.open(key, start));
      opened = true;
    }
  }

  private open(key: string, start: CallStart): Promise<Lease> {
    const opening = this.openLease(key, start).finally(() => this.opening.delete(key));
    this.opening.set(key, opening);
    return opening;
  }

  private async openLease(key: string, start: CallStart): Promise<Lease> {
    const previous = this.leases.get(key);
    if (previous) previous.closing = true;
    let opened: Awaited<ReturnType<typeof openLease>>;
    try {
      opened = await openLease(this.deps, start, start.price);
    } catch (error) {
      // The person's other leases may hold what this one needs: free them, and try once more.
      const others = [...this.leases.values()].filter(
        (lease) => lease.row.userId === start.userId && lease.key !== key,
      );
      if (others.length === 0) throw error;
      await this.release({ userId: start.userId });
      opened = await openLease(this.deps, start, start.price);
    }
    const lease: Lease = {
      key,
      row: opened.row,
      holdId: opened.hold.id,
      hold: opened.hold,
      free: opened.row.amount,
      reserved: 0n,
      spent: 0n,
      ended: [],
      closing: false,
      lastUsed: Date.now(),
    };
    // The lease it replaces ends at the next commit; it stays findable until then by its own object.
    if (previous && this.leases.get(key) === previous) this.retire(previous);
    this.leases.set(key, lease);
    this.beside.set(start.userId, opened.availableBeside);
    return lease;
  }

  private drawable(lease: Lease): boolean {
    return lease.row.expiresAt.getTime() - this.deps.clock.now().getTime() > LEASE_DRAW_MARGIN_MS;
  }

  /** Leases being replaced wait for their running calls under a key of their own. */
  private retire(lease: Lease): void {
    this.leases.delete(lease.key);
    lease.key = `${lease.key}|${lease.row.id}`;
    lease.closing = true;
    this.leases.set(lease.key, lease);
  }

  private closeStale(): void {
    const idleSince = Date.now() - LEASE_IDLE_MS;
    let any = false;
    for (const lease of this.leases.values()) {
      if (!lease.closing && (lease.lastUsed < idleSince || !this.drawable(lease))) lease.closing = true;
      if (lease.closing && lease.reserved === 0n) any = true;
    }
    if (any) this.scheduleCommit();
  }

  private hasWork(): boolean {
    if (this.freeCalls.length > 0) return true;
    for (const lease of this.leases.values())
      if (lease.ended.length > 0 || (lease.closing && lease.reserved === 0n)) return true;
    return false;
  }

  /** The next commit starts when the window closes: the calls that end meanwhile share it. */
  private armWindow(): void {
    this.window ??= setTimeout(() => {
      this.window = null;
      this.scheduleCommit();
    }, COMMIT_WINDOW_MS);
  }

  /** Commits now (unless a commit runs: then the window after it). */
  private scheduleCommit(): void {
    if (this.window) {
      clearTimeout(this.window);
      this.window = null;
    }
    if (this.committing) return;
    this.committing = this.commitOnce().finally(() => {
      this.committing = null;
      if (this.hasWork()) this.armWindow();
    });
  }

  private async commitOnce(): Promise<void> {
    for (let failures = 0; ; ) {
      const taken = this.take();
      if (taken.length === 0 && taken.free.length === 0) return;
      try {
        const done = await this.deps.db.transaction((tx) =>
          commitLeases(
            tx,
            this.deps.clock,
            taken.map((t) => t.commit),
            taken.free,
          ),
        );
        this.apply(taken, done);
        return;
      } catch (error) {
        this.putBack(taken);
        failures += 1;
        this.deps.log.error(
          { err: error, failures },
          'gateway: calls could not be committed; trying again (they are not charged until then)',
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS * Math.min(failures, 30)));
      }
    }
  }

  /** What the next commit carries: each lease's ended calls and captures, leases that end, free calls. */
  private take(): Taken {
    const taken: Taken = Object.assign([] as TakenLease[], { free: this.freeCalls.splice(0) });
    for (const lease of this.leases.values()) {
      const end = lease.closing && lease.reserved === 0n;
      if (lease.ended.length === 0 && !end) continue;
      const commit: LeaseCommit = {
        lease: lease.row,
        holdId: lease.holdId,
        hold: lease.hold,
        calls: lease.ended.splice(0),
        capture: lease.spent,
        end,
      };
      lease.spent = 0n;
      taken.push({ lease, commit });
    }
    return taken;
  }

  private putBack(taken: Taken): void {
    this.freeCalls.unshift(...taken.free);
    for (const { lease, commit } of taken) {
      lease.ended.unshift(...commit.calls);
      lease.spent += commit.capture;
    }
  }

  private apply(taken: Taken, done: Awaited<ReturnType<typeof commitLeases>>): void {
    for (const [userId, available] of done.availableBeside) this.beside.set(userId, available);
    taken.forEach(({ lease, commit }, index) => {
      const result = done.leases[index]!;
      if (commit.end || !result.charged) {
        // Ended (or its hold expired under it): what it held is the ledger's again.
        if (this.leases.get(lease.key) === lease) this.leases.delete(lease.key);
        lease.closing = true;
        lease.free = 0n;
        return;
      }
      if (result.rest) {
        lease.holdId = result.rest.id;
        lease.hold = result.rest;
      }
    });
  }

  private remember(id: string, recent: Recent): void {
    this.recent.delete(id);
    this.recent.set(id, recent);
    if (this.recent.size > RECENT_CALLS) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}

interface TakenLease {
  lease: Lease;
  commit: LeaseCommit;
}
type Taken = TakenLease[] & { free: NewCall[] };
