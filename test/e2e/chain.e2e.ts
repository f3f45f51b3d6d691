import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field, fieldError } from './support/page-checks';
import { makeAdministrator, type RunningTally, startTally } from './support/server';

const PERSON = { name: 'Grace Hopper', email: 'grace@example.com', password: 'correct horse battery staple' };

/**
 * The development chain from the browser: a signed-in person connects the development wallet (a key
 * kept in the page), gets test USDC from the faucet and watches the mint confirm and the balance
 * arrive, links the wallet and signs in with it; an administrator then sees the treasury and the
 * faucet's transactions on the Chain page.
 */
describe('chain: the development wallet, the faucet and the Chain page', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  let walletAddress: string;
  const screenshot = screenshotTaker('chain');

  beforeAll(async () => {
    server = await startTally({ chain: true });
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

  const balance = (page: Page, text: string) =>
    page.getByRole('table', { name: 'Balances' }).getByRole('cell', { name: text, exact: true });

  it('connects the development wallet on the Wallet page', async () => {
    const token = await signUp(desktop, server.url, PERSON);
    expect(token).toMatch(/^[\w-]{20,}$/);
    await desktop.goto(server.url);
    await desktop.getByRole('button', { name: `${PERSON.name}: account menu` }).waitFor();
    await navigateTo(desktop, 'Wallet');
    await desktop.getByRole('heading', { level: 1, name: 'Wallet' }).waitFor();
    const chain = desktop.getByRole('region', { name: 'Chain' });
    await chain.getByText('Tally development chain').waitFor();
    await chain.getByText('development', { exact: true }).waitFor();
    await chain.getByText('31337').waitFor();
    await screenshot(desktop, 'wallet-not-connected');

    await desktop.getByRole('button', { name: 'Connect the development wallet' }).click();
    const address = desktop.getByLabel('Connected address');
    await address.waitFor();
    walletAddress = (await address.textContent()) ?? '';
    expect(walletAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    await balance(desktop, '0.00 USDC').waitFor();
    await balance(desktop, '0.00 ETH').waitFor();
    await screenshot(desktop, 'wallet-connected');
  });

  it('gets 250 USDC from the faucet, follows the mint to confirmed and sees the balance exactly', async () => {
    const faucet = desktop.getByRole('region', { name: 'Test tokens' });
    await expect(field(desktop, 'Amount').inputValue()).resolves.toBe('1,000');
    await field(desktop, 'Amount').fill('100001');
    await expect(fieldError(desktop, 'Amount')).resolves.toBe('The faucet gives at most 100,000 USDC');
    await field(desktop, 'Amount').fill('250');
    await expect(fieldError(desktop, 'Amount')).resolves.toBeNull();
    await faucet.getByRole('button', { name: 'Get test tokens' }).click();

    const mint = faucet.getByRole('article', { name: '250.00 USDC' });
    const gas = faucet.getByRole('article', { name: '1.00 ETH for gas' });
    await mint.waitFor();
    await gas.waitFor();
    await mint.getByText('confirmed', { exact: true }).waitFor();
    await gas.getByText('confirmed', { exact: true }).waitFor();
    await expect(mint.getByText(/^0x[0-9a-f]{64}$/).isVisible()).resolves.toBe(true);
    await balance(desktop, '250.00 USDC').waitFor();
    await balance(desktop, '1.00 ETH').waitFor();
    await screenshot(desktop, 'faucet-confirmed');
  });

  it('links the development wallet to the account by signing, and signs in with it', async () => {
    await desktop.getByRole('button', { name: 'Link to your account' }).click();
    await desktop.getByText('linked to your account').waitFor();

    await desktop.getByRole('button', { name: `${PERSON.name}: account menu` }).click();
    await desktop.getByRole('menuitem', { name: 'Log out' }).click();
    await desktop.goto(`${server.url}/login`);
    await desktop.getByRole('link', { name: 'Sign in with a wallet' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Sign in with a wallet' }).waitFor();
    await screenshot(desktop, 'sign-in-with-development-wallet');
    await desktop.getByRole('button', { name: 'Sign in with the development wallet' }).click();
    await desktop.waitForURL(`${server.url}/`);
    await desktop.getByRole('button', { name: `${PERSON.name}: account menu` }).waitFor();
  });

  it('keeps the wallet connected in this browser, also on a phone', async () => {
    const phone = await browser.open('phone');
    await phone.goto(`${server.url}/wallet`);
    await phone.getByRole('heading', { level: 1, name: 'Wallet' }).waitFor();
    await expect(phone.getByLabel('Connected address').textContent()).resolves.toBe(walletAddress);
    await balance(phone, '250.00 USDC').waitFor();
    await screenshot(phone, 'wallet-phone');
    await phone.close();
  });

  it('shows an administrator the chain, the treasury and the faucet’s transactions', async () => {
    await makeAdministrator(server.tally, PERSON.email);
    await desktop.goto(server.url);
    await navigateTo(desktop, 'Chain');
    await desktop.getByRole('heading', { level: 1, name: 'Chain' }).waitFor();
    const treasury = desktop.getByRole('table', { name: 'Treasury balances' });
    await treasury.getByRole('cell', { name: /^[\d,.]+ ETH$/ }).waitFor();
    await treasury.getByRole('cell', { name: /^[\d,.]+ USDC$/ }).waitFor();
    const recent = desktop.getByRole('table', { name: 'Recent transactions' });
    await recent.waitFor();
    await expect(recent.getByRole('row', { name: /confirmed.*faucet/ }).count()).resolves.toBe(2);
    await desktop.getByRole('table', { name: 'Followers' }).or(desktop.getByText('No follower')).waitFor();
    await screenshot(desktop, 'admin-chain');
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
