import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { type Db, openDatabase, queryRows } from '../src/core/database';
import { scopedDb, withDatabase } from '../src/core/request-database';
import { isInterrupted } from './support/cleanup';
import { acquirePostgresServer, createThrowawayDatabase, errorText } from './support/postgres';

/**
 * What serving tenants from their own databases costs every query: services are given a scoped
 * handle (src/core/request-database.ts), a Proxy that looks the database of the work in progress
 * up on each use. Reference: the same statement on the raw handle, in the same run, interleaved
 * round by round so the machine's noise falls on both alike. Cells: a `SELECT 1`, and a
 * transaction of three reads (the shape of a credits request), through the raw handle, the scoped
 * handle outside any tenant, and the scoped handle inside `withDatabase` (a tenant's request).
 *
 *   npm run bench:scoped-db                          (PGlite, then PostgreSQL when one is at hand)
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/scoped-db.ts
 */

const ROUNDS = 10;
const CALLS_PER_ROUND = 2_000;

type Work = (db: Db) => Promise<unknown>;

const selectOne: Work = (db) => queryRows(db, sql`SELECT 1 AS one`);
const threeReads: Work = (db) =>
  db.transaction(async (tx) => {
    await queryRows(tx, sql`SELECT 1 AS one`);
    await queryRows(tx, sql`SELECT count(*) FROM core_users`);
    await queryRows(tx, sql`SELECT now()`);
  });

interface Way {
  name: string;
  run(work: Work): Promise<unknown>;
}

async function measure(label: string, raw: Db): Promise<void> {
  const scoped = scopedDb(raw);
  const ways: Way[] = [
    { name: 'raw handle', run: (work) => work(raw) },
    { name: 'scoped, Tally’s own', run: (work) => work(scoped) },
    { name: 'scoped, in withDatabase', run: (work) => withDatabase(raw, () => work(scoped)) },
  ];
  for (const [cell, work] of [
    ['SELECT 1', selectOne],
    ['transaction of 3 reads', threeReads],
  ] as const) {
    const micros = new Map(ways.map((way) => [way.name, [] as number[]]));
    for (let round = 0; round < ROUNDS && !isInterrupted(); round++) {
      for (const way of ways) {
        const started = performance.now();
        for (let call = 0; call < CALLS_PER_ROUND; call++) await way.run(work);
        micros.get(way.name)!.push(((performance.now() - started) * 1000) / CALLS_PER_ROUND);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const reference = median(micros.get('raw handle')!);
    console.log(`\n${label}: ${cell} (median of ${ROUNDS} rounds of ${CALLS_PER_ROUND} calls)`);
    for (const way of ways) {
      const value = median(micros.get(way.name)!);
      console.log(
        `  ${way.name.padEnd(26)} ${value.toFixed(1).padStart(8)} µs/call   ${((value / reference) * 100).toFixed(1).padStart(6)}% of raw`,
      );
    }
  }
}

async function main(): Promise<number> {
  const embedded = await openDatabase({ memory: true });
  try {
    await embedded.migrate();
    await measure('PGlite', embedded.db);
  } finally {
    await embedded.close();
  }
  const server = await acquirePostgresServer();
  if (!server.available) {
    console.log(`\nPostgreSQL skipped: ${server.reason}`);
    return 0;
  }
  try {
    const throwaway = await createThrowawayDatabase(server.url);
    try {
      await measure(`PostgreSQL (${server.description})`, throwaway.database.db);
    } finally {
      await throwaway.drop();
    }
  } finally {
    await server.release();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(errorText(error));
    process.exitCode = 1;
  },
);
