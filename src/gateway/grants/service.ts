import { and, desc, eq, gt, like, sql } from 'drizzle-orm';
import { type Address, getAddress, type Hex, verifyTypedData } from 'viem';
import { chainErrors } from '../../chain/errors';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { walletOwner } from '../../core/auth/siwe';
import { hashSecret, newSecret } from '../../core/auth/tokens';
import type { Db } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { ed25519PublicKey } from '../../core/keyring';
import { idFromKey } from '../../ledger/holds';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { GATEWAY_NAMESPACE } from '../ledger';
import { type GrantKind, grants, grantUsage } from '../schema';

export type Grant = typeof grants.$inferSelect;

/** Bearer tokens of session grants start with this, so a leaked one is recognisable. */
export const GRANT_TOKEN_PREFIX = 'tally_gs_';
/** A grant lives at most this long: a leaked key stops working by itself. */
export const MAX_GRANT_DAYS = 90;

export interface GrantLimits {
  label: string;
  cap: bigint;
  dailyBudget: bigint | null;
  providerCaps: Readonly<Record<string, bigint>>;
  toolCaps: Readonly<Record<string, bigint>>;
  /** Server slugs; null: any server. */
  servers: readonly string[] | null;
  expiresAt: Date;
}

/** The EIP-712 domain a wallet signs session grants and requests under. */
export const gatewayDomain = (chainId: number) => ({ name: 'Tally Gateway', version: '1', chainId }) as const;

/** A session grant as a wallet signs it: every limit readable in the wallet's prompt. */
export const SESSION_GRANT_TYPES = {
  SessionGrant: [
    { name: 'sessionKey', type: 'string' },
    { name: 'label', type: 'string' },
    { name: 'cap', type: 'uint256' },
    { name: 'dailyBudget', type: 'uint256' },
    { name: 'providerCaps', type: 'string' },
    { name: 'toolCaps', type: 'string' },
    { name: 'servers', type: 'string' },
    { name: 'expiresAt', type: 'uint256' },
  ],
} as const;

/** Caps as the signed message carries them: canonical JSON, keys sorted, amounts as strings. */
export const capsText = (caps: Readonly<Record<string, bigint>>): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(caps)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, v.toString()]),
    ),
  );

/** The message a wallet signs for a session grant with these limits. */
export function sessionGrantMessage(sessionKey: string, limits: GrantLimits) {
  return {
    sessionKey,
    label: limits.label,
    cap: limits.cap,
    dailyBudget: limits.dailyBudget ?? 0n,
    providerCaps: capsText(limits.providerCaps),
    toolCaps: capsText(limits.toolCaps),
    servers: limits.servers ? [...limits.servers].sort().join(',') : '*',
    expiresAt: BigInt(Math.floor(limits.expiresAt.getTime() / 1000)),
  };
}

function checkLimits(deps: Pick<GatewayDeps, 'clock'>, limits: GrantLimits): void {
  const now = deps.clock.now().getTime();
  if (limits.expiresAt.getTime() <= now)
    throw new AppError('validation_failed', 'the grant must expire in the future', { field: 'expires_at' });
  if (limits.expiresAt.getTime() > now + MAX_GRANT_DAYS * 86_400_000)
    throw new AppError('validation_failed', `a grant lives at most ${MAX_GRANT_DAYS} days`, {
      field: 'expires_at',
    });
  if (limits.cap <= 0n)
    throw new AppError('validation_failed', 'the cap must be more than 0', { field: 'cap' });
}

async function storeGrant(
  tx: Db,
  deps: Pick<GatewayDeps, 'clock'>,
  actor: Actor,
  row: {
    id: string;
    userId: string;
    kind: GrantKind;
    walletAddress?: string | null;
    sessionKey?: string | null;
    tokenHash?: string | null;
    tokenPrefix?: string | null;
  },
  limits: GrantLimits,
): Promise<Grant> {
  const [made] = await tx
    .insert(grants)
    .values({
      ...row,
      label: limits.label,
      cap: limits.cap,
      dailyBudget: limits.dailyBudget,
      providerCaps: Object.fromEntries(
        Object.entries(limits.providerCaps).map(([k, v]) => [k, v.toString()]),
      ),
      toolCaps: Object.fromEntries(Object.entries(limits.toolCaps).map(([k, v]) => [k, v.toString()])),
      servers: limits.servers ? [...limits.servers] : null,
      expiresAt: limits.expiresAt,
      createdAt: deps.clock.now(),
    })
    .onConflictDoNothing()
    .returning();
  if (made) {
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.grant_issued',
      objectType: 'gateway_grant',
      objectId: made.id,
      details: {
        kind: made.kind,
        label: made.label,
        cap: made.cap.toString(),
        expires_at: made.expiresAt.toISOString(),
      },
    });
  }
  return made ?? (await tx.select().from(grants).where(eq(grants.id, row.id)))[0]!;
}

/**
 * A bearer token for MCP clients that can only send a header (Claude Desktop, Cursor, the
 * Inspector), issued to the signed-in person with the same limits a signed grant has. The token
 * is answered once; only its hash is kept.
 */
export async function issueBearerGrant(
  deps: GatewayDeps,
  actor: Actor,
  limits: GrantLimits,
): Promise<{ grant: Grant; token: string }> {
  const userId = requireUser(actor);
  checkLimits(deps, limits);
  const token = newSecret(GRANT_TOKEN_PREFIX);
  const grant = await deps.db.transaction((tx) =>
    storeGrant(
      tx,
      deps,
      actor,
      {
        id: newId(),
        userId,
        kind: 'bearer',
        tokenHash: hashSecret(token),
        tokenPrefix: token.slice(0, GRANT_TOKEN_PREFIX.length + 6),
      },
      limits,
    ),
  );
  return { grant, token };
}

/**
 * A grant for a session key, signed by a wallet linked to a person: that person's credits back it.
 * Anyone may bring it (the signature is the consent), and bringing the same signed grant again
 * answers the same grant.
 */
export async function issueSessionKeyGrant(
  deps: GatewayDeps,
  actor: Actor,
  input: {
    wallet: string;
    signature: string;
    sessionKey: string;
    limits: GrantLimits;
    /** The chain the grant was signed for, when Tally runs without one (the demo command); else Tally's chain. */
    chainId?: number;
  },
): Promise<Grant> {
  checkLimits(deps, input.limits);
  if (!ed25519PublicKey(input.sessionKey))
    throw new AppError(
      'validation_failed',
      'the session key must be a raw Ed25519 public key (32 bytes, base64url)',
      {
        field: 'session_key',
      },
    );
  const chainId = deps.chain?.client.chainId ?? input.chainId;
  if (chainId === undefined)
    throw new AppError('unavailable', 'this Tally runs without a chain: wallet grants are off');
  const wallet = getAddress(input.wallet) as Address;
  const valid = await verifyTypedData({
    address: wallet,
    domain: gatewayDomain(chainId),
    types: SESSION_GRANT_TYPES,
    primaryType: 'SessionGrant',
    message: sessionGrantMessage(input.sessionKey, input.limits),
    signature: input.signature as Hex,
  }).catch(() => false);
  if (!valid)
    throw chainErrors.error(
      'signature_invalid',
      `the signature is not ${wallet}'s SessionGrant of these limits`,
      {
        field: 'signature',
      },
    );
  const owner = await walletOwner(deps.db, wallet);
  if (!owner)
    throw gatewayErrors.error(
      'wallet_not_linked',
      'the wallet is not linked to a Tally account: sign in with it once first',
      {
        field: 'wallet',
      },
    );
  if (actor.userId && actor.userId !== owner)
    throw gatewayErrors.error('wallet_not_linked', 'the wallet is linked to another account', {
      field: 'wallet',
    });
  const id = idFromKey(GATEWAY_NAMESPACE, 'grant', input.signature.toLowerCase());
  return deps.db
    .transaction(async (tx) => {
      const grant = await storeGrant(
        tx,
        deps,
        actor,
        {
          id,
          userId: owner,
          kind: 'session_key',
          walletAddress: wallet.toLowerCase(),
          sessionKey: input.sessionKey,
        },
        input.limits,
      );
      if (grant.sessionKey !== input.sessionKey)
        throw gatewayErrors.error('grant_exists', 'a grant with this signature exists for another key');
      return grant;
    })
    .catch((error: unknown) => {
      if (
        (error as { cause?: { code?: string } }).cause?.code === '23505' ||
        (error as { code?: string }).code === '23505'
      )
        throw gatewayErrors.error(
          'grant_exists',
          'this session key has a grant already: make a new key for a new grant',
          {
            field: 'session_key',
          },
        );
      throw error;
    });
}

export async function listGrants(deps: Pick<GatewayDeps, 'db'>, actor: Actor): Promise<Grant[]> {
  const userId = requireUser(actor);
  return deps.db
    .select()
    .from(grants)
    .where(eq(grants.userId, userId))
    .orderBy(desc(grants.createdAt), desc(grants.id))
    .limit(200);
}

export async function getGrant(deps: Pick<GatewayDeps, 'db'>, actor: Actor, id: string): Promise<Grant> {
  const userId = requireUser(actor);
  if (!isUuid(id)) throw notFound('grant', { id });
  const [grant] = await deps.db
    .select()
    .from(grants)
    .where(and(eq(grants.id, id), eq(grants.userId, userId)));
  if (!grant) throw notFound('grant', { id });
  return grant;
}

/** Revokes a grant: its next call is refused. Revoking again changes nothing. */
export async function revokeGrant(deps: GatewayDeps, actor: Actor, id: string): Promise<Grant> {
  const grant = await getGrant(deps, actor, id);
  if (grant.revokedAt) return grant;
  const revoked = await deps.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(grants)
      .set({ revokedAt: deps.clock.now() })
      .where(eq(grants.id, id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.grant_revoked',
      objectType: 'gateway_grant',
      objectId: id,
    });
    return revoked!;
  });
  // Its next request is refused; its leases in this process end now and give back what they did not use.
  deps.grants.forget(id);
  await deps.meter.release({ grantId: id });
  return revoked;
}

/** The grant a bearer token names, or null. */
export async function grantByToken(db: Db, token: string): Promise<Grant | null> {
  if (!token.startsWith(GRANT_TOKEN_PREFIX)) return null;
  const [grant] = await db
    .select()
    .from(grants)
    .where(eq(grants.tokenHash, hashSecret(token)));
  return grant ?? null;
}

export async function grantById(db: Db, id: string): Promise<Grant | null> {
  if (!isUuid(id)) return null;
  const [grant] = await db.select().from(grants).where(eq(grants.id, id));
  return grant ?? null;
}

/** Why a grant cannot be used at all now, or null. */
export function grantUnusable(grant: Grant, now: Date): AppError | null {
  if (grant.revokedAt) return gatewayErrors.error('grant_revoked', 'this session grant was revoked');
  if (grant.expiresAt <= now)
    return gatewayErrors.error('grant_expired', 'this session grant has expired: issue a new one');
  return null;
}

/** What a charged call commits under a grant. */
export interface GrantCharge {
  grantId: string;
  amount: bigint;
  providerId: string;
  slug: string;
  tool: string;
  /** When the call started: its hour is the rolling budget's bucket, on the way in and on a refund. */
  at: Date;
}

const hourOf = (at: Date) => `hour:${at.toISOString().slice(0, 13)}`;
const scopesOf = (charge: GrantCharge) => [
  `provider:${charge.providerId}`,
  `tool:${charge.slug}/${charge.tool}`,
  hourOf(charge.at),
];

/** How much more a grant lets a person commit to one tool now, and the limit that binds first. */
export interface GrantRoom {
  room: bigint;
  limit: 'cap' | 'daily_budget' | 'provider_cap' | 'tool_cap';
  cap: bigint;
  used: bigint;
}

/**
 * What a grant lets a person commit to one server's tool now, in the caller's transaction: the
 * grant's row is locked, so concurrent commitments see each other and none passes a limit. A grant
 * that is revoked, expired or not for this server refuses outright.
 */
export async function grantRoom(
  tx: Db,
  now: Date,
  charge: Pick<GrantCharge, 'grantId' | 'providerId' | 'slug' | 'tool'>,
): Promise<GrantRoom> {
  const [grant] = await tx.select().from(grants).where(eq(grants.id, charge.grantId)).for('update');
  if (!grant) throw gatewayErrors.error('grant_revoked', 'this session grant no longer exists');
  const unusable = grantUnusable(grant, now);
  if (unusable) throw unusable;
  if (grant.servers && !grant.servers.includes(charge.slug))
    throw gatewayErrors.error(
      'grant_limit',
      `this session grant does not allow the server "${charge.slug}"`,
      {
        limit: 'servers',
        allowed: grant.servers,
      },
    );
  const usage = new Map(
    (
      await tx
        .select()
        .from(grantUsage)
        .where(
          and(
            eq(grantUsage.grantId, grant.id),
            sql`(${grantUsage.scope} = ANY(${sql.param([`provider:${charge.providerId}`, `tool:${charge.slug}/${charge.tool}`])}::text[])
                 OR (${like(grantUsage.scope, 'hour:%')} AND ${gt(grantUsage.scope, hourOf(new Date(now.getTime() - 24 * 3_600_000)))} ))`,
          ),
        )
    ).map((row) => [row.scope, row.amount]),
  );
  const limits: Omit<GrantRoom, 'room'>[] = [{ limit: 'cap', cap: grant.cap, used: grant.committed }];
  if (grant.dailyBudget !== null) {
    let day = 0n;
    for (const [scope, amount] of usage) if (scope.startsWith('hour:')) day += amount;
    limits.push({ limit: 'daily_budget', cap: grant.dailyBudget, used: day });
  }
  const providerCap = grant.providerCaps[charge.providerId];
  if (providerCap !== undefined)
    limits.push({
      limit: 'provider_cap',
      cap: BigInt(providerCap),
      used: usage.get(`provider:${charge.providerId}`) ?? 0n,
    });
  const toolKey = `${charge.slug}/${charge.tool}`;
  const toolCap = grant.toolCaps[toolKey];
  if (toolCap !== undefined)
    limits.push({ limit: 'tool_cap', cap: BigInt(toolCap), used: usage.get(`tool:${toolKey}`) ?? 0n });
  const rooms = limits.map((l) => ({ ...l, room: l.cap > l.used ? l.cap - l.used : 0n }));
  return rooms.reduce((tightest, next) => (next.room < tightest.room ? next : tightest));
}

/** The refusal of an amount a grant's room does not hold. */
export const grantLimitError = (room: GrantRoom, amount: bigint): AppError =>
  gatewayErrors.error(
    'grant_limit',
    `this call costs ${amount} micro-USDC, more than the session grant's ${room.limit} allows: ${room.room} of ${room.cap} left`,
    { limit: room.limit, cap: room.cap.toString(), used: room.used.toString(), price: amount.toString() },
  );

/**
 * Commits an amount under a grant (after `grantRoom` found room for it, in the same transaction):
 * the grant's total, and its provider, tool and hourly usage.
 */
export async function commitToGrant(tx: Db, now: Date, charge: GrantCharge): Promise<void> {
  await tx
    .update(grants)
    .set({ committed: sql`${grants.committed} + ${charge.amount.toString()}::numeric`, lastUsedAt: now })
    .where(eq(grants.id, charge.grantId));
  await addUsage(tx, charge, 1n);
}

/** Gives back to a grant what a commitment did not use (a lease's rest). */
export async function returnToGrant(tx: Db, charge: GrantCharge): Promise<void> {
  await tx
    .update(grants)
    .set({ committed: sql`${grants.committed} - ${charge.amount.toString()}::numeric` })
    .where(eq(grants.id, charge.grantId));
  await addUsage(tx, charge, -1n);
}

async function addUsage(tx: Db, charge: GrantCharge, sign: 1n | -1n): Promise<void> {
  if (charge.amount === 0n) return;
  const delta = (charge.amount * sign).toString();
  const scopes = scopesOf(charge);
  if (sign < 0n) {
    // A refund only ever takes back what its own charge added to the rows.
    await tx
      .update(grantUsage)
      .set({ amount: sql`${grantUsage.amount} + ${delta}::numeric` })
      .where(
        and(
          eq(grantUsage.grantId, charge.grantId),
          sql`${grantUsage.scope} = ANY(${sql.param(scopes)}::text[])`,
        ),
      );
    return;
  }
  await tx
    .insert(grantUsage)
    .values(scopes.map((scope) => ({ grantId: charge.grantId, scope, amount: charge.amount })))
    .onConflictDoUpdate({
      target: [grantUsage.grantId, grantUsage.scope],
      set: { amount: sql`${grantUsage.amount} + ${delta}::numeric` },
    });
}

/** Drops hourly buckets older than the rolling day: what limits never read again. */
export async function sweepGrantUsage(db: Db, now: Date): Promise<void> {
  await db
    .delete(grantUsage)
    .where(
      and(
        like(grantUsage.scope, 'hour:%'),
        sql`${grantUsage.scope} < ${hourOf(new Date(now.getTime() - 25 * 3_600_000))}`,
      ),
    );
}
