import { sql } from 'drizzle-orm';
import { type Address, parseAbi } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { settleChain, startTestChain } from '../../../test/support/chain';
import { fundCredits, mintToTreasury } from '../../../test/support/gateway';
import type { ChainRuntime } from '../../chain/runtime';
import { systemActor } from '../../core/actor';
import { queryRows } from '../../core/database';
import { getAccount } from '../../ledger/service';

import { type DemoUpstream, startDemoUpstream } from '../demo/upstream-server';
import type { GatewayDeps } from '../deps';
import { earningsAccountOf, GATEWAY_ACCOUNTS, SERVED_ACCOUNTS } from '../ledger';
import { gatewayDeps } from '../line';
import { periodEndAt, settle, updateSettings } from './service';

let chain: ChainRuntime;
let tally: TestTally;
let deps: GatewayDeps;
let upstream: DemoUpstream;
let admin: TestPerson;

const usdcAbi = parseAbi(['function balanceOf(address) view returns (uint256)']);

beforeAll(async () => {
  chain = await startTestChain();
  await mintToTreasury(chain, 1_000_000_000n);
  tally = await testTally({ chain });
  deps = gatewayDeps(tally.context);
  upstream = await startDemoUpstream();
  admin = await signedInPerson(tally, { isAdmin: true });
  // 5 % fee (the default), payouts from 1 USDC.
  await updateSettings(deps, systemActor, { minimumPayout: 1_000_000n });
});

afterAll(async () => {
  await upstream?.close();
});

interface ProviderUnderTest {
  person: TestPerson;
  providerId: string;
  serverId: string;
  slug: string;
  payout: Address;
}

async function provider(name: string, kyc: 'approved' | 'none'): Promise<ProviderUnderTest> {
  const person = await signedInPerson(tally);
  const payout = privateKeyToAccount(generatePrivateKey()).address;
  const made = await read(
    await request(tally, 'POST', '/api/gateway/provider', {
      as: person,
      body: { name, payout_address: payout },
    }),
  );
  const slug = name.toLowerCase().replaceAll(' ', '-');
  const server = await read(
    await request(tally, 'POST', '/api/gateway/servers', {
      as: person,
      body: { slug, name, upstream_url: upstream.url, usage_url: upstream.usageUrl },
    }),
  );
  if (kyc === 'approved') {
    await tally.database.db.execute(
      sql`UPDATE gateway_providers SET kyc_state = 'approved' WHERE id = ${made.id}`,
    );
  }
  return { person, providerId: made.id, serverId: server.id, slug, payout };
}

let keys = 0;
/** A call served and charged through the gateway's own charging, as a tools/call is. */
async function served(payer: TestPerson, to: ProviderUnderTest, price: bigint): Promise<void> {
  keys += 1;
  const begun = await deps.meter.begin({
    userId: payer.userId,
    grantId: null,
    serverId: to.serverId,
    slug: to.slug,
    providerId: to.providerId,
    tool: 'add',
    price,
    requestHash: 'f'.repeat(64),
    key: `settlement-test-${keys}`,
    clientKey: true,
  });
  if (begun.kind !== 'started') throw new Error(`the call was not started: ${begun.kind}`);
  const ended = deps.meter.finish(begun.ticket, { served: true, result: { content: [] } });
  expect(ended.call.state).toBe('served');
  await deps.meter.release({ userId: payer.userId });
}

const usdcOf = (address: Address) =>
  chain.client.publicClient.readContract({
    address: chain.deployment.tokens.USDC.address,
    abi: usdcAbi,
    functionName: 'balanceOf',
    args: [address],
  });

const available = async (providerId: string) => {
  const account = await getAccount(deps, earningsAccountOf(providerId));
  return account.creditsPosted - account.debitsPosted - account.debitsPending;
};

describe('settlement', () => {
  it('pays three providers their share less the fee, carries small earnings forward, waits for KYC, and never pays twice', async () => {
    const alpha = await provider('Alpha tools', 'approved');
    const beta = await provider('Beta tools', 'approved');
    const gamma = await provider('Gamma tools', 'none');
    const payer = await signedInPerson(tally);
    await fundCredits(tally, payer.userId, 100_000_000n);

    // Alpha: 3 calls of 0.333333; Beta: 0.4 (below the 1 USDC minimum); Gamma: 2.5.
    for (let i = 0; i < 3; i++) await served(payer, alpha, 333_333n);
    await served(payer, beta, 400_000n);
    await served(payer, gamma, 2_500_000n);

    tally.clock.advance(25 * 3_600_000);
    const periodEnd = periodEndAt(tally.clock.now(), 24);
    const first = await settle(deps, periodEnd);
    expect(first.made).toBe(true);
    // Gross 3,899,999; the fee is 5 % rounded down: 194,999.
    expect(first.settlement).toMatchObject({ calls: 5, gross: 3_899_999n, fees: 194_999n });

    const detail = await read(
      await request(tally, 'GET', `/api/gateway/settlements/${first.settlement.id}`, { as: admin }),
    );
    const byName = Object.fromEntries(detail.earnings.map((e: Body) => [e.provider_name, e]));
    expect(byName['Alpha tools']).toMatchObject({
      calls: 3,
      gross: '999999',
      fee: '50000',
      net: '949999',
      share_percent: '25.64',
    });
    expect(byName['Beta tools']).toMatchObject({
      calls: 1,
      gross: '400000',
      fee: '20000',
      net: '380000',
      share_percent: '10.26',
      payout: null,
    });
    expect(byName['Gamma tools']).toMatchObject({
      calls: 1,
      gross: '2500000',
      fee: '124999',
      net: '2375001',
      share_percent: '64.10',
      payout: null,
    });
    const nets = detail.earnings.reduce((sum: bigint, e: Body) => sum + BigInt(e.net), 0n);
    expect(nets + 194_999n).toBe(3_899_999n);
    // Alpha's 0.949999 is below the minimum too: nothing is paid yet, everything is claimable or carried.
    expect(byName['Alpha tools'].payout).toBeNull();

    // The served shards are empty, the fee is the platform's.
    for (const shard of SERVED_ACCOUNTS) {
      const account = await getAccount(deps, shard);
      expect(account.creditsPosted - account.debitsPosted).toBe(0n);
    }
    expect((await getAccount(deps, GATEWAY_ACCOUNTS.fees)).creditsPosted).toBe(194_999n);

    // The usage reports (the demo server saw none of these calls) disagree with Tally's metering.
    expect(
      detail.discrepancies
        .filter((d: Body) => d.tool === 'add')
        .map((d: Body) => [d.server_name, d.metered, d.reported]),
    ).toEqual(
      expect.arrayContaining([
        ['Alpha tools', 3, 0],
        ['Beta tools', 1, 0],
        ['Gamma tools', 1, 0],
      ]),
    );

    // A re-run of the same period changes nothing.
    const before = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM ledger_transfers`,
    );
    const again = await settle(deps, periodEnd);
    expect(again).toMatchObject({ made: false, settlement: { id: first.settlement.id } });
    expect(await queryRows(tally.database.db, sql`SELECT count(*)::int AS n FROM ledger_transfers`)).toEqual(
      before,
    );

    // The next day Alpha and Beta pass the minimum: both are paid on chain.
    await served(payer, alpha, 100_000n);
    await served(payer, beta, 700_000n);
    tally.clock.advance(24 * 3_600_000);
    const second = await settle(deps, periodEndAt(tally.clock.now(), 24));
    await settleChain(tally, { follow: false });
    expect(await usdcOf(alpha.payout)).toBe(949_999n + 95_000n);
    expect(await usdcOf(beta.payout)).toBe(380_000n + 665_000n);
    expect(await available(alpha.providerId)).toBe(0n);
    const paid = await read(
      await request(tally, 'GET', '/api/gateway/provider/earnings', { as: alpha.person }),
    );
    expect(paid).toMatchObject({ state: 'serving_requests', claimable: '0', can_claim: false });
    expect(paid.payouts).toEqual([
      expect.objectContaining({ state: 'paid', amount: '1044999', settlement_id: second.settlement.id }),
    ]);
    expect(paid.settlements.map((s: Body) => s.net)).toEqual(['95000', '949999']);

    // Gamma waits for KYC: claimable, not payable; after approval it claims and is paid.
    const waiting = await read(
      await request(tally, 'GET', '/api/gateway/provider/earnings', { as: gamma.person }),
    );
    expect(waiting).toMatchObject({ state: 'funds_claimable', claimable: '2375001', can_claim: false });
    const refused = await request(tally, 'POST', '/api/gateway/provider/claim', { as: gamma.person });
    expect((await read(refused)).error.code).toBe('kyc_not_approved');
    await tally.database.db.execute(
      sql`UPDATE gateway_providers SET kyc_state = 'approved' WHERE id = ${gamma.providerId}`,
    );
    const claim = await request(tally, 'POST', '/api/gateway/provider/claim', { as: gamma.person });
    expect(claim.status).toBe(201);
    expect(await read(claim)).toMatchObject({
      state: 'pending',
      amount: '2375001',
      to: gamma.payout.toLowerCase(),
    });
    await settleChain(tally, { follow: false });
    expect(await usdcOf(gamma.payout)).toBe(2_375_001n);
    const nothing = await request(tally, 'POST', '/api/gateway/provider/claim', { as: gamma.person });
    expect((await read(nothing)).error.code).toBe('nothing_to_claim');

    // Each provider was told what the run gave it.
    const told = await queryRows<{ title: string }>(
      tally.database.db,
      sql`SELECT title FROM core_notifications WHERE user_id = ${alpha.person.userId} ORDER BY created_at, id`,
    );
    expect(told.map((n) => n.title)).toEqual([
      'Your tools earned 0.949999 USDC from 3 calls',
      'Your tools earned 0.095 USDC from 1 calls',
      `1.044999 USDC was paid to ${alpha.payout.toLowerCase()}`,
    ]);
  });
});

describe('settlement settings', () => {
  it('are the administrators’ to change, one field at a time, and bounded', async () => {
    const changed = await request(tally, 'PUT', '/api/gateway/settings', {
      as: admin,
      body: { fee_bps: 750 },
    });
    expect(await read(changed)).toEqual({ fee_bps: 750, minimum_payout: '1000000', interval_hours: 24 });
    expect(await read(await request(tally, 'PUT', '/api/gateway/settings', { as: admin, body: {} }))).toEqual(
      {
        fee_bps: 750,
        minimum_payout: '1000000',
        interval_hours: 24,
      },
    );
    expect(
      (await request(tally, 'PUT', '/api/gateway/settings', { as: admin, body: { fee_bps: 6000 } })).status,
    ).toBe(400);
    const person = await signedInPerson(tally);
    expect(
      (await request(tally, 'PUT', '/api/gateway/settings', { as: person, body: { fee_bps: 0 } })).status,
    ).toBe(403);
    expect((await request(tally, 'GET', '/api/gateway/settings', { as: admin })).status).toBe(200);
    await updateSettings(deps, systemActor, { feeBps: 500 });
  });
});

describe('the settlement job', () => {
  it('settles once a boundary has passed with served calls waiting, and leaves no empty run', async () => {
    const { settleDue } = await import('./service');
    const runs = async () =>
      (
        await queryRows<{ n: number }>(
          tally.database.db,
          sql`SELECT count(*)::int AS n FROM gateway_settlements`,
        )
      )[0]!.n;
    tally.clock.advance(48 * 3_600_000);
    const before = await runs();
    expect(await settleDue(deps)).toBeNull();
    expect(await runs()).toBe(before);

    const delta = await provider('Delta tools', 'none');
    const payer = await signedInPerson(tally);
    await fundCredits(tally, payer.userId, 1_000_000n);
    await served(payer, delta, 50_000n);
    // Not yet: the call finished after the last boundary.
    expect(await settleDue(deps)).toBeNull();
    tally.clock.advance(24 * 3_600_000);
    const due = await settleDue(deps);
    expect(due).toMatchObject({ made: true, settlement: { calls: 1, gross: 50_000n } });
    expect(await settleDue(deps)).toBeNull();
  });
});
