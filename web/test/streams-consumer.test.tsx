import { randomBytes } from 'node:crypto';
import { screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowReference } from '../../src/streams/chain/flow-reference';
import { recordFlowUpdate } from '../../src/streams/subscriptions/flows';
import { recordUsagePayment } from '../../src/streams/usage/payments';
import { type Body, signedInPerson, type TestPerson } from '../../test/support/app';
import { ok } from '../../test/support/credits';
import { fact, installInputApis } from './support/credits-stage';
import { tallyPages } from './support/pages';

/**
 * A consumer's pages of the streams line that need no wallet: a plan's checkout when it cannot take
 * the person (paused, or no chain to stream on), and the person's subscriptions as the follower
 * records them. The checkout with a wallet is walked in the browser journey.
 */

const pages = tallyPages({ start: new Date().toISOString() });

beforeAll(async () => {
  installInputApis();
  await import('../src/lines/streams/StreamsPages');
});

const tenDaiAMonth = { kind: 'stream', token: 'DAIx', price: '10000000000000000000', period: 'month' };

const randomAddress = () => `0x${randomBytes(20).toString('hex')}`;

/** A plan of a new producer, paid to a wallet of its own. */
async function producerPlan(body: Body): Promise<Body> {
  const person = await signedInPerson(pages.tally);
  await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
    as: person,
    body: { name: `Weather ${randomBytes(3).toString('hex')}`, payout_address: randomAddress() },
  });
  return ok(pages.tally, 201, 'POST', '/api/streams/producer/plans', { as: person, body });
}

/** The follower's record of a flow update from `sender`, naming the checkout (or none). */
function flowSeen(sender: string, receiver: string, flowRate: bigint, checkoutId: string | null, id: string) {
  return pages.tally.database.db.transaction((tx) =>
    recordFlowUpdate(tx, {
      id,
      at: pages.tally.clock.now(),
      token: 'DAIx',
      sender,
      receiver,
      flowRate,
      userData: checkoutId ? flowReference(checkoutId) : '0x',
    }),
  );
}

describe('a plan’s checkout page', () => {
  it('says a paused plan takes no subscribers, and offers no checkout', async () => {
    const plan = await producerPlan({ ...tenDaiAMonth, name: 'Paused', status: 'inactive' });
    pages.signIn(await signedInPerson(pages.tally));
    await pages.render(`/streams/plans/${plan.id}/checkout`);
    await screen.findByRole('heading', { level: 1, name: 'Subscribe to Paused' });
    expect(await screen.findByText('This plan takes no subscribers now')).toBeTruthy();
    expect(screen.getByText('Its producer paused it.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Check out/ })).toBeNull();
  });

  it('says so when this Tally has no chain to stream on', async () => {
    const plan = await producerPlan({ ...tenDaiAMonth, name: 'Forecasts' });
    pages.signIn(await signedInPerson(pages.tally));
    await pages.render(`/streams/plans/${plan.id}/checkout`);
    await screen.findByRole('heading', { level: 1, name: 'Subscribe to Forecasts' });
    expect(
      await screen.findByText(/This Tally runs without a chain, so no stream can start now/),
    ).toBeTruthy();
    // The plan's card is there all the same, with its price.
    expect(screen.getByText('9.999999999999936 DAIx a month')).toBeTruthy();
  });

  it('asks a visitor to log in first', async () => {
    const plan = await producerPlan({ ...tenDaiAMonth, name: 'Forecasts' });
    pages.signIn(null);
    const { router } = await pages.render(`/streams/plans/${plan.id}/checkout`);
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
  });
});

describe('your subscriptions', () => {
  let consumer: TestPerson;
  beforeAll(async () => {
    consumer = await signedInPerson(pages.tally);
  });

  it('says there is none yet, and leads to the producers', async () => {
    pages.signIn(await signedInPerson(pages.tally));
    await pages.render('/streams/subscriptions');
    expect(await screen.findByText('No subscription yet')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Find a producer' }).getAttribute('href')).toBe('/streams');
    expect(screen.getByRole('tab', { name: 'Your subscriptions', selected: true })).toBeTruthy();
  });

  it('shows a streaming plan with what it costs a month, and a closed one with Subscribe again', async () => {
    const forecasts = await producerPlan({ ...tenDaiAMonth, name: 'Forecasts' });
    const alerts = await producerPlan({ ...tenDaiAMonth, name: 'Alerts', price: '30000000000000000000' });
    const wallet = randomAddress();
    const take = async (plan: Body) => {
      const checkout = await ok(pages.tally, 201, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
        as: consumer,
        body: { subscriber_address: wallet },
      });
      await flowSeen(
        wallet,
        checkout.receiver_address,
        BigInt(checkout.flow_rate),
        checkout.id,
        `${checkout.id}:open`,
      );
      return checkout;
    };
    await take(forecasts);
    const second = await take(alerts);
    // The wallet deletes its flow to the second producer: that subscription closes.
    await flowSeen(wallet, second.receiver_address, 0n, null, `${second.id}:close`);

    pages.signIn(consumer);
    await pages.render('/streams/subscriptions');
    const card = async (name: RegExp) =>
      (await screen.findAllByRole('article')).find((a) => name.test(a.getAttribute('aria-label') ?? ''))!;
    const streaming = await card(/^Forecasts from/);
    expect(within(streaming).getByText('Streaming')).toBeTruthy();
    expect(fact(streaming, 'Streams')).toBe(
      '9.999999999999936 DAIx a month (3,858,024,691,358 wei a second)',
    );
    expect(fact(streaming, 'From your wallet')).toBe(wallet);
    expect(within(streaming).queryByRole('link', { name: 'Subscribe again' })).toBeNull();
    const subscriptionId = (
      await ok(pages.tally, 200, 'GET', '/api/streams/subscriptions', { as: consumer })
    ).items.find((item: Body) => item.plan.id === forecasts.id).id;
    expect(within(streaming).getByRole('link', { name: 'Change plan' }).getAttribute('href')).toBe(
      `/streams/subscriptions/${subscriptionId}/change`,
    );
    expect(within(streaming).getByRole('link', { name: 'Cancel' }).getAttribute('href')).toBe(
      `/streams/subscriptions/${subscriptionId}/cancel`,
    );
    const closed = await card(/^Alerts from/);
    expect(within(closed).queryByText('Streaming')).toBeNull();
    // The badge and the moment it closed.
    expect(within(closed).getAllByText('Closed')).toHaveLength(2);
    expect(fact(closed, 'Closed')).not.toBe('never');
    expect(within(closed).getByRole('link', { name: 'Subscribe again' }).getAttribute('href')).toBe(
      `/streams/plans/${alerts.id}/checkout`,
    );
  });

  it('offers the producer’s other stream plans in the same token to move to, and ends at the wallet on a chainless Tally', async () => {
    const owner = await signedInPerson(pages.tally);
    const payout = randomAddress();
    await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
      as: owner,
      body: { name: `Tides ${randomBytes(3).toString('hex')}`, payout_address: payout },
    });
    const make = (body: Body) =>
      ok(pages.tally, 201, 'POST', '/api/streams/producer/plans', { as: owner, body });
    const basic = await make({ ...tenDaiAMonth, name: 'Basic' });
    await make({ ...tenDaiAMonth, name: 'Pro', price: '30000000000000000000' });
    await make({ ...tenDaiAMonth, name: 'Dollar plan', token: 'USDCx' });
    const wallet = randomAddress();
    const checkout = await ok(pages.tally, 201, 'POST', `/api/streams/plans/${basic.id}/checkouts`, {
      as: consumer,
      body: { subscriber_address: wallet },
    });
    await flowSeen(wallet, payout, BigInt(checkout.flow_rate), checkout.id, `${checkout.id}:open`);
    const subscription = (
      await ok(pages.tally, 200, 'GET', '/api/streams/subscriptions', { as: consumer })
    ).items.find((item: Body) => item.plan.id === basic.id);

    pages.signIn(consumer);
    const { user } = await pages.render(`/streams/subscriptions/${subscription.id}/change`);
    await screen.findByRole('heading', { level: 1, name: 'Change Basic' });
    const choices = await screen.findAllByRole('radio');
    // Pro only: not the plan it is on, nor a plan paid in another token.
    expect(choices).toHaveLength(1);
    await user.click(screen.getByRole('radio', { name: /^Pro — 29\.999999999999808 DAIx a month$/ }));
    expect(
      await screen.findByText(/This Tally runs without a chain, so no stream can change now/),
    ).toBeTruthy();

    pages.signIn(await signedInPerson(pages.tally));
    await pages.render(`/streams/subscriptions/${subscription.id}/cancel`);
    expect(await screen.findByText('No such subscription')).toBeTruthy();
  });

  it('shows a usage plan’s uses left, with Buy more uses', async () => {
    const alerts = await producerPlan({
      kind: 'usage',
      name: 'Alert pack',
      token: 'USDCx',
      usage_price: '50000000000000000',
      min_usage: 10,
      max_usage: 1000,
    });
    const wallet = randomAddress();
    const checkout = await ok(pages.tally, 201, 'POST', `/api/streams/plans/${alerts.id}/checkouts`, {
      as: consumer,
      body: { subscriber_address: wallet, uses: 25 },
    });
    // The follower's record of the wallet's one-step payment.
    await pages.tally.database.db.transaction((tx) =>
      recordUsagePayment(tx, {
        id: `${checkout.id}:paid`,
        at: pages.tally.clock.now(),
        token: 'USDCx',
        from: wallet,
        to: checkout.receiver_address,
        amount: BigInt(checkout.amount),
        data: flowReference(checkout.id),
      }),
    );
    pages.signIn(consumer);
    await pages.render('/streams/subscriptions');
    const card = (await screen.findAllByRole('article')).find((a) =>
      /^Alert pack from/.test(a.getAttribute('aria-label') ?? ''),
    )!;
    expect(within(card).getAllByText('Uses left')).toHaveLength(2);
    expect(fact(card, 'Uses left')).toBe('25 of 25 bought (0 used)');
    expect(within(card).getByRole('link', { name: 'Buy more uses' }).getAttribute('href')).toBe(
      `/streams/plans/${alerts.id}/checkout`,
    );
    expect(within(card).queryByRole('link', { name: 'Change plan' })).toBeNull();
  });
});
