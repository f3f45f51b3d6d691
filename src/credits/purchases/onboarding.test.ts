import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import {
  buy,
  counts,
  creditsAdmin,
  freshEmail,
  mailedTemporaryPassword,
  makeProduct,
  ok,
} from '../../../test/support/credits';
import { queryRows } from '../../core/database';

let tally: TestTally;
let admin: TestPerson;
let productId: string;

const NEW_PASSWORD = 'my own password 42';

beforeAll(async () => {
  tally = await testTally();
  admin = await creditsAdmin(tally);
  productId = (await makeProduct(tally, admin, { type: 'generic', credits: 50 })).id;
});

/** A person registered by a purchase, with the temporary password their mail carries. */
async function registered(
  product = productId,
): Promise<{ email: string; temporary: string; userId: string }> {
  const email = freshEmail();
  const purchase = await buy(tally, admin, email, product);
  return { email, temporary: await mailedTemporaryPassword(tally, email), userId: purchase.user_id };
}

const onboard = (body: Record<string, unknown>) =>
  request(tally, 'POST', '/api/credits/onboarding', { body });

const sessionCookie = (response: Response) =>
  /tally_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[0];

async function passwordHashOf(userId: string): Promise<string | null> {
  const [row] = await queryRows<{ password_hash: string | null }>(
    tally.database.db,
    sql`SELECT password_hash FROM core_users WHERE id = ${userId}`,
  );
  return row?.password_hash ?? null;
}

let workspaceCounter = 0;
const workspaceName = () => `Studio ${++workspaceCounter}-${Date.now()}`;

describe('the login details mail', () => {
  it('links to the first-login page with the address filled in', async () => {
    const email = freshEmail();
    await buy(tally, admin, email, productId);
    const [mail] = await queryRows<{ text: string }>(
      tally.database.db,
      sql`SELECT text FROM core_mail_messages WHERE to_address = ${email} AND template = 'credits_login_details'`,
    );
    expect(mail?.text).toContain(`http://tally.test/credits/welcome?email=${encodeURIComponent(email)}`);
  });
});

describe('first login', () => {
  it('is not needed for an account people made themselves, administrators included, in the list and on the page', async () => {
    const own = await signedInPerson(tally, { email: freshEmail() });
    const { userId: waiting } = await registered();
    const listed = await ok(tally, 200, 'GET', '/api/credits/users?limit=100', { as: admin });
    const stateOf = (userId: string) =>
      (listed.items as { user_id: string; first_login: string }[]).find((item) => item.user_id === userId)
        ?.first_login;
    expect(stateOf(admin.userId)).toBe('not_needed');
    expect(stateOf(waiting)).toBe('waiting');
    const page = await ok(tally, 200, 'GET', `/api/credits/users/${own.userId}`, { as: admin });
    expect(page).toMatchObject({ onboarded_at: null, first_login: 'not_needed' });
  });

  it('sets the password, makes the first workspace, marks the person onboarded and signs them in', async () => {
    const { email, temporary, userId } = await registered();
    const waiting = await ok(tally, 200, 'GET', `/api/credits/users/${userId}`, { as: admin });
    expect(waiting).toMatchObject({ onboarded_at: null, first_login: 'waiting' });
    const name = workspaceName();
    const response = await onboard({
      email,
      temporary_password: temporary.toUpperCase(),
      new_password: NEW_PASSWORD,
      workspace_name: name,
    });
    const body = await read(response);
    expect(response.status, JSON.stringify(body)).toBe(201);
    expect(body.workspace).toMatchObject({ name, billing_user_id: userId, my_role: 'owner', reserved: '10' });
    const cookie = sessionCookie(response);
    expect(cookie).toMatch(/^tally_session=[\w-]{20,}$/);
    const me = await ok(tally, 200, 'GET', '/api/credits/me', { headers: { cookie: cookie! } });
    expect(me.onboarded_at).not.toBeNull();
    expect(me.first_login).toBe('done');
    // The workspace's price is reserved for it, not spent: it looks deducted, and is still theirs.
    expect(me.balance).toMatchObject({ total: '50', used: '0', reserved: '10', available: '40' });
    const login = await request(tally, 'POST', '/api/auth/login', {
      body: { email, password: NEW_PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it('refuses the temporary password a second time (409), and changes nothing', async () => {
    const { email, temporary } = await registered();
    expect(
      (
        await onboard({
          email,
          temporary_password: temporary,
          new_password: NEW_PASSWORD,
          workspace_name: workspaceName(),
        })
      ).status,
    ).toBe(201);
    const before = await counts(tally);
    const again = await onboard({
      email,
      temporary_password: temporary,
      new_password: 'another password 99',
      workspace_name: workspaceName(),
    });
    expect(again.status).toBe(409);
    expect((await read(again)).error.details.reason).toBe('temporary_password_used');
    expect(await counts(tally)).toEqual(before);
    expect(
      (await request(tally, 'POST', '/api/auth/login', { body: { email, password: NEW_PASSWORD } })).status,
    ).toBe(200);
  });

  it('never overwrites a password the person set meanwhile (by a reset), and changes nothing', async () => {
    const { email, temporary, userId } = await registered();
    await tally.database.db.execute(
      sql`UPDATE core_users SET password_hash = 'set-by-a-reset' WHERE id = ${userId}`,
    );
    const before = await counts(tally);
    const response = await onboard({
      email,
      temporary_password: temporary,
      new_password: NEW_PASSWORD,
      workspace_name: workspaceName(),
    });
    expect(response.status).toBe(409);
    expect((await read(response)).error.details.reason).toBe('password_already_set');
    expect(sessionCookie(response)).toBeUndefined();
    expect(await passwordHashOf(userId)).toBe('set-by-a-reset');
    expect(await counts(tally)).toEqual(before);
  });

  it('refuses an expired temporary password (422) after 24 hours', async () => {
    const { email, temporary, userId } = await registered();
    tally.clock.advance(24 * 3600 * 1000);
    const before = await counts(tally);
    const response = await onboard({
      email,
      temporary_password: temporary,
      new_password: NEW_PASSWORD,
      workspace_name: workspaceName(),
    });
    expect(response.status).toBe(422);
    expect((await read(response)).error.details.reason).toBe('temporary_password_expired');
    expect(await counts(tally)).toEqual(before);
    expect(await passwordHashOf(userId)).toBeNull();
  });

  it('a new purchase or a reissue replaces the temporary password; only the newest works', async () => {
    const { email, temporary: first } = await registered();
    await buy(tally, admin, email, productId);
    const second = await mailedTemporaryPassword(tally, email);
    expect(second).not.toBe(first);
    const stale = await onboard({
      email,
      temporary_password: first,
      new_password: NEW_PASSWORD,
      workspace_name: workspaceName(),
    });
    expect(stale.status).toBe(422);

    expect(
      (await request(tally, 'POST', '/api/credits/onboarding/login-details', { body: { email } })).status,
    ).toBe(202);
    const third = await mailedTemporaryPassword(tally, email);
    expect(third).not.toBe(second);
    expect(
      (
        await onboard({
          email,
          temporary_password: second,
          new_password: NEW_PASSWORD,
          workspace_name: workspaceName(),
        })
      ).status,
    ).toBe(422);
    const fresh = await onboard({
      email,
      temporary_password: third,
      new_password: NEW_PASSWORD,
      workspace_name: workspaceName(),
    });
    expect(fresh.status).toBe(201);
  });

  it('answers a request for login details the same for an unknown address, and mails nothing', async () => {
    const before = await counts(tally);
    const response = await request(tally, 'POST', '/api/credits/onboarding/login-details', {
      body: { email: freshEmail('nobody') },
    });
    expect(response.status).toBe(202);
    expect(await counts(tally)).toEqual(before);
  });

  it('counts a wrong temporary password against the sign-in limit, and locks the address after five', async () => {
    const { email, temporary } = await registered();
    for (let i = 0; i < 5; i++) {
      const wrong = await onboard({
        email,
        temporary_password: 'aaaa-bbbb-cccc-dddd',
        new_password: NEW_PASSWORD,
        workspace_name: 'x',
      });
      expect(wrong.status).toBe(401);
    }
    const locked = await onboard({
      email,
      temporary_password: temporary,
      new_password: NEW_PASSWORD,
      workspace_name: workspaceName(),
    });
    expect(locked.status).toBe(429);
    const login = await request(tally, 'POST', '/api/auth/login', {
      body: { email, password: 'whatever 1234' },
    });
    expect(login.status).toBe(429);
    tally.clock.advance(60_000);
    expect(
      (
        await onboard({
          email,
          temporary_password: temporary,
          new_password: NEW_PASSWORD,
          workspace_name: workspaceName(),
        })
      ).status,
    ).toBe(201);
  });
});

describe('first login is all or nothing', () => {
  it('a workspace name that is taken leaves the password unset, no workspace, and the temporary password working', async () => {
    const taken = workspaceName();
    const owner = await registered();
    expect(
      (
        await onboard({
          email: owner.email,
          temporary_password: owner.temporary,
          new_password: NEW_PASSWORD,
          workspace_name: taken,
        })
      ).status,
    ).toBe(201);

    const { email, temporary, userId } = await registered();
    const before = await counts(tally);
    const response = await onboard({
      email,
      temporary_password: temporary,
      new_password: NEW_PASSWORD,
      workspace_name: taken.toLowerCase(),
    });
    expect(response.status).toBe(409);
    expect((await read(response)).error.details.field).toBe('workspace_name');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await counts(tally)).toEqual(before);
    expect(await passwordHashOf(userId)).toBeNull();
    const me = await ok(tally, 200, 'GET', `/api/credits/users/${userId}`, { as: admin });
    expect(me.onboarded_at).toBeNull();
    expect(me.balance.reserved).toBe('0');
    // Nothing was used up: the same temporary password finishes onboarding with another name.
    expect(
      (
        await onboard({
          email,
          temporary_password: temporary,
          new_password: NEW_PASSWORD,
          workspace_name: workspaceName(),
        })
      ).status,
    ).toBe(201);
  });

  it('a weak password changes nothing', async () => {
    const { email, temporary, userId } = await registered();
    const before = await counts(tally);
    const response = await onboard({
      email,
      temporary_password: temporary,
      new_password: 'short',
      workspace_name: workspaceName(),
    });
    expect(response.status).toBe(400);
    expect((await read(response)).error.details.field).toBe('new_password');
    expect(await counts(tally)).toEqual(before);
    expect(await passwordHashOf(userId)).toBeNull();
  });

  it('credits that do not cover the workspace change nothing (422)', async () => {
    const small = await makeProduct(tally, admin, { type: 'generic', credits: 3 });
    const { email, temporary, userId } = await registered(small.id);
    const before = await counts(tally);
    const response = await onboard({
      email,
      temporary_password: temporary,
      new_password: NEW_PASSWORD,
      workspace_name: workspaceName(),
    });
    expect(response.status).toBe(422);
    expect((await read(response)).error.code).toBe('insufficient_funds');
    expect(await counts(tally)).toEqual(before);
    expect(await passwordHashOf(userId)).toBeNull();
  });
});

describe('the temporary password works nowhere else', () => {
  it('is refused at the login form with a 403 that says to finish onboarding', async () => {
    const { email, temporary } = await registered();
    const response = await request(tally, 'POST', '/api/auth/login', {
      body: { email, password: temporary },
    });
    expect(response.status).toBe(403);
    const body = await read(response);
    expect(body.error.details.reason).toBe('temporary_password');
    expect(body.error.message).toMatch(/finish setting up your account/);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('is refused as a reset or confirmation token, and as a current password', async () => {
    const { email, temporary } = await registered();
    const before = await counts(tally);
    const reset = await request(tally, 'POST', '/api/auth/password-reset/confirm', {
      body: { token: temporary, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(422);
    const verify = await request(tally, 'POST', '/api/auth/verify-email', { body: { token: temporary } });
    expect(verify.status).toBe(422);
    expect(await counts(tally)).toEqual(before);
    // After onboarding, the used temporary password is just a wrong password.
    expect(
      (
        await onboard({
          email,
          temporary_password: temporary,
          new_password: NEW_PASSWORD,
          workspace_name: workspaceName(),
        })
      ).status,
    ).toBe(201);
    const login = await request(tally, 'POST', '/api/auth/login', { body: { email, password: temporary } });
    expect(login.status).toBe(401);
  });
});

describe('a purchase by someone who already has a password', () => {
  it('reaches them as a credits notification, by the channel they chose', async () => {
    const person = await signedInPerson(tally, { email: freshEmail('returning') });
    await tally.database.db.execute(
      sql`UPDATE core_users SET password_hash = 'set-elsewhere' WHERE id = ${person.userId}`,
    );
    const delivered = async () => ({
      notifications: await queryRows<{ type: string; link: string }>(
        tally.database.db,
        sql`SELECT type, link FROM core_notifications WHERE user_id = ${person.userId}`,
      ),
      mails: await queryRows<{ template: string; subject: string }>(
        tally.database.db,
        sql`SELECT template, subject FROM core_mail_messages WHERE user_id = ${person.userId}`,
      ),
    });

    await buy(tally, admin, person.email, productId);
    const first = await delivered();
    expect(first.notifications).toEqual([{ type: 'credits.purchase_completed', link: '/credits' }]);
    expect(first.mails).toEqual([
      { template: 'notification', subject: expect.stringMatching(/your credits are in your Tally account$/) },
    ]);

    const setting = await request(tally, 'PUT', '/api/notifications/settings/credits.purchase_completed', {
      as: person,
      body: { channel: 'in_app' },
    });
    expect(setting.status).toBe(200);
    await buy(tally, admin, person.email, productId);
    const second = await delivered();
    expect(second.notifications).toHaveLength(2);
    expect(second.mails).toHaveLength(1);
  });
});
