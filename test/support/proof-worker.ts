import { parentPort, workerData } from 'node:worker_threads';
import { type CircuitName, prove } from '../../src/chain/zk/proofs';

/**
 * Proves one statement in a worker thread, as a settlement will in a pool of them: with snarkjs
 * on this thread alone, since the pool is the parallelism.
 */
const { circuit, inputs } = (
  workerData as { statement: { circuit: CircuitName; inputs: Record<string, unknown> } }
).statement;
const proof = await prove(circuit, inputs, { singleThread: true });
parentPort!.postMessage(proof);
