import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityAudit } from './support/accessibility';
import { logIn, signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker, type ViewportName } from './support/browser';
import { field, fieldError, focused } from './support/page-checks';
import { makeAdministrator, type RunningTally, startTally } from './support/server';

const ADMIN = { name: 'Grace Admin', email: 'grace@example.com', password: 'correct horse battery staple' };

/** WCAG's contrast ratio of two `rgb(…)` colours, as the browser computed them. */
function contrast(foreground: string, background: string): number {
  const luminance = (color: string) => {
    const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((channel) => {
      const c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * What a new user stumbled on, in a browser at desktop and phone sizes: an administrator types a
 * price with a comma and sees it saved as meant, a secret's dialog stays open through Esc until it
 * is stored, placeholders are readable and badges whole.
 */
describe('credits: amounts, secrets and badges as a new user meets them', () => {
  let server: RunningTally;
  let browser: Browser;
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('credits-inputs', audit.check);

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    await signUpAdministrator();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const api = (path: string) => `${server.url}${path}`;

  /** The administrator signs up and confirms the address through the API, then is made one. */
  const signUpAdministrator = async () => {
    const page = await browser.open('desktop');
    await signUp(page, server.url, ADMIN);
    await makeAdministrator(server.tally, ADMIN.email);
    await page.close();
  };

  /** An administrator signed in through the API, in a tab of the given size. */
  const adminPage = async (viewport: ViewportName): Promise<Page> => {
    const page = await browser.open(viewport);
    await logIn(page, server.url, ADMIN);
    return page;
  };

  const storedPrice = async (page: Page, name: string) => {
    const answer = await page.request.get(api('/api/credits/products?limit=100'));
    const { items } = (await answer.json()) as {
      items: { name: string; display_price: { amount_minor: string; currency: string } }[];
    };
    return items.find((product) => product.name === name)?.display_price;
  };

  const cases: { viewport: ViewportName; typed: string; shown: string; minor: string }[] = [
    { viewport: 'desktop', typed: '49,00', shown: '49.00 USD', minor: '4900' },
    { viewport: 'phone', typed: '1.234,50', shown: '1,234.50 USD', minor: '123450' },
  ];

  for (const { viewport, typed, shown, minor } of cases) {
    it(`takes a price typed with a comma as meant, and says so before saving (${viewport})`, async () => {
      const page = await adminPage(viewport);
      await page.goto(api('/credits/admin/products'));
      await page.getByRole('heading', { level: 1, name: 'Credits products' }).waitFor();
      const name = `Comma ${viewport}`;
      await field(page, 'Name').fill(name);
      await field(page, 'Credits per cycle').fill('100');

      await field(page, 'Display price').fill('1000000000000.99');
      await expect(fieldError(page, 'Display price')).resolves.toBe(
        'At most 1,000,000.00 USD: the highest display price Tally takes',
      );
      await field(page, 'Display price').fill('1,234');
      await expect(fieldError(page, 'Display price')).resolves.toMatch(/^“1,234” could be 1234 or 1\.234/);
      await page.getByRole('button', { name: 'Create product' }).click();
      await expect.poll(async () => (await focused(page)).tag).toBe('input');
      await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).resolves.toBe(
        'true',
      );
      expect(await storedPrice(page, name)).toBeUndefined();

      await field(page, 'Display price').fill(typed);
      await expect(fieldError(page, 'Display price')).resolves.toBeNull();
      await page.getByText(`Saved as ${shown}.`, { exact: true }).waitFor();
      await screenshot(page, `price-with-comma-${viewport}`);
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByText(`${name} created.`).waitFor();
      await expect.poll(() => storedPrice(page, name)).toEqual({ amount_minor: minor, currency: 'USD' });
      await page.getByText(shown, { exact: true }).first().waitFor();
      await page.close();
    });

    it(`keeps a signing secret on screen through Esc until it is stored (${viewport})`, async () => {
      const page = await adminPage(viewport);
      await page.goto(api('/credits/admin/integrations'));
      const platform = `Shop ${viewport}`;
      await field(page, 'Name').fill(platform);
      await page.getByRole('button', { name: 'Create integration' }).click();
      const dialog = page.getByRole('dialog', { name: `Integration “${platform}” created` });
      await dialog.waitFor();
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
        .toBe('Copy the signing secret');

      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      expect(await dialog.isVisible()).toBe(true);
      await expect(dialog.getByLabel('Signing secret', { exact: true }).textContent()).resolves.toMatch(
        /^whsec_/,
      );
      await screenshot(page, `secret-after-esc-${viewport}`, { fullPage: false });

      await dialog.getByRole('button', { name: 'I have stored it' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.close();
    });
  }

  it('shows placeholders at AA contrast and badges whole on a phone', async () => {
    const page = await adminPage('phone');
    await page.goto(api('/credits/admin/products'));
    const actions = page.getByPlaceholder('Choose actions');
    await actions.waitFor();
    const colors = await actions.evaluate((input) => {
      // A multi-select's text field is transparent: the colour behind it is its box's.
      let behind: Element | null = input;
      while (behind && /^rgba\(.*, 0\)$|^transparent$/.test(getComputedStyle(behind).backgroundColor)) {
        behind = behind.parentElement;
      }
      return {
        placeholder: getComputedStyle(input, '::placeholder').color,
        background: behind ? getComputedStyle(behind).backgroundColor : 'rgb(255, 255, 255)',
      };
    });
    expect(contrast(colors.placeholder, colors.background)).toBeGreaterThanOrEqual(4.5);

    await page.goto(api('/credits/admin/users'));
    await page.getByText(ADMIN.email).first().waitFor();
    await page.locator('.mantine-Badge-root').first().waitFor();
    const cut = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('.mantine-Badge-root')).filter((root) => {
          const label = root.querySelector('.mantine-Badge-label') ?? root;
          return label.getBoundingClientRect().right > root.getBoundingClientRect().right + 0.5;
        }).length,
    );
    expect(cut).toBe(0);
    await screenshot(page, 'users-phone');
    await page.close();
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
