import { screen, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInPerson } from '../../test/support/app';
import { ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { tallyPages } from './support/pages';

/** The producer's "Embed" dialog: the plan's card as an iframe or a script tag, ready to copy, and its preview. */

const pages = tallyPages();

beforeAll(async () => {
  installInputApis();
  await import('../src/lines/streams/StreamsPages');
});

const PAYOUT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';

describe('embedding a plan’s card', () => {
  it('gives the iframe and the script tag of each plan, with copy buttons and a live preview', async () => {
    const person = await signedInPerson(pages.tally);
    await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
      as: person,
      body: { name: 'Weather Co', payout_address: PAYOUT },
    });
    const plan = await ok(pages.tally, 201, 'POST', '/api/streams/producer/plans', {
      as: person,
      body: {
        kind: 'stream',
        name: 'Rain & "Sun"',
        token: 'DAIx',
        price: '10000000000000000000',
        period: 'month',
      },
    });
    pages.signIn(person);
    const { user } = await pages.render('/streams/producer');

    await user.click(await screen.findByRole('button', { name: 'Embed Rain & "Sun"' }));
    const dialog = await screen.findByRole('dialog', { name: 'Embed Rain & "Sun"' });
    const origin = window.location.origin;
    const widget = `${origin}/api/streams/plans/${plan.id}/widget`;
    expect(within(dialog).getByLabelText('Iframe snippet').textContent).toBe(
      `<iframe src="${widget}" title="Rain &amp; &quot;Sun&quot;, a plan on Tally" width="360" height="440" loading="lazy" style="border:0;max-width:100%"></iframe>`,
    );
    expect(within(dialog).getByLabelText('Script tag snippet').textContent).toBe(
      `<script src="${origin}/api/streams/widget.js" data-plan="${plan.id}" async></script>`,
    );
    expect(within(dialog).getByRole('button', { name: 'Copy iframe snippet' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Copy script tag snippet' })).toBeTruthy();
    const preview = within(dialog).getByTitle('Preview of the card of Rain & "Sun"');
    expect(preview.tagName).toBe('IFRAME');
    expect(preview.getAttribute('src')).toBe(widget);
    expect(within(dialog).queryByText(/takes no subscribers now/)).toBeNull();
  });

  it('warns that an inactive plan’s card shows no Subscribe button', async () => {
    const person = await signedInPerson(pages.tally);
    await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
      as: person,
      body: { name: 'Paused Co', payout_address: PAYOUT },
    });
    await ok(pages.tally, 201, 'POST', '/api/streams/producer/plans', {
      as: person,
      body: {
        kind: 'stream',
        name: 'Paused',
        token: 'DAIx',
        price: '10000000000000000000',
        period: 'month',
        status: 'inactive',
      },
    });
    pages.signIn(person);
    const { user } = await pages.render('/streams/producer');
    await user.click(await screen.findByRole('button', { name: 'Embed Paused' }));
    const dialog = await screen.findByRole('dialog', { name: 'Embed Paused' });
    expect(within(dialog).getByText(/takes no subscribers now/)).toBeTruthy();
  });
});
