import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billTotals, priceLine } from '../../src/coop/pricing';
import { accessibilityAudit } from './support/accessibility';
import { logIn, signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field } from './support/page-checks';
import { type RunningTally, reachTally, startTally } from './support/server';

const ADA = { name: 'Ada Admin', email: 'ada@example.com', password: 'ada keeps the books right' };
const BOB = { name: 'Bob Garcia', email: 'bob@example.com', password: 'bob grows tomatoes too' };
const CLUB_IBAN = 'DE89370400440532013000';
const FARM_IBAN = 'DE02120300000000202051';

/** Eggs by the box of six; potatoes in bags of about 2.5 kg, billed as weighed. No margin, 7 % VAT. */
const PRODUCTS_CSV = [
  'code,name,description,categories,unit,amount_per_package,packages,estimate,maximum_available,price,vat_percent,margin_percent,origin',
  'EGG,Eggs,Free range,Eggs & dairy,piece,1,6,no,,0.40,7,0,Green Acres',
  'POT,Potatoes,Waxy,Vegetables,kg,2.5,1,yes,,2.00,7,0,Green Acres',
].join('\n');
const terms = (cents: bigint) => ({ producerPriceCents: cents, marginBasisPoints: 0n, vatBasisPoints: 700n });
const eggs = (boxes: bigint) => priceLine(terms(40n), boxes * 6000n);
const potatoes = (grams: bigint) => priceLine(terms(200n), grams);

/** Cents as the pages show euros: `1135n` → `€11.35`. */
const euros = (cents: bigint) => `€${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
const decimal = (cents: bigint) => euros(cents).slice(1);

/**
 * The bookkeeper's week in the browser: a bank statement imported, the line it could not match
 * assigned by hand, the producer paid by a SEPA file downloaded for the bank, and a weight found
 * wrong after the bills went out corrected by reopening the order; the household reads the
 * correction on its statement.
 */
describe('coop: the bookkeeper’s bank, payments and corrections', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  let clubId = '';
  let orderId = '';
  let farmId = '';
  const households = { millers: '', garcias: '' };
  const bills: Record<keyof typeof households, { total: bigint; reference: string }> = {} as never;
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('coop-bank', audit.check);

  // The Millers: a box of eggs. The Garcias: a box of eggs and a bag of potatoes, taken as 2.5 kg.
  const millersBill = billTotals([eggs(1n)]).totalCents;
  const garciasBill = billTotals([eggs(1n), potatoes(2500n)]).totalCents;
  // The bag weighed 3.1 kg, found after the bills went out.
  const garciasCorrected = billTotals([eggs(1n), potatoes(3100n)]).totalCents;
  const invoice = billTotals([eggs(2n), potatoes(2500n)]).totalCents;

  const { url, go, api } = reachTally(() => server);
  const orderPath = () => `/coop/clubs/${clubId}/orders/${orderId}`;

  /** A CAMT.053 statement of the club's account, as the bank exports it. */
  const statement = (
    lines: { id: string; cents: bigint; name: string; reference?: string; text?: string }[],
  ) =>
    `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>STMT-2026-06-05</MsgId><CreDtTm>2026-06-05T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>2026-06-05</Id><Acct><Id><IBAN>${CLUB_IBAN}</IBAN></Id></Acct>
${lines
  .map(
    (l) => `<Ntry><Amt Ccy="EUR">${decimal(l.cents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-06-05</Dt></BookgDt><AcctSvcrRef>${l.id}</AcctSvcrRef><NtryDtls><TxDtls>
<RltdPties><Dbtr><Nm>${l.name}</Nm></Dbtr></RltdPties>
<RmtInf>${l.text ? `<Ustrd>${l.text}</Ustrd>` : ''}${l.reference ? `<Strd><CdtrRefInf><Ref>${l.reference}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf>
</TxDtls></NtryDtls></Ntry>`,
  )
  .join('\n')}
</Stmt></BkToCstmrStmt></Document>`;

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    desktop = await browser.open('desktop');

    // The stage, through the API: a club, its bank account, a producer with its IBAN, two households.
    await signUp(desktop, server.url, ADA);
    clubId = (await api(desktop, 'POST', '/api/coop/clubs', { name: 'The Plenty Club' })).id;
    await api(desktop, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, {
      account_holder: 'The Plenty Club e.V.',
      iban: CLUB_IBAN,
    });
    households.millers = (
      await api(desktop, 'POST', `/api/coop/clubs/${clubId}/households`, { name: 'The Millers' })
    ).id;
    farmId = (await api(desktop, 'POST', `/api/coop/clubs/${clubId}/producers`, { name: 'Green Acres' })).id;
    await api(desktop, 'PATCH', `/api/coop/producers/${farmId}`, {
      iban: FARM_IBAN,
      account_holder: 'Green Acres GbR',
    });
    await api(desktop, 'POST', `/api/coop/producers/${farmId}/products/import`, {
      csv: PRODUCTS_CSV,
      save: true,
    });
    const catalogue = (await api(desktop, 'GET', `/api/coop/clubs/${clubId}/products`)).items as {
      id: string;
      name: string;
      version: number;
    }[];
    const product = (name: string) => catalogue.find((p) => p.name === name)!;
    const invite = (await api(desktop, 'POST', `/api/coop/clubs/${clubId}/invite-links`)).url as string;

    orderId = (await api(desktop, 'POST', `/api/coop/clubs/${clubId}/orders`, {})).id;
    const order = `/api/coop/orders/${orderId}`;
    await api(desktop, 'POST', `${order}/producers/${farmId}/answer`, {
      available: true,
      products_up_to_date: true,
    });
    await api(desktop, 'POST', `${order}/open`, {
      deadline: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const line = (name: string) =>
      api(desktop, 'PUT', `${order}/household-order/lines/${product(name).id}`, {
        quantity: 1,
        version: product(name).version,
      });
    await line('Eggs');

    await signUp(desktop, server.url, BOB);
    await api(desktop, 'POST', `/api/coop/invite-links/${invite.split('/').pop()}/join`);
    households.garcias = (
      await api(desktop, 'POST', `/api/coop/clubs/${clubId}/households`, { name: 'The Garcias' })
    ).id;
    await line('Eggs');
    await line('Potatoes');

    await logIn(desktop, server.url, ADA);
    await api(desktop, 'POST', `${order}/close`);
    await api(desktop, 'POST', `${order}/producers/${farmId}/delivery/confirm`);
    for (const key of ['millers', 'garcias'] as const) {
      const { bill } = await api(desktop, 'GET', `${order}/household-order?household_id=${households[key]}`);
      bills[key] = { total: BigInt(bill.total_cents), reference: bill.reference };
    }
    expect([bills.millers.total, bills.garcias.total]).toEqual([millersBill, garciasBill]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('imports the bank statement: the payment quoting its reference is matched, the other waits', async () => {
    await go(desktop, `/coop/clubs/${clubId}/bank`);
    await desktop.getByRole('heading', { level: 1, name: 'Bank' }).waitFor();
    const form = desktop.getByRole('form', { name: 'Import a statement' });
    await form.locator('input[type="file"]').setInputFiles({
      name: 'statement-2026-06-05.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from(
        statement([
          { id: 'BANK-1', cents: millersBill, name: 'Ada Miller', reference: bills.millers.reference },
          { id: 'BANK-2', cents: garciasBill, name: 'Bob Garcia', text: 'food for June' },
        ]),
      ),
    });
    await form.getByRole('button', { name: 'Import the statement' }).click();
    await form.getByTestId('import-summary').waitFor();
    const waiting = desktop.getByRole('list', { name: 'Lines waiting' });
    await waiting.getByRole('listitem', { name: `${euros(garciasBill)} from Bob Garcia` }).waitFor();
    await screenshot(desktop, 'statement-imported');
    const millers = await api(
      desktop,
      'GET',
      `/api/coop/orders/${orderId}/household-order?household_id=${households.millers}`,
    );
    expect(millers.bill.payment_state).toBe('paid');
  });

  it('resolves the unmatched line by assigning it to the Garcias’ bill', async () => {
    const card = desktop
      .getByRole('list', { name: 'Lines waiting' })
      .getByRole('listitem', { name: `${euros(garciasBill)} from Bob Garcia` });
    const bill = card.getByLabel('Bill it pays');
    await expect
      .poll(async () => (await bill.locator('option:checked').textContent()) ?? '')
      .toContain('The Garcias');
    await card.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => desktop.getByRole('list', { name: 'Lines waiting' }).count()).toBe(0);
    await screenshot(desktop, 'line-assigned');
    const order = await api(desktop, 'GET', `/api/coop/orders/${orderId}`);
    expect(order.bills.map((b: { payment_state: string }) => b.payment_state)).toEqual(['paid', 'paid']);
  });

  it('downloads the producer’s payment file for the bank, with the invoice’s amount', async () => {
    await api(desktop, 'GET', `/api/coop/orders/${orderId}`);
    const upload = await desktop.request.fetch(
      url(`/api/coop/orders/${orderId}/producers/${farmId}/invoice`),
      {
        method: 'PUT',
        headers: { 'X-Requested-With': 'fetch' },
        multipart: {
          file: {
            name: 'invoice.pdf',
            mimeType: 'application/pdf',
            buffer: Buffer.from('%PDF-1.4\n% invoice\n'),
          },
          amount: decimal(invoice),
        },
      },
    );
    expect(upload.status(), await upload.text()).toBe(200);
    await go(desktop, `${orderPath()}/books`);
    const invoices = desktop.getByRole('table', { name: 'Producers’ invoices' });
    await invoices.getByRole('checkbox', { name: 'Pay Green Acres’s invoice' }).check();
    const form = desktop.getByRole('form', { name: 'Payment file' });
    await form.getByRole('button', { name: 'Make the payment file' }).click();
    const link = desktop.getByRole('link', { name: /^Download .*\.xml$/ });
    await link.waitFor();
    await screenshot(desktop, 'payment-file-ready');
    const [download] = await Promise.all([desktop.waitForEvent('download'), link.click()]);
    const xml = await readFile((await download.path())!, 'utf8');
    expect(xml).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    expect(xml).toContain(`<IBAN>${FARM_IBAN}</IBAN>`);
    expect(xml).toContain(`<CtrlSum>${decimal(invoice)}</CtrlSum>`);
    await invoices
      .getByRole('row', { name: /Green Acres/ })
      .getByText('Payment sent')
      .waitFor();
  });

  it('reopens the order to correct a weight: the Garcias’ bill is reversed and billed again', async () => {
    const reopen = desktop.getByRole('form', { name: 'Reopen for a correction' });
    await field(desktop, 'Why').fill('The Garcias’ potatoes weighed 3.1 kg, not 2.5 kg');
    await reopen.getByRole('button', { name: 'Reopen for a correction' }).click();
    await desktop.getByText(/^Reopened for a correction, /).waitFor();
    await screenshot(desktop, 'order-reopened');

    await go(desktop, `${orderPath()}/producers/${farmId}/delivery`);
    await desktop.getByRole('heading', { level: 1, name: 'Green Acres: delivery check' }).waitFor();
    await desktop.getByRole('button', { name: 'Reopen the check' }).click();
    const form = desktop.getByRole('form', { name: 'Delivery of Potatoes' });
    await form.getByLabel('Weight of item 1 for The Garcias').fill('3.1');
    await form.getByRole('button', { name: 'Save Potatoes' }).click();
    await expect
      .poll(() =>
        desktop
          .getByRole('region', { name: 'Potatoes', exact: true })
          .getByText('Delivered', { exact: true })
          .count(),
      )
      .toBe(2);
    await desktop.getByRole('button', { name: 'Confirm the delivery' }).click();
    await desktop
      .getByRole('dialog', { name: 'Confirm Green Acres’s delivery?' })
      .getByRole('button', { name: 'Confirm', exact: true })
      .click();
    await desktop.getByText(/^Confirmed /).waitFor();
    await screenshot(desktop, 'weight-corrected');
    const order = await api(desktop, 'GET', `/api/coop/orders/${orderId}`);
    expect(order.status).toBe('processed');
    const garcias = order.bills.find((b: { name: string }) => b.name === 'The Garcias');
    expect(garcias).toMatchObject({
      total_cents: String(garciasCorrected),
      received_cents: String(garciasBill),
      payment_state: 'due',
    });
  });

  it('shows Bob the correction on his household’s statement, and what is left to pay', async () => {
    await logIn(desktop, server.url, BOB);
    await go(desktop, `/coop/clubs/${clubId}/households/${households.garcias}`);
    const account = desktop.getByRole('region', { name: 'Statement' });
    await expect
      .poll(() => account.getByTestId('household-balance').textContent())
      .toBe(`The Garcias owes the club ${euros(garciasCorrected - garciasBill)}.`);
    const table = account.getByRole('table', { name: 'Account of The Garcias' });
    await table.getByText('Corrected bill (correction 1)').waitFor();
    await table.getByText('The Garcias’ potatoes weighed 3.1 kg, not 2.5 kg').waitFor();
    await screenshot(desktop, 'household-statement-corrected');
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
