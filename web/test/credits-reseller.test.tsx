import { screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestPerson } from '../../test/support/app';
import { buy, creditsAdmin, ok, setPrice } from '../../test/support/credits';
import { field, fieldError, freshEmail, installInputApis, reseller } from './support/credits-stage';
import { sentTo, tallyPages } from './support/pages';

const pages = tallyPages();

let seller: TestPerson;
let adaEmail: string;

beforeAll(async () => {
  installInputApis();
  const admin = await creditsAdmin(pages.tally);
  await setPrice(pages.tally, admin, 'generate_image', 2);
  seller = (
    await reseller(pages.tally, admin, { permissions: ['create_under_whitelabel_product', 'generate_image'] })
  ).person;
  await ok(pages.tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
    as: seller,
    body: { domain: `shop-${Date.now()}.example.com` },
  });
  const product = await ok(pages.tally, 201, 'POST', '/api/credits/products', {
    as: seller,
    body: {
      type: 'under_whitelabel',
      name: 'Pro Images',
      credits_per_cycle: '30',
      refill_cycle: 'month',
      permissions: ['generate_image'],
    },
  });
  adaEmail = freshEmail('ada');
  await buy(pages.tally, admin, adaEmail, product.id);
  await import('../src/lines/credits/CreditsPages');
});

describe('the reseller’s brand page', () => {
  it('previews the typed name and colours as they are typed, and saves them lower case', async () => {
    pages.signIn(seller);
    const { user } = await pages.render('/credits/reseller/branding');
    const form = await screen.findByRole('form', { name: 'Your brand' });
    const preview = screen.getByRole('figure', { name: 'Preview of your brand' });
    const header = within(preview).getByTestId('preview-header');
    const button = within(preview).getByTestId('preview-button');
    const link = within(preview).getByTestId('preview-link');
    // Tally's own colours until the reseller chooses.
    expect(header.style.background).toBe('rgb(28, 126, 214)');

    await user.type(field(form, /Brand name/), 'Acme Images');
    expect(within(header).getByText('Acme Images')).toBeTruthy();

    const primary = field(form, /Primary colour/);
    await user.type(primary, '#0B5394');
    expect(header.style.background).toBe('rgb(11, 83, 148)');
    expect(button.style.background).toBe('rgb(11, 83, 148)');
    await user.type(field(form, /Accent colour/), '#8a2be2');
    expect(link.style.color).toBe('rgb(138, 43, 226)');

    // Too light for white text: said at once, and the preview keeps following what is typed.
    await user.clear(primary);
    await user.type(primary, '#ffff00');
    expect(fieldError(primary)).toMatch(/Too light .* at least 4\.5:1/);
    expect(header.style.background).toBe('rgb(255, 255, 0)');
    await user.click(within(form).getByRole('button', { name: 'Save brand' }));
    expect(sentTo(pages, 'PATCH', '/api/credits/whitelabel/branding')).toHaveLength(0);

    await user.clear(primary);
    await user.type(primary, '#0B5394');
    await user.click(within(form).getByRole('button', { name: 'Save brand' }));
    await waitFor(() => expect(sentTo(pages, 'PATCH', '/api/credits/whitelabel/branding')).toHaveLength(1));
    // Sent is not yet saved: the server answers the change a moment later.
    await waitFor(async () =>
      expect(
        await ok(pages.tally, 200, 'GET', '/api/credits/whitelabel/branding', { as: seller }),
      ).toMatchObject({
        brand_name: 'Acme Images',
        primary_color: '#0b5394',
        accent_color: '#8a2be2',
      }),
    );
  });
});

describe('the reseller’s customers page', () => {
  it('lists each customer with the credits it funded them', async () => {
    pages.signIn(seller);
    await pages.render('/credits/reseller/customers');
    const table = await screen.findByRole('table', { name: 'Customers' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(1);
    const cells = [...(rows[0]?.querySelectorAll('td') ?? [])].map((cell) => cell.textContent);
    expect(cells.join(' | ')).toContain(adaEmail);
    expect(cells).toContain('Pro Images');
    // Granted, used, reserved, available.
    expect(cells).toEqual(expect.arrayContaining(['30 credits', '0 credits']));
    expect(cells).toContain('none yet');
    // The pool above it: 100 held, 30 handed out, 5 spent making the product, 65 left.
    const pool = screen.getByRole('region', { name: 'Your credits this cycle' });
    expect(within(pool).getByText('65 credits')).toBeTruthy();
    expect(within(pool).getByText('30 credits')).toBeTruthy();
  });
});
