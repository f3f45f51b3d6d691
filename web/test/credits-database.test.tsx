import { screen, waitFor, within } from '@testing-library/react';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/core/database';
import type { TestPerson } from '../../test/support/app';
import { creditsAdmin, ok } from '../../test/support/credits';
import { installInputApis, reseller } from './support/credits-stage';
import { tallyPages } from './support/pages';

/** The reseller's overview asks for its shop's own database, and follows it. */

const pages = tallyPages();
let fresh: TestPerson;
let started: TestPerson;
let moved: TestPerson;

beforeAll(async () => {
  installInputApis();
  const admin = await creditsAdmin(pages.tally);
  const withDomain = async () => {
    const { person } = await reseller(pages.tally, admin);
    await ok(pages.tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: person,
      body: { domain: `shop-${person.userId.slice(-8)}.example.com` },
    });
    return person;
  };
  fresh = await withDomain();
  started = await withDomain();
  moved = await withDomain();
  await ok(pages.tally, 200, 'POST', '/api/credits/whitelabel/database', { as: moved });
  // As the sweep leaves it once made: what matters here is only that the shop runs on it.
  await pages.tally.database.db.execute(
    sql`UPDATE credits_tenant_databases SET state = 'ready', ready_at = now() WHERE user_id = ${moved.userId}`,
  );
  await ok(pages.tally, 201, 'POST', '/api/credits/products', {
    as: started,
    body: {
      type: 'under_whitelabel',
      name: 'First',
      credits_per_cycle: '5',
      refill_cycle: 'month',
      permissions: [],
    },
  });
  await import('../src/lines/credits/CreditsPages');
});

const databasesOf = async (person: TestPerson) =>
  (
    await queryRows<{ state: string }>(
      pages.tally.database.db,
      sql`SELECT state FROM credits_tenant_databases WHERE user_id = ${person.userId}`,
    )
  ).map((row) => row.state);

describe('a shop’s own database', () => {
  it('is asked for once, with what it means said first, and then followed', async () => {
    pages.signIn(fresh);
    const { user } = await pages.render('/credits/reseller');
    await screen.findByRole('heading', { name: 'Your shop’s own database' });
    await user.click(await screen.findByRole('button', { name: 'Ask for a database of my own' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('You manage your shop on your domain from then on');
    await user.click(within(dialog).getByRole('button', { name: 'Ask for it' }));
    await waitFor(() => expect(screen.getByText('Asked for: it is being made.')).toBeTruthy());
    expect(screen.getByText('requested')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Ask for a database of my own' })).toBeNull();
    expect(await databasesOf(fresh)).toEqual(['requested']);

    // No click: the section asks again while the database is being made.
    await pages.tally.database.db.execute(
      sql`UPDATE credits_tenant_databases SET state = 'migrated' WHERE user_id = ${fresh.userId}`,
    );
    await screen.findByText('Set up: it opens for your shop in a moment.', undefined, { timeout: 8_000 });
    expect(screen.getByText('migrated')).toBeTruthy();
  }, 30_000);

  it('is refused to a shop that has started, saying why, and nothing is asked for', async () => {
    pages.signIn(started);
    const { user } = await pages.render('/credits/reseller');
    await user.click(await screen.findByRole('button', { name: 'Ask for a database of my own' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Ask for it' }));
    await waitFor(() => expect(dialog.textContent).toContain('already has 1 product(s) and 0 customer(s)'));
    expect(await databasesOf(started)).toEqual([]);
  });
});

describe('the products of a shop on its own database, on Tally’s site', () => {
  it('are not listed nor made here: the reseller is sent to its domain, where they are', async () => {
    pages.signIn(moved);
    const domain = (await ok(pages.tally, 200, 'GET', '/api/credits/whitelabel', { as: moved })).domain;
    await pages.render('/credits/reseller/products');
    const note = await screen.findByRole('status', { name: 'Your shop runs on its own database' });
    expect(
      within(note)
        .getByRole('link', { name: `on https://${domain}` })
        .getAttribute('href'),
    ).toBe(`https://${domain}/credits/reseller/products`);
    expect(screen.queryByRole('button', { name: 'Create product' })).toBeNull();
    expect(screen.queryByText('No products yet')).toBeNull();
  });

  it('are not previewed here either', async () => {
    pages.signIn(moved);
    await pages.render('/credits/reseller/shop');
    await screen.findByRole('status', { name: 'Your shop runs on its own database' });
    expect(screen.queryByText('Nothing on sale yet')).toBeNull();
  });

  it('are listed and made here for a shop on Tally’s database', async () => {
    pages.signIn(started);
    await pages.render('/credits/reseller/products');
    await screen.findByRole('button', { name: 'Create product' });
    expect(screen.queryByRole('status', { name: 'Your shop runs on its own database' })).toBeNull();
  });
});
