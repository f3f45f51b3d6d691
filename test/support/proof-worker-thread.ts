import { Worker } from 'node:worker_threads';

/**
 * A worker thread running proof-worker.ts. Node runs a worker's TypeScript only through tsx's
 * loader registered inside that thread, so the thread starts from a line of JavaScript that
 * registers it first.
 */
export function startProofWorker(statement: { circuit: string; inputs: Record<string, unknown> }): Worker {
  const script = new URL('./proof-worker.ts', import.meta.url).href;
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`,
    {
      eval: true,
      // snarkjs loads the web-worker package, which in any worker thread takes itself for a worker
      // it started and imports workerData.mod: an empty module keeps it quiet.
      workerData: { mod: 'data:text/javascript,', type: 'module', name: 'proof', statement },
    },
  );
}
