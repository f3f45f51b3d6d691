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
import { flowReference } from '../chain/flow-reference';
import { recordFlowUpdate } from '../subscriptions/flows';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally({ start: '2026-06-10T12:00:00Z' });
});

const wallet = () => `0x${randomBytes(20).toString('hex')}`;
const DAY = 86_400_000;

async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
  const response = await request(tally, method, path, { as, body });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer as Body;
}

describe('a producer’s statistics', () => {
  it('count the wallets streaming now, the monthly inflow per token, and how both moved day by day', async () => {
    const producer = await signedInPerson(tally);
    const receiver = wallet();
    await ok(201, producer, 'POST', '/api/streams/producer', {
      name: 'Weather Co',
      payout_address: receiver,
    });
    const plan = (name: string, token: string, price: string) =>
      ok(201, producer, 'POST', '/api/streams/producer/plans', {
        kind: 'stream',
        name,
        token,
        price,
        period: 'month',
      });
    // 2.592 tokens a month: one million million wei a second, exactly.
    const small = await plan('Small', 'DAIx', '2592000000000000000');
    const big = await plan('Big', 'USDCx', '25920000000000000000');
    await plan('Paused', 'DAIx', '2592000000000000000').then((p) =>
      ok(200, producer, 'PATCH', `/api/streams/plans/${p.id}`, { status: 'inactive' }),
    );
    expect(await ok(200, producer, 'GET', '/api/streams/producer/stats')).toMatchObject({
      active_plans: 2,
      consumers: 0,
      monthly_inflow: [],
    });

    /** A wallet checks a plan out and its flow is seen, as the follower records it. */
    const subscribe = async (planId: string, subscriber: string) => {
      const consumer = await signedInPerson(tally);
      const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${planId}/checkouts`, {
        subscriber_address: subscriber,
      });
      const flow = (id: string, rate: bigint) =>
        tally.database.db.transaction((tx) =>
          recordFlowUpdate(tx, {
            id,
            at: tally.clock.now(),
            token: checkout.token,
            sender: subscriber,
            receiver,
            flowRate: rate,
            userData: flowReference(checkout.id),
          }),
        );
      await flow(`${checkout.id}:open`, BigInt(checkout.flow_rate));
      return () => flow(`${checkout.id}:close`, 0n);
    };
    const ana = wallet();
    await subscribe(small.id, ana);
    tally.clock.advance(DAY);
    await subscribe(big.id, ana);
    const ben = wallet();
    const closeBen = await subscribe(small.id, ben);
    tally.clock.advance(DAY);
    await closeBen();

    const stats = await ok(200, producer, 'GET', '/api/streams/producer/stats');
    expect(stats).toMatchObject({
      active_plans: 2,
      consumers: 1,
      monthly_inflow: [
        { token: 'DAIx', wei: '2592000000000000000' },
        { token: 'USDCx', wei: '25920000000000000000' },
      ],
    });
    expect(stats.history).toHaveLength(30);
    expect(stats.history.slice(-4)).toEqual([
      { day: '2026-06-09', subscriptions: 0, monthly_inflow: [] },
      {
        day: '2026-06-10',
        subscriptions: 1,
        monthly_inflow: [{ token: 'DAIx', wei: '2592000000000000000' }],
      },
      {
        day: '2026-06-11',
        subscriptions: 3,
        monthly_inflow: [
          { token: 'DAIx', wei: '5184000000000000000' },
          { token: 'USDCx', wei: '25920000000000000000' },
        ],
      },
      {
        day: '2026-06-12',
        subscriptions: 2,
        monthly_inflow: [
          { token: 'DAIx', wei: '2592000000000000000' },
          { token: 'USDCx', wei: '25920000000000000000' },
        ],
      },
    ]);
    await ok(409, await signedInPerson(tally), 'GET', '/api/streams/producer/stats');
  });
});
