import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/core/actor';
import { type DemoUpstream, startDemoUpstream } from '../../src/gateway/demo/upstream-server';
import type { GatewayDeps } from '../../src/gateway/deps';
import { auditEncryptedBalances } from '../../src/gateway/encrypted/audit';
import { proveEncryptedBatches } from '../../src/gateway/encrypted/payouts';
import { gatewayDeps } from '../../src/gateway/line';
import { settle, updateSettings } from '../../src/gateway/settlement/service';
import { formatUsdc } from '../../web/src/lines/gateway/format';
import { read, request, signedInPerson, type TestPerson, type TestTally } from '../support/app';
import { fundCredits } from '../support/gateway';
import { accessibilityAudit } from './support/accessibility';
import { type Browser, launchBrowser, screenshotTaker } from './support/browser';
import { connectDevWallet, signInWithDevWallet, usdcOf as usdcBalance } from './support/dev-wallet';
import { E2E_ADMIN_KEY, type RunningTally, reachTally, startTally } from './support/server';

const OPERATOR = { authorization: `Bearer ${E2E_ADMIN_KEY}` };

/**
 * Encrypted payouts from the provider's browser: a provider whose payout address is the development
 * wallet creates its encrypted account in the portal (the wallet signs the key message and the
 * registration; Tally submits it). A settlement pays it into that account, proven on Tally's side
 * as a running Tally does it. The provider reads its balance in the page with its key, equal to the
 * payout, claims it with a proof made in the browser, and the USDC arrives at its wallet.
 */
describe('gateway: encrypted payouts, created, read and claimed in the provider portal', () => {
  let server: RunningTally;
  let upstream: DemoUpstream;
  let browser: Browser;
  let desktop: Page;
  let deps: GatewayDeps;
  let wallet: Address;
  let providerId: string;
  let serverId: string;
  let payer: TestPerson;
  const slug = 'secret-tools';
  const audit = accessibilityAudit();
  const screenshot = screenshotTaker('gateway-encrypted', audit.check);
  const { url, go, api } = reachTally(() => server);

  beforeAll(async () => {
    server = await startTally({ chain: true });
    upstream = await startDemoUpstream();
    deps = gatewayDeps(server.tally.context);
    browser = await launchBrowser();
    desktop = await browser.open('desktop');

    // The treasury pays the run's total into the encrypted pool: test USDC from the faucet.
    const treasury = server.tally.context.chain!.treasury.address;
    const minted = await request(server.tally, 'POST', '/api/chain/faucet', {
      headers: OPERATOR,
      body: { address: treasury, token: 'USDC', amount: '100000000' },
    });
    expect(minted.status).toBe(202);
    await updateSettings(deps, systemActor, { minimumPayout: 1_000_000n });

    payer = await signedInPerson(server.tally, { name: 'Caller' });
    // Credits as a confirmed deposit leaves them: the deposit journey is the gateway journey's.
    await fundCredits(server.tally as unknown as TestTally, payer.userId, 50_000_000n);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await upstream?.close();
  });

  const usdcOf = (address: Address) => usdcBalance(server, address);

  let calls = 0;
  async function served(price: bigint): Promise<void> {
    calls += 1;
    const begun = await deps.meter.begin({
      userId: payer.userId,
      grantId: null,
      serverId,
      slug,
      providerId,
      tool: 'add',
      price,
      requestHash: 'e'.repeat(64),
      key: `encrypted-journey-${calls}`,
      clientKey: true,
    });
    if (begun.kind !== 'started') throw new Error(`the call was not started: ${begun.kind}`);
    deps.meter.finish(begun.ticket, { served: true, result: { content: [] } });
    await deps.meter.release({ userId: payer.userId });
  }

  const panel = () => desktop.getByRole('region', { name: 'Encrypted account' });

  it('signs in with the development wallet and becomes a provider paid to it, with approved KYC', async () => {
    wallet = await signInWithDevWallet(desktop, { url, go });

    const provider = await api(desktop, 'POST', '/api/gateway/provider', {
      name: 'Secret tools',
      payout_address: wallet,
    });
    providerId = provider.id;
    serverId = (
      await api(desktop, 'POST', '/api/gateway/servers', {
        slug,
        name: 'Secret tools',
        upstream_url: upstream.url,
      })
    ).id;
    await server.tally.database.db.execute(
      sql`UPDATE gateway_providers SET kyc_state = 'approved' WHERE id = ${providerId}`,
    );
  });

  it('creates the encrypted account: the wallet signs the key message and the registration, Tally registers it', async () => {
    await go(desktop, '/gateway/provider');
    await desktop.getByRole('tab', { name: 'Encrypted payouts' }).click();
    await desktop.getByRole('heading', { level: 1, name: 'Encrypted payouts' }).waitFor();
    await panel()
      .getByText(/nobody but you and Tally can read the amounts/)
      .waitFor();
    await connectDevWallet(desktop);
    await screenshot(desktop, 'no-account');

    await panel().getByRole('button', { name: 'Create my encrypted account' }).click();
    await panel().getByText('registered', { exact: true }).waitFor({ timeout: 60_000 });
    const account = await api(desktop, 'GET', '/api/gateway/provider/encrypted');
    expect(account.account).toMatchObject({ state: 'registered', address: wallet.toLowerCase() });
    await screenshot(desktop, 'registered');
  });

  let net: bigint;
  it('is paid encrypted by a settlement: the chain holds the payout under its key', async () => {
    for (let i = 0; i < 3; i++) await served(1_000_000n);
    await served(700_000n);
    const run = await settle(deps, new Date(Date.now() + 1000));
    expect(run.made).toBe(true);
    const earnings = await api(desktop, 'GET', '/api/gateway/provider/earnings');
    const payout = earnings.payouts[0];
    expect(payout).toMatchObject({ state: 'pending' });
    net = BigInt(payout.amount);
    // 3.70 USDC gross, less the platform's fee.
    expect(net > 3_000_000n && net < 3_700_000n).toBe(true);

    // Once the treasury's deposit into the pool is confirmed, the batch is proven and sent.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const outcome = await proveEncryptedBatches(deps);
      if (outcome.state === 'sent') break;
      const now = await api(desktop, 'GET', '/api/gateway/provider/earnings');
      if (now.payouts[0].state === 'paid') break;
      if (Date.now() > deadline) throw new Error(`the batch was not sent: ${JSON.stringify(outcome)}`);
      await desktop.waitForTimeout(500);
    }
    await expect
      .poll(async () => (await api(desktop, 'GET', '/api/gateway/provider/earnings')).payouts[0].state, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('paid');
  }, 180_000);

  it('shows the balance read in the page with the key, equal to the payout and to the ledger', async () => {
    // The earnings page says where the payout went, and leads to the account.
    await go(desktop, '/gateway/provider/earnings');
    await desktop
      .getByRole('table', { name: 'Payouts' })
      .getByRole('row', { name: /into your encrypted account/ })
      .waitFor();
    await desktop.getByRole('link', { name: 'Encrypted payouts' }).click();
    await panel().getByText('registered', { exact: true }).waitFor();
    await panel().getByRole('button', { name: 'Show my balance' }).click();
    const amount = formatUsdc(net);
    await expect(panel().getByTestId('encrypted-balance').textContent()).resolves.toBe(amount);
    await expect(panel().getByTestId('encrypted-balance-check').textContent()).resolves.toBe(
      `This matches Tally's ledger (${amount}).`,
    );
    await screenshot(desktop, 'balance');
  });

  it('claims it to USDC with a proof made in the browser; the claim is paid and the USDC arrives', async () => {
    expect(await usdcOf(wallet)).toBe(0n);
    await panel().getByRole('button', { name: 'Claim to USDC' }).click();
    const claims = desktop.getByRole('table', { name: 'Claims' });
    await claims.getByRole('row', { name: /pending|paid/ }).waitFor({ timeout: 60_000 });
    await claims.getByRole('row', { name: /paid/ }).waitFor({ timeout: 60_000 });
    expect(await usdcOf(wallet)).toBe(net);
    const after = await api(desktop, 'GET', '/api/gateway/provider/encrypted');
    expect(after).toMatchObject({ claimable: '0', can_claim: false });
    expect(after.claims[0]).toMatchObject({ state: 'paid', amount: net.toString() });
    // What the page reads now is the emptied balance.
    await panel().getByTestId('encrypted-balance').getByText(formatUsdc(0n)).waitFor({ timeout: 15_000 });
    await screenshot(desktop, 'claimed');
  }, 150_000);

  it('shows the account and its claims on a phone, the amounts in full', async () => {
    const phone = await browser.open('phone');
    await go(phone, '/gateway/provider/encrypted');
    const account = phone.getByRole('region', { name: 'Encrypted account' });
    await account.getByText('registered', { exact: true }).waitFor();
    await phone.getByRole('region', { name: 'Claims' }).getByText(formatUsdc(net)).first().waitFor();
    await screenshot(phone, 'phone');
    await phone.close();
  });

  it('shows an administrator the audit that found the chain and the ledger in agreement', async () => {
    const audit = await auditEncryptedBalances(deps);
    expect(audit).toMatchObject({ mismatches: [] });
    const admin = await signedInPerson(server.tally, { isAdmin: true });
    const audits = await read(
      await request(server.tally, 'GET', '/api/gateway/encrypted/audits', { as: admin }),
    );
    expect(audits.audits[0]).toMatchObject({ mismatches: [] });
    await server.tally.database.db.execute(
      sql`UPDATE core_users SET is_admin = true WHERE id = (SELECT user_id FROM gateway_providers WHERE id = ${providerId})`,
    );
    await go(desktop, '/gateway/admin/settlements');
    const section = desktop.getByRole('region', { name: 'Encrypted balances audit' });
    await section
      .getByText(/^The latest audit, .*, found the chain and the ledger in agreement on \d+ balances?\.$/)
      .waitFor();
    await section.getByRole('table', { name: 'Encrypted balances audits' }).waitFor();
    await screenshot(desktop, 'admin-audit');
  });

  it('raised no error in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any page it showed (axe-core)', () => {
    expect(audit.violations).toEqual([]);
  });
});
