import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/core/database';
import { newId } from '../src/core/ids';
import { findLedgerViolations } from '../src/ledger/invariants';
import { databaseTarget } from './support/database';
import { openDatabaseTarget } from './support/database-target';

/**
 * A child process runs transfers and prints each one it saw committed; we kill it with SIGKILL in
 * the middle of the load. After a restart every acknowledged transfer must be there, and the
 * ledger's invariants must hold, on whichever database this run uses.
 */

const worker = path.join(import.meta.dirname, 'support', 'transfer-worker.ts');
const ACKS_BEFORE_KILL = 400;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function runUntilKilled(target: string, treasury: string, wallet: string): Promise<string[]> {
  // Node itself with tsx as a loader, not the tsx wrapper: SIGKILL must hit the process doing the writes.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', worker, target, treasury, wallet], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const acked: string[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith('ack ')) acked.push(line.slice(4));
    if (acked.length >= ACKS_BEFORE_KILL) {
      child.kill('SIGKILL');
      break;
    }
  }
  const signal = await exited;
  expect(signal, `worker ended on its own: ${stderr}`).toBe('SIGKILL');
  expect(isAlive(child.pid!)).toBe(false);
  return acked;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a crash in the middle of transfers', () => {
  it('keeps every acknowledged transfer and every invariant', async () => {
    const { target, remove } = await databaseTarget('tally-crash-');
    cleanups.push(remove);
    const treasury = newId();
    const wallet = newId();
    const acked = await runUntilKilled(target, treasury, wallet);
    expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

    const database = await openDatabaseTarget(target, 2);
    try {
      await database.migrate();
      const stored = await queryRows<{ id: string }>(
        database.db,
        sql`SELECT id FROM ledger_transfers WHERE id = ANY(${sql.param(acked)}::uuid[])`,
      );
      expect(stored.length).toBe(acked.length);
      expect(await findLedgerViolations(database.db)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
