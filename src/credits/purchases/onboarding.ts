import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Client, getUser, normalizeEmail, type User } from '../../core/auth/accounts';
import { checkPasswordRules, hashPassword } from '../../core/auth/passwords';
import { assertNotLocked, clearFailures, consumeRateLimit, recordFailure } from '../../core/auth/rate-limit';
import { users } from '../../core/auth/schema';
import { type NewSession, openSession } from '../../core/auth/sessions';
import {
  consumeTemporaryPassword,
  findTemporaryPassword,
  issueTemporaryPassword,
} from '../../core/auth/temporary-passwords';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { queueMail } from '../../core/mail/outbox';
import { action, facts, paragraph, renderMail, subject } from '../../core/mail/template';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { customers, type UserType } from '../schema';
import { mailVoiceFor } from '../whitelabel/branding-mail';
import { openWorkspace, type Workspace } from '../workspaces/service';

/**
 * First login (seed §2): a person registered by a purchase has a temporary password by mail. With it
 * they choose their own password and create their first workspace, in one transaction that also
 * opens their session: if any step fails, nothing changes and the temporary password still works.
 */

const MINUTE = 60 * 1000;
/** The same budgets as the login form's (src/core/auth/accounts.ts), on the same keys: guesses here count there. */
const SIGN_IN_PER_IP = { limit: 30, windowMs: 10 * MINUTE };
const LOGIN_DETAILS_PER_IP = { limit: 10, windowMs: 60 * MINUTE };
const MAILS_PER_ADDRESS = { limit: 3, windowMs: 60 * MINUTE };

/**
 * Issues a new temporary password (the previous one stops working) and queues the mail carrying it,
 * in the caller's transaction. The mail is the only place the password exists in clear.
 */
export async function mailLoginDetails(
  tx: Db,
  deps: CreditsDeps,
  person: { userId: string; email: string; ip: string | null; productName?: string; type: UserType },
): Promise<void> {
  const { clock } = deps;
  const { password, expiresAt } = await issueTemporaryPassword(tx, clock, person.userId, person.ip);
  // A reseller's customer gets these from the reseller's brand, with the link on its domain.
  const voice = await mailVoiceFor(tx, deps, person.userId);
  const link = `${voice.publicUrl}/credits/welcome?email=${encodeURIComponent(person.email)}`;
  const until = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  await queueMail(tx, clock, {
    to: person.email,
    userId: person.userId,
    ...(voice.from ? { from: voice.from } : {}),
    ...renderMail('credits_login_details', {
      subject: subject`Your ${voice.name} login details`,
      blocks: [
        ...(person.productName
          ? [paragraph`Thank you for buying ${person.productName}. Your ${voice.name} account is ready.`]
          : []),
        facts([
          ['Email', person.email],
          ['Temporary password', password],
        ]),
        action('Finish setting up your account', link),
        paragraph`There you choose your own password and create your first workspace. The temporary password works only there, once, until ${until}.`,
        ...(person.type === 'whitelabel'
          ? [paragraph`As a whitelabel reseller, you will then set up your own domain.`]
          : []),
      ],
    }),
  });
}

export interface OnboardingInput {
  email: string;
  temporaryPassword: string;
  newPassword: string;
  workspaceName: string;
}

export interface Onboarded {
  user: User;
  session: NewSession;
  workspace: Workspace;
}

export async function completeOnboarding(
  deps: CreditsDeps,
  actor: Actor,
  input: OnboardingInput,
  client: Client,
): Promise<Onboarded> {
  const { db, clock } = deps;
  const email = normalizeEmail(input.email);
  const failureKey = `signin:email:${email}`;
  await consumeRateLimit(db, clock, `signin:ip:${actor.ip ?? 'unknown'}`, SIGN_IN_PER_IP);
  await assertNotLocked(db, clock, failureKey);
  const [person] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  const temporary = person
    ? await findTemporaryPassword(db, clock, person.id, input.temporaryPassword)
    : null;
  if (!person || !temporary) {
    await recordFailure(db, clock, failureKey);
    throw new AppError('unauthorized', 'that email and temporary password do not match');
  }
  if (temporary.state === 'used') {
    throw creditsErrors.error(
      'temporary_password_used',
      'this temporary password was already used: log in with the password you chose, or reset it',
      { reason: 'temporary_password_used' },
    );
  }
  if (temporary.state === 'expired') {
    throw creditsErrors.error(
      'temporary_password_expired',
      'this temporary password has expired or was replaced by a newer one: ask for new login details',
      { reason: 'temporary_password_expired' },
    );
  }
  checkPasswordRules(input.newPassword, 'new_password');
  const passwordHash = await hashPassword(input.newPassword);
  const personActor: Actor = { ...actor, userId: person.id, isAdmin: false, apiKeyId: null, scopes: null };

  const onboarded = await db.transaction(async (tx) => {
    const now = clock.now();
    if (!(await consumeTemporaryPassword(tx, clock, temporary.id))) {
      throw creditsErrors.error('temporary_password_used', 'this temporary password was used a moment ago', {
        reason: 'temporary_password_used',
      });
    }
    // Only a person who has never had a password: one set meanwhile (by a password reset) is not
    // overwritten by whoever holds the mailed temporary password.
    const changed = await tx
      .update(users)
      .set({
        passwordHash,
        passwordChangedAt: now,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})`,
        updatedAt: now,
      })
      .where(and(eq(users.id, person.id), isNull(users.passwordHash)))
      .returning({ id: users.id });
    if (changed.length === 0) {
      throw creditsErrors.error(
        'password_already_set',
        'this account already has a password: log in with it, or reset it',
        {
          reason: 'password_already_set',
        },
      );
    }
    // The seed makes the first workspace part of registration, so no product permission is needed
    // for it; it still holds its price in reserve, like every workspace.
    const workspace = await openWorkspace(tx, deps, personActor, {
      ownerUserId: person.id,
      name: input.workspaceName,
      first: true,
      field: 'workspace_name',
    });
    await tx
      .insert(customers)
      .values({ userId: person.id, type: 'generic', onboardedAt: now, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: customers.userId, set: { onboardedAt: now, updatedAt: now } });
    const session = await openSession(tx, clock, person.id, client);
    await recordAudit(tx, clock, personActor, {
      action: 'credits.onboarding.complete',
      objectType: 'user',
      objectId: person.id,
      details: { workspaceId: workspace.id, sessionId: session.id },
    });
    return { user: await getUser(tx, person.id), session, workspace };
  });
  await clearFailures(db, failureKey);
  return onboarded;
}

/**
 * Mails new login details to a person who has not finished onboarding (the first ones expired or
 * got lost). The answer is the same whatever the address, so it tells nothing about who has an account.
 */
export async function requestLoginDetails(
  deps: CreditsDeps,
  actor: Actor,
  input: { email: string },
): Promise<void> {
  const { db, clock } = deps;
  const email = normalizeEmail(input.email);
  await consumeRateLimit(
    db,
    clock,
    `credits_login_details:ip:${actor.ip ?? 'unknown'}`,
    LOGIN_DETAILS_PER_IP,
  );
  const [pending] = await db
    .select({ userId: users.id, type: customers.type })
    .from(users)
    .innerJoin(customers, eq(customers.userId, users.id))
    .where(
      sql`${users.email} = ${email} AND ${users.passwordHash} IS NULL AND ${customers.onboardedAt} IS NULL`,
    );
  if (!pending) return;
  if (
    !(await consumeRateLimit(db, clock, `mail:${email}`, MAILS_PER_ADDRESS, { throwWhenExceeded: false }))
  ) {
    return;
  }
  await db.transaction(async (tx) => {
    await mailLoginDetails(tx, deps, { userId: pending.userId, email, ip: actor.ip, type: pending.type });
    await recordAudit(tx, clock, actor, {
      action: 'credits.login_details.reissue',
      objectType: 'user',
      objectId: pending.userId,
    });
  });
}
