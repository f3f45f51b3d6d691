import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseTarget } from '../../../test/support/database';
import { openDatabaseTarget } from '../../../test/support/database-target';
import {
  asServerAdmin,
  dropOnServer,
  tenantSettingsForTests,
  whitelabelReseller,
} from '../../../test/support/tenant-databases';
import { runUntilKilled } from '../../../test/support/worker-process';
import { TestClock } from '../../core/clock';
import { type Database, queryRows } from '../../core/database';
import { createKeyring, newInstallationSecret } from '../../core/keyring';
import { silentLogger } from '../../core/log';
import { tenantDatabases } from '../schema';
import { advanceTenantDatabases } from './provisioning';
import { TenantDatabases } from './registry';
import { requestTenantDatabase } from './service';
import { type TenantDatabaseDeps, tenantFolder } from './settings';

/**
 * A process provisioning a reseller's database dies (SIGKILL) right after the create step committed:
 * the role and database exist (or the data folder), the migration never started. Another process
 * takes the row over once the dead one's lease runs out and finishes it, making nothing twice.
 */

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('a crash after the create step', () => {
  it('is resumed to ready by another process, each database and role made once', async () => {
    const { target, remove } = await databaseTarget('tally-tenant-crash-');
    cleanups.push(remove);
    const settings = tenantSettingsForTests();
    const secretKey = newInstallationSecret();
    const clock = new TestClock('2026-06-01T09:00:00Z');
    const depsOn = (database: Database): TenantDatabaseDeps => ({
      db: database.db,
      clock,
      keys: createKeyring(secretKey),
      log: silentLogger,
      settings,
    });

    let main = await openDatabaseTarget(target, 4);
    await main.migrate();
    const reseller = await whitelabelReseller(main.db, clock);
    const requested = await requestTenantDatabase(depsOn(main), reseller.actor);
    cleanups.push(() => dropOnServer([requested]));
    // An embedded database has one process at a time: the worker's, then ours again.
    await main.close();

    const output = await runUntilKilled('tenant-database-worker.ts', [
      target,
      JSON.stringify(settings),
      secretKey,
      clock.now().toISOString(),
    ]);
    expect(output).not.toContain('finished');

    main = await openDatabaseTarget(target, 4);
    const opened = main;
    cleanups.push(() => opened.close());
    const deps = depsOn(main);
    const rowNow = async () =>
      (await main.db.select().from(tenantDatabases).where(eq(tenantDatabases.id, requested.id)))[0]!;
    const left = await rowNow();
    expect(left.state).toBe('created');
    expect(left.lockedUntil).not.toBeNull();

    // The dead process's lease still holds: nobody takes the row over yet.
    expect(await advanceTenantDatabases(deps)).toBe(0);
    clock.set(left.lockedUntil!);
    expect(await advanceTenantDatabases(deps)).toBe(1);
    expect(await rowNow()).toMatchObject({ state: 'ready', attempts: 0, lastError: null });

    if (settings.engine === 'postgres') {
      const made = await asServerAdmin(async (client) => {
        const databases = await client.query(
          'SELECT count(*)::int AS n FROM pg_database WHERE datname = $1',
          [requested.databaseName],
        );
        const roles = await client.query('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [
          requested.roleName,
        ]);
        return { databases: databases.rows[0].n, roles: roles.rows[0].n };
      });
      expect(made).toEqual({ databases: 1, roles: 1 });
    } else {
      const folder = tenantFolder(settings.folder, requested.databaseName);
      expect(fs.readdirSync(settings.folder)).toEqual([path.basename(folder)]);
    }

    const registry = new TenantDatabases(deps);
    cleanups.push(() => registry.close());
    const tenant = await registry.open(reseller.whitelabelId);
    const [migrated] = await queryRows<{ n: number }>(
      tenant.db,
      sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'credits_tenant_databases'`,
    );
    expect(migrated!.n).toBe(1);
  });
});
