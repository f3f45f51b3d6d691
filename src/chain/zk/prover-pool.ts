import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CircuitName, Proof } from './proofs';

/**
 * Worker threads that prove Groth16 statements side by side, for a batch such as a settlement's
 * payouts. Each thread proves one statement at a time with snarkjs single-threaded: the pool is the
 * parallelism, and snarkjs's own threads would only fight it for the cores. Threads outlive their
 * proofs, so a batch pays for loading snarkjs and compiling its WebAssembly once per thread.
 */
export type ProverPool = {
  size: number;
  prove: (circuit: CircuitName, inputs: Record<string, unknown>) => Promise<Proof>;
  close: () => Promise<void>;
};

export type ProverRequest = { circuit: CircuitName; inputs: Record<string, unknown> };

export type ProverMessage =
  | { ready: true }
  | { proof: Proof }
  | { error: { message: string; stack: string | undefined } };

/**
 * The pool could not take a statement now (closed, or a thread died or could not start): nothing is
 * wrong with the statement, and asking again later may prove it. A false statement is a plain Error.
 */
export class ProverUnavailable extends Error {}

type Job = ProverRequest & { resolve: (proof: Proof) => void; reject: (error: Error) => void };

// A worker thread runs none of the module hooks of the thread that started it, tsx's included, so
// its entry is JavaScript that registers tsx before it loads the TypeScript (prover-worker.mjs).
const workerEntry = new URL('./prover-worker.mjs', import.meta.url);

// snarkjs loads the web-worker package, which in any worker thread takes itself for a worker it
// started and imports workerData.mod (undefined here: it fails on start-up). An empty module of its
// own keeps it quiet.
const webWorkerModule = { mod: 'data:text/javascript,', type: 'module' } as const;

export function startProverPool(options: { size?: number } = {}): ProverPool {
  const size = options.size ?? os.availableParallelism();
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`a prover pool needs at least one thread, not ${size}`);

  const waiting: Job[] = [];
  const idle: Worker[] = [];
  const working = new Map<Worker, Job>();
  const threads = new Set<Worker>();
  let closed = false;
  let closing: Promise<void> | undefined;
  // Set when a thread could not start: another would fail the same way, so none is started in its place.
  let startFailure: ProverUnavailable | undefined;

  // A thread takes a statement only when it is free, so a slow proof holds nothing queued behind it
  // while another thread sits idle.
  const dispatch = (): void => {
    while (idle.length > 0 && waiting.length > 0) {
      const thread = idle.shift()!;
      const job = waiting.shift()!;
      working.set(thread, job);
      thread.postMessage({ circuit: job.circuit, inputs: job.inputs } satisfies ProverRequest);
    }
  };

  const failWaiting = (error: ProverUnavailable): void => {
    for (const job of waiting.splice(0)) job.reject(error);
  };

  const start = (): void => {
    const thread = new Worker(workerEntry, { workerData: webWorkerModule, execArgv: threadFlags() });
    threads.add(thread);
    let ready = false;
    let failure: Error | undefined;
    thread.on('message', (message: ProverMessage) => {
      if ('ready' in message) {
        ready = true;
        idle.push(thread);
        dispatch();
        return;
      }
      const job = working.get(thread);
      working.delete(thread);
      if (job) {
        if ('proof' in message) job.resolve(message.proof);
        else job.reject(proofError(job.circuit, message.error));
      }
      idle.push(thread);
      dispatch();
    });
    thread.on('error', (error) => {
      failure = error;
    });
    thread.on('exit', (code) => {
      threads.delete(thread);
      const index = idle.indexOf(thread);
      if (index >= 0) idle.splice(index, 1);
      const job = working.get(thread);
      working.delete(thread);
      if (closed) {
        job?.reject(new ProverUnavailable(`the prover pool closed before the ${job.circuit} proof was made`));
        return;
      }
      const cause = failure ?? new Error(`exit code ${code}`);
      job?.reject(new ProverUnavailable(`the thread proving a ${job.circuit} statement died`, { cause }));
      if (ready) {
        start();
        return;
      }
      startFailure = new ProverUnavailable('a prover thread could not start', { cause });
      if (threads.size === 0) failWaiting(startFailure);
    });
  };

  for (let index = 0; index < size; index += 1) start();

  return {
    size,
    prove: (circuit, inputs) =>
      new Promise<Proof>((resolve, reject) => {
        if (closed) {
          reject(new ProverUnavailable('the prover pool is closed'));
          return;
        }
        if (threads.size === 0 && startFailure) {
          reject(startFailure);
          return;
        }
        waiting.push({ circuit, inputs, resolve, reject });
        dispatch();
      }),
    close: () => {
      closed = true;
      failWaiting(new ProverUnavailable('the prover pool closed before the proof was started'));
      closing ??= Promise.all([...threads].map((thread) => thread.terminate())).then(() => undefined);
      return closing;
    },
  };
}

// A thread takes the process's Node flags, and Node refuses those of an --eval script to a thread
// started from a file.
const scriptFlags = new Set(['--input-type', '--eval', '-e', '--print', '-p']);

function threadFlags(): string[] {
  const flags: string[] = [];
  for (let index = 0; index < process.execArgv.length; index += 1) {
    const flag = process.execArgv[index]!;
    if (scriptFlags.has(flag)) index += 1;
    else if (!/^--(input-type|eval|print)=/.test(flag)) flags.push(flag);
  }
  return flags;
}

/** snarkjs reports a broken constraint as "Assert Failed" with the template and line: kept, with the circuit named. */
function proofError(circuit: CircuitName, error: { message: string; stack: string | undefined }): Error {
  const cause = new Error(error.message);
  if (error.stack) cause.stack = error.stack;
  const reason = error.message.replace(/^Error: /, '');
  return new Error(`the ${circuit} statement cannot be proven: ${reason}`, { cause });
}
