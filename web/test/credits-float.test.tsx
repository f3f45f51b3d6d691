import { screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids';
import { floatTopUps } from '../../src/credits/schema';
import type { TestPerson } from '../../test/support/app';
import { creditsAdmin, ok } from '../../test/support/credits';
import { fact, field, fieldError, installInputApis, reseller } from './support/credits-stage';
import { sentTo, tallyPages } from './support/pages';

/** The reseller's Float page: its figures, the top-up form, the automatic top-up, the list of top-ups. */

const pages = tallyPages();

let seller: TestPerson;

beforeAll(async () => {
  installInputApis();
  const admin = await creditsAdmin(pages.tally);
  seller = (await reseller(pages.tally, admin, { credits: 500 })).person;
  // A top-up on its way, as the outbox holds it between Tally's ledger and the shop's database.
  await pages.tally.database.db.insert(floatTopUps).values({
    id: newId(),
    resellerUserId: seller.userId,
    amount: 120n,
    trigger: 'automatic',
    state: 'pending',
    createdAt: pages.tally.clock.now(),
  });
  await import('../src/lines/credits/CreditsPages');
});

describe('the reseller’s float page', () => {
  it('shows the float, checks a top-up against the credits on Tally, and saves the automatic top-up', async () => {
    pages.signIn(seller);
    const { user } = await pages.render('/credits/reseller/float');
    expect(await screen.findByRole('tab', { name: 'Float', selected: true })).toBeTruthy();
    const summary = await screen.findByRole('region', { name: 'Float' });
    expect(fact(summary, 'Your credits on Tally')).toBe('500 credits');
    expect(fact(summary, 'On its way')).toBe('120 credits (1 top-up)');
    expect(screen.getByRole('note', { name: /needs its own database first/ })).toBeTruthy();

    const table = screen.getByRole('table', { name: 'Top-ups' });
    const cells = [...within(table).getAllByRole('row')[1]!.querySelectorAll('td')].map((c) => c.textContent);
    expect(cells).toEqual(expect.arrayContaining(['120 credits', 'Automatic', 'on its way', '—']));

    const topUp = screen.getByRole('form', { name: 'Top up your float' });
    const amount = field(topUp, /Credits to move in/);
    expect(within(topUp).getByText('You have 500 credits available on Tally.')).toBeTruthy();
    await user.type(amount, '600');
    expect(fieldError(amount)).toMatch(/At most 500 credits/);
    await user.clear(amount);
    await user.type(amount, '100');
    await user.click(within(topUp).getByRole('button', { name: 'Top up' }));
    // No database of its own yet: the server's refusal is shown, and nothing moved.
    expect(await within(topUp).findByText(/ask for one and wait until it is ready/)).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/credits/whitelabel/float/top-ups')).toHaveLength(1);

    const auto = screen.getByRole('form', { name: 'Automatic top-up' });
    await user.click(within(auto).getByLabelText('Top up automatically'));
    await user.type(field(auto, /When the float falls under/), '50');
    await user.type(field(auto, /Move in/), '200');
    await user.click(within(auto).getByRole('button', { name: 'Save automatic top-up' }));
    await waitFor(() =>
      expect(sentTo(pages, 'PUT', '/api/credits/whitelabel/float/settings')).toHaveLength(1),
    );
    // Sent is not answered: the page says it is saved once the server has committed it.
    expect(await screen.findByText('Automatic top-up saved.')).toBeTruthy();
    const saved = await ok(pages.tally, 200, 'GET', '/api/credits/whitelabel/float', { as: seller });
    expect(saved.settings).toMatchObject({ auto_top_up: true, threshold: '50', amount: '200' });
    expect(saved.main_available).toBe('500');
  });
});
