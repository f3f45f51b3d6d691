import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { type Database, openDatabase } from '../../src/core/database';
import { findLedgerViolations } from '../../src/ledger/invariants';

/** The PostgreSQL server the suite also runs on, when set (CI sets it). */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/**
 * Registered when a test file loads this module: Vitest ignores an `afterAll` registered from inside
 * a hook or a test, which is where `freshDatabase` is called.
 */
const teardowns: (() => Promise<void>)[] = [];
afterAll(async () => {
  const errors: unknown[] = [];
  for (const teardown of teardowns.splice(0).reverse())
    await teardown().catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw errors[0];
});

/** Runs `teardown` when the test file ends, like the databases' own clean-up. */
export function whenFileEnds(teardown: () => Promise<void>): void {
  teardowns.push(teardown);
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or with TEST_DATABASE_URL a
 * database of its own on that server, dropped afterwards. The ledger's invariants are checked
 * before it goes away, so every test file proves them on whatever it left behind.
 */
export async function freshDatabase(
  options: { postgres?: boolean; poolSize?: number } = {},
): Promise<Database> {
  const usePostgres = options.postgres ?? testDatabaseUrl !== undefined;
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  if (usePostgres) {
    const created = await createPostgresDatabase();
    database = await openDatabase({ url: created.url, poolSize: options.poolSize ?? 40 });
    drop = created.drop;
  } else {
    database = await openDatabase({ memory: true });
  }
  await database.migrate();
  teardowns.push(async () => {
    try {
      const violations = await findLedgerViolations(database.db);
      if (violations.length > 0) throw new Error(`ledger invariants broken:\n${violations.join('\n')}`);
    } finally {
      await database.close();
      await drop?.();
    }
  });
  return database;
}

/** A new, empty database on the TEST_DATABASE_URL server, with the way to drop it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `tally_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A database another process opens by `target` (see `openDatabaseTarget`), for tests that kill that
 * process and open what it left: a database of its own on the TEST_DATABASE_URL server, or a PGlite
 * directory named after `prefix`. `remove` drops or deletes it.
 */
export async function databaseTarget(
  prefix: string,
): Promise<{ target: string; remove: () => Promise<void> }> {
  if (testDatabaseUrl) {
    const created = await createPostgresDatabase();
    return { target: created.url, remove: created.drop };
  }
  const target = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { target, remove: async () => fs.rmSync(target, { recursive: true, force: true }) };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
