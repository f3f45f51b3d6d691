import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestPerson } from '../../test/support/app';
import { creditsAdmin, ok } from '../../test/support/credits';
import { installInputApis, namedProduct } from './support/credits-stage';
import { tallyPages } from './support/pages';

const pages = tallyPages();

/** The purchases on stage, oldest first: each a second and a half after the one before. */
const BOUGHT = [
  {
    email: 'zoe@example.test',
    product: 'Starter, yearly',
    order: 'shop-1001',
    paid: { amount_minor: '1234567', currency: 'USD' },
  },
  {
    email: 'ada@example.test',
    product: 'Pro',
    order: 'gift "B", 1002',
    paid: { amount_minor: '4950', currency: 'EUR' },
  },
  { email: 'bob@example.test', product: 'Starter, yearly', order: '=1+2', paid: undefined },
] as const;

let admin: TestPerson;
/** When the server recorded each purchase, by buyer, as the API gives it. */
const recorded = new Map<string, string>();

beforeAll(async () => {
  installInputApis();
  admin = await creditsAdmin(pages.tally);
  const starter = await namedProduct(pages.tally, admin, { type: 'generic', name: 'Starter, yearly' });
  const pro = await namedProduct(pages.tally, admin, { type: 'generic', name: 'Pro' });
  for (const purchase of BOUGHT) {
    pages.tally.clock.advance(1500);
    await ok(pages.tally, 201, 'POST', '/api/credits/purchases', {
      as: admin,
      body: {
        email: purchase.email,
        product_id: (purchase.product === 'Pro' ? pro : starter).id,
        order_reference: purchase.order,
        ...(purchase.paid ? { amount_paid: purchase.paid } : {}),
      },
    });
  }
  const listed = await ok(pages.tally, 200, 'GET', '/api/credits/purchases', { as: admin });
  for (const item of listed.items as { email: string; created_at: string }[]) {
    recorded.set(item.email, item.created_at);
  }
  await import('../src/lines/credits/CreditsPages');
});

afterEach(() => vi.restoreAllMocks());

async function open() {
  pages.signIn(admin);
  const { user } = await pages.render('/credits/admin/purchases');
  const table = await screen.findByRole('table', { name: 'Purchases' });
  await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(1 + BOUGHT.length));
  return { user, table };
}

/** The buyers listed, top to bottom. */
const buyers = (table: HTMLElement) =>
  within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.querySelectorAll('td')[1]?.textContent);

const header = (table: HTMLElement, name: string) => within(table).getByRole('columnheader', { name });
const sortBy = (user: UserEvent, table: HTMLElement, name: string) =>
  user.click(within(header(table, name)).getByRole('button', { name }));

/** What "Download CSV" hands the browser: the file's name and its text. */
function catchDownload() {
  const saved: { name?: string; blob?: Blob } = {};
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    saved.blob = blob as Blob;
    return 'blob:purchases';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.name = this.download;
  });
  return async () => {
    await waitFor(() => expect(saved.name).toBeDefined());
    return { name: saved.name, text: await saved.blob!.text() };
  };
}

const isoToTheSecond = (iso: string) => `${new Date(iso).toISOString().slice(0, 19)}Z`;

describe('the purchases table', () => {
  it('lists the newest first, to the second, and sorts by any column from its header', async () => {
    const { user, table } = await open();
    expect(header(table, 'When').getAttribute('aria-sort')).toBe('descending');
    expect(buyers(table)).toEqual(['bob@example.test', 'ada@example.test', 'zoe@example.test']);
    const newest = within(table).getAllByRole('row')[1]!.querySelectorAll('td')[0]!.textContent ?? '';
    expect(newest).toMatch(/\d{1,2}:\d{2}:\d{2}/);

    await sortBy(user, table, 'Buyer');
    expect(header(table, 'Buyer').getAttribute('aria-sort')).toBe('ascending');
    expect(header(table, 'When').getAttribute('aria-sort')).toBe('none');
    expect(buyers(table)).toEqual(['ada@example.test', 'bob@example.test', 'zoe@example.test']);

    await sortBy(user, table, 'Buyer');
    expect(header(table, 'Buyer').getAttribute('aria-sort')).toBe('descending');
    expect(buyers(table)).toEqual(['zoe@example.test', 'bob@example.test', 'ada@example.test']);

    await sortBy(user, table, 'Product');
    expect(header(table, 'Product').getAttribute('aria-sort')).toBe('ascending');
    // "Pro" before "Starter, yearly"; the two Starter purchases keep their newest-first order.
    expect(buyers(table)).toEqual(['ada@example.test', 'bob@example.test', 'zoe@example.test']);

    // Amounts paid sort by currency, then exactly; a purchase without one comes last either way.
    await sortBy(user, table, 'Paid');
    expect(buyers(table)).toEqual(['ada@example.test', 'zoe@example.test', 'bob@example.test']);
    await sortBy(user, table, 'Paid');
    expect(buyers(table)).toEqual(['zoe@example.test', 'ada@example.test', 'bob@example.test']);

    await sortBy(user, table, 'When');
    expect(header(table, 'When').getAttribute('aria-sort')).toBe('ascending');
    expect(buyers(table)).toEqual(['zoe@example.test', 'ada@example.test', 'bob@example.test']);
  });

  it('searches what the rows say, with a count, and says when nothing matches', async () => {
    const { user, table } = await open();
    const search = screen.getByLabelText('Search purchases');
    expect(screen.getByRole('status').textContent).toBe('3 of 3');

    await user.type(search, 'STARTER');
    expect(buyers(table)).toEqual(['bob@example.test', 'zoe@example.test']);
    expect(screen.getByRole('status').textContent).toBe('2 of 3');

    await user.clear(search);
    await user.type(search, 'gift 1002');
    expect(buyers(table)).toEqual(['ada@example.test']);
    expect(screen.getByRole('status').textContent).toBe('1 of 3');

    await user.clear(search);
    await user.type(search, 'nobody');
    expect(buyers(table)).toEqual([]);
    expect(screen.getByRole('status').textContent).toBe('0 of 3');
    expect(screen.getByText('Nothing matches “nobody”.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Download CSV' }).hasAttribute('disabled')).toBe(true);
  });

  it('downloads the rows as searched and sorted, as CSV named after the table and the day', async () => {
    const { user, table } = await open();
    const download = catchDownload();
    await user.type(screen.getByLabelText('Search purchases'), 'example.test');
    await sortBy(user, table, 'Buyer');
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    const { name, text } = await download();

    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    expect(name).toBe(`purchases-${day}.csv`);
    const at = (email: string) => isoToTheSecond(recorded.get(email)!);
    expect(text).toBe(
      'When,Buyer,Product,Paid,From,Order reference,Account\r\n' +
        `${at('ada@example.test')},ada@example.test,Pro,49.50 EUR,Entered by an administrator,"gift ""B"", 1002",new account\r\n` +
        `${at('bob@example.test')},bob@example.test,"Starter, yearly",,Entered by an administrator,'=1+2,new account\r\n` +
        `${at('zoe@example.test')},zoe@example.test,"Starter, yearly",12345.67 USD,Entered by an administrator,shop-1001,new account\r\n`,
    );
    expect(at('zoe@example.test')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    // What was searched away is not exported.
    const again = catchDownload();
    await user.clear(screen.getByLabelText('Search purchases'));
    await user.type(screen.getByLabelText('Search purchases'), 'zoe');
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect((await again()).text.split('\r\n').filter(Boolean)).toHaveLength(2);
  });
});
