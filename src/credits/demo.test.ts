import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TestTally, testTally } from '../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../test/support/snapshot';
import { systemActor } from '../core/actor';
import { queryRows } from '../core/database';
import { makeCreditsDemo } from './demo';
import type { CreditsDeps } from './deps';
import { creditsSpender } from './engine/spend-batch';
import { contrastWithWhite, MIN_CONTRAST, readBrandLogo } from './whitelabel/branding';

/**
 * The credits line's demo, called as `tally demo` calls it, on a Tally whose public address is public
 * and then on one whose address is this machine: the reseller's own site is made only where its
 * `.localhost` domain can be reached, and a second run adds and changes nothing.
 */

let tally: TestTally;
beforeAll(async () => {
  tally = await testTally();
});

/** The line's services on a Tally reached at `publicUrl`; no domain's DNS is ever looked up. */
const depsAt = (publicUrl: string): CreditsDeps => ({
  db: tally.database.db,
  ownDb: tally.database.db,
  clock: tally.clock,
  spender: creditsSpender(tally.database, tally.clock),
  publicUrl,
  kinds: tally.context.kinds,
  notificationTypes: tally.context.notificationTypes,
  dns: {
    cname: async () => expect.unreachable('the demo looks up no DNS record'),
    txt: async () => expect.unreachable('the demo looks up no DNS record'),
  },
});

const northwindSite = () =>
  queryRows<{
    domain: string;
    status: string;
    brand_name: string | null;
    primary_color: string | null;
    accent_color: string | null;
    logo_file_id: string | null;
    id: string;
  }>(
    tally.database.db,
    sql`SELECT w.id, w.domain, w.status, w.brand_name, w.primary_color, w.accent_color, w.logo_file_id
        FROM credits_whitelabels w JOIN core_users u ON u.id = w.user_id
        WHERE u.email = 'owner@northwind.demo.tally.test'`,
  );

/** Northwind's customers: who bought its products, and the credits they used of them. */
const northwindCustomers = () =>
  queryRows<{ email: string; used: number }>(
    tally.database.db,
    sql`SELECT u.email, (SELECT count(*)::int FROM credits_usages s WHERE s.user_id = u.id) AS used
        FROM credits_customers c
        JOIN core_users u ON u.id = c.user_id
        JOIN core_users r ON r.id = c.reseller_user_id
        WHERE r.email = 'owner@northwind.demo.tally.test'
        ORDER BY u.email`,
  );

describe('the credits demo', () => {
  it('leaves the reseller’s domain to it on a public Tally, and says why', { timeout: 120_000 }, async () => {
    const made = await makeCreditsDemo(depsAt('https://tally.example.com'), systemActor, tally.context.files);
    const site = made.find((line) => line.startsWith("Northwind's own site"));
    expect(site).toContain('not set up');
    expect(site).toContain('PUBLIC_URL (https://tally.example.com) is a public address');
    expect(await northwindSite()).toEqual([]);
    // The rest of the reseller's story is there all the same: its customers, and their use of credits.
    const customers = await northwindCustomers();
    expect(customers.map((c) => c.email)).toEqual([
      'ben@northwind-customer.demo.tally.test',
      'chloe@northwind-customer.demo.tally.test',
    ]);
    for (const customer of customers) expect(customer.used).toBeGreaterThan(0);
  });

  it('gives the reseller an active .localhost site with its brand on a development Tally, once', {
    timeout: 180_000,
  }, async () => {
    const deps = depsAt('http://localhost:3000');
    const made = await makeCreditsDemo(deps, systemActor, tally.context.files);
    expect(made).toContainEqual(expect.stringContaining('open http://northwind.localhost:3000'));

    const [site] = await northwindSite();
    expect(site).toMatchObject({
      domain: 'northwind.localhost',
      status: 'active',
      brand_name: 'Northwind',
      primary_color: '#1d4e89',
      accent_color: '#0b7a75',
    });
    expect(contrastWithWhite(site!.primary_color!)).toBeGreaterThanOrEqual(MIN_CONTRAST);
    expect(contrastWithWhite(site!.accent_color!)).toBeGreaterThanOrEqual(MIN_CONTRAST);
    const logo = await readBrandLogo({ ...deps, files: tally.context.files }, site!.id);
    expect(logo.contentType).toBe('image/png');
    expect(logo.bytes.readUInt32BE(16)).toBe(64); // IHDR's width

    // Its shop sells its own product in US dollars, so the shop's card has a Buy button.
    const [shop] = await queryRows<{ name: string; currency: string; amount: string }>(
      tally.database.db,
      sql`SELECT name, display_currency AS currency, display_price_minor::text AS amount
          FROM credits_products WHERE type = 'under_whitelabel'`,
    );
    expect(shop).toEqual({ name: 'Northwind Basic', currency: 'USD', amount: '1900' });

    const before = await snapshotTables(tally.database.db);
    const again = await makeCreditsDemo(deps, systemActor, tally.context.files);
    expect(again).toEqual(made);
    await expectUnchanged(tally.database.db, before);
  });
});
