import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { read } from '../../test/support/app';
import { creditsAdmin, deliver, freshEmail, mailedTemporaryPassword, ok } from '../../test/support/credits';
import { fact, installInputApis, namedProduct, reseller } from './support/credits-stage';
import { field, fieldError, formAlert, OPERATOR, sentTo, tallyPages } from './support/pages';

// The page signs an authorization valid from the browser's clock: Tally's clock starts at the same
// moment, and the chain's blocks carry real time too.
const pages = tallyPages({ chain: true, start: new Date().toISOString() });

let wallet: string;
beforeAll(async () => {
  installInputApis();
  wallet = await fundedDevWallet('100000000');
  // The page and its wallet code are a bundle of their own: loaded once here, not within a test's wait.
  await import('../src/lines/credits/checkout/CheckoutPage');
});

/** Lets the treasury's sender send and the follower read until nothing changes: a few blocks. */
async function settle(): Promise<void> {
  for (let round = 0; round < 6; round++) {
    pages.tally.clock.advance(2_000);
    await pages.tally.sender!.processDue();
    await pages.tally.follower!.poll();
    await pages.tally.context.flows.runDue();
  }
}

/** The development wallet this browser holds from now on, with `usdc` micro-USDC minted to it. */
async function fundedDevWallet(usdc: string): Promise<string> {
  const key = generatePrivateKey();
  window.localStorage.setItem('tally.devWallet.privateKey', key);
  const address = privateKeyToAccount(key).address;
  await ok(pages.tally, 202, 'POST', '/api/chain/faucet', {
    headers: OPERATOR,
    body: { address, token: 'USDC', amount: usdc },
  });
  await settle();
  return address;
}

/** The development wallet connected in the page: by a click, unless this browser connected it already. */
async function connectDevWallet(user: UserEvent): Promise<void> {
  await screen.findByRole('region', { name: 'Your wallet' });
  const connect = screen.queryByRole('button', { name: 'Connect the development wallet' });
  if (connect) await user.click(connect);
  await waitFor(() => expect(screen.getByLabelText('Connected address').textContent).toBe(wallet));
}

/** A product priced at `price` in `currency`, on sale. */
async function pricedProduct(name: string, amountMinor: string, currency = 'USD') {
  const admin = await creditsAdmin(pages.tally);
  const product = await namedProduct(pages.tally, admin, {
    name,
    type: 'generic',
    price: { amount_minor: amountMinor, currency },
  });
  await ok(pages.tally, 200, 'PATCH', `/api/credits/products/${product.id}`, {
    as: admin,
    body: { description: `${name}: credits to try.` },
  });
  return { admin, product };
}

describe('a product’s payment link', () => {
  it('shows the offer, refuses a bad email, posts the signed authorization and follows the checkout until paid', async () => {
    const { product } = await pricedProduct('Checkout Pro', '4900');
    const { user } = await pages.render(`/buy/${product.id}`);

    await screen.findByRole('heading', { level: 1, name: 'Buy Checkout Pro' });
    const offer = await screen.findByRole('region', { name: 'The product' });
    expect(within(offer).getByText('Checkout Pro: credits to try.')).toBeTruthy();
    expect(within(offer).getByTestId('checkout-price').textContent).toBe('49.00 USD');
    expect(within(offer).getByText(/^Paid as 49 USDC on Tally development chain \(chain \d+\)/)).toBeTruthy();

    const form = screen.getByRole('form', { name: 'Pay with USDC' });
    const pay = within(form).getByRole('button', { name: 'Pay 49 USDC' });
    if (screen.queryByRole('button', { name: 'Connect the development wallet' })) {
      expect(pay.hasAttribute('disabled')).toBe(true);
      expect(within(form).getByText('Connect a wallet above first.')).toBeTruthy();
    }
    await connectDevWallet(user);
    await waitFor(() => expect(pay.hasAttribute('disabled')).toBe(false));

    const email = field(form, /^Email/);
    await user.type(email, 'grace@example');
    await user.click(pay);
    expect(fieldError(email)).toBe('Enter an email address like ada@example.com');
    await waitFor(() => expect(document.activeElement).toBe(email));
    expect(sentTo(pages, 'POST', `/api/credits/checkout/${product.id}`)).toEqual([]);

    const buyer = freshEmail('grace');
    await user.clear(email);
    await user.type(email, buyer);
    await user.type(field(form, /^Name/), 'Grace Hopper');
    await user.click(pay);

    const payment = await screen.findByRole('region', { name: 'Your payment' });
    const [sent] = sentTo(pages, 'POST', `/api/credits/checkout/${product.id}`);
    expect(sent?.body).toMatchObject({
      email: buyer,
      name: 'Grace Hopper',
      authorization: { kind: 'receive', from: wallet, value: '49000000' },
    });
    expect(within(payment).getByText('Payment of 49 USDC')).toBeTruthy();
    expect(within(payment).getByText('awaiting_payment')).toBeTruthy();

    await settle();
    await within(payment).findByText('paid', {}, { timeout: 15_000 });
    expect(within(payment).getByRole('status').textContent).toMatch(
      new RegExp(`^Paid\\. We sent your login details to ${buyer.replace(/[.]/g, '\\.')}`),
    );
    expect(await mailedTemporaryPassword(pages.tally, buyer)).toBeTruthy();
  });

  it('says why a wallet short of USDC cannot pay, keeping what was typed, and sends nothing more', async () => {
    // The wallet holds less than 150 USDC: it signs, and Tally refuses before submitting the transfer.
    const { product } = await pricedProduct('Checkout Refused', '15000');
    const { user } = await pages.render(`/buy/${product.id}`);
    const form = await screen.findByRole('form', { name: 'Pay with USDC' });
    await connectDevWallet(user);
    const pay = within(form).getByRole('button', { name: 'Pay 150 USDC' });
    await waitFor(() => expect(pay.hasAttribute('disabled')).toBe(false));
    const buyer = freshEmail('short');
    await user.type(field(form, /^Email/), buyer);
    await user.type(field(form, /^Name/), 'Ada');
    await user.click(pay);
    await waitFor(() => expect(formAlert(form)).toMatch(/^This payment needs 150 USDC/));
    const [, holds = ''] =
      /^This payment needs 150 USDC, and your wallet holds ([\d,.]+) USDC\. Put 150 USDC in it, then pay again\.$/.exec(
        formAlert(form) ?? '',
      ) ?? [];
    expect(Number(holds.replace(/,/g, ''))).toBeLessThan(150);
    expect(field(form, /^Email/).value).toBe(buyer);
    expect(field(form, /^Name/).value).toBe('Ada');
    expect(screen.queryByRole('region', { name: 'Your payment' })).toBeNull();
    expect(sentTo(pages, 'POST', `/api/credits/checkout/${product.id}`)).toHaveLength(1);
  });

  it('says why a payment failed on chain and how to try again, with the email kept', async () => {
    const { product } = await pricedProduct('Checkout Failed', '1000');
    const { user } = await pages.render(`/buy/${product.id}`);
    const form = await screen.findByRole('form', { name: 'Pay with USDC' });
    await connectDevWallet(user);
    const buyer = freshEmail('unlucky');
    await user.type(field(form, /^Email/), buyer);
    await user.click(within(form).getByRole('button', { name: 'Pay 10 USDC' }));
    const payment = await screen.findByRole('region', { name: 'Your payment' });
    // The chain refuses the transfer before it is mined (the USDC left the wallet first): what the
    // checkout's settlement records.
    await pages.tally.database.db.execute(
      sql`UPDATE credits_checkouts SET state = 'failed', updated_at = now(),
            failure = 'the chain refused the payment: the authorization expired, or the USDC left the wallet first'
          WHERE email = ${buyer}`,
    );
    await within(payment).findByText('failed', {}, { timeout: 15_000 });
    const why = within(payment).getByRole('status').textContent;
    expect(why).toContain(
      'The chain refused the payment: the authorization expired, or the USDC left the wallet first.',
    );
    expect(why).toContain('No USDC left your wallet and nothing was bought.');
    await user.click(within(payment).getByRole('button', { name: 'Try again' }));
    const again = await screen.findByRole('form', { name: 'Pay with USDC' });
    expect(field(again, /^Email/).value).toBe(buyer);
  });

  it('says a paid checkout’s account is being set up while its shop makes the purchase, and why it waits when the shop’s float is short', async () => {
    const { product } = await pricedProduct('Checkout Own Shop', '1000');
    const { user } = await pages.render(`/buy/${product.id}`);
    const form = await screen.findByRole('form', { name: 'Pay with USDC' });
    await connectDevWallet(user);
    const buyer = freshEmail('patient');
    await user.type(field(form, /^Email/), buyer);
    await user.click(within(form).getByRole('button', { name: 'Pay 10 USDC' }));
    const payment = await screen.findByRole('region', { name: 'Your payment' });
    // Paid on a shop with a database of its own whose float is short: what the purchase job records.
    await pages.tally.database.db.execute(
      sql`UPDATE credits_checkouts SET state = 'paid', updated_at = now(), purchase_id = NULL,
            failure = 'the shop is restocking its credits; your purchase is made as soon as it has'
          WHERE email = ${buyer}`,
    );
    await within(payment).findByText('Paid, your account is being set up', {}, { timeout: 15_000 });
    expect(within(payment).getByRole('status').textContent).toContain(
      'The shop is restocking its credits; your purchase is made as soon as it has.',
    );
    // Topped up: the purchase is made, and the page, still following, says where the login details went.
    await pages.tally.database.db.execute(
      sql`UPDATE credits_checkouts SET purchase_id = id, failure = NULL, updated_at = now() WHERE email = ${buyer}`,
    );
    await within(payment).findByText(/We sent your login details/, {}, { timeout: 15_000 });
    expect(within(payment).queryByText('Paid, your account is being set up')).toBeNull();
  });

  it('says plainly why a product priced in another currency cannot be bought here, with no button', async () => {
    const { product } = await pricedProduct('Euro Plan', '900', 'EUR');
    await pages.render(`/buy/${product.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Buy Euro Plan' });
    expect(screen.getByTestId('checkout-price').textContent).toBe('9.00 EUR');
    const why = screen.getByRole('status');
    expect(why.textContent).toContain('This product cannot be bought here');
    expect(why.textContent).toContain(
      "Euro Plan is priced in EUR; Tally's checkout takes USDC for prices in US dollars.",
    );
    expect(screen.queryByRole('button', { name: /^Pay/ })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Pay with USDC' })).toBeNull();
  });
});

describe('a purchase’s page and a platform’s delivery log', () => {
  /** A platform that reported one order twice, after a delivery signed with the wrong secret. */
  async function reportedPurchase() {
    const { admin, product } = await pricedProduct(`Webhook Plan ${Date.now().toString(36)}`, '4900');
    const created = await ok(pages.tally, 201, 'POST', '/api/credits/integrations', {
      as: admin,
      body: { name: `Shop ${Date.now().toString(36)}` },
    });
    const integration = { id: created.integration.id as string, secret: created.secret as string };
    const order = {
      order_id: `shop-${Date.now().toString(36)}`,
      email: freshEmail('ada'),
      product_id: product.id,
      name: 'Ada Lovelace',
      amount_paid: { amount_minor: '4900', currency: 'USD' },
    };
    const forged = await deliver(pages.tally, integration, order, { secret: 'whsec_not-the-secret' });
    expect(forged.status).toBe(401);
    pages.tally.clock.advance(1_000);
    const recorded = await deliver(pages.tally, integration, order);
    expect(recorded.status).toBe(201);
    pages.tally.clock.advance(1_000);
    expect((await deliver(pages.tally, integration, order)).status).toBe(200);
    const purchase = (await read(recorded)).purchase as { id: string };
    return { admin, product, integration: created.integration, order, purchase };
  }

  it('names the product, the buyer and the platform, says what was paid, and lists the order’s deliveries', async () => {
    const { admin, product, integration, order, purchase } = await reportedPurchase();
    pages.signIn(admin);
    await pages.render(`/credits/purchases/${purchase.id}`);
    await screen.findByRole('heading', { level: 1, name: `Purchase of ${product.name}` });
    const facts = screen.getByRole('region', { name: 'Purchase' });
    expect(within(facts).getByRole('link', { name: product.name }).getAttribute('href')).toBe(
      `/credits/admin/products/${product.id}`,
    );
    expect(fact(facts, 'Buyer')).toBe(`Ada Lovelace${order.email}`);
    expect(within(facts).getByRole('link', { name: 'Ada Lovelace' })).toBeTruthy();
    expect(fact(facts, 'Paid')).toBe('49.00 USD');
    expect(within(facts).getByRole('link', { name: integration.name }).getAttribute('href')).toBe(
      `/credits/admin/integrations/${integration.id}`,
    );
    expect(within(facts).getByLabelText('Order reference').textContent).toBe(order.order_id);

    const deliveries = within(screen.getByRole('region', { name: 'Webhook deliveries' })).getByRole('table', {
      name: 'Webhook deliveries',
    });
    const rows = within(deliveries).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[1]?.textContent)).toEqual([
      'already_recorded',
      'recorded',
    ]);
    expect(rows[0]?.textContent).toMatch(/\d{1,2}:\d{2}:\d{2}/);
  });

  it('lists every delivery a platform received, a refused one with why, reached from the integrations list', async () => {
    const { admin, integration, order } = await reportedPurchase();
    pages.signIn(admin);
    const { user, router } = await pages.render('/credits/admin/integrations');
    const list = await screen.findByRole('table', { name: 'Integrations' });
    await user.click(within(list).getByRole('link', { name: integration.name }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/credits/admin/integrations/${integration.id}`),
    );
    await screen.findByRole('heading', { level: 1, name: integration.name });
    const log = await screen.findByRole('table', { name: 'Webhook deliveries' });
    const rows = within(log).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    const refused = rows.find((row) => within(row).queryByText('refused'));
    expect(refused?.textContent).toContain('401');
    expect(refused?.textContent).toContain('bad_signature');
    expect(refused?.textContent).toContain(
      'The signature does not match this integration’s secret and body.',
    );
    expect(within(refused!).getByText('not read')).toBeTruthy();
    const made = rows.find((row) => within(row).queryByText('recorded'));
    expect(within(made!).getByText(order.order_id)).toBeTruthy();
    expect(within(made!).getByRole('link', { name: 'Open the purchase' })).toBeTruthy();
  });
});

describe('a reseller’s shop preview', () => {
  it('shows her products on sale as her customers see them, each with its Buy link where the checkout sells it', async () => {
    const admin = await creditsAdmin(pages.tally);
    const { person } = await reseller(pages.tally, admin, { credits: 500 });
    const stamp = Date.now().toString(36);
    const dollars = await namedProduct(pages.tally, person, {
      name: `B Dollar ${stamp}`,
      credits: 50,
      price: { amount_minor: '1900', currency: 'USD' },
    });
    await namedProduct(pages.tally, person, {
      name: `A Euro ${stamp}`,
      credits: 20,
      price: { amount_minor: '900', currency: 'EUR' },
    });
    pages.signIn(person);
    await pages.render('/credits/reseller/shop');
    await screen.findByRole('heading', { level: 1, name: 'Preview your shop' });
    const shop = await screen.findByRole('region', { name: 'Products on sale' });
    const cards = await within(shop).findAllByRole('article');
    expect(cards.map((card) => card.getAttribute('aria-label'))).toEqual([
      `A Euro ${stamp}`,
      `B Dollar ${stamp}`,
    ]);
    expect(within(cards[0]!).getByText('9.00 EUR')).toBeTruthy();
    expect(within(cards[0]!).queryByRole('link', { name: /^Buy/ })).toBeNull();
    expect(
      within(cards[0]!).getByText('Sold on the sales platform, or entered by an administrator.'),
    ).toBeTruthy();
    expect(within(cards[1]!).getByText('19.00 USD')).toBeTruthy();
    expect(within(cards[1]!).getByText('50 credits · never refilled')).toBeTruthy();
    expect(
      within(cards[1]!)
        .getByRole('link', { name: `Buy B Dollar ${stamp}` })
        .getAttribute('href'),
    ).toBe(`/buy/${dollars.id}`);
    expect(screen.getByRole('link', { name: 'set up your domain' })).toBeTruthy();
  });
});
