import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { and, eq, sql } from 'drizzle-orm';
import { mnemonicToAccount } from 'viem/accounts';
import { DEV_CHAIN_ID } from '../../chain/dev-chain';
import { DEV_MNEMONIC } from '../../chain/runtime';
import type { Actor } from '../../core/actor';
import { confirmedPersonId } from '../../core/auth/accounts';
import { TestClock } from '../../core/clock';
import { applyTransfers } from '../../ledger/engine';
import { idFromKey } from '../../ledger/holds';
import { Meter } from '../calls/meter';
import { newSessionKeyFromSeed } from '../client';
import type { GatewayDeps } from '../deps';
import { capsText, gatewayDomain, issueSessionKeyGrant, SESSION_GRANT_TYPES } from '../grants/service';
import {
  ensureCreditsAccount,
  formatUsdc,
  GATEWAY_ACCOUNTS,
  GATEWAY_NAMESPACE,
  USDC_LEDGER,
} from '../ledger';
import { registerProvider } from '../providers/service';
import { grants, providers, servers } from '../schema';
import { registerServer, setToolPrices } from '../servers/service';
import { periodEndAt, settle } from '../settlement/service';
import { createDemoServer } from './upstream-server';

/** Where Tally serves its demo MCP server (on the development chain): see `line.ts`. */
export const DEMO_UPSTREAM_PATH = '/demo-mcp';
export const DEMO_SLUG = 'demo-tools';
const DEMO_PRICES = {
  echo: 0n,
  add: 2_500n,
  slow: 10_000n,
  picture: 5_000n,
  fail: 1_000n,
  ask_model: 3_000n,
} as const;
const DEMO_CREDITS = 25_000_000n;

const people = {
  provider: { email: 'tools@demo.tally.test', name: 'Demo Tools Co' },
  consumer: { email: 'agent-owner@demo.tally.test', name: 'Alan Turing' },
} as const;

const actorOf = (userId: string): Actor => ({
  userId,
  isAdmin: false,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
});

/** The demo server's tools, read in this process: `tally demo` needs no server running. */
async function inspectDemoServer() {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = createDemoServer();
  await server.connect(serverSide);
  const client = new Client({ name: 'tally-demo', version: '1.0.0' });
  await client.connect(clientSide);
  const { tools } = await client.listTools();
  await client.close();
  return { name: 'tally-demo-tools', version: '1.0.0', protocolVersion: null, tools };
}

/**
 * The gateway's share of `tally demo`, made through its services: a provider (KYC approved) whose
 * demo MCP server is registered and priced, a person with 25 USDC of credits and a session key a
 * development wallet granted, a day of calls, and that day settled (the earnings then wait in the
 * provider portal to be claimed while Tally runs with its chain). Everything is found again, so a
 * second run adds nothing.
 *
 * The demo's credits are credited on the ledger without a USDC deposit on chain (the demo command
 * runs without the chain): they pay for calls, and a withdrawal of them would fail on chain and be
 * released.
 */
export async function makeGatewayDemo(deps: GatewayDeps): Promise<string[]> {
  const made: string[] = [];
  const providerUser = await confirmedPersonId(deps.db, deps.clock, people.provider);
  let [provider] = await deps.db.select().from(providers).where(eq(providers.userId, providerUser));
  if (!provider) {
    provider = await registerProvider(deps, actorOf(providerUser), {
      name: people.provider.name,
      payoutAddress: mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 7 }).address,
    });
    await deps.db.execute(
      sql`UPDATE gateway_providers SET kyc_state = 'approved', kyc_reviewed_at = ${deps.clock.now()} WHERE id = ${provider.id}`,
    );
  }
  let [server] = await deps.db.select().from(servers).where(eq(servers.slug, DEMO_SLUG));
  if (!server) {
    const registered = await registerServer(
      deps,
      actorOf(providerUser),
      {
        slug: DEMO_SLUG,
        name: 'Demo tools',
        description:
          'Echo, add, a slow count with progress, a picture, and a tool that fails: to try the gateway.',
        upstreamUrl: `${deps.publicUrl}${DEMO_UPSTREAM_PATH}/mcp`,
        usageUrl: `${deps.publicUrl}${DEMO_UPSTREAM_PATH}/usage`,
      },
      inspectDemoServer,
    );
    await setToolPrices(deps, actorOf(providerUser), registered.id, DEMO_PRICES);
    server = registered;
    made.push(
      `${people.provider.name} (KYC approved) offers "Demo tools" at ${deps.publicUrl}/mcp/${DEMO_SLUG}, 6 tools priced`,
    );
  }

  const consumer = await confirmedPersonId(deps.db, deps.clock, people.consumer);
  const wallet = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 6 });
  await deps.db.execute(
    sql`INSERT INTO core_wallets (address, user_id, linked_at) VALUES (${wallet.address.toLowerCase()}, ${consumer}, ${deps.clock.now()})
        ON CONFLICT (address) DO NOTHING`,
  );
  const funded = await deps.db.transaction(async (tx) => {
    const account = await ensureCreditsAccount(tx, deps.clock, consumer);
    const [outcome] = await applyTransfers(
      tx,
      [
        {
          id: idFromKey(GATEWAY_NAMESPACE, 'demo-credits', consumer),
          debitAccountId: GATEWAY_ACCOUNTS.onchain,
          creditAccountId: account,
          amount: DEMO_CREDITS,
          ledger: USDC_LEDGER,
          code: 'demo_credits',
        },
      ],
      { clock: deps.clock },
    );
    return outcome?.result === 'ok';
  });
  if (funded)
    made.push(
      `${people.consumer.name} (${people.consumer.email}) has ${formatUsdc(DEMO_CREDITS)} of credits`,
    );

  const [grant] = await deps.db
    .select()
    .from(grants)
    .where(and(eq(grants.userId, consumer), eq(grants.label, 'Demo agent')));
  if (!grant) {
    // The demo command runs without the chain: the development chain's id is what the wallet signs for.
    const chainId = deps.chain?.client.chainId ?? DEV_CHAIN_ID;
    // A session key whose private half the demo prints, so the SDK can be tried at once.
    const seed = createHash('sha256').update(deps.keys.signer('gateway.demo-session').sign('seed')).digest();
    const key = newSessionKeyFromSeed(seed);
    const expiresAt = new Date(periodEndAt(deps.clock.now(), 24).getTime() + 30 * 86_400_000);
    const message = {
      sessionKey: key.publicKey,
      label: 'Demo agent',
      cap: 10_000_000n,
      dailyBudget: 2_000_000n,
      providerCaps: capsText({}),
      toolCaps: capsText({}),
      servers: '*',
      expiresAt: BigInt(expiresAt.getTime() / 1000),
    };
    const signature = await wallet.signTypedData({
      domain: gatewayDomain(chainId),
      types: SESSION_GRANT_TYPES,
      primaryType: 'SessionGrant',
      message,
    });
    const issued = await issueSessionKeyGrant(deps, actorOf(consumer), {
      wallet: wallet.address,
      signature,
      sessionKey: key.publicKey,
      limits: {
        label: 'Demo agent',
        cap: 10_000_000n,
        dailyBudget: 2_000_000n,
        providerCaps: {},
        toolCaps: {},
        servers: null,
        expiresAt,
      },
      chainId,
    });
    made.push(
      `a session key "Demo agent" (grant ${issued.id}, private key ${key.privateKey}) may spend 10 USDC, 2 a day`,
    );
  }

  // Yesterday's calls, spread over the day, then that day settled.
  const dayEnd = periodEndAt(deps.clock.now(), 24);
  const clock = new TestClock(new Date(dayEnd.getTime() - 23 * 3_600_000).toISOString());
  // Charged as calls through the endpoint are, on that day's clock.
  const meter = new Meter({ ...deps, clock });
  const plan: [keyof typeof DEMO_PRICES, number][] = [
    ['add', 14],
    ['echo', 6],
    ['picture', 4],
    ['slow', 2],
    ['fail', 2],
  ];
  let served = 0;
  let index = 0;
  for (const [tool, times] of plan) {
    for (let n = 0; n < times; n++) {
      index += 1;
      clock.advance(40 * 60_000);
      const begun = await meter.begin({
        userId: consumer,
        grantId: null,
        serverId: server.id,
        slug: DEMO_SLUG,
        providerId: provider.id,
        tool,
        price: DEMO_PRICES[tool],
        requestHash: createHash('sha256').update(`${tool}:${n}`).digest('hex'),
        key: `demo-call:${index}`,
        clientKey: true,
      });
      if (begun.kind !== 'started') continue;
      clock.advance(150 + ((index * 37) % 400));
      const outcome =
        tool === 'fail'
          ? ({ served: false, failure: 'the tool answered an error' } as const)
          : ({ served: true, result: { content: [{ type: 'text', text: 'demo' }] } } as const);
      if (meter.finish(begun.ticket, outcome).call.state === 'served') served += 1;
      await meter.flushed();
    }
  }
  await meter.close();
  if (served > 0) {
    made.push(`${served} calls served and 2 refunded yesterday`);
    const { settlement } = await settle(deps, dayEnd);
    made.push(
      `settled up to ${dayEnd.toISOString().slice(0, 10)}: ${formatUsdc(settlement.gross)} earned, ${formatUsdc(settlement.fees)} platform fee; the provider can claim the rest`,
    );
  }
  return made;
}
