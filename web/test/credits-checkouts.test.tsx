import { screen, waitFor, within } from '@testing-library/react';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids';
import type { TestPerson } from '../../test/support/app';
import { creditsAdmin } from '../../test/support/credits';
import { installInputApis, namedProduct, reseller } from './support/credits-stage';
import { tallyPages } from './support/pages';

/**
 * The administrators' list of checkouts: it opens on those paid whose purchase waits, and filters
 * the rest. The checkouts are written as the chain rail leaves them: what is under test is the page.
 */

const pages = tallyPages();
let admin: TestPerson;
let shop: TestPerson;

async function checkout(values: {
  email: string;
  productId: string;
  state: 'awaiting_payment' | 'paid' | 'failed';
  purchaseId?: string | null;
  failure?: string | null;
  tenantUserId?: string | null;
}) {
  const now = pages.tally.clock.now();
  pages.tally.clock.advance(1000);
  await pages.tally.database.db.execute(
    sql`INSERT INTO credits_checkouts (id, product_id, email, name, price_minor, price_currency, value, kind,
          from_address, nonce, valid_after, valid_before, signature, state, purchase_id, failure,
          tenant_user_id, purchase_attempts, created_at, updated_at)
        VALUES (${newId()}, ${values.productId}, ${values.email}, '', 4900, 'USD', 49000000, 'receive',
          ${`0x${'a'.repeat(40)}`}, ${`0x${newId().replaceAll('-', '').padEnd(64, '0')}`}, 0, 9999999999, '0x00',
          ${values.state}, ${values.purchaseId ?? null}, ${values.failure ?? null}, ${values.tenantUserId ?? null},
          ${values.state === 'paid' && !values.purchaseId ? 2 : 0}, ${now}, ${now})`,
  );
}

beforeAll(async () => {
  installInputApis();
  admin = await creditsAdmin(pages.tally);
  shop = (await reseller(pages.tally, admin)).person;
  const starter = await namedProduct(pages.tally, admin, { type: 'generic', name: 'Starter' });
  await checkout({ email: 'done@example.test', productId: starter.id, state: 'paid', purchaseId: newId() });
  await checkout({
    email: 'waiting@example.test',
    productId: newId(),
    state: 'paid',
    failure: 'Your payment is in. The shop’s credits are being topped up: your purchase follows.',
    tenantUserId: shop.userId,
  });
  await checkout({ email: 'pending@example.test', productId: starter.id, state: 'awaiting_payment' });
  await checkout({
    email: 'failed@example.test',
    productId: starter.id,
    state: 'failed',
    failure: 'The authorization expired before it was mined.',
  });
  await import('../src/lines/credits/CreditsPages');
});

const buyers = (table: HTMLElement) =>
  within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.querySelectorAll('td')[1]?.textContent);

describe('the checkouts page', () => {
  it('opens on the paid checkouts whose purchase waits, saying why and in which database', async () => {
    pages.signIn(admin);
    await pages.render('/credits/admin/checkouts');
    const table = await screen.findByRole('table', { name: 'Checkouts' });
    await waitFor(() => expect(buyers(table)).toEqual(['waiting@example.test']));
    const row = within(table).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('49 USDC');
    expect(row.textContent).toContain('The shop’s credits are being topped up');
    expect(within(row).getByRole('link', { name: 'The shop’s own database' }).getAttribute('href')).toBe(
      `/credits/admin/users/${shop.userId}`,
    );
    expect(row.textContent).toContain('A product of a shop’s own database');
  });

  it('lists them all, or those awaiting payment, or the failed ones', async () => {
    pages.signIn(admin);
    const { user } = await pages.render('/credits/admin/checkouts');
    const control = await screen.findByRole('radiogroup', { name: 'Which checkouts' });
    await user.click(within(control).getByRole('radio', { name: 'All' }));
    const table = await screen.findByRole('table', { name: 'Checkouts' });
    await waitFor(() =>
      expect(buyers(table)).toEqual([
        'failed@example.test',
        'pending@example.test',
        'waiting@example.test',
        'done@example.test',
      ]),
    );
    const done = within(table).getAllByRole('row')[4]!;
    expect(done.textContent).toContain('Paid; purchase made');
    expect(within(done).getByRole('link', { name: 'Details' }).getAttribute('href')).toMatch(
      /^\/credits\/purchases\//,
    );

    await user.click(within(control).getByRole('radio', { name: 'Failed' }));
    await waitFor(() =>
      expect(buyers(screen.getByRole('table', { name: 'Checkouts' }))).toEqual(['failed@example.test']),
    );
    expect(screen.getByRole('table', { name: 'Checkouts' }).textContent).toContain(
      'The authorization expired before it was mined.',
    );
    await user.click(within(control).getByRole('radio', { name: 'Awaiting payment' }));
    await waitFor(() =>
      expect(buyers(screen.getByRole('table', { name: 'Checkouts' }))).toEqual(['pending@example.test']),
    );
  });

  it('is for administrators only', async () => {
    pages.signIn(shop);
    await pages.render('/credits/admin/checkouts');
    expect(await screen.findByText('Only Tally administrators can open this page.')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Checkouts' })).toBeNull();
  });
});
