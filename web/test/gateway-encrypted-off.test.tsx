import { screen, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { read, request, signedInPerson } from '../../test/support/app';
import { tallyPages } from './support/pages';

// A Tally without a chain, so without encrypted credits: payouts are plain USDC.
const pages = tallyPages();

beforeAll(async () => {
  await import('../src/lines/gateway/GatewayPages');
});

describe('encrypted payouts on a Tally whose chain has none', () => {
  it('says payouts are plain USDC, offers no account to create, and asks for no wallet', async () => {
    const person = await signedInPerson(pages.tally);
    const made = await request(pages.tally, 'POST', '/api/gateway/provider', {
      as: person,
      body: { name: 'Plain tools', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
    });
    expect(made.status).toBe(201);
    expect(
      (await read(await request(pages.tally, 'GET', '/api/gateway/provider/encrypted', { as: person })))
        .enabled,
    ).toBe(false);
    pages.signIn(person);
    await pages.render('/gateway/provider/encrypted');
    const panel = await screen.findByRole('region', { name: 'Encrypted account' });
    expect(within(panel).getByText(/nobody but you and Tally can read the amounts/)).toBeTruthy();
    expect(within(panel).getByRole('status').textContent).toMatch(
      /^Not on this Tally\s*This Tally's chain has no encrypted credits: your payouts are plain USDC, sent to your payout address\./,
    );
    expect(within(panel).getByRole('link', { name: 'Your earnings' }).getAttribute('href')).toBe(
      '/gateway/provider/earnings',
    );
    expect(screen.queryByRole('button', { name: 'Create my encrypted account' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Your wallet' })).toBeNull();
    expect(within(screen.getByRole('region', { name: 'Claims' })).getByText('No claim yet')).toBeTruthy();
    // The portal's tab leads here.
    const tabs = screen.getByRole('tablist', { name: 'Provider portal' });
    expect(within(tabs).getByRole('tab', { name: 'Encrypted payouts' }).getAttribute('aria-selected')).toBe(
      'true',
    );
  });

  it('shows administrators an empty audit list that says when the first run comes', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    pages.signIn(admin);
    await pages.render('/gateway/admin/settlements');
    const section = await screen.findByRole('region', { name: 'Encrypted balances audit' });
    expect(within(section).getByText('No audit yet')).toBeTruthy();
    expect(within(section).queryByRole('table')).toBeNull();
  });
});
