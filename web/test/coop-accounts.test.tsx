import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, signedInPerson, type TestPerson } from '../../test/support/app';
import { freshEmail, ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { installNodeFileApis } from './support/files';
import { field, fieldError, sentTo, tallyPages } from './support/pages';

/**
 * The bookkeeper's accounts page (a period's VAT per rate, margin and tie-out, and the accountant's
 * files) and a bank's CSV statement imported through a column mapping saved the first time. The
 * stage is set through the real API; what each page sends is what the server receives.
 */

const pages = tallyPages();

beforeAll(async () => {
  installInputApis();
  await installNodeFileApis();
  await import('../src/lines/coop/CoopPages');
});

let clubs = 0;

const person = (name: string) => signedInPerson(pages.tally, { name, email: freshEmail(name.toLowerCase()) });

const api = (as: TestPerson, status: number, method: string, path: string, body?: unknown) =>
  ok(pages.tally, status, method, path, { as, body });

const section = (name: string) => screen.getByRole('region', { name });

/**
 * A club with its Admin (Ada, the Millers), a bookkeeper (Bob) and Nils (Flat 3B); one order of
 * Lindenhof's eggs (a box of six at 0.40 each, 5 % margin, 7 % VAT: €2.70) processed on the test
 * clock's first day, 1 June 2026: the Millers and Flat 3B owe €2.70 each.
 */
async function clubWithBills() {
  const [ada, bob, nils] = await Promise.all(['Ada Admin', 'Bob Books', 'Nils'].map(person));
  const club = await api(ada!, 201, 'POST', '/api/coop/clubs', { name: `Accounts ${++clubs}` });
  const { url } = await api(ada!, 201, 'POST', `/api/coop/clubs/${club.id}/invite-links`);
  const token = String(url).split('/coop/join/')[1];
  for (const member of [bob!, nils!]) await api(member, 200, 'POST', `/api/coop/invite-links/${token}/join`);
  await api(ada!, 200, 'PATCH', `/api/orgs/${club.id}/members/${bob!.userId}`, { role: 'bookkeeper' });
  const farm = await api(ada!, 201, 'POST', `/api/coop/clubs/${club.id}/producers`, { name: 'Lindenhof' });
  const eggs = await api(ada!, 201, 'POST', `/api/coop/producers/${farm.id}/products`, {
    name: 'Eggs',
    code: 'EGG',
    unit: 'piece',
    amount_per_package: '1',
    packages: 6,
    price: '0.40',
    margin_percent: '5',
    vat_percent: '7',
  });
  const millers = await api(ada!, 201, 'POST', `/api/coop/clubs/${club.id}/households`, {
    name: 'The Millers',
  });
  const flat = await api(nils!, 201, 'POST', `/api/coop/clubs/${club.id}/households`, { name: 'Flat 3B' });
  const order = await api(ada!, 201, 'POST', `/api/coop/clubs/${club.id}/orders`, {});
  const path = `/api/coop/orders/${order.id}`;
  await api(ada!, 200, 'POST', `${path}/producers/${farm.id}/answer`, {
    available: true,
    products_up_to_date: true,
  });
  const deadline = new Date(pages.tally.clock.now().getTime() + 24 * 3600_000).toISOString();
  await api(ada!, 200, 'POST', `${path}/open`, { deadline });
  for (const as of [ada!, nils!])
    await api(as, 200, 'PUT', `${path}/household-order/lines/${eggs.id}`, { quantity: 1, version: 1 });
  await api(ada!, 200, 'POST', `${path}/close`);
  await api(ada!, 200, 'POST', `${path}/producers/${farm.id}/delivery/confirm`);
  const bill = async (as: TestPerson) => (await api(as, 200, 'GET', `${path}/household-order`)).bill as Body;
  return { club, ada: ada!, bob: bob!, nils: nils!, millers, flat, path, bill };
}

/** Sets the period's days as a person types them into the date fields. */
function choosePeriod(from: string, to: string) {
  const form = section('Period');
  fireEvent.change(field(form, /First day/), { target: { value: from } });
  fireEvent.change(field(form, /Last day/), { target: { value: to } });
}

describe('the accounts page', () => {
  it('shows a period’s VAT per rate, margin and tie-out, and the files for the accountant', async () => {
    const c = await clubWithBills();
    await api(c.bob, 200, 'POST', `${c.path}/bills/${c.millers.id}/received`);
    pages.signIn(c.bob);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/bank`);
    await user.click(await screen.findByRole('tab', { name: 'Accounts' }));
    await screen.findByRole('heading', { level: 1, name: 'Accounts' });

    // The last full month is chosen first; the test's days are in June 2026.
    choosePeriod('2026-06-01', '2026-06-30');
    const vat = await screen.findByRole('table', { name: 'VAT per rate' });
    await waitFor(() =>
      expect(within(vat).getByRole('row', { name: /Sales/ }).textContent).toMatch(
        /7 %.*€5\.04.*€0\.36.*€5\.40/,
      ),
    );
    expect(section('Margin').textContent).toMatch(/Margin before VAT€5\.04/);
    expect(section('Margin').textContent).toContain('Margin = sales less purchases posted in the period');
    const ties = within(screen.getByRole('table', { name: 'Tie-out with the ledger' }));
    expect(ties.getAllByText('Ties')).toHaveLength(5);
    expect(ties.getByRole('row', { name: /Sales/ }).textContent).toMatch(/€5\.40.*€5\.40/);
    expect(section('The period').textContent).toMatch(/2 bills, 1 payment from households/);

    const csvLink = screen.getByRole('link', { name: 'Download CSV' });
    expect(csvLink.getAttribute('href')).toBe(
      `/api/coop/clubs/${c.club.id}/books/export?from=2026-06-01&to=2026-06-30&format=csv`,
    );
    const csv = await pages.tally.http.request(csvLink.getAttribute('href')!, {
      headers: { cookie: c.bob.cookie },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await csv.text()).toContain('tie_out,,,sales,,,,5.40,5.40,ties to the ledger');
    expect(screen.getByRole('link', { name: 'Download PDF' }).getAttribute('href')).toContain('format=pdf');

    // A period that runs backwards is refused as it is typed, before anything is asked of the server.
    const asked = sentTo(pages, 'GET', `/api/coop/clubs/${c.club.id}/books/summary`).length;
    choosePeriod('2026-06-30', '2026-06-01');
    expect(fieldError(field(section('Period'), /Last day/))).toBe('The last day comes on or after the first');
    // With no period there is nothing to download.
    expect(screen.queryByRole('link', { name: 'Download CSV' })).toBeNull();
    expect(sentTo(pages, 'GET', `/api/coop/clubs/${c.club.id}/books/summary`)).toHaveLength(asked);
  });

  it('is not for a household’s member: no tab, and the page says who sees it', async () => {
    const c = await clubWithBills();
    pages.signIn(c.nils);
    await pages.render(`/coop/clubs/${c.club.id}/accounts`);
    expect(
      await screen.findByText('Only the club’s bookkeeper and its Admin see the club’s accounts.'),
    ).toBeTruthy();
    expect(screen.queryByRole('tab', { name: 'Accounts' })).toBeNull();
  });
});

describe('a bank’s CSV statement', () => {
  it('is mapped column by column the first time, the mapping saved under the bank’s name and offered the next time', async () => {
    const c = await clubWithBills();
    const [millers, flat] = [await c.bill(c.ada), await c.bill(c.nils)];
    const csv = [
      'Buchungstag;Betrag;Name Zahlungsbeteiligter;IBAN Zahlungsbeteiligter;Verwendungszweck',
      `05.06.2026;2,70;Ada Admin;DE89370400440532013000;Bestellung ${millers.reference}`,
      `05.06.2026;2,70;Nils;;Essen ${flat.reference}`,
      '05.06.2026;-12,00;Lindenhof;;Rechnung',
    ].join('\r\n');
    const file = () => new File([csv], 'umsaetze.csv', { type: 'text/csv' });
    pages.signIn(c.bob);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/bank`);
    const form = await screen.findByRole('form', { name: 'Import a statement' });
    const upload = async () => {
      const input = form.querySelector<HTMLInputElement>('input[type="file"]');
      if (!input) throw new Error('no file input');
      await user.upload(input, file());
    };

    // No mapping is saved yet: the file's columns are offered, guessed from their names.
    await upload();
    const columns = await within(form).findByRole('group', { name: 'The bank’s columns' });
    expect(columns.textContent).toContain('Buchungstag, Betrag, Name Zahlungsbeteiligter');
    expect(field(columns, /^Date(?! format)/).value).toBe('Buchungstag');
    expect(field(columns, /^Amount/).value).toBe('Betrag');
    expect(field(columns, /^Payer or payee/).value).toBe('Name Zahlungsbeteiligter');
    expect(field(columns, /^Their IBAN/).value).toBe('IBAN Zahlungsbeteiligter');
    expect(field(columns, /^Reference or remittance text/).value).toBe('Verwendungszweck');

    // Without the bank's name the server refuses the mapping: its words stand next to the field.
    await user.click(within(form).getByRole('button', { name: 'Import the statement' }));
    await waitFor(() => expect(fieldError(field(columns, /^Bank/))).toBe('Name the bank.'));
    await user.type(field(columns, /^Bank/), 'Sparkasse');
    await user.click(within(form).getByRole('button', { name: 'Import the statement' }));
    expect((await within(form).findByTestId('import-summary')).textContent).toBe(
      '3 lines: 2 paid a bill, 1 outgoing.',
    );
    const [saved] = (await api(c.bob, 200, 'GET', `/api/coop/clubs/${c.club.id}/statement-mappings`)).items;
    expect(saved).toMatchObject({
      name: 'Sparkasse',
      booked_on: 'Buchungstag',
      amount: 'Betrag',
      counterparty_iban: 'IBAN Zahlungsbeteiligter',
      date_format: 'DD.MM.YYYY',
      decimal_separator: ',',
      bank_id: null,
    });
    expect((await c.bill(c.nils)).payment_state).toBe('paid');

    // The next statement of that bank: its saved mapping is offered, and nothing is to map.
    await upload();
    const mapping = await within(form).findByLabelText(/How the bank’s columns read/);
    expect((mapping as HTMLSelectElement).value).toBe(saved.id);
    expect(within(form).queryByRole('group', { name: 'The bank’s columns' })).toBeNull();
    await user.click(within(form).getByRole('button', { name: 'Import the statement' }));
    await waitFor(() =>
      expect(within(form).getByTestId('import-summary').textContent).toBe(
        'Already imported: all 3 lines were here before; nothing changed.',
      ),
    );
  });
});
