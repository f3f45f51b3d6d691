import type { Page } from 'playwright-core';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityAudit } from './support/accessibility';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { connectDevWallet, signInWithDevWallet, usdcOf as usdcBalance } from './support/dev-wallet';
import { field } from './support/page-checks';
import { type RunningTally, reachTally, startTally } from './support/server';

/**
 * A private balance from the person's browser: a person signs in with the development wallet, sets
 * up their private balance on the Deposit page (the wallet signs the key message and the
 * registration; Tally registers it on chain), then deposits to it once the chain confirmed it. The
 * balance the page reads with the wallet's key is the deposit.
 */
describe('gateway: a private balance on chain, set up, funded and read on the deposit page', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  let wallet: Address;
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('gateway-encrypted-credits', audit.check);
  const { url, go, api } = reachTally(() => server);

  beforeAll(async () => {
    server = await startTally({ chain: true });
    browser = await launchBrowser();
    desktop = await browser.open('desktop');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const usdcOf = (address: Address) => usdcBalance(server, address);

  const panel = () => desktop.getByRole('region', { name: 'Private balance on chain' });
  const form = () => desktop.getByRole('form', { name: 'Deposit USDC' });

  it('signs in with the development wallet, which links it, and gets test USDC', async () => {
    wallet = await signInWithDevWallet(desktop, { url, go });
    await api(desktop, 'POST', '/api/chain/faucet', { address: wallet, token: 'USDC', amount: '100000000' });
    await expect.poll(() => usdcOf(wallet), { timeout: 60_000, interval: 500 }).toBe(100_000_000n);
  });

  it('sets up the private balance: the wallet signs twice, and the page follows it until the chain confirms it', async () => {
    await go(desktop, '/gateway/deposit');
    await desktop.getByRole('heading', { level: 1, name: 'Deposit' }).waitFor();
    await connectDevWallet(desktop);
    await panel()
      .getByText(/only you and Tally can read them/)
      .waitFor();
    await screenshot(desktop, 'no-private-balance');

    await panel().getByRole('button', { name: 'Set up my private balance' }).click();
    await panel().getByText('registered', { exact: true }).waitFor({ timeout: 60_000 });
    await panel().getByText(wallet).waitFor();
    const account = await api(desktop, 'GET', '/api/gateway/encrypted');
    expect(account.account).toMatchObject({ state: 'registered', address: wallet.toLowerCase() });
    await screenshot(desktop, 'registered');
  });

  it('deposits 12,50 USDC to the private balance, and reads that balance in the page with the wallet’s key', async () => {
    await form().getByText('Your wallet holds 100.00 USDC.').waitFor();
    const toggle = form().getByRole('switch', { name: 'Deposit to my private balance' });
    expect(await toggle.isChecked()).toBe(true);
    await form()
      .getByText(/^This deposit goes to your private balance/)
      .waitFor();
    await field(desktop, 'Amount').fill('12,50');
    await form().getByRole('button', { name: 'Sign and deposit' }).click();

    const followed = desktop.getByRole('region', { name: 'Deposit on its way' });
    await followed.getByText('Deposit of 12.50 USDC').waitFor();
    await followed.getByText('credits_issued', { exact: true }).waitFor({ timeout: 60_000 });
    const row = desktop.getByRole('table', { name: 'Deposits' }).getByRole('row', { name: /12\.50 USDC/ });
    await row.getByText('Private', { exact: true }).waitFor();
    const deposits = await api(desktop, 'GET', '/api/gateway/deposits');
    expect(deposits.items[0]).toMatchObject({ amount: '12500000', encrypted: true, state: 'credits_issued' });

    await panel().getByRole('button', { name: 'Show balance' }).click();
    await expect
      .poll(() => panel().getByTestId('private-balance').textContent(), { timeout: 30_000 })
      .toBe('12.50 USDC');
    await expect(panel().getByTestId('private-balance-check').textContent()).resolves.toBe(
      "This matches Tally's record (12.50 USDC).",
    );
    await screenshot(desktop, 'private-balance');
  });

  it('shows the deposit’s page with its Private badge', async () => {
    await desktop.getByRole('table', { name: 'Deposits' }).getByRole('link', { name: '12.50 USDC' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Deposit of 12.50 USDC' }).waitFor();
    await desktop.getByText('Private', { exact: true }).waitFor();
    await desktop.getByText(/to the encrypted credits contract: it went to your private balance\./).waitFor();
    await screenshot(desktop, 'deposit-page');
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
