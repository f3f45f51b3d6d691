/**
 * A child process for the tenant database crash test: opens the main database given on the command
 * line and provisions the tenant databases due there, on the test's clock, and kills itself with
 * SIGKILL the moment a database's create step has committed — before the migration starts.
 */
import { TestClock } from '../../src/core/clock';
import { createKeyring } from '../../src/core/keyring';
import { silentLogger } from '../../src/core/log';
import { advanceTenantDatabases } from '../../src/credits/tenant-databases/provisioning';
import type { TenantDatabaseSettings } from '../../src/credits/tenant-databases/settings';
import { openDatabaseTarget } from './database-target';

const [target, settings, secretKey, now] = process.argv.slice(2) as [string, string, string, string];
const database = await openDatabaseTarget(target, 4);
await advanceTenantDatabases(
  {
    db: database.db,
    clock: new TestClock(now),
    keys: createKeyring(secretKey),
    log: silentLogger,
    settings: JSON.parse(settings) as TenantDatabaseSettings,
  },
  {
    afterStep(row) {
      if (row.state === 'created') process.kill(process.pid, 'SIGKILL');
    },
  },
);
process.stdout.write('finished without being killed\n');
await database.close();
