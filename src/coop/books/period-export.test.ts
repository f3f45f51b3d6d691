import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { parseCsv } from '../../core/csv';
import { queryRows } from '../../core/database';
import { coopAccountIds, coopTransferId, postCoopTransfers } from '../orders/ledger';
import { buildPeriodExport, exportPeriod } from './period-export';
import { periodExportPdf } from './period-export-files';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, club, processedOrder } = coopApi(() => tally);

const PDF = Buffer.from('%PDF-1.4\n% invoice\n', 'latin1');

/** The text a PDF shows, from pdfkit's hex-encoded strings in uncompressed content streams. */
const shownText = (pdf: Buffer) =>
  [...pdf.toString('latin1').matchAll(/<([0-9a-f]+)>/g)]
    .map((match) => Buffer.from(match[1]!, 'hex').toString('latin1'))
    .join('');

async function upload(as: TestPerson, path: string, amount: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(PDF)]), 'invoice.pdf');
  form.append('amount', amount);
  const response = await tally.http.request(path, {
    method: 'PUT',
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
    body: form,
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function importStatement(as: TestPerson, clubId: string, xml: string) {
  const form = new FormData();
  form.append('file', new Blob([xml]), 'statement.xml');
  const response = await tally.http.request(`/api/coop/clubs/${clubId}/bank-statements`, {
    method: 'POST',
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
    body: form,
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

const statement = (id: string, amount: string, name: string) => `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>${id}</Id>
<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-15</Dt></BookgDt>
<AcctSvcrRef>${id}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>${name}</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>for the next orders</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>`;

/**
 * June for a club: an order billed on 2 June (the Millers €14.96: eggs at 7 %, wine at 19 %; Flat 3B
 * €2.25 of eggs; the Okafors €20.94 of wine), the Okafors' bill corrected to €10.47 on 25 June,
 * the Millers paying on 10 June, the Okafors paying €20.00 ahead on 15 June, Flat 3B on the last
 * second of June and the Okafors' bill on the first of July; Lindenhof's invoice of eggs as the
 * delivery says (€6.42) and the vineyard's for another amount than expected (€28.00), both paid
 * on 20 June.
 */
async function juneOfAClub() {
  tally.clock.set('2026-06-01T09:00:00Z');
  const { id, admin, members } = await club(3);
  const [bob, nils, obi] = members as [TestPerson, TestPerson, TestPerson];
  await ok(200, 'PATCH', `/api/orgs/${id}/members/${bob.userId}`, admin, { role: 'bookkeeper' });
  const producer = (name: string) => ok(201, 'POST', `/api/coop/clubs/${id}/producers`, admin, { name });
  const lindenhof = await producer('Lindenhof');
  const vineyard = await producer('Vineyard');
  const product = (farm: Body, name: string, price: string, margin: string, vat: string) =>
    ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, admin, {
      name,
      code: name.slice(0, 3).toUpperCase(),
      unit: 'piece',
      amount_per_package: '1',
      price,
      margin_percent: margin,
      vat_percent: vat,
    });
  const eggs = await product(lindenhof, 'Eggs', '0.40', '5', '7');
  const wine = await product(vineyard, 'Wine', '8.00', '10', '19');
  const household = (as: TestPerson, name: string) =>
    ok(201, 'POST', `/api/coop/clubs/${id}/households`, as, { name });
  const millers = await household(admin, 'The Millers');
  const flat = await household(nils, 'Flat 3B');
  const okafors = await household(obi, 'The Okafors');
  const created = await ok(201, 'POST', `/api/coop/clubs/${id}/orders`, admin, {});
  const order = `/api/coop/orders/${created.id}`;
  for (const farm of [lindenhof, vineyard])
    await ok(200, 'POST', `${order}/producers/${farm.id}/answer`, admin, {
      available: true,
      products_up_to_date: true,
    });
  await ok(200, 'POST', `${order}/open`, admin, { deadline: '2026-06-02T09:00:00Z' });
  const line = (as: TestPerson, item: Body, quantity: number) =>
    ok(200, 'PUT', `${order}/household-order/lines/${item.id}`, as, { quantity, version: 1 });
  await line(admin, eggs, 10);
  await line(admin, wine, 1);
  await line(nils, eggs, 5);
  await line(obi, wine, 2);
  await ok(200, 'POST', `${order}/close`, admin);
  tally.clock.set('2026-06-02T10:00:00Z');
  for (const farm of [lindenhof, vineyard])
    await ok(200, 'POST', `${order}/producers/${farm.id}/delivery/confirm`, admin);

  tally.clock.set('2026-06-10T12:00:00Z');
  await ok(200, 'POST', `${order}/bills/${millers.id}/received`, bob);
  tally.clock.set('2026-06-15T12:00:00Z');
  await importStatement(bob, id, statement(`AHEAD-${id.slice(0, 8)}`, '20.00', 'Obi'));
  const [waiting] = (await ok(200, 'GET', `/api/coop/clubs/${id}/bank-lines?state=unmatched`, bob))
    .items as Body[];
  await ok(200, 'POST', `/api/coop/bank-lines/${waiting!.id}/assign`, bob, { household_id: okafors.id });
  tally.clock.set('2026-06-20T12:00:00Z');
  await upload(admin, `${order}/producers/${lindenhof.id}/invoice`, '6.42');
  await upload(admin, `${order}/producers/${vineyard.id}/invoice`, '28.00');
  for (const farm of [lindenhof, vineyard])
    await ok(200, 'POST', `${order}/producers/${farm.id}/invoice/paid`, bob);

  // A correction as the orders post one, but for a reversal that carries no split (as transfers
  // posted before bills carried theirs): its split is read from the bill's row. One bottle, not two.
  tally.clock.set('2026-06-25T12:00:00Z');
  const meta = { order_id: created.id, order_number: created.number, household_id: okafors.id };
  await tally.database.db.transaction((tx) =>
    postCoopTransfers(tx, tally.clock, [
      {
        id: coopTransferId('bill-reversal', created.id, okafors.id, '1'),
        debitAccountId: coopAccountIds.sales(id),
        creditAccountId: coopAccountIds.household(okafors.id),
        amount: 2094n,
        code: 'coop_bill_reversal',
        metadata: { ...meta, kind: 'bill_reversal', correction: 1, reason: 'a bottle broke' },
      },
      {
        id: coopTransferId('bill', created.id, okafors.id, '1'),
        debitAccountId: coopAccountIds.household(okafors.id),
        creditAccountId: coopAccountIds.sales(id),
        amount: 1047n,
        code: 'coop_bill',
        metadata: {
          ...meta,
          kind: 'bill',
          correction: 1,
          reason: 'a bottle broke',
          by_vat_rate: [{ vat_basis_points: '1900', net_cents: '880', vat_cents: '167' }],
        },
      },
    ]),
  );

  tally.clock.set('2026-06-30T23:59:59.999Z');
  await ok(200, 'POST', `${order}/bills/${flat.id}/received`, bob);
  tally.clock.set('2026-07-01T00:00:00Z');
  await ok(200, 'POST', `${order}/bills/${okafors.id}/received`, bob);
  // Sessions last 30 days from 1 June: the books are read within them.
  tally.clock.set('2026-07-01T08:00:00Z');
  return { id, admin, bob, nils, obi, lindenhof, vineyard, millers, flat, okafors };
}

type June = Awaited<ReturnType<typeof juneOfAClub>>;
let june: June;
const summary = (as: TestPerson, from: string, to: string) =>
  ok(200, 'GET', `/api/coop/clubs/${june.id}/books/summary?from=${from}&to=${to}`, as);

describe('the books of a period', () => {
  beforeAll(async () => {
    june = await juneOfAClub();
  });

  it('sums VAT per rate on sales and on producers’ invoices, with a correction, and states the margin', async () => {
    const books = await summary(june.bob, '2026-06-01', '2026-06-30');
    expect(books).toMatchObject({
      from: '2026-06-01',
      to: '2026-06-30',
      time_zone: 'UTC',
      entries: { bills: 4, bill_reversals: 1, payments: 3, invoices: 2, invoice_payments: 2, other: 0 },
      totals: {
        bills_cents: '4862',
        bill_reversals_cents: '2094',
        sales_cents: '2768',
        payments_cents: '3721',
        paid_ahead_cents: '2000',
        invoices_cents: '3442',
        invoice_payments_cents: '3442',
      },
    });
    expect(books.vat.sales).toEqual([
      { vat_basis_points: 700, net_cents: '630', vat_cents: '44', total_cents: '674' },
      { vat_basis_points: 1900, net_cents: '1760', vat_cents: '334', total_cents: '2094' },
    ]);
    // Lindenhof invoiced what its delivery comes to: split by rate. The vineyard did not: its total only.
    expect(books.vat.purchases).toEqual([
      { vat_basis_points: 700, net_cents: '600', vat_cents: '42', total_cents: '642' },
      { vat_basis_points: null, net_cents: null, vat_cents: null, total_cents: '2800' },
    ]);
    // Before VAT: 23.90 of sales less 6.00 and 28.00 of purchases; with VAT: 27.68 less 34.42.
    expect(books.margin).toMatchObject({ net_cents: '-1010', with_vat_cents: '-674' });
    expect(books.margin.definition).toMatch(/^Margin = sales less purchases posted in the period/);
  });

  it('ties every account’s movement to the ledger, to the cent', async () => {
    const books = await summary(june.bob, '2026-06-01', '2026-06-30');
    expect(books.tie_out.map((t: Body) => [t.account, t.ledger_cents, t.export_cents, t.ties])).toEqual([
      ['sales', '2768', '2768', true],
      ['bank', '-279', '-279', true],
      ['purchases', '-3442', '-3442', true],
      ['households', '953', '953', true],
      ['producers', '0', '0', true],
    ]);
    // Over the whole year the movement is each account's balance in the ledger.
    const year = await summary(june.bob, '2026-01-01', '2026-12-31');
    const balance = async (ids: string[]) => {
      const [row] = await queryRows<{ net: string }>(
        tally.database.db,
        sql`SELECT coalesce(sum(credits_posted - debits_posted), 0)::text AS net FROM ledger_accounts
            WHERE id = ANY(${sql.param(ids)}::uuid[])`,
      );
      return row!.net;
    };
    expect(Object.fromEntries(year.tie_out.map((t: Body) => [t.account, t.ledger_cents]))).toEqual({
      sales: await balance([coopAccountIds.sales(june.id)]),
      bank: await balance([coopAccountIds.bank(june.id)]),
      purchases: await balance([coopAccountIds.purchases(june.id)]),
      households: await balance(
        [june.millers, june.flat, june.okafors].map((h) => coopAccountIds.household(h.id)),
      ),
      producers: await balance([june.lindenhof, june.vineyard].map((p) => coopAccountIds.producer(p.id))),
    });
    expect(year.tie_out.every((t: Body) => t.ties)).toBe(true);
  });

  it('takes a transfer on the last day of the period, and leaves one on the next day to the next period', async () => {
    const lastDay = await summary(june.bob, '2026-06-30', '2026-06-30');
    expect(lastDay.entries).toMatchObject({ payments: 1, bills: 0 });
    expect(lastDay.totals.payments_cents).toBe('225');
    const july = await summary(june.bob, '2026-07-01', '2026-07-31');
    expect(july.entries).toMatchObject({ payments: 1, bills: 0, invoices: 0 });
    expect(july.totals.payments_cents).toBe('2094');
    expect(july.tie_out.every((t: Body) => t.ties)).toBe(true);
  });

  it('is for the bookkeeper and the Admin; a household’s member is refused, anyone else finds no club', async () => {
    const path = `/api/coop/clubs/${june.id}/books/export?from=2026-06-01&to=2026-06-30&format=csv`;
    expect((await request(tally, 'GET', path, { as: june.admin })).status).toBe(200);
    // Their sessions are touched on first use: what is refused is read from the answer alone.
    const member = await request(tally, 'GET', path, { as: june.nils });
    expect([member.status, (await read(member)).error.code]).toEqual([403, 'forbidden']);
    const outsider = await request(tally, 'GET', path, {
      as: await signedInPerson(tally, { name: 'Outsider' }),
    });
    expect([outsider.status, (await read(outsider)).error.code]).toEqual([404, 'not_found']);
  });

  it('refuses a period that runs backwards, is too long or is no day', async () => {
    const at = (from: string, to: string) => `/api/coop/clubs/${june.id}/books/summary?from=${from}&to=${to}`;
    const backwards = await refused(
      'validation_failed',
      400,
      'GET',
      at('2026-06-30', '2026-06-01'),
      june.bob,
    );
    expect(backwards.details).toEqual({ field: 'to' });
    const long = await refused('validation_failed', 400, 'GET', at('2025-01-01', '2026-02-05'), june.bob);
    expect(long.message).toContain('at most 400 days');
    for (const bad of ['2026-6-1', '2026-02-30', 'june'])
      expect(
        (await refused('validation_failed', 400, 'GET', at(bad, '2026-06-30'), june.bob)).details,
      ).toEqual({
        field: 'from',
      });
    await refused(
      'validation_failed',
      400,
      'GET',
      at('2026-06-01', '2026-06-30').replace('summary', 'export'),
      june.bob,
    );
    expect(exportPeriod('2026-01-01', '2027-02-04').end.toISOString()).toBe('2027-02-05T00:00:00.000Z');
  });

  it('downloads as CSV that reads back to the same sums, and as a PDF with the totals', async () => {
    const csv = await request(
      tally,
      'GET',
      `/api/coop/clubs/${june.id}/books/export?from=2026-06-01&to=2026-06-30&format=csv`,
      { as: june.bob },
    );
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain('2026-06-01-to-2026-06-30.csv');
    const [header, ...rows] = parseCsv(await csv.text()).map((r) => r.fields);
    expect(header).toEqual([
      'section',
      'date',
      'order',
      'party',
      'vat_rate',
      'net',
      'vat',
      'total',
      'ledger',
      'note',
      'transfer_id',
    ]);
    const cents = (text: string) => BigInt(text.replace('.', ''));
    const sum = (section: string, party?: string) =>
      rows
        .filter((r) => r[0] === section && (party === undefined || r[3] === party))
        .reduce((total, r) => total + cents(r[7]!), 0n);
    expect(sum('bill') + sum('bill_reversal')).toBe(2768n);
    expect(sum('payment')).toBe(3721n);
    expect(sum('invoice')).toBe(3442n);
    expect(sum('vat', 'sales')).toBe(2768n);
    const reversal = rows.find((r) => r[0] === 'bill_reversal')!;
    expect(reversal.slice(3, 8)).toEqual(['The Okafors', '19 %', '-17.60', '-3.34', '-20.94']);
    expect(reversal[9]).toBe('correction 1: a bottle broke');
    expect(rows.find((r) => r[0] === 'payment' && r[7] === '20.00')![9]).toBe('paid ahead of any bill');
    expect(rows.find((r) => r[0] === 'margin')!.slice(5, 8)).toEqual(['-10.10', '', '-6.74']);
    expect(rows.filter((r) => r[0] === 'tie_out').map((r) => [r[3], r[7], r[8]])).toEqual([
      ['sales', '27.68', '27.68'],
      ['bank', '-2.79', '-2.79'],
      ['purchases', '-34.42', '-34.42'],
      ['households', '9.53', '9.53'],
      ['producers', '0.00', '0.00'],
    ]);

    const pdf = await request(
      tally,
      'GET',
      `/api/coop/clubs/${june.id}/books/export?from=2026-06-01&to=2026-06-30&format=pdf`,
      { as: june.bob },
    );
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const data = await buildPeriodExport(
      tally.database.db,
      june.id,
      exportPeriod('2026-06-01', '2026-06-30'),
      tally.clock.now(),
    );
    const text = shownText(await periodExportPdf(data, { uncompressed: true }));
    for (const expected of [
      'Tie-out with the ledger',
      '27.68',
      '-34.42',
      '-10.10 EUR',
      'The Okafors',
      '19 %',
    ])
      expect(text).toContain(expected);
    expect(text).not.toContain('DIFFERS');
  });
});

describe('a correction in the books', () => {
  it('counts the reversed bills negative with their own VAT per rate, and the corrected bills anew', async () => {
    tally.clock.set('2026-08-03T09:00:00Z');
    const { clubId, admin, order, bills, detail } = await processedOrder();
    const [, flat, okafors] = bills as [Body, Body, Body];
    for (const bill of bills) await ok(200, 'POST', `${order}/bills/${bill.id}/received`, admin);
    const farmId = detail.producers[0].producer_id as string;
    await ok(200, 'POST', `${order}/reopen`, admin, { reason: 'Flat 3B got 8 eggs, not 11' });
    const eggs = detail.products.find((p: Body) => p.name === 'Eggs');
    await ok(200, 'POST', `${order}/producers/${farmId}/delivery/reopen`, admin);
    await ok(200, 'PUT', `${order}/products/${eggs.product_id}/delivery`, admin, {
      outcome: 'delivered',
      households: [
        { household_id: flat.id, items: 8 },
        { household_id: okafors.id, items: 13 },
      ],
    });
    await ok(200, 'POST', `${order}/producers/${farmId}/delivery/confirm`, admin);

    // A direct debit of the Millers' that came back after its money arrived, as the collections post it.
    const millers = bills[0] as Body;
    await tally.database.db.transaction((tx) =>
      postCoopTransfers(tx, tally.clock, [
        {
          id: coopTransferId('payment-return', millers.id),
          debitAccountId: coopAccountIds.household(millers.id),
          creditAccountId: coopAccountIds.bank(clubId),
          amount: 556n,
          code: 'coop_payment_return',
          metadata: { household_id: millers.id, kind: 'payment_return' },
        },
      ]),
    );
    const books = await ok(
      200,
      'GET',
      `/api/coop/clubs/${clubId}/books/summary?from=2026-08-03&to=2026-08-03`,
      admin,
    );
    // Bills of 5.56, 5.99 and 6.42; 5.99 and 6.42 taken back; 4.70 and 6.84 billed anew.
    expect(books.entries).toMatchObject({ bills: 5, bill_reversals: 2, payment_returns: 1, other: 0 });
    expect(books.totals.payment_returns_cents).toBe('556');
    expect(books.totals).toMatchObject({
      bills_cents: '2951',
      bill_reversals_cents: '1241',
      sales_cents: '1710',
    });
    expect(books.vat.sales).toEqual([
      { vat_basis_points: 700, net_cents: '1600', vat_cents: '110', total_cents: '1710' },
    ]);
    expect(books.tie_out.every((t: Body) => t.ties)).toBe(true);
    const csv = await request(
      tally,
      'GET',
      `/api/coop/clubs/${clubId}/books/export?from=2026-08-03&to=2026-08-03&format=csv`,
      { as: admin },
    );
    const reversals = parseCsv(await csv.text())
      .map((r) => r.fields)
      .filter((r) => r[0] === 'bill_reversal');
    expect(reversals.map((r) => [r[3], r[4], r[7], r[9]])).toEqual([
      ['Flat 3B', '7 %', '-5.99', 'correction 1: Flat 3B got 8 eggs, not 11'],
      ['The Okafors', '7 %', '-6.42', 'correction 1: Flat 3B got 8 eggs, not 11'],
    ]);
  });
});
