import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../test/support/database';
import { queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { getAccount, listTransfers } from '../../ledger/service';
import { getBalance } from './balances';
import { expireDueGrants } from './expiry';
import { getGrant, grantCredits, listGrants } from './grants';
import { CREDITS_LEDGER, ensureCreditsLedger, SYSTEM_ACCOUNTS } from './ledger';
import { chargeCredits, reserveCredits } from './spending';
import { type CreditsFixture, creditsFixture, give, person, refusal } from './test-fixtures';

const DAY = 86_400_000;

let f: CreditsFixture;
beforeAll(async () => {
  f = await creditsFixture();
});

describe('grants', () => {
  it('are ledger accounts that may not pay out more than they were credited', async () => {
    await ensureCreditsLedger(f.db, f.clock);
    const userId = person();
    const grant = await give(f, userId, 7n, { reason: 'welcome' });
    const account = await getAccount({ db: f.db }, grant.id);
    expect(account).toMatchObject({
      ledger: CREDITS_LEDGER,
      owner: `user:${userId}`,
      creditsPosted: 7n,
      flags: { debitsMustNotExceedCredits: true },
    });
    expect(await getGrant(f.db, grant.id)).toEqual(grant);
    expect(grant).toMatchObject({ remaining: 7n, reason: 'welcome', expiredAt: null });
  });

  it('are granted once for one id, and refused for the same id with other terms', async () => {
    const userId = person();
    const id = newId();
    const first = await give(f, userId, 4n, { id });
    expect(await give(f, userId, 4n, { id })).toEqual(first);
    await refusal(give(f, userId, 5n, { id }), 'idempotency_conflict');
    expect((await getBalance(f.db, f.clock, { userId })).total).toBe(4n);
  });

  it('refuse bad input: no amount, an adjustment without reason, an expiry in the past', async () => {
    const userId = person();
    await refusal(give(f, userId, 0n), 'validation_failed');
    await refusal(give(f, userId, 3n, { source: 'adjustment' }), 'validation_failed');
    await refusal(give(f, userId, 3n, { expiresAt: f.clock.now() }), 'validation_failed');
    await refusal(give(f, userId, 3n, { fundedBy: { userId } }), 'validation_failed');
    expect((await getBalance(f.db, f.clock, { userId })).total).toBe(0n);
  });

  it('are listed in burn order, used-up ones only on request', async () => {
    const userId = person();
    const workspaceId = newId();
    const late = await give(f, userId, 2n);
    const early = await give(f, userId, 2n, { priority: 1 });
    const inWorkspace = await give(f, userId, 2n, { workspaceId });
    await f.db.transaction((tx) => chargeCredits(tx, f.clock, { userId }, { amount: 2n, usedFor: 'x' }));
    expect((await listGrants(f.db, { userId })).map((g) => g.id)).toEqual([late.id]);
    expect((await listGrants(f.db, { userId }, { includeEmpty: true })).map((g) => g.id)).toEqual([
      early.id,
      late.id,
    ]);
    expect((await listGrants(f.db, { userId, workspaceId })).map((g) => g.id)).toEqual([
      inWorkspace.id,
      late.id,
    ]);
    expect((await listGrants(f.db, { userId }, { allWorkspaces: true })).map((g) => g.id)).toEqual([
      inWorkspace.id,
      late.id,
    ]);
  });
});

describe('reseller-funded grants', () => {
  it("draw the credits out of the reseller's pool in burn order", async () => {
    const reseller = person();
    const customer = person();
    const first = await give(f, reseller, 3n, { priority: 10 });
    const second = await give(f, reseller, 10n);
    await give(f, reseller, 50n, { workspaceId: newId() });
    const grant = await give(f, customer, 5n, { fundedBy: { userId: reseller } });
    expect((await getBalance(f.db, f.clock, { userId: customer })).available).toBe(5n);
    expect(await getBalance(f.db, f.clock, { userId: reseller })).toMatchObject({
      total: 13n,
      used: 5n,
      available: 8n,
    });
    const fundings = (await listTransfers({ db: f.db }, { accountId: grant.id })).items;
    expect(fundings.map((t) => [t.debitAccountId, t.amount, t.code])).toEqual([
      [first.id, 3n, 'fund'],
      [second.id, 2n, 'fund'],
    ]);
  });

  it('are refused when the reseller lacks the credits, and leave nothing behind', async () => {
    const reseller = person();
    const customer = person();
    await give(f, reseller, 4n);
    // Reserved credits are not the reseller's to hand out.
    await f.db.transaction((tx) =>
      reserveCredits(tx, f.clock, { userId: reseller }, { amount: 1n, reservedFor: 'own use' }),
    );
    const refused = await refusal(
      give(f, customer, 4n, { fundedBy: { userId: reseller } }),
      'insufficient_funds',
    );
    expect(refused.details).toEqual({ available: '3', requested: '4' });
    expect(await listGrants(f.db, { userId: customer }, { includeEmpty: true })).toEqual([]);
    expect((await getBalance(f.db, f.clock, { userId: reseller })).available).toBe(3n);
  });

  const databases = [
    { name: 'PGlite', postgres: false },
    ...(testDatabaseUrl ? [{ name: 'PostgreSQL', postgres: true }] : []),
  ];
  it.each(databases)(
    'never hand out more than the reseller holds with 20 racing on $name',
    async ({ postgres }) => {
      const race = postgres ? await creditsFixture({ postgres: true }) : f;
      const reseller = person();
      await give(race, reseller, 100n);
      await race.db.transaction((tx) =>
        chargeCredits(tx, race.clock, { userId: reseller }, { amount: 90n, usedFor: 'earlier customers' }),
      );
      const customers = Array.from({ length: 20 }, () => person());
      const outcomes = await Promise.allSettled(
        customers.map((userId) =>
          race.db.transaction((tx) =>
            grantCredits(tx, race.clock, {
              userId,
              source: 'purchase',
              amount: 1n,
              fundedBy: { userId: reseller },
            }),
          ),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(AppError);
          expect((outcome.reason as AppError).code).toBe('insufficient_funds');
        }
      }
      expect(await getBalance(race.db, race.clock, { userId: reseller })).toMatchObject({
        total: 100n,
        used: 100n,
        available: 0n,
      });
      let handedOut = 0n;
      for (const userId of customers) handedOut += (await getBalance(race.db, race.clock, { userId })).total;
      expect(handedOut).toBe(10n);
    },
  );
});

describe('the grant expiry sweep', () => {
  it('moves what is left of expired grants to the expired sink, once', async () => {
    const userId = person();
    const expiresAt = new Date(f.clock.now().getTime() + DAY);
    const expiring = await give(f, userId, 10n, { expiresAt, source: 'adjustment', reason: 'trial' });
    const lasting = await give(f, userId, 4n);
    await f.db.transaction((tx) => chargeCredits(tx, f.clock, { userId }, { amount: 3n, usedFor: 'x' }));
    const sinkBefore = (await getAccount({ db: f.db }, SYSTEM_ACCOUNTS.expired)).creditsPosted;

    f.clock.set(new Date(expiresAt.getTime() - 1));
    expect(await expireDueGrants(f.db, f.clock)).toBe(0);
    f.clock.set(expiresAt);
    // Out of the balance at its expiry, swept or not.
    expect(await getBalance(f.db, f.clock, { userId })).toMatchObject({ total: 4n, used: 0n, available: 4n });
    expect(await expireDueGrants(f.db, f.clock)).toBe(1);
    expect(await expireDueGrants(f.db, f.clock)).toBe(0);

    const account = await getAccount({ db: f.db }, expiring.id);
    expect([account.debitsPosted, account.creditsPosted]).toEqual([10n, 10n]);
    expect((await getAccount({ db: f.db }, SYSTEM_ACCOUNTS.expired)).creditsPosted - sinkBefore).toBe(7n);
    expect(await getGrant(f.db, expiring.id)).toMatchObject({ remaining: 0n, expiredAt: expiresAt });
    expect(await getGrant(f.db, lasting.id)).toMatchObject({ remaining: 4n, expiredAt: null });
    const swept = await queryRows<{ n: string }>(
      f.db,
      sql`SELECT count(*)::text AS n FROM ledger_transfers WHERE debit_account_id = ${expiring.id} AND code = 'expire'`,
    );
    expect(swept[0]?.n).toBe('1');
  });
});
