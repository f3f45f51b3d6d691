import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityAudit } from './support/accessibility';
import { logIn, signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field, fieldError } from './support/page-checks';
import { makeAdministrator, type RunningTally, startTally } from './support/server';

/** A body-less call signed in by cookie says it comes from a script, as the web app's calls do. */
const fromScript = { headers: { 'x-requested-with': 'tally-e2e' } };

const ADMIN = { name: 'Grace Admin', email: 'grace@example.com', password: 'correct horse battery staple' };
const BUYER = { name: 'Ada Buyer', email: 'ada@example.com', password: 'a long and private passphrase' };
const RESELLER = { email: 'rita@example.com', password: 'rita resells with care' };
const LOGIN_DETAILS_SUBJECT = 'Your Tally login details';

/**
 * The credits line from purchase to spending: an administrator prices a host-application action,
 * makes a product and connects a sales platform; the platform reports a purchase by signed webhook;
 * the buyer finds the login details in the Mailbox, is guided from the log-in form to the first
 * login, sets a password and a first workspace, then spends credits (a second workspace, an
 * invitation, and a charge by their application's server) and watches the balance and the usage
 * chart move; the administrator then adjusts the buyer's credits.
 */
describe('credits: from a purchase by webhook to spending credits', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  let webhookUrl = '';
  let webhookSecret = '';
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('credits', audit.check);

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    desktop = await browser.open('desktop');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const api = (path: string) => `${server.url}${path}`;

  const tab = (page: Page, name: string) =>
    page.getByRole('tablist', { name: 'Credits administration' }).getByRole('tab', { name }).click();

  const available = (page: Page) => page.getByTestId('available-credits');

  it('tells a visitor how buying works and where the login details arrive', async () => {
    await desktop.goto(api('/credits'));
    await desktop.getByRole('heading', { level: 1, name: 'Buy credits' }).waitFor();
    await desktop
      .getByRole('region', { name: 'Bought a product?' })
      .getByRole('link', { name: 'Mailbox' })
      .waitFor();
    await screenshot(desktop, 'buy-signed-out');
  });

  it('lets an administrator price an action, make a product and connect a sales platform', async () => {
    await signUp(desktop, server.url, ADMIN);
    await makeAdministrator(server.tally, ADMIN.email);
    await logIn(desktop, server.url, ADMIN);

    await desktop.goto(api('/credits/admin/action-prices'));
    await desktop.getByRole('heading', { level: 1, name: 'Action prices' }).waitFor();
    await desktop.getByText('create_workspace', { exact: true }).waitFor();
    await field(desktop, 'Action').fill('generate_image');
    await field(desktop, 'Label').fill('Generate an image');
    await field(desktop, 'Price in credits').fill('2');
    await desktop.getByRole('button', { name: 'Add action' }).click();
    await desktop.getByRole('row', { name: /Generate an image.*2 credits.*host application/ }).waitFor();
    await screenshot(desktop, 'admin-action-prices');

    await tab(desktop, 'Products');
    await desktop.getByRole('heading', { level: 1, name: 'Credits products' }).waitFor();
    await desktop.getByText('No products yet').waitFor();
    await field(desktop, 'Name').fill('Starter');
    await field(desktop, 'Credits per cycle').fill('100');
    await desktop.getByRole('combobox', { name: 'Actions it allows' }).click();
    for (const action of ['create_workspace', 'invite_member', 'generate_image']) {
      await desktop.getByRole('option', { name: new RegExp(`\\(${action}\\)`) }).click();
    }
    await desktop.keyboard.press('Escape');
    await field(desktop, 'Display price').fill('49.0');
    await desktop.getByRole('button', { name: 'Create product' }).click();
    const row = desktop.getByRole('row', { name: /Starter/ });
    await row.getByText('100 credits').waitFor();
    await row.getByText('49.00 USD').waitFor();
    await screenshot(desktop, 'admin-products');

    await tab(desktop, 'Integrations');
    // The products' form has a Name too: the one filled is the integration's, once its tab is shown.
    const connect = desktop.getByRole('form', { name: 'Connect a sales platform' });
    await connect.getByLabel(/^Name( \*)?$/).fill('Shop');
    await connect.getByRole('button', { name: 'Create integration' }).click();
    const dialog = desktop.getByRole('dialog', { name: 'Integration “Shop” created' });
    await dialog.waitFor();
    webhookSecret = (await dialog.getByLabel('Signing secret', { exact: true }).textContent()) ?? '';
    webhookUrl = (await dialog.getByLabel('Webhook address').textContent()) ?? '';
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(webhookUrl).toMatch(/\/api\/credits\/webhooks\/[0-9a-f-]{36}$/);
    await screenshot(desktop, 'admin-integration-secret-shown-once', { fullPage: false });
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    await desktop.getByRole('row', { name: /Shop.*active/ }).waitFor();
  });

  it('records a purchase the sales platform reports by signed webhook, and logs a refused delivery', async () => {
    const products = await desktop.request.get(api('/api/credits/products'));
    const { items } = (await products.json()) as { items: { id: string; name: string }[] };
    const starter = items.find((product) => product.name === 'Starter');
    const body = JSON.stringify({
      order_id: 'shop-1001',
      email: BUYER.email,
      product_id: starter?.id,
      name: BUYER.name,
    });
    const deliver = (secret: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
      return fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-tally-timestamp': timestamp,
          'x-tally-signature': `sha256=${signature}`,
        },
        body,
      });
    };
    // The platform first signs with a secret it got wrong: refused, and logged.
    expect((await deliver('whsec_not-the-one-tally-gave')).status).toBe(401);
    expect((await deliver(webhookSecret)).status).toBe(201);

    await tab(desktop, 'Purchases');
    const purchase = desktop.getByRole('row', { name: new RegExp(BUYER.email) });
    await purchase.getByText('Webhook: Shop').waitFor();
    await purchase.getByText('new account').waitFor();
    await screenshot(desktop, 'admin-purchases');

    // On a phone, the integration's delivery log shows both attempts as cards, the refusal with its reason.
    const phone = await browser.open('phone');
    await phone.goto(api('/credits/admin/integrations'));
    await phone.getByRole('link', { name: 'Shop' }).first().click();
    await phone.getByRole('heading', { level: 1, name: 'Shop' }).waitFor();
    const deliveries = phone.getByRole('list', { name: 'Webhook deliveries' }).getByRole('listitem');
    await expect.poll(() => deliveries.count()).toBe(2);
    const refused = deliveries.filter({ hasText: 'refused' });
    await refused.getByText('bad_signature').waitFor();
    await refused.getByText(/signature does not match this integration’s secret/).waitFor();
    await refused.getByText('401').waitFor();
    const recorded = deliveries.filter({ hasText: 'Recorded: a purchase was made.' });
    await recorded.getByText('shop-1001').waitFor();
    await recorded.getByRole('link', { name: 'Open the purchase' }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(phone, 'integration-delivery-log-phone');
    await phone.close();
    expect((await desktop.request.post(api('/api/auth/logout'), fromScript)).status()).toBeLessThan(300);
  });

  it('shows a visitor the products on sale, with their exact prices', async () => {
    await desktop.goto(api('/credits/products'));
    const starter = desktop
      .getByRole('region', { name: 'Products on sale' })
      .getByRole('article', { name: 'Starter' });
    await starter.getByText('49.00 USD').waitFor();
    await starter.getByText('Generate an image').waitFor();
    await screenshot(desktop, 'buy-catalogue-signed-out');
  });

  it('guides the buyer from the mail and the log-in form to the first login', async () => {
    await desktop.goto(api('/mailbox'));
    await desktop
      .getByRole('row', { name: new RegExp(`${LOGIN_DETAILS_SUBJECT}.*${BUYER.email}`) })
      .getByRole('link', { name: LOGIN_DETAILS_SUBJECT })
      .click();
    await desktop.getByRole('heading', { level: 1, name: LOGIN_DETAILS_SUBJECT }).waitFor();
    const mail = (await desktop.locator('pre').first().textContent()) ?? '';
    const temporaryPassword = /Temporary password: (\S+)/.exec(mail)?.[1] ?? '';
    expect(temporaryPassword).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}$/);
    await screenshot(desktop, 'login-details-mail');

    // The log-in form refuses a temporary password with a way to the first login.
    await desktop.goto(api('/login'));
    await field(desktop, 'Email').fill(BUYER.email);
    await field(desktop, 'Password').fill(temporaryPassword);
    await desktop.getByRole('button', { name: 'Log in' }).click();
    await desktop.getByText('That is your temporary password').waitFor();
    await screenshot(desktop, 'login-with-temporary-password');

    // The mail's own link leads to the same page, the address filled in.
    await desktop.goBack();
    await desktop.getByRole('link', { name: /\/credits\/welcome\?email=/ }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Finish setting up your account' }).waitFor();
    expect(desktop.url()).toContain('/credits/welcome?email=');
    await expect(field(desktop, 'Email').inputValue()).resolves.toBe(BUYER.email);

    await field(desktop, 'Temporary password').fill('aaaa-bbbb-cccc-dddd');
    await field(desktop, 'New password').fill('short');
    await expect(fieldError(desktop, 'New password')).resolves.toBe('Use at least 10 characters');
    await field(desktop, 'New password').fill(BUYER.password);
    await field(desktop, 'First workspace').fill('Acme Marketing');
    await desktop.getByRole('button', { name: 'Set my password and open my dashboard' }).click();
    await expect.poll(() => fieldError(desktop, 'Temporary password')).toMatch(/do not match/);
    await expect(field(desktop, 'First workspace').inputValue()).resolves.toBe('Acme Marketing');
    await expect(field(desktop, 'New password').inputValue()).resolves.toBe(BUYER.password);
    await screenshot(desktop, 'first-login-wrong-temporary-password');

    await field(desktop, 'Temporary password').fill(temporaryPassword);
    await desktop.getByRole('button', { name: 'Set my password and open my dashboard' }).click();
    await desktop.waitForURL(api('/credits'));
    await desktop.getByRole('heading', { level: 1, name: 'Credits' }).waitFor();
    await expect(available(desktop).textContent()).resolves.toBe('90 credits');
    const balance = desktop.getByRole('region', { name: 'Balance' });
    await balance.getByText('100 credits', { exact: true }).waitFor();
    await balance.getByText('10 credits', { exact: true }).waitFor();
    await desktop.getByText('Nothing used in the last 30 days').waitFor();
    await screenshot(desktop, 'dashboard-after-first-login');
  });

  it('spends credits on a second workspace and an invitation, and sees the balance drop', async () => {
    await desktop.getByRole('tab', { name: 'Workspaces' }).click();
    await desktop.getByRole('link', { name: 'Acme Marketing' }).waitFor();
    await expect
      .poll(() => desktop.getByTestId('workspace-price').textContent())
      .toBe(
        'Creating a workspace reserves 10 credits for the work done in it; you have 90 credits available.',
      );
    await field(desktop, 'Name').fill('acme marketing');
    await desktop.getByRole('button', { name: 'Create workspace' }).click();
    await expect.poll(() => fieldError(desktop, 'Name')).toMatch(/already exists/);
    await field(desktop, 'Name').fill('Acme Sales');
    await desktop.getByRole('button', { name: 'Create workspace' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Acme Sales' }).waitFor();
    await desktop.getByText('Ada Buyer (you)').waitFor();

    await expect
      .poll(() => desktop.getByTestId('invite-price').textContent())
      .toBe("Each invitation costs 1 credit, paid from the workspace's reserve first.");
    await field(desktop, 'Email').fill('bob@example.com');
    await desktop.getByRole('button', { name: 'Send invitation' }).click();
    // Listed among the open invitations (the usage below names the address too).
    await desktop
      .getByRole('table', { name: 'Open invitations' })
      .getByRole('row', { name: /bob@example\.com/ })
      .waitFor();
    // The invitation's credit, in its amount and in what paid for it (the workspace's reserve).
    await desktop
      .getByRole('region', { name: 'Recent usage' })
      .getByText('1 credit', { exact: true })
      .first()
      .waitFor();
    await screenshot(desktop, 'workspace-with-invitation');

    await desktop.getByRole('tab', { name: 'Dashboard' }).click();
    await expect.poll(() => available(desktop).textContent()).toBe('80 credits');
    await desktop.getByRole('figure', { name: /1 credit in all/ }).waitFor();
  });

  it('shows a charge by the application’s server on the chart without a reload', async () => {
    const key = await desktop.request.post(api('/api/auth/api-keys'), {
      data: { name: 'app server', scopes: ['credits:spend'] },
    });
    expect(key.status()).toBe(201);
    const { secret } = (await key.json()) as { secret: string };
    const charge = await fetch(api('/api/credits/charge'), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        'idempotency-key': 'post-42-image',
      },
      body: JSON.stringify({ action: 'generate_image', quantity: 3, used_for: 'post:42' }),
    });
    expect(charge.status).toBe(200);

    await desktop.getByRole('figure', { name: /7 credits in all/ }).waitFor();
    await expect.poll(() => available(desktop).textContent()).toBe('74 credits');
    await desktop
      .getByRole('table', { name: 'Credits used by action' })
      .getByRole('row', { name: /Generate an image.*6 credits/ })
      .waitFor();
    await screenshot(desktop, 'dashboard-after-spending');
  });

  it('lists and filters the usage history, also on a phone', async () => {
    await desktop.getByRole('tab', { name: 'Usage' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Usage history' }).waitFor();
    const usages = desktop.getByRole('table', { name: 'Usages' });
    await usages.getByRole('row', { name: /post:42.*6 credits.*direct/ }).waitFor();
    await usages.getByRole('row', { name: /invitation:.*1 credit.*reservation/ }).waitFor();
    await screenshot(desktop, 'usage-history');

    await field(desktop, 'Used for').fill('post:42');
    await desktop.getByRole('button', { name: 'Apply filters' }).click();
    await desktop.waitForURL(/used_for=post%3A42/);
    await expect.poll(() => usages.getByRole('row').count()).toBe(2);

    const phone = await browser.open('phone');
    await phone.goto(api('/credits'));
    await phone.getByRole('figure', { name: /7 credits in all/ }).waitFor();
    await expect(available(phone).textContent()).resolves.toBe('74 credits');
    await screenshot(phone, 'dashboard-phone');
    await phone.goto(api('/credits/usage'));
    const cards = phone.getByRole('list', { name: 'Usages' }).getByRole('listitem');
    await cards.first().waitFor();
    await screenshot(phone, 'usage-phone');

    // A usage has its page, and so does the grant that paid it, with what the grant paid for.
    await cards.filter({ hasText: 'post:42' }).getByRole('link').first().click();
    await phone.getByRole('heading', { level: 1, name: 'Usage of 6 credits' }).waitFor();
    await screenshot(phone, 'usage-detail-phone');
    await phone.getByRole('region', { name: 'Paid by' }).getByRole('link').first().click();
    await phone.getByRole('heading', { level: 1, name: 'Starter (bought)' }).waitFor();
    const spentOn = phone.getByRole('region', { name: 'Spent on' });
    await spentOn.getByRole('listitem').filter({ hasText: 'post:42' }).waitFor();
    await phone
      .getByRole('region', { name: 'Grant' })
      .getByRole('link', { name: 'Open the purchase' })
      .waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(phone, 'grant-phone');
    await phone.close();
  });

  it('lets the administrator see the buyer’s type and balance and add credits with a reason', async () => {
    expect((await desktop.request.post(api('/api/auth/logout'), fromScript)).status()).toBeLessThan(300);
    await logIn(desktop, server.url, ADMIN);
    await desktop.goto(api('/credits/admin/users'));
    const buyer = desktop.getByRole('row', { name: new RegExp(BUYER.email) });
    await buyer.getByText('Generic').waitFor();
    await buyer.getByText('74 credits').waitFor();
    await buyer.getByRole('link').click();
    await desktop.getByRole('heading', { level: 2, name: 'Adjust credits' }).waitFor();
    await field(desktop, 'Amount in credits').fill('25');
    await field(desktop, 'Reason').fill('Compensation for the outage of 3 June');
    await desktop.getByRole('button', { name: 'Add credits' }).click();
    await desktop.getByRole('region', { name: 'Balance' }).getByText('99 credits').waitFor();
    await desktop
      .getByRole('region', { name: 'Grants' })
      .getByText('Compensation for the outage of 3 June')
      .waitFor();
    await screenshot(desktop, 'admin-person');
  });

  it('lets a whitelabel reseller make a product within their credits and set up a domain', async () => {
    const made = await desktop.request.post(api('/api/credits/products'), {
      data: {
        type: 'whitelabel',
        name: 'Reseller Pro',
        credits_per_cycle: '500',
        refill_cycle: 'month',
        permissions: ['create_under_whitelabel_product', 'create_workspace', 'generate_image'],
      },
    });
    expect(made.status()).toBe(201);
    await desktop.goto(api('/credits/admin/purchases'));
    await field(desktop, "Buyer's email").fill(RESELLER.email);
    await field(desktop, 'Product').first().click();
    await desktop.getByRole('option', { name: /^Reseller Pro/ }).click();
    await field(desktop, 'Order reference').fill('invoice-77');
    await desktop.getByRole('button', { name: 'Enter purchase' }).click();
    await desktop.getByText(`Purchase entered: ${RESELLER.email} is registered`).waitFor();

    const mails = await desktop.request.get(api(`/api/mail/messages?to=${RESELLER.email}`));
    const [mail] = ((await mails.json()) as { items: { id: string }[] }).items;
    const message = await desktop.request.get(api(`/api/mail/messages/${mail?.id}`));
    const temporaryPassword = /Temporary password: (\S+)/.exec(
      ((await message.json()) as { text: string }).text,
    )?.[1];
    expect((await desktop.request.post(api('/api/auth/logout'), fromScript)).status()).toBeLessThan(300);
    const onboarded = await desktop.request.post(api('/api/credits/onboarding'), {
      data: {
        email: RESELLER.email,
        temporary_password: temporaryPassword,
        new_password: RESELLER.password,
        workspace_name: 'Rita Studio',
      },
    });
    expect(onboarded.status()).toBe(201);

    await desktop.goto(api('/credits'));
    await desktop.getByRole('tab', { name: 'Reseller' }).click();
    // The reseller's area opens on its overview; its products have a tab of their own.
    await desktop.getByRole('heading', { level: 1, name: 'Your reseller business' }).waitFor();
    await desktop.getByRole('tab', { name: 'Your products' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Your products' }).waitFor();
    await desktop.getByText('No products yet').waitFor();
    await field(desktop, 'Name').fill('Rita Basic');
    await field(desktop, 'Credits per cycle').fill('1000');
    await expect(fieldError(desktop, 'Credits per cycle')).resolves.toBe(
      'At most 485 credits: what you have available',
    );
    await field(desktop, 'Credits per cycle').fill('200');
    await desktop.getByRole('combobox', { name: 'Actions it allows' }).click();
    await expect(desktop.getByRole('option').count()).resolves.toBe(3);
    await desktop.getByRole('option', { name: /\(generate_image\)/ }).click();
    await desktop.keyboard.press('Escape');
    await field(desktop, 'Display price').fill('9');
    await desktop.getByRole('button', { name: 'Create product' }).click();
    await desktop.getByRole('row', { name: /Rita Basic.*Under whitelabel.*200 credits.*9.00 USD/ }).waitFor();
    await screenshot(desktop, 'reseller-products');

    await desktop.getByRole('tab', { name: 'Domain' }).click();
    await field(desktop, 'Domain').fill('https://nope');
    await expect(fieldError(desktop, 'Domain')).resolves.toMatch(/without https/);
    // This Tally's public address is 127.0.0.1, a development Tally: no CNAME can point at it, and the
    // page says to use a name under .localhost, which reaches this machine by definition (the DNS steps
    // themselves are walked in the API tests and the whitelabel journey).
    await desktop.getByText('A development Tally').waitFor();
    await expect(desktop.getByText(/use a name like acme\.localhost/).count()).resolves.toBe(1);
    await screenshot(desktop, 'reseller-domain');
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
