// The entry of a prover pool's thread (prover-pool.ts). A worker thread runs none of the module
// hooks of the thread that started it, so tsx, which runs Tally's TypeScript, is registered here
// again, whether the process was started by tsx, by bin/tally.js or by a test runner.
import { register } from 'tsx/esm/api';

register();
await import('./prover-worker.ts');
