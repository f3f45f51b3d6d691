import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field, fieldError, focused, isInert, isOnScreen, tabTo, waitForSlide } from './support/page-checks';
import { type RunningTally, startTally } from './support/server';

const productLineNames = ['Streams', 'Gateway', 'Coop', 'Credits'];

describe('smoke: a first visit to a fresh Tally', () => {
  let server: RunningTally;
  let browser: Browser;
  const screenshot = screenshotTaker('smoke');

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the home page with the four product lines', async () => {
    const page = await browser.open('desktop');
    await page.goto(server.url);
    await page
      .getByRole('heading', { level: 1, name: 'Get paid by the people who use what you make' })
      .waitFor();
    for (const name of productLineNames) {
      await expect(page.getByRole('heading', { level: 2, name, exact: true }).isVisible()).resolves.toBe(
        true,
      );
      await expect(
        page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).isVisible(),
      ).resolves.toBe(true);
    }
    await expect(page.title()).resolves.toBe('Home · Tally');
    await screenshot(page, 'home-desktop');
    await page.close();
  });

  it('is navigable by keyboard: skip link first, then the navigation', async () => {
    const page = await browser.open('desktop');
    await page.goto(server.url);
    await page.getByRole('heading', { level: 1 }).waitFor();

    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toMatchObject({ text: 'Skip to content', href: '#main-content' });
    await screenshot(page, 'skip-link-focused', { fullPage: false });

    await tabTo(page, 'Gateway');
    await screenshot(page, 'navigation-focused', { fullPage: false });
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/gateway`);
    await page.getByRole('heading', { level: 1, name: 'Gateway' }).waitFor();
    await page.getByRole('region', { name: 'MCP servers' }).waitFor();
    await screenshot(page, 'gateway-by-keyboard');
    await page.close();
  });

  it('validates the sign-up form as you type, and shows the server’s answer next to the field', async () => {
    const page = await browser.open('desktop');
    await page.goto(`${server.url}/signup`);
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();

    await field(page, 'Name').fill('Ada Lovelace');
    await field(page, 'Email').pressSequentially('ada@');
    await expect(fieldError(page, 'Email')).resolves.toBe('Enter an email address like ada@example.com');
    // No password here: the owner of the address chooses it from the mail's link.
    await expect(field(page, 'Password').count()).resolves.toBe(0);
    await screenshot(page, 'signup-validates-as-you-type');

    // Passes the page's own check, but not the server's (consecutive dots): its answer lands next to Email.
    await field(page, 'Email').fill('ada..lovelace@example.com');
    await expect(fieldError(page, 'Email')).resolves.toBeNull();
    await page.getByRole('button', { name: 'Create account' }).click();
    await field(page, 'Email').and(page.locator('[aria-invalid="true"]')).waitFor();
    const serverMessage = await fieldError(page, 'Email');
    // zod's own words for an address it refuses, as the server sent them, ended as a sentence.
    expect(serverMessage).toBe('Invalid email address.');
    await expect(field(page, 'Name').inputValue()).resolves.toBe('Ada Lovelace');
    await screenshot(page, 'signup-server-error-beside-field');

    await field(page, 'Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Check your mail').waitFor();
    await expect(page.getByText('ada@example.com').isVisible()).resolves.toBe(true);
    await screenshot(page, 'signup-check-your-mail');
    await page.close();
  });

  it('shows the server’s refusal of a wrong password without losing what was typed', async () => {
    const page = await browser.open('desktop');
    await page.goto(`${server.url}/login`);
    await field(page, 'Email').fill('nobody@example.com');
    await field(page, 'Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('That email and password do not match an account.');
    await expect(field(page, 'Email').inputValue()).resolves.toBe('nobody@example.com');
    await screenshot(page, 'login-refused');
    await page.close();
  });

  it('sends a signed-out person from a signed-in page to log in, and answers unknown pages with a 404 page', async () => {
    const page = await browser.open('desktop');
    await page.goto(`${server.url}/orgs`);
    await page.waitForURL(`${server.url}/login?next=%2Forgs`);
    await page.goto(`${server.url}/no/such/page`);
    await page.getByRole('heading', { name: 'This page does not exist' }).waitFor();
    await screenshot(page, 'not-found');
    await page.close();
  });

  it('works on a phone: the navigation opens from the burger and closes after a choice', async () => {
    const page = await browser.open('phone');
    await page.goto(server.url);
    await page.getByRole('heading', { level: 1 }).waitFor();
    const navigationPanel = page.locator('#main-navigation');
    await expect(isOnScreen(navigationPanel)).resolves.toBe(false);
    await expect(isInert(navigationPanel)).resolves.toBe(true);
    await screenshot(page, 'home-phone');

    await page.getByRole('button', { name: 'Open navigation' }).click();
    const navigation = page.getByRole('navigation', { name: 'Main' });
    await navigation.waitFor({ state: 'visible' });
    await expect(isInert(navigationPanel)).resolves.toBe(false);
    await waitForSlide(page, '#main-navigation', true);
    await screenshot(page, 'navigation-phone');
    await navigation.getByRole('link', { name: 'Coop', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Coop' }).waitFor();
    await waitForSlide(page, '#main-navigation', false);
    await expect(isInert(navigationPanel)).resolves.toBe(true);
    await screenshot(page, 'coop-phone');

    await page.goto(`${server.url}/signup`);
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await screenshot(page, 'signup-phone');
    await page.close();
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
