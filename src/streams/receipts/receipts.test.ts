import { randomBytes } from 'node:crypto';
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
import { anonymousActor } from '../../core/actor';
import { parseCsv } from '../../core/csv';
import { flowReference } from '../chain/flow-reference';
import type { StreamsDeps } from '../deps';
import { mirrorStreams } from '../ledger';
import { streamsDeps } from '../line';
import { recordFlowUpdate } from '../subscriptions/flows';
import { RECEIPT_CSV_COLUMNS, receiptPdf } from './files';
import { fixedRatePrices, parPrices, type UsdPriceSource, usdPricesFromEnv } from './prices';
import { listMyReceipts, receiptNumber, vatIncluded } from './service';

let tally: TestTally;
let deps: StreamsDeps;

beforeAll(async () => {
  tally = await testTally({ start: '2026-06-10T12:00:00Z' });
  deps = streamsDeps(tally.context);
});

const actorOf = (person: TestPerson) => ({ ...anonymousActor(), userId: person.userId });
const wallet = () => `0x${randomBytes(20).toString('hex')}`;
// 2.592 DAI a month of 30 days: exactly 10¹² wei a second.
const RATE = 1_000_000_000_000n;

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

async function download(as: TestPerson, path: string) {
  const response = await request(tally, 'GET', path, { as });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

/** A producer with a DAIx plan at 10¹² wei a second, and a subscriber whose flow is seen now. */
async function streamingSubscription(producerBody: Body = {}) {
  const producer = await signedInPerson(tally);
  const receiver = wallet();
  const made = await ok(201, producer, 'POST', '/api/streams/producer', {
    name: 'Weather Co',
    payout_address: receiver,
    ...producerBody,
  });
  const plan = await ok(201, producer, 'POST', '/api/streams/producer/plans', {
    kind: 'stream',
    name: 'Forecasts',
    token: 'DAIx',
    price: '2592000000000000000',
    period: 'month',
  });
  const consumer = await signedInPerson(tally);
  const subscriber = wallet();
  const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
    subscriber_address: subscriber,
  });
  const flow = (id: string, rate: bigint) =>
    tally.database.db.transaction((tx) =>
      recordFlowUpdate(tx, {
        id: `${checkout.id}:${id}`,
        at: tally.clock.now(),
        token: 'DAIx',
        sender: subscriber,
        receiver,
        flowRate: rate,
        userData: flowReference(checkout.id),
      }),
    );
  await flow('open', RATE);
  const [subscription] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
  return { producer, made, plan, consumer, subscriber, subscription, close: () => flow('close', 0n) };
}

describe('receipts of what streamed', () => {
  it('give each month’s booked wei and its USD at par, with VAT inside, and say how far a month is booked', async () => {
    tally.clock.set(new Date('2026-06-10T12:00:00Z'));
    const s = await streamingSubscription({
      legal_name: 'Weather Company Ltd',
      postal_address: '1 Rain Street\nLondon',
      tax_id: 'GB123456789',
      vat_rate_bps: 2000,
    });
    // Nothing booked yet: no receipt.
    expect((await ok(200, s.consumer, 'GET', '/api/streams/receipts')).items).toEqual([]);

    // To 2026-07-02 06:00: June from the 10th at noon (20.5 days), and July 1st, are booked.
    tally.clock.set(new Date('2026-07-02T06:00:00Z'));
    await mirrorStreams(deps);
    const { items } = await ok(
      200,
      s.consumer,
      'GET',
      `/api/streams/receipts?subscription_id=${s.subscription.id}`,
    );
    expect(items.map((r: Body) => r.month)).toEqual(['2026-07', '2026-06']);
    const [july, june] = items;
    expect(june).toMatchObject({
      number: receiptNumber(s.made.id, s.subscription.id, '2026-06'),
      period: { from: '2026-06-01', to: '2026-06-30' },
      issued_on: '2026-07-01',
      complete: true,
      wei: String(RATE * 1_771_200n),
      // 1.7712 USD, half-up to the cent.
      usd_cents: '177',
      valuation: 'par',
      valuation_note: 'valued at par (1 DAIx = 1 USD)',
      // 20 % inside 1.77: 0.295 rounds half-up to 0.30.
      vat: { rate_bps: 2000, net_cents: '147', vat_cents: '30' },
      seller: {
        name: 'Weather Co',
        legal_name: 'Weather Company Ltd',
        postal_address: '1 Rain Street\nLondon',
        tax_id: 'GB123456789',
        payout_address: s.made.payout_address,
      },
      buyer: { wallet: s.subscriber },
      description:
        'Forecasts: streamed by the second from 2026-06-10 12:00:00 UTC to 2026-07-01 00:00:00 UTC',
    });
    expect(june.buyer.email).toBeTruthy();
    expect(june.note).toContain('already paid on chain');
    // July streams on: booked up to the start of today, said so, never guessed further.
    expect(july).toMatchObject({
      complete: false,
      booked_until: '2026-07-02T00:00:00.000Z',
      wei: String(RATE * 86_400n),
      usd_cents: '9',
      issued_on: '2026-07-02',
    });
    expect(july.coverage).toBe(
      'Covers what is booked up to 2026-07-02 00:00:00 UTC; the rest of the period is not booked yet.',
    );

    // Closed on July 3rd at 18:00: July is complete once the close is booked.
    tally.clock.set(new Date('2026-07-03T18:00:00Z'));
    await s.close();
    await mirrorStreams(deps);
    const [closedJuly] = (await ok(200, s.consumer, 'GET', '/api/streams/receipts')).items;
    expect(closedJuly).toMatchObject({
      number: july.number,
      complete: true,
      wei: String(RATE * (2n * 86_400n + 18n * 3600n)),
      issued_on: '2026-07-04',
    });
  });

  it('value other tokens at a rate per day of streaming, exactly, rounding once', async () => {
    tally.clock.set(new Date('2026-08-10T12:00:00Z'));
    const s = await streamingSubscription();
    tally.clock.set(new Date('2026-09-01T00:00:00Z'));
    await mirrorStreams(deps);
    // 1.5 USD a token every day: 1.8576 tokens (21.5 days) are 2.7864 USD.
    const fixed = await listMyReceipts(deps, fixedRatePrices({ DAIx: '1.5' }), actorOf(s.consumer));
    const [august] = fixed.filter((r) => r.subscriptionId === s.subscription.id);
    expect(august).toMatchObject({
      wei: RATE * 1_857_600n,
      usdCents: 279n,
      valuation: 'fixed_rate',
      vat: null,
    });
    // 1 USD until the 20th, 2 USD from then: 0.8208 + 2 × 1.0368 = 2.8944 USD.
    const changing: UsdPriceSource = {
      priceOn: (_token, day) => ({
        units: day < '2026-08-20' ? 100_000_000n : 200_000_000n,
        basis: 'fixed_rate',
      }),
    };
    const [valued] = (await listMyReceipts(deps, changing, actorOf(s.consumer))).filter(
      (r) => r.subscriptionId === s.subscription.id,
    );
    expect(valued!.usdCents).toBe(289n);
    expect(valued!.days).toHaveLength(22);
    // No price known: no dollars invented.
    const [unpriced] = await listMyReceipts(deps, { priceOn: () => null }, actorOf(s.consumer));
    expect(unpriced).toMatchObject({ usdCents: null, valuation: null, vat: null });
    expect(parPrices.priceOn('ETHx', '2026-08-01')).toBeNull();
  });

  it('read prices from STREAMS_USD_PRICES, refusing a malformed one at start', () => {
    const prices = usdPricesFromEnv({ STREAMS_USD_PRICES: '{"ETHx":"3120.55"}' });
    expect(prices.priceOn('ETHx', '2026-01-01')).toEqual({ units: 312_055_000_000n, basis: 'fixed_rate' });
    expect(prices.priceOn('DAIx', '2026-01-01')).toEqual({ units: 100_000_000n, basis: 'par' });
    expect(usdPricesFromEnv({}).priceOn('ETHx', '2026-01-01')).toBeNull();
    expect(() => usdPricesFromEnv({ STREAMS_USD_PRICES: '{"ETHx":3120}' })).toThrow(/STREAMS_USD_PRICES/);
    expect(() => usdPricesFromEnv({ STREAMS_USD_PRICES: '{"ETHx":"-1"}' })).toThrow(/STREAMS_USD_PRICES/);
    expect(() => usdPricesFromEnv({ STREAMS_USD_PRICES: '{"DAIx":"0.99"}' })).toThrow(/at par/);
    expect(() => usdPricesFromEnv({ STREAMS_USD_PRICES: 'ETHx=3120' })).toThrow(/JSON object/);
  });

  it('split VAT out of what was paid, half-up', () => {
    expect(vatIncluded(12_000n, 2000)).toEqual({ netCents: 10_000n, vatCents: 2_000n });
    expect(vatIncluded(177n, 2000)).toEqual({ netCents: 147n, vatCents: 30n });
    expect(vatIncluded(100n, 0)).toEqual({ netCents: 100n, vatCents: 0n });
  });

  it('download as PDF and CSV for the subscriber and the producer, a month as one CSV, and nobody else', async () => {
    tally.clock.set(new Date('2026-10-05T00:00:00Z'));
    const s = await streamingSubscription({ vat_rate_bps: 550 });
    tally.clock.set(new Date('2026-10-07T00:00:00Z'));
    await mirrorStreams(deps);
    const [receipt] = (await ok(200, s.consumer, 'GET', '/api/streams/receipts')).items;
    expect(receipt.wei).toBe(String(RATE * 2n * 86_400n));

    const pdf = await download(s.consumer, `/api/streams/receipts/${receipt.number}?format=pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const [full] = await listMyReceipts(deps, parPrices, actorOf(s.consumer));
    const text = (await receiptPdf(full!, { uncompressed: true })).toString('latin1');
    expect(text).toContain(receipt.number);

    const csv = await download(s.consumer, `/api/streams/receipts/${receipt.number}?format=csv`);
    expect(csv.status).toBe(200);
    const [header, row] = parseCsv(csv.bytes.toString('utf8'));
    expect(header!.fields).toEqual([...RECEIPT_CSV_COLUMNS]);
    const field = (name: string) => row!.fields[RECEIPT_CSV_COLUMNS.indexOf(name as never)];
    expect(field('receipt_number')).toBe(receipt.number);
    expect(field('amount_wei')).toBe('172800000000000000');
    expect(field('amount_tokens')).toBe('0.1728');
    expect(field('total_usd')).toBe('0.17');
    expect(field('vat_rate')).toBe('5.5 %');
    // 5.5 % inside 0.17: 0.00886… rounds to 0.01.
    expect([field('net_usd'), field('vat_usd')]).toEqual(['0.16', '0.01']);

    const asProducer = await download(
      s.producer,
      `/api/streams/producer/receipts/${receipt.number}?format=pdf`,
    );
    expect(asProducer.status).toBe(200);
    const listed = await ok(200, s.producer, 'GET', '/api/streams/producer/receipts?month=2026-10');
    expect(listed.items.map((r: Body) => r.number)).toEqual([receipt.number]);
    const month = await download(s.producer, '/api/streams/producer/receipts/export?month=2026-10');
    expect(month.status).toBe(200);
    const records = parseCsv(month.bytes.toString('utf8'));
    expect(records).toHaveLength(2);
    expect(records[1]!.fields[0]).toBe(receipt.number);
    await ok(400, s.producer, 'GET', '/api/streams/producer/receipts/export?month=2026-13');

    // A stranger, the subscriber at the producer's door, the producer at the subscriber's: none.
    const stranger = await signedInPerson(tally);
    await ok(404, stranger, 'GET', `/api/streams/receipts/${receipt.number}?format=pdf`);
    await ok(404, stranger, 'GET', `/api/streams/producer/receipts/${receipt.number}?format=csv`);
    await ok(404, s.consumer, 'GET', `/api/streams/producer/receipts/${receipt.number}?format=pdf`);
    await ok(404, s.producer, 'GET', `/api/streams/receipts/${receipt.number}?format=pdf`);
    await ok(404, s.consumer, 'GET', '/api/streams/receipts/S-202610-0000000000000000?format=pdf');
    expect(
      (await ok(200, stranger, 'GET', `/api/streams/receipts?subscription_id=${s.subscription.id}`)).items,
    ).toEqual([]);
    await ok(409, stranger, 'GET', '/api/streams/producer/receipts');
  });

  it('keep the producer’s receipt fields, validated', async () => {
    const person = await signedInPerson(tally);
    await ok(400, person, 'POST', '/api/streams/producer', {
      name: 'Too much VAT',
      payout_address: wallet(),
      vat_rate_bps: 10_001,
    });
    const made = await ok(201, person, 'POST', '/api/streams/producer', {
      name: 'Tides',
      payout_address: wallet(),
      tax_id: 'FR12345678901',
    });
    expect(made).toMatchObject({ tax_id: 'FR12345678901', legal_name: null, vat_rate_bps: null });
    const changed = await ok(200, person, 'PATCH', '/api/streams/producer', {
      vat_rate_bps: 2000,
      legal_name: 'Tides SAS',
      tax_id: '',
    });
    expect(changed).toMatchObject({ vat_rate_bps: 2000, legal_name: 'Tides SAS', tax_id: null });
    await ok(400, person, 'PATCH', '/api/streams/producer', { tax_id: 'x'.repeat(51) });
    // The fields receipts carry stay the producer's own: the public page and the catalogue show none.
    const page = await ok(200, await signedInPerson(tally), 'GET', `/api/streams/producers/${made.id}`);
    expect(Object.keys(page.producer).sort()).toEqual([
      'created_at',
      'description',
      'id',
      'name',
      'payout_address',
      'site',
    ]);
  });
});
