import type { Clock } from '../core/clock';
import type { Database } from '../core/database';
import { GroupCommit } from '../core/group-commit';
import { applyTransferGroups } from './engine';
import type { TransferInput, TransferResult } from './types';

/** TigerBeetle's batch size: the most transfers one transaction carries. */
export const MAX_TRANSFERS_PER_COMMIT = 8190;

/**
 * Group commit for transfers (`core/group-commit.ts`): each call is one client's batch, applied as if
 * sent alone (a linked chain never spans two calls), many calls per transaction.
 */
export class TransferBatcher {
  private readonly group: GroupCommit<readonly TransferInput[], TransferResult[]>;

  constructor(
    database: Pick<Database, 'db' | 'parallelism'>,
    clock: Clock,
    maxPerCommit = MAX_TRANSFERS_PER_COMMIT,
  ) {
    this.group = new GroupCommit(
      database,
      (tx, calls) => applyTransferGroups(tx, calls, { clock }),
      maxPerCommit,
      (inputs) => inputs.length,
    );
  }

  submit(inputs: readonly TransferInput[]): Promise<TransferResult[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    return this.group.submit(inputs);
  }
}
