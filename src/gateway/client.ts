import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import type { LocalAccount } from 'viem';
import { AUTHORIZATION_FIELDS } from '../chain/authorizations';
import { type KeyPair, keyPairFromSignature } from '../chain/zk/elgamal';
import { type Signed, verifySigned } from '../core/signed';
import { capsText, gatewayDomain, SESSION_GRANT_TYPES } from './grants/service';
import { bodyHashOf, GATEWAY_REQUEST_TYPES, requestSigningText } from './proxy/auth';

/**
 * The gateway from code: the official MCP SDK client, with every request signed so no wallet
 * prompt is needed per call.
 *
 * ```ts
 * import { connectGateway, grantSessionKey } from 'tally/src/gateway/client';
 * const key = await grantSessionKey({ tally: 'https://tally.example', wallet: account, chainId: 8453,
 *   limits: { label: 'my agent', cap: 5_000_000n, expiresInDays: 7 } });
 * const client = await connectGateway({ url: 'https://tally.example/mcp/weather', signer: key });
 * const { tools } = await client.listTools();               // each with _meta["tally/price"]
 * const result = await client.callTool({ name: 'forecast', arguments: { city: 'Lyon' } });
 * console.log(result._meta?.['tally/receipt']);             // signed: price, balance after
 * ```
 */

/** How requests are proven: a session key a wallet granted, the wallet itself, or a bearer token. */
export type GatewaySigner =
  | { kind: 'session_key'; grantId: string; privateKey: string }
  | { kind: 'wallet'; account: LocalAccount; chainId: number }
  | { kind: 'bearer'; token: string };

/** Seconds a signed request stays valid: long enough for a slow network, short enough to be useless later. */
const REQUEST_LIFETIME_SECONDS = 120;
const ED25519_PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A new Ed25519 session key: the public key goes in the grant, the private key stays with the client. */
export function newSessionKey(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  return { publicKey: raw.toString('base64url'), privateKey: seed.toString('base64url') };
}

/** The session key of a 32-byte seed: the same seed, the same key (the demo prints its own). */
export function newSessionKeyFromSeed(seed: Uint8Array): { publicKey: string; privateKey: string } {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_HEADER, Buffer.from(seed)]),
    format: 'der',
    type: 'pkcs8',
  });
  const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKey: raw.toString('base64url'), privateKey: Buffer.from(seed).toString('base64url') };
}

/** Session keys as key objects, made once per key: a signer signs many requests. */
const privateKeys = new Map<string, KeyObject>();
function privateKeyOf(seed: string): KeyObject {
  let key = privateKeys.get(seed);
  if (!key) {
    key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_HEADER, Buffer.from(seed, 'base64url')]),
      format: 'der',
      type: 'pkcs8',
    });
    if (privateKeys.size > 1_000) privateKeys.clear();
    privateKeys.set(seed, key);
  }
  return key;
}

/** The headers that prove one request (`session`: its `Mcp-Session-Id`, none for the one that opens it). */
export async function signedHeaders(
  signer: GatewaySigner,
  request: { method: string; path: string; body: string; session?: string },
): Promise<Record<string, string>> {
  if (signer.kind === 'bearer') return { authorization: `Bearer ${signer.token}` };
  const nonce = randomBytes(18).toString('base64url');
  const expiry = Math.floor(Date.now() / 1000) + REQUEST_LIFETIME_SECONDS;
  const signed = {
    method: request.method.toUpperCase(),
    path: request.path,
    bodyHash: bodyHashOf(request.body),
    session: request.session ?? '',
    nonce,
    expiry,
  };
  const common = { 'x-tally-nonce': nonce, 'x-tally-expiry': String(expiry) };
  if (signer.kind === 'session_key') {
    const signature = sign(
      null,
      Buffer.from(requestSigningText(signed)),
      privateKeyOf(signer.privateKey),
    ).toString('base64url');
    return { ...common, 'x-tally-grant': signer.grantId, 'x-tally-signature': signature };
  }
  const signature = await signer.account.signTypedData({
    domain: gatewayDomain(signer.chainId),
    types: GATEWAY_REQUEST_TYPES,
    primaryType: 'GatewayRequest',
    message: { ...signed, expiry: BigInt(expiry) },
  });
  return { ...common, 'x-tally-wallet': signer.account.address, 'x-tally-signature': signature };
}

/** A `fetch` that signs every request it sends (what the MCP transport is given). */
export function signingFetch(signer: GatewaySigner, inner: typeof fetch = fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const body = typeof init?.body === 'string' ? init.body : '';
    const headers = new Headers(init?.headers);
    const session = headers.get('mcp-session-id') ?? undefined;
    for (const [name, value] of Object.entries(
      await signedHeaders(signer, {
        method: init?.method ?? 'GET',
        path: url.pathname + url.search,
        body,
        session,
      }),
    ))
      headers.set(name, value);
    return inner(input, { ...init, headers });
  }) as typeof fetch;
}

/**
 * A person's gateway account from code, each request signed as calls are (`/api/gateway/signed/…`):
 * the balance, the calls with their cost, and (with the wallet itself as signer) a withdrawal.
 * Answers are the API's JSON; a refusal throws with the API's error message.
 */
export function gatewayAccount(options: { tally: string; signer: GatewaySigner }) {
  const send = signingFetch(options.signer);
  const call = async (path: string, init?: RequestInit) => {
    const response = await send(new URL(path, options.tally), init);
    const body = (await response.json()) as Record<string, unknown> & { error?: { message: string } };
    if (!response.ok) throw new Error(body.error?.message ?? `Tally answered ${response.status}`);
    return body;
  };
  return {
    balance: () => call('/api/gateway/signed/balance'),
    calls: (page: { cursor?: string; limit?: number; server?: string } = {}) => {
      const query = new URLSearchParams(
        Object.entries(page)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => [key, String(value)]),
      );
      return call(`/api/gateway/signed/calls${query.size > 0 ? `?${query}` : ''}`);
    },
    withdraw: (amount: bigint, to?: string) =>
      call('/api/gateway/signed/withdrawals', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amount: amount.toString(), ...(to ? { to } : {}) }),
      }),
  };
}

/** An MCP client connected to `url` (`https://…/mcp/<server>`) through Tally, its requests signed. */
export async function connectGateway(options: {
  url: string;
  signer: GatewaySigner;
  clientInfo?: Implementation;
}): Promise<Client> {
  const client = new Client(options.clientInfo ?? { name: 'tally-gateway-client', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(options.url), { fetch: signingFetch(options.signer) }),
  );
  return client;
}

export interface GrantRequest {
  label: string;
  /** The most the key may spend, micro-USDC. */
  cap: bigint;
  dailyBudget?: bigint;
  providerCaps?: Record<string, bigint>;
  toolCaps?: Record<string, bigint>;
  servers?: string[];
  expiresInDays: number;
}

/**
 * Makes a session key and has the wallet grant it (one signature, the only wallet prompt), then
 * registers the grant with Tally. The wallet must be linked to a Tally account, whose credits pay.
 */
export async function grantSessionKey(options: {
  tally: string;
  wallet: LocalAccount;
  chainId: number;
  limits: GrantRequest;
}): Promise<Extract<GatewaySigner, { kind: 'session_key' }>> {
  const key = newSessionKey();
  const { limits } = options;
  const expiresAt = new Date(Date.now() + limits.expiresInDays * 86_400_000);
  expiresAt.setUTCMilliseconds(0);
  const providerCaps = limits.providerCaps ?? {};
  const toolCaps = limits.toolCaps ?? {};
  const signature = await options.wallet.signTypedData({
    domain: gatewayDomain(options.chainId),
    types: SESSION_GRANT_TYPES,
    primaryType: 'SessionGrant',
    message: {
      sessionKey: key.publicKey,
      label: limits.label,
      cap: limits.cap,
      dailyBudget: limits.dailyBudget ?? 0n,
      providerCaps: capsText(providerCaps),
      toolCaps: capsText(toolCaps),
      servers: limits.servers ? [...limits.servers].sort().join(',') : '*',
      expiresAt: BigInt(expiresAt.getTime() / 1000),
    },
  });
  const response = await fetch(new URL('/api/gateway/grants/signed', options.tally), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      wallet: options.wallet.address,
      signature,
      session_key: key.publicKey,
      label: limits.label,
      cap: limits.cap.toString(),
      ...(limits.dailyBudget === undefined ? {} : { daily_budget: limits.dailyBudget.toString() }),
      ...(limits.providerCaps ? { provider_caps: stringify(providerCaps) } : {}),
      ...(limits.toolCaps ? { tool_caps: stringify(toolCaps) } : {}),
      ...(limits.servers ? { servers: limits.servers } : {}),
      expires_at: expiresAt.toISOString(),
    }),
  });
  const answer = (await response.json()) as { id?: string; error?: { message: string } };
  if (!response.ok || !answer.id)
    throw new Error(`Tally refused the grant: ${answer.error?.message ?? response.status}`);
  return { kind: 'session_key', grantId: answer.id, privateKey: key.privateKey };
}

/** A caller of Tally's API with an API key, whose refusals throw with Tally's message. */
function apiCaller(tally: string, apiKey: string, what: string) {
  return async (path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(new URL(path, tally), {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown> & { error?: { message: string } };
    if (!response.ok)
      throw new Error(`Tally refused the ${what}: ${answer.error?.message ?? response.status}`);
    return answer;
  };
}

/**
 * Deposits `amount` micro-USDC from `wallet` (linked to the API key's person): one EIP-3009
 * `ReceiveWithAuthorization` signed here, valid for an hour, that Tally submits and credits once
 * the chain confirms it. When `wallet` holds the person's registered private balance
 * (`registerPrivateBalance`), the authorization pays the encrypted credits contract and the deposit
 * is minted to that balance, unless `private` is false. Answers the deposit (`payment_received`;
 * poll `GET /api/gateway/deposits/<id>`).
 */
export async function depositUsdc(options: {
  tally: string;
  /** An API key with the `gateway:spend` and `gateway:read` scopes. */
  apiKey: string;
  wallet: LocalAccount;
  amount: bigint;
  private?: boolean;
}): Promise<{ id: string; state: string; encrypted: boolean }> {
  const call = apiCaller(options.tally, options.apiKey, 'deposit');
  const terms = (await call('/api/gateway/deposits/terms')) as {
    domain: { name: string; version: string; chainId: number; verifyingContract: `0x${string}` };
    to: `0x${string}`;
    encrypted: { to: `0x${string}`; account: `0x${string}` } | null;
  };
  const toPrivate =
    options.private !== false &&
    terms.encrypted !== null &&
    terms.encrypted.account.toLowerCase() === options.wallet.address.toLowerCase();
  const now = BigInt(Math.floor(Date.now() / 1000));
  const message = {
    from: options.wallet.address,
    to: toPrivate ? terms.encrypted!.to : terms.to,
    value: options.amount,
    validAfter: now - 60n,
    validBefore: now + 3600n,
    nonce: `0x${randomBytes(32).toString('hex')}` as `0x${string}`,
  };
  const signature = await options.wallet.signTypedData({
    domain: terms.domain,
    types: { ReceiveWithAuthorization: AUTHORIZATION_FIELDS },
    primaryType: 'ReceiveWithAuthorization',
    message,
  });
  return (await call('/api/gateway/deposits', {
    kind: 'receive',
    from: message.from,
    value: message.value.toString(),
    valid_after: message.validAfter.toString(),
    valid_before: message.validBefore.toString(),
    nonce: message.nonce,
    signature,
    ...(toPrivate ? { to: message.to } : {}),
  })) as { id: string; state: string; encrypted: boolean };
}

/** The typed data a key registration route answers (`POST /api/gateway/encrypted/registration`, or the provider's). */
export type KeyRegistrationTerms = {
  domain: { name: string; version: string; chainId: number; verifyingContract: `0x${string}` };
  types: Record<string, { name: string; type: string }[]>;
  message: { account: `0x${string}`; keyX: string; keyY: string };
};

/** The wallet's EIP-712 `RegisterKey` of those terms: what the key route takes as `signature`. */
export const signKeyRegistration = (
  wallet: Pick<LocalAccount, 'signTypedData'>,
  typed: KeyRegistrationTerms,
): Promise<`0x${string}`> =>
  wallet.signTypedData({
    domain: typed.domain,
    types: typed.types,
    primaryType: 'RegisterKey',
    message: {
      account: typed.message.account,
      keyX: BigInt(typed.message.keyX),
      keyY: BigInt(typed.message.keyY),
    },
  });

/**
 * Sets up the person's private balance on chain from `wallet` (linked to the API key's person): the
 * wallet signs the key message (the key is derived from that signature, so the same wallet always
 * makes the same key and there is nothing to keep) and the key's registration, which Tally submits
 * with no gas of the wallet's. Answers the account (`registering` until the chain confirms it) and
 * the key, which reads the balance: `decrypt(ciphertextFromJson(balance), key.secret)` of
 * `GET /api/gateway/encrypted`.
 */
export async function registerPrivateBalance(options: {
  tally: string;
  /** An API key with the `gateway:spend` and `gateway:read` scopes. */
  apiKey: string;
  wallet: LocalAccount;
}): Promise<{ account: { address: string; state: string }; key: KeyPair }> {
  const call = apiCaller(options.tally, options.apiKey, 'private balance');
  const terms = (await call('/api/gateway/encrypted')) as { key_message: string };
  const key = keyPairFromSignature(await options.wallet.signMessage({ message: terms.key_message }));
  const publicKey = { x: key.publicKey.x.toString(), y: key.publicKey.y.toString() };
  const typed = (await call('/api/gateway/encrypted/registration', {
    address: options.wallet.address,
    key: publicKey,
  })) as KeyRegistrationTerms;
  const signature = await signKeyRegistration(options.wallet, typed);
  const account = (await call('/api/gateway/encrypted/key', {
    address: options.wallet.address,
    key: publicKey,
    signature,
  })) as { address: string; state: string };
  return { account, key };
}

const stringify = (caps: Record<string, bigint>) =>
  Object.fromEntries(Object.entries(caps).map(([k, v]) => [k, v.toString()]));

/** Checks a receipt (or a quote) against the key Tally publishes at `GET /api/gateway/keys`. */
export const verifyReceipt = (receipt: Signed<unknown>, publicKey: string): boolean =>
  verifySigned(receipt, publicKey);
