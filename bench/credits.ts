import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { systemClock } from '../src/core/clock';
import { type Database, openDatabase, queryRows } from '../src/core/database';
import { newId } from '../src/core/ids';
import { getBalance } from '../src/credits/engine/balances';
import { grantCredits } from '../src/credits/engine/grants';
import { ensureCreditsLedger } from '../src/credits/engine/ledger';
import { creditsSpender, doneOrThrow, reserveCall, useCall } from '../src/credits/engine/spend-batch';
import { reserveCredits, useReservation } from '../src/credits/engine/spending';
import { TransferBatcher } from '../src/ledger/batcher';
import { applyTransfers } from '../src/ledger/engine';
import { findLedgerViolations } from '../src/ledger/invariants';
import { isInterrupted } from './support/cleanup';
import { acquirePostgresServer, createThrowawayDatabase, errorText } from './support/postgres';
import { BenchFailure, runClients } from './support/runner';
import { cellWanted, loadedTransfers, measuredSeconds } from './support/settings';
import { countStatements, statementsSent } from './support/statements';
import { callFactoryFor, createBenchLedger, createWorkloadAccounts, WORKLOADS } from './support/workloads';

/**
 * Credits throughput: reserve + use pairs (reserve 2 credits, use 1, the other returns to the grant)
 * with 32 concurrent clients, on PGlite and on PostgreSQL: through the credits group commit, as the
 * API's routes run them (`creditsSpender`), and each step in a transaction of its own (as a line does
 * inside its own transaction). Beside them, in the same run and on the same database, the ledger's
 * own single-transfer rate: through the TransferBatcher (group commit, as the ledger API runs) and one
 * transfer per transaction. Each cell prints the SQL round trips (statements, BEGIN and COMMIT
 * included) per operation, counted at the driver.
 *
 * On PostgreSQL every cell runs on an empty ledger, then again after loading BENCH_LOADED_TRANSFERS
 * transfers through the batcher (1,000,000 by default; 0 skips the second pass).
 *
 *   npx tsx bench/credits.ts                    (BENCH_SECONDS=3 per cell by default)
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/credits.ts
 *   BENCH_CELLS='32 people' npx tsx bench/credits.ts  (only the cells whose names contain a part)
 */

const CLIENTS = 32;
const WARMUP_MS = 500;
/** Enough that no client runs dry during a cell. */
const GRANT = 1_000_000_000n;

interface Cell {
  name: string;
  /** What one operation is. */
  unit: string;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Statements sent to the database per operation. */
  roundTrips?: number;
}

/**
 * Runs a cell and adds the statements it sent per operation: all of the cell's statements over its
 * operations in the window scaled to the whole cell (warm-up included), so an approximation.
 */
async function counted<T extends { opsPerSecond: number }>(
  measureMs: number,
  run: () => Promise<T>,
): Promise<T & { roundTrips: number }> {
  const before = statementsSent();
  const stats = await run();
  const sent = statementsSent() - before;
  const ops = stats.opsPerSecond * ((measureMs + WARMUP_MS) / 1000);
  return { ...stats, roundTrips: ops > 0 && sent > 0 ? sent / ops : Number.NaN };
}

async function main(): Promise<number> {
  countStatements();
  const measureMs = measuredSeconds() * 1000;
  const loaded = loadedTransfers();
  console.log(
    `Tally credits benchmark: ${CLIENTS} concurrent clients, ${measureMs / 1000} s measured per cell after ` +
      `${WARMUP_MS / 1000} s of warm-up.\n`,
  );
  let healthy = true;

  // BENCH_DATABASES=postgres skips the embedded database (to profile the server's run alone).
  if (process.env.BENCH_DATABASES !== 'postgres') {
    const pglite = await openDatabase({ memory: true });
    try {
      await pglite.migrate();
      // The embedded database runs the empty ledger only: a million transfers there is minutes of WASM.
      const { empty } = await benchDatabase(pglite, 'PGlite', measureMs, 0);
      console.log(
        formatTable(
          'PGlite (in-memory, WASM): one connection, so the 32 clients queue for it and run one transaction at a time',
          empty,
        ),
      );
      healthy = (await reportInvariants('PGlite', pglite)) && healthy;
    } finally {
      await pglite.close();
    }
  }

  const server = await acquirePostgresServer();
  if (!server.available) {
    console.log(`PostgreSQL: skipped, because ${server.reason}.\n`);
    return healthy ? 0 : 1;
  }
  try {
    const throwaway = await createThrowawayDatabase(server.url);
    try {
      const [version] = await queryRows<{ server_version: string }>(
        throwaway.database.db,
        sql`SHOW server_version`,
      );
      const title = `PostgreSQL ${version?.server_version ?? ''}: ${server.description}, database ${throwaway.name}, pool 40`;
      const { empty, full } = await benchDatabase(throwaway.database, 'PostgreSQL', measureMs, loaded);
      console.log(formatTable(`${title}; empty ledger`, empty));
      if (full) console.log(formatTable(`${title}; after ${loaded.toLocaleString('en-US')} transfers`, full));
      healthy = (await reportInvariants('PostgreSQL', throwaway.database)) && healthy;
    } finally {
      await throwaway.drop();
    }
  } finally {
    await server.release();
  }
  return healthy ? 0 : 1;
}

/** The cells on an empty ledger, and again after `loaded` transfers (none when 0). */
async function benchDatabase(
  database: Database,
  label: string,
  measureMs: number,
  loaded: number,
): Promise<{ empty: Cell[]; full: Cell[] | null }> {
  const { db } = database;
  const progress = (name: string) => process.stderr.write(`  ${label}: ${name}...\n`);

  await createBenchLedger(db);
  const spread = WORKLOADS.find((w) => w.name === 'spread')!;
  const makeCall = callFactoryFor(spread, await createWorkloadAccounts(db, spread));
  const plan = { clients: CLIENTS, callSize: 1, warmupMs: WARMUP_MS, measureMs };

  const batcher = new TransferBatcher(database, systemClock);
  await ensureCreditsLedger(db, systemClock);
  const people = Array.from({ length: CLIENTS }, () => newId());
  const hotPerson = newId();
  for (const userId of [...people, hotPerson]) {
    await db.transaction((tx) =>
      grantCredits(tx, systemClock, { userId, source: 'adjustment', amount: GRANT, reason: 'benchmark' }),
    );
  }
  // As the API's routes run a pair: each step through the credits group commit.
  const spender = creditsSpender(database, systemClock);
  const pair = async (userId: string) => {
    const { reservation } = doneOrThrow(
      await spender.submit(
        reserveCall({ userId }, { amount: 2n, reservedFor: 'benchmark', action: 'bench' }, systemClock.now()),
      ),
    );
    doneOrThrow(await spender.submit(useCall(userId, reservation!.id, { amount: 1n })));
  };
  // Each step in a transaction of its own, as a line runs one inside its own work.
  const pairAlone = async (userId: string) => {
    const reservation = await db.transaction((tx) =>
      reserveCredits(tx, systemClock, { userId }, { amount: 2n, reservedFor: 'benchmark', action: 'bench' }),
    );
    await db.transaction((tx) => useReservation(tx, systemClock, userId, reservation.id, { amount: 1n }));
  };

  const wanted = cellWanted();
  const measure = async (): Promise<Cell[]> => {
    const cells: Cell[] = [];
    const run = async (name: string, unit: string, work: () => Promise<Omit<Cell, 'name' | 'unit'>>) => {
      if (!wanted(name)) return;
      progress(name);
      cells.push({ name, unit, ...(await counted(measureMs, work)) });
    };
    await run('ledger: 1 transfer per call, batcher', 'transfers', async () =>
      fromStats(await runClients(batcher.submit.bind(batcher), makeCall, plan)),
    );
    await run('ledger: 1 transfer per transaction', 'transfers', async () =>
      fromStats(
        await runClients(
          (inputs) => db.transaction((tx) => applyTransfers(tx, inputs, { clock: systemClock })),
          makeCall,
          plan,
        ),
      ),
    );
    await run('credits: reserve+use, 32 people', 'pairs', () =>
      runOperations((client) => pair(people[client]!), measureMs),
    );
    await run('credits: reserve+use, 1 person', 'pairs', () =>
      runOperations(() => pair(hotPerson), measureMs),
    );
    await run('credits: reserve+use, tx per step', 'pairs', () =>
      runOperations((client) => pairAlone(people[client]!), measureMs),
    );
    return cells;
  };

  const empty = await measure();
  let full: Cell[] | null = null;
  if (loaded > 0) {
    progress(`loading ${loaded.toLocaleString('en-US')} transfers in batches of 100`);
    let left = loaded;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (left > 0) {
          const size = Math.min(100, left);
          left -= size;
          const results = await batcher.submit(makeCall(size));
          if (results.some((r) => r.result !== 'ok'))
            throw new BenchFailure(`${label}: a loading transfer failed`);
        }
      }),
    );
    full = await measure();
  }
  // Every pair burns exactly one credit and holds nothing afterwards.
  for (const userId of [...people, hotPerson]) {
    const balance = await getBalance(db, systemClock, { userId });
    if (balance.reserved !== 0n || balance.used + balance.available !== GRANT) {
      throw new BenchFailure(`${label}: the balance of ${userId} does not add up after the run`);
    }
  }
  return { empty, full };
}

/** Runs one operation in a loop per client until the window closes; counts those that end inside it. */
async function runOperations(
  operation: (client: number) => Promise<void>,
  measureMs: number,
): Promise<Omit<Cell, 'name' | 'unit'>> {
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const endAt = measureFrom + measureMs;
  const latencies: number[] = [];
  const client = async (index: number) => {
    while (performance.now() < endAt) {
      const startedAt = performance.now();
      await operation(index);
      const finishedAt = performance.now();
      if (finishedAt >= measureFrom && finishedAt <= endAt) latencies.push(finishedAt - startedAt);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
  latencies.sort((a, b) => a - b);
  return {
    opsPerSecond: latencies.length / (measureMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

const fromStats = (stats: { transfersPerSecond: number; p50Ms: number; p99Ms: number }) => ({
  opsPerSecond: stats.transfersPerSecond,
  p50Ms: stats.p50Ms,
  p99Ms: stats.p99Ms,
});

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function formatTable(title: string, cells: readonly Cell[]): string {
  const line = (cols: string[]) =>
    [
      cols[0]!.padEnd(36),
      cols[1]!.padStart(12),
      cols[2]!.padStart(10),
      cols[3]!.padStart(8),
      cols[4]!.padStart(8),
      cols[5]!.padStart(12),
    ].join('  ');
  const header = line(['cell', 'per second', 'unit', 'p50 ms', 'p99 ms', 'trips/op']);
  const rows = cells.map((c) =>
    line([
      c.name,
      Math.round(c.opsPerSecond).toLocaleString('en-US'),
      c.unit,
      Number.isNaN(c.p50Ms) ? 'n/a' : c.p50Ms.toFixed(2),
      Number.isNaN(c.p99Ms) ? 'n/a' : c.p99Ms.toFixed(2),
      c.roundTrips === undefined || Number.isNaN(c.roundTrips) ? 'n/a' : c.roundTrips.toFixed(2),
    ]),
  );
  const direct = cells.find((c) => c.name.startsWith('ledger: 1 transfer per transaction'));
  const pairs = cells.find((c) => c.name.startsWith('credits: reserve+use, 32'));
  const ratio =
    direct && pairs && direct.opsPerSecond > 0
      ? `A pair is 2 credits operations and 2 ledger transfers (a pending, then a partial post that releases ` +
        `the rest): ${Math.round(2 * pairs.opsPerSecond).toLocaleString('en-US')} credits operations/s, ` +
        `${((2 * pairs.opsPerSecond) / direct.opsPerSecond).toFixed(2)}x the ledger's one-transfer transactions/s. ` +
        `Trips per pair count both steps.`
      : '';
  return [title, header, '-'.repeat(header.length), ...rows, ratio, ''].join('\n');
}

async function reportInvariants(label: string, database: Database): Promise<boolean> {
  const violations = await findLedgerViolations(database.db);
  if (violations.length === 0) {
    console.log(`${label}: ledger invariants hold (findLedgerViolations is empty).\n`);
    return true;
  }
  console.error(`\n!! ${label} ledger invariants broken:\n${violations.join('\n')}\n`);
  return false;
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    if (isInterrupted()) return;
    console.error(
      `\n!! BENCHMARK FAILED: ${error instanceof Error ? String(error.stack) : errorText(error)}\n`,
    );
    process.exitCode = 1;
  },
);
