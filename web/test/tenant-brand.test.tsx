import { screen, waitFor, within } from '@testing-library/react';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { creditsAdmin, customerOf, makeProduct, ok } from '../../test/support/credits';
import { shadesOf } from '../src/app/tenant';
import { tallyPages } from './support/pages';

/** On a reseller's active domain the app wears its brand and opens on its shop. */

const pages = tallyPages();
const domain = `brand-${Date.now()}.example.com`;
let productName: string;

beforeAll(async () => {
  const { tally } = pages;
  const admin = await creditsAdmin(tally);
  const whitelabel = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: 100,
    permissions: ['create_under_whitelabel_product'],
  });
  const reseller = await customerOf(tally, admin, whitelabel.id);
  const saved = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
    as: reseller,
    body: { domain },
  });
  productName = (await makeProduct(tally, reseller, { type: 'under_whitelabel', credits: 10 })).name;
  await tally.database.db.execute(
    sql`UPDATE credits_whitelabels
        SET status = 'active', dns_verified_at = now(), activated_at = now(),
            brand_name = 'Acme Credits', primary_color = '#7b1fa2', accent_color = '#00695c'
        WHERE id = ${saved.id}`,
  );
});

describe('a reseller’s domain', () => {
  it('opens on its shop, under its name and colours', async () => {
    pages.onHost(domain);
    await pages.render('/');
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Buy credits', level: 1 })).toBeTruthy());
    const banner = screen.getByRole('banner');
    expect(within(banner).getByRole('link', { name: 'Acme Credits home' })).toBeTruthy();
    expect(within(banner).queryByText('Tally')).toBeNull();
    expect(document.title).toBe('Buy credits · Acme Credits');
    await waitFor(() => expect(screen.getByRole('heading', { name: productName })).toBeTruthy());
    // Mantine's variables carry the reseller's colour as the primary one, in place of Tally's blue.
    const variables = [...document.querySelectorAll('style')].map((style) => style.textContent).join('\n');
    expect(variables).toContain('--mantine-color-brand-8: #7b1fa2');
    expect(variables).toContain('--mantine-primary-color-filled: var(--mantine-color-brand-filled)');
    // Only the credits line is offered there.
    const navigation = screen.getByRole('navigation', { name: 'Main' });
    expect(within(navigation).getByRole('link', { name: 'Credits' })).toBeTruthy();
    expect(within(navigation).queryByRole('link', { name: 'Streams' })).toBeNull();
  });

  it('on Tally’s own host the app is Tally’s', async () => {
    await pages.render('/');
    const banner = screen.getByRole('banner');
    expect(within(banner).getByRole('link', { name: 'Tally home' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('Get paid');
  });

  it('shades a colour around itself at the shade filled buttons use', () => {
    const shades = shadesOf('#7B1FA2');
    expect(shades).toHaveLength(10);
    expect(shades[8]).toBe('#7b1fa2');
    expect(shades[0]).toBe('#f4edf8');
    expect(shades[9]).toBe('#621982');
  });
});
