import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Actor } from '../../src/core/actor';
import type { Clock } from '../../src/core/clock';
import type { Db } from '../../src/core/database';
import { newId } from '../../src/core/ids';
import { type CreditsDeps, systemDomainResolver } from '../../src/credits/deps';
import { creditsSpender } from '../../src/credits/engine/spend-batch';
import { type CreditsLine, defineCreditsLine } from '../../src/credits/line';
import { customers, tenantDatabases, whitelabels } from '../../src/credits/schema';
import type { TenantDatabaseSettings } from '../../src/credits/tenant-databases/settings';
import { productLines } from '../../src/lines';
import { type TestTally, testTally } from './app';
import { testDatabaseUrl, whenFileEnds } from './database';

/**
 * Test support for resellers' own databases: where a test file makes them (on the TEST_DATABASE_URL
 * server, or in a temporary folder), and their removal when the file ends, so runs do not pile up
 * databases and roles on the server.
 */

/** Settings for this run's engine: the server's own when TEST_DATABASE_URL is set, else a folder. */
export function tenantSettingsForTests(): TenantDatabaseSettings {
  if (testDatabaseUrl) return { engine: 'postgres', serverUrl: testDatabaseUrl, poolSize: 2 };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-tenants-'));
  whenFileEnds(async () => fs.rmSync(folder, { recursive: true, force: true }));
  return { engine: 'pglite', folder };
}

/**
 * Drops every tenant database and role the main database `db` lists, when the test file ends (before
 * the main database itself goes: the hooks run newest first).
 */
export function dropTenantDatabasesAtEnd(db: () => Db | null): void {
  whenFileEnds(async () => {
    const main = db();
    if (!main || !testDatabaseUrl) return;
    const rows = await main
      .select({ databaseName: tenantDatabases.databaseName, roleName: tenantDatabases.roleName })
      .from(tenantDatabases);
    await dropOnServer(rows);
  });
}

/** Drops tenant databases and their roles from the TEST_DATABASE_URL server. */
export async function dropOnServer(rows: { databaseName: string; roleName: string | null }[]): Promise<void> {
  if (!testDatabaseUrl || rows.length === 0) return;
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    for (const { databaseName, roleName } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`);
      if (roleName) await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(roleName)}`);
    }
  } finally {
    await client.end();
  }
}

/** Runs `query` as the TEST_DATABASE_URL server's own (superuser) role. */
export async function asServerAdmin<T>(query: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return await query(client);
  } finally {
    await client.end();
  }
}

/**
 * A whitelabel reseller with its domain set, written straight to the tables so these tests do not
 * depend on the purchase and domain flows.
 */
export async function whitelabelReseller(
  db: Db,
  clock: Clock,
  userId: string = newId(),
): Promise<{ userId: string; whitelabelId: string; actor: Actor }> {
  const now = clock.now();
  const whitelabelId = newId();
  await db
    .insert(customers)
    .values({ userId, type: 'whitelabel', createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: customers.userId, set: { type: 'whitelabel' } });
  await db.insert(whitelabels).values({
    id: whitelabelId,
    userId,
    domain: `shop-${whitelabelId.slice(-12)}.example.com`,
    cnameTarget: 'tally.test',
    challengeToken: `tally-${whitelabelId}`,
    createdAt: now,
    updatedAt: now,
  });
  return {
    userId,
    whitelabelId,
    actor: { userId, isAdmin: false, apiKeyId: null, scopes: null, ip: null, requestId: null },
  };
}

/**
 * A whole Tally whose credits line makes resellers' databases on this run's engine, each dropped and
 * closed when the test file ends.
 */
export async function tenantTally(): Promise<{
  tally: TestTally;
  line: CreditsLine;
  settings: TenantDatabaseSettings;
}> {
  const settings = tenantSettingsForTests();
  const line = defineCreditsLine({ tenantDatabases: settings });
  const tally = await testTally({
    lines: productLines.map((each) => (each.name === 'credits' ? line : each)),
  });
  dropTenantDatabasesAtEnd(() => tally.database.db);
  // First of all when the file ends: the line closes the tenant databases it opened.
  whenFileEnds(() => tally.stop());
  return { tally, line, settings };
}

/** The job runner's passes, the clock moved past every sweep's interval before each, until `done`. */
export async function tickUntil(tally: TestTally, done: () => Promise<boolean>, passes = 30): Promise<void> {
  for (let pass = 0; pass < passes && !(await done()); pass++) {
    tally.clock.advance(6_000);
    await tally.jobs.tick();
  }
  if (!(await done())) throw new Error(`not done after ${passes} passes of the job runner`);
}

/** The credits services as a request on a shop's domain runs them (`withDatabase` chooses the shop's). */
export const shopServices = (tally: TestTally): CreditsDeps => ({
  db: tally.context.db,
  ownDb: tally.context.ownDb,
  clock: tally.clock,
  spender: creditsSpender({ db: tally.context.db, parallelism: 1 }, tally.clock),
  publicUrl: tally.context.publicUrl,
  kinds: tally.context.kinds,
  notificationTypes: tally.context.notificationTypes,
  dns: systemDomainResolver,
});
