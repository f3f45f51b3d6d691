import { sql } from 'drizzle-orm';
import type { Hex } from 'viem';
import { type Actor, requireAdmin, requireUser, systemActor } from '../actor';
import { recordAudit } from '../audit/service';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { newId } from '../ids';
import { queueMail } from '../mail/outbox';
import { action, facts, paragraph, renderMail, subject } from '../mail/template';
import { consumeLinkToken, issueLinkToken } from './mailed-links';
import { checkPasswordRules, hashPassword, verifyPassword } from './passwords';
import { assertNotLocked, claimAttempt, clearFailures, consumeRateLimit, recordFailure } from './rate-limit';
import {
  type NewSession,
  openSession,
  requireSessionUser,
  revokeSessionsOf,
  SESSION_TTL_MS,
} from './sessions';
import { findTemporaryPassword } from './temporary-passwords';

/**
 * Email-and-password accounts. No response tells whether an address has an account: sign-up and
 * reset requests answer the same either way and say the rest by mail to the address itself.
 */

export interface AuthDeps {
  db: Db;
  clock: Clock;
  /** The base of links in mails. */
  publicUrl: string;
  /**
   * Checks a wallet's signature of a message. Without a chain only plain keys can be checked; with
   * one, contract wallets answer for themselves (ERC-1271), so the app passes the chain's check.
   */
  verifyWalletSignature?: WalletSignatureCheck;
}

export type WalletSignatureCheck = (input: {
  address: Hex;
  message: string;
  signature: Hex;
}) => Promise<boolean>;

export interface Client {
  ip: string | null;
  userAgent: string | null;
}

export interface User {
  id: string;
  email: string | null;
  emailVerified: boolean;
  name: string;
  isAdmin: boolean;
  hasPassword: boolean;
  wallets: { address: string; linkedAt: Date }[];
  createdAt: Date;
}

const HOUR = 3600 * 1000;
const LIMITS = {
  signUpPerIp: { limit: 10, windowMs: HOUR },
  signInPerIp: { limit: 30, windowMs: 10 * 60 * 1000 },
  resetPerIp: { limit: 10, windowMs: HOUR },
  mailsPerAddress: { limit: 3, windowMs: HOUR },
};

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const ipKey = (ip: string | null) => ip ?? 'unknown';

/**
 * Signs a person up with an address and a name. A new address gets an account without a password
 * and a welcome mail whose link confirms the address, where its owner chooses the password: whoever
 * signs up with someone else's address never holds a password to it (an account pre-hijack). An
 * address whose account was never confirmed gets a fresh link; a confirmed one, a mail saying it has
 * an account. The answer is the same in every case.
 */
export async function signUp(
  { db, clock, publicUrl }: AuthDeps,
  actor: Actor,
  input: { email: string; name: string },
): Promise<void> {
  const email = normalizeEmail(input.email);
  await consumeRateLimit(db, clock, `signup:ip:${ipKey(actor.ip)}`, LIMITS.signUpPerIp);
  const mailAllowed = await consumeRateLimit(db, clock, `mail:${email}`, LIMITS.mailsPerAddress, {
    throwWhenExceeded: false,
  });
  await db.transaction(async (tx) => {
    const now = clock.now();
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO core_users (id, email, name, created_at, updated_at)
          VALUES (${newId()}, ${email}, ${input.name.trim()}, ${now}, ${now})
          ON CONFLICT (email) DO NOTHING RETURNING id`,
    );
    const [created] = inserted;
    if (!created) {
      if (!mailAllowed) return;
      const [existing] = await queryRows<{ id: string; email_verified_at: string | null }>(
        tx,
        sql`SELECT id, email_verified_at::text FROM core_users WHERE email = ${email}`,
      );
      if (existing && !existing.email_verified_at) {
        await queueConfirmation(tx, { clock, publicUrl }, actor, existing.id, email);
        return;
      }
      await queueMail(tx, clock, {
        to: email,
        ...renderMail('signup_existing', {
          subject: subject`You already have a Tally account`,
          blocks: [
            paragraph`Someone, maybe you, tried to sign up to Tally with this address, which already has an account.`,
            action('Log in', `${publicUrl}/login`),
            action('Forgot your password?', `${publicUrl}/forgot-password`),
            paragraph`If it was not you, you can ignore this mail: nothing changed.`,
          ],
        }),
      });
      return;
    }
    const token = await issueLinkToken(tx, clock, created.id, 'verify_email', actor.ip);
    await queueMail(tx, clock, {
      to: email,
      userId: created.id,
      dedupeKey: `welcome:${created.id}`,
      ...renderMail('welcome', {
        subject: subject`Welcome to Tally — confirm your email`,
        blocks: [
          paragraph`Welcome to Tally, ${input.name.trim() || email}!`,
          action('Confirm your address and choose a password', `${publicUrl}/verify-email?token=${token}`),
          paragraph`The link works once, for 48 hours. If you did not sign up, ignore this mail: without it, nobody can use the account.`,
        ],
      }),
    });
    await recordAudit(
      tx,
      clock,
      { ...actor, userId: created.id },
      { action: 'user.signup', objectType: 'user', objectId: created.id },
    );
  });
}

/**
 * Confirms an address from the mail's link and signs the person in. An account confirmed for the
 * first time takes its password here, from whoever holds the mail: the address's owner.
 */
export async function confirmEmail(
  deps: AuthDeps,
  actor: Actor,
  input: { token: string; password?: string },
  client: Client,
) {
  if (input.password !== undefined) checkPasswordRules(input.password, 'password');
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return deps.db.transaction(async (tx) => {
    const userId = await consumeLinkToken(tx, deps.clock, input.token, 'verify_email');
    const now = deps.clock.now();
    const [row] = await queryRows<{ email_verified_at: string | null }>(
      tx,
      sql`SELECT email_verified_at::text FROM core_users WHERE id = ${userId}`,
    );
    const firstConfirmation = !row?.email_verified_at;
    if (firstConfirmation && !passwordHash) {
      // Thrown inside the transaction: the link stays unused for the answer with a password.
      throw new AppError('validation_failed', 'password: choose a password to finish', {
        field: 'password',
        reason: 'password_required',
      });
    }
    // A later confirmation (a link mailed again) keeps the password it has.
    const password = firstConfirmation
      ? sql`, password_hash = ${passwordHash}, password_changed_at = ${now}`
      : sql``;
    await tx.execute(sql`
      UPDATE core_users SET email_verified_at = coalesce(email_verified_at, ${now}), updated_at = ${now} ${password}
      WHERE id = ${userId}`);
    await recordAudit(
      tx,
      deps.clock,
      { ...actor, userId },
      {
        action: 'user.verify_email',
        objectType: 'user',
        objectId: userId,
        details: { passwordSet: firstConfirmation },
      },
    );
    const session = await openSession(tx, deps.clock, userId, client);
    return { user: await getUser(tx, userId), session };
  });
}

/**
 * Signs in with email and password. Wrong address and wrong password get the same answer; failures
 * for an address lock it for longer and longer, and each IP has its own budget.
 */
export async function signIn(
  deps: AuthDeps,
  actor: Actor,
  input: { email: string; password: string },
  client: Client,
): Promise<{ user: User; session: NewSession }> {
  const { db, clock } = deps;
  const email = normalizeEmail(input.email);
  const failureKey = `signin:email:${email}`;
  await consumeRateLimit(db, clock, `signin:ip:${ipKey(actor.ip)}`, LIMITS.signInPerIp);
  await claimAttempt(db, clock, failureKey);
  const [row] = await queryRows<{
    id: string;
    password_hash: string | null;
    email_verified_at: string | null;
  }>(db, sql`SELECT id, password_hash, email_verified_at::text FROM core_users WHERE email = ${email}`);
  const valid = await verifyPassword(row?.password_hash ?? null, input.password);
  if (row && !valid) await refuseTemporaryPassword(db, clock, row.id, input.password);
  if (!row || !valid) {
    // Counted already, by the claim.
    throw new AppError('unauthorized', 'that email and password do not match an account');
  }
  await clearFailures(db, failureKey);
  if (!row.email_verified_at) {
    await resendConfirmation(deps, actor, row.id, email);
    throw new AppError('forbidden', 'confirm your email address first: we have sent you a new link', {
      reason: 'email_not_verified',
    });
  }
  return db.transaction(async (tx) => {
    const session = await openSession(tx, clock, row.id, client);
    await recordAudit(
      tx,
      clock,
      { ...actor, userId: row.id },
      {
        action: 'session.create',
        objectType: 'session',
        objectId: session.id,
        details: { method: 'password' },
      },
    );
    return { user: await getUser(tx, row.id), session };
  });
}

/**
 * A temporary password (mailed to a person whose account was made for them) only serves to choose a
 * real password where it was issued; at the login form it gets a 403 that says so, not a 401 that
 * would leave the person guessing. A used one is just a wrong password.
 */
async function refuseTemporaryPassword(db: Db, clock: Clock, userId: string, password: string) {
  const temporary = await findTemporaryPassword(db, clock, userId, password);
  if (!temporary || temporary.state === 'used') return;
  throw new AppError(
    'forbidden',
    temporary.state === 'open'
      ? 'this is your temporary password: it cannot be used to log in; finish setting up your account, ' +
          'where you choose your own password'
      : 'this temporary password has expired: ask for new login details to finish setting up your account',
    { reason: temporary.state === 'open' ? 'temporary_password' : 'temporary_password_expired' },
  );
}

async function resendConfirmation(deps: AuthDeps, actor: Actor, userId: string, email: string) {
  const { db, clock } = deps;
  if (
    !(await consumeRateLimit(db, clock, `mail:${email}`, LIMITS.mailsPerAddress, {
      throwWhenExceeded: false,
    }))
  ) {
    return;
  }
  await db.transaction((tx) => queueConfirmation(tx, deps, actor, userId, email));
}

/** A fresh link that confirms the address (and, for an account never confirmed, sets its password). */
async function queueConfirmation(
  tx: Db,
  { clock, publicUrl }: Pick<AuthDeps, 'clock' | 'publicUrl'>,
  actor: Actor,
  userId: string,
  email: string,
) {
  const token = await issueLinkToken(tx, clock, userId, 'verify_email', actor.ip);
  await queueMail(tx, clock, {
    to: email,
    userId,
    ...renderMail('verify_email', {
      subject: subject`Confirm your email for Tally`,
      blocks: [
        action('Confirm your email address', `${publicUrl}/verify-email?token=${token}`),
        paragraph`The link works once, for 48 hours.`,
      ],
    }),
  });
}

/** Asks for a password reset link. The answer never says whether the address has an account. */
export async function requestPasswordReset(
  { db, clock, publicUrl }: AuthDeps,
  actor: Actor,
  input: { email: string },
): Promise<void> {
  const email = normalizeEmail(input.email);
  await consumeRateLimit(db, clock, `reset:ip:${ipKey(actor.ip)}`, LIMITS.resetPerIp);
  const [row] = await queryRows<{ id: string }>(db, sql`SELECT id FROM core_users WHERE email = ${email}`);
  if (!row) return;
  if (
    !(await consumeRateLimit(db, clock, `mail:${email}`, LIMITS.mailsPerAddress, {
      throwWhenExceeded: false,
    }))
  ) {
    return;
  }
  await db.transaction(async (tx) => {
    const token = await issueLinkToken(tx, clock, row.id, 'password_reset', actor.ip);
    await queueMail(tx, clock, {
      to: email,
      userId: row.id,
      ...renderMail('password_reset', {
        subject: subject`Reset your Tally password`,
        blocks: [
          paragraph`Someone, hopefully you, asked to reset the password of your Tally account.`,
          action('Choose a new password', `${publicUrl}/reset-password?token=${token}`),
          paragraph`The link works once, for one hour. If you did not ask for it, ignore this mail.`,
        ],
      }),
    });
    await recordAudit(
      tx,
      clock,
      { ...actor, userId: actor.userId },
      {
        action: 'password_reset.request',
        objectType: 'user',
        objectId: row.id,
      },
    );
  });
}

/** Sets a new password from a reset link; every session of the person ends, and the address counts as confirmed. */
export async function resetPassword(
  deps: AuthDeps,
  actor: Actor,
  input: { token: string; newPassword: string },
) {
  checkPasswordRules(input.newPassword, 'new_password');
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.transaction(async (tx) => {
    const userId = await consumeLinkToken(tx, deps.clock, input.token, 'password_reset');
    const now = deps.clock.now();
    await tx.execute(sql`
      UPDATE core_users SET password_hash = ${passwordHash}, password_changed_at = ${now},
        email_verified_at = coalesce(email_verified_at, ${now}), updated_at = ${now}
      WHERE id = ${userId}`);
    const sessionsEnded = await revokeSessionsOf(tx, deps.clock, userId);
    const { keys, wallets } = await revokeRecentSignIns(tx, deps.clock, userId);
    const [person] = await queryRows<{ email: string | null }>(
      tx,
      sql`SELECT email FROM core_users WHERE id = ${userId}`,
    );
    if (person?.email) {
      await queueMail(tx, deps.clock, {
        to: person.email,
        userId,
        ...renderMail('password_reset_done', {
          subject: subject`Your Tally password was reset`,
          blocks: [
            paragraph`The password of your Tally account was just reset. Every session was signed out.`,
            paragraph`In case someone else had your old password, what was added to your account in the last ${String(
              RECENT_SIGN_IN_DAYS,
            )} days to sign in without it is gone too: ${String(keys.length)} API key(s) revoked, ${String(
              wallets.length,
            )} wallet(s) unlinked.`,
            ...(keys.length > 0 || wallets.length > 0
              ? [
                  facts([
                    ...keys.map((k) => [`API key revoked`, `${k.name} (${k.prefix}…)`] as const),
                    ...wallets.map((address) => [`Wallet unlinked`, address] as const),
                  ]),
                ]
              : []),
            paragraph`Make a new key or link a wallet again in your settings if they were yours. If you did not reset your password, reset it again now and tell us.`,
            action('Review your account', `${deps.publicUrl}/settings`),
          ],
        }),
      });
    }
    await recordAudit(
      tx,
      deps.clock,
      { ...actor, userId },
      {
        action: 'password_reset.complete',
        objectType: 'user',
        objectId: userId,
        details: { sessionsEnded, apiKeysRevoked: keys.map((k) => k.id), walletsUnlinked: wallets },
      },
    );
  });
}

/**
 * How far back a reset undoes new ways in: a session lasts this long, so whoever signed in with the
 * old password could have added a key or a wallet in this window at most since their last sign-in.
 */
const RECENT_SIGN_IN_DAYS = SESSION_TTL_MS / (24 * 3600 * 1000);

/**
 * A password reset says the old password may be known to someone else: the API keys made and the
 * wallets linked within a session's lifetime could be theirs, and would outlive the reset. They go
 * (the mail lists them); older keys and wallets stay.
 */
async function revokeRecentSignIns(
  tx: Db,
  clock: Clock,
  userId: string,
): Promise<{ keys: { id: string; name: string; prefix: string }[]; wallets: string[] }> {
  const now = clock.now();
  const since = new Date(now.getTime() - SESSION_TTL_MS);
  const keys = await queryRows<{ id: string; name: string; prefix: string }>(
    tx,
    sql`UPDATE core_api_keys SET revoked_at = ${now}
        WHERE user_id = ${userId} AND revoked_at IS NULL AND created_at >= ${since}
        RETURNING id, name, prefix`,
  );
  const wallets = await queryRows<{ address: string }>(
    tx,
    sql`DELETE FROM core_wallets WHERE user_id = ${userId} AND linked_at >= ${since} RETURNING address`,
  );
  return { keys, wallets: wallets.map((w) => w.address) };
}

export async function changePassword(
  { db, clock }: AuthDeps,
  actor: Actor,
  input: { currentPassword: string; newPassword: string; sessionToken?: string },
): Promise<void> {
  const userId = requireSessionUser(actor);
  checkPasswordRules(input.newPassword, 'new_password');
  const failureKey = `password:user:${userId}`;
  await assertNotLocked(db, clock, failureKey);
  const [row] = await queryRows<{ password_hash: string | null }>(
    db,
    sql`SELECT password_hash FROM core_users WHERE id = ${userId}`,
  );
  // A wallet-only person sets a first password without a current one.
  if (row?.password_hash && !(await verifyPassword(row.password_hash, input.currentPassword))) {
    await recordFailure(db, clock, failureKey);
    throw new AppError('validation_failed', 'the current password is not right', {
      field: 'current_password',
    });
  }
  await clearFailures(db, failureKey);
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    const now = clock.now();
    await tx.execute(sql`
      UPDATE core_users SET password_hash = ${passwordHash}, password_changed_at = ${now}, updated_at = ${now}
      WHERE id = ${userId}`);
    // Whoever else was signed in (someone who knew the old password) is signed out; this session stays.
    const ended = await revokeSessionsOf(tx, clock, userId, input.sessionToken);
    await recordAudit(tx, clock, actor, {
      action: 'user.password_change',
      objectType: 'user',
      objectId: userId,
      details: { otherSessionsEnded: ended },
    });
  });
}

export async function getMe({ db }: Pick<AuthDeps, 'db'>, actor: Actor): Promise<User> {
  return getUser(db, requireUser(actor));
}

export async function updateProfile(
  { db, clock }: AuthDeps,
  actor: Actor,
  input: { name: string },
): Promise<User> {
  const userId = requireUser(actor);
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`UPDATE core_users SET name = ${input.name.trim()}, updated_at = ${clock.now()} WHERE id = ${userId}`,
    );
    await recordAudit(tx, clock, actor, {
      action: 'user.update',
      objectType: 'user',
      objectId: userId,
      details: { name: input.name.trim() },
    });
    return getUser(tx, userId);
  });
}

export async function getUser(db: Db, userId: string): Promise<User> {
  const [row] = await queryRows<{
    id: string;
    email: string | null;
    email_verified_at: string | null;
    name: string;
    is_admin: boolean;
    has_password: boolean;
    created_at: string;
  }>(
    db,
    sql`SELECT id, email, email_verified_at::text, name, is_admin, password_hash IS NOT NULL AS has_password,
          created_at::text
        FROM core_users WHERE id = ${userId}`,
  );
  if (!row) throw notFound('user', { id: userId });
  const wallets = await queryRows<{ address: string; linked_at: string }>(
    db,
    sql`SELECT address, linked_at::text FROM core_wallets WHERE user_id = ${userId} ORDER BY linked_at`,
  );
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified_at !== null,
    name: row.name,
    isAdmin: row.is_admin,
    hasPassword: row.has_password,
    wallets: wallets.map((w) => ({ address: w.address, linkedAt: parseTimestamp(w.linked_at) })),
    createdAt: parseTimestamp(row.created_at),
  };
}

/**
 * Makes a person an administrator (the `tally admin create` command): an existing account is
 * promoted; a new address gets a confirmed account with the given password.
 */
export async function createAdministrator(
  db: Db,
  clock: Clock,
  input: { email: string; name: string; password: string },
): Promise<{ userId: string; created: boolean }> {
  const email = normalizeEmail(input.email);
  checkPasswordRules(input.password);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [existing] = await queryRows<{ id: string }>(
      tx,
      sql`SELECT id FROM core_users WHERE email = ${email}`,
    );
    const userId = existing?.id ?? newId();
    if (existing) {
      await tx.execute(sql`UPDATE core_users SET is_admin = true, updated_at = ${now} WHERE id = ${userId}`);
    } else {
      await tx.execute(sql`
        INSERT INTO core_users (id, email, email_verified_at, name, password_hash, password_changed_at, is_admin,
          created_at, updated_at)
        VALUES (${userId}, ${email}, ${now}, ${input.name.trim()}, ${passwordHash}, ${now}, true, ${now}, ${now})`);
    }
    await recordAudit(tx, clock, systemActor, {
      action: existing ? 'user.grant_admin' : 'user.create_admin',
      objectType: 'user',
      objectId: userId,
    });
    return { userId, created: !existing };
  });
}

/**
 * Makes an account for an address that was proven elsewhere (a purchase paid from it), without a
 * password: the caller gives the person a way in, such as a temporary password. Returns null when
 * the address already has an account.
 */
export async function registerConfirmedPerson(
  tx: Db,
  clock: Clock,
  input: { email: string; name: string },
): Promise<string | null> {
  const now = clock.now();
  const [row] = await queryRows<{ id: string }>(
    tx,
    sql`INSERT INTO core_users (id, email, email_verified_at, name, created_at, updated_at)
        VALUES (${newId()}, ${normalizeEmail(input.email)}, ${now}, ${input.name.trim()}, ${now}, ${now})
        ON CONFLICT (email) DO NOTHING RETURNING id`,
  );
  return row?.id ?? null;
}

/** The account of a proven address: made as `registerConfirmedPerson` makes it, or the one it has (the demo's people). */
export async function confirmedPersonId(
  db: Db,
  clock: Clock,
  input: { email: string; name: string },
): Promise<string> {
  const made = await registerConfirmedPerson(db, clock, input);
  if (made) return made;
  const [row] = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM core_users WHERE email = ${normalizeEmail(input.email)}`,
  );
  return row!.id;
}

/** Makes a person an administrator or takes it away; administrators only, and never from oneself. */
export async function setAdministrator(
  { db, clock }: Pick<AuthDeps, 'db' | 'clock'>,
  actor: Actor,
  input: { userId: string; isAdmin: boolean },
): Promise<User> {
  requireAdmin(actor);
  // Rights over everything are given by a person at a screen: a key (a person's or the operator's),
  // whatever its scopes, cannot make or unmake an administrator.
  if (!actor.userId || actor.apiKeyId) {
    throw new AppError(
      'forbidden',
      'granting or revoking administrator rights needs a signed-in session, not an API key',
    );
  }
  if (!input.isAdmin && input.userId === actor.userId) {
    throw new AppError('domain_rule', 'you cannot take away your own administrator rights; ask another one');
  }
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ is_admin: boolean }>(
      tx,
      sql`SELECT is_admin FROM core_users WHERE id = ${input.userId} FOR UPDATE`,
    );
    if (!row) throw notFound('user', { id: input.userId });
    if (row.is_admin !== input.isAdmin) {
      await tx.execute(
        sql`UPDATE core_users SET is_admin = ${input.isAdmin}, updated_at = ${clock.now()} WHERE id = ${input.userId}`,
      );
      await recordAudit(tx, clock, actor, {
        action: input.isAdmin ? 'user.grant_admin' : 'user.revoke_admin',
        objectType: 'user',
        objectId: input.userId,
      });
    }
    return getUser(tx, input.userId);
  });
}
