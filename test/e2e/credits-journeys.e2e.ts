import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityAudit } from './support/accessibility';
import { logIn, signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker, type ViewportName } from './support/browser';
import { field } from './support/page-checks';
import { makeAdministrator, type RunningTally, startTally } from './support/server';

/** A body-less call signed in by cookie says it comes from a script, as the web app's calls do. */
const fromScript = { 'x-requested-with': 'tally-e2e' };

const ADMIN = { name: 'Grace Admin', email: 'grace@example.com', password: 'correct horse battery staple' };
const PASSWORD = 'a long and private passphrase';
const WELCOME_SUBJECT = 'Welcome to Tally — confirm your email';

/**
 * What a new person met on the credits line, walked at desktop and phone sizes: a session that
 * ends while a form is being filled in leads to the log-in and back to the form, with what was
 * typed; and someone invited into a workspace signs up from the invitation (their address filled
 * in) and lands on the workspace's credits page, seeing what they can spend there.
 */
describe('credits journeys: a session ending mid-form, and an invited member’s first visit', () => {
  let server: RunningTally;
  let browser: Browser;
  let productId = '';
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('credits-journeys', audit.check);
  const api = (path: string) => `${server.url}${path}`;

  /** The link of the newest mail to `email` with this subject, as its reader would follow it. */
  const mailedLink = async (page: Page, email: string, subject: string, link: RegExp) => {
    for (let tries = 0; tries < 100; tries += 1) {
      const { items } = (await (await page.request.get(api('/api/mail/messages'))).json()) as {
        items: { id: string; to: string; subject: string }[];
      };
      const mail = items.find((item) => item.to === email && item.subject === subject);
      if (mail) {
        const message = await page.request.get(api(`/api/mail/messages/${mail.id}`));
        const found = link.exec(((await message.json()) as { text: string }).text)?.[0];
        if (found) return found;
      }
      await page.waitForTimeout(100);
    }
    throw new Error(`no mail "${subject}" to ${email}`);
  };

  const logOut = async (page: Page) => {
    const answer = await page.request.post(api('/api/auth/logout'), { headers: fromScript });
    expect(answer.status()).toBeLessThan(300);
  };

  /** A person with a password who bought the product that allows workspaces and invitations. */
  const buyer = async (page: Page, name: string, email: string) => {
    await signUp(page, server.url, { name, email, password: PASSWORD });
    await logIn(page, server.url, ADMIN);
    const purchase = await page.request.post(api('/api/credits/purchases'), {
      data: { email, product_id: productId, order_reference: `order-${email}` },
    });
    expect(purchase.status()).toBe(201);
    await logOut(page);
    await logIn(page, server.url, { email, password: PASSWORD });
  };

  /** The page's session ends on the server, as it would when it expires; the browser keeps its cookie. */
  const endSessionOnServer = async (page: Page) => {
    const cookie = (await page.context().cookies(server.url)).find((c) => c.name === 'tally_session');
    expect(cookie).toBeDefined();
    const ended = await fetch(api('/api/auth/logout'), {
      method: 'POST',
      headers: { ...fromScript, cookie: `${cookie?.name}=${cookie?.value}` },
    });
    expect(ended.status).toBeLessThan(300);
  };

  /** On the log-in the ended session led to: it says so, the address is filled in; log in again. */
  const logInAgain = async (page: Page, email: string, next: string) => {
    await page.waitForURL(api(`/login?next=${encodeURIComponent(next)}&session=ended`));
    await page.getByText('Your session ended').waitFor();
    await expect(field(page, 'Email').inputValue()).resolves.toBe(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(api(next));
  };

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    const setup = await browser.open('desktop');
    await signUp(setup, server.url, { ...ADMIN });
    await makeAdministrator(server.tally, ADMIN.email);
    await logIn(setup, server.url, ADMIN);
    const product = await setup.request.post(api('/api/credits/products'), {
      data: {
        type: 'generic',
        name: 'Team',
        credits_per_cycle: '100',
        refill_cycle: 'month',
        permissions: ['create_workspace', 'invite_member'],
      },
    });
    expect(product.status()).toBe(201);
    productId = ((await product.json()) as { id: string }).id;
    await logOut(setup);
    await setup.close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('brings a person whose session ended back to the workspace form, the name typed kept (desktop)', async () => {
    const page = await browser.open('desktop');
    await buyer(page, 'Ada Buyer', 'ada@example.com');
    await page.goto(api('/credits/workspaces'));
    await field(page, 'Name').fill('Acme Marketing');
    await endSessionOnServer(page);
    await page.getByRole('button', { name: 'Create workspace' }).click();

    await logInAgain(page, 'ada@example.com', '/credits/workspaces');
    await screenshot(page, 'desktop-back-after-log-in');
    await expect.poll(() => field(page, 'Name').inputValue()).toBe('Acme Marketing');
    await page.getByText('What you typed is back').waitFor();
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Marketing' }).waitFor();
    await page.close();
  });

  it('brings a person whose cookie was deleted back to the invitation form, the address typed kept (phone)', async () => {
    const page = await browser.open('phone');
    await buyer(page, 'Olga Owner', 'olga@example.com');
    const made = await page.request.post(api('/api/credits/workspaces'), {
      data: { name: 'Olga Studio' },
      headers: fromScript,
    });
    expect(made.status()).toBe(201);
    const workspace = (await made.json()) as { id: string };
    const path = `/credits/workspaces/${workspace.id}`;
    await page.goto(api(path));
    const invite = page.getByRole('form', { name: 'Invite someone' });
    await field(page, 'Email').fill('someone@example.com');
    await page.context().clearCookies({ name: 'tally_session' });
    await invite.getByRole('button', { name: 'Send invitation' }).click();

    await screenshot(page, 'phone-log-in-after-session-ended');
    await logInAgain(page, 'olga@example.com', path);
    await expect.poll(() => field(page, 'Email').inputValue()).toBe('someone@example.com');
    await screenshot(page, 'phone-back-after-log-in');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await page
      .getByRole('region', { name: 'Invitations' })
      .getByText('someone@example.com')
      .first()
      .waitFor();
    await page.close();
  });

  for (const [viewport, member] of [
    ['desktop', { name: 'Bob Member', email: 'bob@example.com' }],
    ['phone', { name: 'Cleo Member', email: 'cleo@example.com' }],
  ] as [ViewportName, { name: string; email: string }][]) {
    it(`lands an invited member on the workspace’s credits page at the first visit (${viewport})`, async () => {
      const page = await browser.open(viewport);
      await logIn(page, server.url, { email: 'ada@example.com', password: PASSWORD });
      const { items } = (await (await page.request.get(api('/api/credits/workspaces'))).json()) as {
        items: { id: string; name: string }[];
      };
      const workspace = items.find((w) => w.name === 'Acme Marketing')!;
      const invited = await page.request.post(api(`/api/credits/workspaces/${workspace.id}/invitations`), {
        data: { email: member.email, role: 'member' },
        headers: fromScript,
      });
      expect(invited.status()).toBe(201);
      await logOut(page);

      const invitation = 'Ada Buyer invited you to join Acme Marketing on Tally';
      await page.goto(await mailedLink(page, member.email, invitation, /http\S+\/invitations\/[\w-]+/));
      await page.getByRole('heading', { name: 'Join Acme Marketing' }).waitFor();
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByRole('heading', { name: 'Create your account' }).waitFor();
      await expect(field(page, 'Email').inputValue()).resolves.toBe(member.email);
      await screenshot(page, `${viewport}-sign-up-from-invitation`);
      await field(page, 'Name').fill(member.name);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Check your mail').waitFor();

      await page.goto(
        await mailedLink(page, member.email, WELCOME_SUBJECT, /http\S+\/verify-email\?token=[\w-]+/),
      );
      const choose = page.getByRole('form', { name: 'Choose your password' });
      await choose.waitFor();
      await field(page, 'Password').fill(PASSWORD);
      await field(page, 'Repeat the password').fill(PASSWORD);
      await choose.getByRole('button', { name: 'Confirm and sign in' }).click();
      await page.getByRole('button', { name: 'Accept and join' }).click();

      await page.waitForURL(api(`/credits/workspaces/${workspace.id}`));
      await page.getByRole('heading', { level: 1, name: 'Acme Marketing' }).waitFor();
      await page.getByText('What you do here is paid by the workspace').waitFor();
      const credits = page.getByRole('region', { name: 'Credits' });
      await credits.getByText("then Ada Buyer's credits", { exact: false }).waitFor();
      // Ada's 100 credits less the 10 held in reserve for the workspace, which pays for invitations.
      const available = credits.locator('dt', { hasText: 'Available to spend here' }).locator('+ dd');
      await expect.poll(() => available.textContent()).toBe('90 credits');
      await expect(page.getByText('You have no credits yet').count()).resolves.toBe(0);
      await screenshot(page, `${viewport}-invited-member-workspace`);

      await page.goto(api('/credits'));
      await page.getByText('You spend the credits of your workspaces').waitFor();
      await page.getByTestId('available-credits').waitFor();
      await expect(page.getByText('You have no credits yet').count()).resolves.toBe(0);
      await screenshot(page, `${viewport}-invited-member-dashboard`);
      await logOut(page);
      await page.close();
    });
  }

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
