import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import {
  type CompleteSIWxInfo,
  createSIWxClientExtension,
  createSIWxPayload,
  encodeSIWxHeader,
} from '@x402/extensions/sign-in-with-x';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { sql } from 'drizzle-orm';
import { type Address, getAddress, type Hex, parseAbi } from 'viem';
import {
  generatePrivateKey,
  mnemonicToAccount,
  type PrivateKeyAccount,
  privateKeyToAccount,
} from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
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
import { startTestChain } from '../../../test/support/chain';
import {
  bearerConsumer,
  DEMO_PRICES,
  fundCredits,
  type GatewayWorld,
  gatewayWorld,
  linkWallet,
} from '../../../test/support/gateway';
import { type ChainRuntime, DEV_MNEMONIC, walletFor } from '../../chain/runtime';
import { walletOwner } from '../../core/auth/siwe';
import { queryRows } from '../../core/database';
import { balanceOf } from '../calls/service';
import { signingFetch } from '../client';
import { gatewayDeps } from '../line';

let chain: ChainRuntime;
let tally: TestTally;
let world: GatewayWorld;
let network: `${string}:${string}`;
let usdc: Address;

beforeAll(async () => {
  chain = await startTestChain();
  // The chain's blocks carry real time, and x402's client signs its window from the real clock.
  tally = await testTally({ chain, start: new Date().toISOString() });
  world = await gatewayWorld(tally);
  network = `eip155:${chain.client.chainId}`;
  usdc = chain.deployment.tokens.USDC.address;
});

afterAll(async () => {
  await world.close();
});

const PRICE = BigInt(DEMO_PRICES.add);
const usdcAbi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
]);

/** A new wallet with 100 USDC and gas, from one of anvil's funded development accounts: Tally has never seen it. */
async function newWallet(): Promise<PrivateKeyAccount> {
  const wallet = privateKeyToAccount(generatePrivateKey());
  const funder = walletFor(chain.client, mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 }));
  const usdcSent = await funder.writeContract({
    address: usdc,
    abi: usdcAbi,
    functionName: 'transfer',
    args: [wallet.address, 100_000_000n],
  });
  await chain.client.publicClient.waitForTransactionReceipt({ hash: usdcSent });
  const gasSent = await funder.sendTransaction({ to: wallet.address, value: 10n ** 18n });
  await chain.client.publicClient.waitForTransactionReceipt({ hash: gasSent });
  return wallet;
}

/** x402's own client, for the embedded chain's USDC (not one of its default assets). */
function payingClient(
  wallet: PrivateKeyAccount,
  select?: (version: number, accepts: PaymentRequirements[]) => PaymentRequirements,
) {
  const client = new x402Client(select);
  registerExactEvmScheme(client, { signer: wallet, networks: [network as `${string}:${string}`] });
  client.setSpendControls({ allowedAssets: [{ network: network as `${string}:${string}`, asset: usdc }] });
  return client;
}
const topUp = (_: number, accepts: PaymentRequirements[]) =>
  accepts.find((r) => (r.extra.tally as { kind: string }).kind === 'top_up')!;

/** Runs the treasury's sender and the chain follower, as the job runner does, until `work` ends. */
async function driving<T>(work: Promise<T>): Promise<T> {
  let done = false;
  const watched = work.finally(() => {
    done = true;
  });
  while (!done) {
    tally.clock.advance(100);
    await tally.sender!.processDue();
    await tally.follower!.poll();
    await tally.context.flows.runDue();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return watched;
}

const usdcOf = (address: Address) =>
  chain.client.publicClient.readContract({
    address: usdc,
    abi: usdcAbi,
    functionName: 'balanceOf',
    args: [address],
  });

const balanceOfWallet = async (address: Address) => {
  const userId = await walletOwner(tally.database.db, address);
  return userId ? balanceOf(gatewayDeps(tally.context), userId) : null;
};

const addUrl = () => `${world.base}/api/gateway/x402/${world.slug}/add`;
const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function mcpStranger(): Promise<Client> {
  const client = new Client({ name: 'x402 agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${world.base}/mcp/${world.slug}`)));
  return client;
}

const callAdd = (client: Client, a: number, b: number, meta?: Record<string, unknown>) =>
  client.callTool({
    name: 'add',
    arguments: { a, b },
    ...(meta ? { _meta: meta } : {}),
  }) as Promise<CallToolResult>;

describe('x402 over HTTP', () => {
  it('answers 402 with PAYMENT-REQUIRED: the exact price, and a top-up of 100 calls, on this chain in USDC to the treasury', async () => {
    const response = await fetch(addUrl(), postJson({ a: 1, b: 2 }));
    expect(response.status).toBe(402);
    const required = decodePaymentRequiredHeader(response.headers.get('payment-required')!);
    expect(await response.json()).toEqual(required);
    expect(required.x402Version).toBe(2);
    expect(required.resource.url).toBe(`http://tally.test/api/gateway/x402/${world.slug}/add`);
    const [call, top] = required.accepts;
    const common = {
      scheme: 'exact',
      network,
      asset: getAddress(usdc),
      payTo: getAddress(chain.treasury.address),
    };
    expect(call).toMatchObject({
      ...common,
      amount: PRICE.toString(),
      extra: { name: 'USD Coin', version: '2' },
    });
    expect(top).toMatchObject({
      ...common,
      amount: (PRICE * 100n).toString(),
      extra: { tally: { kind: 'top_up' } },
    });
  });

  it('is paid by x402’s fetch client with exact: settled on chain through Tally, the tool answers, PAYMENT-RESPONSE names the transaction', async () => {
    const wallet = await newWallet();
    const before = await usdcOf(wallet.address);
    const pay = wrapFetchWithPayment(fetch, payingClient(wallet));
    const response = await driving(pay(addUrl(), postJson({ a: 2, b: 3 })));
    expect(response.status).toBe(200);
    expect((await response.json()).structuredContent).toEqual({ sum: 5 });
    const settled = decodePaymentResponseHeader(response.headers.get('payment-response')!);
    expect(settled).toMatchObject({
      success: true,
      network,
      payer: wallet.address,
      amount: PRICE.toString(),
    });
    const receipt = await chain.client.publicClient.getTransactionReceipt({
      hash: settled.transaction as Hex,
    });
    expect(receipt.status).toBe('success');
    expect(before - (await usdcOf(wallet.address))).toBe(PRICE);
    // The wallet is a Tally person now: what it paid was deposited and spent on the call.
    expect(await balanceOfWallet(wallet.address)).toMatchObject({
      deposited: PRICE,
      spent: PRICE,
      available: 0n,
    });
  });
});

/** Tally at its public address (http://tally.test): the requests reach the Tally this file serves. */
const atPublicAddress: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const response = await fetch(new URL(`${url.pathname}${url.search}`, world.base), {
    method: request.method,
    headers: request.headers,
    body: request.method === 'GET' ? undefined : await request.arrayBuffer(),
  });
  return new Response(response.body, { status: response.status, headers: response.headers });
};
const publicAddUrl = () => `http://tally.test/api/gateway/x402/${world.slug}/add`;

describe('x402 over HTTP: a top-up, then sign-in-with-x', () => {
  it('tops up once with x402’s fetch client, then ten calls send no payment: the wallet signs in and pays from its balance', async () => {
    const wallet = await newWallet();
    const before = await usdcOf(wallet.address);
    const client = payingClient(wallet, topUp);
    client.registerExtension(createSIWxClientExtension({ signers: [wallet] }));
    const pay = wrapFetchWithPayment(atPublicAddress, client);

    const first = await driving(pay(publicAddUrl(), postJson({ a: 20, b: 1 })));
    expect(first.status).toBe(200);
    expect((await first.json()).structuredContent).toEqual({ sum: 21 });
    expect(decodePaymentResponseHeader(first.headers.get('payment-response')!).amount).toBe(
      (PRICE * 100n).toString(),
    );
    const sends = await footprint(wallet.address);
    for (let i = 0; i < 10; i++) {
      const response = await pay(publicAddUrl(), postJson({ a: i, b: 100 }));
      expect(response.status).toBe(200);
      expect((await response.json()).structuredContent).toEqual({ sum: i + 100 });
      expect(response.headers.get('payment-response')).toBeNull();
    }
    const after = await footprint(wallet.address);
    expect(after.sends).toBe(sends.sends);
    expect(after.deposits).toBe(sends.deposits);
    expect(before - after.usdc).toBe(PRICE * 100n);
    expect(await balanceOfWallet(wallet.address)).toMatchObject({
      deposited: PRICE * 100n,
      spent: PRICE * 11n,
      available: PRICE * 89n,
    });

    // A sign-in is good for one request, on the resource it names.
    const challenge = decodePaymentRequiredHeader(
      (await atPublicAddress(publicAddUrl(), postJson({ a: 1, b: 1 }))).headers.get('payment-required')!,
    ).extensions!['sign-in-with-x'] as { info: CompleteSIWxInfo };
    const signIn = encodeSIWxHeader(
      await createSIWxPayload(
        { ...challenge.info, chainId: network, type: 'eip191' },
        wallet,
        publicAddUrl(),
      ),
    );
    const once = await atPublicAddress(
      publicAddUrl(),
      postJson({ a: 1, b: 1 }, { 'sign-in-with-x': signIn }),
    );
    expect(once.status).toBe(200);
    const again = await atPublicAddress(
      publicAddUrl(),
      postJson({ a: 1, b: 1 }, { 'sign-in-with-x': signIn }),
    );
    expect(again.status).toBe(402);
    const elsewhere = await atPublicAddress(
      `http://tally.test/api/gateway/x402/${world.slug}/picture`,
      postJson({}, { 'sign-in-with-x': signIn }),
    );
    expect(elsewhere.status).toBe(402);
  });
});

describe('Tally’s own credentials on an x402 resource', () => {
  it('charges a bearer grant’s person from the balance, with no payment', async () => {
    const { person, token } = await bearerConsumer(tally, 10_000n);
    const response = await fetch(addUrl(), postJson({ a: 30, b: 3 }, { authorization: `Bearer ${token}` }));
    expect(response.status).toBe(200);
    expect((await response.json()).structuredContent).toEqual({ sum: 33 });
    expect(response.headers.get('payment-response')).toBeNull();
    expect(await balanceOf(gatewayDeps(tally.context), person.userId)).toMatchObject({ spent: PRICE });
    const refused = await fetch(
      addUrl(),
      postJson({ a: 1, b: 1 }, { authorization: 'Bearer tally_gs_nothing' }),
    );
    expect(refused.status).toBe(401);
  });

  it('charges the person of a wallet-signed request (the body signed as sent), with no payment', async () => {
    const wallet = await newWallet();
    const person = await signedInPerson(tally);
    await linkWallet(tally, person.userId, wallet.address);
    await fundCredits(tally, person.userId, 10_000n);
    const signed = signingFetch({ kind: 'wallet', account: wallet, chainId: chain.client.chainId });
    const response = await signed(addUrl(), postJson({ a: 40, b: 2 }));
    expect(response.status).toBe(200);
    expect((await response.json()).structuredContent).toEqual({ sum: 42 });
    expect(await balanceOf(gatewayDeps(tally.context), person.userId)).toMatchObject({ spent: PRICE });
  });
});

describe('x402 when the tool fails', () => {
  it('keeps a payment whose call the tool refused as credit: the call is not charged', async () => {
    const wallet = await newWallet();
    const pay = wrapFetchWithPayment(fetch, payingClient(wallet));
    const response = await driving(pay(`${world.base}/api/gateway/x402/${world.slug}/fail`, postJson({})));
    expect(response.status).toBe(200);
    const result = await response.json();
    expect(result.isError).toBe(true);
    expect(result._meta['tally/refunded']).toBe(true);
    expect(decodePaymentResponseHeader(response.headers.get('payment-response')!).success).toBe(true);
    const price = BigInt(DEMO_PRICES.fail);
    expect(await balanceOfWallet(wallet.address)).toMatchObject({
      deposited: price,
      spent: 0n,
      available: price,
    });
  });
});

describe('x402 over MCP', () => {
  it('answers a stranger’s priced call with a tool error whose structured content is PaymentRequired', async () => {
    const client = await mcpStranger();
    const result = await callAdd(client, 1, 1);
    expect(result.isError).toBe(true);
    const required = result.structuredContent as unknown as PaymentRequired;
    expect(required.x402Version).toBe(2);
    expect(required.error).toBe(
      'payment_required: add costs 0.0025 USDC a call; pay it, or top up 100 calls',
    );
    expect(required.accepts.map((r) => r.amount)).toEqual([PRICE.toString(), (PRICE * 100n).toString()]);
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(required);
    await client.close();
  });

  it('refuses a payment replayed in another session, and charges nothing', async () => {
    const wallet = await newWallet();
    const first = await mcpStranger();
    const required = (await callAdd(first, 2, 2)).structuredContent as unknown as PaymentRequired;
    const payment = await payingClient(wallet).createPaymentPayload(required);
    expect((await driving(callAdd(first, 2, 2, { 'x402/payment': payment }))).structuredContent).toEqual({
      sum: 4,
    });
    const before = await footprint(wallet.address);
    const second = await mcpStranger();
    const replayed = await callAdd(second, 2, 2, { 'x402/payment': payment });
    expect(replayed.isError).toBe(true);
    expect((replayed.structuredContent as unknown as PaymentRequired).error).toMatch(
      /^invalid_transaction_state/,
    );
    // Nor does the replay bind the session to the payer: its next call is asked to pay.
    expect((await callAdd(second, 1, 1)).isError).toBe(true);
    expect(await footprint(wallet.address)).toEqual(before);
    await first.close();
    await second.close();
  });

  it('is paid per call with exact in _meta["x402/payment"], and answers with _meta["x402/payment-response"]', async () => {
    const wallet = await newWallet();
    const client = await mcpStranger();
    const required = (await callAdd(client, 4, 5)).structuredContent as unknown as PaymentRequired;
    const payment = await payingClient(wallet).createPaymentPayload(required);
    const paid = await driving(callAdd(client, 4, 5, { 'x402/payment': payment }));
    expect(paid.isError).toBeFalsy();
    expect(paid.structuredContent).toEqual({ sum: 9 });
    expect(paid._meta?.['x402/payment-response']).toMatchObject({
      success: true,
      payer: wallet.address,
      network,
    });
    expect(paid._meta?.['tally/receipt']).toBeTruthy();
    expect(await balanceOfWallet(wallet.address)).toMatchObject({ deposited: PRICE, spent: PRICE });
    // What was paid in the session is spent: the next call is asked to pay, and charges nothing.
    const next = await callAdd(client, 1, 1);
    expect(next.isError).toBe(true);
    expect((next.structuredContent as unknown as PaymentRequired).error).toMatch(/^session_spent/);
    await client.close();
  });

  it('takes a top-up: one chain transaction, then ten calls that send no payment are charged from the balance', async () => {
    const wallet = await newWallet();
    toppedUp = wallet;
    const before = await usdcOf(wallet.address);
    const client = await mcpStranger();
    const required = (await callAdd(client, 1, 2)).structuredContent as unknown as PaymentRequired;
    const payment = await payingClient(wallet, topUp).createPaymentPayload(required);
    expect(payment.accepted.amount).toBe((PRICE * 100n).toString());
    const paid = await driving(callAdd(client, 1, 2, { 'x402/payment': payment }));
    expect(paid.structuredContent).toEqual({ sum: 3 });
    const [queued] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions WHERE purpose = 'gateway.deposit'`,
    );
    for (let i = 0; i < 10; i++) {
      const result = await callAdd(client, i, 10);
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      expect(result.structuredContent).toEqual({ sum: i + 10 });
      expect(result._meta?.['x402/payment-response']).toBeUndefined();
    }
    // No chain transaction more, and exactly the top-up left the wallet.
    const [after] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions WHERE purpose = 'gateway.deposit'`,
    );
    expect(after!.n).toBe(queued!.n);
    expect(before - (await usdcOf(wallet.address))).toBe(PRICE * 100n);
    expect(await balanceOfWallet(wallet.address)).toMatchObject({
      deposited: PRICE * 100n,
      spent: PRICE * 11n,
      available: PRICE * 89n,
    });
    await client.close();
  });
});

let toppedUp: PrivateKeyAccount;

describe('the payer’s wallet is their Tally identity', () => {
  it('signs in with the wallet and finds the balance, the calls and the deposit x402 made, and withdraws from it', async () => {
    const { nonce } = await read(await request(tally, 'GET', '/api/auth/siwe/nonce'));
    const message = createSiweMessage({
      address: toppedUp.address,
      chainId: chain.client.chainId,
      domain: 'tally.test',
      nonce,
      uri: 'http://tally.test/login',
      version: '1',
      issuedAt: tally.clock.now(),
    });
    const signedIn = await request(tally, 'POST', '/api/auth/siwe/verify', {
      body: { message, signature: await toppedUp.signMessage({ message }) },
    });
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const person: TestPerson = {
      userId: (await walletOwner(tally.database.db, toppedUp.address))!,
      email: '',
      cookie,
    };

    const balance = await read(await request(tally, 'GET', '/api/gateway/balance', { as: person }));
    expect(balance).toMatchObject({ available: (PRICE * 89n).toString(), state: 'has_credits' });
    const calls = await read(await request(tally, 'GET', '/api/gateway/calls?limit=50', { as: person }));
    expect(calls.items).toHaveLength(11);
    expect(calls.items.every((c: Body) => c.state === 'served' && c.price === PRICE.toString())).toBe(true);
    const deposits = await read(await request(tally, 'GET', '/api/gateway/deposits', { as: person }));
    expect(deposits.items).toMatchObject([
      { from: toppedUp.address.toLowerCase(), amount: (PRICE * 100n).toString(), state: 'credits_issued' },
    ]);

    const before = await usdcOf(toppedUp.address);
    const withdrawn = await request(tally, 'POST', '/api/gateway/withdrawals', {
      as: person,
      body: { amount: (PRICE * 89n).toString() },
    });
    expect(withdrawn.status).toBe(201);
    await driving(
      (async () => {
        for (let i = 0; i < 50 && (await usdcOf(toppedUp.address)) === before; i++)
          await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
    );
    expect((await usdcOf(toppedUp.address)) - before).toBe(PRICE * 89n);
  });
});

/** A payment signed by `wallet` against the call's offer, with parts of it made wrong on purpose. */
async function craftedPayment(
  wallet: PrivateKeyAccount,
  offer: PaymentRequirements,
  changes: { value?: bigint; to?: Address; validBefore?: bigint; chainId?: number; nonce?: Hex } = {},
): Promise<PaymentPayload> {
  const now = BigInt(Math.floor(Date.now() / 1000));
  const authorization = {
    from: wallet.address,
    to: changes.to ?? getAddress(offer.payTo),
    value: changes.value ?? BigInt(offer.amount),
    validAfter: 0n,
    validBefore: changes.validBefore ?? now + 1200n,
    nonce: changes.nonce ?? (`0x${randomBytes(32).toString('hex')}` as Hex),
  };
  const chainId = changes.chainId ?? chain.client.chainId;
  const signature = await wallet.signTypedData({
    domain: { name: 'USD Coin', version: '2', chainId, verifyingContract: getAddress(offer.asset) },
    types: {
      TransferWithAuthorization: [
        { name: 'from', type: 'address' },
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'validAfter', type: 'uint256' },
        { name: 'validBefore', type: 'uint256' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'TransferWithAuthorization',
    message: authorization,
  });
  return {
    x402Version: 2,
    accepted: {
      ...offer,
      amount: authorization.value.toString(),
      payTo: authorization.to,
      network: `eip155:${chainId}`,
    },
    payload: {
      signature,
      authorization: Object.fromEntries(
        Object.entries(authorization).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
      ),
    },
  };
}

async function offerOfAdd(): Promise<PaymentRequirements> {
  const response = await fetch(addUrl(), postJson({ a: 0, b: 0 }));
  return decodePaymentRequiredHeader(response.headers.get('payment-required')!).accepts[0]!;
}

/** What a refused payment must leave as it was: Tally's records of payments and calls, and the wallet's USDC. */
async function footprint(address: Address) {
  await gatewayDeps(tally.context).meter.flushed();
  const [counts] = await queryRows<{ deposits: number; calls: number; sends: number }>(
    tally.database.db,
    sql`SELECT (SELECT count(*)::int FROM gateway_deposits) AS deposits,
               (SELECT count(*)::int FROM gateway_calls) AS calls,
               (SELECT count(*)::int FROM chain_outgoing_transactions) AS sends`,
  );
  return { ...counts!, usdc: await usdcOf(address), upstream: world.upstream.served.get('add') ?? 0 };
}

describe('refused payments charge nothing', () => {
  it('refuses a replay, an expired authorization, a wrong amount, a wrong network, another payee and a nonce used on chain', async () => {
    const offer = await offerOfAdd();
    const send = (payment: PaymentPayload) =>
      driving(
        fetch(
          addUrl(),
          postJson({ a: 1, b: 1 }, { 'payment-signature': encodePaymentSignatureHeader(payment) }),
        ),
      );
    const refusalOf = async (response: Response) => {
      expect(response.status).toBe(402);
      return decodePaymentRequiredHeader(response.headers.get('payment-required')!).error;
    };

    // A payment served once, then sent again.
    const replayer = await newWallet();
    const served = await craftedPayment(replayer, offer);
    expect((await send(served)).status).toBe(200);
    let before = await footprint(replayer.address);
    expect(await refusalOf(await send(served))).toMatch(/^invalid_transaction_state/);
    expect(await footprint(replayer.address)).toEqual(before);

    const wallet = await newWallet();
    before = await footprint(wallet.address);
    const now = BigInt(Math.floor(Date.now() / 1000));
    expect(
      await refusalOf(await send(await craftedPayment(wallet, offer, { validBefore: now - 1n }))),
    ).toMatch(/^invalid_exact_evm_payload_authorization_valid_before/);
    expect(await refusalOf(await send(await craftedPayment(wallet, offer, { value: PRICE - 1n })))).toMatch(
      /^invalid_exact_evm_payload_authorization_value/,
    );
    expect(await refusalOf(await send(await craftedPayment(wallet, offer, { chainId: 8453 })))).toMatch(
      /^invalid_network/,
    );
    expect(
      await refusalOf(
        await send(await craftedPayment(wallet, offer, { to: '0x000000000000000000000000000000000000dEaD' })),
      ),
    ).toMatch(/^invalid_exact_evm_payload_recipient_mismatch/);

    // The payer submits the authorization on chain themselves before sending it to Tally.
    const used = await craftedPayment(wallet, offer);
    const auth = used.payload.authorization as Record<string, string>;
    const own = walletFor(chain.client, wallet);
    const hash = await own.writeContract({
      address: usdc,
      abi: usdcAbi,
      functionName: 'transferWithAuthorization',
      args: [
        wallet.address,
        getAddress(auth.to!),
        BigInt(auth.value!),
        BigInt(auth.validAfter!),
        BigInt(auth.validBefore!),
        auth.nonce as Hex,
        used.payload.signature as Hex,
      ],
    });
    await chain.client.publicClient.waitForTransactionReceipt({ hash });
    before = await footprint(wallet.address);
    expect(await refusalOf(await send(used))).toMatch(/^invalid_transaction_state/);
    expect(await footprint(wallet.address)).toEqual(before);
    expect(await walletOwner(tally.database.db, wallet.address)).toBeNull();
  });

  it('settles and serves once the same PAYMENT-SIGNATURE raced ten times', async () => {
    const wallet = await newWallet();
    const offer = await offerOfAdd();
    const header = encodePaymentSignatureHeader(await craftedPayment(wallet, offer));
    const before = await footprint(wallet.address);
    const responses = await driving(
      Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(addUrl(), postJson({ a: 7, b: 8 }, { 'payment-signature': header })),
        ),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(402)]);
    const after = await footprint(wallet.address);
    expect(after.deposits - before.deposits).toBe(1);
    expect(after.upstream - before.upstream).toBe(1);
    expect(before.usdc - after.usdc).toBe(PRICE);
    expect(await balanceOfWallet(wallet.address)).toMatchObject({ deposited: PRICE, spent: PRICE });
  });
});

describe('discovery', () => {
  it('lists every priced tool with its price and top-up at /.well-known/x402', async () => {
    const listed = await (await fetch(`${world.base}/.well-known/x402`)).json();
    expect(listed.x402Version).toBe(2);
    const toolOf = (i: { extensions: { tally: { tool: string } } }) => i.extensions.tally.tool;
    const add = listed.items.find((i: Body) => toolOf(i) === 'add');
    expect(add).toMatchObject({
      resource: `http://tally.test/api/gateway/x402/${world.slug}/add`,
      type: 'http',
      accepts: [{ amount: PRICE.toString() }, { amount: (PRICE * 100n).toString() }],
      extensions: {
        tally: { server: world.slug, price: PRICE.toString(), mcp: `http://tally.test/mcp/${world.slug}` },
      },
    });
    // Free tools need no payment and are not listed.
    expect(listed.items.some((i: Body) => toolOf(i) === 'echo')).toBe(false);
    expect(listed).toMatchObject({ version: 1, resources: listed.items.map((i: Body) => i.resource) });
    const { version, resources, instructions, ...items } = listed;
    expect(instructions).toContain('x402');
    expect(await (await fetch(`${world.base}/api/gateway/x402/resources`)).json()).toEqual(items);
  });
});
