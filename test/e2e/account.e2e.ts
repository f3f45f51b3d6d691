import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field } from './support/page-checks';
import { makeAdministrator, type RunningTally, startTally } from './support/server';

const WELCOME_SUBJECT = 'Welcome to Tally — confirm your email';

/**
 * One person's first day: sign up, confirm the address from the welcome mail, read it again in the
 * Mailbox, edit the profile, make and revoke an API key, create an organisation and invite someone,
 * who follows the invitation link signed out, signs up, confirms and joins; then the audit log.
 */
describe('account: from sign-up to an organisation with a second member', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  const screenshot = screenshotTaker('account');

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    desktop = await browser.open('desktop');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const navigateTo = async (page: Page, label: string) => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: label, exact: true })
      .click();
  };

  /** Opens the newest mail to `email` with this subject in the Mailbox, as a person at this machine would. */
  const openMail = async (page: Page, email: string, subject: string) => {
    await page.goto(`${server.url}/mailbox`);
    // A row of the table on a wide screen, a card of the list on a phone.
    await page
      .getByRole('row')
      .or(page.getByRole('listitem'))
      .filter({ hasText: subject })
      .filter({ hasText: email })
      .first()
      .getByRole('link', { name: subject })
      .click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
  };

  /** Signs up, then follows the confirmation link of the welcome mail read in the Mailbox. */
  const signUpAndConfirm = async (page: Page, person: { name: string; email: string }) => {
    await field(page, 'Name').fill(person.name);
    await field(page, 'Email').fill(person.email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Check your mail').waitFor();
    await openMail(page, person.email, WELCOME_SUBJECT);
    await screenshot(page, `welcome-mail-${person.email.split('@')[0]}`);
    await page.getByRole('link', { name: /\/verify-email\?token=/ }).click();
    // The address is confirmed by whoever holds the mail, who chooses the password there.
    const choose = page.getByRole('form', { name: 'Choose your password' });
    await choose.waitFor();
    await field(page, 'Password').fill('correct horse battery staple');
    await field(page, 'Repeat the password').fill('correct horse battery staple');
    await choose.getByRole('button', { name: 'Confirm and sign in' }).click();
  };

  it('signs up, reads the welcome mail in the Mailbox, and is signed in by its link', async () => {
    await desktop.goto(`${server.url}/signup`);
    await signUpAndConfirm(desktop, { name: 'Ada Lovelace', email: 'ada@example.com' });
    await desktop.waitForURL(`${server.url}/`);
    await desktop.getByRole('button', { name: 'Ada Lovelace: account menu' }).waitFor();
    await screenshot(desktop, 'signed-in-home');
  });

  it('logs out and logs in again with the password', async () => {
    await desktop.getByRole('button', { name: 'Ada Lovelace: account menu' }).click();
    await desktop.getByRole('menuitem', { name: 'Log out' }).click();
    await desktop.goto(`${server.url}/login`);
    await field(desktop, 'Email').fill('ada@example.com');
    await field(desktop, 'Password').fill('correct horse battery staple');
    await desktop.getByRole('button', { name: 'Log in' }).click();
    await desktop.getByRole('button', { name: 'Ada Lovelace: account menu' }).waitFor();
    await screenshot(desktop, 'logged-in-again');
  });

  it('changes the name in the profile and sees this browser among the sessions', async () => {
    await navigateTo(desktop, 'Settings');
    await desktop.getByRole('heading', { level: 2, name: 'Profile' }).waitFor();
    await field(desktop, 'Name').fill('Ada King');
    await desktop.getByRole('button', { name: 'Save name' }).click();
    await desktop.getByRole('button', { name: 'Ada King: account menu' }).waitFor();
    await desktop.getByText('This browser').waitFor();
    await screenshot(desktop, 'profile');
  });

  it('creates an API key, is shown its secret once, and revokes it', async () => {
    await desktop.getByRole('tab', { name: 'API keys' }).click();
    await desktop.getByText('No API keys yet').waitFor();
    await field(desktop, 'Name').fill('billing server');
    await desktop.getByPlaceholder('Choose scopes').click();
    await desktop.getByRole('option', { name: /^orgs:read/ }).click();
    await desktop.keyboard.press('Escape');
    await desktop.getByRole('button', { name: 'Create key' }).click();
    const dialog = desktop.getByRole('dialog', { name: 'API key “billing server” created' });
    await dialog.waitFor();
    await expect(dialog.getByText(/^tally_key_/).isVisible()).resolves.toBe(true);
    await expect(dialog.getByRole('button', { name: 'Copy' }).isVisible()).resolves.toBe(true);
    await screenshot(desktop, 'api-key-secret-shown-once', { fullPage: false });
    await dialog.getByRole('button', { name: 'I have stored it' }).click();

    const row = desktop.getByRole('row', { name: /billing server/ });
    await row.getByText('active').waitFor();
    await row.getByRole('button', { name: 'Revoke' }).click();
    await desktop.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('revoked').waitFor();
    await screenshot(desktop, 'api-keys');
  });

  it('creates an organisation and invites someone by mail', async () => {
    await navigateTo(desktop, 'Organisations');
    await desktop.getByText('You are in no organisation yet').waitFor();
    await screenshot(desktop, 'organisations-empty');
    await field(desktop, 'Name').fill('Green Valley Buyers Club');
    await desktop.getByRole('button', { name: 'Create organisation' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Green Valley Buyers Club' }).waitFor();
    await desktop.getByText('Ada King (you)').waitFor();

    await field(desktop, 'Email').fill('bob@example.com');
    await desktop.getByRole('button', { name: 'Send invitation' }).click();
    await desktop.getByRole('row', { name: /bob@example\.com/ }).waitFor();
    await screenshot(desktop, 'organisation-with-invitation');

    await desktop.getByRole('button', { name: 'Ada King: account menu' }).click();
    await desktop.getByRole('menuitem', { name: 'Log out' }).click();
    await desktop.getByRole('link', { name: 'Log in' }).first().waitFor();
  });

  it('lets the invited person open the link signed out, sign up, and join (on a phone)', async () => {
    const phone = await browser.open('phone');
    await openMail(
      phone,
      'bob@example.com',
      'Ada King invited you to join Green Valley Buyers Club on Tally',
    );
    await phone.getByRole('link', { name: /\/invitations\// }).click();
    await phone.getByRole('heading', { name: 'Join Green Valley Buyers Club' }).waitFor();
    await screenshot(phone, 'invitation-signed-out');

    await phone.getByRole('link', { name: 'Create an account' }).click();
    await signUpAndConfirm(phone, { name: 'Bob Baker', email: 'bob@example.com' });
    await phone.getByRole('button', { name: 'Accept and join' }).waitFor();
    await phone.getByRole('button', { name: 'Accept and join' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Green Valley Buyers Club' }).waitFor();
    await phone.getByText('Bob Baker (you)').waitFor();
    await screenshot(phone, 'organisation-joined-phone');
    await phone.close();
  });

  it('shows an administrator the audit log, with its CSV export', async () => {
    await makeAdministrator(server.tally, 'bob@example.com');
    await desktop.goto(`${server.url}/admin/audit`);
    await desktop.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await desktop.getByRole('table').waitFor();
    expect(await desktop.getByRole('row').count()).toBeGreaterThan(1);
    await screenshot(desktop, 'audit-log');

    const href = await desktop.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe('/api/audit/export.csv');
    const csv = await desktop.request.get(`${server.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
  });

  it('shows the notifications, their settings, the mailbox, and the wallet and chain pages without a chain', async () => {
    await navigateTo(desktop, 'Notifications');
    await desktop.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await desktop
      .getByRole('status')
      .or(desktop.getByRole('list'))
      .or(desktop.getByText('No notifications yet'))
      .first()
      .waitFor();
    await screenshot(desktop, 'notifications');

    await desktop.getByRole('main').getByRole('link', { name: 'Settings', exact: true }).click();
    await desktop.getByRole('tab', { name: 'Notifications', selected: true }).waitFor();
    await desktop.getByRole('table').or(desktop.getByText('No kinds of notification yet')).first().waitFor();
    await screenshot(desktop, 'notification-settings');

    await navigateTo(desktop, 'Mailbox');
    await desktop.getByRole('row', { name: /Green Valley Buyers Club/ }).waitFor();
    await screenshot(desktop, 'mailbox');

    await navigateTo(desktop, 'Wallet');
    await desktop.getByRole('heading', { level: 1, name: 'Wallet' }).waitFor();
    await desktop.getByText('No chain connected').waitFor();
    await screenshot(desktop, 'wallet-without-chain');

    await desktop.getByRole('link', { name: 'link a wallet' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Link a wallet' }).waitFor();
    await desktop.getByText('No wallet found in this browser').waitFor();
    await expect(desktop.getByRole('button', { name: 'Link a browser wallet' }).isDisabled()).resolves.toBe(
      true,
    );
    await expect(desktop.getByRole('button', { name: 'Link the development wallet' }).count()).resolves.toBe(
      0,
    );
    await screenshot(desktop, 'wallet-without-extension');

    await navigateTo(desktop, 'Chain');
    await desktop.getByRole('heading', { level: 1, name: 'Chain' }).waitFor();
    await desktop.getByText('No chain connected').waitFor();
    await screenshot(desktop, 'admin-chain-without-chain');
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
