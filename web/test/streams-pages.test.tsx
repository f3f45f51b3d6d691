import { File as NodeFile } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowReference } from '../../src/streams/chain/flow-reference';
import { recordFlowUpdate } from '../../src/streams/subscriptions/flows';
import { type Body, signedInPerson, type TestPerson } from '../../test/support/app';
import { ok } from '../../test/support/credits';
import { linkWallet } from '../../test/support/gateway';
import { fact, installInputApis } from './support/credits-stage';
import { installNodeFileApis } from './support/files';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';

/**
 * The streams line's pages: a person registers as a producer, publishes plans of the seed's three
 * kinds with the flow rate shown as the price is typed, changes a plan, and a consumer finds the
 * producer and its open plans. The pages compare cliff dates with the browser's clock: Tally's clock
 * starts at the same moment.
 */

const pages = tallyPages({ start: new Date().toISOString() });

beforeAll(async () => {
  installInputApis();
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/streams/StreamsPages');
});

const PAYOUT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa5a4b3300000000049454e44ae426082',
  'hex',
);

let made = 0;
const fresh = (what: string) => `${what} ${++made}${Date.now().toString(36)}`;

/** What the page sent that changes something: a form that refuses to send leaves this empty. */
const changesSent = () => pages.sent.filter((sent) => sent.method !== 'GET');

const retype = async (user: UserEvent, input: HTMLElement, text: string) => {
  await user.clear(input);
  if (text) await user.type(input, text);
};

/** A person who is a producer, registered through the API. */
async function producer(name = fresh('Weather Co')): Promise<{ person: TestPerson; producer: Body }> {
  const person = await signedInPerson(pages.tally);
  const made = await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
    as: person,
    body: { name, site: 'weather.example', description: 'Forecasts by the minute', payout_address: PAYOUT },
  });
  return { person, producer: made };
}

const plan = (person: TestPerson, body: Record<string, unknown>) =>
  ok(pages.tally, 201, 'POST', '/api/streams/producer/plans', { as: person, body });

const tenDaiAMonth = { kind: 'stream', token: 'DAIx', price: '10000000000000000000', period: 'month' };

/** A date-time field's value `days` from now, in the browser's time zone. */
function daysFromNow(days: number): string {
  const at = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** The band of a plan's card in the plan's colour. */
const colourBand = (card: HTMLElement) => card.querySelector<HTMLElement>('[data-card-colour]')!;

const section = (name: string) => screen.getByRole('region', { name });
/** A section that may still be loading when the page's heading is there. */
const region = (name: string) => screen.findByRole('region', { name });

describe('registering as a producer', () => {
  it('checks the fields as they are typed, sends nothing until they are right, and offers the linked wallet', async () => {
    const person = await signedInPerson(pages.tally);
    const wallet = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
    await linkWallet(pages.tally, person.userId, wallet);
    pages.signIn(person);
    const { user, router } = await pages.render('/streams/producer');
    const form = await screen.findByRole('form', { name: 'Register as a producer' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Register as a producer' }));

    await submit();
    expect(fieldError(field(form, /^Producer name/))).toBe('Enter the name consumers know you by');
    expect(fieldError(field(form, /^Payout wallet/))).toBe('Enter the wallet your streams flow to');
    await waitFor(() => expect(document.activeElement).toBe(field(form, /^Producer name/)));

    await user.type(field(form, /^Producer name/), 'Radio Weather');
    await user.type(field(form, /^Site or address/), '12 Harbour Road, Leith');
    await user.type(field(form, /^Description/), 'Forecasts read aloud, every hour.');
    await user.type(field(form, /^Payout wallet/), '0x1234');
    expect(fieldError(field(form, /^Payout wallet/))).toBe('Enter a 0x address of 40 hexadecimal digits');
    await submit();
    await waitFor(() => expect(document.activeElement).toBe(field(form, /^Payout wallet/)));
    expect(changesSent()).toEqual([]);

    await user.click(within(form).getByRole('button', { name: `Use my wallet ${wallet}` }));
    expect(field(form, /^Payout wallet/).value).toBe(wallet);
    expect(fieldError(field(form, /^Payout wallet/))).toBeNull();
    await submit();
    await screen.findByRole('form', { name: 'Your producer profile' });
    expect(sentTo(pages, 'POST', '/api/streams/producer').map((sent) => sent.body)).toEqual([
      {
        name: 'Radio Weather',
        site: '12 Harbour Road, Leith',
        description: 'Forecasts read aloud, every hour.',
        payout_address: wallet,
      },
    ]);
    expect(router.state.location.pathname).toBe('/streams/producer');
    expect(screen.getByRole('heading', { level: 1, name: 'Radio Weather' })).toBeTruthy();
    // The plans and the statistics load after the profile: wait for them.
    expect(await within(await region('Plans')).findByText('No plan yet')).toBeTruthy();
  });

  it('shows the server’s refusal above the form and keeps what was typed, when the person registered meanwhile', async () => {
    const person = await signedInPerson(pages.tally);
    pages.signIn(person);
    const { user } = await pages.render('/streams/producer');
    const form = await screen.findByRole('form', { name: 'Register as a producer' });
    // Registered in another tab while this page was open.
    await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
      as: person,
      body: { name: 'First tab', payout_address: PAYOUT },
    });
    await user.type(field(form, /^Producer name/), 'Second tab');
    await user.type(field(form, /^Payout wallet/), PAYOUT);
    await user.click(within(form).getByRole('button', { name: 'Register as a producer' }));
    await waitFor(() => expect(formAlert(form)).toMatch(/producer already/i));
    expect(field(form, /^Producer name/).value).toBe('Second tab');
    expect(field(form, /^Payout wallet/).value).toBe(PAYOUT);
  });

  it('lets a visitor log in first', async () => {
    pages.signIn(null);
    const { router } = await pages.render('/streams/producer');
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
  });
});

describe('the producer page', () => {
  it('counts the wallets streaming now and what they bring in a month, with 30 days of both drawn', async () => {
    const { person } = await producer('Streaming Co');
    const forecasts = await plan(person, { ...tenDaiAMonth, name: 'Forecasts' });
    const consumer = await signedInPerson(pages.tally);
    const subscriber = `0x${randomBytes(20).toString('hex')}`;
    const checkout = await ok(pages.tally, 201, 'POST', `/api/streams/plans/${forecasts.id}/checkouts`, {
      as: consumer,
      body: { subscriber_address: subscriber },
    });
    // The flow as the follower records it once the chain shows it.
    await pages.tally.database.db.transaction((tx) =>
      recordFlowUpdate(tx, {
        id: `${checkout.id}:open`,
        at: pages.tally.clock.now(),
        token: 'DAIx',
        sender: subscriber,
        receiver: PAYOUT,
        flowRate: BigInt(checkout.flow_rate),
        userData: flowReference(checkout.id),
      }),
    );
    pages.signIn(person);
    await pages.render('/streams/producer');
    await screen.findByRole('heading', { level: 1, name: 'Streaming Co' });
    const statistics = await screen.findByRole('region', { name: 'Statistics' });
    expect(fact(statistics, 'Consumers')).toBe('1 wallet');
    expect(fact(statistics, 'Monthly inflow (30 days)')).toBe('9.999999999999936 DAIx');
    expect(
      within(statistics)
        .getByRole('figure', { name: /^Subscriptions running at each day’s end/ })
        .getAttribute('aria-label'),
    ).toMatch(/; 1 today$/);
    expect(
      within(statistics)
        .getByRole('figure', { name: /^Monthly inflow at each day’s end/ })
        .getAttribute('aria-label'),
    ).toMatch(/; 9\.999999999999936 DAIx today$/);
  });

  it('shows statistics from the plans, the profile to edit, and the plans with their price and flow rate', async () => {
    const { person, producer: made } = await producer('Weather Co');
    await plan(person, { ...tenDaiAMonth, name: 'Forecasts', total_supply: 100 });
    await plan(person, {
      kind: 'usage',
      name: 'Alerts',
      token: 'USDCx',
      usage_price: '50000000000000000',
      min_usage: 100,
      max_usage: 10_000,
      status: 'inactive',
    });
    pages.signIn(person);
    const { user } = await pages.render('/streams/producer');
    await screen.findByRole('heading', { level: 1, name: 'Weather Co' });

    const statistics = await region('Statistics');
    expect(fact(statistics, 'Active plans')).toBe('1 of 2 plans');
    expect(fact(statistics, 'Open to subscribers')).toBe('1');
    expect(fact(statistics, 'Inactive plans')).toBe('1');
    expect(fact(statistics, 'Plans by kind')).toBe('1 stream · 0 vesting · 1 n usage');
    expect(fact(statistics, 'Consumers')).toBe('0 (no subscriber yet)');
    expect(fact(statistics, 'Monthly inflow (30 days)')).toBe('none yet');

    const table = await within(await region('Plans')).findByRole('table', { name: 'Your plans' });
    const row = (name: string) => within(table).getByRole('link', { name }).closest('tr') as HTMLElement;
    const cells = (name: string) =>
      within(row(name))
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    expect(cells('Forecasts')).toEqual([
      'Forecasts',
      'Stream',
      '9.999999999999936 DAIx a month',
      '9.999999999999936 DAIx',
      '3,858,024,691,358 wei/s',
      'Active',
      '100 subscribers',
      'Embed',
    ]);
    expect(cells('Alerts')).toEqual([
      'Alerts',
      'N usage',
      '0.05 USDCx a use',
      'per use',
      '—',
      'Inactive',
      'No limit',
      'Embed',
    ]);
    expect(within(section('Plans')).getByRole('link', { name: 'New plan' }).getAttribute('href')).toBe(
      '/streams/producer/plans/new',
    );

    const profile = screen.getByRole('form', { name: 'Your producer profile' });
    expect(field(profile, /^Payout wallet/).value).toBe(PAYOUT);
    await retype(user, field(profile, /^Description/), 'Forecasts by the second.');
    await user.click(within(profile).getByRole('button', { name: 'Save the profile' }));
    await waitFor(() =>
      expect(sentTo(pages, 'PATCH', '/api/streams/producer').map((sent) => sent.body)).toEqual([
        {
          name: 'Weather Co',
          site: 'weather.example',
          description: 'Forecasts by the second.',
          payout_address: PAYOUT,
        },
      ]),
    );
    await waitFor(() =>
      expect(within(profile).getByRole('button', { name: 'Save the profile' }).hasAttribute('disabled')).toBe(
        true,
      ),
    );
    expect(
      within(section('Profile')).getByRole('link', { name: 'your public page' }).getAttribute('href'),
    ).toBe(`/streams/producers/${made.id}`);
  });
});

describe('the plan form', () => {
  const { File: jsdomFile, FormData: jsdomFormData } = globalThis;
  beforeAll(async () => {
    // A card image goes up as a multipart body, and its preview is an object URL jsdom does not make.
    await installNodeFileApis();
    URL.createObjectURL ??= () => 'blob:card-image';
    URL.revokeObjectURL ??= () => {};
  });
  // React builds a FormData of a form submitted within a navigation (the catalogue's search), which
  // Node's FormData cannot: jsdom's is back for the other pages.
  afterAll(() => {
    Object.assign(globalThis, { File: jsdomFile, FormData: jsdomFormData });
  });

  const open = async (person: TestPerson, path = '/streams/producer/plans/new') => {
    pages.signIn(person);
    const { user, router } = await pages.render(path);
    const form = await screen.findByRole('form', { name: /^(New plan|Change .+)$/ });
    const preview = screen.getByRole('article', { name: 'Preview of the plan’s card' });
    return {
      user,
      router,
      form,
      preview,
      input: (label: RegExp) => field(form, label),
      submit: () => user.click(within(form).getByRole('button', { name: /^(Publish|Save) the plan$/ })),
    };
  };

  it('prices a stream at 10 DAIx a month with its flow rate as it is typed, with the card’s colour and image', async () => {
    const { person } = await producer();
    const { user, router, form, preview, input, submit } = await open(person);
    expect(within(form).getByRole('radio', { name: 'Stream' })).toHaveProperty('checked', true);
    await user.type(input(/^Name/), 'Forecasts');
    await user.type(input(/^Price a month/), '10');
    const flow = form.querySelector('[data-flow-rate]');
    expect(flow?.textContent).toBe('10.00 DAIx a month = 3,858,024,691,358 wei a second');
    expect(flow?.parentElement?.textContent).toContain(
      'A month is 30 days. A flow rate is whole wei a second, so a month really costs 9.999999999999936 DAIx.',
    );
    expect(within(preview).getByText('9.999999999999936 DAIx a month')).toBeTruthy();
    expect(fact(preview, 'Flow rate')).toBe('3,858,024,691,358 wei a second');
    expect(within(preview).getByRole('heading', { name: 'Forecasts' })).toBeTruthy();

    // A price per hour streams faster: the figure follows the period.
    await user.click(within(form).getByRole('radio', { name: 'Hour' }));
    expect(form.querySelector('[data-flow-rate]')?.textContent).toBe(
      '10.00 DAIx an hour = 2,777,777,777,777,777 wei a second',
    );
    await user.click(within(form).getByRole('radio', { name: 'Month (30 days)' }));
    await retype(user, input(/^Price a month/), '0.000000000001');
    expect(fieldError(input(/^Price a month/))).toBe('Too small to stream: less than one wei a second');
    await retype(user, input(/^Price a month/), '10');

    await retype(user, input(/^Background colour/), '#2F9E44');
    expect(colourBand(preview).style.background).toBe('rgb(47, 158, 68)');
    await user.type(input(/^Total supply/), '100');
    await user.upload(
      form.querySelector<HTMLInputElement>('input[type="file"]')!,
      new NodeFile([PNG], 'card.png', { type: 'image/png' }) as unknown as File,
    );
    expect(within(preview).getByRole('img', { name: 'Card image of Forecasts' })).toBeTruthy();
    await submit();
    await waitFor(() => expect(router.state.location.pathname).toBe('/streams/producer'));
    const [created] = sentTo(pages, 'POST', '/api/streams/producer/plans');
    expect(created?.body).toEqual({
      kind: 'stream',
      name: 'Forecasts',
      description: '',
      external_link: null,
      token: 'DAIx',
      total_supply: 100,
      status: 'active',
      price: '10000000000000000000',
      period: 'month',
      month_limit: null,
      grace_seconds: 259_200,
      background_color: '#2f9e44',
    });
    const [mine] = (await ok(pages.tally, 200, 'GET', '/api/streams/producer/plans', { as: person })).items;
    expect(sentTo(pages, 'PUT', `/api/streams/plans/${mine.id}/photo`)).toHaveLength(1);
    expect(mine).toMatchObject({ stream: { flow_rate: '3858024691358' }, background_color: '#2f9e44' });
    expect(mine.image_url).toBe(`/api/streams/plans/${mine.id}/photo`);
    await screen.findByRole('link', { name: 'Forecasts' });
  });

  it('asks a vesting plan for its cliff date and start amount, in the person’s own decimals', async () => {
    const { person } = await producer();
    const { user, router, form, preview, input, submit } = await open(person);
    await user.click(within(form).getByRole('radio', { name: 'Vesting' }));
    await user.click(within(form).getByRole('radio', { name: 'USDCx (USDC)' }));
    await user.click(within(form).getByRole('radio', { name: 'Day' }));
    await user.type(input(/^Name/), 'Launch');
    await user.type(input(/^Price a day/), '86,4');
    expect(form.querySelector('[data-flow-rate]')?.textContent).toBe(
      '86.40 USDCx a day = 1,000,000,000,000,000 wei a second',
    );
    await submit();
    expect(fieldError(input(/^Cliff date/))).toBe('Enter the date the stream starts');
    expect(fieldError(input(/^Start amount/))).toBe('Enter an amount');
    await user.type(input(/^Cliff date/), daysFromNow(-1));
    expect(fieldError(input(/^Cliff date/))).toBe('A vesting plan starts in the future');
    const cliff = daysFromNow(30);
    await retype(user, input(/^Cliff date/), cliff);
    await user.type(input(/^Start amount/), '25,5');
    expect(fact(preview, 'Start amount')).toBe('25.50 USDCx, paid at the cliff');
    expect(changesSent()).toEqual([]);
    await submit();
    await waitFor(() => expect(router.state.location.pathname).toBe('/streams/producer'));
    expect(sentTo(pages, 'POST', '/api/streams/producer/plans')[0]?.body).toMatchObject({
      kind: 'vesting',
      token: 'USDCx',
      price: '86400000000000000000',
      period: 'day',
      cliff_at: new Date(cliff).toISOString(),
      start_amount: '25500000000000000000',
    });
    const cells = within((await screen.findByRole('link', { name: 'Launch' })).closest('tr') as HTMLElement)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    expect(cells.slice(1, 5)).toEqual([
      'Vesting',
      '86.40 USDCx a day',
      '2,592.00 USDCx',
      '1,000,000,000,000,000 wei/s',
    ]);
  });

  it('sells a number of uses between limits, and puts the server’s refusal of a cliff date next to it', async () => {
    const { person } = await producer();
    const usage = await open(person);
    await usage.user.click(within(usage.form).getByRole('radio', { name: 'N usage' }));
    expect(within(usage.form).queryByLabelText(/^Price a/)).toBeNull();
    await usage.user.type(usage.input(/^Name/), 'Alerts');
    await usage.user.type(usage.input(/^Price per use/), '0.05');
    await usage.user.type(usage.input(/^Fewest uses/), '100');
    await usage.user.type(usage.input(/^Most uses/), '10');
    expect(fieldError(usage.input(/^Most uses/))).toBe('At least the minimum');
    await retype(usage.user, usage.input(/^Most uses/), '10000');
    expect(within(usage.preview).getByText('0.05 DAIx a use')).toBeTruthy();
    expect(fact(usage.preview, 'Uses')).toBe('100 to 10,000 uses');
    await usage.submit();
    await waitFor(() => expect(usage.router.state.location.pathname).toBe('/streams/producer'));
    expect(sentTo(pages, 'POST', '/api/streams/producer/plans')[0]?.body).toMatchObject({
      kind: 'usage',
      usage_price: '50000000000000000',
      min_usage: 100,
      max_usage: 10_000,
    });

    // Tally's clock is ahead of the browser's: a cliff date the page takes as ahead has passed for Tally.
    pages.tally.clock.set(new Date(Date.now() + 3 * 86_400_000));
    try {
      const vesting = await open(person);
      await vesting.user.click(within(vesting.form).getByRole('radio', { name: 'Vesting' }));
      await vesting.user.type(vesting.input(/^Name/), 'Too late');
      await vesting.user.type(vesting.input(/^Price a month/), '10');
      await vesting.user.type(vesting.input(/^Cliff date/), daysFromNow(1));
      await vesting.user.type(vesting.input(/^Start amount/), '0');
      await vesting.submit();
      await waitFor(() =>
        expect(fieldError(vesting.input(/^Cliff date/))).toBe('A vesting plan starts in the future.'),
      );
      expect(formAlert(vesting.form)).toBeNull();
      expect(vesting.input(/^Name/).value).toBe('Too late');
      // The field is focused once the refusal is placed, a frame later: a busy machine takes longer.
      await waitFor(() => expect(document.activeElement).toBe(vesting.input(/^Cliff date/)), {
        timeout: 5000,
      });
    } finally {
      pages.tally.clock.set(new Date());
    }
  });

  it('changes a plan to inactive, sending only what changed; its kind stays', async () => {
    const { person } = await producer();
    const saved = await plan(person, { ...tenDaiAMonth, name: 'Forecasts' });
    const { user, router, form, input, submit } = await open(person, `/streams/producer/plans/${saved.id}`);
    expect(screen.getByRole('form', { name: 'Change Forecasts' })).toBeTruthy();
    expect(within(form).getByRole('radio', { name: 'Vesting' })).toHaveProperty('disabled', true);
    expect(
      within(form).getByText('A plan’s kind cannot change: make a new plan for another kind.'),
    ).toBeTruthy();
    expect(input(/^Price a month/).value).toBe('10.00');
    await user.click(within(form).getByRole('radio', { name: 'Inactive' }));
    await submit();
    await waitFor(() => expect(router.state.location.pathname).toBe('/streams/producer'));
    expect(sentTo(pages, 'PATCH', `/api/streams/plans/${saved.id}`).map((sent) => sent.body)).toEqual([
      { status: 'inactive' },
    ]);
    const row = (await screen.findByRole('link', { name: 'Forecasts' })).closest('tr') as HTMLElement;
    await waitFor(() => expect(within(row).getByText('Inactive')).toBeTruthy());
  });

  it('is not offered for another producer’s plan', async () => {
    const { person: owner } = await producer();
    const theirs = await plan(owner, { ...tenDaiAMonth, name: 'Theirs' });
    const { person } = await producer();
    pages.signIn(person);
    await pages.render(`/streams/producer/plans/${theirs.id}`);
    expect(screen.getByText('This plan is not one of yours.')).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Change Theirs' })).toBeNull();
  });
});

describe('the consumers’ catalogue', () => {
  it('finds producers by a word, a page at a time, and shows a producer’s open plans, each with Subscribe to its checkout', async () => {
    const word = `zq${Date.now().toString(36)}`;
    const producers = [];
    for (let n = 1; n <= 25; n += 1) producers.push(await producer(`Radio ${word} ${n}`));
    const { person, producer: first } = producers[0]!;
    await plan(person, { ...tenDaiAMonth, name: 'Forecasts', background_color: '#212529' });
    const cliff = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await plan(person, {
      kind: 'vesting',
      name: 'Launch',
      token: 'USDCx',
      price: '86400000000000000000',
      period: 'day',
      cliff_at: cliff,
      start_amount: '25500000000000000000',
    });
    await plan(person, {
      kind: 'usage',
      name: 'Alerts',
      token: 'USDCx',
      usage_price: '50000000000000000',
      min_usage: 100,
      max_usage: 10_000,
      month_limit: 500,
    });
    await plan(person, { ...tenDaiAMonth, name: 'Paused', status: 'inactive' });

    pages.signIn(null);
    const { user, router } = await pages.render('/streams');
    const search = screen.getByRole('form', { name: 'Search producers' });
    await user.type(field(search, /^Search producers/), word);
    await user.click(within(search).getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(router.state.location.search).toBe(`?search=${word}`));
    const names = () =>
      screen.getAllByRole('article').map((card) => within(card).getByRole('heading').textContent);
    await waitFor(() => expect(names()).toHaveLength(24));
    expect(names()[0]).toBe(`Radio ${word} 1`);
    expect(within(screen.getAllByRole('article')[0]!).getByText('3 open plans')).toBeTruthy();
    expect(within(screen.getAllByRole('article')[1]!).getByText('No open plan')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'More producers' }));
    await waitFor(() => expect(names()).toHaveLength(25));
    expect(names()[24]).toBe(`Radio ${word} 25`);
    expect(screen.queryByRole('button', { name: 'More producers' })).toBeNull();
    expect(sentTo(pages, 'GET', `/api/streams/producers?search=${word}&limit=24`)).toHaveLength(1);

    await retype(user, field(search, /^Search producers/), `${word}nothing`);
    await user.click(within(search).getByRole('button', { name: 'Search' }));
    expect(await screen.findByText(`No producer matches “${word}nothing”`)).toBeTruthy();

    await retype(user, field(search, /^Search producers/), word);
    await user.click(within(search).getByRole('button', { name: 'Search' }));
    await user.click(await screen.findByRole('link', { name: `Radio ${word} 1` }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/streams/producers/${first.id}`));
    await screen.findByRole('heading', { level: 1, name: `Radio ${word} 1` });
    const cards = await screen.findAllByRole('article');
    expect(cards.map((card) => card.getAttribute('aria-label'))).toEqual(['Forecasts', 'Launch', 'Alerts']);
    const [forecasts, launch, alerts] = cards as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(forecasts).getByText('9.999999999999936 DAIx a month')).toBeTruthy();
    expect(within(forecasts).getByText('A month is 30 days.')).toBeTruthy();
    expect(fact(forecasts, 'Flow rate')).toBe('3,858,024,691,358 wei a second');
    // White on a dark card, for contrast.
    expect(colourBand(forecasts).style.color).toBe('rgb(255, 255, 255)');
    expect(within(launch).getByText('86.40 USDCx a day')).toBeTruthy();
    expect(fact(launch, 'Start amount')).toBe('25.50 USDCx, paid at the cliff');
    expect(fact(launch, 'Cliff date')).not.toBe('—');
    expect(within(alerts).getByText('0.05 USDCx a use')).toBeTruthy();
    expect(fact(alerts, 'Uses')).toBe('100 to 10,000 uses');
    expect(fact(alerts, 'Month limit')).toBe('500 uses a month');
    const planIds = (await ok(pages.tally, 200, 'GET', `/api/streams/producers/${first.id}`)).plans.map(
      (p: Body) => p.id,
    );
    cards.forEach((card, index) => {
      const subscribe = within(card).getByRole('link', { name: 'Subscribe' });
      expect(subscribe.getAttribute('href')).toBe(`/streams/plans/${planIds[index]}/checkout`);
    });
  });
});
