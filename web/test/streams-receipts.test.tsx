import { randomBytes } from 'node:crypto';
import { cleanup, screen, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowReference } from '../../src/streams/chain/flow-reference';
import { mirrorStreams } from '../../src/streams/ledger';
import { streamsDeps } from '../../src/streams/line';
import { recordFlowUpdate } from '../../src/streams/subscriptions/flows';
import { signedInPerson } from '../../test/support/app';
import { ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { tallyPages } from './support/pages';

/** Receipts on the subscriber's subscriptions page and on the producer's page, with their downloads. */

const pages = tallyPages({ start: '2026-06-10T12:00:00Z' });

beforeAll(async () => {
  installInputApis();
  await import('../src/lines/streams/StreamsPages');
});

const randomAddress = () => `0x${randomBytes(20).toString('hex')}`;

describe('receipts', () => {
  it('are listed for the subscriber and the producer, with PDF and CSV downloads and the month’s CSV', async () => {
    const owner = await signedInPerson(pages.tally);
    const payout = randomAddress();
    await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
      as: owner,
      body: { name: `Tides ${randomBytes(3).toString('hex')}`, payout_address: payout, vat_rate_bps: 2000 },
    });
    const plan = await ok(pages.tally, 201, 'POST', '/api/streams/producer/plans', {
      as: owner,
      body: {
        kind: 'stream',
        name: 'Forecasts',
        token: 'DAIx',
        price: '2592000000000000000',
        period: 'month',
      },
    });
    const consumer = await signedInPerson(pages.tally);
    const wallet = randomAddress();
    const checkout = await ok(pages.tally, 201, 'POST', `/api/streams/plans/${plan.id}/checkouts`, {
      as: consumer,
      body: { subscriber_address: wallet },
    });
    await pages.tally.database.db.transaction((tx) =>
      recordFlowUpdate(tx, {
        id: `${checkout.id}:open`,
        at: pages.tally.clock.now(),
        token: 'DAIx',
        sender: wallet,
        receiver: payout,
        flowRate: BigInt(checkout.flow_rate),
        userData: flowReference(checkout.id),
      }),
    );
    pages.tally.clock.set(new Date('2026-06-12T06:00:00Z'));
    await mirrorStreams(streamsDeps(pages.tally.context));
    const [receipt] = (await ok(pages.tally, 200, 'GET', '/api/streams/receipts', { as: consumer })).items;

    pages.signIn(consumer);
    await pages.render('/streams/subscriptions');
    const row = await screen.findByRole('row', { name: `Receipt ${receipt.number}` });
    expect(within(row).getByText('2026-06')).toBeTruthy();
    expect(within(row).getByText('Forecasts')).toBeTruthy();
    // 1.5 days at 10¹² wei a second.
    expect(within(row).getByText('0.1296 DAIx')).toBeTruthy();
    expect(within(row).getByText('0.13 USD')).toBeTruthy();
    expect(within(row).getByText('Booked so far')).toBeTruthy();
    expect(
      within(row)
        .getByRole('link', { name: `Download receipt ${receipt.number} as PDF` })
        .getAttribute('href'),
    ).toBe(`/api/streams/receipts/${receipt.number}?format=pdf`);

    cleanup();
    pages.signIn(owner);
    await pages.render('/streams/producer');
    const producerRow = await screen.findByRole('row', { name: `Receipt ${receipt.number}` });
    expect(within(producerRow).getByText(wallet)).toBeTruthy();
    expect(
      within(producerRow)
        .getByRole('link', { name: `Download receipt ${receipt.number} as CSV` })
        .getAttribute('href'),
    ).toBe(`/api/streams/producer/receipts/${receipt.number}?format=csv`);
    const month = screen.getByRole('link', { name: /^Download \d{4}-\d{2} as CSV$/ });
    expect(month.getAttribute('href')).toMatch(
      /^\/api\/streams\/producer\/receipts\/export\?month=\d{4}-\d{2}$/,
    );
  });

  it('say there is none yet', async () => {
    pages.signIn(await signedInPerson(pages.tally));
    await pages.render('/streams/subscriptions');
    expect(await screen.findByText('No receipt yet')).toBeTruthy();
  });
});
