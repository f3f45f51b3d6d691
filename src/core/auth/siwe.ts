import { sql } from 'drizzle-orm';
import { type Hex, isHex, verifyMessage } from 'viem';
import { generateSiweNonce, parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/service';
import type { Clock } from '../clock';
import type { Db } from '../database';
import { queryRows } from '../database';
import { AppError } from '../errors';
import { newId } from '../ids';
import { type AuthDeps, type Client, getUser, type User } from './accounts';
import { consumeRateLimit } from './rate-limit';
import { type NewSession, openSession, requireSessionUser } from './sessions';

/**
 * Sign-In with Ethereum (EIP-4361): the server issues a nonce, the wallet signs a message naming
 * our domain and that nonce, and we check the domain, the time window, the nonce (once only) and
 * the signature. A signed-in person links the wallet instead; a stranger gets a wallet-only account.
 */

const NONCE_TTL_MS = 10 * 60 * 1000;
/** Anyone may ask for a nonce, so each address is bounded: a sign-in needs one, a retry a few. */
export const NONCES_PER_IP = { limit: 30, windowMs: 10 * 60 * 1000 };

export async function issueSiweNonce(db: Db, clock: Clock, ip: string | null): Promise<string> {
  await consumeRateLimit(db, clock, `siwe_nonce:ip:${ip ?? 'unknown'}`, NONCES_PER_IP);
  const nonce = generateSiweNonce();
  const now = clock.now();
  await db.execute(sql`
    INSERT INTO core_siwe_nonces (nonce, created_at, expires_at)
    VALUES (${nonce}, ${now}, ${new Date(now.getTime() + NONCE_TTL_MS)})`);
  return nonce;
}

export interface SiweOutcome {
  user: User;
  /** A new session when the call signed someone in; none when it linked a wallet to the signed-in person. */
  session: NewSession | null;
  linked: boolean;
}

export async function signInWithEthereum(
  deps: AuthDeps,
  actor: Actor,
  input: { message: string; signature: string },
  client: Client,
): Promise<SiweOutcome> {
  const { db, clock } = deps;
  const refuse = (why: string) => new AppError('unauthorized', `the wallet signature was refused: ${why}`);
  const domain = new URL(deps.publicUrl).host;
  const message = parseSiweMessage(input.message);
  if (
    !message.address ||
    !message.nonce ||
    !message.domain ||
    !message.uri ||
    !message.version ||
    !message.chainId
  ) {
    throw new AppError('validation_failed', 'the message is not a Sign-In with Ethereum message', {
      field: 'message',
    });
  }
  if (message.domain !== domain) throw refuse(`it is for ${message.domain}, not ${domain}`);
  if (!validateSiweMessage({ message, domain, time: clock.now() }))
    throw refuse('it is expired or not yet valid');
  if (!isHex(input.signature))
    throw new AppError('validation_failed', 'the signature is not hex', { field: 'signature' });
  const verify = deps.verifyWalletSignature ?? verifyMessage;
  const valid = await verify({
    address: message.address,
    message: input.message,
    signature: input.signature as Hex,
  }).catch(() => false);
  if (!valid) throw refuse('it was not signed by that address');
  const address = message.address.toLowerCase();

  return db.transaction(async (tx) => {
    const now = clock.now();
    const nonce = await queryRows<{ nonce: string }>(
      tx,
      sql`UPDATE core_siwe_nonces SET used_at = ${now}
          WHERE nonce = ${message.nonce} AND used_at IS NULL AND expires_at > ${now} RETURNING nonce`,
    );
    if (nonce.length === 0) throw refuse('its nonce is unknown, used or expired; ask for a new one');
    const ownerId = await walletOwner(tx, address);

    if (actor.userId) {
      const userId = requireSessionUser(actor);
      if (ownerId && ownerId !== userId) {
        throw new AppError('conflict', 'this wallet is linked to another account', { field: 'address' });
      }
      if (!ownerId) await linkWallet(tx, clock, actor, userId, address);
      return { user: await getUser(tx, userId), session: null, linked: !ownerId };
    }

    let userId = ownerId ?? undefined;
    if (!userId) {
      userId = newId();
      await tx.execute(sql`
        INSERT INTO core_users (id, name, created_at, updated_at) VALUES (${userId}, '', ${now}, ${now})`);
      await recordAudit(
        tx,
        clock,
        { ...actor, userId },
        {
          action: 'user.signup',
          objectType: 'user',
          objectId: userId,
          details: { method: 'siwe' },
        },
      );
      await linkWallet(tx, clock, { ...actor, userId }, userId, address);
    }
    const session = await openSession(tx, clock, userId, client);
    await recordAudit(
      tx,
      clock,
      { ...actor, userId },
      {
        action: 'session.create',
        objectType: 'session',
        objectId: session.id,
        details: { method: 'siwe', address },
      },
    );
    return { user: await getUser(tx, userId), session, linked: !ownerId };
  });
}

async function linkWallet(
  tx: Db,
  clock: Clock,
  actor: Actor,
  userId: string,
  address: string,
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO core_wallets (address, user_id, linked_at) VALUES (${address}, ${userId}, ${clock.now()})`);
  await recordAudit(tx, clock, actor, { action: 'wallet.link', objectType: 'wallet', objectId: address });
}

/** Unlinks a wallet, unless it is the person's last way to sign in. */
/** The person a wallet is linked to (any case of the address), or null. */
export async function walletOwner(db: Db, address: string): Promise<string | null> {
  const [row] = await queryRows<{ user_id: string }>(
    db,
    sql`SELECT user_id FROM core_wallets WHERE address = ${address.toLowerCase()}`,
  );
  return row?.user_id ?? null;
}

/**
 * The person a wallet is linked to, or a new wallet-only person linked to it (as a stranger's first
 * Sign-In with Ethereum makes): a wallet that pays before it ever signs in still has an account
 * whose balance and history it can read once it does. Concurrent first payments make one person.
 */
export async function personOfWallet(db: Db, clock: Clock, actor: Actor, address: string): Promise<string> {
  const normalized = address.toLowerCase();
  const known = await walletOwner(db, normalized);
  if (known) return known;
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`core_wallets:${normalized}`}))`);
    const owner = await walletOwner(tx, normalized);
    if (owner) return owner;
    const userId = newId();
    const now = clock.now();
    await tx.execute(sql`
      INSERT INTO core_users (id, name, created_at, updated_at) VALUES (${userId}, '', ${now}, ${now})`);
    await recordAudit(
      tx,
      clock,
      { ...actor, userId },
      { action: 'user.signup', objectType: 'user', objectId: userId, details: { method: 'wallet_payment' } },
    );
    await linkWallet(tx, clock, { ...actor, userId }, userId, normalized);
    return userId;
  });
}

export async function unlinkWallet(db: Db, clock: Clock, actor: Actor, address: string): Promise<User> {
  const userId = requireSessionUser(actor);
  const normalized = address.toLowerCase();
  return db.transaction(async (tx) => {
    const user = await getUser(tx, userId);
    if (!user.wallets.some((w) => w.address === normalized)) {
      throw new AppError('not_found', 'no such wallet on your account', { address });
    }
    if (!user.hasPassword && user.wallets.length === 1) {
      throw new AppError('domain_rule', 'set a password first: this wallet is your only way to sign in');
    }
    await tx.execute(sql`DELETE FROM core_wallets WHERE address = ${normalized} AND user_id = ${userId}`);
    await recordAudit(tx, clock, actor, {
      action: 'wallet.unlink',
      objectType: 'wallet',
      objectId: normalized,
    });
    return getUser(tx, userId);
  });
}
