import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { personWithPassword, signedInPerson, type TestPerson } from '../../test/support/app';
import { creditsAdmin, mailedTemporaryPassword, ok } from '../../test/support/credits';
import {
  adjust,
  balanceOfUser,
  customer,
  endSessions,
  fact,
  field,
  fieldError,
  freshEmail,
  installInputApis,
  namedProduct,
  oneRow,
  reseller,
  stopBeingAdmin,
} from './support/credits-stage';
import { formAlert, tallyPages } from './support/pages';
import { sentToLogIn } from './support/session-ended';

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

let keys = 0;
const freshAction = () => `host_action_${++keys}_${Date.now().toString(36)}`;

describe('the action price form', () => {
  const open = async (person: TestPerson = admin) => {
    pages.signIn(person);
    const { user } = await pages.render('/credits/admin/action-prices');
    const form = await screen.findByRole('form', { name: "Set an action's price" });
    const submit = () =>
      user.click(within(form).getByRole('button', { name: /^(Add action|Change price)$/ }));
    const action = () => field(form, /^Action\W*$/);
    const label = () => field(form, /^Label\W*$/);
    const price = () => field(form, /^Price in credits\W*$/);
    return { user, form, submit, action, label, price };
  };

  it('says what is missing or malformed, and sends nothing', async () => {
    const { user, submit, action, label, price } = await open();
    await submit();
    expect(fieldError(action())).toBe('Lower-case letters, digits and _ . : -, starting with a letter');
    expect(fieldError(label())).toBe('Enter a label for the new action');
    expect(fieldError(price())).toBe('Enter a whole number of credits, such as 100');

    await user.type(action(), 'Generate Image');
    await user.type(price(), '1.5');
    expect(fieldError(action())).toBe('Lower-case letters, digits and _ . : -, starting with a letter');
    expect(fieldError(price())).toBe('Enter a whole number of credits, such as 100');
    await user.clear(price());
    await user.type(price(), '-3');
    expect(fieldError(price())).toBe('Enter a whole number of credits, such as 100');
    await submit();

    // A known action keeps its label: none is asked for, and the button changes the price.
    await user.clear(action());
    await user.type(action(), 'invite_member');
    expect(fieldError(action())).toBeNull();
    await submit();
    expect(fieldError(label())).toBeNull();
    expect(screen.getByRole('button', { name: 'Change price' })).toBeTruthy();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a label the server refuses next to the label, keeping what was typed', async () => {
    const key = freshAction();
    const { user, form, submit, action, label, price } = await open();
    await user.type(action(), key);
    await user.type(label(), 'Generate\u0000an image');
    await user.type(price(), '3');
    await submit();
    await waitFor(() => expect(fieldError(label())).toBe('Must not contain a NUL character.'));
    expect(label().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect([action().value, label().value, price().value]).toEqual([key, 'Generate\u0000an image', '3']);
    expect(changesSent().map((request) => request.path)).toEqual([`/api/credits/action-prices/${key}`]);
  });

  it('sends an administrator whose session ended meanwhile to log in again', async () => {
    const person = await creditsAdmin(pages.tally);
    const key = freshAction();
    const { user, submit, action, label, price } = await open(person);
    await endSessions(pages.tally, person);
    await user.type(action(), key);
    await user.type(label(), 'Generate an image');
    await user.type(price(), '3');
    await submit();
    await sentToLogIn('/credits/admin/action-prices');
  });

  it('shows the 403 for someone no longer an administrator, and nothing is priced', async () => {
    const person = await creditsAdmin(pages.tally);
    const key = freshAction();
    const { user, form, submit, action, label, price } = await open(person);
    await stopBeingAdmin(pages.tally, person);
    await user.type(action(), key);
    await user.type(label(), 'Generate an image');
    await user.type(price(), '3');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Only an administrator may do this.'));
    expect(price().value).toBe('3');
    const prices = await ok(pages.tally, 200, 'GET', '/api/credits/action-prices', { as: admin });
    expect(prices.items.map((item: { action: string }) => item.action)).not.toContain(key);
  });

  it('adds an action at its exact price, then changes the price and keeps the label', async () => {
    const key = freshAction();
    const { user, form, submit, action, label, price } = await open();
    await user.type(action(), key);
    await user.type(label(), 'Generate an image');
    await user.type(price(), '1,200');
    await submit();
    await screen.findByText('Generate an image now costs 1,200 credits.');
    const table = screen.getByRole('table', { name: 'Action prices' });
    const row = () => within(table).getByText(key).closest('tr') as HTMLElement;
    await waitFor(() => expect(within(row()).getByText('1,200 credits')).toBeTruthy());
    expect(within(row()).getByText('Generate an image')).toBeTruthy();
    expect([action().value, label().value, price().value]).toEqual(['', '', '']);

    await user.click(within(row()).getByRole('button', { name: 'Change the price of Generate an image' }));
    expect([action().value, label().value, price().value]).toEqual([key, '', '1200']);
    await user.clear(price());
    await user.type(price(), '0');
    await user.click(within(form).getByRole('button', { name: 'Change price' }));
    await screen.findByText('Generate an image now costs 0 credits.');
    await waitFor(() => expect(within(row()).getByText('0 credits')).toBeTruthy());
    const stored = await oneRow<{ label: string; price: string }>(
      pages.tally,
      sql`SELECT label, price::text FROM credits_action_prices WHERE action = ${key}`,
    );
    expect(stored).toEqual({ label: 'Generate an image', price: '0' });
  });
});

describe('the form that connects a sales platform', () => {
  const open = async (person: TestPerson = admin) => {
    pages.signIn(person);
    const { user } = await pages.render('/credits/admin/integrations');
    const form = await screen.findByRole('form', { name: 'Connect a sales platform' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Create integration' }));
    return { user, form, submit, name: () => field(form, /^Name\W*$/) };
  };

  it('asks for a name, and sends nothing', async () => {
    const { user, submit, name } = await open();
    await submit();
    expect(fieldError(name())).toBe('Enter a name, such as the platform it connects');
    await user.type(name(), '   ');
    expect(fieldError(name())).toBe('Enter a name, such as the platform it connects');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a name the server refuses next to the name', async () => {
    const { user, form, submit, name } = await open();
    await user.type(name(), 'Shop\u0000Stripe');
    await submit();
    await waitFor(() => expect(fieldError(name())).toBe('Must not contain a NUL character.'));
    expect(name().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(name().value).toBe('Shop\u0000Stripe');
  });

  it('sends an administrator whose session ended meanwhile to log in again', async () => {
    const person = await creditsAdmin(pages.tally);
    const { user, submit, name } = await open(person);
    await endSessions(pages.tally, person);
    await user.type(name(), 'Shop (Stripe Checkout)');
    await submit();
    await sentToLogIn('/credits/admin/integrations');
  });

  it('shows the 403 for someone no longer an administrator, and connects nothing', async () => {
    const person = await creditsAdmin(pages.tally);
    const { user, form, submit, name } = await open(person);
    await stopBeingAdmin(pages.tally, person);
    await user.type(name(), 'Shop (PayPal)');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Only an administrator may do this.'));
    expect(name().value).toBe('Shop (PayPal)');
    const stored = await oneRow<{ n: number }>(
      pages.tally,
      sql`SELECT count(*)::int AS n FROM credits_integrations WHERE name = 'Shop (PayPal)'`,
    );
    expect(stored.n).toBe(0);
  });

  it('creates the integration and shows its secret and webhook address once', async () => {
    const { user, submit, name } = await open();
    const platform = `Shop ${Date.now().toString(36)}`;
    await user.type(name(), platform);
    await submit();
    const dialog = await screen.findByRole('dialog', { name: `Integration “${platform}” created` });
    const stored = await oneRow<{ id: string; secret: string }>(
      pages.tally,
      sql`SELECT id, secret FROM credits_integrations WHERE name = ${platform}`,
    );
    expect(within(dialog).getByLabelText('Signing secret').textContent).toBe(stored.secret);
    expect(stored.secret).toMatch(/^whsec_/);
    expect(within(dialog).getByLabelText('Webhook address').textContent).toBe(
      `http://tally.test/api/credits/webhooks/${stored.id}`,
    );
    expect(name().value).toBe('');
    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    const table = await screen.findByRole('table', { name: 'Integrations' });
    const row = within(table).getByText(platform).closest('tr') as HTMLElement;
    expect(within(row).getByText('active')).toBeTruthy();
    expect(within(table).queryByText(stored.secret)).toBeNull();
  });
});

describe('the form that adjusts a person’s credits', () => {
  const open = async (subject: TestPerson, person: TestPerson = admin) => {
    pages.signIn(person);
    const { user } = await pages.render(`/credits/admin/users/${subject.userId}`);
    const form = await screen.findByRole('form', { name: 'Adjust credits' });
    const submit = () =>
      user.click(within(form).getByRole('button', { name: /^(Add credits|Take credits away)$/ }));
    const takeAway = () => user.click(within(form).getByRole('radio', { name: 'Take credits away' }));
    const amount = () => field(form, /^Amount in credits\W*$/);
    const reason = () => field(form, /^Reason\W*$/);
    return { user, form, submit, takeAway, amount, reason };
  };
  const balanceShown = (label: string) => fact(screen.getByRole('main'), label);

  it('says what is missing or malformed, caps what is taken away, and sends nothing', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 50 });
    const { user, submit, takeAway, amount, reason } = await open(person);
    await submit();
    expect(fieldError(amount())).toBe('Enter a whole number of credits, such as 100');
    expect(fieldError(reason())).toBe('Enter the reason for this adjustment');
    await user.type(amount(), '0');
    expect(fieldError(amount())).toBe('Enter more than 0 credits');
    await user.clear(amount());
    await user.type(amount(), '12.5');
    expect(fieldError(amount())).toBe('Enter a whole number of credits, such as 100');
    await user.clear(amount());
    await user.type(amount(), '51');
    expect(fieldError(amount())).toBeNull();
    await takeAway();
    expect(fieldError(amount())).toBe('At most the 50 credits available can be taken away');
    await user.type(reason(), 'Refund of order 77');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a reason the server refuses next to the reason, then adds once corrected', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 50 });
    const { user, form, submit, amount, reason } = await open(person);
    await user.type(amount(), '5');
    await user.type(reason(), 'Goodwill\u0000gesture');
    await submit();
    await waitFor(() => expect(fieldError(reason())).toBe('Must not contain a NUL character.'));
    expect(reason().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect([amount().value, reason().value]).toEqual(['5', 'Goodwill\u0000gesture']);

    await user.clear(reason());
    await user.type(reason(), 'Goodwill gesture');
    await submit();
    await screen.findByText('Added 5 credits.');
    expect((await balanceOfUser(pages.tally, admin, person)).total).toBe('55');
  });

  it('sends an administrator whose session ended meanwhile to log in again', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 50 });
    const ended = await creditsAdmin(pages.tally);
    const { user, submit, amount, reason } = await open(person, ended);
    await endSessions(pages.tally, ended);
    await user.type(amount(), '5');
    await user.type(reason(), 'Goodwill gesture');
    await submit();
    await sentToLogIn(`/credits/admin/users/${person.userId}`);
  });

  it('shows the 403 for someone no longer an administrator, and changes nothing', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 50 });
    const demoted = await creditsAdmin(pages.tally);
    const { user, form, submit, amount, reason } = await open(person, demoted);
    await stopBeingAdmin(pages.tally, demoted);
    await user.type(amount(), '5');
    await user.type(reason(), 'Goodwill gesture');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Only an administrator may do this.'));
    expect([amount().value, reason().value]).toEqual(['5', 'Goodwill gesture']);
    expect((await balanceOfUser(pages.tally, admin, person)).total).toBe('50');
  });

  it('shows the 404 for a person removed meanwhile', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit, amount, reason } = await open(person);
    await pages.tally.database.db.execute(sql`DELETE FROM core_sessions WHERE user_id = ${person.userId}`);
    await pages.tally.database.db.execute(sql`DELETE FROM core_users WHERE id = ${person.userId}`);
    await user.type(amount(), '5');
    await user.type(reason(), 'Goodwill gesture');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Person not found.'));
    expect([amount().value, reason().value]).toEqual(['5', 'Goodwill gesture']);
  });

  it('words the 422 of credits spent meanwhile, and takes away what is there once corrected', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 50 });
    const { user, form, submit, takeAway, amount, reason } = await open(person);
    await adjust(pages.tally, admin, person, -20);
    await takeAway();
    await user.type(amount(), '40');
    await user.type(reason(), 'Refund of order 77');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe('Not enough credits: this needs 40 credits and 30 credits are available.'),
    );
    expect([amount().value, reason().value]).toEqual(['40', 'Refund of order 77']);
    expect((await balanceOfUser(pages.tally, admin, person)).available).toBe('30');

    // The corrected amount is a new adjustment, not a replay of the refused one.
    await user.clear(amount());
    await user.type(amount(), '30');
    await submit();
    await screen.findByText('Took away 30 credits.');
    expect(formAlert(form)).toBeNull();
    expect((await balanceOfUser(pages.tally, admin, person)).available).toBe('0');
  });

  it('adds and takes away credits, and the page shows the new balance', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 50 });
    const { user, form, submit, takeAway, amount, reason } = await open(person);
    expect(balanceShown('Available')).toBe('50 credits');
    await user.type(amount(), '1,025');
    await user.type(reason(), 'Compensation for the outage of 3 June');
    await submit();
    await screen.findByText('Added 1,025 credits.');
    await waitFor(() => expect(balanceShown('Total')).toBe('1,075 credits'));
    expect([amount().value, reason().value]).toEqual(['', '']);

    await takeAway();
    expect(within(form).getByText('At most the 1,075 credits available can be taken away.')).toBeTruthy();
    await user.type(amount(), '75');
    await user.type(reason(), 'Correction');
    await submit();
    await screen.findByText('Took away 75 credits.');
    await waitFor(() => expect(balanceShown('Available')).toBe('1,000 credits'));
    expect(await balanceOfUser(pages.tally, admin, person)).toMatchObject({
      total: '1075',
      used: '75',
      available: '1000',
    });
  });
});

describe('the form that creates a product', () => {
  const open = async (person: TestPerson = admin) => {
    pages.signIn(person);
    const { user } = await pages.render('/credits/admin/products');
    const form = await screen.findByRole('form', { name: 'Create a product' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Create product' }));
    const input = (label: RegExp) => () => field(form, label);
    return {
      user,
      form,
      submit,
      name: input(/^Name\W*$/),
      credits: input(/^Credits per cycle\W*$/),
      rollover: input(/^Rollover credits/),
      price: input(/^Display price/),
      currency: input(/^Currency/),
    };
  };
  const choose = async (user: UserEvent, input: HTMLElement, option: string | RegExp) => {
    await user.click(input);
    await user.click(await screen.findByRole('option', { name: option }));
  };

  it('says what is missing or malformed, and sends nothing', async () => {
    const { user, submit, name, credits, rollover, price, currency } = await open();
    await submit();
    expect(fieldError(name())).toBe('Enter a name for the product');
    expect(fieldError(credits())).toBe('Enter a whole number of credits, such as 100');
    expect(fieldError(price())).toBe('Enter an amount');
    await user.type(credits(), '0');
    expect(fieldError(credits())).toBe('Enter more than 0 credits');
    await user.clear(credits());
    await user.type(credits(), '10');
    await user.clear(rollover());
    expect(fieldError(rollover())).toBe('Enter a whole number of credits, 0 for none');
    await user.type(rollover(), '11');
    expect(fieldError(rollover())).toBe('At most the credits per cycle');
    await user.type(price(), '49.999');
    expect(fieldError(price())).toBe(
      '“49.999” could be 49999 or 49.999: write 49999 without a separator, or at most 2 decimals',
    );
    await user.clear(currency());
    await user.type(currency(), 'us');
    expect(currency().value).toBe('US');
    expect(fieldError(currency())).toBe('A three-letter code, such as USD or EUR');
    await user.clear(currency());
    await user.type(currency(), 'jpy');
    await user.clear(price());
    await user.type(price(), '49.5');
    expect(fieldError(price())).toBe('JPY has no decimals: enter a whole amount');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a name the server refuses next to the name, keeping what was typed', async () => {
    const { user, form, submit, name, credits, price } = await open();
    await user.type(name(), 'Starter\u0000plan');
    await user.type(credits(), '100');
    await user.type(price(), '49');
    await submit();
    await waitFor(() => expect(fieldError(name())).toBe('Must not contain a NUL character.'));
    expect(name().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect([name().value, credits().value, price().value]).toEqual(['Starter\u0000plan', '100', '49']);
  });

  it('sends an administrator whose session ended meanwhile to log in again', async () => {
    const person = await creditsAdmin(pages.tally);
    const { user, submit, name, credits, price } = await open(person);
    await endSessions(pages.tally, person);
    await user.type(name(), 'Starter');
    await user.type(credits(), '100');
    await user.type(price(), '49');
    await submit();
    await sentToLogIn('/credits/admin/products');
  });

  it('shows the 403 for someone no longer an administrator, and makes nothing', async () => {
    const person = await creditsAdmin(pages.tally);
    const { user, form, submit, name, credits, price } = await open(person);
    await stopBeingAdmin(pages.tally, person);
    const productName = `Refused ${Date.now().toString(36)}`;
    await user.type(name(), productName);
    await user.type(credits(), '100');
    await user.type(price(), '49');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe('Only administrators make generic and whitelabel products.'),
    );
    expect(name().value).toBe(productName);
    const stored = await oneRow<{ n: number }>(
      pages.tally,
      sql`SELECT count(*)::int AS n FROM credits_products WHERE name = ${productName}`,
    );
    expect(stored.n).toBe(0);
  });

  it('makes the product with exactly what was typed, its price in minor units', async () => {
    const { user, form, submit, name, credits, rollover, price, currency } = await open();
    const productName = `Agency ${Date.now().toString(36)}`;
    await choose(user, field(form, /^Type\W*$/), 'Whitelabel');
    await user.type(name(), productName);
    await user.type(field(form, /^Description/), 'For agencies');
    await user.type(credits(), '1,200');
    await choose(user, field(form, /^Refill cycle\W*$/), 'Every week');
    await user.clear(rollover());
    await user.type(rollover(), '100');
    await choose(user, field(form, /^Actions it allows/), 'Create a workspace (create_workspace)');
    await user.type(price(), '49.5');
    await user.clear(currency());
    await user.type(currency(), 'eur');
    await submit();
    await screen.findByText(`${productName} created.`);

    const table = await screen.findByRole('table', { name: 'Products' });
    const row = await waitFor(() => within(table).getByText(productName).closest('tr') as HTMLElement);
    expect([...row.querySelectorAll('td')].map((cell) => cell.textContent)).toEqual([
      productName,
      'Whitelabel',
      '1,200 credits',
      'Every week',
      '49.50 EUR',
      'create_workspace',
      'on sale',
    ]);
    const stored = await oneRow<Record<string, unknown>>(
      pages.tally,
      sql`SELECT type, description, credits_per_cycle::text, refill_cycle, rollover_credits::text,
            permissions, display_price_minor::text, display_currency, active
          FROM credits_products WHERE name = ${productName}`,
    );
    expect(stored).toEqual({
      type: 'whitelabel',
      description: 'For agencies',
      credits_per_cycle: '1200',
      refill_cycle: 'week',
      rollover_credits: '100',
      permissions: ['create_workspace'],
      display_price_minor: '4950',
      display_currency: 'EUR',
      active: true,
    });
    expect([name().value, credits().value, price().value, currency().value]).toEqual(['', '', '', 'USD']);
  });
});

describe('the form that changes a product (administrators)', () => {
  const open = async (product: { id: string; name: string }, person: TestPerson = admin) => {
    pages.signIn(person);
    const { user } = await pages.render(`/credits/admin/products/${product.id}`);
    const form = await screen.findByRole('form', { name: `Change ${product.name}` });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Save changes' }));
    const input = (label: RegExp) => () => field(form, label);
    return {
      user,
      form,
      submit,
      name: input(/^Name\W*$/),
      description: input(/^Description/),
      credits: input(/^Credits per cycle\W*$/),
      price: input(/^Display price/),
      currency: input(/^Currency/),
    };
  };
  const usd = { amount_minor: '4900', currency: 'USD' };
  const patches = (id: string) =>
    changesSent().filter(
      (request) => request.method === 'PATCH' && request.path === `/api/credits/products/${id}`,
    );

  it('says what is missing or malformed, and sends nothing', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic', price: usd });
    const { user, submit, name, credits } = await open(product);
    await user.clear(name());
    expect(fieldError(name())).toBe('Enter a name for the product');
    await user.clear(credits());
    await user.type(credits(), '1e3');
    expect(fieldError(credits())).toBe('Enter a whole number of credits, such as 100');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a description the server refuses next to it, keeping what was typed', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic', price: usd });
    const { user, form, submit, description, name } = await open(product);
    await user.type(description(), 'Twelve\u0000months');
    await submit();
    await waitFor(() => expect(fieldError(description())).toBe('Must not contain a NUL character.'));
    expect(description().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect([name().value, description().value]).toEqual([product.name, 'Twelve\u0000months']);
  });

  it('sends an administrator whose session ended meanwhile to log in again', async () => {
    const person = await creditsAdmin(pages.tally);
    const product = await namedProduct(pages.tally, admin, { type: 'generic', price: usd });
    const { user, submit, name } = await open(product, person);
    await endSessions(pages.tally, person);
    await user.clear(name());
    await user.type(name(), 'Renamed');
    await submit();
    await sentToLogIn(`/credits/admin/products/${product.id}`);
  });

  it('shows the 404 the server gives someone no longer an administrator, and changes nothing', async () => {
    const person = await creditsAdmin(pages.tally);
    const product = await namedProduct(pages.tally, admin, { type: 'generic', price: usd });
    const { user, form, submit, name } = await open(product, person);
    await stopBeingAdmin(pages.tally, person);
    await user.clear(name());
    await user.type(name(), 'Renamed');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Product not found.'));
    expect(name().value).toBe('Renamed');
    const stored = await ok(pages.tally, 200, 'GET', `/api/credits/products/${product.id}`, { as: admin });
    expect(stored.name).toBe(product.name);
  });

  it('shows the price as typed once, saves it unchanged, and saves a new one in minor units', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic', price: usd, credits: 100 });
    const { user, submit, price, currency, credits } = await open(product);
    expect([price().value, currency().value, credits().value]).toEqual(['49.00', 'USD', '100']);
    await submit();
    await screen.findByText(`${product.name} saved.`);
    expect(patches(product.id).map((request) => request.body)).toMatchObject([
      { display_price: { amount_minor: '4900', currency: 'USD' }, credits_per_cycle: '100' },
    ]);

    await user.clear(price());
    await user.type(price(), '59.9');
    await user.clear(credits());
    await user.type(credits(), '1,500');
    await submit();
    const main = screen.getByRole('main');
    await waitFor(() => expect(fact(main, 'Display price')).toBe('59.90 USD'));
    expect(fact(main, 'Credits per cycle')).toBe('1,500 credits');
    const stored = await ok(pages.tally, 200, 'GET', `/api/credits/products/${product.id}`, { as: admin });
    expect(stored).toMatchObject({
      credits_per_cycle: '1500',
      display_price: { amount_minor: '5990', currency: 'USD' },
    });
  });

  it('keeps a price in a currency without decimals as it is', async () => {
    const product = await namedProduct(pages.tally, admin, {
      type: 'generic',
      price: { amount_minor: '1200', currency: 'JPY' },
    });
    const { user, submit, price, name } = await open(product);
    expect(price().value).toBe('1200');
    await user.type(name(), ' Japan');
    await submit();
    // The price was 1,200 JPY before the save too: wait for the save itself, then for the page.
    await waitFor(async () => {
      const stored = await ok(pages.tally, 200, 'GET', `/api/credits/products/${product.id}`, { as: admin });
      expect(stored).toMatchObject({
        name: `${product.name} Japan`,
        display_price: { amount_minor: '1200', currency: 'JPY' },
      });
    });
    await waitFor(() => expect(fact(screen.getByRole('main'), 'Display price')).toBe('1,200 JPY'));
  });
});

describe('the form that enters a purchase', () => {
  const open = async (person: TestPerson = admin) => {
    pages.signIn(person);
    const { user } = await pages.render('/credits/admin/purchases');
    const form = await screen.findByRole('form', { name: 'Enter a purchase' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Enter purchase' }));
    const input = (label: RegExp) => () => field(form, label);
    const product = input(/^Product\W*$/);
    const chooseProduct = async (name: string) => {
      await user.click(product());
      await user.clear(product());
      await user.type(product(), name);
      await user.click(await screen.findByRole('option', { name: new RegExp(`^${name} — `) }));
    };
    return {
      user,
      form,
      submit,
      chooseProduct,
      product,
      email: input(/^Buyer's email\W*$/),
      order: input(/^Order reference\W*$/),
      buyer: input(/^Buyer's name/),
    };
  };
  let orders = 0;
  const freshOrder = () => `INV-${++orders}-${Date.now().toString(36)}`;
  const statusOf = (form: HTMLElement) => within(form).queryByRole('status')?.textContent ?? null;

  /** A purchase form filled in for `email`, `product` and a new order reference. */
  const fill = async (opened: Awaited<ReturnType<typeof open>>, email: string, productName: string) => {
    const order = freshOrder();
    await opened.user.type(opened.email(), email);
    await opened.chooseProduct(productName);
    await opened.user.type(opened.order(), order);
    return order;
  };

  it('says what is missing or malformed, and sends nothing', async () => {
    const { user, submit, email, product, order } = await open();
    await submit();
    expect(fieldError(email())).toBe('Enter an email address');
    expect(fieldError(product())).toBe('Choose the product bought');
    expect(fieldError(order())).toBe('Enter the order reference');
    await user.type(email(), 'ada.example.com');
    expect(fieldError(email())).toBe('Enter an email address like ada@example.com');
    await user.type(order(), '   ');
    await submit();
    expect(fieldError(order())).toBe('Enter the order reference');
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for an order reference the server refuses next to it, keeping what was typed', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic' });
    const opened = await open();
    const email = freshEmail();
    await opened.user.type(opened.email(), email);
    await opened.chooseProduct(product.name);
    await opened.user.type(opened.order(), 'INV\u00007');
    await opened.submit();
    await waitFor(() => expect(fieldError(opened.order())).toBe('Must not contain a NUL character.'));
    expect(opened.order().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(opened.form)).toBeNull();
    expect([opened.email().value, opened.order().value]).toEqual([email, 'INV\u00007']);
    expect(opened.product().value).toMatch(new RegExp(`^${product.name} — `));
  });

  it('sends an administrator whose session ended meanwhile to log in again', async () => {
    const person = await creditsAdmin(pages.tally);
    const product = await namedProduct(pages.tally, admin, { type: 'generic' });
    const opened = await open(person);
    await endSessions(pages.tally, person);
    await fill(opened, freshEmail(), product.name);
    await opened.submit();
    await sentToLogIn('/credits/admin/purchases');
  });

  it('shows the 403 for someone no longer an administrator, and registers nobody', async () => {
    const person = await creditsAdmin(pages.tally);
    const product = await namedProduct(pages.tally, admin, { type: 'generic' });
    const opened = await open(person);
    await stopBeingAdmin(pages.tally, person);
    const email = freshEmail();
    await fill(opened, email, product.name);
    await opened.submit();
    await waitFor(() => expect(formAlert(opened.form)).toBe('Only an administrator may do this.'));
    expect(opened.email().value).toBe(email);
    const stored = await oneRow<{ n: number }>(
      pages.tally,
      sql`SELECT count(*)::int AS n FROM core_users WHERE email = ${email}`,
    );
    expect(stored.n).toBe(0);
  });

  it('shows the 409 of an order reference recorded for another buyer', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic' });
    const order = freshOrder();
    await ok(pages.tally, 201, 'POST', '/api/credits/purchases', {
      as: admin,
      body: { email: freshEmail(), product_id: product.id, order_reference: order },
    });
    const opened = await open();
    const email = freshEmail();
    await opened.user.type(opened.email(), email);
    await opened.chooseProduct(product.name);
    await opened.user.type(opened.order(), order);
    await opened.submit();
    await waitFor(() =>
      expect(formAlert(opened.form)).toBe(
        `Order ${order} was already recorded for another address or product.`,
      ),
    );
    expect([opened.email().value, opened.order().value]).toEqual([email, order]);
    expect(statusOf(opened.form)).toBeNull();
  });

  it('shows the 422 of a product taken off sale meanwhile', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic' });
    const opened = await open();
    await ok(pages.tally, 200, 'PATCH', `/api/credits/products/${product.id}`, {
      as: admin,
      body: { active: false },
    });
    const email = freshEmail();
    const order = await fill(opened, email, product.name);
    await opened.submit();
    await waitFor(() => expect(formAlert(opened.form)).toBe(`${product.name} is no longer sold.`));
    expect([opened.email().value, opened.order().value]).toEqual([email, order]);
  });

  it('shows the 422 of a reseller buying its own product', async () => {
    const { person: seller } = await reseller(pages.tally, admin, { credits: 100 });
    const product = await namedProduct(pages.tally, seller, { credits: 10 });
    const opened = await open();
    await fill(opened, seller.email, product.name);
    await opened.submit();
    await waitFor(() => expect(formAlert(opened.form)).toBe('A reseller cannot buy its own product.'));
  });

  it('shows the 422 of a reseller short of the credits its product grants', async () => {
    const { person: seller } = await reseller(pages.tally, admin, { credits: 100 });
    const product = await namedProduct(pages.tally, seller, { credits: 90 });
    await adjust(pages.tally, admin, seller, -50);
    const opened = await open();
    const email = freshEmail();
    await fill(opened, email, product.name);
    await opened.submit();
    await waitFor(() => expect(formAlert(opened.form)).toBe('90 credits are needed and 45 are available.'));
    expect(opened.email().value).toBe(email);
  });

  it('registers a new buyer and mails the login details; the same order again changes nothing', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic', credits: 250 });
    const opened = await open();
    const email = freshEmail();
    const order = await fill(opened, email, product.name);
    await opened.user.type(opened.buyer(), 'Ada Lovelace');
    await opened.submit();
    await waitFor(() =>
      expect(statusOf(opened.form)).toBe(
        `Purchase entered: ${email} is registered and their login details are mailed.`,
      ),
    );
    expect(await mailedTemporaryPassword(pages.tally, email)).toMatch(/^\S{8,}$/);
    const table = screen.getByRole('table', { name: 'Purchases' });
    await waitFor(() => expect(within(table).getByText(order)).toBeTruthy());
    const row = within(table).getByText(order).closest('tr') as HTMLElement;
    expect(within(row).getByText(email)).toBeTruthy();
    expect(within(row).getByText(product.name)).toBeTruthy();
    expect([opened.email().value, opened.order().value, opened.buyer().value]).toEqual(['', '', '']);
    const buyer = await oneRow<{ name: string; total: string }>(
      pages.tally,
      sql`SELECT u.name, (SELECT coalesce(sum(g.amount), 0)::text FROM credits_grants g WHERE g.user_id = u.id) AS total
          FROM core_users u WHERE u.email = ${email}`,
    );
    expect(buyer).toEqual({ name: 'Ada Lovelace', total: '250' });

    await opened.user.type(opened.email(), email);
    await opened.chooseProduct(product.name);
    await opened.user.type(opened.order(), order);
    await opened.submit();
    await waitFor(() =>
      expect(statusOf(opened.form)).toBe(`Order ${order} was entered before; nothing changed.`),
    );
  });

  it('adds the credits to the account of a buyer who has a password', async () => {
    const product = await namedProduct(pages.tally, admin, { type: 'generic' });
    const buyer = await personWithPassword(pages.tally, 'correct horse battery');
    const opened = await open();
    await fill(opened, buyer.email, product.name);
    await opened.submit();
    await waitFor(() =>
      expect(statusOf(opened.form)).toBe(
        `Purchase entered: the credits are added to ${buyer.email}'s account.`,
      ),
    );
  });
});
