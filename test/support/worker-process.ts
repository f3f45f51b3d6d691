import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * Runs a worker of this folder (`float-worker.ts`, `tenant-database-worker.ts`) that kills itself
 * with SIGKILL at the moment its test stages a crash, and answers what it printed. A worker that ends
 * any other way fails the test: the crash never happened, so whatever the test checks after it would
 * prove nothing.
 */
export async function runUntilKilled(worker: string, args: string[]): Promise<string> {
  // Node itself with tsx as a loader, not the tsx wrapper: the signal must end the process doing the work.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, worker), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (_code, exitSignal) => resolve(exitSignal));
  });
  expect(signal, `the worker was not killed: ${output}`).toBe('SIGKILL');
  return output;
}
