/**
 * A child process for the float's crash test: opens the main database given on the command line and
 * applies the pending top-ups there, on the test's clock, and kills itself with SIGKILL the moment a
 * top-up's grant has committed in the reseller's database — before Tally's row is marked applied.
 */
import { TestClock } from '../../src/core/clock';
import { createKeyring } from '../../src/core/keyring';
import { silentLogger } from '../../src/core/log';
import { NotificationTypes } from '../../src/core/notifications/registry';
import { applyPendingTopUps } from '../../src/credits/float/apply';
import { TenantDatabases } from '../../src/credits/tenant-databases/registry';
import type { TenantDatabaseSettings } from '../../src/credits/tenant-databases/settings';
import { openDatabaseTarget } from './database-target';

const [target, settings, secretKey, now] = process.argv.slice(2) as [string, string, string, string];
const database = await openDatabaseTarget(target, 4);
const clock = new TestClock(now);
const tenants = new TenantDatabases({
  db: database.db,
  clock,
  keys: createKeyring(secretKey),
  log: silentLogger,
  settings: JSON.parse(settings) as TenantDatabaseSettings,
});
await applyPendingTopUps(
  {
    db: database.db,
    clock,
    log: silentLogger,
    tenants,
    notifier: { clock, types: new NotificationTypes([]) },
  },
  {
    afterTenantCommit: () => {
      process.kill(process.pid, 'SIGKILL');
    },
  },
);
process.stdout.write('finished without being killed\n');
await tenants.close();
await database.close();
