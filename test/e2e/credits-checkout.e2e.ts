import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read, request } from '../support/app';
import { logIn, signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field, fieldError } from './support/page-checks';
import { makeAdministrator, type RunningTally, startTally } from './support/server';

/** A body-less call signed in by cookie says it comes from a script, as the web app's calls do. */
const fromScript = { headers: { 'x-requested-with': 'tally-e2e' } };
const OPERATOR = { authorization: 'Bearer e2e-admin-key-0123456789abcdef' };

const ADMIN = { name: 'Grace Admin', email: 'grace@example.com', password: 'correct horse battery staple' };
const LOGIN_DETAILS_SUBJECT = 'Your Tally login details';

/**
 * Tally's own checkout from a visitor's browser: an administrator makes a product priced in US
 * dollars and finds its payment link on its page; a visitor who is not signed in finds the product's
 * Buy button in the catalogue, connects the development wallet (given test USDC), pays with one
 * signature, watches the payment until it is paid, and finds the login details in the Mailbox. Then
 * again on a phone.
 */
describe('credits: buying a product with its payment link and a wallet', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  let paymentLink = '';
  const screenshot = screenshotTaker('credits-checkout');

  beforeAll(async () => {
    server = await startTally({ chain: true });
    browser = await launchBrowser();
    desktop = await browser.open('desktop');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const url = (path: string) => `${server.url}${path}`;

  /** Test USDC minted to `address` by the development chain's faucet, waited for until confirmed. */
  const fund = async (address: string, micro: string) => {
    const minted = await request(server.tally, 'POST', '/api/chain/faucet', {
      headers: OPERATOR,
      body: { address, token: 'USDC', amount: micro },
    });
    expect(minted.status).toBe(202);
    const { transactions } = (await read(minted)) as { transactions: { id: string }[] };
    for (const { id } of transactions) {
      await expect
        .poll(
          async () =>
            (
              await read(
                await request(server.tally, 'GET', `/api/chain/transactions/${id}`, { headers: OPERATOR }),
              )
            ).state,
          { timeout: 60_000, interval: 250 },
        )
        .toBe('confirmed');
    }
  };

  /** Connects the development wallet on the payment page (unless this browser did already) and says which it is. */
  const connectWallet = async (page: Page): Promise<string> => {
    const wallet = page.getByRole('region', { name: 'Your wallet' });
    const connect = wallet.getByRole('button', { name: 'Connect the development wallet' });
    const address = wallet.getByLabel('Connected address');
    await Promise.race([connect.waitFor(), address.waitFor()]);
    if (await connect.isVisible()) await connect.click();
    return (await address.textContent()) ?? '';
  };

  it('lets an administrator make a product priced in US dollars and find its payment link', async () => {
    await signUp(desktop, server.url, ADMIN);
    await makeAdministrator(server.tally, ADMIN.email);
    await logIn(desktop, server.url, ADMIN);

    await desktop.goto(url('/credits/admin/products'));
    await desktop.getByRole('heading', { level: 1, name: 'Credits products' }).waitFor();
    await field(desktop, 'Name').fill('Starter');
    await field(desktop, 'Credits per cycle').fill('100');
    await field(desktop, 'Display price').fill('49,00');
    await desktop.getByRole('button', { name: 'Create product' }).click();
    const row = desktop.getByRole('row', { name: /Starter/ });
    await row.getByText('49.00 USD').waitFor();
    await row.getByRole('link', { name: 'Starter' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Starter' }).waitFor();

    const selling = desktop.getByRole('region', { name: 'Selling it' });
    paymentLink = (await selling.getByLabel('Payment link', { exact: true }).textContent()) ?? '';
    const productId = (await selling.getByLabel('Product id', { exact: true }).textContent()) ?? '';
    expect(productId).toMatch(/^[0-9a-f-]{36}$/);
    expect(paymentLink).toBe(url(`/buy/${productId}`));
    await selling.getByRole('button', { name: 'Copy payment link' }).waitFor();
    await selling.getByRole('button', { name: 'Copy product id' }).waitFor();
    await screenshot(desktop, 'product-payment-link');

    const out = await desktop.request.post(url('/api/auth/logout'), fromScript);
    expect(out.ok()).toBe(true);
  });

  it('lets a visitor buy it from the catalogue with the development wallet, and find the login details in the Mailbox', async () => {
    await desktop.goto(url('/credits/products'));
    await desktop.getByRole('heading', { level: 1, name: 'Buy credits' }).waitFor();
    await desktop
      .getByRole('article', { name: 'Starter' })
      .getByRole('link', { name: 'Buy Starter' })
      .click();
    await desktop.waitForURL(paymentLink);
    await desktop.getByRole('heading', { level: 1, name: 'Buy Starter' }).waitFor();
    await expect(desktop.getByTestId('checkout-price').textContent()).resolves.toBe('49.00 USD');
    await desktop.getByText(/^Paid as 49 USDC on .+ \(chain \d+\), one USDC for each US dollar\.$/).waitFor();

    const address = await connectWallet(desktop);
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    await fund(address, '100000000');

    const form = desktop.getByRole('form', { name: 'Pay with USDC' });
    await field(desktop, 'Email').fill('ada@example');
    await form.getByRole('button', { name: 'Pay 49 USDC' }).click();
    await expect(fieldError(desktop, 'Email')).resolves.toBe('Enter an email address like ada@example.com');
    await field(desktop, 'Email').fill('ada@example.com');
    await field(desktop, 'Name').fill('Ada Lovelace');
    await screenshot(desktop, 'checkout-ready');
    await form.getByRole('button', { name: 'Pay 49 USDC' }).click();

    const payment = desktop.getByRole('region', { name: 'Your payment' });
    await payment.getByText('Payment of 49 USDC').waitFor();
    await payment.getByText('paid', { exact: true }).waitFor({ timeout: 60_000 });
    await payment
      .getByText('Paid. We sent your login details to ada@example.com — open the Mailbox.')
      .waitFor();
    await screenshot(desktop, 'checkout-paid');

    await payment.getByRole('link', { name: 'open the Mailbox' }).click();
    await desktop.waitForURL(url('/mailbox'));
    await desktop
      .getByRole('row', { name: new RegExp(`${LOGIN_DETAILS_SUBJECT}.*ada@example\\.com`) })
      .getByRole('link', { name: LOGIN_DETAILS_SUBJECT })
      .click();
    await desktop.getByRole('heading', { level: 1, name: LOGIN_DETAILS_SUBJECT }).waitFor();
    const mail = (await desktop.locator('pre').first().textContent()) ?? '';
    expect(mail).toMatch(/Temporary password: \w{4}-\w{4}-\w{4}-\w{4}/);
    await screenshot(desktop, 'login-details-mail');
  });

  it('works on a phone: the offer, the wallet and the payment fit the screen', async () => {
    const phone = await browser.open('phone');
    await phone.goto(paymentLink);
    await phone.getByRole('heading', { level: 1, name: 'Buy Starter' }).waitFor();
    // The wallet connected on this browser's other tab stays connected here.
    await connectWallet(phone);
    await field(phone, 'Email').fill('grace.phone@example.com');
    const pay = phone
      .getByRole('form', { name: 'Pay with USDC' })
      .getByRole('button', { name: 'Pay 49 USDC' });
    await expect(pay.isEnabled()).resolves.toBe(true);
    await expect(phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(
      true,
    );
    await screenshot(phone, 'checkout-phone');
    await pay.click();
    const payment = phone.getByRole('region', { name: 'Your payment' });
    await payment.getByText('paid', { exact: true }).waitFor({ timeout: 60_000 });
    await payment.getByText(/^Paid\. We sent your login details to grace\.phone@example\.com/).waitFor();
    await expect(phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(
      true,
    );
    await screenshot(phone, 'checkout-phone-paid');
    await phone.close();
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
