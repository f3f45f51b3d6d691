import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClock } from '../src/core/clock';
import { queryRows } from '../src/core/database';
import { newId } from '../src/core/ids';
import { releaseReservation } from '../src/credits/engine/spending';
import { readHold } from '../src/ledger/holds';
import { findLedgerViolations } from '../src/ledger/invariants';

const migrationsFolder = path.resolve(import.meta.dirname, '../migrations');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-migrations-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A copy of the migrations that stops before `tag`: a database as it was before that release. */
function migrationsBefore(tag: string): string {
  const folder = path.join(scratch, tag);
  fs.cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const stop = journal.entries.findIndex((e) => e.tag === tag);
  expect(stop).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, stop);
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe('migration 0012: reservations onto ledger holds', () => {
  it('makes every active reservation a ledger hold with its id, which then releases as any other', async () => {
    const client = new PGlite();
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsBefore('0012_reservations_on_ledger_holds') });

    const clock = new TestClock('2026-04-01T00:00:00Z');
    const [grant, used, other, userId, active, finished, pending1, pending2] = [
      newId(),
      newId(),
      newId(),
      newId(),
      newId(),
      newId(),
      newId(),
      newId(),
    ];
    const at = clock.now().toISOString();
    await db.execute(
      sql`INSERT INTO ledger_ledgers (code, scale, name, created_at) VALUES ('CREDITS', 0, 'Credits', ${at})`,
    );
    for (const [id, limited] of [
      [grant, true],
      [used, false],
      [other, false],
    ] as const) {
      await db.execute(
        sql`INSERT INTO ledger_accounts (id, ledger, code, debits_must_not_exceed_credits, created_at)
            VALUES (${id}, 'CREDITS', 'test', ${limited}, ${at})`,
      );
    }
    // The grant was credited 10; 3 of it is held by the active reservation, in two pending transfers.
    await db.execute(
      sql`UPDATE ledger_accounts SET credits_posted = 10, debits_pending = 3 WHERE id = ${grant}`,
    );
    await db.execute(sql`UPDATE ledger_accounts SET debits_posted = 10 WHERE id = ${other}`);
    await db.execute(sql`UPDATE ledger_accounts SET credits_pending = 3 WHERE id = ${used}`);
    await db.execute(
      sql`INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, ledger, code, created_at,
            debit_account_debits_pending, debit_account_debits_posted, debit_account_credits_pending, debit_account_credits_posted,
            credit_account_debits_pending, credit_account_debits_posted, credit_account_credits_pending, credit_account_credits_posted)
          VALUES (${newId()}, 'posted', ${other}, ${grant}, 10, 'CREDITS', 'issue', ${at}, 0, 10, 0, 0, 0, 0, 0, 10)`,
    );
    let dp = 0;
    for (const [id, amount] of [
      [pending1, 1],
      [pending2, 2],
    ] as const) {
      dp += amount;
      await db.execute(
        sql`INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, ledger, code, timeout_seconds,
              pending_state, created_at, debit_account_debits_pending, debit_account_debits_posted,
              debit_account_credits_pending, debit_account_credits_posted, credit_account_debits_pending,
              credit_account_debits_posted, credit_account_credits_pending, credit_account_credits_posted)
            VALUES (${id}, 'pending', ${grant}, ${used}, ${amount}, 'CREDITS', 'reserve', 0, 'pending', ${at},
              ${dp}, 0, 0, 10, 0, 0, ${dp}, 0)`,
      );
    }
    const holds = JSON.stringify([
      { grantId: grant, transferId: pending1, amount: '1' },
      { grantId: grant, transferId: pending2, amount: '2' },
    ]);
    for (const [id, state] of [
      [active, 'active'],
      [finished, 'released'],
    ] as const) {
      await db.execute(
        sql`INSERT INTO credits_reservations (id, user_id, reserved_for, amount, state, holds, created_at)
            VALUES (${id}, ${userId}, 'job', 3, ${state}, ${state === 'active' ? holds : '[]'}::jsonb, ${at})`,
      );
    }

    await migrate(db, { migrationsFolder });

    const hold = await readHold(db, active, clock.now());
    expect(hold).toMatchObject({ state: 'held', amount: 3n, sinkAccountId: used, code: 'reserve' });
    expect(hold?.parts.map((p) => [p.transferId, p.amount])).toEqual([
      [pending1, 1n],
      [pending2, 2n],
    ]);
    expect(await readHold(db, finished, clock.now())).toBeNull();
    expect(await findLedgerViolations(db)).toEqual([]);

    await db.transaction((tx) => releaseReservation(tx, clock, userId, active));
    expect((await readHold(db, active, clock.now()))?.state).toBe('released');
    const [grantRow] = await queryRows<{ debits_pending: string }>(
      db,
      sql`SELECT debits_pending::text FROM ledger_accounts WHERE id = ${grant}`,
    );
    expect(grantRow?.debits_pending).toBe('0');
    expect(await findLedgerViolations(db)).toEqual([]);
    await client.close();
  });
});
