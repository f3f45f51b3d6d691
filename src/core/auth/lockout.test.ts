import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { read, request, signedInPerson, type TestTally, testTally } from '../../../test/support/app';
import { hashPassword } from './passwords';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally({ lines: [] });
});

async function personWithPassword(password: string): Promise<string> {
  const person = await signedInPerson(tally);
  await tally.database.db.execute(
    sql`UPDATE core_users SET password_hash = ${await hashPassword(password)} WHERE id = ${person.userId}`,
  );
  return person.email;
}

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
