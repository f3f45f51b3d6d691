import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedInPerson, type TestPerson } from '../../test/support/app';
import { creditsAdmin } from '../../test/support/credits';
import {
  balanceOfUser,
  customer,
  field,
  fieldError,
  installInputApis,
  oneRow,
} from './support/credits-stage';
import { tallyPages } from './support/pages';

/**
 * What a new user stumbled on (UI.md, "Lessons from watching a new user"), in the credits line's
 * forms: amounts typed with either decimal separator and shown as they will be saved, secrets that
 * only "I have stored it" puts away, and focus on the first field to fix after a refused submit.
 */

const pages = tallyPages();

/** What the page sent that changes something: a form that refuses to send leaves this empty. */
const changesSent = () => pages.sent.filter((request) => request.method !== 'GET');

let admin: TestPerson;
beforeAll(async () => {
  installInputApis();
  admin = await creditsAdmin(pages.tally);
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/credits/CreditsPages');
});
// Each test starts a fresh hour, so the per-address limits of one test do not reach the next.
afterEach(() => void pages.tally.clock.advance(2 * 3600 * 1000));

/** The line under an amount field: what it will be saved as, or how to write one. */
const amountLine = (input: HTMLElement) =>
  input.ownerDocument.getElementById(`${input.id}-description`)?.querySelector('[data-amount-preview]')
    ?.textContent ?? null;

const retype = async (user: UserEvent, input: HTMLElement, text: string) => {
  await user.clear(input);
  if (text) await user.type(input, text);
};

describe('the display price of a new product', () => {
  const open = async () => {
    pages.signIn(admin);
    const { user } = await pages.render('/credits/admin/products');
    const form = await screen.findByRole('form', { name: 'Create a product' });
    return {
      user,
      form,
      submit: () => user.click(within(form).getByRole('button', { name: 'Create product' })),
      name: () => field(form, /^Name\W*$/),
      credits: () => field(form, /^Credits per cycle\W*$/),
      price: () => field(form, /^Display price\W*$/),
      currency: () => field(form, /^Currency/),
    };
  };

  it('takes 49,00 as 49.00 USD, says so before saving, and saves 4900 cents', async () => {
    const { user, submit, name, credits, price } = await open();
    const productName = `Comma ${Date.now().toString(36)}`;
    expect(amountLine(price())).toBe(
      'In USD, with up to 2 decimals: 49.00 or 49,00; at most 1,000,000.00 USD.',
    );
    await user.type(name(), productName);
    await user.type(credits(), '1.200');
    expect(amountLine(credits())).toBe('Saved as 1,200 credits.');
    await user.type(price(), '49,00');
    expect(fieldError(price())).toBeNull();
    expect(amountLine(price())).toBe('Saved as 49.00 USD.');
    await submit();
    await screen.findByText(`${productName} created.`);

    const [sent] = changesSent();
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/api/credits/products',
      body: { credits_per_cycle: '1200', display_price: { amount_minor: '4900', currency: 'USD' } },
    });
    const stored = await oneRow<{ price: string }>(
      pages.tally,
      sql`SELECT display_price_minor::text AS price FROM credits_products WHERE name = ${productName}`,
    );
    expect(stored.price).toBe('4900');
  });

  it('refuses a price past a million with a sentence that names the bound, focuses it, and sends nothing', async () => {
    const { user, submit, name, credits, price } = await open();
    await user.type(name(), 'Too dear');
    await user.type(credits(), '100');
    await user.type(price(), '1000000000000.99');
    expect(fieldError(price())).toBe('At most 1,000,000.00 USD: the highest display price Tally takes');
    expect(amountLine(price())).not.toMatch(/^Saved as/);
    await user.click(name());
    await submit();
    await waitFor(() => expect(document.activeElement).toBe(price()));
    expect(changesSent()).toEqual([]);

    await retype(user, price(), '1000000');
    expect(fieldError(price())).toBeNull();
    expect(amountLine(price())).toBe('Saved as 1,000,000.00 USD.');
  });

  it('refuses what could be read two ways, and more decimals than the currency has', async () => {
    const { user, submit, name, credits, price, currency } = await open();
    await user.type(name(), 'Ambiguous');
    await user.type(credits(), '100');
    await user.type(price(), '1,234');
    expect(fieldError(price())).toBe(
      '“1,234” could be 1234 or 1.234: write 1234 without a separator, or at most 2 decimals',
    );
    await retype(user, price(), '1,234.50');
    expect(amountLine(price())).toBe('Saved as 1,234.50 USD.');
    await retype(user, price(), '1.234,50');
    expect(amountLine(price())).toBe('Saved as 1,234.50 USD.');

    // A currency without decimals makes the same price too precise, checked again as it changes.
    await retype(user, currency(), 'jpy');
    expect(fieldError(price())).toBe('JPY has no decimals: enter a whole amount');
    await retype(user, currency(), 'XYZ');
    expect(fieldError(currency())).toBe('XYZ is not an ISO 4217 currency: use a code such as USD or EUR');
    await retype(user, currency(), 'JPY');
    await submit();
    await waitFor(() => expect(document.activeElement).toBe(price()));
    expect(changesSent()).toEqual([]);
  });
});

describe('focus after a refused submit', () => {
  it('goes to the first field to fix in the product form', async () => {
    pages.signIn(admin);
    const { user } = await pages.render('/credits/admin/products');
    const form = await screen.findByRole('form', { name: 'Create a product' });
    await user.click(within(form).getByRole('button', { name: 'Create product' }));
    await waitFor(() => expect(document.activeElement).toBe(field(form, /^Name\W*$/)));
  });

  it('goes to the amount of an adjustment, which says what it adds once it can', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 50 });
    pages.signIn(admin);
    const { user } = await pages.render(`/credits/admin/users/${person.userId}`);
    const form = await screen.findByRole('form', { name: 'Adjust credits' });
    const amount = field(form, /^Amount in credits\W*$/);
    const reason = field(form, /^Reason\W*$/);
    await user.type(reason, 'Goodwill gesture');
    await user.click(within(form).getByRole('button', { name: 'Add credits' }));
    await waitFor(() => expect(document.activeElement).toBe(amount));
    expect(fieldError(amount)).toBe('Enter a whole number of credits, such as 100');

    await user.type(amount, '1 025');
    expect(amountLine(amount)).toBe('Adds 1,025 credits to their balance.');
    await user.click(within(form).getByRole('button', { name: 'Add credits' }));
    await screen.findByText('Added 1,025 credits.');
    expect((await balanceOfUser(pages.tally, admin, person)).total).toBe('1075');
  });
});

describe('a secret shown once', () => {
  it('starts on Copy, and neither Esc, Enter nor a click outside closes it: only “I have stored it”', async () => {
    pages.signIn(admin);
    const { user } = await pages.render('/credits/admin/integrations');
    const form = await screen.findByRole('form', { name: 'Connect a sales platform' });
    const platform = `Shop ${Date.now().toString(36)}`;
    await user.type(field(form, /^Name\W*$/), platform);
    // A stray Enter in the name submits the form, and must not also put the secret away.
    await user.keyboard('{Enter}');

    const name = `Integration “${platform}” created`;
    const dialog = await screen.findByRole('dialog', { name });
    const copy = within(dialog).getByRole('button', { name: 'Copy the signing secret' });
    await waitFor(() => expect(document.activeElement).toBe(copy));
    expect(within(dialog).queryByRole('button', { name: /close/i })).toBeNull();

    await user.keyboard('{Escape}');
    await user.keyboard('{Enter}');
    const overlay = document.querySelector<HTMLElement>('.mantine-Modal-overlay');
    expect(overlay).toBeTruthy();
    await user.click(overlay!);
    expect(screen.getByRole('dialog', { name })).toBeTruthy();
    expect(within(dialog).getByLabelText('Signing secret').textContent).toMatch(/^whsec_/);

    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('holds a new API key the same way', async () => {
    const person = await signedInPerson(pages.tally);
    pages.signIn(person);
    const { user } = await pages.render('/settings/api-keys');
    const form = await screen.findByRole('form', { name: 'Create an API key' });
    await user.type(field(form, /^Name\W*$/), 'billing server');
    await user.click(within(form).getByRole('button', { name: 'Create key' }));

    const dialog = await screen.findByRole('dialog', { name: 'API key “billing server” created' });
    await waitFor(() =>
      expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Copy the secret' })),
    );
    await user.keyboard('{Escape}');
    expect(screen.getByRole('dialog', { name: 'API key “billing server” created' })).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
