import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, signedInPerson, type TestPerson } from '../../test/support/app';
import { freshEmail, ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { field, fieldError, sentTo, tallyPages } from './support/pages';

/**
 * The coop line's order pages: the club's home by what is going on, a liaison's answer, a household
 * ordering from the catalogue, the delivery check with weights far off, the books and a household's
 * balance. The stage is set through the real API; what each page sends is what the server receives.
 */

const pages = tallyPages();

beforeAll(async () => {
  installInputApis();
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/coop/CoopPages');
});

let clubs = 0;

const person = (name: string) => signedInPerson(pages.tally, { name, email: freshEmail(name.toLowerCase()) });

const api = (as: TestPerson, status: number, method: string, path: string, body?: unknown) =>
  ok(pages.tally, status, method, path, { as, body });

const section = (name: string) => screen.getByRole('region', { name });

/**
 * A club with its Admin (Ada, every role), a bookkeeper (Bob), Lea the liaison of Lindenhof (eggs
 * by the box, potatoes by weight), Leo the liaison of Hill Dairy (milk, cheese), and three households:
 * the Millers (Ada), Flat 3B (Nils) and the Okafors (Obi).
 */
async function buyersClub() {
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
  const products = {
    // A box of six at 0.40 each, 5 % margin, 7 % VAT: 2.70 a box; three boxes to share.
    eggs: await product(lindenhof, lea!, 'Eggs', {
      packages: 6,
      price: '0.40',
      margin_percent: '5',
      maximum_available: 3,
      categories: ['Farm'],
    }),
    // About 1 kg a bag, 2.00 a kg.
    potatoes: await product(lindenhof, lea!, 'Potatoes', { unit: 'kg', estimate: true, price: '2.00' }),
    milk: await product(dairy, leo!, 'Milk', { unit: 'l', price: '1.20', categories: ['Dairy'] }),
    cheese: await product(dairy, leo!, 'Cheese', {
      unit: 'kg',
      amount_per_package: '0.25',
      price: '24.00',
      categories: ['Dairy'],
    }),
  };
  const household = (as: TestPerson, name: string) =>
    api(as, 201, 'POST', `/api/coop/clubs/${club.id}/households`, { name });
  const millers = await household(ada!, 'The Millers');
  const flat = await household(nils!, 'Flat 3B');
  const okafors = await household(obi!, 'The Okafors');
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
    products,
    millers,
    flat,
    okafors,
  };
}

type Club = Awaited<ReturnType<typeof buyersClub>>;

/** An order of the club, open for a day with both producers delivering. */
async function openOrder(c: Club) {
  const order = await api(c.ada, 201, 'POST', `/api/coop/clubs/${c.club.id}/orders`, {
    pickup: 'Saturday 10–12, community hall',
  });
  const path = `/api/coop/orders/${order.id}`;
  for (const producer of [c.lindenhof, c.dairy])
    await api(c.ada, 200, 'POST', `${path}/producers/${producer.id}/answer`, {
      available: true,
      products_up_to_date: true,
    });
  const deadline = new Date(pages.tally.clock.now().getTime() + 24 * 3600_000).toISOString();
  await api(c.ada, 200, 'POST', `${path}/open`, { deadline });
  return { id: order.id as string, path, page: `/coop/clubs/${c.club.id}/orders/${order.id}` };
}

const orderLine = (as: TestPerson, order: { path: string }, product: Body, quantity: number) =>
  api(as, 200, 'PUT', `${order.path}/household-order/lines/${product.id}`, {
    quantity,
    version: product.current_version ?? 1,
  });

/** An order every household ordered in, closed and with both deliveries confirmed: bills are out. */
async function processedOrder(c: Club) {
  const order = await openOrder(c);
  await orderLine(c.ada, order, c.products.eggs, 1);
  await orderLine(c.nils, order, c.products.eggs, 1);
  await orderLine(c.nils, order, c.products.milk, 2);
  await orderLine(c.obi, order, c.products.milk, 1);
  await api(c.ada, 200, 'POST', `${order.path}/close`);
  await api(c.lea, 200, 'POST', `${order.path}/producers/${c.lindenhof.id}/delivery/confirm`);
  await api(c.leo, 200, 'POST', `${order.path}/producers/${c.dairy.id}/delivery/confirm`);
  return order;
}

describe('the club’s home', () => {
  it('offers a member the products when no order runs, and the order once one does', async () => {
    const c = await buyersClub();
    pages.signIn(c.nils);
    await pages.render(`/coop/clubs/${c.club.id}`);
    expect(screen.getByText('Nothing to do: enjoy!')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Explore the products' }).getAttribute('href')).toBe(
      `/coop/clubs/${c.club.id}/products`,
    );
    expect(screen.queryByRole('form', { name: 'Create an order' })).toBeNull();

    cleanup();
    const order = await api(c.ada, 201, 'POST', `/api/coop/clubs/${c.club.id}/orders`, {});
    await api(c.lea, 200, 'POST', `/api/coop/orders/${order.id}/producers/${c.lindenhof.id}/answer`, {
      available: true,
      products_up_to_date: true,
    });
    await pages.render(`/coop/clubs/${c.club.id}`);
    const current = await screen.findByRole('region', { name: 'Current order: order 1' });
    expect(within(current).getByText('Preparing')).toBeTruthy();
    expect(within(current).getByText('Waiting for 1 producer to answer: Hill Dairy.')).toBeTruthy();
    expect(within(current).getByRole('link', { name: 'Open order 1' }).getAttribute('href')).toBe(
      `/coop/clubs/${c.club.id}/orders/${order.id}`,
    );
    expect(screen.queryByText('Nothing to do: enjoy!')).toBeNull();
  });

  it('lets an order manager create the order, and leads to its page', async () => {
    const c = await buyersClub();
    pages.signIn(c.ada);
    const { user, router } = await pages.render(`/coop/clubs/${c.club.id}`);
    const form = screen.getByRole('form', { name: 'Create an order' });
    await user.type(field(form, /^Pick-up/), 'Friday from 5 pm');
    await user.click(within(form).getByRole('button', { name: 'Create order' }));
    await waitFor(() => expect(router.state.location.pathname).toMatch(/\/orders\/[0-9a-f-]{36}$/));
    expect(sentTo(pages, 'POST', `/api/coop/clubs/${c.club.id}/orders`).map((r) => r.body)).toEqual([
      { pickup: 'Friday from 5 pm' },
    ]);
    await screen.findByRole('heading', { level: 1, name: 'Order 1' });
    expect(screen.getByText('Preparing')).toBeTruthy();
    // Ada runs every producer as the Admin: she may answer for both, and open the order once they did.
    expect(screen.getByRole('form', { name: 'Answer for Lindenhof' })).toBeTruthy();
    expect(screen.getByRole('form', { name: 'Answer for Hill Dairy' })).toBeTruthy();
    const open = screen.getByRole('form', { name: 'Open the order' });
    expect(within(open).getByRole('button', { name: 'Open the order' }).hasAttribute('disabled')).toBe(true);
    expect(within(open).getByText('Waiting for 2 producers to answer: Hill Dairy, Lindenhof.')).toBeTruthy();
  });
});

describe('a liaison’s answer', () => {
  it('asks for the products to be checked before saying the producer can deliver, then records it', async () => {
    const c = await buyersClub();
    const order = await api(c.ada, 201, 'POST', `/api/coop/clubs/${c.club.id}/orders`, {});
    pages.signIn(c.lea);
    const { user } = await pages.render(`/coop/clubs/${c.club.id}/orders/${order.id}`);
    const tasks = section('Your tasks');
    expect(within(tasks).getByRole('link', { name: 'Say whether Lindenhof can deliver' })).toBeTruthy();
    // Lea speaks for her producer only.
    expect(screen.queryByRole('form', { name: 'Answer for Hill Dairy' })).toBeNull();
    const form = screen.getByRole('form', { name: 'Answer for Lindenhof' });
    await user.click(within(form).getByRole('radio', { name: 'Yes, it can deliver' }));
    await user.type(field(form, /^Note/), 'No eggs after Thursday');
    await user.click(within(form).getByRole('button', { name: 'Send the answer' }));
    const upToDate = within(form).getByRole('checkbox', { name: 'Its products and prices are up to date' });
    expect(fieldError(upToDate)).toMatch(/Check Lindenhof’s products and prices on its page first/);
    expect(sentTo(pages, 'POST', `/api/coop/orders/${order.id}/producers/${c.lindenhof.id}/answer`)).toEqual(
      [],
    );

    await user.click(upToDate);
    await user.click(within(form).getByRole('button', { name: 'Send the answer' }));
    await waitFor(() =>
      expect(
        sentTo(pages, 'POST', `/api/coop/orders/${order.id}/producers/${c.lindenhof.id}/answer`).map(
          (r) => r.body,
        ),
      ).toEqual([{ available: true, products_up_to_date: true, note: 'No eggs after Thursday' }]),
    );
    const producers = await screen.findByRole('table', { name: 'Producers of order 1' });
    await waitFor(() => {
      const row = within(producers).getByRole('row', { name: /Lindenhof/ });
      expect(within(row).getByText('Can deliver')).toBeTruthy();
      expect(within(row).getByText('“No eggs after Thursday”')).toBeTruthy();
    });
    expect(screen.getByText('Waiting for 1 producer to answer: Hill Dairy.')).toBeTruthy();
    expect((await api(c.ada, 200, 'GET', `/api/coop/orders/${order.id}`)).missing_answers).toEqual([
      { id: c.dairy.id, name: 'Hill Dairy' },
    ]);
  });
});

describe('a household’s order', () => {
  it('filters the catalogue as one types, and orders at the version shown', async () => {
    const c = await buyersClub();
    // The milk changed before the order opened: version 2 is what households are shown.
    await api(c.leo, 200, 'PATCH', `/api/coop/products/${c.products.milk.id}`, { description: 'Fresh' });
    const order = await openOrder(c);
    pages.signIn(c.nils);
    const { user } = await pages.render(`${order.page}/my-order`);
    await screen.findByRole('heading', { level: 1, name: 'Your order in order 1' });
    const listed = () =>
      screen
        .getAllByRole('listitem')
        .map((item) => item.getAttribute('aria-label'))
        .filter(Boolean);
    expect(listed()).toEqual(['Cheese', 'Milk', 'Eggs', 'Potatoes']);

    const search = screen.getByRole('searchbox', { name: /^Search products/ });
    await user.type(search, 'dairy');
    await waitFor(() => expect(listed()).toEqual(['Cheese', 'Milk']));
    expect(screen.getByText('2 of 4 products')).toBeTruthy();
    await user.type(search, ' mil');
    await waitFor(() => expect(listed()).toEqual(['Milk']));
    await user.clear(search);
    await user.type(search, 'farm');
    await waitFor(() => expect(listed()).toEqual(['Eggs']));
    await user.clear(search);
    await user.type(search, 'plums');
    await waitFor(() => expect(screen.getByText('Nothing matches “plums”.')).toBeTruthy());
    await user.clear(search);

    const milk = await screen.findByRole('listitem', { name: 'Milk' });
    expect(milk.textContent).toMatch(/€1\.28 per item · €1\.28 per litre/);
    await user.click(within(milk).getByRole('button', { name: 'One more Milk' }));
    await user.click(within(milk).getByRole('button', { name: 'One more Milk' }));
    const lines = `/api/coop/orders/${order.id}/household-order/lines/${c.products.milk.id}`;
    await waitFor(() =>
      expect(sentTo(pages, 'PUT', lines).at(-1)?.body).toEqual({ quantity: 2, version: 2 }),
    );
    for (const sent of sentTo(pages, 'PUT', lines)) expect((sent.body as Body).version).toBe(2);
    const total = section('Your household’s total');
    // 1.20 a litre, 7 % VAT: 1.28; two litres priced as one line, 2.57.
    await waitFor(() => expect(within(total).getByTestId('household-total').textContent).toBe('€2.57'));
    const saved = await api(c.nils, 200, 'GET', `${order.path}/household-order`);
    expect(saved.lines.map((l: Body) => [l.name, l.quantity, l.version])).toEqual([['Milk', 2, 2]]);
  });

  it('shows the server’s refusal next to the product when the deadline passed while the page was open', async () => {
    const c = await buyersClub();
    const order = await openOrder(c);
    pages.signIn(c.nils);
    const { user } = await pages.render(`${order.page}/my-order`);
    pages.tally.clock.advance(24 * 3600_000 + 1000);
    const milk = screen.getByRole('listitem', { name: 'Milk' });
    await user.click(within(milk).getByRole('button', { name: 'One more Milk' }));
    await waitFor(() =>
      expect(within(milk).getByRole('alert').textContent).toBe('The deadline passed: the order is closing.'),
    );
    // The household's order is read again: it no longer changes, and nothing was ordered.
    await screen.findByText('Your order can no longer change');
    expect(within(milk).queryByRole('button', { name: 'One more Milk' })).toBeNull();
    expect(within(milk).getByText('not ordered')).toBeTruthy();
    expect((await api(c.nils, 200, 'GET', `${order.path}/household-order`)).lines).toEqual([]);
  });

  it('shows the order read-only once the deadline passed', async () => {
    const c = await buyersClub();
    const order = await openOrder(c);
    await orderLine(c.obi, order, c.products.eggs, 2);
    pages.tally.clock.advance(24 * 3600_000 + 1000);
    pages.signIn(c.obi);
    await pages.render(`${order.page}/my-order`);
    expect(screen.getByText('Your order can no longer change')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^One more/ })).toBeNull();
    expect(within(screen.getByRole('listitem', { name: 'Eggs' })).getByText('2 ordered')).toBeTruthy();
  });
});

describe('the delivery check', () => {
  it('asks to confirm weights far from the estimate, then sends them again confirmed', async () => {
    const c = await buyersClub();
    const order = await openOrder(c);
    await orderLine(c.obi, order, c.products.potatoes, 1);
    await api(c.ada, 200, 'POST', `${order.path}/close`);
    pages.signIn(c.lea);
    const { user } = await pages.render(`${order.page}/producers/${c.lindenhof.id}/delivery`);
    await screen.findByRole('heading', { level: 1, name: 'Lindenhof: delivery check' });
    const form = screen.getByRole('form', { name: 'Delivery of Potatoes' });
    expect(within(section('Potatoes')).getByText('Not checked yet')).toBeTruthy();
    const weight = within(form).getByLabelText('Weight of item 1 for The Okafors');
    await user.type(weight, '14,2');
    await user.click(within(form).getByRole('button', { name: 'Save Potatoes' }));
    const delivery = `/api/coop/orders/${order.id}/products/${c.products.potatoes.id}/delivery`;
    const refusal = await within(form).findByText(/14\.2 kg is far from the 1 kg expected/);
    expect(refusal).toBeTruthy();
    expect((await api(c.lea, 200, 'GET', order.path)).products[0].outcome).toBe('pending');

    await user.click(within(form).getByRole('button', { name: 'These weights are right' }));
    await waitFor(() =>
      expect(sentTo(pages, 'PUT', delivery).map((r) => r.body)).toEqual([
        {
          outcome: 'delivered',
          households: [{ household_id: c.okafors.id, weights: ['14.2'] }],
          confirm_implausible: false,
        },
        {
          outcome: 'delivered',
          households: [{ household_id: c.okafors.id, weights: ['14.2'] }],
          confirm_implausible: true,
        },
      ]),
    );
    await waitFor(() => expect(within(form).queryByText(/is far from the/)).toBeNull());
    const recorded = (await api(c.lea, 200, 'GET', order.path)).products.find(
      (p: Body) => p.name === 'Potatoes',
    );
    expect(recorded).toMatchObject({ outcome: 'delivered' });
    expect(recorded.households[0].weights).toEqual(['14.200']);
    // The product's badge says what the check found.
    await waitFor(() => expect(within(section('Potatoes')).queryByText('Not checked yet')).toBeNull());
    expect(within(section('Potatoes')).getAllByText('Delivered')).toHaveLength(2);
  });
});

describe('the books', () => {
  it('marks a payment received and flags a wrong amount, with the amount as it will be saved', async () => {
    const c = await buyersClub();
    const order = await processedOrder(c);
    pages.signIn(c.bob);
    const { user } = await pages.render(`${order.page}/books`);
    const bills = await screen.findByRole('table', { name: 'Bills' });
    const row = (name: string) => within(bills).getByRole('row', { name: new RegExp(name) });
    const state = (name: string) => row(name).querySelectorAll('td')[3]?.textContent;
    // Eggs 2.70, and for Flat 3B two litres of milk, 2.57.
    expect(row('The Millers').textContent).toMatch(/€2\.70/);
    expect(row('Flat 3B').textContent).toMatch(/€5\.27/);

    await user.click(within(row('The Millers')).getByRole('button', { name: 'Received from The Millers' }));
    await waitFor(() => expect(state('The Millers')).toBe('Paid'));
    expect(within(row('The Millers')).queryByRole('button', { name: /^Received/ })).toBeNull();
    expect(sentTo(pages, 'POST', `/api/coop/orders/${order.id}/bills/${c.millers.id}/received`)).toHaveLength(
      1,
    );

    expect(state('Flat 3B')).toBe('To pay');
    await user.click(within(row('Flat 3B')).getByRole('button', { name: 'Bad payment from Flat 3B' }));
    const form = await screen.findByRole('form', { name: 'Bad payment of Flat 3B' });
    await user.click(within(form).getByRole('radio', { name: 'The wrong amount arrived' }));
    await user.click(within(form).getByRole('button', { name: 'Flag the payment' }));
    const paid = field(form, /^Amount of this payment/);
    expect(fieldError(paid)).toBe('Enter an amount');
    const badPayment = `/api/coop/orders/${order.id}/bills/${c.flat.id}/bad-payment`;
    expect(sentTo(pages, 'POST', badPayment)).toEqual([]);
    await user.type(paid, '5,00');
    expect(within(form).getByText('Saved as €5.00.')).toBeTruthy();
    await user.click(within(form).getByRole('button', { name: 'Flag the payment' }));
    await waitFor(() =>
      expect(sentTo(pages, 'POST', badPayment).map((r) => r.body)).toEqual([
        { reason: 'bad_amount', paid: '5.00' },
      ]),
    );
    await waitFor(() => expect(state('Flat 3B')).toBe('Bad paymentThe wrong amount arrived'));
    expect(row('Flat 3B').textContent).toMatch(/€5\.00/);

    // Another €0.20 arrives: the bookkeeper types that payment, and the bill is told €5.20 arrived in all.
    await user.click(within(row('Flat 3B')).getByRole('button', { name: 'Bad payment from Flat 3B' }));
    const again = await screen.findByRole('form', { name: 'Bad payment of Flat 3B' });
    await user.click(within(again).getByRole('radio', { name: 'The wrong amount arrived' }));
    await user.type(field(again, /^Amount of this payment/), '0,20');
    expect(
      within(again).getByText('Saved as €0.20: with the €5.00 received before, €5.20 arrived in all.'),
    ).toBeTruthy();
    await user.click(within(again).getByRole('button', { name: 'Flag the payment' }));
    await waitFor(() =>
      expect(sentTo(pages, 'POST', badPayment).map((r) => r.body)).toEqual([
        { reason: 'bad_amount', paid: '5.00' },
        { reason: 'bad_amount', paid: '5.20' },
      ]),
    );
    await waitFor(() => expect(row('Flat 3B').textContent).toMatch(/€5\.20/));
  });
});

describe('a household’s balance', () => {
  it('says what the household owes, with each bill and payment leading to its order', async () => {
    const c = await buyersClub();
    const order = await processedOrder(c);
    pages.tally.clock.advance(60_000);
    await api(c.bob, 200, 'POST', `${order.path}/bills/${c.flat.id}/bad-payment`, {
      reason: 'bad_amount',
      paid: '5.00',
    });
    pages.signIn(c.nils);
    await pages.render(`/coop/clubs/${c.club.id}/households/${c.flat.id}`);
    const account = section('Statement');
    expect(within(account).getByTestId('household-balance').textContent).toBe('Flat 3B owes the club €0.27.');
    const entries = within(account).getByRole('table', { name: 'Account of Flat 3B' });
    const rows = within(entries).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent))).toEqual([
      ['Payment', 'Order 1', '+€5.00', '−€0.27'],
      ['Bill', 'Order 1', '−€5.27', '−€5.27'],
    ]);
    expect(within(rows[0]!).getByRole('link', { name: 'Order 1' }).getAttribute('href')).toBe(order.page);

    // Someone of another household does not see it.
    cleanup();
    pages.signIn(c.obi);
    await pages.render(`/coop/clubs/${c.club.id}/households/${c.flat.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Flat 3B' });
    expect(screen.queryByRole('region', { name: 'Statement' })).toBeNull();
  });
});

describe('a correction', () => {
  it('is reopened by the bookkeeper with a reason, and the household’s statement shows the bill taken back and the corrected one', async () => {
    const c = await buyersClub();
    const order = await processedOrder(c);
    pages.signIn(c.bob);
    const { user } = await pages.render(`${order.page}/books`);
    const form = await screen.findByRole('form', { name: 'Reopen for a correction' });
    const reopen = `/api/coop/orders/${order.id}/reopen`;
    await user.click(within(form).getByRole('button', { name: 'Reopen for a correction' }));
    expect(fieldError(field(form, /^Why/))).toBe('Say why: households whose bill changes read it');
    expect(sentTo(pages, 'POST', reopen)).toEqual([]);
    const reason = 'Flat 3B got one litre of milk, not two';
    await user.type(field(form, /^Why/), reason);
    await user.click(within(form).getByRole('button', { name: 'Reopen for a correction' }));
    await waitFor(() => expect(sentTo(pages, 'POST', reopen).map((r) => r.body)).toEqual([{ reason }]));
    // The reason typed is in the form until it is sent: the one read is the alert's.
    const title = await screen.findByText(/^Reopened for a correction, /);
    const alert = title.closest('[role="alert"]') as HTMLElement;
    expect(within(alert).getByText(reason)).toBeTruthy();
    // Every delivery is still confirmed: the bookkeeper may settle at once, or correct one first.
    expect(screen.getByRole('button', { name: 'Settle the correction' })).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Reopen for a correction' })).toBeNull();

    await api(c.bob, 200, 'POST', `${order.path}/producers/${c.dairy.id}/delivery/reopen`);
    await api(c.bob, 200, 'PUT', `${order.path}/products/${c.products.milk.id}/delivery`, {
      outcome: 'delivered',
      households: [{ household_id: c.flat.id, items: 1 }],
    });
    await api(c.bob, 200, 'POST', `${order.path}/producers/${c.dairy.id}/delivery/confirm`);

    cleanup();
    pages.signIn(c.nils);
    await pages.render(`/coop/clubs/${c.club.id}/households/${c.flat.id}`);
    const account = section('Statement');
    expect(within(account).getByTestId('household-balance').textContent).toBe('Flat 3B owes the club €3.98.');
    const rows = within(within(account).getByRole('table', { name: 'Account of Flat 3B' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent))).toEqual([
      ['Corrected bill (correction 1)', 'Order 1', '−€3.98', '−€3.98'],
      [`Bill taken back (correction 1)${reason}`, 'Order 1', '+€5.27', '€0.00'],
      ['Bill', 'Order 1', '−€5.27', '−€5.27'],
    ]);
  });
});
