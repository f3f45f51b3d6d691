import { screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/core/actor';
import type { Lookup } from '../../src/credits/whitelabel/domain-check';
import { recordDomainCheck } from '../../src/credits/whitelabel/domain-lifecycle';
import type { Body, TestPerson } from '../../test/support/app';
import { creditsAdmin, ok } from '../../test/support/credits';
import { DOMAIN_REFRESH_MS } from '../src/lines/credits/reseller/ResellerDomainPage';
import { reseller } from './support/credits-stage';
import { tallyPages } from './support/pages';

/**
 * The reseller's domain page in each state of the domain, and its updating by itself as the domain
 * job moves the domain on. The job's DNS lookups are not made here (the domain tests make them
 * against a DNS server of their own): its answers are recorded through the same service it uses.
 */

const pages = tallyPages();

let admin: TestPerson;
beforeAll(async () => {
  admin = await creditsAdmin(pages.tally);
  await import('../src/lines/credits/CreditsPages');
});

let domains = 0;
const freshDomain = () => `page${++domains}-${Date.now().toString(36)}.example.com`;

/** A reseller with a pending claim of a fresh domain. */
async function claimant(): Promise<{ person: TestPerson; claim: Body }> {
  const { person } = await reseller(pages.tally, admin);
  const claim = await ok(pages.tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
    as: person,
    body: { domain: freshDomain() },
  });
  return { person, claim };
}

/** What the job records when the DNS answers so for the claim. */
async function jobFinds(claim: Body, answer: { cname: Lookup<string>; challenge: Lookup<string> }) {
  const { context, database } = pages.tally;
  const reading = {
    claim: { domain: claim.domain, cnameTarget: claim.cname_target, challengeToken: claim.challenge.value },
    ...answer,
  };
  await database.db.transaction((tx) => recordDomainCheck(tx, context, systemActor, claim.id, reading));
}

const right = (claim: Body) => ({
  cname: { kind: 'found' as const, records: [claim.cname_target] },
  challenge: { kind: 'found' as const, records: [claim.challenge.value] },
});
const elsewhere = (claim: Body) => ({
  cname: { kind: 'found' as const, records: ['elsewhere.example.net'] },
  challenge: { kind: 'found' as const, records: [claim.challenge.value] },
});

const section = () => screen.getByRole('region', { name: '2. Point it at Tally' });

describe('the reseller’s domain page', () => {
  it('shows a pending claim with its two records, when it was checked, and what happens next', async () => {
    const { person, claim } = await claimant();
    await jobFinds(claim, { cname: { kind: 'none' }, challenge: { kind: 'none' } });
    pages.signIn(person);
    await pages.render('/credits/reseller/domain');
    const status = await within(section()).findByLabelText('Status: Waiting for DNS');
    expect(status.textContent).toBe('Waiting for DNS');
    expect(
      within(section()).getByText(/Stay tuned for DNS propagation: this page updates by itself/),
    ).toBeTruthy();
    expect(within(section()).getByLabelText('The CNAME record').textContent).toBe(
      `${claim.domain}.  CNAME  tally.test.`,
    );
    expect(within(section()).getByLabelText('The TXT record').textContent).toBe(
      `_tally-challenge.${claim.domain}.  TXT  "${claim.challenge.value}"`,
    );
    expect(within(section()).getByRole('button', { name: 'Copy target' })).toBeTruthy();
    expect(within(section()).getByRole('button', { name: 'Copy value' })).toBeTruthy();
    expect(within(section()).getByRole('button', { name: 'Check now' })).toBeTruthy();
    const times = within(section()).getByTestId('check-times').textContent ?? '';
    expect(times).toMatch(/^Last checked: .+\. Next check: .+\.$/);
    expect(times).not.toContain('not yet');
  });

  it('updates by itself: a pending claim the job finds right shows as live, with its link', async () => {
    const { person, claim } = await claimant();
    pages.signIn(person);
    await pages.render('/credits/reseller/domain');
    await within(section()).findByLabelText('Status: Waiting for DNS');
    const reads = () => pages.sent.filter((r) => r.method === 'GET' && r.path === '/api/credits/whitelabel');
    const readsBefore = reads().length;

    await jobFinds(claim, right(claim));
    // No click: the page asks again within its refresh interval.
    await within(section()).findByLabelText('Status: Live', undefined, {
      timeout: DOMAIN_REFRESH_MS + 5_000,
    });
    expect(reads().length).toBeGreaterThan(readsBefore);
    expect(within(section()).getByText('Your domain is live')).toBeTruthy();
    const link = within(section()).getByRole('link', { name: `https://${claim.domain}` });
    expect(link.getAttribute('href')).toBe(`https://${claim.domain}`);
    expect(within(section()).getByText(/Keep both records as they are/)).toBeTruthy();
  }, 30_000);

  it('shows a suspended domain’s reason, its records again and its next check', async () => {
    const { person, claim } = await claimant();
    await jobFinds(claim, right(claim));
    for (let check = 0; check < 3; check++) await jobFinds(claim, elsewhere(claim));
    pages.signIn(person);
    await pages.render('/credits/reseller/domain');
    await within(section()).findByLabelText('Status: Suspended');
    expect(within(section()).getByTestId('suspension-reason').textContent).toBe(
      `The CNAME of ${claim.domain} points to elsewhere.example.net, not tally.test.`,
    );
    expect(within(section()).getByText('Your domain is suspended')).toBeTruthy();
    expect(within(section()).getByLabelText('The CNAME record')).toBeTruthy();
    expect(within(section()).getByTestId('check-times').textContent).toMatch(/Next check: .+\.$/);
    expect(within(section()).getByRole('button', { name: 'Check now' })).toBeTruthy();
  });

  it('warns while a live domain’s records are found wrong, before it is suspended', async () => {
    const { person, claim } = await claimant();
    await jobFinds(claim, right(claim));
    await jobFinds(claim, elsewhere(claim));
    pages.signIn(person);
    await pages.render('/credits/reseller/domain');
    await within(section()).findByLabelText('Status: Live');
    await waitFor(() =>
      expect(within(section()).getByText('The last check found your records wrong')).toBeTruthy(),
    );
    expect(within(section()).getByText(/1 of 3 checks in a row found them wrong/)).toBeTruthy();
  });
});

describe('the reseller’s overview', () => {
  it('shows the domain with its state and the brand, each leading to its page', async () => {
    const { person, claim } = await claimant();
    pages.signIn(person);
    await pages.render('/credits/reseller');
    const domain = await screen.findByRole('region', { name: 'Domain' });
    await within(domain).findByText(claim.domain);
    await within(domain).findByText('pending');
    expect(within(domain).getByText('Waiting for its CNAME and TXT records to be found.')).toBeTruthy();
    expect(within(domain).getByRole('link', { name: 'Manage the domain' }).getAttribute('href')).toBe(
      '/credits/reseller/domain',
    );
    const brand = screen.getByRole('region', { name: 'Brand' });
    const preview = await within(brand).findByLabelText('Preview of your brand');
    const branding = await ok(pages.tally, 200, 'GET', '/api/credits/whitelabel/branding', { as: person });
    expect(preview.textContent).toContain(branding.name);
    expect(within(brand).getByRole('link', { name: 'Change the brand' }).getAttribute('href')).toBe(
      '/credits/reseller/branding',
    );
  });

  it('says what to do first while no domain is set', async () => {
    const { person } = await reseller(pages.tally, admin);
    pages.signIn(person);
    await pages.render('/credits/reseller');
    const domain = await screen.findByRole('region', { name: 'Domain' });
    await within(domain).findByText('No domain yet');
    expect(within(domain).getByRole('link', { name: 'Set up your domain.' }).getAttribute('href')).toBe(
      '/credits/reseller/domain',
    );
    const brand = screen.getByRole('region', { name: 'Brand' });
    await within(brand).findByText('Your brand comes with your domain: set the domain first.');
    expect(within(brand).queryByLabelText('Preview of your brand')).toBeNull();
  });
});
