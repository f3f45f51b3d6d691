import { sql } from 'drizzle-orm';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  mailedToken,
  read,
  request,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../database';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const sessionCookie = (response: Response): string => {
  const header = response.headers.get('set-cookie') ?? '';
  const match = /tally_session=([^;]*)/.exec(header);
  return match?.[1] ? `tally_session=${match[1]}` : '';
};

async function mailsTo(email: string) {
  return queryRows<{ template: string; subject: string; text: string }>(
    tally.database.db,
    sql`SELECT template, subject, text FROM core_mail_messages WHERE to_address = ${email} ORDER BY created_at, id`,
  );
}

const linkToken = (email: string, path: string) => mailedToken(tally, email, path);

let counter = 0;
const freshEmail = () => `person${++counter}-${Date.now()}@example.test`;
const PASSWORD = 'correct horse battery';

async function verifiedPerson(): Promise<{ email: string; cookie: string }> {
  const email = freshEmail();
  expect((await request(tally, 'POST', '/api/auth/signup', { body: { email, name: 'Ada' } })).status).toBe(
    202,
  );
  const verified = await request(tally, 'POST', '/api/auth/verify-email', {
    body: { token: await linkToken(email, '/verify-email'), password: PASSWORD },
  });
  expect(verified.status).toBe(200);
  return { email, cookie: sessionCookie(verified) };
}

describe('sign-up and email confirmation', () => {
  it('mails a link where the owner of the address chooses the password, and signs in there', async () => {
    const email = freshEmail();
    const signup = await request(tally, 'POST', '/api/auth/signup', {
      body: { email: email.toUpperCase(), name: 'Ada' },
    });
    expect(signup.status).toBe(202);
    expect(await read(signup)).toEqual({ status: 'check_your_mail' });
    expect(sessionCookie(signup)).toBe('');
    const [welcome] = await mailsTo(email);
    expect(welcome?.template).toBe('welcome');
    expect(welcome?.text).toContain('http://tally.test/verify-email?token=');

    // Until then the account has no password at all.
    const early = await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(early.status).toBe(401);

    const token = await linkToken(email, '/verify-email');
    const before = await snapshotTables(tally.database.db);
    const withoutPassword = await request(tally, 'POST', '/api/auth/verify-email', { body: { token } });
    expect(withoutPassword.status).toBe(400);
    expect((await read(withoutPassword)).error.details).toMatchObject({
      field: 'password',
      reason: 'password_required',
    });
    const weak = await request(tally, 'POST', '/api/auth/verify-email', {
      body: { token, password: 'short' },
    });
    expect(weak.status).toBe(400);
    // Neither used the link.
    await expectUnchanged(tally.database.db, before);

    const verified = await request(tally, 'POST', '/api/auth/verify-email', {
      body: { token, password: PASSWORD },
    });
    expect(verified.status).toBe(200);
    const me = await request(tally, 'GET', '/api/auth/me', { headers: { cookie: sessionCookie(verified) } });
    expect((await read(me)).user).toMatchObject({
      email,
      email_verified: true,
      name: 'Ada',
      has_password: true,
    });
    expect(
      (await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
    ).toBe(200);
    const again = await request(tally, 'POST', '/api/auth/verify-email', {
      body: { token, password: PASSWORD },
    });
    expect(again.status).toBe(422);
  });

  it('gives whoever signs up with someone else’s address no way into the account', async () => {
    const email = freshEmail();
    // The attacker signs up first, with the victim's address: no password is taken.
    const attacker = await request(tally, 'POST', '/api/auth/signup', {
      body: { email, name: 'Not You', password: 'attacker knows this' },
    });
    expect(attacker.status).toBe(400);
    expect(
      (await request(tally, 'POST', '/api/auth/signup', { body: { email, name: 'Not You' } })).status,
    ).toBe(202);
    // The owner, who never got the first mail or ignored it, signs up too and gets a fresh link.
    expect(
      (await request(tally, 'POST', '/api/auth/signup', { body: { email, name: 'Owner' } })).status,
    ).toBe(202);
    expect((await mailsTo(email)).map((m) => m.template)).toEqual(['welcome', 'verify_email']);
    const token = await linkToken(email, '/verify-email');
    const confirmed = await request(tally, 'POST', '/api/auth/verify-email', {
      body: { token, password: 'the owner chose this' },
    });
    expect(confirmed.status).toBe(200);
    expect(
      (await request(tally, 'POST', '/api/auth/login', { body: { email, password: 'attacker knows this' } }))
        .status,
    ).toBe(401);
    expect(
      (await request(tally, 'POST', '/api/auth/login', { body: { email, password: 'the owner chose this' } }))
        .status,
    ).toBe(200);
  });

  it('answers a sign-up for a taken address exactly like a new one, and mails its owner instead', async () => {
    const { email } = await verifiedPerson();
    const response = await request(tally, 'POST', '/api/auth/signup', { body: { email, name: 'Eve' } });
    expect(response.status).toBe(202);
    expect(await read(response)).toEqual({ status: 'check_your_mail' });
    expect((await mailsTo(email)).map((m) => m.template)).toEqual(['welcome', 'signup_existing']);
    const users = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM core_users WHERE email = ${email}`,
    );
    expect(users[0]?.n).toBe(1);
  });

  it('refuses bad input with the field named, and creates nothing', async () => {
    const before = await snapshotTables(tally.database.db);
    const cases: [unknown, string][] = [
      [{ email: 'not-an-email', name: 'Ada' }, 'email'],
      [{ email: freshEmail(), name: 'Ada\nhttps://evil.test' }, 'name'],
      [{ email: freshEmail(), name: 'Ada', role: 'admin' }, ''],
    ];
    for (const [body, field] of cases) {
      const response = await request(tally, 'POST', '/api/auth/signup', { body });
      expect(response.status).toBe(400);
      const error = (await read(response)).error;
      expect(error.code).toBe('validation_failed');
      if (field) expect(error.details.issues[0].path).toBe(field);
    }
    await expectUnchanged(tally.database.db, before);
  });
});

describe('log in and out', () => {
  it('answers a wrong password and an unknown address alike, then slows repeated failures down', async () => {
    const { email } = await verifiedPerson();
    const wrong = await request(tally, 'POST', '/api/auth/login', {
      body: { email, password: 'wrong password!' },
    });
    const unknown = await request(tally, 'POST', '/api/auth/login', {
      body: { email: freshEmail(), password: 'wrong password!' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await read(wrong)).error.message).toBe((await read(unknown)).error.message);
    for (let i = 0; i < 4; i++)
      await request(tally, 'POST', '/api/auth/login', { body: { email, password: 'wrong password!' } });
    const locked = await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    tally.clock.advance(2000);
    const ok = await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(ok.status).toBe(200);
  });

  it('refuses a change made with the session cookie that a form on another site could have posted', async () => {
    const { cookie } = await verifiedPerson();
    const before = await snapshotTables(tally.database.db);
    for (const headers of [
      { cookie } as Record<string, string>,
      { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      { cookie, 'content-type': 'text/plain' },
      { cookie, 'content-type': 'multipart/form-data; boundary=x' },
    ]) {
      const response = await tally.http.request('/api/auth/logout-all', {
        method: 'POST',
        headers,
        body: '',
      });
      expect(response.status).toBe(403);
      expect((await response.json()).error.code).toBe('forbidden');
    }
    await expectUnchanged(tally.database.db, before);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie } })).status).toBe(200);
    // From a script: a JSON body, or X-Requested-With without one.
    const fromScript = await tally.http.request('/api/auth/logout-all', {
      method: 'POST',
      headers: { cookie, 'x-requested-with': 'tally-web' },
    });
    expect(fromScript.status).toBe(204);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie } })).status).toBe(401);
  });

  it('ends one session on log out and every session on log out everywhere', async () => {
    const { email, cookie: first } = await verifiedPerson();
    const second = sessionCookie(
      await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } }),
    );
    const out = await request(tally, 'POST', '/api/auth/logout', { headers: { cookie: first } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('tally_session=;');
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie: first } })).status).toBe(401);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie: second } })).status).toBe(200);
    const third = sessionCookie(
      await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } }),
    );
    const sessions = await read(
      await request(tally, 'GET', '/api/auth/sessions', { headers: { cookie: third } }),
    );
    expect(sessions.items).toHaveLength(2);
    expect(sessions.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(
      (await request(tally, 'POST', '/api/auth/logout-all', { headers: { cookie: third } })).status,
    ).toBe(204);
    for (const cookie of [second, third]) {
      expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie } })).status).toBe(401);
    }
  });

  it('expires a session after thirty days', async () => {
    const person = await signedInPerson(tally);
    expect((await request(tally, 'GET', '/api/auth/me', { as: person })).status).toBe(200);
    tally.clock.advance(31 * 24 * 3600 * 1000);
    expect((await request(tally, 'GET', '/api/auth/me', { as: person })).status).toBe(401);
  });
});

describe('password reset', () => {
  it('tells nothing about unknown addresses, and resets once with a fresh link', async () => {
    const unknown = freshEmail();
    const blind = await request(tally, 'POST', '/api/auth/password-reset', { body: { email: unknown } });
    expect(blind.status).toBe(202);
    expect(await mailsTo(unknown)).toEqual([]);

    const { email, cookie } = await verifiedPerson();
    const known = await request(tally, 'POST', '/api/auth/password-reset', { body: { email } });
    expect(known.status).toBe(202);
    expect(await read(known)).toEqual(await read(blind));
    const token = await linkToken(email, '/reset-password');
    const newPassword = 'a brand new passphrase';
    expect(
      (
        await request(tally, 'POST', '/api/auth/password-reset/confirm', {
          body: { token, new_password: newPassword },
        })
      ).status,
    ).toBe(204);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie } })).status).toBe(401);
    const reused = await request(tally, 'POST', '/api/auth/password-reset/confirm', {
      body: { token, new_password: 'yet another passphrase' },
    });
    expect(reused.status).toBe(422);
    expect(
      (await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
    ).toBe(401);
    expect(
      (await request(tally, 'POST', '/api/auth/login', { body: { email, password: newPassword } })).status,
    ).toBe(200);
  });

  it('refuses an expired link, and only the newest link works', async () => {
    const { email } = await verifiedPerson();
    await request(tally, 'POST', '/api/auth/password-reset', { body: { email } });
    const older = await linkToken(email, '/reset-password');
    await request(tally, 'POST', '/api/auth/password-reset', { body: { email } });
    const newer = await linkToken(email, '/reset-password');
    expect(newer).not.toBe(older);
    expect(
      (
        await request(tally, 'POST', '/api/auth/password-reset/confirm', {
          body: { token: older, new_password: 'some new passphrase' },
        })
      ).status,
    ).toBe(422);
    tally.clock.advance(3600 * 1000 + 1);
    expect(
      (
        await request(tally, 'POST', '/api/auth/password-reset/confirm', {
          body: { token: newer, new_password: 'some new passphrase' },
        })
      ).status,
    ).toBe(422);
  });

  it('revokes the keys and unlinks the wallets of the last session window, and says so in the mail', async () => {
    const { email, cookie } = await verifiedPerson();
    const me = await read(await request(tally, 'GET', '/api/auth/me', { headers: { cookie } }));
    const makeKey = async (name: string) =>
      read(
        await request(tally, 'POST', '/api/auth/api-keys', {
          headers: { cookie },
          body: { name, scopes: ['profile:read'] },
        }),
      );
    const linkWallet = async () => {
      const wallet = privateKeyToAccount(generatePrivateKey());
      const { nonce } = await read(await request(tally, 'GET', '/api/auth/siwe/nonce'));
      const message = createSiweMessage({
        address: wallet.address,
        chainId: 31337,
        domain: 'tally.test',
        nonce,
        uri: 'http://tally.test/profile',
        version: '1',
        issuedAt: tally.clock.now(),
      });
      const linked = await request(tally, 'POST', '/api/auth/siwe/verify', {
        headers: { cookie },
        body: { message, signature: await wallet.signMessage({ message }) },
      });
      expect(linked.status).toBe(200);
      return wallet.address.toLowerCase();
    };
    // The person's own key and wallet, from before the window; the session lives on meanwhile.
    const ownKey = await makeKey('own server');
    const ownWallet = await linkWallet();
    tally.clock.advance(31 * 24 * 3600 * 1000);
    await tally.database.db.execute(
      sql`UPDATE core_sessions SET expires_at = ${new Date(tally.clock.now().getTime() + 3600_000)}
          WHERE user_id = ${me.user.id}`,
    );
    // An intruder who had the password, in this window.
    const intruderKey = await makeKey('backdoor');
    const intruderWallet = await linkWallet();

    await request(tally, 'POST', '/api/auth/password-reset', { body: { email } });
    const token = await linkToken(email, '/reset-password');
    const confirmed = await request(tally, 'POST', '/api/auth/password-reset/confirm', {
      body: { token, new_password: 'a brand new passphrase' },
    });
    expect(confirmed.status).toBe(204);

    const asKey = (secret: string) =>
      request(tally, 'GET', '/api/auth/me', { headers: { authorization: `Bearer ${secret}` } });
    expect((await asKey(intruderKey.secret)).status).toBe(401);
    expect((await asKey(ownKey.secret)).status).toBe(200);
    const wallets = await queryRows<{ address: string }>(
      tally.database.db,
      sql`SELECT address FROM core_wallets WHERE user_id = ${me.user.id}`,
    );
    expect(wallets.map((w) => w.address)).toEqual([ownWallet]);
    const [mail] = (await mailsTo(email)).filter((m) => m.template === 'password_reset_done');
    expect(mail?.subject).toBe('Your Tally password was reset');
    expect(mail?.text).toContain('1 API key(s) revoked, 1 wallet(s) unlinked');
    expect(mail?.text).toContain(`backdoor (${intruderKey.api_key.prefix}…)`);
    expect(mail?.text).toContain(intruderWallet);
    expect(mail?.text).not.toContain(ownWallet);
  });

  it('ends every other session on a password change, keeping the one that changed it', async () => {
    const { email, cookie } = await verifiedPerson();
    const other = await request(tally, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    const otherCookie = sessionCookie(other);
    const changed = await request(tally, 'POST', '/api/auth/password', {
      headers: { cookie },
      body: { current_password: PASSWORD, new_password: 'another good passphrase' },
    });
    expect(changed.status).toBe(204);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie } })).status).toBe(200);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie: otherCookie } })).status).toBe(
      401,
    );
  });

  it('stops mailing an address after three requests an hour, still answering the same', async () => {
    const { email } = await verifiedPerson();
    const before = (await mailsTo(email)).length;
    for (let i = 0; i < 5; i++) {
      expect((await request(tally, 'POST', '/api/auth/password-reset', { body: { email } })).status).toBe(
        202,
      );
    }
    // The welcome mail counted against the same hourly budget.
    expect((await mailsTo(email)).length - before).toBe(2);
  });
});

describe('API keys', () => {
  it('shows the secret once, authenticates with it within its scopes, and stops when revoked', async () => {
    const person = await signedInPerson(tally);
    const created = await request(tally, 'POST', '/api/auth/api-keys', {
      as: person,
      body: { name: 'CI', scopes: ['profile:read'] },
    });
    expect(created.status).toBe(201);
    const { api_key: key, secret } = await read(created);
    expect(secret).toMatch(/^tally_key_/);
    expect(secret.startsWith(key.prefix)).toBe(true);
    const listed = await read(await request(tally, 'GET', '/api/auth/api-keys', { as: person }));
    expect(JSON.stringify(listed)).not.toContain(secret);

    const bearer = { authorization: `Bearer ${secret}` };
    const me = await request(tally, 'GET', '/api/auth/me', { headers: bearer });
    expect((await read(me)).user.id).toBe(person.userId);
    const escalate = await request(tally, 'POST', '/api/auth/api-keys', {
      headers: bearer,
      body: { name: 'more', scopes: [] },
    });
    expect(escalate.status).toBe(403);
    const used = await read(await request(tally, 'GET', '/api/auth/api-keys', { as: person }));
    expect(used.items[0].last_used_at).not.toBeNull();

    expect((await request(tally, 'DELETE', `/api/auth/api-keys/${key.id}`, { as: person })).status).toBe(200);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: bearer })).status).toBe(401);
    expect(
      (await request(tally, 'GET', '/api/auth/me', { headers: { authorization: 'Bearer tally_key_forged' } }))
        .status,
    ).toBe(401);
  });

  it('lets the operator’s admin key act as the system, and nothing that only resembles it', async () => {
    const audit = (authorization: string) =>
      request(tally, 'GET', '/api/audit?limit=1', { headers: { authorization } });
    expect((await audit(`Bearer ${TEST_ADMIN_KEY}`)).status).toBe(200);
    expect((await audit(`Bearer ${TEST_ADMIN_KEY.slice(0, -1)}x`)).status).toBe(401);
    expect((await audit(`Bearer ${TEST_ADMIN_KEY}0`)).status).toBe(401);
  });

  it('refuses unknown scopes and past expiries, and another person’s key is not found', async () => {
    const person = await signedInPerson(tally);
    const other = await signedInPerson(tally);
    const bad = await request(tally, 'POST', '/api/auth/api-keys', {
      as: person,
      body: { name: 'x', scopes: ['root', 'profile:read', 'admin:all'] },
    });
    expect(bad.status).toBe(400);
    expect((await read(bad)).error).toMatchObject({
      message: 'unknown scope: root, admin:all',
      details: { field: 'scopes' },
    });
    const past = await request(tally, 'POST', '/api/auth/api-keys', {
      as: person,
      body: { name: 'x', scopes: [], expires_at: '2000-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    const { api_key: key } = await read(
      await request(tally, 'POST', '/api/auth/api-keys', { as: person, body: { name: 'x', scopes: [] } }),
    );
    const notTheirs = await request(tally, 'DELETE', `/api/auth/api-keys/${key.id}`, { as: other });
    expect(notTheirs.status).toBe(404);
    expect((await read(notTheirs)).error).toMatchObject({
      message: 'API key not found',
      details: { id: key.id },
    });
  });
});

describe('Sign-In with Ethereum', () => {
  const wallet = privateKeyToAccount(generatePrivateKey());

  async function signedMessage(overrides: { domain?: string; expirationTime?: Date; nonce?: string } = {}) {
    const { nonce } = await read(await request(tally, 'GET', '/api/auth/siwe/nonce'));
    const message = createSiweMessage({
      address: wallet.address,
      chainId: 31337,
      domain: overrides.domain ?? 'tally.test',
      nonce: overrides.nonce ?? nonce,
      uri: 'http://tally.test/login',
      version: '1',
      issuedAt: tally.clock.now(),
      expirationTime: overrides.expirationTime,
    });
    return { message, signature: await wallet.signMessage({ message }) };
  }

  it('signs a new wallet in with an account of its own, once per nonce', async () => {
    const body = await signedMessage();
    const response = await request(tally, 'POST', '/api/auth/siwe/verify', { body });
    expect(response.status).toBe(200);
    const { user, linked } = await read(response);
    expect(linked).toBe(true);
    expect(user.wallets[0].address).toBe(wallet.address.toLowerCase());
    expect(user.email).toBeNull();
    expect(sessionCookie(response)).not.toBe('');
    const replay = await request(tally, 'POST', '/api/auth/siwe/verify', { body });
    expect(replay.status).toBe(401);
    const again = await read(
      await request(tally, 'POST', '/api/auth/siwe/verify', { body: await signedMessage() }),
    );
    expect(again.user.id).toBe(user.id);
  });

  it('refuses another domain, an expired message, a forged signature and an unknown nonce', async () => {
    const other = await signedMessage({ domain: 'evil.test' });
    expect((await request(tally, 'POST', '/api/auth/siwe/verify', { body: other })).status).toBe(401);
    const expired = await signedMessage({ expirationTime: new Date(tally.clock.now().getTime() - 1000) });
    expect((await request(tally, 'POST', '/api/auth/siwe/verify', { body: expired })).status).toBe(401);
    const good = await signedMessage();
    const forger = privateKeyToAccount(generatePrivateKey());
    const forged = { message: good.message, signature: await forger.signMessage({ message: good.message }) };
    expect((await request(tally, 'POST', '/api/auth/siwe/verify', { body: forged })).status).toBe(401);
    const invented = await signedMessage({ nonce: 'abcdefgh12345678' });
    expect((await request(tally, 'POST', '/api/auth/siwe/verify', { body: invented })).status).toBe(401);
  });

  it('links a wallet to the signed-in person, and keeps the last way to sign in', async () => {
    const person = await signedInPerson(tally);
    const other = privateKeyToAccount(generatePrivateKey());
    const { nonce } = await read(await request(tally, 'GET', '/api/auth/siwe/nonce'));
    const message = createSiweMessage({
      address: other.address,
      chainId: 31337,
      domain: 'tally.test',
      nonce,
      uri: 'http://tally.test/profile',
      version: '1',
    });
    const response = await request(tally, 'POST', '/api/auth/siwe/verify', {
      as: person,
      body: { message, signature: await other.signMessage({ message }) },
    });
    expect(response.status).toBe(200);
    expect((await read(response)).user.id).toBe(person.userId);
    // The person has no password (made by the test helper), so the only wallet stays.
    const unlink = await request(tally, 'DELETE', `/api/auth/wallets/${other.address}`, { as: person });
    expect(unlink.status).toBe(422);
    const withPassword = await request(tally, 'POST', '/api/auth/password', {
      as: person,
      body: { new_password: PASSWORD },
    });
    expect(withPassword.status).toBe(204);
    expect(
      (await request(tally, 'DELETE', `/api/auth/wallets/${other.address}`, { as: person })).status,
    ).toBe(200);
  });
});

describe('the audit trail of sign-ins', () => {
  it('records who did what, on which object, with the request id', async () => {
    const { email } = await verifiedPerson();
    const rows = await queryRows<{ action: string; request_id: string | null }>(
      tally.database.db,
      sql`SELECT a.action, a.request_id FROM core_audit_log a JOIN core_users u ON u.id = a.actor_user_id
          WHERE u.email = ${email} ORDER BY a.id`,
    );
    expect(rows.map((r) => r.action)).toEqual(['user.signup', 'user.verify_email']);
    expect(rows.every((r) => r.request_id)).toBe(true);
  });
});
