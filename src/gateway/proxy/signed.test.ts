import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { startTestChain } from '../../../test/support/chain';
import {
  availableOf,
  fundCredits,
  type GatewayWorld,
  gatewayWorld,
  linkWallet,
  mintToTreasury,
} from '../../../test/support/gateway';
import type { ChainRuntime } from '../../chain/runtime';
import {
  connectGateway,
  type GatewaySigner,
  gatewayAccount,
  grantSessionKey,
  newSessionKey,
  signedHeaders,
  verifyReceipt,
} from '../client';

let chain: ChainRuntime;
let tally: TestTally;
let world: GatewayWorld;

beforeAll(async () => {
  chain = await startTestChain();
  await mintToTreasury(chain, 1_000_000_000n);
  // Signed requests carry real time: Tally's clock reads the same.
  tally = await testTally({ chain, start: new Date().toISOString() });
  world = await gatewayWorld(tally);
});

afterAll(async () => {
  await world?.close();
});

/** A person whose wallet (a fresh key) is linked, with `funds` micro-USDC of credits. */
async function walletHolder(funds: bigint) {
  const person = await signedInPerson(tally);
  const wallet = privateKeyToAccount(generatePrivateKey());
  await linkWallet(tally, person.userId, wallet.address);
  if (funds > 0n) await fundCredits(tally, person.userId, funds);
  return { person, wallet };
}

const endpoint = () => `${world.base}/mcp/${world.slug}`;

/** An initialize request, raw, signed by `signer`: what the tests replay or tamper with. */
async function rawInitialize(
  signer: GatewaySigner,
  tamper: (headers: Record<string, string>) => void = () => {},
) {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const headers = await signedHeaders(signer, { method: 'POST', path: `/mcp/${world.slug}`, body });
  tamper(headers);
  const send = () =>
    fetch(endpoint(), {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body,
    });
  return { send, headers };
}

describe('session keys a wallet granted', () => {
  it('call with no wallet prompt: one signature grants the key, each request is signed by it, and charged', async () => {
    const { person, wallet } = await walletHolder(20_000n);
    const signer = await grantSessionKey({
      tally: world.base,
      wallet,
      chainId: chain.client.chainId,
      limits: {
        label: 'my agent',
        cap: 100_000n,
        dailyBudget: 5_000n,
        servers: [world.slug],
        expiresInDays: 7,
      },
    });
    const grants = await read(await request(tally, 'GET', '/api/gateway/grants', { as: person }));
    expect(grants.items[0]).toMatchObject({
      id: signer.grantId,
      kind: 'session_key',
      label: 'my agent',
      state: 'active',
      wallet: wallet.address.toLowerCase(),
      cap: '100000',
      daily_budget: '5000',
      servers: [world.slug],
    });

    const client = await connectGateway({ url: endpoint(), signer });
    const added = (await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })) as CallToolResult;
    expect(added.structuredContent).toEqual({ sum: 42 });
    const keys = await read(await request(tally, 'GET', '/api/gateway/keys'));
    expect(verifyReceipt(added._meta?.['tally/receipt'] as Body, keys.receipts)).toBe(true);
    expect(await availableOf(tally, person)).toBe('17500');

    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    // The daily budget (5,000) is now met: a third call would pass it.
    const third = (await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })) as CallToolResult;
    expect(third.isError).toBe(true);
    expect((third._meta as Body)['tally/error']).toMatchObject({
      code: 'grant_limit',
      limit: 'daily_budget',
    });
    expect(await availableOf(tally, person)).toBe('15000');
    await client.close();
  });

  it('refuses a replayed, expired, far-future, or foreign-signed request', async () => {
    const { wallet } = await walletHolder(0n);
    const signer = await grantSessionKey({
      tally: world.base,
      wallet,
      chainId: chain.client.chainId,
      limits: { label: 'replays', cap: 1_000n, expiresInDays: 1 },
    });
    const first = await rawInitialize(signer);
    expect((await first.send()).status).toBe(200);
    const replay = await first.send();
    expect(replay.status).toBe(401);
    expect((await replay.json()).error.message).toContain('nonce is used');

    const expired = await rawInitialize(signer, (h) => {
      h['x-tally-expiry'] = String(Math.floor(tally.clock.now().getTime() / 1000) - 1);
    });
    expect((await (await expired.send()).json()).error.message).toContain('has expired');
    const far = await rawInitialize(signer, (h) => {
      h['x-tally-expiry'] = String(Math.floor(tally.clock.now().getTime() / 1000) + 3600);
    });
    expect((await (await far.send()).json()).error.message).toContain('at most 300 seconds');

    // Another key's signature under this grant's id.
    const foreign = await rawInitialize({ ...signer, privateKey: newSessionKey().privateKey });
    const refused = await foreign.send();
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toContain('not the session key’s signature');
  });

  it('binds a signed request to its MCP session: replayed there or sent into another session, it is refused', async () => {
    const { wallet } = await walletHolder(0n);
    const signer = await grantSessionKey({
      tally: world.base,
      wallet,
      chainId: chain.client.chainId,
      limits: { label: 'sessions', cap: 1_000n, expiresInDays: 1 },
    });
    const open = async () => {
      const opened = await (await rawInitialize(signer)).send();
      expect(opened.status).toBe(200);
      return opened.headers.get('mcp-session-id')!;
    };
    const [mine, other] = [await open(), await open()];
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    const headers = await signedHeaders(signer, {
      method: 'POST',
      path: `/mcp/${world.slug}`,
      body,
      session: mine,
    });
    const send = (session: string) =>
      fetch(endpoint(), {
        method: 'POST',
        headers: {
          ...headers,
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-06-18',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body,
      });
    const listed = await send(mine);
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('"add"');

    const again = await send(mine);
    expect(again.status).toBe(401);
    expect((await again.json()).error.message).toContain('nonce is used');
    // The same signed bytes in another session of the same person: the signature is for `mine`.
    const elsewhere = await send(other);
    expect(elsewhere.status).toBe(401);
    expect((await elsewhere.json()).error.message).toContain('not the session key’s signature');
  });

  it('refuses a grant whose limits differ from what the wallet signed, and answers the same grant twice', async () => {
    const { wallet } = await walletHolder(0n);
    const key = newSessionKey();
    const expiresAt = new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000);
    const { SESSION_GRANT_TYPES, gatewayDomain, sessionGrantMessage } = await import('../grants/service');
    const limits = {
      label: 'signed',
      cap: 1_000n,
      dailyBudget: null,
      providerCaps: {},
      toolCaps: {},
      servers: null,
      expiresAt,
    };
    const signature = await wallet.signTypedData({
      domain: gatewayDomain(chain.client.chainId),
      types: SESSION_GRANT_TYPES,
      primaryType: 'SessionGrant',
      message: sessionGrantMessage(key.publicKey, limits),
    });
    const body = {
      wallet: wallet.address,
      signature,
      session_key: key.publicKey,
      label: 'signed',
      cap: '1000',
      expires_at: expiresAt.toISOString(),
    };
    const tampered = await request(tally, 'POST', '/api/gateway/grants/signed', {
      body: { ...body, cap: '1000000' },
    });
    expect(tampered.status).toBe(422);
    expect((await read(tampered)).error.code).toBe('signature_invalid');
    const made = await read(await request(tally, 'POST', '/api/gateway/grants/signed', { body }));
    const again = await request(tally, 'POST', '/api/gateway/grants/signed', { body });
    expect(again.status).toBe(201);
    expect((await read(again)).id).toBe(made.id);

    const unlinked = privateKeyToAccount(generatePrivateKey());
    await expect(
      grantSessionKey({
        tally: world.base,
        wallet: unlinked,
        chainId: chain.client.chainId,
        limits: { label: 'x', cap: 1n, expiresInDays: 1 },
      }),
    ).rejects.toThrow('not linked to a Tally account');
  });
});

describe('the account by signed requests', () => {
  it('lets an agent read its balance and calls with its session key, and the wallet alone withdraw', async () => {
    const { person, wallet } = await walletHolder(20_000n);
    const sessionKey = await grantSessionKey({
      tally: world.base,
      wallet,
      chainId: chain.client.chainId,
      limits: { label: 'agent', cap: 10_000n, expiresInDays: 1 },
    });
    const client = await connectGateway({ url: endpoint(), signer: sessionKey });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await client.close();

    const agent = gatewayAccount({ tally: world.base, signer: sessionKey });
    expect(await agent.balance()).toMatchObject({ available: '17500', spent: '2500', state: 'has_credits' });
    const calls = await agent.calls({ limit: 5 });
    expect(calls.items).toEqual([expect.objectContaining({ tool: 'add', state: 'served', cost: '2500' })]);
    await expect(agent.withdraw(1_000n)).rejects.toThrow('the wallet’s own signature');

    const owner = gatewayAccount({
      tally: world.base,
      signer: { kind: 'wallet', account: wallet, chainId: chain.client.chainId },
    });
    const withdrawal = await owner.withdraw(5_000n);
    expect(withdrawal).toMatchObject({ state: 'pending', amount: '5000', to: wallet.address.toLowerCase() });
    expect(await owner.balance()).toMatchObject({ available: '12500', held: '5000' });
    // The person sees the same from the web app.
    const mine = await read(await request(tally, 'GET', '/api/gateway/withdrawals', { as: person }));
    expect(mine.items.map((w: Body) => w.id)).toEqual([withdrawal.id]);
  });

  it('refuses an unsigned, replayed or altered account request', async () => {
    const { wallet } = await walletHolder(1_000n);
    const signer = await grantSessionKey({
      tally: world.base,
      wallet,
      chainId: chain.client.chainId,
      limits: { label: 'agent', cap: 1_000n, expiresInDays: 1 },
    });
    const url = `${world.base}/api/gateway/signed/calls?limit=1`;
    const unsigned = await fetch(url);
    expect(unsigned.status).toBe(401);

    const headers = await signedHeaders(signer, {
      method: 'GET',
      path: '/api/gateway/signed/calls?limit=1',
      body: '',
    });
    expect((await fetch(url, { headers })).status).toBe(200);
    const replayed = await fetch(url, { headers });
    expect(replayed.status).toBe(401);
    expect((await replayed.json()).error.message).toContain('nonce is used');
    // The query is signed: another page with the same signature is not this request.
    const fresh = await signedHeaders(signer, {
      method: 'GET',
      path: '/api/gateway/signed/calls?limit=1',
      body: '',
    });
    const altered = await fetch(`${world.base}/api/gateway/signed/calls?limit=50`, { headers: fresh });
    expect(altered.status).toBe(401);
    expect((await altered.json()).error.message).toContain('not the session key’s signature');

    // A withdrawal's body is signed too: another amount under the wallet's signature is refused.
    const owner = { kind: 'wallet' as const, account: wallet, chainId: chain.client.chainId };
    const body = JSON.stringify({ amount: '100' });
    const signed = await signedHeaders(owner, {
      method: 'POST',
      path: '/api/gateway/signed/withdrawals',
      body,
    });
    const tampered = await fetch(`${world.base}/api/gateway/signed/withdrawals`, {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '1000' }),
    });
    expect(tampered.status).toBe(401);
    const bad = JSON.stringify({ amount: 'all of it' });
    const malformed = await fetch(`${world.base}/api/gateway/signed/withdrawals`, {
      method: 'POST',
      headers: {
        ...(await signedHeaders(owner, {
          method: 'POST',
          path: '/api/gateway/signed/withdrawals',
          body: bad,
        })),
        'content-type': 'application/json',
      },
      body: bad,
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('validation_failed');
  });
});

describe('requests the wallet signs itself', () => {
  it('are charged to the wallet’s person, each request its own EIP-712 signature', async () => {
    const { person, wallet } = await walletHolder(10_000n);
    const client = await connectGateway({
      url: endpoint(),
      signer: { kind: 'wallet', account: wallet, chainId: chain.client.chainId },
    });
    const picture = (await client.callTool({ name: 'picture', arguments: {} })) as CallToolResult;
    expect(picture.content[0]).toMatchObject({ type: 'image' });
    expect(await availableOf(tally, person)).toBe('9500');
    await client.close();

    const stranger = privateKeyToAccount(generatePrivateKey());
    const refused = await rawInitialize({ kind: 'wallet', account: stranger, chainId: chain.client.chainId });
    const response = await refused.send();
    expect(response.status).toBe(403);
    expect((await response.json()).error.message).toContain('not linked to a Tally account');
  });
});
