import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Address, getAddress, type Hex, isAddress, verifyTypedData } from 'viem';
import { walletOwner } from '../../core/auth/siwe';
import type { Db } from '../../core/database';
import { ed25519PublicKey, verifyEd25519 } from '../../core/keyring';
import type { GatewayDeps } from '../deps';
import { type Grant, gatewayDomain, grantById, grantByToken, grantUnusable } from '../grants/service';
import { requestNonces } from '../schema';

/**
 * Who is calling `/mcp/<slug>`, proven one of three ways, none a blockchain transaction:
 * - `Authorization: Bearer tally_gs_…`: a session grant's bearer token (any MCP client can send it);
 * - `X-Tally-Grant` + `X-Tally-Signature`: a request signed by a session key a wallet granted;
 * - `X-Tally-Wallet` + `X-Tally-Signature`: a request signed by the wallet itself (EIP-712).
 * Signed requests carry `X-Tally-Nonce` (used once) and `X-Tally-Expiry` (Unix seconds, at most
 * five minutes ahead), and sign the HTTP method, the path, the body's SHA-256 and the MCP session
 * (`Mcp-Session-Id`, empty for the request that opens one). A request signed for one session is
 * refused in any other, so its nonce need only be remembered by its session, in memory; nonces of
 * requests that open sessions are kept in the database, across processes and restarts.
 */
export interface Caller {
  userId: string;
  /** The grant whose limits apply; null for a request the wallet signed itself, or paid with x402. */
  grantId: string | null;
  /** `x402`: the wallet of an x402 payment, in its call or earlier in the same MCP session. */
  how: 'bearer' | 'session_key' | 'wallet' | 'x402';
}

export const MAX_REQUEST_LIFETIME_SECONDS = 300;

export class AuthRefusal extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export const bodyHashOf = (body: string): Hex => `0x${createHash('sha256').update(body).digest('hex')}`;

/** What a session key signs for a request. */
export const requestSigningText = (r: {
  method: string;
  path: string;
  bodyHash: Hex;
  session: string;
  nonce: string;
  expiry: number;
}) =>
  [
    'TALLY-GATEWAY-REQUEST',
    r.method.toUpperCase(),
    r.path,
    r.bodyHash,
    r.session,
    r.nonce,
    String(r.expiry),
  ].join('\n');

/** What a wallet signs for a request (EIP-712, domain `gatewayDomain`). */
export const GATEWAY_REQUEST_TYPES = {
  GatewayRequest: [
    { name: 'method', type: 'string' },
    { name: 'path', type: 'string' },
    { name: 'bodyHash', type: 'bytes32' },
    { name: 'session', type: 'string' },
    { name: 'nonce', type: 'string' },
    { name: 'expiry', type: 'uint256' },
  ],
} as const;

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The nonces one MCP session has seen, until their requests expire: a session lives in one process,
 * and a request signed for it is refused in any other.
 */
export class SessionNonces {
  private readonly seen = new Map<string, number>();

  /** Records a nonce as used; false when it was used already. */
  record(nonce: string, expiresAtMs: number, nowMs: number): boolean {
    if (this.seen.has(nonce)) return false;
    if (this.seen.size >= 1_000) {
      for (const [old, expires] of this.seen) if (expires <= nowMs) this.seen.delete(old);
    }
    this.seen.set(nonce, expiresAtMs);
    return true;
  }
}

/** Grants as read a moment ago: a revocation reaches the calls of every process within a second. */
export class GrantCache {
  private readonly byKey = new Map<string, { grant: Grant | null; at: number }>();

  constructor(private readonly db: Db) {}

  byToken(token: string): Promise<Grant | null> {
    return this.cached(`token:${token}`, () => grantByToken(this.db, token));
  }

  byId(id: string): Promise<Grant | null> {
    return this.cached(`id:${id}`, () => grantById(this.db, id));
  }

  /** A grant changed (revoked): its next request reads it again. */
  forget(grantId: string): void {
    for (const [key, hit] of this.byKey) if (hit.grant?.id === grantId) this.byKey.delete(key);
  }

  private async cached(key: string, read: () => Promise<Grant | null>): Promise<Grant | null> {
    const hit = this.byKey.get(key);
    if (hit && Date.now() - hit.at < GRANT_FRESH_MS) return hit.grant;
    const grant = await read();
    if (this.byKey.size > 10_000) this.byKey.clear();
    this.byKey.set(key, { grant, at: Date.now() });
    return grant;
  }
}

/** How long a grant read is used for authenticating requests. */
export const GRANT_FRESH_MS = 1_000;

export async function authenticate(
  deps: Pick<GatewayDeps, 'db' | 'clock' | 'chain'>,
  grants: GrantCache,
  request: Request,
  path: string,
  body: string,
  /** The nonces of the session the request names; absent for a request that opens a session. */
  session?: SessionNonces,
): Promise<Caller> {
  const now = deps.clock.now();
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const token = /^bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const grant = token ? await grants.byToken(token) : null;
    if (!grant) throw new AuthRefusal(401, 'The bearer token is not a Tally session grant.');
    const unusable = grantUnusable(grant, now);
    if (unusable) throw new AuthRefusal(403, `${sentence(unusable.message)}`);
    return { userId: grant.userId, grantId: grant.id, how: 'bearer' };
  }

  const signature = request.headers.get('x-tally-signature');
  const grantId = request.headers.get('x-tally-grant');
  const wallet = request.headers.get('x-tally-wallet');
  if (!signature || (!grantId && !wallet)) {
    throw new AuthRefusal(
      401,
      'Tally needs to know who pays for this: send a session grant as a bearer token, or sign the request (X-Tally-Grant or X-Tally-Wallet, X-Tally-Nonce, X-Tally-Expiry, X-Tally-Signature).',
    );
  }
  const nonce = request.headers.get('x-tally-nonce') ?? '';
  const expiry = Number(request.headers.get('x-tally-expiry'));
  if (!NONCE.test(nonce))
    throw new AuthRefusal(401, 'X-Tally-Nonce must be 16 to 128 characters of base64url.');
  const seconds = Math.floor(now.getTime() / 1000);
  if (!Number.isInteger(expiry) || expiry <= seconds)
    throw new AuthRefusal(401, 'The signed request has expired: sign it again with a later X-Tally-Expiry.');
  if (expiry > seconds + MAX_REQUEST_LIFETIME_SECONDS)
    throw new AuthRefusal(
      401,
      `X-Tally-Expiry may be at most ${MAX_REQUEST_LIFETIME_SECONDS} seconds ahead.`,
    );
  const signed = {
    method: request.method,
    path,
    bodyHash: bodyHashOf(body),
    session: request.headers.get('mcp-session-id') ?? '',
    nonce,
    expiry,
  };

  let caller: Caller;
  let signer: string;
  if (grantId) {
    const grant = await grants.byId(grantId);
    const key = grant?.sessionKey ? sessionPublicKey(grant.sessionKey) : null;
    if (!grant || !key) throw new AuthRefusal(401, 'X-Tally-Grant names no session-key grant.');
    if (!verifyEd25519(key, requestSigningText(signed), signature))
      throw new AuthRefusal(401, 'The signature is not the session key’s signature of this request.');
    const unusable = grantUnusable(grant, now);
    if (unusable) throw new AuthRefusal(403, sentence(unusable.message));
    caller = { userId: grant.userId, grantId: grant.id, how: 'session_key' };
    signer = `grant:${grant.id}`;
  } else {
    const chainId = deps.chain?.client.chainId;
    if (!wallet || !isAddress(wallet) || chainId === undefined)
      throw new AuthRefusal(401, 'X-Tally-Wallet must be a 0x address, on a Tally with a chain.');
    const address = getAddress(wallet) as Address;
    const valid = await verifyTypedData({
      address,
      domain: gatewayDomain(chainId),
      types: GATEWAY_REQUEST_TYPES,
      primaryType: 'GatewayRequest',
      message: { ...signed, expiry: BigInt(expiry) },
      signature: signature as Hex,
    }).catch(() => false);
    if (!valid)
      throw new AuthRefusal(
        401,
        'The signature is not the wallet’s GatewayRequest signature of this request.',
      );
    const owner = await walletOwner(deps.db, address);
    if (!owner)
      throw new AuthRefusal(403, 'The wallet is not linked to a Tally account: sign in with it once.');
    caller = { userId: owner, grantId: null, how: 'wallet' };
    signer = `wallet:${address.toLowerCase()}`;
  }
  const fresh = session
    ? session.record(`${signer}|${nonce}`, expiry * 1000, now.getTime())
    : await recordNonce(deps.db, signer, nonce, new Date(expiry * 1000));
  if (!fresh)
    throw new AuthRefusal(
      401,
      'This signed request was sent before (its nonce is used): sign each request anew.',
    );
  return caller;
}

/** Records a nonce as used; false when it was used already. */
export async function recordNonce(db: Db, signer: string, nonce: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insert(requestNonces)
    .values({ signer, nonce, expiresAt })
    .onConflictDoNothing()
    .returning({ nonce: requestNonces.nonce });
  return inserted.length === 1;
}

export async function sweepRequestNonces(db: Db, now: Date): Promise<void> {
  await db.execute(sql`DELETE FROM gateway_request_nonces WHERE expires_at < ${now}`);
}

/** Session keys' public keys, parsed once: parsing costs more than verifying a signature. */
const publicKeys = new Map<string, ReturnType<typeof ed25519PublicKey>>();
function sessionPublicKey(raw: string): ReturnType<typeof ed25519PublicKey> {
  let key = publicKeys.get(raw);
  if (!key) {
    key = ed25519PublicKey(raw);
    if (publicKeys.size > 10_000) publicKeys.clear();
    publicKeys.set(raw, key);
  }
  return key;
}

const sentence = (text: string) =>
  `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith('.') ? '' : '.'}`;
