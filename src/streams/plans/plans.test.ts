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
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const PAYOUT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa5a4b3300000000049454e44ae426082',
  'hex',
);

async function call(as: TestPerson | null, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as: as ?? undefined, body });
  return { status: response.status, body: await read(response) };
}

async function ok(status: number, as: TestPerson | null, method: string, path: string, body?: unknown) {
  const answer = await call(as, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body as Body;
}

async function refused(
  code: string,
  status: number,
  as: TestPerson | null,
  method: string,
  path: string,
  body?: unknown,
) {
  const answer = await call(as, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.code).toBe(code);
  return answer.body.error as Body;
}

async function producer(name = 'Weather Co') {
  const person = await signedInPerson(tally);
  const made = await ok(201, person, 'POST', '/api/streams/producer', {
    name,
    site: 'weather.example',
    description: 'Forecasts by the minute',
    payout_address: PAYOUT,
  });
  return { person, producer: made };
}

const hourFromNow = () => new Date(tally.clock.now().getTime() + 3_600_000).toISOString();

describe('a producer', () => {
  it('registers once, with the payout wallet kept lower case, and edits the profile', async () => {
    const person = await signedInPerson(tally);
    expect(await ok(200, person, 'GET', '/api/streams/producer')).toEqual({ producer: null });
    await refused('producer_required', 409, person, 'GET', '/api/streams/producer/plans');
    const bad = await refused('validation_failed', 400, person, 'POST', '/api/streams/producer', {
      name: 'Weather Co',
      payout_address: '0x1234',
    });
    expect(JSON.stringify(bad.details)).toContain('payout_address');
    const made = await ok(201, person, 'POST', '/api/streams/producer', {
      name: ' Weather Co ',
      site: 'weather.example',
      payout_address: PAYOUT,
    });
    expect(made).toMatchObject({
      name: 'Weather Co',
      site: 'weather.example',
      description: '',
      payout_address: PAYOUT.toLowerCase(),
    });
    await refused('producer_exists', 409, person, 'POST', '/api/streams/producer', {
      name: 'Again',
      payout_address: PAYOUT,
    });
    const edited = await ok(200, person, 'PATCH', '/api/streams/producer', {
      description: 'Forecasts by the minute',
    });
    expect(edited).toMatchObject({ name: 'Weather Co', description: 'Forecasts by the minute' });
    expect((await ok(200, person, 'GET', '/api/streams/producer')).producer.id).toBe(made.id);
    await refused('unauthorized', 401, null, 'POST', '/api/streams/producer', {
      name: 'X',
      payout_address: PAYOUT,
    });
  });

  it('is found by consumers by a word of its name, site or description, with its open plans only', async () => {
    const word = `zq${Date.now().toString(36)}`;
    const { person, producer: made } = await producer(`Radio ${word}`);
    const visitor = null;
    const found = await ok(200, visitor, 'GET', `/api/streams/producers?search=${word}`);
    expect(found.items.map((p: Body) => [p.id, p.open_plans])).toEqual([[made.id, 0]]);
    expect(
      (await ok(200, visitor, 'GET', `/api/streams/producers?search=${word.toUpperCase()}`)).items,
    ).toHaveLength(1);
    expect((await ok(200, visitor, 'GET', '/api/streams/producers?search=%25%25%25nothing')).items).toEqual(
      [],
    );

    const base = { kind: 'stream', token: 'DAIx', price: '10000000000000000000', period: 'month' };
    await ok(201, person, 'POST', '/api/streams/producer/plans', { ...base, name: 'Open' });
    await ok(201, person, 'POST', '/api/streams/producer/plans', {
      ...base,
      name: 'Paused',
      status: 'inactive',
    });
    await ok(201, person, 'POST', '/api/streams/producer/plans', {
      ...base,
      name: 'Later',
      starts_at: hourFromNow(),
    });
    const page = await ok(200, visitor, 'GET', `/api/streams/producers/${made.id}`);
    expect(page.plans.map((p: Body) => p.name)).toEqual(['Open']);
    expect((await ok(200, visitor, 'GET', `/api/streams/producers?search=${word}`)).items[0].open_plans).toBe(
      1,
    );
    const mine = await ok(200, person, 'GET', '/api/streams/producer/plans');
    expect(mine.items.map((p: Body) => [p.name, p.open])).toEqual([
      ['Open', true],
      ['Paused', false],
      ['Later', false],
    ]);
  });

  it('lists producers a page at a time', async () => {
    const word = `pg${Date.now().toString(36)}`;
    for (const n of [1, 2, 3]) await producer(`Page ${word} ${n}`);
    const first = await ok(200, null, 'GET', `/api/streams/producers?search=${word}&limit=2`);
    expect(first.items.map((p: Body) => p.name)).toEqual([`Page ${word} 1`, `Page ${word} 2`]);
    const second = await ok(
      200,
      null,
      'GET',
      `/api/streams/producers?search=${word}&limit=2&after=${first.next}`,
    );
    expect(second.items.map((p: Body) => p.name)).toEqual([`Page ${word} 3`]);
    expect(second.next).toBeNull();
  });
});

describe('a plan', () => {
  it('streams 10 DAI a month (30 days) at the seed’s 3,858,024,691,358 wei a second', async () => {
    const { person, producer: made } = await producer();
    const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
      kind: 'stream',
      name: 'Forecasts',
      external_link: 'https://weather.example/plans',
      description: 'Every forecast, every minute',
      total_supply: 100,
      token: 'DAIx',
      price: '10000000000000000000',
      period: 'month',
      month_limit: 10_000,
      background_color: '#2F9E44',
    });
    expect(plan).toMatchObject({
      producer_id: made.id,
      kind: 'stream',
      total_supply: 100,
      token: { symbol: 'DAIx', underlying: 'DAI', decimals: 18 },
      status: 'active',
      open: true,
      stream: {
        price: '10000000000000000000',
        period: 'month',
        period_seconds: 2_592_000,
        flow_rate: '3858024691358',
        per_period: '9999999999999936000',
      },
      vesting: null,
      usage: null,
      month_limit: 10_000,
      grace_seconds: 259_200,
      background_color: '#2f9e44',
      image_url: null,
    });
    expect(await ok(200, null, 'GET', `/api/streams/plans/${plan.id}`)).toEqual(plan);
  });

  it('of each kind takes its own fields and refuses another kind’s, naming the field; a refusal changes nothing', async () => {
    const { person } = await producer();
    const before = await snapshotTables(tally.database.db, []);
    const cases: [Body, string, string][] = [
      [{ kind: 'stream', name: 'S', token: 'DAIx', period: 'month' }, 'validation_failed', 'price'],
      [
        { kind: 'stream', name: 'S', token: 'DAIx', price: '10000000000000000000' },
        'validation_failed',
        'period',
      ],
      [
        { kind: 'stream', name: 'S', token: 'DAIx', price: '1000', period: 'month' },
        'validation_failed',
        'price',
      ],
      [
        {
          kind: 'stream',
          name: 'S',
          token: 'DAIx',
          price: '10000000000000000000',
          period: 'month',
          cliff_at: hourFromNow(),
        },
        'plan_kind_fixed',
        'cliff_at',
      ],
      [
        {
          kind: 'stream',
          name: 'S',
          token: 'DAIx',
          price: '10000000000000000000',
          period: 'month',
          usage_price: '1000000000000000000',
        },
        'plan_kind_fixed',
        'usage_price',
      ],
      [
        {
          kind: 'vesting',
          name: 'V',
          token: 'USDCx',
          price: '10000000000000000000',
          period: 'day',
          start_amount: '5000000000000000000',
        },
        'validation_failed',
        'cliff_at',
      ],
      [
        {
          kind: 'vesting',
          name: 'V',
          token: 'USDCx',
          price: '10000000000000000000',
          period: 'day',
          start_amount: '5000000000000000000',
          cliff_at: '2020-01-01T00:00:00Z',
        },
        'validation_failed',
        'cliff_at',
      ],
      [
        { kind: 'usage', name: 'U', token: 'USDCx', usage_price: '100000000000000000', min_usage: 10 },
        'validation_failed',
        'max_usage',
      ],
      [
        {
          kind: 'usage',
          name: 'U',
          token: 'USDCx',
          usage_price: '100000000000000000',
          min_usage: 10,
          max_usage: 5,
        },
        'validation_failed',
        'max_usage',
      ],
      [
        { kind: 'usage', name: 'U', token: 'USDCx', usage_price: '0', min_usage: 1, max_usage: 5 },
        'validation_failed',
        'usage_price',
      ],
      [
        {
          kind: 'usage',
          name: 'U',
          token: 'USDCx',
          usage_price: '1000000000000000000',
          min_usage: 1,
          max_usage: 5,
          price: '3000000000000000000',
          period: 'day',
        },
        'plan_kind_fixed',
        'price',
      ],
    ];
    for (const [body, code, field] of cases) {
      const error = await refused(
        code,
        code === 'plan_kind_fixed' ? 409 : 400,
        person,
        'POST',
        '/api/streams/producer/plans',
        body,
      );
      expect(error.details?.field, JSON.stringify(body)).toBe(field);
    }
    await refused('validation_failed', 400, person, 'POST', '/api/streams/producer/plans', {
      kind: 'stream',
      name: 'S',
      token: 'ETH',
      price: '1000000000000000000',
      period: 'day',
    });
    await expectUnchanged(tally.database.db, before);
  });

  it('vests: nothing flows before the cliff date, then the start amount and the stream', async () => {
    const { person } = await producer();
    const cliff = new Date(tally.clock.now().getTime() + 30 * 86_400_000).toISOString();
    const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
      kind: 'vesting',
      name: 'Launch',
      token: 'USDCx',
      price: '86400000000000000000',
      period: 'day',
      cliff_at: cliff,
      start_amount: '25500000000000000000',
    });
    expect(plan).toMatchObject({
      kind: 'vesting',
      token: { symbol: 'USDCx', underlying: 'USDC' },
      stream: { flow_rate: '1000000000000000', per_period: '86400000000000000000' },
      vesting: { cliff_at: cliff, start_amount: '25500000000000000000' },
    });
  });

  it('sells a number of uses between its limits at a price each', async () => {
    const { person } = await producer();
    const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
      kind: 'usage',
      name: 'Credits',
      token: 'USDCx',
      usage_price: '50000000000000000',
      min_usage: 100,
      max_usage: 10_000,
    });
    expect(plan).toMatchObject({
      kind: 'usage',
      stream: null,
      vesting: null,
      usage: { usage_price: '50000000000000000', min_usage: 100, max_usage: 10_000 },
    });
  });

  it('is changed by its producer only, never its kind; inactive closes it to new subscribers', async () => {
    const { person, producer: made } = await producer();
    const other = await producer('Someone else');
    const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
      kind: 'stream',
      name: 'Forecasts',
      token: 'DAIx',
      price: '10000000000000000000',
      period: 'month',
    });
    const path = `/api/streams/plans/${plan.id}`;
    await refused('not_found', 404, other.person, 'PATCH', path, { name: 'Mine now' });
    await refused('producer_required', 409, await signedInPerson(tally), 'PATCH', path, { name: 'Mine now' });
    await refused('plan_kind_fixed', 409, person, 'PATCH', path, { kind: 'usage' });
    const changed = await ok(200, person, 'PATCH', path, {
      price: '3600000000000000000',
      period: 'hour',
      status: 'inactive',
    });
    expect(changed).toMatchObject({
      name: 'Forecasts',
      status: 'inactive',
      open: false,
      stream: { flow_rate: '1000000000000000' },
    });
    expect((await ok(200, null, 'GET', `/api/streams/producers/${made.id}`)).plans).toEqual([]);
    const back = await ok(200, person, 'PATCH', path, { status: 'active' });
    expect(back.open).toBe(true);
  });

  it('keeps a vesting plan’s cliff and start amount while checkouts of it wait for the cliff', async () => {
    const { person } = await producer();
    const cliff = new Date(tally.clock.now().getTime() + 7 * 86_400_000).toISOString();
    const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
      kind: 'vesting',
      name: 'Launch',
      token: 'DAIx',
      price: '10000000000000000000',
      period: 'month',
      cliff_at: cliff,
      start_amount: '5000000000000000000',
    });
    const path = `/api/streams/plans/${plan.id}`;
    const consumer = await signedInPerson(tally);
    const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
      subscriber_address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    });
    const before = await snapshotTables(tally.database.db, []);
    const later = new Date(Date.parse(cliff) + 86_400_000).toISOString();
    expect(
      (await refused('vesting_terms_held', 409, person, 'PATCH', path, { cliff_at: later })).details,
    ).toEqual({
      field: 'cliff_at',
      waiting: 1,
    });
    expect(
      (
        await refused('vesting_terms_held', 409, person, 'PATCH', path, {
          start_amount: '6000000000000000000',
        })
      ).details,
    ).toEqual({ field: 'start_amount', waiting: 1 });
    await expectUnchanged(tally.database.db, before);
    // The other fields, and the same terms again, change as ever.
    expect(
      await ok(200, person, 'PATCH', path, {
        name: 'Launch day',
        cliff_at: cliff,
        start_amount: '5000000000000000000',
      }),
    ).toMatchObject({
      name: 'Launch day',
      vesting: { cliff_at: cliff, start_amount: '5000000000000000000' },
    });

    // Once none waits, the terms are free again.
    await ok(200, consumer, 'POST', `/api/streams/checkouts/${checkout.id}/cancel`);
    expect(
      await ok(200, person, 'PATCH', path, { cliff_at: later, start_amount: '6000000000000000000' }),
    ).toMatchObject({
      vesting: { cliff_at: later, start_amount: '6000000000000000000' },
    });
  });

  it('shows its card image to anyone; only its producer sets it', async () => {
    const { person } = await producer();
    const other = await producer('Someone else');
    const plan = await ok(201, person, 'POST', '/api/streams/producer/plans', {
      kind: 'stream',
      name: 'Forecasts',
      token: 'DAIx',
      price: '10000000000000000000',
      period: 'month',
    });
    const upload = (as: TestPerson) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(PNG)]), 'card.png');
      return tally.http.request(`/api/streams/plans/${plan.id}/photo`, {
        method: 'PUT',
        headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
        body: form,
      });
    };
    expect((await upload(other.person)).status).toBe(404);
    const saved = await read(await upload(person));
    expect(saved.image_url).toBe(`/api/streams/plans/${plan.id}/photo`);
    const image = await tally.http.request(saved.image_url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
  });
});
