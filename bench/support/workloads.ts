import { systemClock } from '../../src/core/clock';
import type { Db } from '../../src/core/database';
import { newId } from '../../src/core/ids';
import { createAccounts, createLedger } from '../../src/ledger/service';
import type { TransferInput } from '../../src/ledger/types';

export const BENCH_LEDGER = 'BENCH';
const BENCH_CODE = 'bench';

export type WorkloadName = 'spread' | 'hot pair';

export interface Workload {
  name: WorkloadName;
  accountCount: number;
}

export const WORKLOADS: readonly Workload[] = [
  { name: 'spread', accountCount: 1_000 },
  { name: 'hot pair', accountCount: 2 },
];

/** Builds the transfers of one client call. */
export type CallFactory = (callSize: number) => TransferInput[];

export async function createBenchLedger(db: Db): Promise<void> {
  await createLedger({ db, clock: systemClock }, { code: BENCH_LEDGER, scale: 0 });
}

/** Creates the workload's accounts (no limit flags) and returns their ids. */
export async function createWorkloadAccounts(db: Db, workload: Workload): Promise<string[]> {
  const inputs = Array.from({ length: workload.accountCount }, () => ({
    id: newId(),
    ledger: BENCH_LEDGER,
    code: BENCH_CODE,
  }));
  const outcomes = await createAccounts({ db, clock: systemClock }, inputs);
  const failed = outcomes.filter((o) => o.result !== 'ok');
  if (failed.length > 0) {
    throw new Error(`creating ${workload.name} accounts failed: ${failed[0]!.id} -> ${failed[0]!.result}`);
  }
  return inputs.map((i) => i.id);
}

export function callFactoryFor(workload: Workload, accountIds: readonly string[]): CallFactory {
  const nextPair = workload.name === 'spread' ? randomPairs(accountIds) : alternatingPair(accountIds);
  return (callSize) => Array.from({ length: callSize }, () => transferBetween(nextPair()));
}

type Pair = readonly [debit: string, credit: string];

function randomPairs(accountIds: readonly string[]): () => Pair {
  return () => {
    const debit = randomIndex(accountIds.length);
    // Shifting by 1..n-1 picks a distinct second account without retrying.
    const credit = (debit + 1 + randomIndex(accountIds.length - 1)) % accountIds.length;
    return [accountIds[debit]!, accountIds[credit]!];
  };
}

function alternatingPair(accountIds: readonly string[]): () => Pair {
  const [first, second] = accountIds;
  if (!first || !second) throw new Error('a hot pair needs two accounts');
  let forward = false;
  return () => {
    forward = !forward;
    return forward ? [first, second] : [second, first];
  };
}

function transferBetween([debit, credit]: Pair): TransferInput {
  return {
    id: newId(),
    debitAccountId: debit,
    creditAccountId: credit,
    amount: BigInt(1 + randomIndex(100)),
    ledger: BENCH_LEDGER,
    code: BENCH_CODE,
  };
}

const randomIndex = (bound: number): number => Math.floor(Math.random() * bound);
