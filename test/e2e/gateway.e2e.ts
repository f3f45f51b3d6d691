import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { createSIWxClientExtension } from '@x402/extensions/sign-in-with-x';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_MNEMONIC } from '../../src/chain/runtime';
import { walletOwner } from '../../src/core/auth/siwe';
import { balanceOf } from '../../src/gateway/calls/service';
import { type DemoUpstream, startDemoUpstream } from '../../src/gateway/demo/upstream-server';
import { gatewayDeps } from '../../src/gateway/line';
import { read, request, signedInPerson } from '../support/app';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { field, fieldError } from './support/page-checks';
import { type RunningTally, startTally } from './support/server';

const SLUG = 'demo-tools';

/**
 * The gateway from a person's browser: a provider's demo MCP server is registered and priced (through
 * the API); a person signs in with the development wallet (which links it), gets test USDC, deposits
 * 49 USDC by signing one EIP-3009 authorization in the page and watches the credits issued once the
 * chain confirms the transfer; then calls a paid tool from the playground through Tally's MCP
 * endpoint with the MCP SDK, sees the result and the signed receipt, and the balance go down by the
 * tool's price.
 */
describe('gateway: a deposit signed in the page, then a paid tool call from the playground', () => {
  let server: RunningTally;
  let upstream: DemoUpstream;
  let browser: Browser;
  let desktop: Page;
  const screenshot = screenshotTaker('gateway');

  beforeAll(async () => {
    server = await startTally({ chain: true });
    upstream = await startDemoUpstream();
    browser = await launchBrowser();
    desktop = await browser.open('desktop');

    // A provider whose demo server is registered and priced, as the provider portal would leave it.
    const provider = await signedInPerson(server.tally, { name: 'Demo provider' });
    const became = await request(server.tally, 'POST', '/api/gateway/provider', {
      as: provider,
      body: { name: 'Demo provider', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
    });
    expect(became.status).toBe(201);
    const registered = await request(server.tally, 'POST', '/api/gateway/servers', {
      as: provider,
      body: {
        slug: SLUG,
        name: 'Demo tools',
        description: 'Tools to try the gateway',
        upstream_url: upstream.url,
      },
    });
    expect(registered.status).toBe(201);
    const { id } = await read(registered);
    const priced = await request(server.tally, 'PUT', `/api/gateway/servers/${id}/prices`, {
      as: provider,
      body: { prices: { add: '2500', echo: '0', picture: '500' } },
    });
    expect(priced.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await upstream?.close();
  });

  const url = (path: string) => `${server.url}${path}`;

  it('shows a visitor the catalogue with the server, its prices and its endpoint', async () => {
    await desktop.goto(url('/gateway'));
    await desktop.getByRole('heading', { level: 1, name: 'Gateway' }).waitFor();
    const card = desktop.getByRole('article', { name: 'Demo tools' });
    await card.getByRole('cell', { name: '0.0025 USDC' }).waitFor();
    await expect(card.getByLabel('Endpoint of Demo tools', { exact: true }).textContent()).resolves.toBe(
      url(`/mcp/${SLUG}`),
    );
    await screenshot(desktop, 'catalogue-visitor');

    // The server's page says how an x402 agent pays for its tools, with no Tally account.
    await card.getByRole('link', { name: 'Demo tools' }).first().click();
    const x402 = desktop.getByRole('table', { name: 'x402 resources' });
    await x402.getByRole('cell', { name: '0.25 USDC' }).waitFor();
    await expect(desktop.getByLabel('x402 resource of add', { exact: true }).textContent()).resolves.toBe(
      url(`/api/gateway/x402/${SLUG}/add`),
    );
    await expect(desktop.getByLabel('x402 discovery document', { exact: true }).textContent()).resolves.toBe(
      url('/.well-known/x402'),
    );
    await screenshot(desktop, 'catalogue-x402');
  });

  it('signs in with the development wallet, which links it, and gets test USDC from the faucet', async () => {
    await desktop.goto(url('/login/wallet'));
    await desktop.getByRole('button', { name: 'Sign in with the development wallet' }).click();
    await desktop.waitForURL(url('/'));
    await desktop.getByRole('button', { name: /^0x.*: account menu$/ }).waitFor();

    await desktop.goto(url('/wallet'));
    await desktop.getByLabel('Connected address').waitFor();
    await desktop.getByText('linked to your account').waitFor();
    const faucet = desktop.getByRole('region', { name: 'Test tokens' });
    await field(desktop, 'Amount').fill('100');
    await faucet.getByRole('button', { name: 'Get test tokens' }).click();
    await faucet
      .getByRole('article', { name: '100.00 USDC' })
      .getByText('confirmed', { exact: true })
      .waitFor();
    await desktop
      .getByRole('table', { name: 'Balances' })
      .getByRole('cell', { name: '100.00 USDC', exact: true })
      .waitFor();
  });

  it('deposits 49,00 USDC by signing one authorization, and sees the credits issued', async () => {
    await desktop.goto(url('/gateway'));
    await desktop.getByRole('heading', { level: 1, name: 'Gateway' }).waitFor();
    await desktop.getByText('no_credits', { exact: true }).waitFor();
    await desktop.getByRole('tab', { name: 'Deposit' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Deposit' }).waitFor();
    await desktop.getByRole('region', { name: 'Your wallet' }).getByText('linked to your account').waitFor();
    const form = desktop.getByRole('form', { name: 'Deposit USDC' });
    await form.getByText('Your wallet holds 100.00 USDC.').waitFor();

    await field(desktop, 'Amount').fill('149');
    await expect(fieldError(desktop, 'Amount')).resolves.toBe('At most 100.00 USDC: what your wallet holds');
    await field(desktop, 'Amount').fill('49,00');
    await expect(fieldError(desktop, 'Amount')).resolves.toBeNull();
    await form
      .getByText('You deposit 49.00 USDC; it becomes 49.00 USDC of credits once the chain confirms it.')
      .waitFor();
    await screenshot(desktop, 'deposit-amount');
    await form.getByRole('button', { name: 'Sign and deposit' }).click();

    const followed = desktop.getByRole('region', { name: 'Deposit on its way' });
    await followed.getByText('Deposit of 49.00 USDC').waitFor();
    await followed.getByText('credits_issued', { exact: true }).waitFor({ timeout: 60_000 });
    await followed.getByText('49.00 USDC was added to your credits.').waitFor();
    await expect(desktop.getByTestId('gateway-available').textContent()).resolves.toBe('49.00 USDC');
    await desktop
      .getByRole('table', { name: 'Deposits' })
      .getByRole('row', { name: /49\.00 USDC.*credits_issued/ })
      .waitFor();
    await screenshot(desktop, 'deposit-credited');
  });

  it('calls a paid tool from the playground, shows the result and the receipt, and the balance goes down', async () => {
    await desktop.getByRole('tab', { name: 'Playground' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
    const tools = desktop.getByRole('table', { name: 'Tools' });
    await tools.getByRole('row', { name: /Add.*0\.0025 USDC/ }).waitFor();
    await tools.getByRole('row', { name: /Echo.*free/ }).waitFor();
    await expect(desktop.getByTestId('playground-balance').textContent()).resolves.toBe('49.00 USDC');

    await desktop.getByRole('combobox', { name: 'Tool' }).click();
    await desktop.getByRole('option', { name: /^Add \(add\)/ }).click();
    await field(desktop, 'Arguments (JSON)').fill('{ "a": 2, "b": 3 ');
    await expect(fieldError(desktop, 'Arguments (JSON)')).resolves.toMatch(/^This is not JSON/);
    await field(desktop, 'Arguments (JSON)').fill('{ "a": 2, "b": 3 }');
    await desktop.getByRole('button', { name: 'Call add' }).click();

    const result = desktop.getByRole('region', { name: 'Result' });
    await expect(result.getByLabel('Result text 1').textContent()).resolves.toBe('5');
    const receipt = result.getByRole('region', { name: 'Receipt' });
    await receipt.getByText('0.0025 USDC', { exact: true }).waitFor();
    await receipt.getByText('48.9975 USDC', { exact: true }).waitFor();
    await desktop.getByTestId('playground-balance').getByText('48.9975 USDC').waitFor();
    await screenshot(desktop, 'playground-receipt');

    // A tool answering an image and a link to a resource.
    await desktop.getByRole('combobox', { name: 'Tool' }).click();
    await desktop.getByRole('option', { name: /^Picture \(picture\)/ }).click();
    await desktop.getByRole('button', { name: 'Call picture' }).click();
    await result.getByRole('img', { name: 'Image 1 of the result (image/png)' }).waitFor();
    await result.getByText('Link to a resource: readme (demo://readme, text/plain)').waitFor();
    await receipt.getByText('0.0005 USDC', { exact: true }).waitFor();
    await receipt.getByText('48.997 USDC', { exact: true }).waitFor();

    await desktop.getByRole('tab', { name: 'Overview' }).click();
    await expect(desktop.getByTestId('gateway-available').textContent()).resolves.toBe('48.997 USDC');
    await desktop.getByText('has_credits', { exact: true }).waitFor();
    await desktop
      .getByRole('table', { name: 'Recent calls' })
      .getByRole('row', { name: /Demo tools.*add.*0\.0025 USDC.*served/ })
      .waitFor();
    await screenshot(desktop, 'overview-after-call');
  });

  it('lists the call in the history with the spend per server', async () => {
    await desktop.getByRole('tab', { name: 'History' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'History' }).waitFor();
    await desktop
      .getByTestId('spend-summary')
      .getByText(
        'In the last 30 days you spent 0.003 USDC on 2 paid calls: 0.003 USDC on Demo tools (2 calls).',
      )
      .waitFor();
    await desktop
      .getByRole('table', { name: 'Calls' })
      .getByRole('row', { name: /add.*0\.0025 USDC.*served/ })
      .waitFor();
    await screenshot(desktop, 'history');
  });

  it('shows the balance and the calls as cards on a phone', async () => {
    const phone = await browser.open('phone');
    await phone.goto(url('/gateway'));
    await expect(phone.getByTestId('gateway-available').textContent()).resolves.toBe('48.997 USDC');
    const calls = phone.getByRole('list', { name: 'Recent calls' });
    await calls.getByRole('listitem').filter({ hasText: 'picture' }).getByText('0.0005 USDC').waitFor();
    await expect(calls.getByRole('listitem').count()).resolves.toBe(2);
    await screenshot(phone, 'overview-phone');
    await phone.close();
  });

  it('becomes a provider, registers and prices a server, and sends KYC documents for review', async () => {
    await desktop.getByRole('tab', { name: 'Provider' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Provider portal' }).waitFor();
    const become = desktop.getByRole('form', { name: 'Become a provider' });
    await become.getByLabel(/^Name/).fill('My tools');
    // The payout address starts as the linked wallet.
    await expect(become.getByLabel(/^Payout address/).inputValue()).resolves.toMatch(/^0x[0-9a-f]{40}$/);
    await become.getByRole('button', { name: 'Become a provider' }).click();
    await desktop
      .getByRole('region', { name: 'Where you stand' })
      .getByText('none', { exact: true })
      .waitFor();

    await desktop.getByRole('tab', { name: 'Servers' }).click();
    await desktop.getByText('No server yet').waitFor();
    await desktop.getByRole('link', { name: 'Register your first server' }).click();
    const register = desktop.getByRole('form', { name: 'Register an MCP server' });
    await register.getByLabel(/^Name/).fill('My demo');
    await expect(register.getByLabel(/^Path/).inputValue()).resolves.toBe('my-demo');
    await register.getByLabel(/^Upstream URL/).fill(upstream.url);
    await register.getByRole('button', { name: 'Register server' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'My demo' }).waitFor();
    await desktop.getByText('6 tools have no price yet and cannot be called: price them.').waitFor();
    const prices = desktop.getByRole('form', { name: 'Tool prices' });
    await prices.getByLabel('Price of echo').fill('0');
    await prices.getByLabel('Price of add').fill('0,001');
    await prices.getByRole('row', { name: /add/ }).getByText('0.001 USDC per call').waitFor();
    await prices.getByRole('button', { name: 'Save prices' }).click();
    await desktop.getByText('4 tools have no price yet and cannot be called: price them.').waitFor();
    await expect(desktop.getByLabel('Endpoint', { exact: true }).textContent()).resolves.toBe(
      url('/mcp/my-demo'),
    );
    await screenshot(desktop, 'provider-server');

    await desktop.getByRole('tab', { name: 'KYC' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'KYC' }).waitFor();
    await desktop.locator('input[type="file"]').setInputFiles({
      name: 'passport.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(500, 0x20), Buffer.from('\n%%EOF\n')]),
    });
    await desktop.getByRole('button', { name: 'Upload and add' }).click();
    await desktop
      .getByRole('table', { name: 'KYC documents' })
      .getByRole('link', { name: 'passport.pdf' })
      .waitFor();
    await desktop.getByRole('button', { name: 'Submit for review' }).click();
    await desktop.getByRole('region', { name: 'State' }).getByText('submitted', { exact: true }).waitFor();
    await screenshot(desktop, 'provider-kyc-submitted');

    await desktop.getByRole('tab', { name: 'Earnings' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Earnings' }).waitFor();
    await desktop.getByText('Claiming needs approved KYC; yours is submitted.').waitFor();
    await expect(desktop.getByRole('button', { name: /^Claim/ }).isDisabled()).resolves.toBe(true);
  });

  it('lets an administrator approve the KYC, run a settlement and change the settings', async () => {
    await server.tally.database.db.execute(
      sql`UPDATE core_users SET is_admin = true WHERE id = (SELECT user_id FROM gateway_providers WHERE name = 'My tools')`,
    );
    await desktop.goto(url('/gateway/admin'));
    await desktop.getByRole('heading', { level: 1, name: 'KYC review' }).waitFor();
    await desktop.getByRole('table', { name: 'Providers' }).getByRole('link', { name: 'My tools' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'KYC of My tools' }).waitFor();
    const review = desktop.getByRole('form', { name: 'Review KYC' });
    await review.getByRole('radio', { name: /^Reject/ }).check();
    await review.getByRole('button', { name: 'Reject KYC' }).click();
    await expect(fieldError(desktop, 'Reason')).resolves.toBe(
      'Say why it is rejected, so the provider knows what to correct',
    );
    await review.getByRole('radio', { name: /^Approve/ }).check();
    await review.getByRole('button', { name: 'Approve KYC' }).click();
    await desktop.getByText('Approved: this decision is final.').waitFor();
    await screenshot(desktop, 'admin-kyc-approved');

    await desktop.getByRole('tab', { name: 'Settlements' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Settlements' }).waitFor();
    await desktop.getByRole('button', { name: 'Run settlement now' }).click();
    await desktop.getByRole('heading', { level: 1, name: /^Settlement up to/ }).waitFor();
    await screenshot(desktop, 'admin-settlement');

    await desktop.getByRole('tab', { name: 'Settings' }).click();
    const settings = desktop.getByRole('form', { name: 'Settlement settings' });
    await settings.getByLabel(/^Platform fee/).fill('2,5');
    await settings.getByText("250 basis points of each call's price.").waitFor();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(settings.getByRole('button', { name: 'Save settings' }).isDisabled()).resolves.toBe(true);
    const saved = await read(
      await request(server.tally, 'GET', '/api/gateway/settings', {
        headers: { authorization: 'Bearer e2e-admin-key-0123456789abcdef' },
      }),
    );
    expect(saved.fee_bps).toBe(250);
    await screenshot(desktop, 'admin-settings');
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});

/**
 * An x402 agent against a running Tally, with nothing but its wallet and x402's own clients: the
 * job worker submits and follows the payments as in production (no test drives the chain). Over
 * HTTP, x402's fetch client pays one call exactly, then tops up and makes ten calls that send no
 * payment (it signs in with the wallet instead); over MCP, the SDK client pays in `_meta`.
 */
describe('gateway: an x402 agent pays a running Tally', () => {
  let server: RunningTally;
  let upstream: DemoUpstream;
  const wallet = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 7 });
  let network: `${string}:${string}`;

  beforeAll(async () => {
    server = await startTally({ chain: true });
    upstream = await startDemoUpstream();
    const provider = await signedInPerson(server.tally, { name: 'x402 provider' });
    await request(server.tally, 'POST', '/api/gateway/provider', {
      as: provider,
      body: { name: 'x402 provider', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
    });
    const registered = await read(
      await request(server.tally, 'POST', '/api/gateway/servers', {
        as: provider,
        body: { slug: 'paid-tools', name: 'Paid tools', upstream_url: upstream.url },
      }),
    );
    const priced = await request(server.tally, 'PUT', `/api/gateway/servers/${registered.id}/prices`, {
      as: provider,
      body: { prices: { add: '2500', echo: '0' } },
    });
    expect(priced.status).toBe(200);
    network = `eip155:${server.tally.context.chain!.client.chainId}`;
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  const agent = (select?: (version: number, accepts: PaymentRequirements[]) => PaymentRequirements) => {
    const client = new x402Client(select);
    registerExactEvmScheme(client, { signer: wallet, networks: [network] });
    const usdc = server.tally.context.chain!.deployment.tokens.USDC.address;
    client.setSpendControls({ allowedAssets: [{ network, asset: usdc }] });
    client.registerExtension(createSIWxClientExtension({ signers: [wallet] }));
    return client;
  };
  const call = (a: number, b: number): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ a, b }),
  });

  it('finds the paid tool at /.well-known/x402, pays it exactly over HTTP, and gets its answer', async () => {
    const listed = await (await fetch(`${server.url}/.well-known/x402`)).json();
    const resource = `${server.url}/api/gateway/x402/paid-tools/add`;
    expect(listed.resources).toEqual([resource]);
    const pay = wrapFetchWithPayment(fetch, agent());
    const answer = await pay(resource, call(2, 3));
    expect(answer.status).toBe(200);
    expect((await answer.json()).structuredContent).toEqual({ sum: 5 });
    expect(decodePaymentResponseHeader(answer.headers.get('payment-response')!)).toMatchObject({
      success: true,
      amount: '2500',
      payer: wallet.address,
    });
  });

  it('tops up once, then ten calls send no payment', async () => {
    const resource = `${server.url}/api/gateway/x402/paid-tools/add`;
    const pay = wrapFetchWithPayment(
      fetch,
      agent((_, accepts) => accepts.find((r) => (r.extra.tally as { kind: string }).kind === 'top_up')!),
    );
    const first = await pay(resource, call(1, 1));
    expect(first.status).toBe(200);
    expect(decodePaymentResponseHeader(first.headers.get('payment-response')!).amount).toBe('250000');
    for (let i = 0; i < 10; i++) {
      const next = await pay(resource, call(i, 1));
      expect(next.status).toBe(200);
      expect(next.headers.get('payment-response')).toBeNull();
      expect((await next.json()).structuredContent).toEqual({ sum: i + 1 });
    }
    const owner = await walletOwner(server.tally.database.db, wallet.address);
    const balance = await balanceOf(gatewayDeps(server.tally.context), owner!);
    // The exact call and the top-up deposited; twelve calls spent.
    expect(balance).toMatchObject({ deposited: 252_500n, spent: 12n * 2500n, available: 222_500n });
  });

  it('pays over MCP with the SDK client, in _meta["x402/payment"]', async () => {
    const mcp = new Client({ name: 'x402 agent', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/paid-tools`)));
    const asked = (await mcp.callTool({ name: 'add', arguments: { a: 4, b: 4 } })) as CallToolResult;
    expect(asked.isError).toBe(true);
    const payment = await agent().createPaymentPayload(asked.structuredContent as unknown as PaymentRequired);
    const paid = (await mcp.callTool({
      name: 'add',
      arguments: { a: 4, b: 4 },
      _meta: { 'x402/payment': payment },
    })) as CallToolResult;
    expect(paid.structuredContent).toEqual({ sum: 8 });
    expect(paid._meta?.['x402/payment-response']).toMatchObject({ success: true, payer: wallet.address });
    await mcp.close();
  });
});
