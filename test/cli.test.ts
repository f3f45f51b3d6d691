import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase, queryRows } from '../src/core/database';
import { createPostgresDatabase, testDatabaseUrl } from './support/database';
import { expectUnchanged, snapshotTables } from './support/snapshot';

/** The `tally` command, run as a person would, against the embedded database or PostgreSQL. */

const tsx = path.join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
const cli = path.join(import.meta.dirname, '..', 'src', 'cli.ts');
let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-cli-'));
  env = { PATH: process.env.PATH ?? '', TALLY_HOME: home, LOG_LEVEL: 'silent' };
  let drop: (() => Promise<void>) | undefined;
  if (testDatabaseUrl) {
    const created = await createPostgresDatabase();
    env.DATABASE_URL = created.url;
    drop = created.drop;
  }
  cleanup = async () => {
    fs.rmSync(home, { recursive: true, force: true });
    await drop?.();
  };
});

afterAll(() => cleanup());

function tally(args: string[], extraEnv: Record<string, string> = {}) {
  const run = spawnSync(tsx, [cli, ...args], {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const createdId = (out: string) => /^ok ([0-9a-f-]{36})$/m.exec(out)?.[1] ?? '';

describe('tally ledger', () => {
  // Eight runs of the command, each starting Node and opening the database: slow on a busy machine.
  it('creates a ledger and accounts, moves value in asset decimals, and shows balance and history', {
    timeout: 180_000,
  }, () => {
    expect(tally(['ledger', 'create-ledger', '--code', 'USDC', '--scale', '6'])).toMatchObject({ code: 0 });
    const treasury = createdId(
      tally(['ledger', 'create-account', '--ledger', 'USDC', '--code', 'treasury']).out,
    );
    const walletRun = tally([
      'ledger',
      'create-account',
      '--ledger',
      'USDC',
      '--code',
      'wallet',
      '--debits-must-not-exceed-credits',
    ]);
    const wallet = createdId(walletRun.out);
    expect(wallet).not.toBe('');
    const common = ['--ledger', 'USDC', '--code', 'deposit'];
    const moved = tally([
      'ledger',
      'transfer',
      '--debit',
      treasury,
      '--credit',
      wallet,
      '--amount',
      '25.5',
      ...common,
    ]);
    expect(moved.code).toBe(0);
    const overdraw = tally([
      'ledger',
      'transfer',
      '--debit',
      wallet,
      '--credit',
      treasury,
      '--amount',
      '30',
      ...common,
    ]);
    expect(overdraw.code).toBe(1);
    expect(overdraw.out).toMatch(/^exceeds_credits /);
    const tooPrecise = tally([
      'ledger',
      'transfer',
      '--debit',
      treasury,
      '--credit',
      wallet,
      '--amount',
      '0.0000001',
      ...common,
    ]);
    expect(tooPrecise.code).toBe(1);
    expect(tooPrecise.err).toContain('more than 6 decimals');

    const balance = tally(['ledger', 'balance', wallet]);
    expect(balance.out).toContain('credits posted   25.500000 USDC');
    expect(balance.out).toContain('debits posted    0.000000 USDC');
    const history = tally(['ledger', 'history', wallet]);
    expect(history.out).toMatch(/posted\s+\+25\.500000 → credits 25\.500000/);
    expect(tally(['ledger', 'verify'])).toMatchObject({ code: 0, out: 'all ledger invariants hold\n' });
  });

  it('refuses an unknown command with usage', () => {
    const run = tally(['ledger', 'frobnicate']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('unknown ledger command');
  });
});

describe('tally admin', () => {
  it('creates an administrator with a password shown once, and promotes an existing account', () => {
    const created = tally(['admin', 'create', '--email', 'Root@Example.test', '--name', 'Root']);
    expect(created.code).toBe(0);
    expect(created.out).toContain('administrator Root@Example.test created');
    expect(created.out).toMatch(/password: \S{20} {2}\(shown once/);
    const again = tally(['admin', 'create', '--email', 'root@example.test']);
    expect(again.out).toContain('is now an administrator (password unchanged)');
    expect(tally(['admin', 'create']).err).toContain('--email is required');
  });
});

describe('tally credits', () => {
  it('moves only a reseller’s shop, and reconciles floats', { timeout: 120_000 }, () => {
    const stranger = tally([
      'credits',
      'tenant-move',
      '--user',
      '0190a000-0000-7000-8000-000000000001',
      '--to',
      'own',
    ]);
    expect(stranger.code).toBe(1);
    expect(stranger.err).toContain('only a whitelabel reseller’s shop can move');
    const reconciled = tally(['credits', 'float-reconcile']);
    expect(reconciled).toMatchObject({ code: 0 });
    expect(reconciled.out).toContain('no reseller has a database of its own');
  });
});

describe('configuration', () => {
  it('stops start with a message naming each wrong variable', () => {
    const run = tally(['start'], { PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(run.code).toBe(1);
    expect(run.err).toContain('Invalid configuration');
    expect(run.err).toContain('PORT');
    expect(run.err).toContain('LOG_LEVEL');
  });
});

describe('tally demo', () => {
  it('fills a fresh Tally through the lines, and a second run adds and changes nothing', {
    timeout: 300_000,
  }, async () => {
    const fresh = await freshCliEnvironment();
    try {
      const first = tally(['demo'], fresh.env);
      expect(first.err).toBe('');
      expect(first.code).toBe(0);
      expect(first.out).toContain('Credits:');
      expect(first.out).toMatch(/\d+ charges over 28 days/);
      expect(first.out).toContain("Northwind's own site: open http://northwind.localhost:3000");

      const before = await fresh.withDatabase(async (db) => {
        const [counts] = await queryRows<{
          products: number;
          purchases: number;
          usages: number;
          workspaces: number;
        }>(
          db,
          sql`SELECT (SELECT count(*)::int FROM credits_products) AS products,
                     (SELECT count(*)::int FROM credits_purchases) AS purchases,
                     (SELECT count(*)::int FROM credits_usages) AS usages,
                     (SELECT count(*)::int FROM core_organizations WHERE kind = 'credits_workspace') AS workspaces`,
        );
        expect(counts).toEqual({ products: 4, purchases: 5, usages: expect.any(Number), workspaces: 3 });
        expect(counts!.usages).toBeGreaterThan(100);
        // The reseller's own site: on this Tally (PUBLIC_URL unset, so http://localhost:3000) its
        // .localhost domain is active at once, under its brand, and its customers used credits.
        const [site] = await queryRows<{ domain: string; status: string; brand_name: string; color: string }>(
          db,
          sql`SELECT w.domain, w.status, w.brand_name, w.primary_color AS color
              FROM credits_whitelabels w JOIN core_users u ON u.id = w.user_id
              WHERE u.email = 'owner@northwind.demo.tally.test'`,
        );
        expect(site).toEqual({
          domain: 'northwind.localhost',
          status: 'active',
          brand_name: 'Northwind',
          color: '#1d4e89',
        });
        const customers = await queryRows<{ email: string; used: number }>(
          db,
          sql`SELECT u.email, (SELECT count(*)::int FROM credits_usages s WHERE s.user_id = u.id) AS used
              FROM credits_customers c
              JOIN core_users u ON u.id = c.user_id
              JOIN core_users r ON r.id = c.reseller_user_id
              WHERE r.email = 'owner@northwind.demo.tally.test' ORDER BY u.email`,
        );
        expect(customers.map((customer) => customer.email)).toEqual([
          'ben@northwind-customer.demo.tally.test',
          'chloe@northwind-customer.demo.tally.test',
        ]);
        for (const customer of customers) expect(customer.used).toBeGreaterThan(0);
        return snapshotTables(db);
      });

      const second = tally(['demo'], fresh.env);
      expect(second.err).toBe('');
      expect(second.code).toBe(0);
      await fresh.withDatabase((db) => expectUnchanged(db, before));
    } finally {
      await fresh.cleanup();
    }
  });
});

/** A TALLY_HOME (and database) of its own, and a way to look into it between runs of the command. */
async function freshCliEnvironment() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-cli-demo-'));
  const own: Record<string, string> = { TALLY_HOME: home };
  let drop: (() => Promise<void>) | undefined;
  if (testDatabaseUrl) {
    const created = await createPostgresDatabase();
    own.DATABASE_URL = created.url;
    drop = created.drop;
  }
  const open = () =>
    own.DATABASE_URL
      ? openDatabase({ url: own.DATABASE_URL })
      : openDatabase({ dataDir: path.join(home, 'data') });
  return {
    env: own,
    async withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
      const database = await open();
      try {
        return await work(database.db);
      } finally {
        await database.close();
      }
    },
    async cleanup() {
      fs.rmSync(home, { recursive: true, force: true });
      await drop?.();
    },
  };
}
