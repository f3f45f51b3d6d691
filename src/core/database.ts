import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Config } from './config';

/** A Drizzle database or transaction on either driver; services take this and never know which. */
export type Db = PgDatabase<PgQueryResultHKT>;

export type Dialect = 'pglite' | 'postgres';

export interface Database {
  readonly db: Db;
  readonly dialect: Dialect;
  /** Concurrent transactions the driver can really run side by side (PGlite runs one at a time). */
  readonly parallelism: number;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Any fixed number: the advisory lock that keeps two processes from migrating at once. */
const MIGRATION_LOCK = 7_310_001;

export type DatabaseTarget = { url: string; poolSize?: number } | { dataDir: string } | { memory: true };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if ('url' in target) return openPostgres(target.url, target.poolSize ?? 20);
  const dataDir = 'dataDir' in target ? target.dataDir : undefined;
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const db = retryingTransactions(drizzlePglite(client) as unknown as Db);
  return {
    db,
    dialect: 'pglite',
    parallelism: 1,
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder }),
    close: () => client.close(),
  };
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = retryingTransactions(drizzleNodePostgres(pool) as unknown as Db);
  return {
    db,
    dialect: 'postgres',
    parallelism: Math.max(1, Math.min(8, poolSize - 2)),
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migrateNodePostgres(drizzleNodePostgres(client), { migrationsFolder });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Runs raw SQL and returns its rows, the same on both drivers. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export async function checkDatabase(db: Db): Promise<void> {
  await db.execute(sql`SELECT 1`);
}

/** PostgreSQL error codes Tally reacts to. */
export const pgErrorCode = (error: unknown): string | undefined => {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
};

export const UNIQUE_VIOLATION = '23505';

/**
 * Runs a write that may meet a unique constraint the caller checked beforehand (two requests at once
 * both pass the check), and throws the caller's refusal for the constraint met instead of a server
 * error; any other failure is thrown as it is.
 */
export async function refusingUniqueViolations<T>(
  run: () => Promise<T>,
  refusals: Readonly<Record<string, () => Error>>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const refusal =
      pgErrorCode(error) === UNIQUE_VIOLATION ? refusals[violatedConstraint(error) ?? ''] : undefined;
    throw refusal ? refusal() : error;
  }
}

/** The constraint a PostgreSQL error names, wherever the driver wrapped it. */
export function violatedConstraint(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const constraint = (current as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string') return constraint;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
export const SERIALIZATION_FAILURE = '40001';
export const DEADLOCK_DETECTED = '40P01';

/**
 * Thrown inside a transaction that must start over to stay correct: the ledger engine throws it when
 * a batch finds, after taking its ordered locks, an account it had not locked (it never locks out of
 * order). The transaction helper runs such a transaction again, as it does after a deadlock.
 */
export class TransactionConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransactionConflict';
  }
}

/** Whether a failed transaction may simply run again: it was rolled back whole, and nothing was wrong with it. */
function isRetryableConflict(error: unknown): boolean {
  if (error instanceof TransactionConflict) return true;
  const code = pgErrorCode(error);
  return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}

/** How often a transaction runs before its conflict is reported: a conflict that lasts is a bug. */
export const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * Every top-level `db.transaction(fn)` of Tally runs again, a bounded number of times with a short
 * random pause, when it ends in a deadlock, a serialization failure or a TransactionConflict: each
 * is a transaction rolled back whole, which the same work done again resolves. So `fn` must touch
 * only the database (it may run more than once). Savepoints (`tx.transaction`) are not retried on
 * their own: the whole transaction is.
 */
function retryingTransactions(db: Db): Db {
  const once = db.transaction.bind(db);
  const retrying: typeof db.transaction = async (fn, config) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(fn, config);
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableConflict(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  };
  return Object.assign(db, { transaction: retrying });
}

/**
 * The columns of a multi-row write: `column((row) => row.id)` is one array parameter, for
 * `unnest($1::uuid[], …)`. Each row-writing statement picks its columns from its rows with one.
 */
export const columnsOf =
  <Row>(rows: readonly Row[]) =>
  <T>(pick: (row: Row) => T) =>
    sql.param(rows.map(pick));

/** Reads a timestamptz as PostgreSQL prints it ("2026-01-01 00:00:00.123+00") into a Date. */
export function parseTimestamp(text: string): Date {
  const iso = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`unreadable timestamp "${text}"`);
  return date;
}

/** The database the settings name: PostgreSQL at DATABASE_URL, or the embedded one in the data folder. */
export function openConfiguredDatabase(
  config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>,
): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({ url: config.databaseUrl, poolSize: config.databasePoolSize })
    : openDatabase({ dataDir: config.dataDir });
}

/**
 * Runs `write` over `rows` in slices small enough for one statement: PostgreSQL binds at most 65,535
 * parameters, so a multi-row insert of thousands of rows with a dozen columns each is sent in parts.
 */
export async function inSlices<T>(
  rows: readonly T[],
  write: (slice: T[]) => Promise<unknown>,
  rowsPerSlice = 2000,
): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerSlice)
    await write(rows.slice(start, start + rowsPerSlice));
}
