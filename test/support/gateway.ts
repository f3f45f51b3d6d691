import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sql } from 'drizzle-orm';
import { parseAbi } from 'viem';
import { expect } from 'vitest';
import { type ChainRuntime, walletFor } from '../../src/chain/runtime';
import { newId } from '../../src/core/ids';
import { type DemoUpstream, startDemoUpstream } from '../../src/gateway/demo/upstream-server';
import { ensureCreditsAccount, GATEWAY_ACCOUNTS, USDC_LEDGER } from '../../src/gateway/ledger';
import { applyTransfers } from '../../src/ledger/engine';
import { type Body, read, request, signedInPerson, type TestPerson, type TestTally } from './app';

/** The prices the gateway tests give the demo server's tools, micro-USDC. */
export const DEMO_PRICES = { echo: '0', add: '2500', slow: '1000', picture: '500', fail: '700' } as const;

export interface GatewayWorld {
  /** Where Tally listens on 127.0.0.1 (the MCP clients need real HTTP). */
  base: string;
  upstream: DemoUpstream;
  /** The demo server's path: `${base}/mcp/${slug}`. */
  slug: string;
  provider: TestPerson;
  serverId: string;
  close(): Promise<void>;
}

/** A served Tally with a provider whose demo MCP server is registered and priced. */
export async function gatewayWorld(tally: TestTally, slug = 'demo'): Promise<GatewayWorld> {
  const upstream = await startDemoUpstream();
  const server = serve({ fetch: tally.http.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = await signedInPerson(tally);
  await request(tally, 'POST', '/api/gateway/provider', {
    as: provider,
    body: { name: 'Demo tools', payout_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' },
  });
  const registered = await read(
    await request(tally, 'POST', '/api/gateway/servers', {
      as: provider,
      body: { slug, name: 'Demo tools', upstream_url: upstream.url },
    }),
  );
  const priced = await request(tally, 'PUT', `/api/gateway/servers/${registered.id}/prices`, {
    as: provider,
    body: { prices: DEMO_PRICES },
  });
  expect(priced.status).toBe(200);
  return {
    base,
    upstream,
    slug,
    provider,
    serverId: registered.id,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Clients' event streams stay open until closed from this side.
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
      await upstream.close();
    },
  };
}

/** Credits as a confirmed deposit leaves them (the deposit tests go through the chain). */
export async function fundCredits(tally: TestTally, userId: string, amount: bigint): Promise<void> {
  await tally.database.db.transaction(async (tx) => {
    const account = await ensureCreditsAccount(tx, tally.clock, userId);
    const [outcome] = await applyTransfers(
      tx,
      [
        {
          id: newId(),
          debitAccountId: GATEWAY_ACCOUNTS.onchain,
          creditAccountId: account,
          amount,
          ledger: USDC_LEDGER,
          code: 'deposit',
        },
      ],
      { clock: tally.clock },
    );
    expect(outcome?.result).toBe('ok');
  });
}

/** Links `address` to the person, as their first Sign-In with Ethereum does. */
export async function linkWallet(tally: TestTally, userId: string, address: string): Promise<void> {
  await tally.database.db.execute(
    sql`INSERT INTO core_wallets (address, user_id, linked_at) VALUES (${address.toLowerCase()}, ${userId}, ${tally.clock.now()})`,
  );
}

export const availableOf = async (tally: TestTally, person: TestPerson): Promise<string> =>
  (await read(await request(tally, 'GET', '/api/gateway/balance', { as: person }))).available;

/** A person with `funds` of credits and a bearer grant (a week, cap 1 USDC unless `limits` say otherwise). */
export async function bearerConsumer(
  tally: TestTally,
  funds: bigint,
  limits: Record<string, unknown> = {},
): Promise<{ person: TestPerson; token: string; grant: Body }> {
  const person = await signedInPerson(tally);
  if (funds > 0n) await fundCredits(tally, person.userId, funds);
  const issued = await request(tally, 'POST', '/api/gateway/grants', {
    as: person,
    body: {
      label: 'Claude Desktop',
      cap: '1000000',
      expires_at: new Date(tally.clock.now().getTime() + 7 * 86_400_000).toISOString(),
      ...limits,
    },
  });
  expect(issued.status).toBe(201);
  const { grant, token } = await read(issued);
  return { person, token, grant };
}

/** The MCP SDK's own client at `/mcp/<slug>`, sending a bearer grant as Claude Desktop would. */
export async function connectBearer(world: GatewayWorld, token: string, slug = world.slug): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${world.base}/mcp/${slug}`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/**
 * Test USDC minted to the treasury: what deposits would have brought it, for withdrawals and payouts
 * to pay from. Call it before Tally takes the treasury's nonces over (before `testTally`).
 */
export const mintToTreasury = (chain: ChainRuntime, amount: bigint): Promise<void> =>
  mintUsdc(chain, chain.treasury.address, amount);

/** Test USDC minted to anyone (a buyer's wallet), by the treasury that owns the token: before `testTally`. */
export async function mintUsdc(chain: ChainRuntime, to: `0x${string}`, amount: bigint): Promise<void> {
  const treasury = walletFor(chain.client, chain.treasury);
  const hash = await treasury.writeContract({
    address: chain.deployment.tokens.USDC.address,
    abi: parseAbi(['function mint(address to, uint256 amount) returns (bool)']),
    functionName: 'mint',
    args: [to, amount],
  });
  await chain.client.publicClient.waitForTransactionReceipt({ hash });
}
