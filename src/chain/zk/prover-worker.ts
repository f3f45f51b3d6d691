import { parentPort } from 'node:worker_threads';
import { prove } from './proofs';
import type { ProverMessage, ProverRequest } from './prover-pool';

/** One thread of a prover pool: proves the statements it is sent, one at a time, on this thread alone. */
const port = parentPort;
if (!port) throw new Error('prover-worker.ts runs in a worker thread of a prover pool');

port.on('message', async ({ circuit, inputs }: ProverRequest) => {
  let answer: ProverMessage;
  try {
    answer = { proof: await prove(circuit, inputs, { singleThread: true }) };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    answer = { error: { message: failure.message, stack: failure.stack } };
  }
  port.postMessage(answer);
});

// snarkjs's web-worker package listens on this port too, and takes any message sent before this
// listener exists: the pool sends nothing until it hears this.
port.postMessage({ ready: true } satisfies ProverMessage);
