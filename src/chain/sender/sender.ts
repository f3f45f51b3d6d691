import { and, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Address, LocalAccount } from 'viem';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { type Flow, type FlowRunner, startFlow } from '../../core/flows';
import type { Logger } from '../../core/log';
import type { ChainClient } from '../client';
import { outgoingTransactions } from '../schema';
import {
  type BroadcastFailure,
  describeError,
  judgeBroadcastError,
  type SignedVersion,
  signVersion,
} from './broadcast';
import { fillNonceGaps, type PreparedSigner, prepareSigner } from './nonces';
import { type ChainView, type Outcome, type OutcomeChanges, outcomeOnChain, readChainView } from './outcomes';
import { isOpen, moveOutgoingState, type OutgoingTransaction, toOutgoing } from './outgoing';

export { estimateGasLimit, type GasRequest } from './gas';
export {
  NONCE_GAP_PURPOSE,
  type PreparedSigner,
  prepareSigner,
  type QueueTransactionInput,
  queueTransaction,
} from './nonces';
export {
  getOutgoingTransaction,
  listOutgoingTransactions,
  moveOutgoingState,
  type OutgoingPage,
  type OutgoingTransaction,
} from './outgoing';

/**
 * The treasury's sender: broadcasts what `queueTransaction` recorded, in nonce order, and follows
 * each transaction until it is final. The app runs `processDue` on an interval; any number of
 * processes may run it at once.
 *
 * A pass claims due rows with a lease (`FOR UPDATE SKIP LOCKED`, `next_check_at` pushed past the
 * lease) in one short statement, talks to the chain outside any database transaction, and records
 * what happened in another short transaction. A new hash is recorded before it is broadcast, so a
 * crash between the two never leaves a transaction on the chain that Tally does not know of.
 */

const MAX_BACKOFF_MS = 10 * 60 * 1000;
/**
 * How long a pass's claim keeps other processes away by default: long enough to broadcast a full
 * batch through a slow RPC. It is also how long the claims of a process that died mid-pass wait.
 */
export const DEFAULT_LEASE_MS = 60_000;

export interface SenderDeps {
  db: Db;
  clock: Clock;
  chain: ChainClient;
  account: LocalAccount;
  log: Logger;
  /**
   * How a finished transaction is settled, by its purpose (a line's payouts, another line's
   * withdrawals): a flow (src/core/flows.ts), started in the transaction that records the final
   * state (confirmed, reverted, cancelled), so it starts exactly once per outcome and then runs,
   * resumes and compensates as flows do. A purpose with no settlement (the faucet's) is only recorded.
   */
  settlements?: ReadonlyMap<string, Flow<Settlement>>;
  /** Drives a settlement at once after its outcome commits; the job worker resumes it otherwise. */
  flows?: FlowRunner;
}

/** What a settlement flow is given: the finished transaction, as JSON. */
export interface Settlement {
  [key: string]: string | null;
  transactionId: string;
  purpose: string;
  state: 'confirmed' | 'reverted' | 'cancelled';
  minedHash: string | null;
}

export interface SenderOptions {
  /** Blocks on top of the one that mined a transaction before it is final. */
  confirmations: number;
  /** Never pay more per gas than this, whatever the network asks. */
  maxFeePerGas: bigint;
  /** How long a broadcast may wait unmined before it is re-signed with higher fees. */
  bumpAfterMs?: number;
  /** How soon a broadcast transaction is looked at again. */
  pollMs?: number;
  /** How long a claim keeps other processes away from a transaction. */
  leaseMs?: number;
  /** The first wait after a failure (four polls, from 1 s to 5 s, by default); it doubles with each refusal. */
  retryMs?: number;
  /** Refusals by the node after which the nonce is filled and the transaction cancelled. */
  maxAttempts?: number;
  /** Transactions one pass claims. */
  batchSize?: number;
  /**
   * How long a nonce below Tally's own may stay unused by anyone (an outside transaction dropped)
   * before Tally fills it so its own can be mined; `bumpAfterMs` by default.
   */
  gapGraceMs?: number;
}

/** What one pass did, for logs and tests. */
export interface SenderPass {
  claimed: number;
  /** New versions broadcast: first sends, fillers, re-signs after a refusal. */
  sent: number;
  bumped: number;
  rebroadcast: number;
  confirmed: number;
  reverted: number;
  cancelled: number;
  failed: number;
}

interface Claimed {
  row: OutgoingTransaction;
  lease: Date;
}

interface Signed extends SignedVersion {
  claimed: Claimed;
}

const emptyPass = (): SenderPass => ({
  claimed: 0,
  sent: 0,
  bumped: 0,
  rebroadcast: 0,
  confirmed: 0,
  reverted: 0,
  cancelled: 0,
  failed: 0,
});

export class Sender {
  readonly address: Address;
  private readonly options: Required<SenderOptions>;
  private prepared = false;
  private running: Promise<SenderPass> | undefined;
  /** Nonces seen unused below Tally's lowest open one, with when first seen. */
  private readonly gaps = new Map<bigint, number>();

  constructor(
    private readonly deps: SenderDeps,
    options: SenderOptions,
  ) {
    this.address = deps.account.address;
    this.options = {
      bumpAfterMs: 120_000,
      pollMs: 1_000,
      leaseMs: DEFAULT_LEASE_MS,
      // A few polls, so a fast chain (the embedded one) is not held up for seconds by one lost
      // answer, and never above 5 s; it doubles with each refusal of the same transaction.
      retryMs: Math.min(5_000, Math.max(1_000, (options.pollMs ?? 1_000) * 4)),
      maxAttempts: 5,
      batchSize: 100,
      gapGraceMs: options.bumpAfterMs ?? 120_000,
      ...options,
    };
  }

  /**
   * One pass over the due transactions. A call made while a pass runs in this process shares it:
   * two passes of one signer would broadcast its nonces out of order.
   */
  processDue(): Promise<SenderPass> {
    this.running ??= this.runPass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Makes sure the signer's nonces are Tally's to hand out (see `prepareSigner`). The first pass does
   * it; call it at start to have it done before the first payout is queued.
   */
  async prepare(): Promise<PreparedSigner> {
    const { db, clock, chain, log } = this.deps;
    const prepared = await prepareSigner(db, clock, chain, this.address);
    if (prepared.skipped > 0n) {
      log.warn(
        {
          signer: this.address,
          skipped: prepared.skipped.toString(),
          nextNonce: prepared.nextNonce.toString(),
        },
        'nonces used outside Tally were skipped',
      );
    }
    this.prepared = true;
    return prepared;
  }

  private async runPass(): Promise<SenderPass> {
    if (!this.prepared) await this.prepare();
    const pass = emptyPass();
    const claimed = await this.claim();
    pass.claimed = claimed.length;
    if (claimed.length === 0) return pass;
    const now = this.deps.clock.now();
    const outcomes = new Map<string, Outcome>();

    let view: ChainView;
    try {
      view = await readChainView(
        this.deps.chain,
        this.address,
        this.options.confirmations,
        claimed.map((c) => c.row),
      );
    } catch (error) {
      this.deps.log.warn({ err: error, signer: this.address }, 'the chain did not answer; retrying later');
      for (const { row } of claimed) outcomes.set(row.id, this.waitOut(row, now, describeError(error)));
      pass.failed += claimed.length;
      await this.record(claimed, outcomes, pass);
      return pass;
    }

    await this.watchGaps(view.minedNonce, claimed[0]!.row.nonce, now);
    const toSign: Claimed[] = [];
    for (const item of claimed) {
      const outcome = outcomeOnChain(item.row, view, {
        confirmations: this.options.confirmations,
        now,
        recheckAt: this.later(now),
      });
      if (outcome) outcomes.set(item.row.id, outcome);
      else toSign.push(item);
    }
    const rules = this.options;
    const signed: Signed[] = [];
    for (const claimed of toSign) {
      const version = await signVersion(this.deps.account, this.deps.chain.chainId, claimed.row, {
        network: view.fees,
        now,
        rules,
      });
      signed.push({ ...version, claimed });
    }
    const recorded = await this.recordHashes(signed.filter((s) => s.isNew));
    const toSend = signed.filter((s) => !s.isNew || recorded.has(s.claimed.row.id));

    // In nonce order: a later nonce cannot be mined before an earlier one.
    let halted = false;
    for (const item of toSend) {
      const { row } = item.claimed;
      if (halted) {
        outcomes.set(row.id, this.waitOut(row, now, row.lastError));
        continue;
      }
      const { outcome, halt } = await this.broadcast(item, now, pass);
      outcomes.set(row.id, outcome);
      halted = halt;
    }
    await this.record(claimed, outcomes, pass);
    return pass;
  }

  private async claim(): Promise<Claimed[]> {
    const { db, clock, chain } = this.deps;
    const now = clock.now();
    const lease = new Date(now.getTime() + this.options.leaseMs);
    const t = outgoingTransactions;
    const due = db
      .select({ id: t.id })
      .from(t)
      .where(
        and(
          eq(t.chainId, chain.chainId),
          eq(t.fromAddress, this.address),
          inArray(t.state, ['queued', 'pending']),
          lte(t.nextCheckAt, now),
        ),
      )
      .orderBy(t.nonce)
      .limit(this.options.batchSize)
      .for('update', { skipLocked: true });
    const rows = await db.update(t).set({ nextCheckAt: lease }).where(inArray(t.id, due)).returning();
    return rows
      .map(toOutgoing)
      .sort((a, b) => (a.nonce < b.nonce ? -1 : 1))
      .map((row) => ({ row, lease }));
  }

  /**
   * Nonces from the chain's count up to Tally's lowest open one that no Tally transaction holds: an
   * outside transaction was counted when Tally took over the signer, and then dropped. Nothing would
   * ever use them, and Tally's own wait behind them. Filled once they stay unused `gapGraceMs`.
   */
  private async watchGaps(chainCount: bigint, lowestOpen: bigint, now: Date): Promise<void> {
    if (chainCount >= lowestOpen) {
      this.gaps.clear();
      return;
    }
    const t = outgoingTransactions;
    const held = await this.deps.db
      .select({ nonce: t.nonce })
      .from(t)
      .where(
        and(
          eq(t.chainId, this.deps.chain.chainId),
          eq(t.fromAddress, this.address),
          gte(t.nonce, chainCount),
          lt(t.nonce, lowestOpen),
        ),
      );
    const heldNonces = new Set(held.map((row) => row.nonce));
    const missing: bigint[] = [];
    for (let nonce = chainCount; nonce < lowestOpen; nonce++) if (!heldNonces.has(nonce)) missing.push(nonce);
    for (const nonce of [...this.gaps.keys()]) if (!missing.includes(nonce)) this.gaps.delete(nonce);
    const due = missing.filter((nonce) => {
      const since = this.gaps.get(nonce) ?? now.getTime();
      this.gaps.set(nonce, since);
      return now.getTime() - since >= this.options.gapGraceMs;
    });
    if (due.length === 0) return;
    const filled = await fillNonceGaps(
      this.deps.db,
      this.deps.clock,
      this.deps.chain.chainId,
      this.address,
      due,
    );
    this.deps.log.warn(
      { signer: this.address, nonces: due.map(String), filled },
      'nonces nobody used were left below ours: filling them',
    );
    for (const nonce of due) this.gaps.delete(nonce);
  }

  /** Records new hashes before they are broadcast; returns the ids whose lease still held. */
  private async recordHashes(signed: Signed[]): Promise<Set<string>> {
    const recorded = new Set<string>();
    if (signed.length === 0) return recorded;
    const t = outgoingTransactions;
    await this.deps.db.transaction(async (tx) => {
      for (const { claimed, hash, fees } of signed) {
        const updated = await tx
          .update(t)
          .set({
            hashes: sql`${t.hashes} || ${JSON.stringify([hash])}::jsonb`,
            maxFeePerGas: fees.maxFeePerGas.toString(),
            maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
          })
          .where(this.stillOurs(claimed))
          .returning({ id: t.id });
        if (updated.length > 0) recorded.add(claimed.row.id);
      }
    });
    return recorded;
  }

  private async broadcast(
    signed: Signed,
    now: Date,
    pass: SenderPass,
  ): Promise<{ outcome: Outcome; halt: boolean }> {
    const { row } = signed.claimed;
    const { publicClient } = this.deps.chain;
    let failure: BroadcastFailure | undefined;
    try {
      await publicClient.sendRawTransaction({ serializedTransaction: signed.serialized });
    } catch (error) {
      failure = await judgeBroadcastError(error, this.deps.chain, this.address, signed.fees);
    }
    if (!failure || failure.kind === 'known') {
      if (!signed.isNew) pass.rebroadcast++;
      else if (signed.bumped) pass.bumped++;
      else pass.sent++;
      if (signed.isNew) {
        this.deps.log.info(
          { id: row.id, nonce: row.nonce.toString(), hash: signed.hash },
          'transaction broadcast',
        );
      }
      const changes: OutcomeChanges = {
        acceptedHash: signed.hash,
        sentAt: signed.hash !== row.acceptedHash || row.sentAt === null ? now : row.sentAt,
        // Refusals count toward filling the nonce only until a node takes a version.
        attempts: 0,
        lastError: signed.note,
        minedHash: null,
        blockNumber: null,
        nextCheckAt: this.later(now),
      };
      return { outcome: { state: 'pending', changes }, halt: false };
    }
    pass.failed++;
    this.deps.log.warn({ id: row.id, nonce: row.nonce.toString(), failure }, 'broadcast refused');
    switch (failure.kind) {
      case 'nonce_used':
        // Ours may have been mined since we looked, or someone else's: the next check tells which.
        // Not an error of the transaction's, so the last one (why it is being filled, say) stays.
        return { outcome: { state: row.state, changes: { nextCheckAt: now } }, halt: false };
      case 'transient':
        return { outcome: this.waitOut(row, now, failure.message), halt: true };
      case 'rejected': {
        const attempts = failure.permanent
          ? Math.max(row.attempts + 1, this.options.maxAttempts)
          : row.attempts + 1;
        const fillNow = attempts >= this.options.maxAttempts;
        const backoff = Math.min(MAX_BACKOFF_MS, this.options.retryMs * 2 ** (attempts - 1));
        const changes = {
          attempts,
          lastError: failure.message,
          nextCheckAt: fillNow ? now : this.later(now, backoff),
        };
        return { outcome: { state: row.state, changes }, halt: false };
      }
    }
  }

  /**
   * Writes each outcome, guarded by the lease; a final one starts its purpose's settlement in the
   * same transaction, which is then driven once the outcomes commit.
   */
  private async record(claimed: Claimed[], outcomes: Map<string, Outcome>, pass: SenderPass): Promise<void> {
    const { db, log, clock, settlements, flows } = this.deps;
    const t = outgoingTransactions;
    const started: string[] = [];
    await db.transaction(async (tx) => {
      for (const item of claimed) {
        const outcome = outcomes.get(item.row.id);
        if (!outcome) continue;
        if (outcome.state !== item.row.state) moveOutgoingState(item.row.state, outcome.state);
        const final = !isOpen(outcome.state);
        const [updated] = await tx
          .update(t)
          .set({ ...outcome.changes, state: outcome.state })
          .where(this.stillOurs(item))
          .returning();
        if (!updated) {
          log.warn({ id: item.row.id }, 'another process took this transaction over; its outcome stands');
          continue;
        }
        const settlement = final ? settlements?.get(updated.purpose) : undefined;
        if (settlement) {
          const finished = toOutgoing(updated);
          const input: Settlement = {
            transactionId: finished.id,
            purpose: finished.purpose,
            state: finished.state as Settlement['state'],
            minedHash: finished.minedHash,
          };
          started.push((await startFlow(tx, clock, settlement, input, finished.id)).id);
        }
        if (outcome.state === 'confirmed') pass.confirmed++;
        if (outcome.state === 'reverted') pass.reverted++;
        if (outcome.state === 'cancelled') pass.cancelled++;
        if (final)
          log.info({ id: item.row.id, state: outcome.state, hash: updated.minedHash }, 'transaction final');
      }
    });
    for (const id of started) await flows?.run(id);
  }

  /** Matches the row only while this pass's lease on it holds. */
  private stillOurs({ row, lease }: Claimed) {
    const t = outgoingTransactions;
    return and(eq(t.id, row.id), eq(t.state, row.state), eq(t.nextCheckAt, lease));
  }

  /** Leaves the transaction as it is, to be tried again after `retryMs`. */
  private waitOut(row: OutgoingTransaction, now: Date, lastError: string | null): Outcome {
    return { state: row.state, changes: { lastError, nextCheckAt: this.later(now, this.options.retryMs) } };
  }

  private later(now: Date, ms: number = this.options.pollMs): Date {
    return new Date(now.getTime() + ms);
  }
}
