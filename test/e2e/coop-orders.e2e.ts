import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billTotals, type PricedLine, priceLine } from '../../src/coop/pricing';
import { accessibilityAudit } from './support/accessibility';
import { logIn, signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field } from './support/page-checks';
import { type RunningTally, reachTally, startTally } from './support/server';

const ADA = { name: 'Ada Admin', email: 'ada@example.com', password: 'ada keeps the club going' };
const BOB = { name: 'Bob Garcia', email: 'bob@example.com', password: 'bob grows tomatoes too' };

const HEADER =
  'code,name,description,categories,unit,amount_per_package,packages,estimate,maximum_available,price,vat_percent,margin_percent,origin';
/** Eggs come in boxes of six, four boxes at most; potatoes in bags of about 2.5 kg, billed as weighed. */
const GREEN_ACRES_CSV = [
  HEADER,
  'EGG,Eggs,Free range,Eggs & dairy,piece,1,6,no,4,0.40,7,5,Green Acres',
  'POT,Potatoes,Waxy,Vegetables,kg,2.5,1,yes,,0.89,7,5,Green Acres',
  'CAR,Carrots,"Unwashed, with their tops",Vegetables,kg,0.5,1,no,,1.10,7,5,Green Acres',
].join('\n');
const HILL_ORCHARD_CSV = [
  HEADER,
  'APL,Apples,Crisp and sweet,Fruit,kg,1,1,no,,2.99,7,5,Hill orchard',
  'PEA,Pears,Conference pears,Fruit,kg,1,1,no,,3.20,7,5,Hill orchard',
].join('\n');

/** The products' terms as the spreadsheets give them: cents, basis points, thousandths of the unit per item. */
const TERMS = {
  eggs: { producerPriceCents: 40n, marginBasisPoints: 500n, vatBasisPoints: 700n, item: 6000n },
  potatoes: { producerPriceCents: 89n, marginBasisPoints: 500n, vatBasisPoints: 700n, item: 2500n },
  carrots: { producerPriceCents: 110n, marginBasisPoints: 500n, vatBasisPoints: 700n, item: 500n },
  apples: { producerPriceCents: 299n, marginBasisPoints: 500n, vatBasisPoints: 700n, item: 1000n },
};
type Product = keyof typeof TERMS;

/** A household's line by the club's rule (src/coop/pricing.ts): `thousandths` of the product's unit. */
const line = (product: Product, thousandths: bigint): PricedLine => priceLine(TERMS[product], thousandths);
/** `items` items of a product, at their stated size. */
const items = (product: Product, count: number) => line(product, BigInt(count) * TERMS[product].item);
const total = (...lines: PricedLine[]) => billTotals(lines).totalCents;
/** What the producer invoices for `thousandths` of its product: its price and VAT, without the club's margin. */
const invoiced = (product: Product, thousandths: bigint) =>
  priceLine({ ...TERMS[product], marginBasisPoints: 0n }, thousandths);

/** Cents as the pages show euros: `1135n` → `€11.35`. */
const euros = (cents: bigint) => `€${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;

/** A small PDF, as a producer's invoice. */
const invoicePdf = (producer: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% Invoice of ${producer}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );

/** A date-time field's value, in the browser's (and this machine's) time zone: tomorrow at 18:00. */
function tomorrowAtSix(): string {
  const date = new Date(Date.now() + 24 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T18:00`;
}

/**
 * An order of the coop line from Preparing to Finished: the Admin creates it on the club's home,
 * answers for both producers she is the liaison of and opens it; Bob orders on a phone from a
 * filtered catalogue with the stepper, while the Admin's household orders too and the eggs run
 * short; she closes the order and checks the deliveries (a weight typed ten times too big is refused,
 * the carrots are missing); Bob reads his bill and what changed; she flags his payment, he says he
 * fixed it, and once every bill and invoice is paid the order is finished.
 */
describe('coop: an order from its creation to the books', () => {
  let server: RunningTally;
  let browser: Browser;
  let desktop: Page;
  let phone: Page;
  let clubId = '';
  let orderId = '';
  const ids = { millers: '', garcias: '', greenAcres: '', hillOrchard: '' };
  const products: Record<Product, { id: string; version: number }> = {} as never;
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('coop-orders', audit.check);

  // Bob's order: three boxes of eggs, a bag of potatoes, two bags of carrots, a kg of apples.
  const bobOrdered = total(items('eggs', 3), items('potatoes', 1), items('carrots', 2), items('apples', 1));
  // The Millers: two boxes of eggs, two kg of apples; four boxes of eggs for five ordered.
  const millersBill = total(items('eggs', 2), items('apples', 2));
  // Pro rata: Bob 3 × 4 / 5 = 2.4, the Millers 1.6; the box left goes to the larger remainder, theirs.
  // His potatoes weighed 2.6 kg and his carrots did not come.
  const bobBill = total(items('eggs', 2), line('potatoes', 2600n), items('apples', 1));
  // The producers are paid for what came, each product priced once: four boxes of eggs and 2.6 kg
  // of potatoes from Green Acres, three kg of apples from Hill Orchard.
  const invoices = {
    'Green Acres': total(invoiced('eggs', 4n * TERMS.eggs.item), invoiced('potatoes', 2600n)),
    'Hill Orchard': total(invoiced('apples', 3n * TERMS.apples.item)),
  };

  const { go, api } = reachTally(() => server);
  const clubPath = () => `/coop/clubs/${clubId}`;
  const orderPath = () => `${clubPath()}/orders/${orderId}`;

  /** The order's state, as the badge under the page's title shows it. */
  const statusBadge = (page: Page, status: string): Locator =>
    page.locator('h1 + div').getByText(status, { exact: true });

  beforeAll(async () => {
    server = await startTally();
    browser = await launchBrowser();
    desktop = await browser.open('desktop');

    // Ada starts the club and her household, makes an invite link, and adds both producers.
    await signUp(desktop, server.url, ADA);
    clubId = (await api(desktop, 'POST', '/api/coop/clubs', { name: 'The Plenty Club' })).id;
    ids.millers = (
      await api(desktop, 'POST', `/api/coop/clubs/${clubId}/households`, { name: 'The Millers' })
    ).id;
    const invite = (await api(desktop, 'POST', `/api/coop/clubs/${clubId}/invite-links`)).url as string;
    for (const [key, name, csv] of [
      ['greenAcres', 'Green Acres', GREEN_ACRES_CSV],
      ['hillOrchard', 'Hill Orchard', HILL_ORCHARD_CSV],
    ] as const) {
      ids[key] = (await api(desktop, 'POST', `/api/coop/clubs/${clubId}/producers`, { name })).id;
      const imported = await api(desktop, 'POST', `/api/coop/producers/${ids[key]}/products/import`, {
        csv,
        save: true,
      });
      expect(imported.saved).toBe(true);
    }
    const catalogue = await api(desktop, 'GET', `/api/coop/clubs/${clubId}/products`);
    for (const [key, name] of [
      ['eggs', 'Eggs'],
      ['potatoes', 'Potatoes'],
      ['carrots', 'Carrots'],
      ['apples', 'Apples'],
    ] as const) {
      const found = catalogue.items.find((p: { name: string }) => p.name === name);
      products[key] = { id: found.id, version: found.version };
    }

    // Bob joins by the link and starts his household.
    await signUp(desktop, server.url, BOB);
    await api(desktop, 'POST', `/api/coop/invite-links/${invite.split('/').pop()}/join`);
    ids.garcias = (
      await api(desktop, 'POST', `/api/coop/clubs/${clubId}/households`, { name: 'The Garcias' })
    ).id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets the Admin create the order on the club’s home', async () => {
    await logIn(desktop, server.url, ADA);
    await go(desktop, clubPath());
    const create = desktop.getByRole('region', { name: 'Create order' });
    await create.waitFor();
    await screenshot(desktop, 'club-home-no-order');
    await field(desktop, 'Pick-up').fill('Saturday 10–12, community hall');
    await create.getByRole('button', { name: 'Create order' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Order 1' }).waitFor();
    orderId = new URL(desktop.url()).pathname.split('/').pop() ?? '';
    await statusBadge(desktop, 'Preparing').waitFor();
    await desktop
      .getByText('Waiting for 2 producers to answer: Green Acres, Hill Orchard.')
      .first()
      .waitFor();
    await screenshot(desktop, 'order-preparing');
  });

  it('lets her answer for both producers, and open the order with a deadline', async () => {
    for (const producer of ['Green Acres', 'Hill Orchard']) {
      const answer = desktop.getByRole('form', { name: `Answer for ${producer}` });
      await answer.getByRole('radio', { name: 'Yes, it can deliver' }).check();
      await answer.getByRole('checkbox', { name: 'Its products and prices are up to date' }).check();
      await answer.getByRole('button', { name: 'Send the answer' }).click();
      await answer.getByRole('button', { name: 'Change the answer' }).waitFor();
    }
    const producers = desktop.getByRole('table', { name: 'Producers of order 1' });
    await expect.poll(() => producers.getByText('Can deliver').count()).toBe(2);
    await desktop
      .getByText('Every producer answered: an order manager sets the deadline and opens the order.')
      .waitFor();
    await screenshot(desktop, 'both-producers-answered');

    const open = desktop.getByRole('form', { name: 'Open the order' });
    await open.getByLabel(/^Deadline/).fill(tomorrowAtSix());
    await open.getByRole('button', { name: 'Open the order' }).click();
    await statusBadge(desktop, 'Open').waitFor();
    await desktop.getByRole('region', { name: 'Close the order' }).waitFor();
    const order = await api(desktop, 'GET', `/api/coop/orders/${orderId}`);
    expect(order.status).toBe('open');
    expect(new Date(order.deadline).getHours()).toBe(18);
    await screenshot(desktop, 'order-open');
  });

  it('lets Bob order on his phone from a filtered catalogue, the total following each tap', async () => {
    await logIn(desktop, server.url, BOB);
    phone = await browser.open('phone');
    await go(phone, clubPath());
    const current = phone.getByRole('region', { name: 'Current order: order 1' });
    await current.getByText('Open', { exact: true }).waitFor();
    await screenshot(phone, 'phone-club-home-order-open');
    await current.getByRole('link', { name: 'Order for your household' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Your order in order 1' }).waitFor();
    const householdTotal = phone.getByTestId('household-total');
    await expect.poll(() => householdTotal.textContent()).toBe('€0.00');
    await phone.getByText('5 products', { exact: true }).waitFor();
    await phone.getByText(/ 0 households ordered so far\.$/).waitFor();

    const search = field(phone, 'Search products');
    const shows = async (word: string, name: string) => {
      await search.fill(word);
      await phone.getByText('1 of 5 products', { exact: true }).waitFor();
      const product = phone.getByRole('listitem', { name });
      await product.waitFor();
      return product;
    };
    const eggs = await shows('egg', 'Eggs');
    for (let tap = 0; tap < 3; tap += 1) await eggs.getByRole('button', { name: 'One more Eggs' }).click();
    await expect.poll(() => eggs.getByRole('textbox', { name: 'Items of Eggs' }).inputValue()).toBe('3');
    await expect.poll(() => householdTotal.textContent()).toBe(euros(total(items('eggs', 3))));
    await phone.getByText(/ 1 household ordered so far\.$/).waitFor();
    await screenshot(phone, 'phone-eggs-found-and-ordered');

    const potatoes = await shows('potato', 'Potatoes');
    await potatoes
      .getByText(/about €/)
      .first()
      .waitFor();
    await potatoes.getByRole('button', { name: 'One more Potatoes' }).click();
    await expect
      .poll(() => householdTotal.textContent())
      .toBe(euros(total(items('eggs', 3), items('potatoes', 1))));

    const carrots = await shows('carrot', 'Carrots');
    await carrots.getByRole('button', { name: 'One more Carrots' }).click();
    await expect
      .poll(() => carrots.getByRole('textbox', { name: 'Items of Carrots' }).inputValue())
      .toBe('1');
    await carrots.getByRole('button', { name: 'One more Carrots' }).click();
    const apples = await shows('hill apple', 'Apples');
    await apples.getByRole('button', { name: 'One more Apples' }).click();
    await expect.poll(() => householdTotal.textContent()).toBe(euros(bobOrdered));
    await search.fill('');
    await phone.getByText('5 products', { exact: true }).waitFor();
    await phone.getByRole('switch', { name: 'Only what we ordered' }).check();
    await phone.getByText('4 of 5 products', { exact: true }).waitFor();
    await screenshot(phone, 'phone-household-order');

    const saved = await api(phone, 'GET', `/api/coop/orders/${orderId}/household-order`);
    expect(saved.ordered_totals.total_cents).toBe(String(bobOrdered));
    expect(
      Object.fromEntries(saved.lines.map((l: { name: string; quantity: number }) => [l.name, l.quantity])),
    ).toEqual({ Eggs: 3, Potatoes: 1, Carrots: 2, Apples: 1 });
  });

  it('has the Admin’s household order too, and the Admin close the order', async () => {
    await logIn(desktop, server.url, ADA);
    for (const [product, quantity] of [
      ['eggs', 2],
      ['apples', 2],
    ] as const) {
      await api(desktop, 'PUT', `/api/coop/orders/${orderId}/household-order/lines/${products[product].id}`, {
        quantity,
        version: products[product].version,
      });
    }
    await go(desktop, orderPath());
    await statusBadge(desktop, 'Open').waitFor();
    await desktop.getByText(/2 households ordered so far/).waitFor();
    const mine = desktop.getByRole('region', { name: 'Your order', exact: true });
    await mine.getByText(`Total as ordered: ${euros(millersBill)}`).waitFor();

    await desktop.getByRole('button', { name: 'Close now' }).click();
    const dialog = desktop.getByRole('dialog', { name: 'Close order 1 now?' });
    await dialog.waitFor();
    await screenshot(desktop, 'close-now', { fullPage: false });
    await dialog.getByRole('button', { name: 'Close the order' }).click();
    await statusBadge(desktop, 'Closed').waitFor();
    await desktop
      .getByText('Waiting for 2 deliveries to be checked: Green Acres, Hill Orchard.')
      .first()
      .waitFor();
    // Four boxes of eggs for five ordered: the Millers keep their two (the larger remainder).
    await mine.getByRole('row', { name: /Eggs.*2 ordered/ }).waitFor();
    await screenshot(desktop, 'order-closed');
  });

  it('refuses a weight ten times too big until it is corrected, and takes a missing product', async () => {
    const producers = desktop.getByRole('table', { name: 'Producers of order 1' });
    await producers
      .getByRole('row', { name: /Green Acres/ })
      .getByRole('link', { name: 'Not checked yet' })
      .click();
    await desktop.getByRole('heading', { level: 1, name: 'Green Acres: delivery check' }).waitFor();
    const eggs = desktop.getByRole('region', { name: 'Eggs', exact: true });
    await eggs.getByText('5 items ordered, 4 allotted (at most 4 available)').waitFor();
    await screenshot(desktop, 'delivery-check');

    const potatoes = desktop.getByRole('form', { name: 'Delivery of Potatoes' });
    const weight = potatoes.getByLabel('Weight of item 1 for The Garcias');
    await weight.fill('26');
    await potatoes.getByRole('button', { name: 'Save Potatoes' }).click();
    const refusal = potatoes.getByRole('alert').filter({ hasText: 'is far from the' });
    await refusal.getByText('26 kg is far from the 2.5 kg expected: check it, then confirm').waitFor();
    await refusal.getByRole('button', { name: 'These weights are right' }).waitFor();
    await screenshot(desktop, 'weight-refused');
    const order = await api(desktop, 'GET', `/api/coop/orders/${orderId}`);
    expect(order.products.find((p: { name: string }) => p.name === 'Potatoes').outcome).toBe('pending');

    // A decimal point forgotten: she types the weight again rather than confirm it.
    await weight.fill('2.6');
    await expect.poll(() => refusal.count()).toBe(0);
    await potatoes.getByRole('button', { name: 'Save Potatoes' }).click();
    // The product's badge says what the check found, beside the choice made.
    const checked = (product: string, outcome: string) =>
      desktop.getByRole('region', { name: product, exact: true }).getByText(outcome, { exact: true }).count();
    await expect.poll(() => checked('Potatoes', 'Delivered')).toBe(2);

    const carrots = desktop.getByRole('form', { name: 'Delivery of Carrots' });
    await carrots.getByRole('radio', { name: 'Missing' }).check();
    await carrots.getByLabel(/^Comment/).fill('Frost took the carrots this week.');
    await carrots.getByRole('button', { name: 'Save Carrots' }).click();
    await expect.poll(() => checked('Carrots', 'Missing')).toBe(2);
    const recorded = await api(desktop, 'GET', `/api/coop/orders/${orderId}`);
    const potatoesRecorded = recorded.products.find((p: { name: string }) => p.name === 'Potatoes');
    expect(potatoesRecorded.outcome).toBe('delivered');
    expect(potatoesRecorded.households[0].weights).toEqual(['2.600']);
    expect(recorded.products.find((p: { name: string }) => p.name === 'Carrots')).toMatchObject({
      outcome: 'missing',
      comment: 'Frost took the carrots this week.',
    });
    await screenshot(desktop, 'delivery-recorded');
  });

  it('processes the order once both deliveries are confirmed', async () => {
    await desktop.getByRole('button', { name: 'Confirm the delivery' }).click();
    const dialog = desktop.getByRole('dialog', { name: 'Confirm Green Acres’s delivery?' });
    await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
    await desktop.getByRole('button', { name: 'Reopen the check' }).waitFor();
    await desktop.getByText('Waiting for 1 delivery to be checked: Hill Orchard.').waitFor();

    await desktop
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('link', { name: 'Order 1' })
      .click();
    await desktop
      .getByRole('table', { name: 'Producers of order 1' })
      .getByRole('row', { name: /Hill Orchard/ })
      .getByRole('link', { name: 'Not checked yet' })
      .click();
    await desktop.getByRole('heading', { level: 1, name: 'Hill Orchard: delivery check' }).waitFor();
    await desktop.getByRole('button', { name: 'Confirm the delivery' }).click();
    await desktop
      .getByRole('dialog', { name: 'Confirm Hill Orchard’s delivery?' })
      .getByRole('button', { name: 'Confirm', exact: true })
      .click();
    await statusBadge(desktop, 'Processed').waitFor();
    await desktop.getByText(/The food is ready to pick up\. Waiting for 2 household payments/).waitFor();
    await screenshot(desktop, 'order-processed');
  });

  it('shows Bob his bill on his phone, its reference and what changed', async () => {
    await logIn(desktop, server.url, BOB);
    await go(phone, orderPath());
    await statusBadge(phone, 'Processed').waitFor();
    const bill = phone.getByRole('region', { name: 'Your bill', exact: true });
    await bill.getByText(euros(bobBill), { exact: true }).waitFor();
    await bill.getByText('To pay', { exact: true }).waitFor();
    // The reference to write on the transfer: a structured creditor reference (ISO 11649) of the bill.
    const fromApi = await api(phone, 'GET', `/api/coop/orders/${orderId}/household-order`);
    expect(fromApi.bill.total_cents).toBe(String(bobBill));
    expect(fromApi.bill.reference).toMatch(/^RF\d{2}/);
    const reference = await bill.getByLabel('Payment reference', { exact: true }).textContent();
    expect(reference?.replace(/\s/g, '')).toBe(fromApi.bill.reference.replace(/\s/g, ''));

    const changes = phone.getByRole('list', { name: 'Changes to your bill' });
    const change = (product: string, kind: string) =>
      changes.getByRole('listitem').filter({ hasText: product }).filter({ hasText: kind });
    await change('Eggs', 'Shared out: it ran short').getByText('3 → 2').waitFor();
    await change('Potatoes', 'Weighed').getByText('2.6 kg').waitFor();
    await change('Carrots', 'Missing from the delivery')
      .getByText('Frost took the carrots this week.')
      .waitFor();
    await screenshot(phone, 'phone-bill-and-changes');
  });

  it('lets the Admin flag Bob’s payment as a wrong amount, and Bob say he put it right', async () => {
    await logIn(desktop, server.url, ADA);
    await go(desktop, `${orderPath()}/books`);
    await desktop.getByRole('heading', { level: 1, name: 'Books of order 1' }).waitFor();
    const bills = desktop.getByRole('table', { name: 'Bills' });
    const garcias = bills.getByRole('row', { name: /The Garcias/ });
    await garcias.getByText(euros(bobBill), { exact: true }).waitFor();
    await bills
      .getByRole('row', { name: /The Millers/ })
      .getByText(euros(millersBill), { exact: true })
      .waitFor();
    await desktop
      .getByText(`2 of 2 bills still open, ${euros(bobBill + millersBill)} to come in.`, { exact: false })
      .waitFor();
    await screenshot(desktop, 'books');

    await garcias.getByRole('button', { name: 'Bad payment from The Garcias' }).click();
    const flag = desktop.getByRole('form', { name: 'Bad payment of The Garcias' });
    await flag.getByRole('radio', { name: 'The wrong amount arrived' }).check();
    await flag.getByLabel(/^Amount of this payment/).fill('10.00');
    await flag.getByText('Saved as €10.00.').waitFor();
    await screenshot(desktop, 'bad-payment', { fullPage: false });
    await flag.getByRole('button', { name: 'Flag the payment' }).click();
    await garcias.getByText('The wrong amount arrived').waitFor();
    await garcias.getByText('€10.00', { exact: true }).waitFor();

    await logIn(desktop, server.url, BOB);
    await go(phone, orderPath());
    const flagged = phone.getByRole('alert').filter({ hasText: 'Your payment was flagged' });
    await flagged
      .getByText(
        `€10.00 arrived, but the bill is ${euros(bobBill)}: please pay the ${euros(bobBill - 1000n)} missing.`,
      )
      .waitFor();
    await flagged.getByLabel('What you did').fill('Sent the rest this morning, same account.');
    await screenshot(phone, 'phone-payment-flagged');
    await flagged.getByRole('button', { name: 'I fixed it' }).click();
    await flagged
      .getByText(
        /You told the bookkeeper .* that it is put right: “Sent the rest this morning, same account\.”/,
      )
      .waitFor();
    await screenshot(phone, 'phone-payment-fixed');
  });

  it('finishes the order once both bills are received and both invoices paid', async () => {
    await logIn(desktop, server.url, ADA);
    await go(desktop, `${orderPath()}/books`);
    const bills = desktop.getByRole('table', { name: 'Bills' });
    const garcias = bills.getByRole('row', { name: /The Garcias/ });
    await garcias.getByText('They put it right: “Sent the rest this morning, same account.”').waitFor();
    await garcias.getByRole('button', { name: 'Received from The Garcias' }).click();
    await garcias.getByText('Paid', { exact: true }).waitFor();
    const millers = bills.getByRole('row', { name: /The Millers/ });
    await millers.getByRole('button', { name: 'Received from The Millers' }).click();
    await millers.getByText('Paid', { exact: true }).waitFor();
    await garcias.getByText(euros(bobBill), { exact: true }).first().waitFor();

    const order = await api(desktop, 'GET', `/api/coop/orders/${orderId}`);
    const table = desktop.getByRole('table', { name: 'Producers’ invoices' });
    for (const producer of ['Green Acres', 'Hill Orchard'] as const) {
      const expected = order.producers.find(
        (p: { name: string }) => p.name === producer,
      ).expected_invoice_cents;
      expect(expected).toBe(String(invoices[producer]));
      const row = table.getByRole('row', { name: new RegExp(producer) });
      await row.getByText(euros(BigInt(expected)), { exact: true }).waitFor();
      await row.getByRole('button', { name: `Upload ${producer}’s invoice` }).click();
      const upload = desktop.getByRole('form', { name: `Invoice of ${producer}` });
      await upload.locator('input[type="file"]').setInputFiles({
        name: `${producer.toLowerCase().replace(' ', '-')}-invoice.pdf`,
        mimeType: 'application/pdf',
        buffer: invoicePdf(producer),
      });
      await upload.getByText(`For what it delivered, the club expects ${euros(BigInt(expected))}.`).waitFor();
      await upload.getByLabel(/^Amount, VAT included/).fill(euros(BigInt(expected)).slice(1));
      if (producer === 'Green Acres') await screenshot(desktop, 'invoice-upload', { fullPage: false });
      await upload.getByRole('button', { name: 'Upload the invoice' }).click();
      await row.getByText(/^Uploaded .*, to pay$/).waitFor();
      await row.getByRole('button', { name: `Mark paid: ${producer}’s invoice` }).click();
      await row.getByText(/^Paid /).waitFor();
    }
    await statusBadge(desktop, 'Finished').waitFor();
    await desktop.getByText('Finished: every bill and every invoice is paid.').waitFor();
    expect((await api(desktop, 'GET', `/api/coop/orders/${orderId}`)).status).toBe('finished');
    await screenshot(desktop, 'order-finished');
  });

  it('leaves Bob’s household settled, the order among the past ones', async () => {
    await logIn(desktop, server.url, BOB);
    await go(phone, `${clubPath()}/households/${ids.garcias}`);
    await expect
      .poll(() => phone.getByTestId('household-balance').textContent())
      .toBe('The Garcias settled: nothing owed either way.');
    await go(phone, clubPath());
    await phone.getByRole('region', { name: 'No order running' }).waitFor();
    const past = phone
      .getByRole('list', { name: 'Past orders' })
      .getByRole('listitem')
      .filter({ hasText: 'Order 1' });
    await past.getByText(euros(bobBill), { exact: true }).waitFor();
    // The status badge, before the column of the day it finished.
    await past.getByText('Finished', { exact: true }).first().waitFor();
    await screenshot(phone, 'phone-club-home-after');
    await phone.close();
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
