import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { injectWallet } from './support/injected-wallet';
import { type RunningTally, startTally } from './support/server';

describe('wallet: Sign-In with Ethereum from a browser wallet', () => {
  let server: RunningTally;
  let browser: Browser;
  const screenshot = screenshotTaker('wallet');

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs a first-time wallet in to an account of its own, and lists the wallet in the profile', async () => {
    const page = await browser.open('desktop');
    const { address } = await injectWallet(page);
    await page.goto(`${server.url}/login`);
    await page.getByRole('link', { name: 'Sign in with a wallet' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in with a wallet' }).waitFor();
    await screenshot(page, 'wallet-sign-in');

    await page.waitForURL(`${server.url}/login/wallet`);
    await page.getByRole('button', { name: 'Sign in with a browser wallet' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('button', { name: /: account menu$/ }).waitFor();

    await page.goto(`${server.url}/settings/profile`);
    await page.getByRole('heading', { level: 2, name: 'Wallets' }).waitFor();
    await page.getByText(address).waitFor();
    // No name and no email yet: the header names the person by their wallet, and no password can be set.
    await page
      .getByRole('button', { name: `${address.slice(0, 6)}…${address.slice(-4)}: account menu` })
      .waitFor();
    await expect(page.getByRole('heading', { level: 2, name: 'Set a password' }).count()).resolves.toBe(0);
    await screenshot(page, 'profile-with-wallet');
    await page.close();
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
