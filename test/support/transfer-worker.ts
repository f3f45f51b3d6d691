/**
 * A child process for the crash test: opens the database given on the command line, sets up a
 * ledger and two accounts, then moves value between them from several concurrent loops until it
 * is killed, printing `ack <id>` for every transfer only after its transaction committed.
 */
import { systemClock } from '../../src/core/clock';
import { newId } from '../../src/core/ids';
import { TransferBatcher } from '../../src/ledger/batcher';
import { createAccounts, createLedger } from '../../src/ledger/service';
import { openDatabaseTarget } from './database-target';

const [target, treasury, wallet] = process.argv.slice(2) as [string, string, string];
const database = await openDatabaseTarget(target, 10);
await database.migrate();
const deps = { db: database.db, clock: systemClock };
await createLedger(deps, { code: 'USDC', scale: 6 });
await createAccounts(deps, [
  { id: treasury, ledger: 'USDC', code: 'treasury' },
  { id: wallet, ledger: 'USDC', code: 'wallet', flags: { debitsMustNotExceedCredits: true } },
]);
const batcher = new TransferBatcher(database, systemClock);
process.stdout.write('ready\n');

async function loop(): Promise<never> {
  for (;;) {
    const batch = Array.from({ length: 5 }, (_, i) => ({
      id: newId(),
      debitAccountId: i % 2 === 0 ? treasury : wallet,
      creditAccountId: i % 2 === 0 ? wallet : treasury,
      amount: BigInt(1 + (i % 3)),
      ledger: 'USDC',
      code: 'crash',
    }));
    const results = await batcher.submit(batch);
    const acks = results.filter((r) => r.result === 'ok').map((r) => `ack ${r.id}\n`);
    if (acks.length > 0) process.stdout.write(acks.join(''));
  }
}
await Promise.all([loop(), loop(), loop(), loop()]);
