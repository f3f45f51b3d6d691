import type { Locator, Page } from 'playwright-core';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityAudit } from './support/accessibility';
import { signUp } from './support/accounts';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { type RunningTally, reachTally, startTally } from './support/server';

const PRODUCER = {
  name: 'Nora Wind',
  email: 'nora@northwind.example',
  password: 'the wind blows from the north',
};
const CONSUMER = { name: 'Cleo Park', email: 'cleo@example.com', password: 'cleo reads the forecast daily' };
const PRODUCER_NAME = 'Northwind Weather';
/** Where the producer's streams flow: a wallet of theirs that this journey never signs with. */
const PAYOUT = privateKeyToAccount(generatePrivateKey()).address;

const PLANS = { stream: 'Daily forecasts', vesting: 'Season outlook', usage: 'Forecast API calls' };
/** 10 DAIx a month of 30 days, rounded down to whole wei a second (the seed's figure), streams a hair less. */
const TEN_A_MONTH = '9.999999999999936 DAIx';
const TEN_A_MONTH_RATE = '3,858,024,691,358';

/** A date-time field's value in the browser's (and this machine's) time zone, `days` from now at 09:00. */
function daysFromNowAtNine(days: number): string {
  const date = new Date(Date.now() + days * 24 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T09:00`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The input labelled `label` inside `scope`; Mantine adds " *" to required fields' labels. */
function input(scope: Locator, label: string): Locator {
  return scope.getByLabel(new RegExp(`^${escapeRegExp(label)}( \\*)?$`));
}

/** The value of a fact (a term of a description list) inside `scope`. */
const fact = (scope: Locator, label: string): Locator =>
  scope.locator('dt', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).locator('+ dd');

/** The error shown under the input labelled `label` inside `scope` (Mantine ties it by aria-describedby). */
async function inputError(scope: Locator, label: string): Promise<string | null> {
  const field = input(scope, label);
  if ((await field.getAttribute('aria-invalid')) !== 'true') return null;
  const errorId = ((await field.getAttribute('aria-describedby')) ?? '')
    .split(/\s+/)
    .find((id) => id.endsWith('-error'));
  return errorId ? scope.page().locator(`[id="${errorId}"]`).textContent() : null;
}

/**
 * The streams line from two people's browsers. A producer registers (name, site, description,
 * payout wallet) and publishes one plan of each kind: a stream of 10 DAIx a month, a vesting plan
 * whose stream starts at a cliff date ahead with a start amount, and uses of an API priced each. A
 * consumer, in a browser of their own, finds the producer in the catalogue, opens the stream plan's
 * checkout on a phone, connects the development wallet, gets test DAI from the faucet when the page
 * says the wallet holds too little, reads the deposit, how long the balance lasts and what the
 * wallet will ask, signs the permit and sends the one batch, and finds the plan streaming on their
 * subscriptions page; then buys uses of the API plan (test USDC from the faucet, a signature and a
 * payment). The producer's statistics count the consumer and the month's inflow.
 */
describe('streams: a producer’s plans, a consumer’s subscription with the development wallet', () => {
  let server: RunningTally;
  let producerBrowser: Browser;
  let consumerBrowser: Browser;
  let producer: Page;
  let consumer: Page;
  let producerId = '';
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('streams', audit.check);
  const { go } = reachTally(() => server);

  beforeAll(async () => {
    server = await startTally({ chain: true });
    // Two people, two browsers: no cookie, development key or wallet connection is shared.
    producerBrowser = await launchBrowser();
    consumerBrowser = await launchBrowser();
    producer = await producerBrowser.open('desktop');
    consumer = await consumerBrowser.open('desktop');
    await signUp(producer, server.url, PRODUCER);
    await signUp(consumer, server.url, CONSUMER);
  });
  afterAll(async () => {
    await producerBrowser?.close();
    await consumerBrowser?.close();
    await server?.stop();
  });

  /** The producer page's statistics, as a fact's value. */
  const statistic = (label: string) => fact(producer.getByRole('region', { name: 'Statistics' }), label);

  it('registers a producer with a name, a site, a description and a payout wallet', async () => {
    await go(producer, '/streams/producer');
    await producer.getByRole('heading', { level: 1, name: 'Your producer page' }).waitFor();
    const register = producer.getByRole('form', { name: 'Register as a producer' });
    await input(register, 'Producer name').fill(PRODUCER_NAME);
    await input(register, 'Site or address').fill('https://northwind.example');
    await input(register, 'Description').fill('Local forecasts by the hour, and an API to ask for them.');
    // A payout wallet is checked as typed.
    await input(register, 'Payout wallet').fill('0x1234');
    await expect(inputError(register, 'Payout wallet')).resolves.toBe(
      'Enter a 0x address of 40 hexadecimal digits',
    );
    await input(register, 'Payout wallet').fill(PAYOUT);
    await expect(inputError(register, 'Payout wallet')).resolves.toBeNull();
    await screenshot(producer, 'producer-register');
    await register.getByRole('button', { name: 'Register as a producer' }).click();

    await producer.getByRole('heading', { level: 1, name: PRODUCER_NAME }).waitFor();
    await expect(statistic('Consumers').textContent()).resolves.toBe('0 (no subscriber yet)');
    await expect(statistic('Monthly inflow (30 days)').textContent()).resolves.toBe('none yet');
    const profile = producer.getByRole('region', { name: 'Profile' });
    await expect(
      fact(profile, 'Payout wallet').getByLabel('Payout wallet', { exact: true }).textContent(),
    ).resolves.toBe(PAYOUT.toLowerCase());
    const publicPage = profile.getByRole('link', { name: 'your public page' });
    producerId = ((await publicPage.getAttribute('href')) ?? '').split('/').pop() ?? '';
    expect(producerId).toMatch(/^[0-9a-f-]{36}$/);
    await producer.getByRole('region', { name: 'Plans' }).getByText('No plan yet').waitFor();
    await screenshot(producer, 'producer-registered');
  });

  it('publishes a stream of 10 DAIx a month', async () => {
    await producer.getByRole('region', { name: 'Plans' }).getByRole('link', { name: 'New plan' }).click();
    await producer.getByRole('heading', { level: 1, name: 'New plan' }).waitFor();
    const form = producer.getByRole('form', { name: 'New plan' });
    await expect(form.getByRole('radio', { name: 'Stream' }).isChecked()).resolves.toBe(true);
    await input(form, 'Name').fill(PLANS.stream);
    await input(form, 'Description').fill('The day’s forecast for your town, every morning.');
    await expect(form.getByRole('radio', { name: 'DAIx (DAI)' }).isChecked()).resolves.toBe(true);
    await expect(form.getByRole('radio', { name: 'Month (30 days)' }).isChecked()).resolves.toBe(true);
    await input(form, 'Price a month').fill('10');
    await form
      .getByText(
        `10.00 DAIx a month = ${TEN_A_MONTH_RATE} wei a second. A month is 30 days. A flow rate is whole wei a second, so a month really costs ${TEN_A_MONTH}.`,
      )
      .waitFor();
    const preview = producer.getByRole('article', { name: 'Preview of the plan’s card' });
    await preview.getByText(`${TEN_A_MONTH} a month`).waitFor();
    await screenshot(producer, 'plan-stream');
    await form.getByRole('button', { name: 'Publish the plan' }).click();

    await producer.getByRole('heading', { level: 1, name: PRODUCER_NAME }).waitFor();
    await producer
      .getByRole('table', { name: 'Your plans' })
      .getByRole('row', { name: new RegExp(`${PLANS.stream}.*Stream.*${TEN_A_MONTH} a month`) })
      .waitFor();
  });

  it('publishes a vesting plan whose stream starts at a cliff date ahead, with a start amount', async () => {
    await producer.getByRole('region', { name: 'Plans' }).getByRole('link', { name: 'New plan' }).click();
    const form = producer.getByRole('form', { name: 'New plan' });
    await form.getByRole('radio', { name: 'Vesting' }).check();
    await input(form, 'Name').fill(PLANS.vesting);
    await input(form, 'Description').fill('The coming season, from its first day: a report a week.');
    await input(form, 'Price a month').fill('30');
    // A cliff that has passed is refused as typed.
    await input(form, 'Cliff date').fill(daysFromNowAtNine(-2));
    await expect(inputError(form, 'Cliff date')).resolves.toBe('A vesting plan starts in the future');
    await input(form, 'Cliff date').fill(daysFromNowAtNine(14));
    await expect(inputError(form, 'Cliff date')).resolves.toBeNull();
    await input(form, 'Start amount').fill('5,50');
    await form.getByText('Saved as 5.50 DAIx.').waitFor();
    const preview = producer.getByRole('article', { name: 'Preview of the plan’s card' });
    await expect(fact(preview, 'Start amount').textContent()).resolves.toBe('5.50 DAIx, paid at the cliff');
    await screenshot(producer, 'plan-vesting');
    await form.getByRole('button', { name: 'Publish the plan' }).click();

    await producer.getByRole('heading', { level: 1, name: PRODUCER_NAME }).waitFor();
    await producer
      .getByRole('table', { name: 'Your plans' })
      .getByRole('row', { name: new RegExp(`${PLANS.vesting}.*Vesting`) })
      .waitFor();
  });

  it('publishes uses of an API, priced each, bought 10 to 1,000 at a time', async () => {
    await producer.getByRole('region', { name: 'Plans' }).getByRole('link', { name: 'New plan' }).click();
    const form = producer.getByRole('form', { name: 'New plan' });
    await form.getByRole('radio', { name: 'N usage' }).check();
    await input(form, 'Name').fill(PLANS.usage);
    await input(form, 'Description').fill('Ask the forecast for any place, from your own software.');
    await form.getByRole('radio', { name: 'USDCx (USDC)' }).check();
    await input(form, 'Price per use').fill('0.25');
    await input(form, 'Fewest uses').fill('10');
    await input(form, 'Most uses').fill('5');
    await expect(inputError(form, 'Most uses')).resolves.toBe('At least the minimum');
    await input(form, 'Most uses').fill('1000');
    await expect(inputError(form, 'Most uses')).resolves.toBeNull();
    const preview = producer.getByRole('article', { name: 'Preview of the plan’s card' });
    await preview.getByText('0.25 USDCx a use').waitFor();
    await expect(fact(preview, 'Uses').textContent()).resolves.toBe('10 to 1,000 uses');
    await screenshot(producer, 'plan-usage');
    await form.getByRole('button', { name: 'Publish the plan' }).click();

    await producer.getByRole('heading', { level: 1, name: PRODUCER_NAME }).waitFor();
    const table = producer.getByRole('table', { name: 'Your plans' });
    await table
      .getByRole('row', { name: new RegExp(`${PLANS.usage}.*N usage.*0\\.25 USDCx a use`) })
      .waitFor();
    await expect(table.getByRole('row').count()).resolves.toBe(4);
    await expect(statistic('Active plans').textContent()).resolves.toBe('3 of 3 plans');
    await expect(statistic('Plans by kind').textContent()).resolves.toBe('1 stream · 1 vesting · 1 n usage');
    await expect(statistic('Consumers').textContent()).resolves.toBe('0 (no subscriber yet)');
    await screenshot(producer, 'producer-plans');
  });

  it('lets a consumer find the producer in the catalogue and see its three plans', async () => {
    await go(consumer, '/streams');
    await consumer.getByRole('heading', { level: 1, name: 'Streams' }).waitFor();
    const card = consumer.getByRole('article', { name: PRODUCER_NAME });
    await card.getByText('3 open plans', { exact: true }).waitFor();
    await screenshot(consumer, 'catalogue');
    await card.getByRole('link', { name: PRODUCER_NAME }).click();

    await consumer.getByRole('heading', { level: 1, name: PRODUCER_NAME }).waitFor();
    const plans = consumer.getByRole('region', { name: 'Plans' });
    const stream = plans.getByRole('article', { name: PLANS.stream });
    await stream.getByText(`${TEN_A_MONTH} a month`).waitFor();
    await expect(fact(stream, 'Flow rate').textContent()).resolves.toBe(`${TEN_A_MONTH_RATE} wei a second`);
    const vesting = plans.getByRole('article', { name: PLANS.vesting });
    await expect(fact(vesting, 'Start amount').textContent()).resolves.toBe('5.50 DAIx, paid at the cliff');
    const usage = plans.getByRole('article', { name: PLANS.usage });
    await usage.getByText('0.25 USDCx a use').waitFor();
    await screenshot(consumer, 'producer-offer');

    await stream.getByRole('link', { name: 'Subscribe' }).click();
    await consumer.getByRole('heading', { level: 1, name: `Subscribe to ${PLANS.stream}` }).waitFor();
    await consumer
      .getByRole('region', { name: 'Your wallet' })
      .getByRole('button', { name: 'Connect the development wallet' })
      .waitFor();
    await screenshot(consumer, 'checkout-stream');
  });

  it('subscribes to the stream on a phone: the development wallet, test DAI, one signature and one transaction', async () => {
    const phone = await consumerBrowser.open('phone');
    await go(phone, new URL(consumer.url()).pathname);
    await phone.getByRole('heading', { level: 1, name: `Subscribe to ${PLANS.stream}` }).waitFor();
    const wallet = phone.getByRole('region', { name: 'Your wallet' });
    await wallet.getByRole('button', { name: 'Connect the development wallet' }).click();
    const address = (await wallet.getByLabel('Connected address').textContent()) ?? '';
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);

    const subscribe = phone.getByRole('region', { name: 'Subscribe' });
    const checkOut = subscribe.getByRole('button', {
      name: `Check out with ${address.slice(0, 6)}…${address.slice(-4)}`,
    });
    await checkOut.click();
    // A fresh development key holds nothing: the page says so and offers the faucet.
    await subscribe.getByRole('alert').getByText('Not enough in your wallet').waitFor();
    const faucet = phone.getByRole('region', { name: 'Test tokens' });
    await faucet.getByRole('combobox', { name: /^Token/ }).click();
    await phone.getByRole('option', { name: /^DAI — / }).click();
    await input(faucet, 'Amount').fill('100');
    await screenshot(phone, 'checkout-phone-not-enough');
    await faucet.getByRole('button', { name: 'Get test tokens' }).click();
    const sent = faucet.getByRole('region', { name: 'Faucet transactions' });
    await sent.getByRole('article', { name: '100.00 DAI' }).getByText('confirmed', { exact: true }).waitFor();
    await sent
      .getByRole('article', { name: /ETH for gas$/ })
      .getByText('confirmed', { exact: true })
      .waitFor();

    await checkOut.click();
    await expect(fact(subscribe, 'Streams a month').textContent()).resolves.toBe(
      `${TEN_A_MONTH} (${TEN_A_MONTH_RATE} wei a second)`,
    );
    await expect(fact(subscribe, 'Deposit locked').textContent()).resolves.toMatch(
      /^\d+\.\d+ DAIx: the protocol holds it while the stream runs and gives it back when the stream is closed in time$/,
    );
    // It wraps the deposit and a month of the stream: the balance lasts that month.
    await expect(fact(subscribe, 'You wrap').textContent()).resolves.toMatch(
      /^\d+\.\d+ DAI into DAIx: the deposit and 30 days of the stream$/,
    );
    await expect(fact(subscribe, 'Your balance lasts').textContent()).resolves.toBe(
      '30 days at every stream your wallet then sends; Tally warns you 7 days and 24 hours before it runs out',
    );
    const steps = subscribe.getByRole('list', { name: 'Steps on chain' }).getByRole('listitem');
    await expect(steps.allTextContents()).resolves.toEqual([
      '·Allow DAIx to take the DAI it wraps',
      '·Wrap DAI into DAIx',
      '·Start the stream to the producer',
      '·Let Tally close or change the stream for you (so it never runs dry)',
    ]);
    await subscribe.getByText(/^Your wallet will ask for 1 signature and 1 transaction\./).waitFor();
    await screenshot(phone, 'checkout-phone-steps');

    await subscribe.getByRole('button', { name: 'Sign and subscribe' }).click();
    const done = subscribe.getByRole('alert').filter({ hasText: 'You are subscribed' });
    await done.waitFor({ timeout: 60_000 });
    await done.getByText(`Your stream to the producer runs from your wallet ${address}.`).waitFor();
    await screenshot(phone, 'checkout-phone-subscribed');

    await done.getByRole('link', { name: 'Your subscriptions' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Your subscriptions' }).waitFor();
    const subscription = phone.getByRole('article', { name: `${PLANS.stream} from ${PRODUCER_NAME}` });
    await subscription.getByText('Streaming', { exact: true }).waitFor();
    await expect(fact(subscription, 'Streams').textContent()).resolves.toBe(
      `${TEN_A_MONTH} a month (${TEN_A_MONTH_RATE} wei a second)`,
    );
    await expect(fact(subscription, 'From your wallet').textContent()).resolves.toBe(address.toLowerCase());
    await screenshot(phone, 'subscriptions-phone');
    await phone.close();
  });

  it('shows the subscription as streaming on the consumer’s subscriptions page', async () => {
    await go(consumer, '/streams/subscriptions');
    await consumer.getByRole('heading', { level: 1, name: 'Your subscriptions' }).waitFor();
    const subscription = consumer.getByRole('article', { name: `${PLANS.stream} from ${PRODUCER_NAME}` });
    await subscription.getByText('Streaming', { exact: true }).waitFor();
    await fact(subscription, 'Your balance lasts until').waitFor();
    await screenshot(consumer, 'subscriptions');
  });

  it('buys 20 uses of the API plan: test USDC, then one signature and one payment', async () => {
    await go(consumer, `/streams/producers/${producerId}`);
    await consumer.getByRole('heading', { level: 1, name: PRODUCER_NAME }).waitFor();
    await consumer
      .getByRole('region', { name: 'Plans' })
      .getByRole('article', { name: PLANS.usage })
      .getByRole('link', { name: 'Subscribe' })
      .click();
    await consumer.getByRole('heading', { level: 1, name: `Subscribe to ${PLANS.usage}` }).waitFor();
    // The wallet this browser connected on the phone is connected here too.
    const address = (await consumer.getByLabel('Connected address').textContent()) ?? '';
    const subscribe = consumer.getByRole('region', { name: 'Subscribe' });
    const checkOut = subscribe.getByRole('button', {
      name: `Check out with ${address.slice(0, 6)}…${address.slice(-4)}`,
    });

    // The fewest uses to begin with, and the price of what is typed.
    await expect(input(subscribe, 'Uses to buy').inputValue()).resolves.toBe('10');
    await subscribe.getByText('2.50 USDCx in all, 0.25 USDCx a use.').waitFor();
    await input(subscribe, 'Uses to buy').fill('5');
    await expect(inputError(subscribe, 'Uses to buy')).resolves.toBe('From 10 to 1,000 uses.');
    await subscribe
      .getByRole('button', {
        name: `Check out with ${address.slice(0, 6)}…${address.slice(-4)}`,
        disabled: true,
      })
      .waitFor();
    await input(subscribe, 'Uses to buy').fill('20');
    await subscribe.getByText('5.00 USDCx in all, 0.25 USDCx a use.').waitFor();

    await checkOut.click();
    // The wallet holds DAI and ETH now, but no USDC.
    await subscribe.getByRole('alert').getByText('Not enough in your wallet').waitFor();
    const faucet = consumer.getByRole('region', { name: 'Test tokens' });
    await faucet.getByRole('combobox', { name: /^Token/ }).click();
    await consumer.getByRole('option', { name: /^USDC — / }).click();
    await input(faucet, 'Amount').fill('50');
    await faucet.getByRole('button', { name: 'Get test tokens' }).click();
    await faucet
      .getByRole('region', { name: 'Faucet transactions' })
      .getByRole('article', { name: '50.00 USDC' })
      .getByText('confirmed', { exact: true })
      .waitFor();

    await checkOut.click();
    await expect(fact(subscribe, 'You pay').textContent()).resolves.toBe(
      '5.00 USDCx for 20 uses (0.25 USDCx each), once, to the producer',
    );
    await expect(fact(subscribe, 'You wrap').textContent()).resolves.toBe(
      '5.00 USDC into USDCx first (what your running streams live on is left alone)',
    );
    const steps = subscribe.getByRole('list', { name: 'Steps on chain' }).getByRole('listitem');
    await expect(steps.allTextContents()).resolves.toEqual([
      '·Allow USDCx to take the USDC it wraps',
      '·Wrap USDC into USDCx',
      '·Pay the uses to the producer in USDCx',
    ]);
    await subscribe.getByText(/^Your wallet will ask for 1 signature and 1 transaction\./).waitFor();
    await screenshot(consumer, 'checkout-usage-steps');

    await subscribe.getByRole('button', { name: 'Sign and pay' }).click();
    const done = subscribe.getByRole('alert').filter({ hasText: 'Your uses are bought' });
    await done.waitFor({ timeout: 60_000 });
    await screenshot(consumer, 'checkout-usage-bought');

    await done.getByRole('link', { name: 'Your subscriptions' }).click();
    await consumer.getByRole('heading', { level: 1, name: 'Your subscriptions' }).waitFor();
    const bought = consumer.getByRole('article', { name: `${PLANS.usage} from ${PRODUCER_NAME}` });
    await expect(fact(bought, 'From your wallet').textContent()).resolves.toBe(address.toLowerCase());
    await consumer
      .getByRole('article', { name: `${PLANS.stream} from ${PRODUCER_NAME}` })
      .getByText('Streaming', { exact: true })
      .waitFor();
    await screenshot(consumer, 'subscriptions-with-uses');
  });

  it('counts the consumer and the month’s inflow on the producer’s statistics', async () => {
    await go(producer, '/streams/producer');
    await producer.getByRole('heading', { level: 1, name: PRODUCER_NAME }).waitFor();
    // One wallet, though it holds two of the producer's plans; only the stream flows.
    await expect(statistic('Consumers').textContent()).resolves.toBe('1 wallet');
    await expect(statistic('Monthly inflow (30 days)').textContent()).resolves.toBe(TEN_A_MONTH);
    await producer
      .getByRole('figure', {
        name: `Monthly inflow at each day’s end over the last 30 days; ${TEN_A_MONTH} today`,
      })
      .waitFor();
    await screenshot(producer, 'producer-statistics');
  });

  it('raised no error in any page', () => {
    expect(producerBrowser.pageErrors).toEqual([]);
    expect(consumerBrowser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
