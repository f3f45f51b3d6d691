import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { testDatabaseUrl } from '../../../test/support/database';
import { queryRows } from '../../core/database';
import { coopAccountIds } from './ledger';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, club } = coopApi(() => tally);

const PDF = Buffer.from('%PDF-1.4\n% invoice\n', 'latin1');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

const product = (name: string, fields: Record<string, unknown>) => ({
  name,
  code: name.slice(0, 3).toUpperCase(),
  unit: 'piece',
  amount_per_package: '1',
  packages: 1,
  vat_percent: '7',
  ...fields,
});

async function upload(as: TestPerson, path: string, bytes: Buffer, name: string, amount: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  form.append('amount', amount);
  return tally.http.request(path, {
    method: 'PUT',
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
    body: form,
  });
}

async function balanceOf(accountId: string): Promise<bigint> {
  const [row] = await queryRows<{ net: string }>(
    tally.database.db,
    sql`SELECT (credits_posted - debits_posted)::text AS net FROM ledger_accounts WHERE id = ${accountId}`,
  );
  return BigInt(row?.net ?? '0');
}

/**
 * A club with an order manager, a bookkeeper, two producers with their liaisons and three
 * households; the Admin starts with every role.
 */
async function buyersClub() {
  const { id, admin, members } = await club(6);
  const [olga, bob, lea, leo, nils, obi] = members as [
    TestPerson,
    TestPerson,
    TestPerson,
    TestPerson,
    TestPerson,
    TestPerson,
  ];
  await ok(200, 'PATCH', `/api/orgs/${id}/members/${olga.userId}`, admin, { role: 'order_manager' });
  await ok(200, 'PATCH', `/api/orgs/${id}/members/${bob.userId}`, admin, { role: 'bookkeeper' });
  const lindenhof = await ok(201, 'POST', `/api/coop/clubs/${id}/producers`, lea, { name: 'Lindenhof' });
  const dairy = await ok(201, 'POST', `/api/coop/clubs/${id}/producers`, leo, { name: 'Hill Dairy' });
  const add = (producer: Body, as: TestPerson, name: string, fields: Record<string, unknown>) =>
    ok(201, 'POST', `/api/coop/producers/${producer.id}/products`, as, product(name, fields));
  const products = {
    // A box of six eggs at 0.40 each, 5 % margin: 2.52 net, 0.18 VAT, 2.70 a box. Three boxes to share.
    eggs: await add(lindenhof, lea, 'Eggs', {
      packages: 6,
      price: '0.40',
      margin_percent: '5',
      maximum_available: 3,
    }),
    // Sold by weight, about 1 kg a bag, 2.00 a kg, no margin.
    potatoes: await add(lindenhof, lea, 'Potatoes', { unit: 'kg', estimate: true, price: '2.00' }),
    carrots: await add(lindenhof, lea, 'Carrots', { unit: 'kg', amount_per_package: '0.5', price: '3.00' }),
    milk: await add(dairy, leo, 'Milk', { unit: 'l', price: '1.20', margin_percent: '10' }),
    cheese: await add(dairy, leo, 'Cheese', {
      unit: 'kg',
      amount_per_package: '0.25',
      price: '24.00',
      margin_percent: '10',
    }),
    yoghurt: await add(dairy, leo, 'Yoghurt', { price: '0.90', margin_percent: '10' }),
  };
  const household = (as: TestPerson, name: string) =>
    ok(201, 'POST', `/api/coop/clubs/${id}/households`, as, { name });
  const millers = await household(admin, 'The Millers');
  const flat = await household(nils, 'Flat 3B');
  const okafors = await household(obi, 'The Okafors');
  return { id, admin, olga, bob, lea, leo, nils, obi, lindenhof, dairy, products, millers, flat, okafors };
}

describe('an order from Preparing to Finished', () => {
  it('runs with two producers, three households, a shortage, a missing product, a price change, a weighed product, an extra, a bad payment fixed and invoices paid, to the cent', async () => {
    const c = await buyersClub();
    const { admin, olga, bob, lea, leo, nils, obi, products } = c;
    const outsider = await signedInPerson(tally);

    // Preparing: only an order manager (or the Admin) creates it; every liaison is asked.
    await refused('forbidden', 403, 'POST', `/api/coop/clubs/${c.id}/orders`, nils, {});
    await refused('not_found', 404, 'POST', `/api/coop/clubs/${c.id}/orders`, outsider, {});
    const created = await ok(201, 'POST', `/api/coop/clubs/${c.id}/orders`, olga, {
      pickup: 'Saturday 10–12, community hall',
    });
    expect(created).toMatchObject({
      number: 1,
      status: 'preparing',
      pickup: 'Saturday 10–12, community hall',
    });
    expect(created.missing_answers.map((p: Body) => p.name)).toEqual(['Hill Dairy', 'Lindenhof']);
    const orderId = created.id as string;
    const order = `/api/coop/orders/${orderId}`;
    await refused('order_in_progress', 409, 'POST', `/api/coop/clubs/${c.id}/orders`, olga, {});
    await refused('not_found', 404, 'GET', order, outsider);
    const asked = await ok(200, 'GET', '/api/notifications', lea);
    expect(asked.items.map((n: Body) => n.title)).toContain('Order 1: can Lindenhof deliver?');
    const leaTasks = (await ok(200, 'GET', order, lea)).tasks;
    expect(leaTasks).toEqual([
      expect.objectContaining({ kind: 'answer_for_producer', producer_id: c.lindenhof.id }),
    ]);

    // Opening waits for every answer; a liaison answers only for their own producer.
    const deadline = new Date(tally.clock.now().getTime() + 2 * 24 * 3600_000).toISOString();
    await refused('producers_not_answered', 409, 'POST', `${order}/open`, olga, { deadline });
    await refused('forbidden', 403, 'POST', `${order}/producers/${c.dairy.id}/answer`, lea, {
      available: true,
      products_up_to_date: true,
    });
    await refused('validation_failed', 400, 'POST', `${order}/producers/${c.lindenhof.id}/answer`, lea, {
      available: true,
    });
    await ok(200, 'POST', `${order}/producers/${c.lindenhof.id}/answer`, lea, {
      available: true,
      products_up_to_date: true,
    });
    await refused('order_preparing', 409, 'POST', `${order}/close`, olga);
    const waiting = await ok(200, 'GET', order, olga);
    expect(waiting.missing_answers).toEqual([{ id: c.dairy.id, name: 'Hill Dairy' }]);
    await ok(200, 'POST', `${order}/producers/${c.dairy.id}/answer`, leo, {
      available: true,
      products_up_to_date: true,
      note: 'milk from Tuesday',
    });
    await refused('forbidden', 403, 'POST', `${order}/open`, nils, { deadline });
    await refused('validation_failed', 400, 'POST', `${order}/open`, olga, {
      deadline: tally.clock.now().toISOString(),
    });
    const opened = await ok(200, 'POST', `${order}/open`, olga, { deadline });
    expect(opened).toMatchObject({ status: 'open', deadline: new Date(deadline).toISOString() });
    await refused('order_open', 409, 'POST', `${order}/producers/${c.dairy.id}/answer`, leo, {
      available: false,
    });
    expect((await ok(200, 'GET', '/api/notifications', obi)).items[0]).toMatchObject({
      type: 'coop.order_open',
      link: `/coop/clubs/${c.id}/orders/${orderId}`,
    });

    // Open: each household builds its order from the catalogue, at the version shown.
    const catalogue = (await ok(200, 'GET', `${order}/catalogue`, nils)).items as Body[];
    expect(catalogue.map((p) => p.name)).toEqual([
      'Cheese',
      'Milk',
      'Yoghurt',
      'Carrots',
      'Eggs',
      'Potatoes',
    ]);
    expect(catalogue.find((p) => p.name === 'Eggs')).toMatchObject({
      item_price_cents: '270',
      unit_price_cents: '45',
    });
    const line = (as: TestPerson, p: Body, quantity: number) =>
      ok(200, 'PUT', `${order}/household-order/lines/${p.id}`, as, {
        quantity,
        version: p.current_version ?? 1,
      });
    await line(admin, products.eggs, 2);
    await line(admin, products.potatoes, 2);
    await line(admin, products.milk, 3);
    await line(admin, products.carrots, 1);
    await line(nils, products.eggs, 1);
    await line(nils, products.milk, 2);
    await line(nils, products.cheese, 1);
    await line(obi, products.eggs, 2);
    await line(obi, products.potatoes, 1);
    const okafors = await line(obi, products.carrots, 2);
    expect(okafors.lines.map((l: Body) => [l.name, l.quantity, l.ordered.total_cents])).toEqual([
      ['Carrots', 2, '321'],
      // Two boxes are one line, rounded once: 5.04 net + 0.35 VAT, not twice 2.70.
      ['Eggs', 2, '539'],
      ['Potatoes', 1, '214'],
    ]);
    expect(okafors.lines[0].ordered_by).toEqual([{ user_id: obi.userId, name: 'Member 6', initials: 'M6' }]);
    await refused(
      'validation_failed',
      400,
      'PUT',
      `${order}/household-order/lines/${products.eggs.id}`,
      obi,
      { quantity: 4, version: 1 },
    );
    await refused('forbidden', 403, 'PUT', `${order}/household-order/lines/${products.eggs.id}`, obi, {
      quantity: 1,
      version: 1,
      household_id: c.flat.id,
    });
    // The producer edits a product while the order is open: what was shown stays honoured, a made-up version does not.
    await ok(200, 'PATCH', `/api/coop/products/${products.milk.id}`, leo, { description: 'Fresh' });
    await line(nils, products.milk, 2);
    await refused(
      'product_version_stale',
      409,
      'PUT',
      `${order}/household-order/lines/${products.milk.id}`,
      nils,
      { quantity: 2, version: 7 },
    );

    // Closed by the deadline's job: the three boxes of eggs are shared pro rata, and the short households told.
    await refused('forbidden', 403, 'POST', `${order}/close`, nils);
    tally.clock.set(new Date(new Date(deadline).getTime() + 1000));
    await ok(200, 'GET', order, nils); // a session seen after two days is touched: not part of the refusal below
    await refused(
      'order_deadline_passed',
      409,
      'PUT',
      `${order}/household-order/lines/${products.eggs.id}`,
      nils,
      { quantity: 1, version: 1 },
    );
    await tally.context.jobs.runDue();
    const closed = await ok(200, 'GET', order, lea);
    expect(closed).toMatchObject({ status: 'closed', closed_by: null, allocation_rule: 'pro_rata' });
    const eggs = closed.products.find((p: Body) => p.name === 'Eggs');
    expect(eggs).toMatchObject({ ordered_items: 5, allotted_items: 3, maximum_available: 3 });
    expect(eggs.households.map((h: Body) => [h.name, h.ordered, h.allotted])).toEqual([
      ['Flat 3B', 1, 1],
      ['The Millers', 2, 1],
      ['The Okafors', 2, 1],
    ]);
    const short = (await ok(200, 'GET', '/api/notifications', obi)).items.find(
      (n: Body) => n.type === 'coop.order_short',
    );
    expect(short.body).toContain('Eggs: you get 1 of the 2 you ordered (3 available for 5 ordered');
    await refused('order_closed', 409, 'PUT', `${order}/household-order/lines/${products.eggs.id}`, obi, {
      quantity: 1,
      version: 1,
    });

    // The order sheets: downloadable, and mailed to each liaison with the PDF and CSV attached.
    const csv = await request(
      tally,
      'GET',
      `${order}/producers/${c.lindenhof.id}/sheet.csv?by_household=true`,
      { as: lea },
    );
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('EGG,Eggs,piece,The Okafors,1');
    const pdf = await request(tally, 'GET', `${order}/producers/${c.lindenhof.id}/sheet.pdf`, { as: lea });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    await refused('forbidden', 403, 'GET', `${order}/producers/${c.lindenhof.id}/sheet.pdf`, nils);
    await tally.context.jobs.runDue();
    const [sheetMail] = await queryRows<{
      to_address: string;
      attachments: { name: string; content_type: string }[];
    }>(
      tally.database.db,
      sql`SELECT to_address, attachments FROM core_mail_messages WHERE template = 'coop_order_sheet' AND user_id = ${lea.userId}`,
    );
    expect(sheetMail?.to_address).toBe(lea.email);
    expect(sheetMail?.attachments.map((a) => [a.name, a.content_type])).toEqual([
      ['order-1-lindenhof.pdf', 'application/pdf'],
      ['order-1-lindenhof.csv', 'text/csv'],
    ]);

    // The delivery check: potatoes weighed (a slip of ten times caught), carrots missing, milk dearer, cheese not there.
    const delivery = (as: TestPerson, p: Body, body: unknown) =>
      ok(200, 'PUT', `${order}/products/${p.id}/delivery`, as, body);
    await refused('forbidden', 403, 'PUT', `${order}/products/${products.milk.id}/delivery`, lea, {
      outcome: 'delivered',
    });
    const slip = await refused(
      'implausible_weight',
      422,
      'PUT',
      `${order}/products/${products.potatoes.id}/delivery`,
      lea,
      {
        outcome: 'delivered',
        households: [{ household_id: c.okafors.id, weights: ['14.2'] }],
      },
    );
    expect(slip.details).toMatchObject({ household_id: c.okafors.id, estimate: '1000', weighed: '14200' });
    await delivery(lea, products.potatoes, {
      outcome: 'delivered',
      households: [
        { household_id: c.millers.id, weights: ['1.15', '0.98'] },
        { household_id: c.okafors.id, weights: ['1.42'] },
      ],
    });
    await refused('validation_failed', 400, 'PUT', `${order}/products/${products.carrots.id}/delivery`, lea, {
      outcome: 'missing',
    });
    await delivery(lea, products.carrots, { outcome: 'missing', comment: 'the crate fell off the van' });
    await delivery(leo, products.milk, { outcome: 'delivered', price: '1.30' });
    await delivery(leo, products.cheese, { outcome: 'not_available', comment: 'not ripe yet' });
    await ok(200, 'POST', `${order}/producers/${c.dairy.id}/extras`, leo, {
      product_id: products.yoghurt.id,
      items: 2,
    });
    await refused('extra_taken_up', 409, 'PUT', `${order}/extras/${products.yoghurt.id}`, obi, { items: 3 });
    await ok(200, 'PUT', `${order}/extras/${products.yoghurt.id}`, obi, { items: 1 });

    // Confirming every delivery processes the order: bills out, households told what changed and what to pay.
    await ok(200, 'POST', `${order}/producers/${c.lindenhof.id}/delivery/confirm`, lea);
    await refused('delivery_confirmed', 409, 'PUT', `${order}/products/${products.eggs.id}/delivery`, lea, {
      outcome: 'delivered',
    });
    await ok(200, 'POST', `${order}/producers/${c.lindenhof.id}/delivery/reopen`, lea);
    await ok(200, 'POST', `${order}/producers/${c.lindenhof.id}/delivery/confirm`, lea);
    const processed = await ok(200, 'POST', `${order}/producers/${c.dairy.id}/delivery/confirm`, leo);
    expect(processed.status).toBe('processed');
    expect(processed.bills).toEqual([]); // a liaison does not see the households' bills
    const books = await ok(200, 'GET', order, bob);
    const bills = Object.fromEntries(books.bills.map((b: Body) => [b.name, b.total_cents]));
    // Millers: eggs 1 box 2.70 + potatoes 2.13 kg 4.56 + milk 3 l at 1.30 with 10 % 4.59 + carrots 0.
    // Flat 3B: eggs 2.70 + milk 2 l 3.06 + cheese 0. Okafors: eggs 2.70 + potatoes 1.42 kg 3.04 + yoghurt 1.06.
    expect(bills).toEqual({ 'The Millers': '1185', 'Flat 3B': '576', 'The Okafors': '680' });
    const expected = Object.fromEntries(
      processed.producers.map((p: Body) => [p.name, p.expected_invoice_cents]),
    );
    // At the producers' prices, without margin, priced per product: Lindenhof 7.70 + 7.60; Hill Dairy 6.96 + 0.96.
    expect(expected).toEqual({ Lindenhof: '1530', 'Hill Dairy': '792' });

    const millers = await ok(200, 'GET', `${order}/household-order`, admin);
    expect(millers.bill).toMatchObject({ total_cents: '1185', payment_state: 'due', received_cents: '0' });
    expect(millers.bill.by_vat_rate).toEqual([{ vat_basis_points: 700, net_cents: '1107', vat_cents: '78' }]);
    expect(millers.changes.map((ch: Body) => [ch.product_name, ch.kind])).toEqual([
      ['Eggs', 'allotted'],
      ['Potatoes', 'weighed'],
      ['Carrots', 'missing'],
      ['Milk', 'price_changed'],
    ]);
    expect(millers.changes[1]).toMatchObject({
      estimate: '2.000',
      weighed: '2.130',
      changed_by: { user_id: lea.userId },
    });
    expect(millers.changes[3]).toMatchObject({ price_before_cents: '120', price_after_cents: '130' });
    const ready = (await ok(200, 'GET', '/api/notifications', nils)).items.find(
      (n: Body) => n.type === 'coop.order_ready',
    );
    expect(ready.title).toBe('Order 1: your food is ready, €5.76 to pay');
    expect(ready.body).toContain('Pick it up: Saturday 10–12, community hall.');
    expect(ready.body).toContain('Cheese: not available this time (not ripe yet)');
    expect(ready.body).toContain('Milk: the producer’s price changed from €1.20 to €1.30 per l.');
    expect(await balanceOf(coopAccountIds.household(c.flat.id))).toBe(-576n);

    // Payments: a bad amount is flagged, the household puts it right, the bookkeeper marks it received.
    await refused('forbidden', 403, 'POST', `${order}/bills/${c.flat.id}/received`, lea);
    await ok(200, 'POST', `${order}/bills/${c.millers.id}/received`, bob);
    await refused('bill_settled', 409, 'POST', `${order}/bills/${c.millers.id}/received`, bob);
    await ok(200, 'POST', `${order}/bills/${c.flat.id}/bad-payment`, bob, {
      reason: 'bad_amount',
      paid: '5.00',
    });
    expect(await balanceOf(coopAccountIds.household(c.flat.id))).toBe(-76n);
    const bad = (await ok(200, 'GET', '/api/notifications', nils)).items.find(
      (n: Body) => n.type === 'coop.bad_payment',
    );
    expect(bad.body).toContain('€5.00 arrived, but the bill is €5.76: please pay the €0.76 missing');
    // What arrived is everything for the bill: less than is received already is refused.
    const less = await refused(
      'validation_failed',
      400,
      'POST',
      `${order}/bills/${c.flat.id}/bad-payment`,
      bob,
      {
        reason: 'bad_amount',
        paid: '0.50',
      },
    );
    expect(less).toMatchObject({
      message: expect.stringContaining('€5.00 is received already'),
      details: { field: 'paid' },
    });
    const flatTasks = (await ok(200, 'GET', order, nils)).tasks.map((t: Body) => t.kind);
    expect(flatTasks).toEqual(['fix_payment']);
    await ok(200, 'POST', `${order}/payment-fixed`, nils, { note: 'sent the 76 cents' });
    expect((await ok(200, 'GET', '/api/notifications', bob)).items[0]).toMatchObject({
      type: 'coop.payment_fixed',
    });
    await ok(200, 'POST', `${order}/bills/${c.flat.id}/received`, bob);
    await ok(200, 'POST', `${order}/bills/${c.okafors.id}/received`, admin);
    expect(await balanceOf(coopAccountIds.household(c.flat.id))).toBe(0n);
    const account = await ok(200, 'GET', `/api/coop/households/${c.flat.id}/account`, nils);
    expect(account.balance_cents).toBe('0');
    expect(account.entries.map((e: Body) => [e.kind, e.amount_cents, e.balance_cents])).toEqual([
      ['payment', '76', '0'],
      ['payment', '500', '-76'],
      ['bill', '-576', '-576'],
    ]);
    await refused('forbidden', 403, 'GET', `/api/coop/households/${c.flat.id}/account`, obi);

    // Invoices: the liaison uploads, the bookkeeper pays; the order then finishes by itself.
    await refused('invoice_missing', 409, 'POST', `${order}/producers/${c.lindenhof.id}/invoice/paid`, bob);
    const refusedUpload = await upload(
      nils,
      `${order}/producers/${c.lindenhof.id}/invoice`,
      PDF,
      'invoice.pdf',
      '15.30',
    );
    expect(refusedUpload.status).toBe(403);
    expect(
      (await upload(lea, `${order}/producers/${c.lindenhof.id}/invoice`, PDF, 'lindenhof.pdf', '15.30'))
        .status,
    ).toBe(200);
    expect(
      (await upload(bob, `${order}/producers/${c.dairy.id}/invoice`, PNG, 'dairy.png', '7.92')).status,
    ).toBe(200);
    const invoice = await request(tally, 'GET', `${order}/producers/${c.lindenhof.id}/invoice`, { as: bob });
    expect(Buffer.from(await invoice.arrayBuffer()).equals(PDF)).toBe(true);
    await ok(200, 'POST', `${order}/producers/${c.lindenhof.id}/invoice/paid`, bob);
    await refused('invoice_paid', 409, 'POST', `${order}/producers/${c.lindenhof.id}/invoice/paid`, bob);
    const finished = await ok(200, 'POST', `${order}/producers/${c.dairy.id}/invoice/paid`, bob);
    expect(finished.status).toBe('finished');
    await refused('order_finished', 409, 'POST', `${order}/bills/${c.flat.id}/received`, bob);

    // The club's books balance: what households paid less what producers were paid is the club's margin.
    expect(await balanceOf(coopAccountIds.sales(c.id))).toBe(2441n);
    expect(await balanceOf(coopAccountIds.bank(c.id))).toBe(-(2441n - 2322n));
    expect(await balanceOf(coopAccountIds.purchases(c.id))).toBe(-2322n);
    for (const h of [c.millers, c.flat, c.okafors])
      expect(await balanceOf(coopAccountIds.household(h.id))).toBe(0n);
    for (const p of [c.lindenhof, c.dairy]) expect(await balanceOf(coopAccountIds.producer(p.id))).toBe(0n);
    const activity = finished.activity.map((e: Body) => e.text);
    expect(activity[0]).toBe('Finished: every bill and every invoice is paid');
    expect(activity).toContain('Closed at the deadline');
  });
});

/** An order of the club opened with every producer available (or as `unavailable` says), until `days` from now. */
async function openedOrder(
  c: Awaited<ReturnType<typeof buyersClub>>,
  options: { unavailable?: Body[]; days?: number } = {},
) {
  const created = await ok(201, 'POST', `/api/coop/clubs/${c.id}/orders`, c.olga, {});
  const order = `/api/coop/orders/${created.id}`;
  for (const producer of [c.lindenhof, c.dairy]) {
    const available = !(options.unavailable ?? []).some((p) => p.id === producer.id);
    await ok(200, 'POST', `${order}/producers/${producer.id}/answer`, c.olga, {
      available,
      products_up_to_date: true,
    });
  }
  const deadline = new Date(tally.clock.now().getTime() + (options.days ?? 1) * 24 * 3600_000).toISOString();
  await ok(200, 'POST', `${order}/open`, c.olga, { deadline });
  return { id: created.id as string, order, deadline };
}

const eggsOf = async (order: string, as: TestPerson) =>
  Object.fromEntries(
    (await ok(200, 'GET', order, as)).products
      .find((p: Body) => p.name === 'Eggs')
      .households.map((h: Body) => [h.name, h.allotted]),
  );

describe('a product that ran short', () => {
  it('is shared by the rule the club chose: first ordered first served, then rotation serves who was short last time', async () => {
    const c = await buyersClub();
    await refused('forbidden', 403, 'PUT', `/api/coop/clubs/${c.id}/order-settings`, c.nils, {
      allocation_rule: 'rotation',
    });
    expect(await ok(200, 'GET', `/api/coop/clubs/${c.id}/order-settings`, c.nils)).toEqual({
      allocation_rule: 'pro_rata',
    });
    await ok(200, 'PUT', `/api/coop/clubs/${c.id}/order-settings`, c.olga, { allocation_rule: 'order_time' });
    const eggs = c.products.eggs;
    const orderEggs = async (order: string, as: TestPerson, quantity: number) => {
      await ok(200, 'PUT', `${order}/household-order/lines/${eggs.id}`, as, { quantity, version: 1 });
      tally.clock.advance(60_000);
    };

    const first = await openedOrder(c);
    await orderEggs(first.order, c.admin, 2);
    await orderEggs(first.order, c.obi, 2);
    await orderEggs(first.order, c.nils, 1);
    await ok(200, 'POST', `${first.order}/close`, c.olga);
    expect(await eggsOf(first.order, c.lea)).toEqual({ 'The Millers': 2, 'The Okafors': 1, 'Flat 3B': 0 });

    await ok(200, 'PUT', `/api/coop/clubs/${c.id}/order-settings`, c.admin, { allocation_rule: 'rotation' });
    const second = await openedOrder(c);
    await orderEggs(second.order, c.admin, 2);
    await orderEggs(second.order, c.obi, 2);
    await orderEggs(second.order, c.nils, 1);
    await ok(200, 'POST', `${second.order}/close`, c.olga);
    // The Okafors and Flat 3B were short last time: they are served first, the Millers get what is left.
    expect(await eggsOf(second.order, c.lea)).toEqual({ 'The Okafors': 2, 'Flat 3B': 1, 'The Millers': 0 });
    const told = (await ok(200, 'GET', '/api/notifications', c.admin)).items.find(
      (n: Body) => n.type === 'coop.order_short',
    );
    expect(told.body).toContain(
      'Eggs: you get 0 of the 2 you ordered (3 available for 5 ordered: households that were short of it last time are served first',
    );
  });
});

describe('an order’s deadline', () => {
  it('closes the order when it passes, even after it moved; an order nobody ordered in is finished at once', async () => {
    const c = await buyersClub();
    const { order } = await openedOrder(c, { unavailable: [c.dairy] });
    // What an unavailable producer sells is not on offer.
    const catalogue = (await ok(200, 'GET', `${order}/catalogue`, c.nils)).items.map((p: Body) => p.name);
    expect(catalogue).toEqual(['Carrots', 'Eggs', 'Potatoes']);
    await refused(
      'product_not_in_order',
      422,
      'PUT',
      `${order}/household-order/lines/${c.products.milk.id}`,
      c.nils,
      {
        quantity: 1,
        version: 1,
      },
    );
    const later = new Date(tally.clock.now().getTime() + 3 * 24 * 3600_000).toISOString();
    await refused('forbidden', 403, 'PATCH', order, c.nils, { deadline: later });
    await ok(200, 'PATCH', order, c.olga, { deadline: later, pickup: 'Friday from 5 pm' });
    tally.clock.advance(2 * 24 * 3600_000);
    await tally.context.jobs.runDue();
    expect((await ok(200, 'GET', order, c.nils)).status).toBe('open');
    tally.clock.advance(24 * 3600_000 + 1000);
    await tally.context.jobs.runDue();
    const done = await ok(200, 'GET', order, c.nils);
    expect(done).toMatchObject({ status: 'finished', pickup: 'Friday from 5 pm', closed_by: null });
    expect(done.activity.map((e: Body) => e.text).slice(0, 2)).toEqual([
      'Finished: no household ordered anything',
      'Closed at the deadline',
    ]);
    // The next order can start now.
    await ok(201, 'POST', `/api/coop/clubs/${c.id}/orders`, c.olga, {});
  });
});

describe('people acting at once', () => {
  it.runIf(testDatabaseUrl)('never lose or double an order line, a bill or a payment', async () => {
    const c = await buyersClub();
    const { order } = await openedOrder(c);
    // Households order while the manager closes: every line is either in the closed order or refused.
    const racing = await Promise.all([
      ...[c.admin, c.nils, c.obi].map((as) =>
        request(tally, 'PUT', `${order}/household-order/lines/${c.products.milk.id}`, {
          as,
          body: { quantity: 2, version: 1 },
        }),
      ),
      request(tally, 'POST', `${order}/close`, { as: c.olga }),
    ]);
    const saved = racing.slice(0, 3).filter((r) => r.status === 200).length;
    for (const r of racing.slice(0, 3)) expect([200, 409]).toContain(r.status);
    expect(racing[3]!.status).toBe(200);
    const closed = await ok(200, 'GET', order, c.leo);
    const milk = closed.products.find((p: Body) => p.name === 'Milk');
    expect(milk?.ordered_items ?? 0).toBe(2 * saved);
    if (saved === 0) return;
    // Two confirmations at once: one processes the order, the other is refused.
    await ok(200, 'POST', `${order}/producers/${c.lindenhof.id}/delivery/confirm`, c.lea);
    const confirms = await Promise.all(
      [c.leo, c.olga].map((as) =>
        request(tally, 'POST', `${order}/producers/${c.dairy.id}/delivery/confirm`, { as }),
      ),
    );
    expect(confirms.map((r) => r.status).sort()).toEqual([200, 409]);
    const books = await ok(200, 'GET', order, c.bob);
    expect(books.status).toBe('processed');
    expect(books.bills).toHaveLength(saved);
    // Two clicks on "received" at once: one payment is recorded.
    const payer = books.bills[0].household_id as string;
    const marks = await Promise.all(
      [c.bob, c.admin].map((as) => request(tally, 'POST', `${order}/bills/${payer}/received`, { as })),
    );
    expect(marks.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await balanceOf(coopAccountIds.household(payer))).toBe(0n);
    const [payments] = await queryRows<{ count: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS count FROM ledger_transfers WHERE credit_account_id = ${coopAccountIds.household(payer)}`,
    );
    expect(payments?.count).toBe(1);
  });
});
