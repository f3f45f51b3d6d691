import { sql } from 'drizzle-orm';
import { systemClock } from '../src/core/clock';
import { type Database, openDatabase, queryRows } from '../src/core/database';
import { TransferBatcher } from '../src/ledger/batcher';
import { findLedgerViolations } from '../src/ledger/invariants';
import { isInterrupted } from './support/cleanup';
import {
  acquirePostgresServer,
  createThrowawayDatabase,
  errorText,
  type PostgresServer,
} from './support/postgres';
import { formatComparison, formatTable, type ResultRow } from './support/report';
import { BenchFailure, type RunPlan, runClients } from './support/runner';
import { measuredSeconds } from './support/settings';
import { callFactoryFor, createBenchLedger, createWorkloadAccounts, WORKLOADS } from './support/workloads';

/**
 * Ledger throughput and latency on PGlite and PostgreSQL: every workload x client count x call size,
 * each client call going through one shared TransferBatcher, as production sends transfers.
 *
 *   npm run bench:ledger                      (BENCH_SECONDS=3 per combination by default)
 *   BENCH_DATABASE_URL=postgres://... npm run bench:ledger
 */

const CLIENT_COUNTS = [1, 8, 32] as const;
const CALL_SIZES = [1, 100] as const;
const WARMUP_MS = 500;

interface DatabaseResult {
  rows: ResultRow[];
  violations: string[];
}

async function main(): Promise<number> {
  const measureMs = measuredSeconds() * 1000;
  console.log(
    `Tally ledger benchmark: ${measureMs / 1000} s measured per combination after ${WARMUP_MS / 1000} s ` +
      'of warm-up; every call through one shared TransferBatcher.\n',
  );
  let healthy = true;

  const pglite = await benchPglite(measureMs);
  console.log(`${pglite.table}\n`);
  healthy = reportViolations('PGlite', pglite.result.violations) && healthy;

  const server = await acquirePostgresServer();
  let postgresRows: ResultRow[] | undefined;
  if (server.available) {
    const postgres = await benchPostgres(server, measureMs);
    console.log(`${postgres.table}\n`);
    healthy = reportViolations('PostgreSQL', postgres.result.violations) && healthy;
    postgresRows = postgres.result.rows;
  } else {
    console.log(`PostgreSQL: skipped, because ${server.reason}.\n`);
  }

  console.log(formatComparison(postgresRows, server.available ? undefined : server.reason));
  return healthy ? 0 : 1;
}

async function benchPglite(measureMs: number): Promise<{ table: string; result: DatabaseResult }> {
  const database = await openDatabase({ memory: true });
  try {
    await database.migrate();
    const result = await benchDatabase(database, 'PGlite', measureMs);
    const title = `PGlite (in-memory), batcher parallelism ${database.parallelism}`;
    return { table: formatTable(title, result.rows), result };
  } finally {
    await database.close();
  }
}

async function benchPostgres(
  server: Extract<PostgresServer, { available: true }>,
  measureMs: number,
): Promise<{ table: string; result: DatabaseResult }> {
  try {
    const throwaway = await createThrowawayDatabase(server.url);
    try {
      const version = await serverVersion(throwaway.database);
      const result = await benchDatabase(throwaway.database, 'PostgreSQL', measureMs);
      const title =
        `PostgreSQL ${version}: ${server.description}, database ${throwaway.name}, pool 40, ` +
        `batcher parallelism ${throwaway.database.parallelism}`;
      return { table: formatTable(title, result.rows), result };
    } finally {
      await throwaway.drop();
    }
  } finally {
    await server.release();
  }
}

/** Runs every combination on one migrated database, then checks the ledger's invariants. */
async function benchDatabase(database: Database, label: string, measureMs: number): Promise<DatabaseResult> {
  await createBenchLedger(database.db);
  const batcher = new TransferBatcher(database, systemClock);
  const submit = batcher.submit.bind(batcher);
  const rows: ResultRow[] = [];
  for (const workload of WORKLOADS) {
    const makeCall = callFactoryFor(workload, await createWorkloadAccounts(database.db, workload));
    for (const clients of CLIENT_COUNTS) {
      for (const callSize of CALL_SIZES) {
        const clientsText = `${clients} client${clients === 1 ? '' : 's'}`;
        process.stderr.write(`  ${label}: ${workload.name}, ${clientsText}, ${callSize} per call...\n`);
        const plan: RunPlan = { clients, callSize, warmupMs: WARMUP_MS, measureMs };
        const stats = await runClients(submit, makeCall, plan);
        rows.push({ workload: workload.name, clients, callSize, stats });
      }
    }
  }
  return { rows, violations: await findLedgerViolations(database.db) };
}

async function serverVersion(database: Database): Promise<string> {
  const [row] = await queryRows<{ server_version: string }>(database.db, sql`SHOW server_version`);
  return row?.server_version ?? 'unknown version';
}

/** Prints the violations loudly; returns whether there were none. */
function reportViolations(label: string, violations: readonly string[]): boolean {
  if (violations.length === 0) {
    console.log(`${label}: ledger invariants hold (findLedgerViolations is empty).\n`);
    return true;
  }
  shout(`${label} ledger invariants broken:\n${violations.join('\n')}`);
  return false;
}

function shout(message: string): void {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n!! BENCHMARK FAILED: ${message}\n${bar}\n`);
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    if (isInterrupted()) return;
    shout(
      error instanceof BenchFailure || !(error instanceof Error) ? errorText(error) : String(error.stack),
    );
    process.exitCode = 1;
  },
);
