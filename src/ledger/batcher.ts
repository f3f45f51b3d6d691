import type { Clock } from '../core/clock';
import {
  type Database,
  DEADLOCK_DETECTED,
  pgErrorCode,
  SERIALIZATION_FAILURE,
  UNIQUE_VIOLATION,
} from '../core/database';
import { applyTransferGroups } from './engine';
import type { TransferInput, TransferResult } from './types';

/**
 * Group commit for transfers. Calls that arrive while a transaction is running wait in a queue and
 * go together into the next one, so a hot account is locked once per group instead of once per
 * call. Each call still gets its own results, and a linked chain never spans two calls.
 *
 * One commit stream runs at a time unless more than a full commit's worth is waiting: measured on
 * two cores, parallel streams mostly wait on each other's row locks and shrink every group (32
 * clients of single transfers: 7,600/s spread and 12,500/s on a hot pair with one stream, 3,000/s
 * and 2,300/s with eight).
 */

interface QueuedCall {
  inputs: readonly TransferInput[];
  resolve: (results: TransferResult[]) => void;
  reject: (error: unknown) => void;
}

/** TigerBeetle's batch size: the most transfers one transaction carries. */
export const MAX_TRANSFERS_PER_COMMIT = 8190;
const RETRYABLE = new Set([UNIQUE_VIOLATION, DEADLOCK_DETECTED, SERIALIZATION_FAILURE]);
const MAX_RETRIES = 5;

export class TransferBatcher {
  private readonly queue: QueuedCall[] = [];
  private queuedTransfers = 0;
  private running = 0;

  constructor(
    private readonly database: Pick<Database, 'db' | 'parallelism'>,
    private readonly clock: Clock,
    private readonly maxPerCommit = MAX_TRANSFERS_PER_COMMIT,
  ) {}

  submit(inputs: readonly TransferInput[]): Promise<TransferResult[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, resolve, reject });
      this.queuedTransfers += inputs.length;
      const backlogged = this.queuedTransfers > this.maxPerCommit && this.running < this.database.parallelism;
      if (this.running === 0 || backlogged) {
        this.running++;
        void this.drain().finally(() => {
          this.running--;
        });
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const calls: QueuedCall[] = [this.queue.shift()!];
      let size = calls[0]!.inputs.length;
      while (this.queue.length > 0 && size + this.queue[0]!.inputs.length <= this.maxPerCommit) {
        const next = this.queue.shift()!;
        size += next.inputs.length;
        calls.push(next);
      }
      this.queuedTransfers -= size;
      await this.commit(calls);
    }
  }

  private async commit(calls: QueuedCall[]): Promise<void> {
    try {
      const results = await this.applyWithRetry(calls.map((c) => c.inputs));
      calls.forEach((call, index) => {
        call.resolve(results[index] ?? []);
      });
    } catch (error) {
      if (calls.length === 1) {
        calls[0]!.reject(error);
        return;
      }
      // One call's input broke the shared transaction: give every call its own, so only it fails.
      for (const call of calls) await this.commit([call]);
    }
  }

  private async applyWithRetry(groups: (readonly TransferInput[])[]): Promise<TransferResult[][]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.database.db.transaction((tx) =>
          applyTransferGroups(tx, groups, { clock: this.clock }),
        );
      } catch (error) {
        const code = pgErrorCode(error);
        if (attempt >= MAX_RETRIES || !code || !RETRYABLE.has(code)) throw error;
      }
    }
  }
}
