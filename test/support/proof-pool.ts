import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type CircuitName, type Proof, prove } from '../../src/chain/zk/proofs';

/**
 * A fixed pool of worker threads that stay up and prove one statement at a time each, with snarkjs
 * single-threaded: the pool is the parallelism. Unlike proof-worker-thread.ts (a thread per
 * statement), a thread here outlives its proof, so a batch pays for starting threads once.
 */
export type ProofPool = {
  size: number;
  prove: (circuit: CircuitName, inputs: Record<string, unknown>) => Promise<Proof>;
  close: () => Promise<void>;
};

type Job = { circuit: CircuitName; inputs: Record<string, unknown> };
type Answer = { proof: Proof } | { error: string };

const poolMarker = 'tally-proof-pool';

if (!isMainThread && (workerData as { role?: string } | null)?.role === poolMarker) {
  parentPort!.on('message', async (job: Job) => {
    let answer: Answer;
    try {
      answer = { proof: await prove(job.circuit, job.inputs, { singleThread: true }) };
    } catch (error) {
      answer = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    parentPort!.postMessage(answer);
  });
}

export function startProofPool(size: number): ProofPool {
  const script = new URL(import.meta.url).href;
  const idle: Worker[] = [];
  const waiting: { job: Job; settle: (answer: Answer) => void }[] = [];
  const workers: Worker[] = [];

  // A thread takes its next statement only when it has answered the last, so a slow proof never
  // holds others queued behind it while another thread sits idle.
  const dispatch = (): void => {
    while (idle.length > 0 && waiting.length > 0) {
      const worker = idle.pop()!;
      const { job, settle } = waiting.shift()!;
      const onError = (error: Error) => settle({ error: error.stack ?? error.message });
      worker.once('error', onError);
      worker.once('message', (answer: Answer) => {
        worker.off('error', onError);
        settle(answer);
        idle.push(worker);
        dispatch();
      });
      worker.postMessage(job);
    }
  };

  for (let index = 0; index < size; index += 1) {
    // See proof-worker-thread.ts: tsx's loader has to be registered inside the thread, and snarkjs's
    // web-worker dependency imports workerData.mod in any thread, hence the empty module.
    const worker = new Worker(
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`,
      { eval: true, workerData: { mod: 'data:text/javascript,', type: 'module', role: poolMarker } },
    );
    workers.push(worker);
    idle.push(worker);
  }

  return {
    size,
    prove: (circuit, inputs) =>
      new Promise<Proof>((resolve, reject) => {
        waiting.push({
          job: { circuit, inputs },
          settle: (answer) => ('proof' in answer ? resolve(answer.proof) : reject(new Error(answer.error))),
        });
        dispatch();
      }),
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
