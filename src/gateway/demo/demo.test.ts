import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { read, type TestTally, testTally } from '../../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';
import { balanceOf } from '../calls/service';
import { gatewayDeps } from '../line';
import { makeGatewayDemo } from './demo';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

describe('the gateway demo', () => {
  it('makes a priced demo server, a funded person with a session key, a day of calls settled; again, nothing', async () => {
    const made = await makeGatewayDemo(gatewayDeps(tally.context));
    expect(made).toEqual([
      'Demo Tools Co (KYC approved) offers "Demo tools" at http://tally.test/mcp/demo-tools, 6 tools priced',
      'Alan Turing (agent-owner@demo.tally.test) has 25 USDC of credits',
      expect.stringMatching(
        /^a session key "Demo agent" \(grant [0-9a-f-]{36}, private key [A-Za-z0-9_-]{43}\) may spend 10 USDC, 2 a day$/,
      ),
      '26 calls served and 2 refunded yesterday',
      'settled up to 2026-06-01: 0.075 USDC earned, 0.00375 USDC platform fee; the provider can claim the rest',
    ]);
    const [person] = await queryRows<{ id: string }>(
      tally.database.db,
      sql`SELECT id FROM core_users WHERE email = 'agent-owner@demo.tally.test'`,
    );
    // 14 adds at 0.0025, 4 pictures at 0.005 and 2 slow counts at 0.01: 0.075 USDC; the failures cost nothing.
    expect(await balanceOf(gatewayDeps(tally.context), person!.id)).toMatchObject({
      available: 24_925_000n,
      state: 'has_credits',
    });
    const [earned] = await queryRows<{ net: string; state: string }>(
      tally.database.db,
      sql`SELECT e.net::text, p.kyc_state AS state FROM gateway_earnings e JOIN gateway_providers p ON p.id = e.provider_id`,
    );
    expect(earned).toEqual({ net: '71250', state: 'approved' });

    const before = await snapshotTables(tally.database.db);
    expect(await makeGatewayDemo(gatewayDeps(tally.context))).toEqual([]);
    await expectUnchanged(tally.database.db, before);
  });

  it('serves its MCP server on a development install, for the demo provider’s upstream', async () => {
    const usage = await tally.http.request('/demo-mcp/usage');
    expect(await read(usage)).toEqual({ calls: {} });
  });
});
