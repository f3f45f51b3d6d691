import { performance } from 'node:perf_hooks';
import type { TransferInput, TransferResult } from '../../src/ledger/types';
import type { CallFactory } from './workloads';

export type Submit = (inputs: readonly TransferInput[]) => Promise<TransferResult[]>;

export interface RunPlan {
  clients: number;
  callSize: number;
  warmupMs: number;
  measureMs: number;
}

export interface RunStats {
  transfersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  calls: number;
}

/** A transfer that did not come back 'ok': the numbers around it mean nothing. */
export class BenchFailure extends Error {
  override name = 'BenchFailure';
}

interface Window {
  measureFrom: number;
  endAt: number;
}

/** Collects the calls that finished inside the measured window; calls before it are warm-up. */
class Sample {
  readonly latenciesMs: number[] = [];
  okTransfers = 0;

  constructor(private readonly window: Window) {}

  record(startedAt: number, finishedAt: number, okCount: number): void {
    if (finishedAt < this.window.measureFrom || finishedAt > this.window.endAt) return;
    this.latenciesMs.push(finishedAt - startedAt);
    this.okTransfers += okCount;
  }
}

/**
 * Runs `clients` loops, each awaiting its call before sending the next, through the shared submit,
 * until the window closes; then waits for calls still in flight and reports the measured window.
 */
export async function runClients(submit: Submit, makeCall: CallFactory, plan: RunPlan): Promise<RunStats> {
  const start = performance.now();
  const window = { measureFrom: start + plan.warmupMs, endAt: start + plan.warmupMs + plan.measureMs };
  const sample = new Sample(window);
  let failure: unknown;

  const client = async (): Promise<void> => {
    while (failure === undefined && performance.now() < window.endAt) {
      const inputs = makeCall(plan.callSize);
      const startedAt = performance.now();
      const results = await submit(inputs);
      sample.record(startedAt, performance.now(), countOk(inputs, results));
    }
  };
  const stopOnFailure = (error: unknown): void => {
    failure ??= error;
  };
  await Promise.all(Array.from({ length: plan.clients }, () => client().catch(stopOnFailure)));
  if (failure !== undefined) throw failure;

  return summarize(sample, plan.measureMs);
}

/** Returns how many results are 'ok', and fails the run if any is not. */
function countOk(inputs: readonly TransferInput[], results: readonly TransferResult[]): number {
  if (results.length !== inputs.length) {
    throw new BenchFailure(`a call of ${inputs.length} transfers returned ${results.length} results`);
  }
  const notOk = results.find((r) => r.result !== 'ok');
  if (notOk) throw new BenchFailure(`transfer ${notOk.id} returned '${notOk.result}' instead of 'ok'`);
  return results.length;
}

function summarize(sample: Sample, measureMs: number): RunStats {
  const sorted = [...sample.latenciesMs].sort((a, b) => a - b);
  return {
    transfersPerSecond: sample.okTransfers / (measureMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    calls: sorted.length,
  };
}

/** Nearest-rank percentile of an ascending list; NaN when nothing was measured. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
