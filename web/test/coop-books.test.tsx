import { cleanup, screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, signedInPerson, type TestPerson } from '../../test/support/app';
import { freshEmail, ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { installNodeFileApis } from './support/files';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';

/**
 * The bookkeeper's bank: a statement imported and what it did, the lines waiting (a suggested bill
 * assigned, a wrong amount confirmed), producers paid with one payment file, and the club's bank
 * account refused on its IBAN. The stage is set through the real API; what each page sends is what
 * the server receives.
 */

const pages = tallyPages();

beforeAll(async () => {
  installInputApis();
  // Statements and invoices are uploaded as files: Node's, so the server receives their bytes.
  await installNodeFileApis();
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/coop/CoopPages');
});

let clubs = 0;

const person = (name: string) => signedInPerson(pages.tally, { name, email: freshEmail(name.toLowerCase()) });

const api = (as: TestPerson, status: number, method: string, path: string, body?: unknown) =>
  ok(pages.tally, status, method, path, { as, body });

const section = (name: string) => screen.getByRole('region', { name });

/** A valid IBAN (the standard German example) and one with a mistyped last digit. */
const CLUB_IBAN = 'DE89370400440532013000';
const FARM_IBAN = 'DE02120300000000202051';
const DAIRY_IBAN = 'DE02500105170137075030';

/**
 * A club with its Admin (Ada), a bookkeeper (Bob), Lea the liaison of Lindenhof (eggs), Leo the
 * liaison of Hill Dairy (milk), and three households: the Millers (Ada), Flat 3B (Nils) and the
 * Okafors (Obi); its first order is processed and every bill is out: the Millers owe €2.70 (eggs),
 * Flat 3B €5.27 (eggs and two litres of milk), the Okafors €1.28 (a litre of milk).
 */
async function clubWithBills() {
  const [ada, bob, lea, leo, nils, obi] = await Promise.all(
    ['Ada Admin', 'Bob Books', 'Lea Liaison', 'Leo Liaison', 'Nils', 'Obi'].map(person),
  );
  const club = await api(ada!, 201, 'POST', '/api/coop/clubs', { name: `Plenty ${++clubs}` });
  const { url } = await api(ada!, 201, 'POST', `/api/coop/clubs/${club.id}/invite-links`);
  const token = String(url).split('/coop/join/')[1];
  for (const member of [bob!, lea!, leo!, nils!, obi!])
    await api(member, 200, 'POST', `/api/coop/invite-links/${token}/join`);
  await api(ada!, 200, 'PATCH', `/api/orgs/${club.id}/members/${bob!.userId}`, { role: 'bookkeeper' });
  const lindenhof = await api(lea!, 201, 'POST', `/api/coop/clubs/${club.id}/producers`, {
    name: 'Lindenhof',
  });
  const dairy = await api(leo!, 201, 'POST', `/api/coop/clubs/${club.id}/producers`, { name: 'Hill Dairy' });
  const product = (producer: Body, as: TestPerson, name: string, fields: Record<string, unknown>) =>
    api(as, 201, 'POST', `/api/coop/producers/${producer.id}/products`, {
      name,
      code: name.slice(0, 3).toUpperCase(),
      unit: 'piece',
      amount_per_package: '1',
      vat_percent: '7',
      ...fields,
    });
  // A box of six at 0.40 each, 5 % margin, 7 % VAT: 2.70 a box. A litre of milk: 1.28.
  const eggs = await product(lindenhof, lea!, 'Eggs', { packages: 6, price: '0.40', margin_percent: '5' });
  const milk = await product(dairy, leo!, 'Milk', { unit: 'l', price: '1.20' });
  const household = (as: TestPerson, name: string) =>
    api(as, 201, 'POST', `/api/coop/clubs/${club.id}/households`, { name });
  const millers = await household(ada!, 'The Millers');
  const flat = await household(nils!, 'Flat 3B');
  const okafors = await household(obi!, 'The Okafors');

  const order = await api(ada!, 201, 'POST', `/api/coop/clubs/${club.id}/orders`, {});
  const path = `/api/coop/orders/${order.id}`;
  for (const producer of [lindenhof, dairy])
    await api(ada!, 200, 'POST', `${path}/producers/${producer.id}/answer`, {
      available: true,
      products_up_to_date: true,
    });
  const deadline = new Date(pages.tally.clock.now().getTime() + 24 * 3600_000).toISOString();
  await api(ada!, 200, 'POST', `${path}/open`, { deadline });
  const line = (as: TestPerson, item: Body, quantity: number) =>
    api(as, 200, 'PUT', `${path}/household-order/lines/${item.id}`, { quantity, version: 1 });
  await line(ada!, eggs, 1);
  await line(nils!, eggs, 1);
  await line(nils!, milk, 2);
  await line(obi!, milk, 1);
  await api(ada!, 200, 'POST', `${path}/close`);
  await api(lea!, 200, 'POST', `${path}/producers/${lindenhof.id}/delivery/confirm`);
  await api(leo!, 200, 'POST', `${path}/producers/${dairy.id}/delivery/confirm`);
  /** A household's bill as its member reads it. */
  const bill = async (as: TestPerson) => (await api(as, 200, 'GET', `${path}/household-order`)).bill as Body;
  return {
    club,
    ada: ada!,
    bob: bob!,
    lea: lea!,
    leo: leo!,
    nils: nils!,
    obi: obi!,
    lindenhof,
    dairy,
    millers,
    flat,
    okafors,
    order: { id: order.id as string, path, books: `/coop/clubs/${club.id}/orders/${order.id}/books` },
    bill,
  };
}

type Club = Awaited<ReturnType<typeof clubWithBills>>;

interface Entry {
  id: string;
  amount: string;
  name: string;
  direction?: 'CRDT' | 'DBIT';
  reference?: string;
  text?: string;
}

/** The club account's statement as the bank exports it (CAMT.053), with these booked lines. */
function camt(entries: Entry[]): File {
  const party = (e: Entry) => (e.direction === 'DBIT' ? 'Cdtr' : 'Dbtr');
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-06-05T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-${entries.map((e) => e.id).join('-')}</Id><Acct><Id><IBAN>${CLUB_IBAN}</IBAN></Id></Acct>
${entries
  .map(
    (
      e,
    ) => `<Ntry><Amt Ccy="EUR">${e.amount}</Amt><CdtDbtInd>${e.direction ?? 'CRDT'}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-06-05</Dt></BookgDt><AcctSvcrRef>${e.id}</AcctSvcrRef><NtryDtls><TxDtls>
<RltdPties><${party(e)}><Nm>${e.name}</Nm></${party(e)}></RltdPties>
<RmtInf>${e.text ? `<Ustrd>${e.text}</Ustrd>` : ''}${e.reference ? `<Strd><CdtrRefInf><Ref>${e.reference}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf>
</TxDtls></NtryDtls></Ntry>`,
  )
  .join('\n')}
</Stmt></BkToCstmrStmt></Document>`;
  return new File([xml], 'statement.xml', { type: 'application/xml' });
}

/** Lines booked on the club's account: the bank's ids are made unique per club, as a bank's are. */
const ids = (c: Club) => (n: number) => `${c.club.id.slice(0, 8)}-B${n}`;

/** Imports `file` through the page's form and waits for what the import did. */
async function importThroughThePage(user: UserEvent, file: File): Promise<string> {
  const form = screen.getByRole('form', { name: 'Import a statement' });
  const input = form.querySelector<HTMLInputElement>('input[type="file"]');
  if (!input) throw new Error('no file input');
  await user.upload(input, file);
  await user.click(within(form).getByRole('button', { name: 'Import the statement' }));
  return (await within(form).findByTestId('import-summary')).textContent ?? '';
}

/** The cards of the lines waiting, by their names. */
const waitingNames = () =>
  within(screen.getByRole('list', { name: 'Lines waiting' }))
    .getAllByRole('listitem')
    .map((item) => item.getAttribute('aria-label'));

const card = (name: string) =>
  within(screen.getByRole('list', { name: 'Lines waiting' })).getByRole('listitem', { name });

/** The club's lines as the API lists them, by the bank's id. */
async function linesOf(c: Club): Promise<Record<string, Body>> {
  const { items } = await api(c.bob, 200, 'GET', `/api/coop/clubs/${c.club.id}/bank-lines`);
  return Object.fromEntries(items.map((line: Body) => [line.bank_id, line]));
}

const multipartBody = (
  fields: Record<string, string>,
  file: { name: string; type: string; text: string },
) => {
  const boundary = `----tally${Date.now()}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n${file.text}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
};

/** The producer's invoice for the order, uploaded as its liaison would: a PDF and its amount. */
async function uploadInvoice(c: Club, as: TestPerson, producer: Body, amount: string) {
  const { body, type } = multipartBody(
    { amount },
    { name: 'invoice.pdf', type: 'application/pdf', text: '%PDF-1.4\n% invoice\n' },
  );
  const response = await pages.tally.http.request(`${c.order.path}/producers/${producer.id}/invoice`, {
    method: 'PUT',
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web', 'content-type': type },
    body,
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe('importing a statement', () => {
  it('says what the import did, queues the lines waiting with what they look like, and changes nothing the second time', async () => {
    const c = await clubWithBills();
    const [millers, flat] = [await c.bill(c.ada), await c.bill(c.nils)];
    const id = ids(c);
    const statement = camt([
      { id: id(1), amount: '2.70', name: 'Ada Admin', reference: millers.reference },
      { id: id(2), amount: '5.00', name: 'Nils', reference: flat.reference },
      { id: id(3), amount: '1.28', name: 'Obi', text: 'food' },
      { id: id(4), amount: '6.70', name: 'Unknown Person', text: 'donation' },
      { id: id(5), amount: '12.00', name: 'Lindenhof', direction: 'DBIT', text: 'order 1' },
    ]);
    pages.signIn(c.bob);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/bank`);
    await screen.findByRole('heading', { level: 1, name: 'Bank' });
    expect(within(section('Waiting for you')).getByText('Nothing waits')).toBeTruthy();

    expect(await importThroughThePage(user, statement)).toBe(
      '5 lines: 1 paid a bill, 1 for a wrong amount to confirm, 2 waiting, 1 outgoing.',
    );
    // The Millers' reference and amount settled their bill at once.
    expect((await c.bill(c.ada)).payment_state).toBe('paid');

    // The queue: the wrong amount first, with what was expected and what was paid; then the payments to assign.
    await waitFor(() =>
      expect(waitingNames()).toEqual(['€5.00 from Nils', '€1.28 from Obi', '€6.70 from Unknown Person']),
    );
    expect(within(section('Waiting for you')).getByText(/^3 lines wait for you/)).toBeTruthy();
    const wrong = card('€5.00 from Nils');
    expect(wrong.textContent).toMatch(/For the bill of Flat 3B, order 1: €5\.27 expected, €5\.00 paid\./);
    expect(wrong.textContent).toContain(
      `Quotes the reference ${flat.reference.replace(/(.{4})(?=.)/g, '$1 ')}`,
    );
    expect(within(wrong).getByRole('button', { name: 'Confirm the bad payment' })).toBeTruthy();
    const obi = card('€1.28 from Obi');
    expect(obi.textContent).toMatch(/Looks like the bill of The Okafors, order 1, €1\.28 owed\./);
    expect(within(obi).getByText('95 % likely')).toBeTruthy();
    expect(card('€6.70 from Unknown Person').textContent).toMatch(/No open bill looks like it/);

    // Every line, with its state.
    const table = screen.getByRole('table', { name: 'Bank lines' });
    const state = (name: RegExp) =>
      within(table).getByRole('row', { name }).querySelectorAll('td')[4]?.textContent;
    expect(state(/Ada Admin/)).toMatch(/^Paid a bill/);
    expect(state(/Nils/)).toBe('Wrong amount');
    expect(state(/Lindenhof/)).toBe('Outgoing');
    expect(within(table).getByRole('row', { name: /Lindenhof/ }).textContent).toContain('−€12.00');

    // The same file again: the page says so, and nothing moved.
    expect(await importThroughThePage(user, statement)).toBe(
      'Already imported: all 5 lines were here before; nothing changed.',
    );
    await waitFor(() =>
      expect(
        within(screen.getByRole('table', { name: 'Statements imported' })).getAllByRole('row'),
      ).toHaveLength(3),
    );
    expect(
      Object.values(await linesOf(c))
        .map((l) => l.state)
        .sort(),
    ).toEqual(['bad_amount', 'matched', 'outgoing', 'unmatched', 'unmatched']);
  });
});

describe('the lines waiting', () => {
  it('assigns a line to the bill suggested, and another to a bill chosen from the open ones', async () => {
    const c = await clubWithBills();
    const id = ids(c);
    pages.signIn(c.bob);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/bank`);
    await importThroughThePage(
      user,
      camt([
        { id: id(1), amount: '1.28', name: 'Obi', text: 'milk' },
        { id: id(2), amount: '3.00', name: 'Erin Gray', text: 'June' },
      ]),
    );
    const lines = await linesOf(c);
    await waitFor(() => expect(waitingNames()).toEqual(['€1.28 from Obi', '€3.00 from Erin Gray']));

    const obi = card('€1.28 from Obi');
    expect(
      (within(obi).getByLabelText('Bill it pays') as HTMLSelectElement).selectedOptions[0]?.textContent,
    ).toBe('The Okafors, order 1: €1.28 owed (suggested)');
    await user.click(within(obi).getByRole('button', { name: 'Assign' }));
    await waitFor(() =>
      expect(
        sentTo(pages, 'POST', `/api/coop/bank-lines/${lines[id(1)].id}/assign`).map((r) => r.body),
      ).toEqual([{ order_id: c.order.id, household_id: c.okafors.id }]),
    );
    await waitFor(() => expect(waitingNames()).toEqual(['€3.00 from Erin Gray']));
    expect((await c.bill(c.obi)).payment_state).toBe('paid');

    // No bill looks like Erin's payment: the bookkeeper knows it is for Flat 3B, and picks its bill.
    const erin = card('€3.00 from Erin Gray');
    expect(erin.textContent).toMatch(/No open bill looks like it/);
    const select = within(erin).getByLabelText('Bill it pays') as HTMLSelectElement;
    await waitFor(() =>
      expect([...select.options].map((o) => o.textContent)).toEqual([
        'Choose a bill',
        'Flat 3B, order 1: €5.27 owed',
        'The Millers, order 1: €2.70 owed',
        'Flat 3B: paying ahead',
        'The Millers: paying ahead',
        'The Okafors: paying ahead',
      ]),
    );
    const assign = `/api/coop/bank-lines/${lines[id(2)].id}/assign`;
    await user.click(within(erin).getByRole('button', { name: 'Assign' }));
    expect(fieldError(select)).toBe('Choose the bill this payment is for');
    expect(sentTo(pages, 'POST', assign)).toEqual([]);
    await user.selectOptions(select, 'Flat 3B, order 1: €5.27 owed');
    await user.click(within(erin).getByRole('button', { name: 'Assign' }));
    await waitFor(() =>
      expect(sentTo(pages, 'POST', assign).map((r) => r.body)).toEqual([
        { order_id: c.order.id, household_id: c.flat.id },
      ]),
    );
    await waitFor(() => expect(within(section('Waiting for you')).getByText('Nothing waits')).toBeTruthy());
    // €3.00 of €5.27: a bad payment of what arrived, the household asked for the rest.
    const flat = await c.bill(c.nils);
    expect([flat.payment_state, flat.received_cents]).toEqual(['bad', '300']);
    const decided = await linesOf(c);
    expect([decided[id(1)].state, decided[id(2)].state]).toEqual(['assigned', 'assigned']);
  });

  it('credits money for no bill to a household paying ahead', async () => {
    const c = await clubWithBills();
    const id = ids(c);
    pages.signIn(c.bob);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/bank`);
    await importThroughThePage(
      user,
      camt([{ id: id(1), amount: '10.00', name: 'O. Okafor', text: 'in advance' }]),
    );
    const line = (await linesOf(c))[id(1)];
    const card10 = await waitFor(() => card('€10.00 from O. Okafor'));
    await user.selectOptions(within(card10).getByLabelText('Bill it pays'), 'The Okafors: paying ahead');
    await user.click(within(card10).getByRole('button', { name: 'Assign' }));
    await waitFor(() =>
      expect(sentTo(pages, 'POST', `/api/coop/bank-lines/${line.id}/assign`).map((r) => r.body)).toEqual([
        { household_id: c.okafors.id },
      ]),
    );
    await waitFor(() => expect(within(section('Waiting for you')).getByText('Nothing waits')).toBeTruthy());
    // The Okafors owed €1.28: €10.00 ahead leaves them €8.72 in credit.
    const account = await api(c.obi, 200, 'GET', `/api/coop/households/${c.okafors.id}/account`);
    expect(account.balance_cents).toBe('872');
    expect((await linesOf(c))[id(1)].state).toBe('assigned');
    const row = within(screen.getByRole('table', { name: 'Bank lines' })).getByRole('row', {
      name: /Okafor/,
    });
    await waitFor(() => expect(row.querySelectorAll('td')[5]?.textContent).toBe('The Okafors, paid ahead'));
  });

  it('confirms a payment of the wrong amount: the bill becomes a bad payment of what arrived', async () => {
    const c = await clubWithBills();
    const flat = await c.bill(c.nils);
    const id = ids(c);
    pages.signIn(c.bob);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/bank`);
    expect(
      await importThroughThePage(
        user,
        camt([{ id: id(1), amount: '5.00', name: 'Nils', reference: flat.reference }]),
      ),
    ).toBe('1 line: 1 for a wrong amount to confirm.');
    const line = (await linesOf(c))[id(1)];
    const wrong = await waitFor(() => card('€5.00 from Nils'));
    await user.click(within(wrong).getByRole('button', { name: 'Confirm the bad payment' }));
    await waitFor(() =>
      expect(sentTo(pages, 'POST', `/api/coop/bank-lines/${line.id}/confirm`)).toHaveLength(1),
    );
    await waitFor(() => expect(within(section('Waiting for you')).getByText('Nothing waits')).toBeTruthy());
    expect(sentTo(pages, 'POST', `/api/coop/bank-lines/${line.id}/assign`)).toEqual([]);
    const bill = await c.bill(c.nils);
    expect([bill.payment_state, bill.bad_reason, bill.received_cents]).toEqual(['bad', 'bad_amount', '500']);
    const table = screen.getByRole('table', { name: 'Bank lines' });
    await waitFor(() =>
      expect(within(table).getByRole('row', { name: /Nils/ }).querySelectorAll('td')[4]?.textContent).toMatch(
        /^Assigned/,
      ),
    );
  });
});

describe('paying producers', () => {
  it('refuses a payment file for a producer without an IBAN, with the way to its page, then makes it for both', async () => {
    const c = await clubWithBills();
    await api(c.bob, 200, 'PUT', `/api/coop/clubs/${c.club.id}/bank-account`, {
      account_holder: 'Plenty Food Club',
      iban: CLUB_IBAN,
    });
    await api(c.lea, 200, 'PATCH', `/api/coop/producers/${c.lindenhof.id}`, { iban: FARM_IBAN });
    await uploadInvoice(c, c.lea, c.lindenhof, '1.20');
    await uploadInvoice(c, c.leo, c.dairy, '3.85');
    pages.signIn(c.bob);
    const { user } = await pages.render(c.order.books);
    const invoices = await screen.findByRole('table', { name: 'Producers’ invoices' });
    const form = screen.getByRole('form', { name: 'Payment file' });
    const make = within(form).getByRole('button', { name: 'Make the payment file' });
    expect(make.hasAttribute('disabled')).toBe(true);
    expect(within(form).getByText('Tick the invoices to pay in one credit transfer.')).toBeTruthy();
    await user.click(within(invoices).getByRole('checkbox', { name: 'Pay Lindenhof’s invoice' }));
    await user.click(within(invoices).getByRole('checkbox', { name: 'Pay Hill Dairy’s invoice' }));
    expect(within(form).getByText('2 invoices ticked, €5.05 in all.')).toBeTruthy();
    await user.click(make);

    const batches = `/api/coop/clubs/${c.club.id}/payment-batches`;
    /** The invoices each request asked to pay, by producer. */
    const asked = () =>
      sentTo(pages, 'POST', batches).map((r) =>
        (r.body as Body).invoices.map((i: Body) => [i.order_id, i.producer_id]).sort(),
      );
    const both = [
      [c.order.id, c.dairy.id],
      [c.order.id, c.lindenhof.id],
    ].sort();
    await waitFor(() =>
      expect(formAlert(form)).toBe(
        'Hill Dairy has no IBAN: its liaison adds one. Add Hill Dairy’s IBAN on its page.',
      ),
    );
    expect(
      within(form).getByRole('link', { name: 'Add Hill Dairy’s IBAN on its page.' }).getAttribute('href'),
    ).toBe(`/coop/clubs/${c.club.id}/producers/${c.dairy.id}`);
    expect(asked()).toEqual([both]);
    expect((await api(c.bob, 200, 'GET', batches)).items).toEqual([]);

    // Leo adds the dairy's IBAN; the ticks are still there, and the file is made.
    await api(c.leo, 200, 'PATCH', `/api/coop/producers/${c.dairy.id}`, { iban: DAIRY_IBAN });
    await user.click(make);
    const alert = await screen.findByText('The payment file is ready');
    const done = alert.closest('[role="status"]') as HTMLElement;
    expect(done.textContent).toMatch(/2 transfers, €5\.05 in all/);
    const [batch] = (await api(c.bob, 200, 'GET', batches)).items;
    const download = within(done).getByRole('link', { name: `Download ${batch.message_id}.xml` });
    expect(download.getAttribute('href')).toBe(batch.download);
    expect(asked()).toEqual([both, both]);

    // Both invoices show the payment sent, and cannot be ticked again.
    await waitFor(() => {
      for (const name of ['Lindenhof', 'Hill Dairy']) {
        const row = within(invoices).getByRole('row', { name: new RegExp(name) });
        expect(within(row).getByText('Payment sent')).toBeTruthy();
        expect(within(row).queryByRole('checkbox')).toBeNull();
      }
    });
    // The file pays each producer its invoice from the club's account.
    const xml = await (
      await pages.tally.http.request(batch.download, {
        headers: { cookie: c.bob.cookie, 'x-requested-with': 'tally-web' },
      })
    ).text();
    expect(xml).toContain(`<IBAN>${CLUB_IBAN}</IBAN>`);
    expect(xml).toContain(`<IBAN>${FARM_IBAN}</IBAN>`);
    expect(xml).toContain(`<IBAN>${DAIRY_IBAN}</IBAN>`);
    expect(xml).toContain('<CtrlSum>5.05</CtrlSum>');
  });
});

describe('the club’s bank account', () => {
  it('shows the server’s refusal of an IBAN next to the field, keeps what was typed, then saves it for every member to see', async () => {
    const c = await clubWithBills();
    pages.signIn(c.bob);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/settings`);
    const form = await screen.findByRole('form', { name: 'Club bank account' });
    // The bookkeeper keeps the account, not the club's name.
    expect(screen.queryByRole('form', { name: 'Club settings' })).toBeNull();
    await user.type(field(form, /^Account holder/), 'Plenty Food Club');
    const iban = field(form, /^IBAN/);
    // Its shape is right; a digit is mistyped, which only the check digits tell.
    await user.type(iban, 'de89 3704 0044 0532 0130 01');
    expect(within(form).getByText('Reads DE89 3704 0044 0532 0130 01.')).toBeTruthy();
    await user.click(within(form).getByRole('button', { name: 'Save the bank account' }));
    const account = `/api/coop/clubs/${c.club.id}/bank-account`;
    await waitFor(() =>
      expect(fieldError(field(form, /^IBAN/))).toBe(
        'The check digits do not match: a character is mistyped.',
      ),
    );
    expect(sentTo(pages, 'PUT', account).map((r) => r.body)).toEqual([
      { account_holder: 'Plenty Food Club', iban: 'DE89370400440532013001', bic: null },
    ]);
    expect(field(form, /^IBAN/).value).toBe('de89 3704 0044 0532 0130 01');
    expect(formAlert(form)).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(field(form, /^IBAN/)));
    expect((await api(c.nils, 200, 'GET', account)).account).toBeNull();

    await user.clear(field(form, /^IBAN/));
    await user.type(field(form, /^IBAN/), 'DE89 3704 0044 0532 0130 00');
    await user.click(within(form).getByRole('button', { name: 'Save the bank account' }));
    await waitFor(() => expect(sentTo(pages, 'PUT', account)).toHaveLength(2));
    await waitFor(async () =>
      expect((await api(c.nils, 200, 'GET', account)).account).toMatchObject({
        account_holder: 'Plenty Food Club',
        iban: 'DE89 3704 0044 0532 0130 00',
      }),
    );

    // Every member sees where to pay on the club's home.
    cleanup();
    pages.signIn(c.nils);
    await pages.render(`/coop/clubs/${c.club.id}`);
    const paying = section('Paying the club');
    expect(within(paying).getByText('Plenty Food Club')).toBeTruthy();
    expect(within(paying).getByLabelText('Club IBAN').textContent).toBe('DE89 3704 0044 0532 0130 00');
  });
});

describe('a producer’s bank account', () => {
  it('lets its liaison set the IBAN, with the server’s refusal next to the field, and shows it to the bookkeeper only', async () => {
    const c = await clubWithBills();
    pages.signIn(c.lea);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/producers/${c.lindenhof.id}`);
    const form = await screen.findByRole('form', { name: 'Details of Lindenhof' });
    await user.type(field(form, /^Account holder/), 'Lindenhof GbR');
    await user.type(field(form, /^IBAN/), 'DE02 1203 0000 0000 2020 52');
    await user.click(within(form).getByRole('button', { name: 'Save the details' }));
    const producer = `/api/coop/producers/${c.lindenhof.id}`;
    await waitFor(() =>
      expect(fieldError(field(form, /^IBAN/))).toBe(
        'The check digits do not match: a character is mistyped.',
      ),
    );
    expect(sentTo(pages, 'PATCH', producer).map((r) => (r.body as Body).iban)).toEqual([
      'DE02120300000000202052',
    ]);
    expect(field(form, /^IBAN/).value).toBe('DE02 1203 0000 0000 2020 52');
    expect((await api(c.lea, 200, 'GET', producer)).iban).toBeNull();

    await user.clear(field(form, /^IBAN/));
    await user.type(field(form, /^IBAN/), FARM_IBAN.toLowerCase());
    await user.click(within(form).getByRole('button', { name: 'Save the details' }));
    await waitFor(() => expect(sentTo(pages, 'PATCH', producer)).toHaveLength(2));
    expect(sentTo(pages, 'PATCH', producer)[1]?.body).toMatchObject({
      iban: FARM_IBAN,
      account_holder: 'Lindenhof GbR',
    });
    await waitFor(async () =>
      expect((await api(c.bob, 200, 'GET', producer)).iban).toBe('DE02 1203 0000 0000 2020 51'),
    );
    // A member of the club does not see where a producer is paid.
    expect((await api(c.nils, 200, 'GET', producer)).iban).toBeNull();

    cleanup();
    pages.signIn(c.bob);
    await pages.render(`/coop/clubs/${c.club.id}/producers/${c.lindenhof.id}`);
    expect(screen.getByLabelText('Account of Lindenhof').textContent).toBe(
      'Lindenhof GbR, DE02 1203 0000 0000 2020 51',
    );
    expect(screen.queryByRole('form', { name: 'Details of Lindenhof' })).toBeNull();
  });
});
