import fs from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Body, read, request, signedInPerson, type TestPerson } from '../support/app';
import { accessibilityAudit } from './support/accessibility';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { type RunningTally, startTally } from './support/server';

/** Three purchases, oldest first, each in a second of its own so that their order is their time's. */
const BOUGHT = [
  { email: 'zoe@example.com', product: 'Starter, yearly', order: 'shop-1001', paid: undefined },
  {
    email: 'ada@example.com',
    product: 'Pro',
    order: 'gift "B", 1002',
    paid: { amount_minor: '4950', currency: 'EUR' },
  },
  { email: 'bob@example.com', product: 'Starter, yearly', order: 'shop-1003', paid: undefined },
] as const;

/**
 * The credits line's tables in a browser: an administrator sorts the purchases by a column header,
 * searches them, and downloads them as CSV (the file checked as saved); on a phone the same
 * purchases, and the Mailbox, are lists of cards that need no sideways scrolling.
 */
describe('credits tables: sorted, searched and downloaded, and cards on a phone', () => {
  let server: RunningTally;
  let browser: Browser;
  let admin: TestPerson;
  const recorded = new Map<string, string>();
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('credits-tables', audit.check);

  const ok = async (response: Response, status: number): Promise<Body> => {
    const body = await read(response);
    expect({ status: response.status, body }).toMatchObject({ status });
    return body;
  };

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    admin = await signedInPerson(server.tally, {
      name: 'Grace Admin',
      email: 'grace@example.com',
      isAdmin: true,
    });
    const product = async (name: string) =>
      ok(
        await request(server.tally, 'POST', '/api/credits/products', {
          as: admin,
          body: { type: 'generic', name, credits_per_cycle: '100', refill_cycle: 'none', permissions: [] },
        }),
        201,
      );
    const products = { 'Starter, yearly': await product('Starter, yearly'), Pro: await product('Pro') };
    for (const [index, purchase] of BOUGHT.entries()) {
      if (index > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
      await ok(
        await request(server.tally, 'POST', '/api/credits/purchases', {
          as: admin,
          body: {
            email: purchase.email,
            product_id: products[purchase.product].id,
            order_reference: purchase.order,
            ...(purchase.paid ? { amount_paid: purchase.paid } : {}),
          },
        }),
        201,
      );
    }
    const listed = await ok(await request(server.tally, 'GET', '/api/credits/purchases', { as: admin }), 200);
    for (const item of listed.items as { email: string; created_at: string }[]) {
      recorded.set(item.email, item.created_at);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A tab signed in as the administrator. */
  const openAs = async (viewport: 'desktop' | 'phone', path: string) => {
    const page = await browser.open(viewport);
    const [name = '', value = ''] = admin.cookie.split('=');
    await page.context().addCookies([{ name, value, url: server.url }]);
    await page.goto(`${server.url}${path}`);
    return page;
  };

  /** The text of one column of the rows shown, top to bottom. */
  const column = (table: Locator, index: number) =>
    table
      .locator('tbody tr')
      .evaluateAll((rows, at) => rows.map((row) => row.querySelectorAll('td')[at]?.textContent ?? ''), index);

  const sortButton = (table: Locator, name: string) =>
    table.getByRole('columnheader', { name }).getByRole('button', { name });

  const isoToTheSecond = (iso: string) => `${new Date(iso).toISOString().slice(0, 19)}Z`;

  it('sorts the purchases by a column header, searches them, and downloads them as shown', async () => {
    const desktop = await openAs('desktop', '/credits/admin/purchases');
    const table = desktop.getByRole('table', { name: 'Purchases' });
    await table.getByRole('row', { name: /zoe@example\.com/ }).waitFor();
    await expect(table.getByRole('columnheader', { name: 'When' }).getAttribute('aria-sort')).resolves.toBe(
      'descending',
    );
    expect(await column(table, 1)).toEqual(['bob@example.com', 'ada@example.com', 'zoe@example.com']);
    // Times to the second: the three purchases a second apart read apart.
    const times = await column(table, 0);
    expect(times.every((time) => /\d{1,2}:\d{2}:\d{2}/.test(time))).toBe(true);
    expect(new Set(times).size).toBe(3);

    await sortButton(table, 'Buyer').click();
    await expect(table.getByRole('columnheader', { name: 'Buyer' }).getAttribute('aria-sort')).resolves.toBe(
      'ascending',
    );
    await expect(table.getByRole('columnheader', { name: 'When' }).getAttribute('aria-sort')).resolves.toBe(
      'none',
    );
    expect(await column(table, 1)).toEqual(['ada@example.com', 'bob@example.com', 'zoe@example.com']);
    await sortButton(table, 'Buyer').click();
    expect(await column(table, 1)).toEqual(['zoe@example.com', 'bob@example.com', 'ada@example.com']);

    await desktop.getByLabel('Search purchases').fill('starter');
    await expect.poll(() => column(table, 1)).toEqual(['zoe@example.com', 'bob@example.com']);
    await expect(desktop.getByRole('status').filter({ hasText: /of 3$/ }).textContent()).resolves.toBe(
      '2 of 3',
    );
    await screenshot(desktop, 'purchases-sorted-and-searched');

    const [download] = await Promise.all([
      desktop.waitForEvent('download'),
      desktop.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^purchases-\d{4}-\d{2}-\d{2}\.csv$/);
    const today = new Date();
    expect(download.suggestedFilename()).toBe(
      `purchases-${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}.csv`,
    );
    const saved = fs.readFileSync(await download.path(), 'utf8');
    const at = (email: string) => isoToTheSecond(recorded.get(email)!);
    expect(saved).toBe(
      'When,Buyer,Product,Paid,From,Order reference,Account\r\n' +
        `${at('zoe@example.com')},zoe@example.com,"Starter, yearly",,Entered by an administrator,shop-1001,new account\r\n` +
        `${at('bob@example.com')},bob@example.com,"Starter, yearly",,Entered by an administrator,shop-1003,new account\r\n`,
    );

    // Everything again, in the order of a column without a search: the quoted order reference too.
    await desktop.getByLabel('Search purchases').fill('');
    await sortButton(table, 'When').click();
    const [all] = await Promise.all([
      desktop.waitForEvent('download'),
      desktop.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(
      fs
        .readFileSync(await all.path(), 'utf8')
        .split('\r\n')
        .slice(1, 4),
    ).toEqual([
      `${at('zoe@example.com')},zoe@example.com,"Starter, yearly",,Entered by an administrator,shop-1001,new account`,
      `${at('ada@example.com')},ada@example.com,Pro,49.50 EUR,Entered by an administrator,"gift ""B"", 1002",new account`,
      `${at('bob@example.com')},bob@example.com,"Starter, yearly",,Entered by an administrator,shop-1003,new account`,
    ]);
    await desktop.close();
  });

  /** Whether the page scrolls sideways (something wider than the screen). */
  const scrollsSideways = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

  it('shows the purchases as cards on a phone, sorted from a menu, with nothing hidden sideways', async () => {
    const phone = await openAs('phone', '/credits/admin/purchases');
    const cards = phone.getByRole('list', { name: 'Purchases' }).getByRole('listitem');
    await expect.poll(() => cards.count()).toBe(3);
    await expect(phone.getByRole('table', { name: 'Purchases' }).count()).resolves.toBe(0);
    const bob = cards.filter({ hasText: 'bob@example.com' });
    await bob.getByText('shop-1003').waitFor();
    await bob.getByText('new account').waitFor();
    await cards.filter({ hasText: 'ada@example.com' }).getByText('49.50 EUR', { exact: true }).waitFor();
    expect(await cards.first().textContent()).toContain('bob@example.com');

    await phone.getByLabel('Sort by').selectOption({ label: 'Buyer, ascending' });
    await expect.poll(async () => (await cards.first().textContent()) ?? '').toContain('ada@example.com');
    await expect(scrollsSideways(phone)).resolves.toBe(false);
    await screenshot(phone, 'purchases-phone');
    await phone.close();
  });

  it('shows the Mailbox as cards on a phone', async () => {
    const phone = await openAs('phone', '/mailbox');
    const mail = phone.getByRole('list', { name: 'Mail' }).getByRole('listitem');
    // Each new buyer was mailed their login details.
    await expect.poll(() => mail.filter({ hasText: 'Your Tally login details' }).count()).toBe(3);
    await mail
      .filter({ hasText: 'ada@example.com' })
      .getByRole('link', { name: 'Your Tally login details' })
      .waitFor();
    await expect(phone.getByRole('table').count()).resolves.toBe(0);
    await expect(scrollsSideways(phone)).resolves.toBe(false);
    await screenshot(phone, 'mailbox-phone');
    await phone.close();
    expect(browser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
