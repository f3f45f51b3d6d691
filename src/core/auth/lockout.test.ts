import { beforeAll, describe, expect, it } from 'vitest';
import {
  personWithPassword as personWithPasswordFor,
  read,
  request,
  type TestTally,
  testTally,
} from '../../../test/support/app';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally({ lines: [] });
});

const personWithPassword = async (password: string) => (await personWithPasswordFor(tally, password)).email;

const logIn = (email: string, password: string) =>
  request(tally, 'POST', '/api/auth/login', { body: { email, password } });

describe('the login lockout', () => {
  it('holds against wrong passwords sent in parallel: five are checked, the rest refused unchecked', async () => {
    const email = await personWithPassword('the right password 1');
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => logIn(email, `wrong guess ${i}`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    // Locked now, even for the right password.
    const right = await logIn(email, 'the right password 1');
    expect(right.status).toBe(429);
    expect((await read(right)).error.code).toBe('rate_limited');
  });

  it('lets the right password in after a few wrong ones, and forgets them', async () => {
    const email = await personWithPassword('another right one 2');
    for (let i = 0; i < 3; i++) expect((await logIn(email, `nope ${i}`)).status).toBe(401);
    expect((await logIn(email, 'another right one 2')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await logIn(email, `nope again ${i}`)).status).toBe(401);
    expect((await logIn(email, 'nope once more')).status).toBe(429);
  });
});

describe('a password change', () => {
  it('signs out every other session of the person, and keeps the one that changed it', async () => {
    const email = await personWithPassword('old password one');
    const sessions: string[] = [];
    for (let i = 0; i < 2; i++) {
      const login = await logIn(email, 'old password one');
      expect(login.status).toBe(200);
      sessions.push(/tally_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0]);
    }
    const [mine, intruder] = sessions as [string, string];
    const changed = await request(tally, 'POST', '/api/auth/password', {
      headers: { cookie: mine },
      body: { current_password: 'old password one', new_password: 'brand new password two' },
    });
    expect(changed.status).toBe(204);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie: intruder } })).status).toBe(401);
    expect((await request(tally, 'GET', '/api/auth/me', { headers: { cookie: mine } })).status).toBe(200);
  });
});
