import { and, eq, sql } from 'drizzle-orm';
import { queryRows } from '../../core/database';
import { backoffMs, type JobRunner } from '../../core/jobs';
import { defineStateMachine } from '../../core/state-machine';
import { type TenantDatabaseState, tenantDatabases } from '../schema';
import { createTenantFolder, migrateTenantFolder } from './pglite';
import { createTenantRoleAndDatabase, driverMessage, migrateTenantDatabase } from './postgres';
import {
  passwordPurpose,
  type TenantDatabaseDeps,
  type TenantDatabaseSettings,
  tenantFolder,
} from './settings';

/**
 * Provisioning a reseller's database (seed §4 step 4) as resumable steps: create it, migrate it, mark
 * it ready. The row is the flow's progress. A step reaches outside the main database's transactions
 * (CREATE DATABASE cannot run in one; the migration runs on another connection), then its move
 * commits; a crash between the two runs the step again, and every step finds what an earlier try
 * made and carries on. A failure records the error and tries again later, from the first step.
 */

export type TenantDatabase = typeof tenantDatabases.$inferSelect;

export const tenantDatabaseMachine = defineStateMachine<TenantDatabaseState>({
  name: 'tenant_database',
  moves: {
    requested: ['created', 'failed'],
    created: ['migrated', 'failed'],
    migrated: ['ready', 'failed'],
    ready: ['retired'],
    failed: ['created', 'failed'],
    retired: [],
  },
});

interface Step {
  name: string;
  to: TenantDatabaseState;
  run(deps: TenantDatabaseDeps, row: TenantDatabase): Promise<void>;
}

const create: Step = {
  name: 'create',
  to: 'created',
  async run(deps, row) {
    const settings = settingsFor(deps, row);
    if (settings.engine === 'pglite')
      return createTenantFolder(tenantFolder(settings.folder, row.databaseName));
    await createTenantRoleAndDatabase(deps.db, serverNames(row), passwordOf(deps, row));
  },
};

const migrate: Step = {
  name: 'migrate',
  to: 'migrated',
  async run(deps, row) {
    const settings = settingsFor(deps, row);
    if (settings.engine === 'pglite')
      return migrateTenantFolder(tenantFolder(settings.folder, row.databaseName));
    await migrateTenantDatabase(settings.serverUrl, serverNames(row), passwordOf(deps, row));
  },
};

const finish: Step = { name: 'finish', to: 'ready', run: async () => {} };

/** The step that moves a row on from `state`; a failed row starts again from the first. */
const STEP_FROM: Readonly<Record<TenantDatabaseState, Step | null>> = {
  requested: create,
  failed: create,
  created: migrate,
  migrated: finish,
  ready: null,
  retired: null,
};

export interface ProvisioningOptions {
  /** How long a process holds the rows it advances before another may take them over. */
  leaseMs?: number;
  batchSize?: number;
  /** Called after each recorded move; a test stops the process here to stand for a crash. */
  afterStep?(row: TenantDatabase): void;
}

const DEFAULT_LEASE_MS = 10 * 60_000;

/** Advances every due row that is not ready, each as far as it goes; returns how many it took up. */
export async function advanceTenantDatabases(
  deps: TenantDatabaseDeps,
  options: ProvisioningOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 10;
  let advanced = 0;
  for (;;) {
    const lease = new Date(deps.clock.now().getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS));
    const claimed = await claimDue(deps, lease, batchSize);
    for (const row of claimed) await advanceOne(deps, row, lease, options);
    advanced += claimed.length;
    if (claimed.length < batchSize) return advanced;
  }
}

/** The credits line's sweep of tenant databases: any process may run it at any time. */
export function registerTenantDatabaseJobs(jobs: JobRunner, deps: TenantDatabaseDeps): void {
  jobs.every('credits.tenant_databases', 5_000, () => advanceTenantDatabases(deps));
}

async function claimDue(deps: TenantDatabaseDeps, lease: Date, limit: number): Promise<TenantDatabase[]> {
  const now = deps.clock.now();
  const ids = await queryRows<{ id: string }>(
    deps.db,
    sql`UPDATE credits_tenant_databases SET locked_until = ${lease}
        WHERE id IN (
          SELECT id FROM credits_tenant_databases
          WHERE state NOT IN ('ready', 'retired') AND next_attempt_at <= ${now}
            AND (locked_until IS NULL OR locked_until <= ${now})
          ORDER BY next_attempt_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING id`,
  );
  if (ids.length === 0) return [];
  return deps.db
    .select()
    .from(tenantDatabases)
    .where(sql`${tenantDatabases.id} = ANY(${sql.param(ids.map((row) => row.id))}::uuid[])`);
}

async function advanceOne(
  deps: TenantDatabaseDeps,
  claimed: TenantDatabase,
  lease: Date,
  options: ProvisioningOptions,
): Promise<void> {
  let row: TenantDatabase | null = claimed;
  for (let step = STEP_FROM[row.state]; row && step; step = row ? STEP_FROM[row.state] : null) {
    try {
      await step.run(deps, row);
    } catch (error) {
      await recordFailure(deps, row, lease, step, error);
      return;
    }
    const now = deps.clock.now();
    const ready = step.to === 'ready';
    row = await recordMove(deps, row, lease, {
      state: tenantDatabaseMachine.move(row.state, step.to),
      attempts: 0,
      lastError: null,
      readyAt: ready ? now : null,
      lockedUntil: ready ? null : lease,
    });
    if (row) options.afterStep?.(row);
  }
}

async function recordFailure(
  deps: TenantDatabaseDeps,
  row: TenantDatabase,
  lease: Date,
  step: Step,
  error: unknown,
): Promise<void> {
  const attempts = row.attempts + 1;
  const lastError = `${step.name}: ${withoutSecrets(driverMessage(error), deps, row)}`.slice(0, 1000);
  const nextAttemptAt = new Date(deps.clock.now().getTime() + backoffMs(attempts));
  // The error as recorded, never the error object: a driver's error may quote the statement it ran.
  deps.log.warn(
    { tenantDatabaseId: row.id, step: step.name, attempts, error: lastError },
    'a tenant database step failed; it is tried again later',
  );
  await recordMove(deps, row, lease, {
    state: tenantDatabaseMachine.move(row.state, 'failed'),
    attempts,
    lastError,
    nextAttemptAt,
    lockedUntil: null,
  });
}

/** Writes a move while this process's lease holds; null when another process took the row over. */
async function recordMove(
  deps: TenantDatabaseDeps,
  row: TenantDatabase,
  lease: Date,
  changes: Partial<
    Pick<TenantDatabase, 'state' | 'attempts' | 'lastError' | 'nextAttemptAt' | 'lockedUntil' | 'readyAt'>
  >,
): Promise<TenantDatabase | null> {
  const [updated] = await deps.db
    .update(tenantDatabases)
    .set({ ...changes, updatedAt: deps.clock.now() })
    .where(
      and(
        eq(tenantDatabases.id, row.id),
        eq(tenantDatabases.state, row.state),
        eq(tenantDatabases.lockedUntil, lease),
      ),
    )
    .returning();
  return updated ?? null;
}

/** This Tally's settings, when they are of the engine the row was asked on. */
export function settingsFor(deps: TenantDatabaseDeps, row: TenantDatabase): TenantDatabaseSettings {
  if (row.engine !== deps.settings.engine) {
    throw new Error(
      `the tenant database is a ${row.engine} one, and this Tally keeps tenant databases on ${deps.settings.engine}`,
    );
  }
  return deps.settings;
}

export const serverNames = (row: TenantDatabase) => {
  if (!row.roleName) throw new Error('a PostgreSQL tenant database has no role');
  return { databaseName: row.databaseName, roleName: row.roleName };
};

/** The role's password, opened from its seal for the step that needs it and kept nowhere. */
export function passwordOf(deps: TenantDatabaseDeps, row: TenantDatabase): string {
  if (!row.roleName || !row.sealedPassword)
    throw new Error('a PostgreSQL tenant database has no credentials');
  return deps.keys.open(passwordPurpose(row.roleName), row.sealedPassword);
}

/** An error's words with the row's password taken out, should a driver ever repeat it. */
function withoutSecrets(message: string, deps: TenantDatabaseDeps, row: TenantDatabase): string {
  let cleaned = message.replace(/SCRAM-SHA-256\$\S+/g, '[verifier]');
  if (row.roleName && row.sealedPassword) {
    try {
      const password = passwordOf(deps, row);
      cleaned = cleaned
        .replaceAll(password, '[password]')
        .replaceAll(encodeURIComponent(password), '[password]');
    } catch {
      // A seal that does not open holds no password to hide.
    }
  }
  return cleaned;
}
