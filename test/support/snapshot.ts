import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { type Db, queryRows } from '../../src/core/database';

/**
 * The content of every table, row by row: what "changed nothing" is checked against. Counting rows
 * would miss an UPDATE; this compares every value. `except` names tables a refusal writes by design
 * (a rate limit counts the refused attempt).
 */
export async function snapshotTables(db: Db, except: readonly string[] = []): Promise<Map<string, string[]>> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const snapshot = new Map<string, string[]>();
  for (const { name } of tables) {
    if (except.includes(name)) continue;
    const rows = await queryRows<{ row: string }>(
      db,
      sql`SELECT to_jsonb(t)::text AS row FROM ${sql.identifier(name)} t`,
    );
    snapshot.set(name, rows.map((r) => r.row).sort());
  }
  return snapshot;
}

/** Asserts that no table gained, lost or changed a row since `before`, naming the tables that did. */
export async function expectUnchanged(db: Db, before: Map<string, string[]>): Promise<void> {
  // Only the tables `before` holds: those a snapshot left out by design are not compared.
  const after = await snapshotTables(db);
  const changed = [...before.keys()].filter(
    (table) => JSON.stringify(after.get(table)) !== JSON.stringify(before.get(table)),
  );
  expect(changed, 'tables that changed').toEqual([]);
}
