import { parseArgs } from 'node:util';
import { systemActor } from '../core/actor';
import { systemClock } from '../core/clock';
import { type Command, UsageError } from '../core/command';
import type { Config } from '../core/config';
import type { Db } from '../core/database';
import { isUuid } from '../core/ids';
import { createKeyring, resolveInstallationSecret } from '../core/keyring';
import { createLogger, type Logger } from '../core/log';
import { NotificationTypes } from '../core/notifications/registry';
import { floatNotificationTypes } from './float/notifications';
import { reconcileFloats } from './float/reconcile';
import { creditsNotificationTypes } from './notifications';
import { moveShop } from './tenant-databases/move';
import { TenantDatabases } from './tenant-databases/registry';
import { type TenantDatabaseDeps, tenantDatabaseSettings } from './tenant-databases/settings';

/**
 * `tally credits …`: the credits line's operator commands, on the configured database directly.
 * The tenants' databases are opened as the server opens them (the installation secret unseals their
 * passwords), so with the embedded database the server must be stopped first.
 */
export const creditsCommand: Command = {
  name: 'credits',
  usage: `tally credits float-reconcile [--user <reseller user id>]
                      compare each reseller's float on Tally's ledger and its database's; exits 1 on a difference
  tally credits tenant-move --user <reseller user id> --to own|shared
                      move a reseller's shop, its people and their credits, into a database of its own or
                      back to Tally's; its domain answers that it is unavailable while it moves; run it
                      again to carry on a move that was cut short`,
  run: (args, { config, withDatabase }) =>
    withDatabase(async (database) => {
      const [action, ...rest] = args;
      if (action === 'float-reconcile')
        return withTenants(config, database.db, (deps) => floatReconcile(deps, rest, config.publicUrl));
      if (action === 'tenant-move') return withTenants(config, database.db, (deps) => tenantMove(deps, rest));
      throw new UsageError(`unknown credits command "${action ?? ''}"`);
    }),
};

interface CommandDeps extends TenantDatabaseDeps {
  registry: TenantDatabases;
  log: Logger;
}

async function withTenants(
  config: Config,
  db: Db,
  run: (deps: CommandDeps) => Promise<number>,
): Promise<number> {
  const log = createLogger('warn');
  const deps: TenantDatabaseDeps = {
    db,
    clock: systemClock,
    keys: createKeyring(resolveInstallationSecret(config.secretKey, config.home)),
    log,
    settings: tenantDatabaseSettings(config),
  };
  const registry = new TenantDatabases(deps);
  try {
    return await run({ ...deps, registry, log });
  } finally {
    await registry.close();
  }
}

function resellerOption(values: { user?: string }, required: boolean): string | undefined {
  if (values.user === undefined) {
    if (required) throw new UsageError('--user <reseller user id> is required');
    return undefined;
  }
  if (!isUuid(values.user)) throw new UsageError('--user must be a UUID');
  return values.user;
}

async function floatReconcile(deps: CommandDeps, args: string[], publicUrl: string): Promise<number> {
  const { values } = parseArgs({ args, options: { user: { type: 'string' } } });
  const run = await reconcileFloats(
    {
      db: deps.db,
      clock: deps.clock,
      log: deps.log,
      tenants: deps.registry,
      notifier: {
        clock: deps.clock,
        types: new NotificationTypes([creditsNotificationTypes, floatNotificationTypes]),
        publicUrl,
      },
    },
    systemActor,
    { resellerUserId: resellerOption(values, false) },
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
}

async function tenantMove(deps: CommandDeps, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { user: { type: 'string' }, to: { type: 'string' } } });
  const reseller = resellerOption(values, true)!;
  if (values.to !== 'own' && values.to !== 'shared') throw new UsageError('--to must be own or shared');
  const direction = values.to === 'own' ? 'into_own' : 'back_to_shared';
  console.log(
    `moving the shop of ${reseller} ${values.to === 'own' ? 'into its own database' : 'back to Tally’s database'}…`,
  );
  const move = await moveShop(deps, systemActor, reseller, direction);
  const moved = move.moved as {
    people: number;
    grants: number;
    credits: string;
    rows: Record<string, number>;
  };
  console.log(
    `moved ${moved.people} people, ${moved.grants} grants holding ${moved.credits} credits (move ${move.id})`,
  );
  for (const [table, count] of Object.entries(moved.rows)) console.log(`  ${table.padEnd(28)} ${count}`);
  return 0;
}
