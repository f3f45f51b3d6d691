import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Clock } from '../../src/core/clock';
import type { Db } from '../../src/core/database';
import { silentLogger } from '../../src/core/log';
import { grantCredits } from '../../src/credits/engine/grants';
import type { FloatDeps } from '../../src/credits/float/top-ups';
import { type CreditsLine, defineCreditsLine } from '../../src/credits/line';
import { tenantDatabases } from '../../src/credits/schema';
import { advanceTenantDatabases } from '../../src/credits/tenant-databases/provisioning';
import { requestTenantDatabase } from '../../src/credits/tenant-databases/service';
import type { TenantDatabaseDeps, TenantDatabaseSettings } from '../../src/credits/tenant-databases/settings';
import { findLedgerViolations } from '../../src/ledger/invariants';
import { productLines } from '../../src/lines';
import { signedInPerson, type TestPerson, type TestTally, testTally } from './app';
import { whenFileEnds } from './database';
import { dropTenantDatabasesAtEnd, tenantSettingsForTests, whitelabelReseller } from './tenant-databases';

/**
 * Test support for resellers' floats: a Tally whose credits line makes tenant databases where this
 * run's engine does, resellers with credits on Tally and a ready database of their own, and the
 * float's services as the line builds them.
 */

export interface FloatTally {
  tally: TestTally;
  line: CreditsLine;
  settings: TenantDatabaseSettings;
  deps: FloatDeps;
  tenantDeps: TenantDatabaseDeps;
}

export async function floatTally(): Promise<FloatTally> {
  const settings = tenantSettingsForTests();
  const line = defineCreditsLine({ tenantDatabases: settings });
  const tally = await testTally({
    lines: productLines.map((each) => (each.name === 'credits' ? line : each)),
  });
  dropTenantDatabasesAtEnd(() => tally.database.db);
  // First of all when the file ends: the line closes the tenant databases it opened.
  whenFileEnds(() => tally.stop());
  const { context } = tally;
  return {
    tally,
    line,
    settings,
    deps: {
      db: context.ownDb,
      clock: tally.clock,
      log: silentLogger,
      tenants: line.tenantDatabases(context),
      notifier: { clock: tally.clock, types: context.notificationTypes, publicUrl: context.publicUrl },
    },
    tenantDeps: { db: context.ownDb, clock: tally.clock, keys: context.keys, log: silentLogger, settings },
  };
}

/** Credits on Tally for a person: an administrator's adjustment into their pool. */
export async function giveCredits(db: Db, clock: Clock, userId: string, amount: bigint): Promise<void> {
  await db.transaction((tx) =>
    grantCredits(tx, clock, { userId, source: 'adjustment', amount, reason: 'test credits' }),
  );
}

export interface FloatReseller extends TestPerson {
  whitelabelId: string;
}

/** A signed-in whitelabel reseller with `credits` on Tally and, unless told not to, a ready database. */
export async function floatReseller(
  f: FloatTally,
  credits: bigint,
  options: { database?: boolean } = {},
): Promise<FloatReseller> {
  const person = await signedInPerson(f.tally);
  const { whitelabelId, actor } = await whitelabelReseller(f.tally.database.db, f.tally.clock, person.userId);
  if (credits > 0n) await giveCredits(f.tally.database.db, f.tally.clock, person.userId, credits);
  if (options.database ?? true) {
    const requested = await requestTenantDatabase(f.tenantDeps, actor);
    await advanceTenantDatabases(f.tenantDeps);
    const [row] = await f.tally.database.db
      .select()
      .from(tenantDatabases)
      .where(eq(tenantDatabases.id, requested.id));
    expect(row!.state).toBe('ready');
  }
  return { ...person, whitelabelId };
}

/** The ledger's invariants on a database: debits equal credits per ledger, no account past its limit… */
export async function expectLedgerSound(db: Db): Promise<void> {
  expect(await findLedgerViolations(db)).toEqual([]);
}
