import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPhoto } from '../../src/coop/demo/photo';
import { accessibilityAudit } from './support/accessibility';
import { logIn, signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field, fieldError } from './support/page-checks';
import { type RunningTally, startTally } from './support/server';

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'ada keeps the club going' };
const BOB = { name: 'Bob Garcia', email: 'bob@example.com', password: 'bob grows tomatoes too' };
const CAROL = { name: 'Carol Garcia', email: 'carol@example.com', password: 'carol moved in with bob' };

const PRODUCTS_CSV = [
  'code,name,description,categories,unit,amount_per_package,packages,estimate,maximum_available,price,vat_percent,margin_percent,origin',
  'APL,Apples,Crisp and sweet,Fruit,kg,1,1,no,40,2.99,7,5,Hill orchard',
  'PEA,Pears,Conference pears,Fruit,kg,1,1,no,,3.20,7,5,Hill orchard',
  'CAR,Carrots,"Unwashed, with their tops",Vegetables,kg,0.5,1,no,,1.10,7,5,Green Acres',
  'POT,Potatoes,Waxy,Vegetables,kg,2.5,1,no,,0.89,7,5,Green Acres',
  'PUM,Pumpkin,Sold by weight,Vegetables,kg,1,1,yes,10,1.50,7,5,Green Acres',
  'EGG,Eggs,Free range,Eggs & dairy,piece,1,6,no,30,0.40,7,,Green Acres',
].join('\n');

/** The producer's photo: a green field with a lighter band across (a real PNG). */
const PHOTO = demoPhoto([70, 130, 60], 160);

/**
 * The coop line from an empty Tally to a catalogue: an Admin starts a buyers club and a household,
 * invites people with a link; Bob starts a second household, Carol asks to join it and reads her
 * code out to Bob, who types it (a wrong one first); the Admin adds a producer and imports its
 * products from a spreadsheet (a bad row first), and members browse them by category, on a
 * desktop and on a phone.
 */
describe('coop: a buyers club from its first household to its catalogue', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  let clubPath = '';
  let inviteUrl = '';
  let carolCode = '';
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('coop', audit.check);

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    desktop = await browser.open('desktop');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const go = (page: Page, path: string) => page.goto(`${server.url}${path}`);
  const tab = (page: Page, name: string) =>
    page.getByRole('tablist', { name: 'The Plenty Club' }).getByRole('tab', { name }).click();

  it('tells a visitor what a buyers club is', async () => {
    await go(desktop, '/coop');
    await desktop.getByRole('heading', { level: 1, name: 'Coop' }).waitFor();
    await desktop.getByRole('region', { name: 'What a buyers club is' }).waitFor();
    await screenshot(desktop, 'visitor');
  });

  it('lets a person start a club and a first household', async () => {
    await signUp(desktop, server.url, ADMIN);
    await go(desktop, '/coop');
    await desktop.getByText('You are in no buyers club yet').waitFor();
    await screenshot(desktop, 'first-time');
    await field(desktop, 'Name of the club').fill('The Plenty Club');
    await desktop.getByRole('button', { name: 'Start the club' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'The Plenty Club' }).waitFor();
    clubPath = new URL(desktop.url()).pathname;
    await desktop.getByRole('form', { name: 'Start a household' }).waitFor();
    await screenshot(desktop, 'club-home-no-household');

    await field(desktop, 'Name of the household').fill('The Millers');
    await desktop.getByRole('button', { name: 'Start the household' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'The Millers' }).waitFor();
    await screenshot(desktop, 'household');
  });

  it('makes an invite link, shown once', async () => {
    await tab(desktop, 'Invite links');
    await desktop.getByText('No invite link yet').waitFor();
    await desktop.getByRole('button', { name: 'Make an invite link' }).click();
    const dialog = desktop.getByRole('dialog', { name: 'Invite link made' });
    await dialog.waitFor();
    inviteUrl = (await dialog.getByLabel('Invite link', { exact: true }).textContent()) ?? '';
    expect(inviteUrl).toMatch(new RegExp(`^${server.url}/coop/join/[\\w-]+$`));
    await screenshot(desktop, 'invite-link-shown-once', { fullPage: false });
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    await desktop.getByRole('row', { name: /You.*Active/ }).waitFor();
    await screenshot(desktop, 'invite-links');
  });

  it('brings Bob into the club by the link, and he starts his household', async () => {
    await signUp(desktop, server.url, BOB);
    await desktop.goto(inviteUrl);
    await desktop.getByRole('heading', { level: 1, name: 'Join The Plenty Club' }).waitFor();
    await screenshot(desktop, 'join-by-link');
    await desktop.getByRole('button', { name: 'Join The Plenty Club' }).click();
    await desktop.getByRole('form', { name: 'Start a household' }).waitFor();
    // The name is taken: the field says so, and keeps what was typed.
    await field(desktop, 'Name of the household').fill('The Millers');
    await desktop.getByRole('button', { name: 'Start the household' }).click();
    await expect
      .poll(() => fieldError(desktop, 'Name of the household'))
      .toMatch(/exists in this club already/);
    await field(desktop, 'Name of the household').fill('The Garcias');
    await desktop.getByRole('button', { name: 'Start the household' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'The Garcias' }).waitFor();
  });

  it('has Carol ask to join the Garcias, with a code to read out', async () => {
    await signUp(desktop, server.url, CAROL);
    await desktop.goto(inviteUrl);
    await desktop.getByRole('button', { name: 'Join The Plenty Club' }).click();
    const ask = desktop.getByRole('form', { name: 'Ask to join a household' });
    await ask.waitFor();
    await ask.getByRole('combobox', { name: /^Household/ }).click();
    await desktop.getByRole('option', { name: 'The Garcias' }).click();
    await field(desktop, 'Message to its members').fill('Bob, it is me: I moved in on Saturday.');
    await ask.getByRole('button', { name: 'Ask to join' }).click();
    const code = desktop.getByLabel('Your code');
    await code.waitFor();
    carolCode = ((await code.textContent()) ?? '').trim();
    expect(carolCode).toMatch(/^\d{4}$/);
    await screenshot(desktop, 'waiting-with-code');
  });

  it('lets Bob in Carol with the code she reads out, after a wrong one', async () => {
    await logIn(desktop, server.url, BOB);
    await go(desktop, clubPath);
    await desktop.getByText('1 request to join').waitFor();
    await desktop.getByRole('link', { name: 'See who asks, and let them in' }).click();
    const request = desktop.getByRole('form', { name: 'Request from Carol Garcia' });
    await request.getByText('carol@example.com', { exact: false }).waitFor();
    await field(desktop, 'Code they read out').fill(carolCode === '1234' ? '4321' : '1234');
    await request.getByRole('button', { name: 'Let Carol Garcia in' }).click();
    await expect.poll(() => fieldError(desktop, 'Code they read out')).toMatch(/not the code shown/);
    await screenshot(desktop, 'wrong-code');
    await field(desktop, 'Code they read out').fill(carolCode);
    await request.getByRole('button', { name: 'Let Carol Garcia in' }).click();
    await desktop.getByText('Nobody is waiting').waitFor();
    await desktop.getByRole('row', { name: /Carol Garcia/ }).waitFor();
    await screenshot(desktop, 'household-after-approval');
  });

  it('lets the Admin add a producer and import its products from a spreadsheet', async () => {
    await logIn(desktop, server.url, ADMIN);
    await go(desktop, clubPath);
    await tab(desktop, 'Producers');
    await desktop.getByText('No producer yet').waitFor();
    const add = desktop.getByRole('form', { name: 'Add a producer' });
    await add.getByLabel(/^Name/).fill('Green Acres');
    await add.getByLabel('Location').fill('Hill Road 4, Millbrook');
    await add.getByLabel('Contact email').fill('farm@green-acres.example');
    await add.getByLabel('About the producer').fill('Vegetables, fruit and eggs, delivered on Fridays.');
    await add.getByRole('button', { name: 'Add the producer' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Green Acres' }).waitFor();

    const photo = desktop.getByRole('region', { name: 'Photo' });
    await photo
      .locator('input[type="file"]')
      .setInputFiles({ name: 'farm.png', mimeType: 'image/png', buffer: PHOTO });
    await photo.getByRole('img', { name: /New photo of Green Acres/ }).waitFor();
    await photo.getByRole('button', { name: 'Save the photo' }).click();
    await desktop.getByRole('img', { name: 'Photo of Green Acres' }).waitFor();

    const importing = desktop.getByRole('region', { name: 'Import products from CSV' });
    const bad = PRODUCTS_CSV.replace(
      'CAR,Carrots,"Unwashed, with their tops",Vegetables,kg,0.5',
      'CAR,Carrots,"Unwashed, with their tops",Vegetables,bag,0,5',
    );
    await importing
      .locator('input[type="file"]')
      .setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await importing.getByRole('button', { name: 'Check the file' }).click();
    const row = importing.getByRole('row', { name: /Carrots/ });
    await row.getByText('Invalid').waitFor();
    await row.getByText(/“bag” is not one of/).waitFor();
    await importing.getByText('Nothing can be saved yet').waitFor();
    await expect(importing.getByRole('button', { name: /^Save all/ }).count()).resolves.toBe(0);
    await screenshot(desktop, 'import-with-a-bad-row');

    await importing
      .locator('input[type="file"]')
      .setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(PRODUCTS_CSV) });
    await importing.getByRole('button', { name: 'Check the file' }).click();
    await importing.getByRole('button', { name: 'Save all (6 new, 0 changes)' }).click();
    const products = desktop.getByRole('table', { name: 'Products of Green Acres' });
    // 2.99 × 1.05 = 3.1395 → 3.14; 7 % VAT, 0.2198 → 0.22: €3.36 a kg.
    await products.getByRole('row', { name: /Apples.*€3\.36 per kg/ }).waitFor();
    await screenshot(desktop, 'producer-with-products');
  });

  it('lets a member browse the products by category, and open one', async () => {
    await logIn(desktop, server.url, CAROL);
    await go(desktop, `${clubPath}/products`);
    await desktop.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    await desktop.locator('label', { hasText: /^vegetables \(3\)$/ }).click();
    await desktop.getByRole('heading', { name: 'Products in vegetables' }).waitFor();
    const table = desktop.getByRole('table', { name: 'Products' });
    await expect.poll(() => table.getByRole('row').count()).toBe(4);
    await screenshot(desktop, 'products-by-category');
    await table.getByRole('link', { name: 'Pumpkin' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Pumpkin' }).waitFor();
    await desktop.getByText(/What a household orders is an estimate/).waitFor();
    await screenshot(desktop, 'product');
  });

  it('works on a phone: the household, the catalogue and a product', async () => {
    const phone = await browser.open('phone');
    await go(phone, clubPath);
    await phone.getByRole('heading', { level: 1, name: 'The Plenty Club' }).waitFor();
    await phone.getByRole('region', { name: 'Your household' }).waitFor();
    await screenshot(phone, 'phone-club-home');
    await go(phone, `${clubPath}/products?category=vegetables`);
    await phone.getByRole('list', { name: 'Products' }).getByRole('listitem').first().waitFor();
    await screenshot(phone, 'phone-products');
    await phone.getByRole('link', { name: 'Carrots' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Carrots' }).waitFor();
    await screenshot(phone, 'phone-product');
    await logIn(phone, server.url, BOB);
    await go(phone, `${clubPath}/households`);
    await phone.getByRole('link', { name: /The Garcias/ }).click();
    await phone.getByRole('heading', { level: 1, name: 'The Garcias' }).waitFor();
    await screenshot(phone, 'phone-household');
    await phone.close();
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
