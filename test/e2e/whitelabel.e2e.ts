import { type APIRequestContext, type Page, request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/core/files/png';
import { startDnsServer, type TestDnsServer } from '../support/dns-server';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field } from './support/page-checks';
import { E2E_ADMIN_KEY, type RunningTally, startTally } from './support/server';

/**
 * A whitelabel reseller's own site, as its customers' browsers see it. Tally runs as a public Tally
 * does (its PUBLIC_URL names a host, not this machine), so the reseller's domain goes live the real
 * way: its CNAME and challenge records are served by a DNS server on 127.0.0.1 (DNS_SERVERS) and the
 * DNS check finds them. Chromium sends the reseller's host name to 127.0.0.1, as DNS would send it
 * to the Tally that serves it. On that host the app wears the reseller's brand and sells its products;
 * on Tally's own host, Tally's.
 */

// Public-looking names, each run on a Tally and a DNS server of its own.
const TALLY_HOST = 'tally.example.com';
const SHOP = 'shop-1.example.com';
const OTHER_SHOP = 'shop-2.example.com';

const BRAND = { name: 'Harbourline', primary: '#9a3412', accent: '#0f5257' };
const SHOP_PRODUCT = 'Harbour Reports';
const TALLY_PRODUCT = 'Tally Starter';

const RESELLER = { name: 'Rita Reseller', email: 'rita@example.com', password: 'rita resells with care' };
const OTHER_RESELLER = { name: 'Otto Other', email: 'otto@example.com', password: 'otto sells elsewhere' };

type Person = typeof RESELLER;

const channelsOf = (hex: string) =>
  [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];

/** `#rrggbb` as a computed style gives it. */
const rgbOf = (hex: string) => `rgb(${channelsOf(hex).join(', ')})`;

/** A 48-pixel logo: a disc in the brand's colour on a transparent square. */
function brandLogo(hex: string): Buffer {
  const [r, g, b] = channelsOf(hex);
  return encodePng(48, 48, (x, y) =>
    (x - 23.5) ** 2 + (y - 23.5) ** 2 <= 23 ** 2 ? [r, g, b, 255] : [0, 0, 0, 0],
  );
}

describe('whitelabel: a reseller’s own domain, under its brand', () => {
  let dns: TestDnsServer;
  let server: RunningTally;
  let browser: Browser;
  let page: Page;
  let admin: APIRequestContext;
  const sessions: APIRequestContext[] = [];
  const screenshot = screenshotTaker('whitelabel');

  beforeAll(async () => {
    dns = await startDnsServer();
    server = await startTally({
      publicHost: TALLY_HOST,
      // The Mailbox a public Tally keeps closed: this one's sign-up mail is read through it, on loopback.
      settings: { DNS_SERVERS: dns.address, MAILBOX_OPEN: 'true' },
    });
    browser = await launchBrowser({ loopbackHosts: [SHOP] });
    page = await browser.open('desktop');
    admin = await request.newContext({
      baseURL: server.url,
      extraHTTPHeaders: { authorization: `Bearer ${E2E_ADMIN_KEY}` },
    });
  });
  afterAll(async () => {
    for (const session of sessions) await session.dispose();
    await admin?.dispose();
    await browser?.close();
    await server?.stop();
  });

  const portOf = () => new URL(server.url).port;
  const on = (host: string, path: string) => `http://${host}:${portOf()}${path}`;

  /** A call of the API that must succeed; its JSON. A `FormData` goes as a multipart form. */
  async function ok(context: APIRequestContext, method: string, path: string, body?: unknown) {
    const answer = await context.fetch(path, {
      method,
      ...(body instanceof FormData ? { multipart: body } : body === undefined ? {} : { data: body }),
    });
    expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBeLessThan(300);
    return answer.json();
  }

  /** The verify-email token Tally mailed to `email` (its job worker sends the mail a moment later). */
  async function mailedToken(reader: APIRequestContext, email: string): Promise<string> {
    for (let tries = 0; tries < 100; tries += 1) {
      const { items } = (await ok(reader, 'GET', `/api/mail/messages?to=${encodeURIComponent(email)}`)) as {
        items: { id: string }[];
      };
      const [mail] = items;
      if (mail) {
        const { text } = (await ok(reader, 'GET', `/api/mail/messages/${mail.id}`)) as { text: string };
        const token = /verify-email\?token=([\w-]+)/.exec(text)?.[1];
        if (token) return token;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no mail with a verify-email link to ${email}`);
  }

  /** Someone who signed up on Tally's own host: a session of their own, as their browser would hold. */
  async function signedUp(person: Person): Promise<APIRequestContext> {
    const session = await request.newContext({
      baseURL: server.url,
      extraHTTPHeaders: { 'x-requested-with': 'tally-e2e' },
    });
    sessions.push(session);
    await ok(session, 'POST', '/api/auth/signup', { name: person.name, email: person.email });
    await ok(session, 'POST', '/api/auth/verify-email', {
      token: await mailedToken(session, person.email),
      password: person.password,
    });
    return session;
  }

  /** Claims `domain`, publishes the records Tally asks for, and has them checked: the domain goes live. */
  async function goLive(reseller: APIRequestContext, domain: string): Promise<void> {
    const claim = await ok(reseller, 'PUT', '/api/credits/whitelabel/domain', { domain });
    expect(claim).toMatchObject({ status: 'pending', cname_target: TALLY_HOST });
    dns.pointAt(domain, claim.cname_target, claim.challenge.value);
    const checked = await ok(reseller, 'POST', '/api/credits/whitelabel/check-dns');
    expect(checked.whitelabel.status).toBe('active');
  }

  it('sets up two resellers through the API, one with its brand, logo and a product on sale', async () => {
    await ok(admin, 'POST', '/api/credits/products', {
      type: 'generic',
      name: TALLY_PRODUCT,
      credits_per_cycle: '100',
      refill_cycle: 'month',
      permissions: ['create_workspace'],
      display_price: { amount_minor: '900', currency: 'USD' },
    });
    const licence = await ok(admin, 'POST', '/api/credits/products', {
      type: 'whitelabel',
      name: 'Reseller licence',
      credits_per_cycle: '1000',
      refill_cycle: 'month',
      permissions: ['create_under_whitelabel_product', 'create_workspace'],
    });

    const reseller = await signedUp(RESELLER);
    const other = await signedUp(OTHER_RESELLER);
    for (const person of [RESELLER, OTHER_RESELLER]) {
      await ok(admin, 'POST', '/api/credits/purchases', {
        email: person.email,
        product_id: licence.id,
        order_reference: `licence-${person.email}`,
      });
    }
    await goLive(reseller, SHOP);
    await goLive(other, OTHER_SHOP);

    await ok(reseller, 'PATCH', '/api/credits/whitelabel/branding', {
      brand_name: BRAND.name,
      primary_color: BRAND.primary,
      accent_color: BRAND.accent,
    });
    const logo = new FormData();
    logo.set('file', new Blob([new Uint8Array(brandLogo(BRAND.primary))], { type: 'image/png' }), 'logo.png');
    const withLogo = await ok(reseller, 'PUT', '/api/credits/whitelabel/branding/logo', logo);
    expect(withLogo.logo_url).toMatch(/^\/api\/credits\/brands\/.+\/logo/);
    await ok(reseller, 'POST', '/api/credits/products', {
      name: SHOP_PRODUCT,
      description: 'Harbour traffic reports, by Harbourline',
      credits_per_cycle: '50',
      refill_cycle: 'month',
      permissions: ['create_workspace'],
      display_price: { amount_minor: '1500', currency: 'USD' },
    });
  });

  it('wears the reseller’s brand on its domain, and its landing page is its shop', async () => {
    await page.goto(on(SHOP, '/'));
    await page.waitForURL(/\/credits\/products$/);
    const home = page.getByRole('link', { name: `${BRAND.name} home` });
    await home.getByText(BRAND.name, { exact: true }).waitFor();
    // The logo is the reseller's own, and it loads.
    const logo = home.locator('img');
    expect(await logo.getAttribute('src')).toMatch(/^\/api\/credits\/brands\//);
    await expect
      .poll(() => logo.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
      .toBe(48);

    const buy = page.getByRole('link', { name: `Buy ${SHOP_PRODUCT}` });
    await buy.waitFor();
    await page.getByRole('heading', { name: SHOP_PRODUCT }).waitFor();
    expect(await page.getByText(TALLY_PRODUCT).count()).toBe(0);
    // The theme's primary colour is the brand's: a filled button is painted in it.
    expect(await buy.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(
      rgbOf(BRAND.primary),
    );
    expect(await page.title()).toMatch(new RegExp(` · ${BRAND.name}$`));
    await screenshot(page, 'shop-under-brand');
  });

  it('refuses a person of another tenant on its log-in page, with the server’s reason', async () => {
    await page.goto(on(SHOP, '/login'));
    await field(page, 'Email').fill(OTHER_RESELLER.email);
    await field(page, 'Password').fill(OTHER_RESELLER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: SHOP });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(
      new RegExp(`does not belong to ${SHOP.replaceAll('.', '\\.')}`, 'i'),
    );
    expect(page.url()).toBe(on(SHOP, '/login'));
    await screenshot(page, 'other-tenant-refused');

    // Its owner is one of its people: signed in there, and taken to their credits.
    await field(page, 'Email').fill(RESELLER.email);
    await field(page, 'Password').fill(RESELLER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    expect(new URL(page.url()).host).toBe(`${SHOP}:${portOf()}`);
  });

  it('is Tally with Tally’s catalogue on Tally’s own host', async () => {
    await page.goto(on('127.0.0.1', '/credits/products'));
    const home = page.getByRole('link', { name: 'Tally home' });
    await home.getByText('Tally', { exact: true }).waitFor();
    const buy = page.getByRole('link', { name: `Buy ${TALLY_PRODUCT}` });
    await buy.waitFor();
    expect(await page.getByText(SHOP_PRODUCT).count()).toBe(0);
    expect(await buy.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe(
      rgbOf(BRAND.primary),
    );
    expect(await page.title()).toMatch(/ · Tally$/);
    await screenshot(page, 'tally-own-host');
  });
});
