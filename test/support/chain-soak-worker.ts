/**
 * A Tally process for the chain soak: the real assembly (`createTally` with its job runner, block
 * follower, treasury sender and flows) on an external chain, serving only the soak line. It queues
 * the payouts one after another, and prints `queued <i>` after each commits and, every 200 ms,
 * `status <payouts final> <deposits credited>`, until it is killed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { Hex } from 'viem';
import { createTally } from '../../src/app';
import { openChain } from '../../src/chain/runtime';
import type { ChainSettings } from '../../src/core/config';
import { queryRows } from '../../src/core/database';
import { createLogger } from '../../src/core/log';
import { PAYOUT_PURPOSE, type SoakSpec, soakLine } from './chain-soak-line';
import { openDatabaseTarget } from './database-target';

export interface SoakWorkerSpec extends SoakSpec {
  /** A PostgreSQL URL or a PGlite directory. */
  target: string;
  rpcUrl: string;
  chainId: number;
  treasuryKey: Hex;
  startBlock: string;
  confirmations: number;
  filesDir: string;
}

const spec = JSON.parse(process.argv[2] ?? '') as SoakWorkerSpec;
const database = await openDatabaseTarget(spec.target, 4);
await database.migrate();
// Warnings and errors, to stderr: the test shows the last of them if the soak fails.
const log = createLogger(process.env.SOAK_LOG_LEVEL ?? 'warn', process.stderr);
const settings: ChainSettings = {
  mode: 'external',
  rpcUrl: spec.rpcUrl,
  chainId: spec.chainId,
  name: 'Soak chain',
  nativeSymbol: 'ETH',
  confirmations: spec.confirmations,
  pollMs: 50,
  headMargin: 2n,
  startBlock: BigInt(spec.startBlock),
  treasuryPrivateKey: spec.treasuryKey,
  addresses: {
    usdc: spec.usdc,
    dai: undefined,
    usdcx: undefined,
    daix: undefined,
    superfluidHost: undefined,
    cfaForwarder: undefined,
    encryptedCredits: undefined,
  },
  maxGasLimit: 3_000_000n,
  maxFeePerGas: 500n * 10n ** 9n,
  logRange: 2000n,
};
const chain = await openChain(settings, log);
const line = soakLine(spec);
const tally = await createTally({
  config: {
    maxBodyBytes: 64 * 1024,
    maxUploadBytes: 64 * 1024,
    filesDir: spec.filesDir,
    publicUrl: 'http://soak.test',
    smtpUrl: undefined,
    mailFrom: 'Tally <no-reply@soak.test>',
    mailboxOpen: false,
  },
  database,
  adminApiKey: 'soak-admin-key-0123456789abcdef',
  log,
  chain,
  lines: [line],
});
await tally.sender?.prepare();
tally.jobs.start(50);

setInterval(async () => {
  const [row] = await queryRows<{ payouts: number; deposits: number }>(
    database.db,
    sql`SELECT
          (SELECT count(*)::int FROM chain_outgoing_transactions
            WHERE purpose = ${PAYOUT_PURPOSE} AND state IN ('confirmed', 'reverted', 'cancelled')) AS payouts,
          (SELECT count(*)::int FROM ledger_transfers WHERE code = 'deposit')
            - (SELECT count(*)::int FROM ledger_transfers WHERE code = 'deposit_reversal') AS deposits`,
  );
  process.stdout.write(`status ${row?.payouts} ${row?.deposits}\n`);
  if (process.env.SOAK_LOG_LEVEL) {
    const cursors = await queryRows(
      database.db,
      sql`SELECT block_number::text, verified_number::text FROM chain_cursors`,
    );
    const events = await queryRows(
      database.db,
      sql`SELECT state, count(*)::int FROM chain_events GROUP BY state`,
    );
    log.info(
      {
        cursors,
        events,
        head: (await chain.client.publicClient.getBlockNumber({ cacheTime: 0 })).toString(),
      },
      'soak progress',
    );
  }
}, 200);

for (let index = 0; index < spec.payees.length; index++) {
  for (;;) {
    try {
      await line.queuePayout(index);
      break;
    } catch (error) {
      // The RPC refused or lost the estimate: a real line retries the same way.
      log.error({ err: error, index }, 'queueing a payout failed; trying again');
      await sleep(100);
    }
  }
  process.stdout.write(`queued ${index}\n`);
}
