import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInPerson, type TestPerson } from '../../test/support/app';
import { freshEmail, ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { installNodeFileApis } from './support/files';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';

/**
 * Direct debit on the pages: the Admin switches it on with the club's creditor identifier, a member
 * signs the household's mandate and revokes it, and the bookkeeper ticks a bill, makes the direct
 * debit file and cancels it. The stage is set through the real API.
 */

const pages = tallyPages();

beforeAll(async () => {
  installInputApis();
  // A statement is uploaded as a file: Node's, so the server receives its bytes.
  await installNodeFileApis();
  await import('../src/lines/coop/CoopPages');
});

let clubs = 0;
const person = (name: string) => signedInPerson(pages.tally, { name, email: freshEmail(name.toLowerCase()) });
const api = (as: TestPerson, status: number, method: string, path: string, body?: unknown) =>
  ok(pages.tally, status, method, path, { as, body });
const section = (name: string) => screen.getByRole('region', { name });

/** A club (Ada its Admin, Bob its bookkeeper, Nils of Flat 3B) whose first order is processed: Flat 3B owes for eggs. */
async function clubWithBill() {
  const [ada, bob, nils] = await Promise.all(['Ada Admin', 'Bob Books', 'Nils'].map(person));
  const club = await api(ada!, 201, 'POST', '/api/coop/clubs', { name: `Debits ${++clubs}` });
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
    price: '0.40',
    vat_percent: '7',
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
  await api(nils!, 200, 'PUT', `${path}/household-order/lines/${eggs.id}`, { quantity: 5, version: 1 });
  await api(ada!, 200, 'POST', `${path}/close`);
  await api(ada!, 200, 'POST', `${path}/producers/${farm.id}/delivery/confirm`);
  await api(ada!, 200, 'PUT', `/api/coop/clubs/${club.id}/bank-account`, {
    account_holder: 'Debits e.V.',
    iban: 'DE02120300000000202051',
  });
  return { club, ada: ada!, bob: bob!, nils: nils!, flat, orderId: order.id as string };
}

describe('direct debit', () => {
  it('is switched on by the Admin with a checked creditor identifier', async () => {
    const c = await clubWithBill();
    pages.signIn(c.ada);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/settings`);
    const form = within(section('Direct debit')).getByRole('form', { name: 'Direct debit' });
    expect(within(form).getByRole('status').textContent).toMatch(/Direct debit is off/);
    await user.type(field(form, /SEPA creditor identifier/), 'DE98ZZZ09999999998');
    await user.click(within(form).getByRole('button', { name: 'Switch direct debit on' }));
    await waitFor(() =>
      expect(fieldError(field(form, /SEPA creditor identifier/)) ?? formAlert(form)).toMatch(/check digits/),
    );
    await user.clear(field(form, /SEPA creditor identifier/));
    await user.type(field(form, /SEPA creditor identifier/), 'de98 zzz0 9999 9999 99');
    await user.click(within(form).getByRole('button', { name: 'Switch direct debit on' }));
    await waitFor(() =>
      expect(within(section('Direct debit')).getByRole('status').textContent).toMatch(
        /on, with the creditor identifier DE98ZZZ09999999999/,
      ),
    );
    expect(sentTo(pages, 'PUT', `/api/coop/clubs/${c.club.id}/direct-debit`).at(-1)?.body).toEqual({
      creditor_id: 'DE98ZZZ09999999999',
    });
  });

  it('lets a member sign the household’s mandate, and the bookkeeper collect its bill and cancel the collection', async () => {
    const c = await clubWithBill();
    await api(c.ada, 200, 'PUT', `/api/coop/clubs/${c.club.id}/direct-debit`, {
      creditor_id: 'DE98ZZZ09999999999',
    });

    pages.signIn(c.nils);
    const household = await pages.render(`/coop/clubs/${c.club.id}/households/${c.flat.id}`);
    const mandate = section('Direct debit mandate');
    expect(mandate.textContent).toMatch(
      /you authorise \(A\) Debits e\.V\. \(creditor identifier DE98ZZZ09999999999\)/,
    );
    const form = within(mandate).getByRole('form', { name: 'Sign the mandate' });
    await household.user.type(field(form, /Account holder/), 'Nils Flat');
    await household.user.type(field(form, /IBAN/), 'de89 3704 0044 0532 0130 00');
    await household.user.click(within(form).getByRole('button', { name: 'Sign the mandate' }));
    await waitFor(() => expect(within(section('Direct debit mandate')).getByText(/^TALLY-M-/)).toBeTruthy());
    expect(sentTo(pages, 'POST', `/api/coop/households/${c.flat.id}/direct-debit-mandate`)[0]?.body).toEqual({
      account_holder: 'Nils Flat',
      iban: 'DE89370400440532013000',
      bic: null,
    });

    cleanup();
    pages.signIn(c.bob);
    const bank = await pages.render(`/coop/clubs/${c.club.id}/bank`);
    const debits = section('Direct debits');
    expect(within(debits).getByRole('table', { name: 'Mandates' }).textContent).toMatch(/Flat 3B.*Nils Flat/);
    const collect = within(debits).getByRole('form', { name: 'Collect bills' });
    const button = within(collect).getByRole('button', {
      name: 'Download direct debit file',
    }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await bank.user.click(
      within(collect).getByRole('checkbox', { name: /Collect Flat 3B’s bill for order 1/ }),
    );
    await bank.user.click(button);
    await waitFor(() =>
      expect(within(section('Direct debits')).getByText('The direct debit file is ready')).toBeTruthy(),
    );
    expect(sentTo(pages, 'POST', `/api/coop/clubs/${c.club.id}/direct-debit-collections`)[0]?.body).toEqual({
      bills: [{ order_id: c.orderId, household_id: c.flat.id }],
    });
    await waitFor(() =>
      expect(
        within(section('Direct debits')).getByRole('table', { name: 'Bills to collect' }).textContent,
      ).toMatch(/Collection sent/),
    );
    // The collections are read again after the bills: wait for them too.
    const collectionsTable = () =>
      within(section('Direct debits')).getByRole('table', { name: 'Collections' });
    await waitFor(() =>
      expect(collectionsTable().textContent).toMatch(/Flat 3B \(order 1\): Collection sent/),
    );
    const collections = collectionsTable();
    await bank.user.click(within(collections).getByRole('button', { name: /^Cancel TALLY-DD-/ }));
    await waitFor(() =>
      expect(
        within(section('Direct debits')).getByRole('table', { name: 'Collections' }).textContent,
      ).toMatch(/Cancelled/),
    );
    expect(
      (
        within(section('Direct debits')).getByRole('checkbox', {
          name: /Collect Flat 3B’s bill/,
        }) as HTMLInputElement
      ).disabled,
    ).toBe(false);

    // The household revokes its mandate: the page offers to sign again.
    cleanup();
    pages.signIn(c.nils);
    const again = await pages.render(`/coop/clubs/${c.club.id}/households/${c.flat.id}`);
    await again.user.click(
      within(section('Direct debit mandate')).getByRole('button', { name: 'Revoke the mandate' }),
    );
    await waitFor(() =>
      expect(
        within(section('Direct debit mandate')).getByRole('form', { name: 'Sign the mandate' }),
      ).toBeTruthy(),
    );
  });

  it('shows a household a direct debit its bank returned after the money arrived, owed again', async () => {
    const c = await clubWithBill();
    await api(c.ada, 200, 'PUT', `/api/coop/clubs/${c.club.id}/direct-debit`, {
      creditor_id: 'DE98ZZZ09999999999',
    });
    await api(c.nils, 201, 'POST', `/api/coop/households/${c.flat.id}/direct-debit-mandate`, {
      account_holder: 'Nils Flat',
      iban: 'DE89370400440532013000',
    });
    const collections = `/api/coop/clubs/${c.club.id}/direct-debit-collections`;
    await api(c.bob, 201, 'POST', collections, { bills: [{ order_id: c.orderId, household_id: c.flat.id }] });
    const [debit] = (await api(c.bob, 200, 'GET', collections)).items[0].items;
    const amount = `${debit.amount_cents.slice(0, -2)}.${debit.amount_cents.slice(-2)}`;
    // The money arrives, then the household's bank takes it back.
    const entry = (id: string, direction: 'CRDT' | 'DBIT') =>
      `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>${direction}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-03</Dt></BookgDt>
<NtryDtls><TxDtls><Refs><AcctSvcrRef>${c.club.id.slice(0, 8)}-${id}</AcctSvcrRef><EndToEndId>${debit.end_to_end_id}</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>`;
    const form = new FormData();
    const xml = `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S1</Id>${entry('IN', 'CRDT')}${entry('BACK', 'DBIT')}</Stmt></BkToCstmrStmt></Document>`;
    form.append('file', new File([xml], 'statement.xml', { type: 'application/xml' }));
    const imported = await pages.tally.http.request(`/api/coop/clubs/${c.club.id}/bank-statements`, {
      method: 'POST',
      headers: { cookie: c.bob.cookie, 'x-requested-with': 'tally-web' },
      body: form,
    });
    expect(imported.status, await imported.clone().text()).toBe(201);

    pages.signIn(c.nils);
    await pages.render(`/coop/clubs/${c.club.id}/households/${c.flat.id}`);
    const account = await screen.findByRole('region', { name: 'Statement' });
    const entries = await within(account).findByRole('table', { name: 'Account of Flat 3B' });
    const rows = within(entries).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].slice(1, 3).map((td) => td.textContent))).toEqual([
      ['Direct debit returned by your bank', 'Order 1'],
      ['Payment', 'Order 1'],
      ['Bill', 'Order 1'],
    ]);
    expect(within(account).getByTestId('household-balance').textContent).toBe(
      `Flat 3B owes the club €${amount}.`,
    );
  });
});
