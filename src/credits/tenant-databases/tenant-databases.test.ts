import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TestTally, testTally } from '../../../test/support/app';
import { testDatabaseUrl, whenFileEnds } from '../../../test/support/database';
import {
  asServerAdmin,
  dropTenantDatabasesAtEnd,
  tenantSettingsForTests,
  whitelabelReseller,
} from '../../../test/support/tenant-databases';
import { queryRows } from '../../core/database';
import type { AppError } from '../../core/errors';
import { silentLogger } from '../../core/log';
import { productLines } from '../../lines';
import { type CreditsLine, defineCreditsLine } from '../line';
import { tenantDatabaseStates, tenantDatabases } from '../schema';
import { scramVerifier } from './postgres';
import { advanceTenantDatabases, type TenantDatabase, tenantDatabaseMachine } from './provisioning';
import { requestTenantDatabase } from './service';
import {
  passwordPurpose,
  type TenantDatabaseDeps,
  type TenantDatabaseSettings,
  tenantFolder,
  tenantUrl,
} from './settings';

/**
 * A reseller's own database, provisioned by the sweep on whichever engine this run uses: PostgreSQL
 * (TEST_DATABASE_URL: a role and a database of its own on that server) or PGlite (a data folder).
 */

const onServer = testDatabaseUrl !== undefined;
let tally: TestTally;
let line: CreditsLine;
let settings: TenantDatabaseSettings;
let deps: TenantDatabaseDeps;

beforeAll(async () => {
  settings = tenantSettingsForTests();
  line = defineCreditsLine({ tenantDatabases: settings });
  tally = await testTally({ lines: productLines.map((each) => (each.name === 'credits' ? line : each)) });
  deps = { db: tally.database.db, clock: tally.clock, keys: tally.context.keys, log: silentLogger, settings };
  dropTenantDatabasesAtEnd(() => tally.database.db);
  // First of all when the file ends: the line closes the tenant databases it opened.
  whenFileEnds(() => tally.stop());
});

const rowOf = async (id: string): Promise<TenantDatabase> => {
  const [row] = await tally.database.db.select().from(tenantDatabases).where(eq(tenantDatabases.id, id));
  return row!;
};

const passwordOf = (row: TenantDatabase) =>
  deps.keys.open(passwordPurpose(row.roleName!), row.sealedPassword!);

/** A reseller whose database the sweep made ready. */
async function readyTenant() {
  const reseller = await whitelabelReseller(tally.database.db, tally.clock);
  const requested = await requestTenantDatabase(deps, reseller.actor);
  await advanceTenantDatabases(deps);
  const row = await rowOf(requested.id);
  expect(row.state).toBe('ready');
  return { ...reseller, row };
}

describe('provisioning a reseller’s database', () => {
  it('makes it, migrates it with the main migrations and marks it ready; opened once', async () => {
    const reseller = await whitelabelReseller(tally.database.db, tally.clock);
    const requested = await requestTenantDatabase(deps, reseller.actor);
    expect(requested).toMatchObject({ state: 'requested', engine: settings.engine, attempts: 0 });
    expect(requested.databaseName).toMatch(/^tally_t_[0-9a-f]{16}$/);
    expect((await requestTenantDatabase(deps, reseller.actor)).id).toBe(requested.id);

    expect(await advanceTenantDatabases(deps)).toBe(1);
    const row = await rowOf(requested.id);
    expect(row).toMatchObject({ state: 'ready', attempts: 0, lastError: null, lockedUntil: null });
    expect(row.readyAt).toEqual(tally.clock.now());
    expect(await advanceTenantDatabases(deps)).toBe(0);

    const registry = line.tenantDatabases(tally.context);
    const tenant = await registry.open(reseller.whitelabelId);
    expect(await registry.open(reseller.whitelabelId)).toBe(tenant);
    const tables = await queryRows<{ table_name: string }>(
      tenant.db,
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const mainTables = await queryRows<{ table_name: string }>(
      tally.database.db,
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual(mainTables.map((t) => t.table_name).sort());
    expect(tables.length).toBeGreaterThan(50);
    const [applied] = await queryRows<{ count: number }>(
      tenant.db,
      sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
    );
    const [mainApplied] = await queryRows<{ count: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
    );
    expect(applied!.count).toBe(mainApplied!.count);

    if (settings.engine === 'pglite') {
      expect(row.roleName).toBeNull();
      expect(row.sealedPassword).toBeNull();
      expect(fs.existsSync(path.join(tenantFolder(settings.folder, row.databaseName), 'PG_VERSION'))).toBe(
        true,
      );
      expect(fs.existsSync(`${tenantFolder(settings.folder, row.databaseName)}.partial`)).toBe(false);
    } else {
      const [who] = await queryRows<{ role: string; owner: string; tables_owner: string }>(
        tenant.db,
        sql`SELECT current_user AS role,
              (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS owner,
              (SELECT tableowner FROM pg_tables WHERE tablename = 'core_users') AS tables_owner`,
      );
      expect(who).toEqual({ role: row.roleName, owner: row.roleName, tables_owner: row.roleName });
    }
  });

  it('keeps no password in clear: the row holds it sealed for its own role', async () => {
    const { row } = await readyTenant();
    if (!onServer) return expect(row.sealedPassword).toBeNull();
    const password = passwordOf(row);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [stored] = await queryRows<Record<string, unknown>>(
      tally.database.db,
      sql`SELECT * FROM credits_tenant_databases WHERE id = ${row.id}`,
    );
    expect(JSON.stringify(stored)).not.toContain(password);
    expect(row.sealedPassword).toMatch(/^v1\./);
    // Sealed for this role alone: under any other purpose it does not open.
    expect(() => deps.keys.open(passwordPurpose('tally_t_0000000000000000'), row.sealedPassword!)).toThrow();
  });

  it('refuses to open a database that is not ready, or that nobody asked for', async () => {
    const reseller = await whitelabelReseller(tally.database.db, tally.clock);
    const registry = line.tenantDatabases(tally.context);
    await expect(registry.open(reseller.whitelabelId)).rejects.toMatchObject({ status: 404 });
    await requestTenantDatabase(deps, reseller.actor);
    const refusal = (await registry.open(reseller.whitelabelId).catch((e: unknown) => e)) as AppError;
    expect([refusal.status, refusal.code, refusal.details]).toEqual([
      409,
      'tenant_database_not_ready',
      { state: 'requested' },
    ]);
    await advanceTenantDatabases(deps);
    await expect(registry.open(reseller.whitelabelId)).resolves.toBeDefined();
  });

  it('records a failure without credentials, waits, and reaches ready once the server answers', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (entry: string) => warnings.push(entry) });
    const broken: TenantDatabaseSettings =
      settings.engine === 'postgres'
        ? // Nothing listens on port 1: the migration, which connects as the new role, is refused.
          { ...settings, serverUrl: withPort(settings.serverUrl, 1) }
        : { engine: 'pglite', folder: path.join(aFile(), 'tenants') };
    const failing = { ...deps, log, settings: broken };
    const reseller = await whitelabelReseller(tally.database.db, tally.clock);
    const requested = await requestTenantDatabase(failing, reseller.actor);

    expect(await advanceTenantDatabases(failing)).toBe(1);
    let row = await rowOf(requested.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 1, lockedUntil: null });
    expect(row.lastError).toMatch(
      settings.engine === 'postgres' ? /^migrate: .*ECONNREFUSED/ : /^create: .*(ENOTDIR|EEXIST)/,
    );
    expect(row.nextAttemptAt).toEqual(new Date(tally.clock.now().getTime() + 1000));
    expect(warnings.join('')).toContain(row.lastError!.slice(0, 20));
    if (row.roleName) {
      const password = passwordOf(row);
      expect(row.lastError).not.toContain(password);
      expect(warnings.join('')).not.toContain(password);
      expect(warnings.join('')).not.toContain('SCRAM-SHA-256$');
    }

    // Not due yet: the next try waits for its backoff.
    expect(await advanceTenantDatabases(deps)).toBe(0);
    tally.clock.advance(1000);
    // Fixed: from the first step again, finding the role and database the failed try made.
    expect(await advanceTenantDatabases(deps)).toBe(1);
    row = await rowOf(requested.id);
    expect(row).toMatchObject({ state: 'ready', attempts: 0, lastError: null });
    await expect(line.tenantDatabases(tally.context).open(reseller.whitelabelId)).resolves.toBeDefined();
  });
});

describe('the registry of open tenant databases', () => {
  it('closes every database it opened when the line stops, and opens none after', async () => {
    const { whitelabelId } = await readyTenant();
    const registry = line.tenantDatabases(tally.context);
    const tenant = await registry.open(whitelabelId);
    await queryRows(tenant.db, sql`SELECT 1`);
    await line.stop!(tally.context);
    await expect(queryRows(tenant.db, sql`SELECT 1`)).rejects.toThrow();
    await expect(registry.open(whitelabelId)).rejects.toMatchObject({ status: 503 });
    // The next Tally on this database handle gets a registry of its own.
    const next = line.tenantDatabases(tally.context);
    expect(next).not.toBe(registry);
    const reopened = await next.open(whitelabelId);
    expect(reopened).not.toBe(tenant);
    await queryRows(reopened.db, sql`SELECT 1`);
  });
});

describe.runIf(onServer)('a tenant database on the PostgreSQL server', () => {
  it('lets its own role in with its password, and refuses another tenant’s role', async () => {
    const mine = await readyTenant();
    const theirs = await readyTenant();
    const serverUrl = testDatabaseUrl!;
    const connect = async (database: TenantDatabase, as: TenantDatabase) => {
      const client = new pg.Client({
        connectionString: tenantUrl(serverUrl, database.databaseName, as.roleName!, passwordOf(as)),
      });
      try {
        await client.connect();
        return (await client.query('SELECT current_user AS role')).rows[0].role as string;
      } finally {
        await client.end().catch(() => {});
      }
    };
    expect(await connect(mine.row, mine.row)).toBe(mine.row.roleName);
    // pg_hba.conf may trust every local connection (CI's does): the database's own rights refuse them.
    await expect(connect(mine.row, theirs.row)).rejects.toMatchObject({ code: '42501' });
    await expect(connect(theirs.row, mine.row)).rejects.toMatchObject({ code: '42501' });
    const [acl] = await queryRows<{ acl: string }>(
      tally.database.db,
      sql`SELECT datacl::text AS acl FROM pg_database WHERE datname = ${mine.row.databaseName}`,
    );
    // No entry for PUBLIC ("=c/…"): only the owner may connect.
    expect(acl!.acl).not.toMatch(/[{,]=/);

    // The main database keeps PostgreSQL's default CONNECT for PUBLIC; its tables grant the role nothing.
    const [main] = await queryRows<{ name: string }>(
      tally.database.db,
      sql`SELECT current_database() AS name`,
    );
    const intoMain = new pg.Client({
      connectionString: tenantUrl(serverUrl, main!.name, mine.row.roleName!, passwordOf(mine.row)),
    });
    await intoMain.connect();
    try {
      await expect(intoMain.query('SELECT count(*) FROM credits_tenant_databases')).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await intoMain.end();
    }
  });

  it('gives the role exactly the sealed password, as PostgreSQL checks it', async () => {
    const { row } = await readyTenant();
    const stored = await asServerAdmin(async (client) => {
      const result = await client.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [
        row.roleName,
      ]);
      return result.rows[0].rolpassword as string;
    });
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
    expect(scramVerifier(passwordOf(row), Buffer.from(salt!, 'base64'), Number(iterations))).toBe(stored);
  });

  it('computes SCRAM verifiers as PostgreSQL does', async () => {
    const role = `tally_t_${randomBytes(8).toString('hex')}`;
    const stored = await asServerAdmin(async (client) => {
      await client.query("SET password_encryption = 'scram-sha-256'");
      await client.query(`CREATE ROLE ${role} PASSWORD 'correct horse battery staple'`);
      try {
        return (await client.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role])).rows[0]
          .rolpassword as string;
      } finally {
        await client.query(`DROP ROLE ${role}`);
      }
    });
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
    expect(
      scramVerifier('correct horse battery staple', Buffer.from(salt!, 'base64'), Number(iterations)),
    ).toBe(stored);
  });

  it('refuses a wrong password when the server checks passwords', async (context) => {
    const rules = await asServerAdmin(
      async (client) =>
        (await client.query("SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host'")).rows as {
          auth_method: string;
        }[],
    );
    // A server that trusts local connections never asks for one: there is nothing to check then.
    if (rules.some((rule) => rule.auth_method === 'trust')) return context.skip();
    const { row } = await readyTenant();
    const client = new pg.Client({
      connectionString: tenantUrl(testDatabaseUrl!, row.databaseName, row.roleName!, 'not-the-password'),
    });
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
  });
});

describe('the tenant database states', () => {
  const allowed: Record<string, string[]> = {
    requested: ['created', 'failed'],
    created: ['migrated', 'failed'],
    migrated: ['ready', 'failed'],
    ready: ['retired'],
    failed: ['created', 'failed'],
    retired: [],
  };
  for (const from of tenantDatabaseStates) {
    for (const to of tenantDatabaseStates) {
      const may = allowed[from]!.includes(to);
      it(`${may ? 'moves' : 'refuses to move'} ${from} → ${to}`, () => {
        if (may) expect(tenantDatabaseMachine.move(from, to)).toBe(to);
        else expect(() => tenantDatabaseMachine.move(from, to)).toThrow(`tenant database is ${from}`);
      });
    }
  }
});

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

/** A regular file, where a folder cannot be made. */
function aFile(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-not-a-folder-'));
  whenFileEnds(async () => fs.rmSync(folder, { recursive: true, force: true }));
  const file = path.join(folder, 'file');
  fs.writeFileSync(file, '');
  return file;
}
