import { randomBytes } from 'node:crypto';
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
} from '../../test/support/app';
import { queryRows } from '../core/database';
import { flowReference } from './chain/flow-reference';
import { mirrorStreams, streamsAccountIds } from './ledger';
import { streamsDeps } from './line';
import { recordFlowUpdate } from './subscriptions/flows';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally({ start: '2026-06-10T12:00:00Z' });
});

const wallet = () => `0x${randomBytes(20).toString('hex')}`;
const HOUR = 3_600_000;
// 2.592 DAI a month of 30 days: exactly 10¹² wei a second.
const RATE = 1_000_000_000_000n;

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

async function streamed(subscriptionId: string) {
  return queryRows<{ amount: string; from: string; to: string }>(
    tally.database.db,
    sql`SELECT amount::text, metadata->>'from' AS "from", metadata->>'to' AS "to" FROM ledger_transfers
        WHERE metadata->>'subscription_id' = ${subscriptionId} ORDER BY seq`,
  );
}

describe('what streamed, in the ledger', () => {
  it('is booked per subscription and UTC day from the flow rate and the chain’s times, once, and up to the close', async () => {
    const producer = await signedInPerson(tally);
    const receiver = wallet();
    const made = await ok(201, producer, 'POST', '/api/streams/producer', {
      name: 'Weather Co',
      payout_address: receiver,
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
          id,
          at: tally.clock.now(),
          token: 'DAIx',
          sender: subscriber,
          receiver,
          flowRate: rate,
          userData: flowReference(checkout.id),
        }),
      );
    await flow('open', RATE); // 2026-06-10 12:00
    const [subscription] = (await ok(200, consumer, 'GET', '/api/streams/subscriptions')).items;
    const deps = streamsDeps(tally.context);

    // The same day: nothing is complete yet.
    expect(await mirrorStreams(deps)).toBe(0);
    // Two days on, at 12:00: the rest of the first day and the whole second one.
    tally.clock.advance(48 * HOUR);
    expect(await mirrorStreams(deps)).toBe(1);
    expect(await streamed(subscription.id)).toEqual([
      { amount: String(RATE * 43_200n), from: '2026-06-10T12:00:00.000Z', to: '2026-06-11T00:00:00.000Z' },
      { amount: String(RATE * 86_400n), from: '2026-06-11T00:00:00.000Z', to: '2026-06-12T00:00:00.000Z' },
    ]);
    // Again: nothing more.
    expect(await mirrorStreams(deps)).toBe(0);

    // Closed at 18:00 on the 12th: the last stretch is booked at once.
    tally.clock.advance(6 * HOUR);
    await flow('close', 0n);
    expect(await mirrorStreams(deps)).toBe(1);
    const booked = await streamed(subscription.id);
    expect(booked.at(-1)).toEqual({
      amount: String(RATE * 64_800n),
      from: '2026-06-12T00:00:00.000Z',
      to: '2026-06-12T18:00:00.000Z',
    });
    expect(await mirrorStreams(deps)).toBe(0);

    // The producer's account holds what streamed: the rate over the 54 hours it ran, to the wei.
    const total = RATE * 54n * 3600n;
    const [account] = await queryRows<{ credits: string; debits: string }>(
      tally.database.db,
      sql`SELECT credits_posted::text AS credits, debits_posted::text AS debits FROM ledger_accounts
          WHERE id = ${streamsAccountIds.producer('DAIx', made.id)}`,
    );
    expect(account).toEqual({ credits: String(total), debits: '0' });
    const stats = await ok(200, producer, 'GET', '/api/streams/producer/stats');
    expect(stats.streamed).toEqual([{ token: 'DAIx', wei: String(total) }]);
  });
});
