import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { screen, waitFor, within } from '@testing-library/react';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log';
import { deliverDueWebhooks } from '../../src/core/webhooks/jobs';
import { webhookEndpoints } from '../../src/core/webhooks/schema';
import { verifyWebhookSignature } from '../../src/core/webhooks/signature';
import { signedInPerson, type TestPerson } from '../../test/support/app';
import { ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';

/**
 * The producer page's Webhooks section: a producer adds an endpoint (its URL and events), stores the
 * secret shown once, tests it, follows the delivery log as the delivery goes out, opens its attempts,
 * redelivers it, disables, rotates and deletes the endpoint.
 */

const pages = tallyPages({ start: new Date().toISOString() });

let server: http.Server;
let receiverUrl: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  installInputApis();
  await import('../src/lines/streams/StreamsPages');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('received');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tally`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A public address, as the API takes for a producer's endpoint; nothing connects to it here. */
const PUBLIC_URL = 'https://93.184.215.14/tally-hooks';

async function producer(): Promise<TestPerson> {
  const person = await signedInPerson(pages.tally);
  await ok(pages.tally, 201, 'POST', '/api/streams/producer', {
    as: person,
    body: { name: 'Weather Co', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
  });
  return person;
}

async function open(person: TestPerson) {
  pages.signIn(person);
  const { user } = await pages.render('/streams/producer');
  const webhooks = await screen.findByRole('region', { name: 'Webhooks' });
  const form = within(webhooks).getByRole('form', { name: 'Add a webhook endpoint' });
  return { user, webhooks, form };
}

const endpointsTable = (webhooks: HTMLElement) =>
  within(webhooks).findByRole('table', { name: 'Your webhook endpoints' });

/** The delivery sweep, as the job worker runs it, reaching this file's receiver on 127.0.0.1. */
const sweep = () =>
  deliverDueWebhooks({
    db: pages.tally.database.db,
    clock: pages.tally.clock,
    keys: pages.tally.context.keys,
    log: silentLogger,
    allowPrivateNetwork: true,
  });

describe('the webhooks section', () => {
  it('adds an endpoint with its events, checking the URL as it is typed, and shows the secret once', async () => {
    const person = await producer();
    const { user, webhooks, form } = await open(person);
    expect(within(webhooks).getByText('No webhook endpoint yet')).toBeTruthy();

    const url = field(form, /^Endpoint URL/);
    await user.type(url, 'not a url');
    expect(fieldError(url)).toBe('Enter an address starting with https://');
    for (const label of [/^Created/, /^At risk/, /^Resumed/, /^Closed/, /^Liquidated/, /^Plan changed/])
      await user.click(within(form).getByRole('checkbox', { name: label }));
    await user.click(within(form).getByRole('button', { name: 'Add the endpoint' }));
    expect(within(form).getByText('Choose at least one event')).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/streams/producer/webhooks')).toEqual([]);

    // The server refuses an address with credentials in it, next to the field, keeping what was typed.
    await user.clear(url);
    await user.type(url, 'https://shop:pw@93.184.215.14/hooks');
    await user.click(within(form).getByRole('checkbox', { name: /^Closed/ }));
    await user.click(within(form).getByRole('checkbox', { name: /^At risk/ }));
    await user.click(within(form).getByRole('button', { name: 'Add the endpoint' }));
    await waitFor(() => expect(fieldError(url)).toMatch(/user name or password/));
    expect(url.value).toBe('https://shop:pw@93.184.215.14/hooks');
    expect(formAlert(form)).toBeNull();

    await user.clear(url);
    await user.type(url, PUBLIC_URL);
    await user.click(within(form).getByRole('button', { name: 'Add the endpoint' }));
    const dialog = await screen.findByRole('dialog', { name: `Endpoint ${PUBLIC_URL} added` });
    expect(sentTo(pages, 'POST', '/api/streams/producer/webhooks').at(-1)?.body).toEqual({
      url: PUBLIC_URL,
      events: ['subscription.at_risk', 'subscription.closed'],
    });
    const secret = within(dialog).getByLabelText('Signing secret').textContent;
    expect(secret).toMatch(/^whsec_\S{40,}$/);
    expect(document.activeElement).toBe(
      within(dialog).getByRole('button', { name: 'Copy the signing secret' }),
    );
    await user.keyboard('{Escape}');
    expect(screen.getByRole('dialog', { name: `Endpoint ${PUBLIC_URL} added` })).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    const table = await endpointsTable(webhooks);
    const row = within(table).getByText(PUBLIC_URL).closest('tr') as HTMLElement;
    expect(within(row).getByText('At risk')).toBeTruthy();
    expect(within(row).getByText('Closed')).toBeTruthy();
    expect(within(row).getByRole('switch', { name: `Enabled: ${PUBLIC_URL}` })).toHaveProperty(
      'checked',
      true,
    );
    expect(table.textContent).not.toContain(secret);
  });

  it('sends a test event, follows its delivery in the log, shows its attempts and redelivers it', async () => {
    const person = await producer();
    const made = await ok(pages.tally, 201, 'POST', '/api/streams/producer/webhooks', {
      as: person,
      body: { url: PUBLIC_URL, events: ['subscription.created'] },
    });
    // The receiver is on 127.0.0.1, which the API refuses for producers: pointed at it behind the API.
    await pages.tally.database.db
      .update(webhookEndpoints)
      .set({ url: receiverUrl })
      .where(eq(webhookEndpoints.id, made.endpoint.id));
    const { user, webhooks } = await open(person);
    expect(within(webhooks).getByText('Nothing sent yet')).toBeTruthy();
    await user.click(within(webhooks).getByRole('button', { name: `Send a test event to ${receiverUrl}` }));
    const log = await within(webhooks).findByRole('table', { name: 'Webhook deliveries' });
    await within(log).findByText('Goes out within seconds.');
    const before = received.length;
    expect(await sweep()).toBe(1);
    await within(log).findByText('delivered', {}, { timeout: 8000 });
    const row = within(log).getByText('Test').closest('tr') as HTMLElement;
    expect(within(row).getByText('1 of 8')).toBeTruthy();
    const sent = received[before]!;
    expect(JSON.parse(sent.body).type).toBe('webhook.test');
    expect(
      verifyWebhookSignature({
        secret: made.secret,
        body: sent.body,
        timestamp: sent.headers['tally-webhook-timestamp'] as string,
        signatureHeader: sent.headers['tally-webhook-signature'] as string,
        now: pages.tally.clock.now(),
      }),
    ).toBe(true);

    await user.click(within(row).getByRole('button', { name: /^Attempts of the Test event/ }));
    const attempts = await screen.findByRole('dialog', { name: `Attempts of Test to ${receiverUrl}` });
    expect(within(attempts).getByText('HTTP 200')).toBeTruthy();
    expect(within(attempts).getByText('received')).toBeTruthy();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await user.click(within(row).getByRole('button', { name: /^Redeliver the Test event/ }));
    const [delivery] = (
      await ok(pages.tally, 200, 'GET', '/api/streams/producer/webhooks/deliveries', { as: person })
    ).items;
    await waitFor(() =>
      expect(
        sentTo(pages, 'POST', `/api/streams/producer/webhooks/deliveries/${delivery.id}/redeliver`),
      ).toHaveLength(1),
    );
    await within(log).findByText('Goes out within seconds.');
    await sweep();
    await within(log).findByText('2 of 2', {}, { timeout: 8000 });
    expect(received.slice(before).map((r) => r.headers['tally-webhook-id'])).toEqual([
      JSON.parse(sent.body).id,
      JSON.parse(sent.body).id,
    ]);
  });

  it('disables, rotates and deletes an endpoint', async () => {
    const person = await producer();
    const made = await ok(pages.tally, 201, 'POST', '/api/streams/producer/webhooks', {
      as: person,
      body: { url: PUBLIC_URL, events: ['subscription.closed'] },
    });
    const { user, webhooks } = await open(person);
    const table = await endpointsTable(webhooks);
    await user.click(within(table).getByRole('switch', { name: `Enabled: ${PUBLIC_URL}` }));
    await waitFor(() =>
      expect(
        sentTo(pages, 'PATCH', `/api/streams/producer/webhooks/${made.endpoint.id}`).map((s) => s.body),
      ).toEqual([{ enabled: false }]),
    );
    await waitFor(() => expect(within(table).getByText('Disabled')).toBeTruthy());
    expect(within(table).queryByRole('button', { name: `Send a test event to ${PUBLIC_URL}` })).toBeNull();

    await user.click(within(table).getByRole('button', { name: `Rotate the secret of ${PUBLIC_URL}` }));
    const rotate = await screen.findByRole('dialog', { name: 'Rotate the signing secret?' });
    await user.click(within(rotate).getByRole('checkbox', { name: /Stop the current secret at once/ }));
    await user.click(within(rotate).getByRole('button', { name: 'Rotate the secret' }));
    const shown = await screen.findByRole('dialog', { name: `New secret for ${PUBLIC_URL}` });
    expect(
      sentTo(pages, 'POST', `/api/streams/producer/webhooks/${made.endpoint.id}/rotate-secret`)[0]?.body,
    ).toEqual({
      keep_previous_hours: 0,
    });
    const secret = within(shown).getByLabelText('Signing secret').textContent;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(made.secret);
    await user.click(within(shown).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await user.click(within(table).getByRole('button', { name: `Delete ${PUBLIC_URL}` }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete this endpoint?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete the endpoint' }));
    await within(webhooks).findByText('No webhook endpoint yet');
    expect(sentTo(pages, 'DELETE', `/api/streams/producer/webhooks/${made.endpoint.id}`)).toHaveLength(1);
  });
});
