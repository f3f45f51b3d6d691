import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './clock';
import { type Database, openDatabase, queryRows } from './database';
import { GroupCommit } from './group-commit';
import { JobRunner } from './jobs';
import { silentLogger } from './log';
import { currentDatabase, scopedDb, withDatabase } from './request-database';

/** Two databases, Tally's own and a tenant's, each with a table that says which it is. */
let own: Database;
let tenant: Database;

beforeAll(async () => {
  own = await openDatabase({ memory: true });
  tenant = await openDatabase({ memory: true });
  for (const [database, name] of [
    [own, 'own'],
    [tenant, 'tenant'],
  ] as const) {
    // The job runner's tables, as every database of Tally's has them.
    await database.migrate();
    await database.db.execute(sql`CREATE TABLE which (name text)`);
    await database.db.execute(sql`INSERT INTO which VALUES (${name})`);
    await database.db.execute(sql`CREATE TABLE writes (call int)`);
  }
});

afterAll(async () => {
  await own.close();
  await tenant.close();
});

const whichOf = async (db: typeof own.db) =>
  (await queryRows<{ name: string }>(db, sql`SELECT name FROM which`))[0]!.name;

describe('a scoped handle', () => {
  it('answers for Tally’s own database, and for a tenant’s inside its work, through every await', async () => {
    const db = scopedDb(own.db);
    expect(await whichOf(db)).toBe('own');
    expect(currentDatabase()).toBeUndefined();
    await withDatabase(tenant.db, async () => {
      expect(await whichOf(db)).toBe('tenant');
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await db.transaction(async (tx) => whichOf(tx))).toBe('tenant');
      // A handle made of a handle is the same handle, and scoping by a handle scopes by its database.
      expect(await whichOf(scopedDb(db))).toBe('tenant');
    });
    await withDatabase(db, async () => expect(await whichOf(db)).toBe('own'));
    expect(await whichOf(db)).toBe('own');
  });

  it('keeps two tenants’ work apart when they run at the same time', async () => {
    const db = scopedDb(own.db);
    const seen = await Promise.all([
      withDatabase(tenant.db, async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        return whichOf(db);
      }),
      whichOf(db),
      withDatabase(own.db, () => whichOf(db)),
    ]);
    expect(seen).toEqual(['tenant', 'own', 'own']);
  });
});

describe('a group commit', () => {
  it('never puts calls for different databases into one transaction', async () => {
    const db = scopedDb(own.db);
    const groups: { database: string; calls: number[] }[] = [];
    const group = new GroupCommit<number, number>(
      { db, parallelism: 1 },
      async (tx, calls) => {
        groups.push({ database: await whichOf(tx), calls: [...calls] });
        for (const call of calls) await tx.execute(sql`INSERT INTO writes VALUES (${call})`);
        return [...calls];
      },
      100,
    );
    const calls = Array.from({ length: 20 }, (_, call) =>
      call % 2 === 0 ? group.submit(call) : withDatabase(tenant.db, () => group.submit(call)),
    );
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, call) => call));
    for (const { database, calls: grouped } of groups) {
      expect(
        grouped.every((call) => call % 2 === (database === 'own' ? 0 : 1)),
        database,
      ).toBe(true);
    }
    const written = async (database: Database) =>
      (await queryRows<{ call: number }>(database.db, sql`SELECT call FROM writes ORDER BY call`)).map(
        (row) => row.call,
      );
    expect(await written(own)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(await written(tenant)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });
});

describe('a tenant’s job runner', () => {
  it('runs only the work registered for tenants, on the tenant’s database', async () => {
    const db = scopedDb(own.db);
    const ran: string[] = [];
    const jobs = new JobRunner(db, new TestClock('2026-06-01T00:00:00Z'), silentLogger);
    jobs.every('own.only', 1000, async () => ran.push(`own.only@${await whichOf(db)}`));
    jobs.every('everywhere', 1000, async () => ran.push(`everywhere@${await whichOf(db)}`), {
      tenants: true,
    });
    await jobs.forDatabase(tenant.db).tick();
    expect(ran).toEqual(['everywhere@tenant']);
  });
});
