import { parseArgs } from 'node:util';
import { systemActor } from '../../core/actor';
import { systemClock } from '../../core/clock';
import { type Command, UsageError } from '../../core/command';
import { isUuid } from '../../core/ids';
import { createKeyring, resolveInstallationSecret } from '../../core/keyring';
import { createLogger } from '../../core/log';
import { NotificationTypes } from '../../core/notifications/registry';
import { creditsNotificationTypes } from '../notifications';
import { TenantDatabases } from '../tenant-databases/registry';
import { tenantDatabaseSettings } from '../tenant-databases/settings';
import { floatNotificationTypes } from './notifications';
import { reconcileFloats } from './reconcile';

/**
 * `tally credits …`: the credits line's operator commands, on the configured database directly.
 * The tenants' databases are opened as the server opens them (the installation secret unseals their
 * passwords), so with the embedded database the server must be stopped first.
 */
export const creditsCommand: Command = {
  name: 'credits',
  usage: `tally credits float-reconcile [--user <reseller user id>]
                      compare each reseller's float on Tally's ledger and its database's; exits 1 on a difference`,
  run: (args, { config, withDatabase }) =>
    withDatabase(async (database) => {
      const [action, ...rest] = args;
      if (action !== 'float-reconcile') throw new UsageError(`unknown credits command "${action ?? ''}"`);
      const { values } = parseArgs({ args: rest, options: { user: { type: 'string' } } });
      if (values.user !== undefined && !isUuid(values.user)) throw new UsageError('--user must be a UUID');
      const log = createLogger('warn');
      const registry = new TenantDatabases({
        db: database.db,
        clock: systemClock,
        keys: createKeyring(resolveInstallationSecret(config.secretKey, config.home)),
        log,
        settings: tenantDatabaseSettings(config),
      });
      try {
        const run = await reconcileFloats(
          {
            db: database.db,
            clock: systemClock,
            log,
            tenants: registry,
            notifier: {
              clock: systemClock,
              types: new NotificationTypes([creditsNotificationTypes, floatNotificationTypes]),
              publicUrl: config.publicUrl,
            },
          },
          systemActor,
          { resellerUserId: values.user },
        );
        for (const r of run.reconciliations) {
          console.log(
            `${r.resellerUserId}  Tally ${r.mainTotal}  database ${r.tenantTotal}  on its way ${r.pendingTotal}` +
              `  difference ${r.difference}${r.difference === 0n ? '' : '  FLAGGED'}`,
          );
        }
        for (const userId of run.unreachable) console.log(`${userId}  its database could not be read`);
        if (run.reconciliations.length === 0 && run.unreachable.length === 0) {
          console.log('no reseller has a database of its own');
        }
        const off = run.reconciliations.some((r) => r.difference !== 0n) || run.unreachable.length > 0;
        return off ? 1 : 0;
      } finally {
        await registry.close();
      }
    }),
};
