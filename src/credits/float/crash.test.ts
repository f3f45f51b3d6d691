import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseTarget } from '../../../test/support/database';
import { openDatabaseTarget } from '../../../test/support/database-target';
import { expectLedgerSound, giveCredits } from '../../../test/support/float';
import {
  dropOnServer,
  tenantSettingsForTests,
  whitelabelReseller,
} from '../../../test/support/tenant-databases';
import { runUntilKilled } from '../../../test/support/worker-process';
import { TestClock } from '../../core/clock';
import { type Database, queryRows } from '../../core/database';
import { createKeyring, newInstallationSecret } from '../../core/keyring';
import { silentLogger } from '../../core/log';
import { NotificationTypes } from '../../core/notifications/registry';
import { getBalance } from '../engine/balances';
import { ensureCreditsLedger } from '../engine/ledger';
import { floatTopUps } from '../schema';
import { advanceTenantDatabases } from '../tenant-databases/provisioning';
import { TenantDatabases } from '../tenant-databases/registry';
import { requestTenantDatabase } from '../tenant-databases/service';
import { applyPendingTopUps } from './apply';
import { FLOAT_TRANSFER_CODE, floatAccountId, topUpTransferId } from './ids';
import { type FloatDeps, topUpFloat } from './top-ups';

/**
 * A process applying a top-up dies (SIGKILL) right after the reseller's database committed the float
 * grant, before Tally's row was marked applied. The job, run again once the dead process's lease ends,
 * finds the grant there and only marks the row: one transfer on each side, both balances right.
 */

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('a crash between the two databases', () => {
  it('ends with the top-up applied once on both sides', async () => {
    const { target, remove } = await databaseTarget('tally-float-crash-');
    cleanups.push(remove);
    const settings = tenantSettingsForTests();
    const secretKey = newInstallationSecret();
    const clock = new TestClock('2026-06-01T09:00:00Z');
    const depsOn = (database: Database) => {
      const tenants = new TenantDatabases({
        db: database.db,
        clock,
        keys: createKeyring(secretKey),
        log: silentLogger,
        settings,
      });
      const deps: FloatDeps = {
        db: database.db,
        clock,
        log: silentLogger,
        tenants,
        notifier: { clock, types: new NotificationTypes([]) },
      };
      return { deps, tenants };
    };

    let main = await openDatabaseTarget(target, 4);
    await main.migrate();
    await ensureCreditsLedger(main.db, clock);
    const reseller = await whitelabelReseller(main.db, clock);
    // Its account is copied into its own database before anything is granted there.
    await main.db.execute(
      sql`INSERT INTO core_users (id, email, name, created_at, updated_at)
          VALUES (${reseller.userId}, ${`${reseller.userId}@example.test`}, 'Reseller', ${clock.now()}, ${clock.now()})`,
    );
    await giveCredits(main.db, clock, reseller.userId, 1000n);
    const requested = await requestTenantDatabase(
      { db: main.db, clock, keys: createKeyring(secretKey), log: silentLogger, settings },
      reseller.actor,
    );
    cleanups.push(() => dropOnServer([requested]));
    await advanceTenantDatabases({
      db: main.db,
      clock,
      keys: createKeyring(secretKey),
      log: silentLogger,
      settings,
    });
    const { deps: before } = depsOn(main);
    const topUp = await topUpFloat(before, reseller.actor, { amount: 400n });
    // An embedded database has one process at a time: the worker's, then ours again.
    await main.close();

    const output = await runUntilKilled('float-worker.ts', [
      target,
      JSON.stringify(settings),
      secretKey,
      clock.now().toISOString(),
    ]);
    expect(output).not.toContain('finished');

    main = await openDatabaseTarget(target, 4);
    const opened = main;
    cleanups.push(() => opened.close());
    const { deps, tenants } = depsOn(main);
    cleanups.push(() => tenants.close());
    const rowNow = async () =>
      (await main.db.select().from(floatTopUps).where(eq(floatTopUps.id, topUp.id)))[0]!;
    const left = await rowNow();
    expect(left.state).toBe('pending');
    expect(left.lockedUntil).not.toBeNull();
    const tenant = (await tenants.open(reseller.whitelabelId)).db;
    const floatTransfers = async (db: typeof tenant) =>
      queryRows<{ id: string; amount: string }>(
        db,
        sql`SELECT id, amount::text FROM ledger_transfers WHERE code = ${FLOAT_TRANSFER_CODE} ORDER BY id`,
      );
    // The tenant's side committed before the kill.
    expect(await floatTransfers(tenant)).toEqual([{ id: topUpTransferId(topUp.id), amount: '400' }]);

    // The dead process's lease still holds: nobody takes the top-up over yet.
    expect(await applyPendingTopUps(deps)).toEqual({ applied: 0, failed: 0 });
    clock.set(left.lockedUntil!);
    expect(await applyPendingTopUps(deps)).toEqual({ applied: 1, failed: 0 });
    expect(await rowNow()).toMatchObject({ state: 'applied', attempts: 0, lastError: null });
    expect(await applyPendingTopUps(deps)).toEqual({ applied: 0, failed: 0 });

    expect(await floatTransfers(tenant)).toEqual([{ id: topUpTransferId(topUp.id), amount: '400' }]);
    expect(await floatTransfers(main.db)).toEqual([{ id: topUpTransferId(topUp.id), amount: '400' }]);
    expect((await getBalance(tenant, clock, { userId: reseller.userId })).available).toBe(400n);
    expect((await getBalance(main.db, clock, { userId: reseller.userId })).available).toBe(600n);
    const [float] = await queryRows<{ credits: string }>(
      main.db,
      sql`SELECT credits_posted::text AS credits FROM ledger_accounts WHERE id = ${floatAccountId(reseller.userId)}`,
    );
    expect(float!.credits).toBe('400');
    await expectLedgerSound(main.db);
    await expectLedgerSound(tenant);
  });
});
