import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createTally, type Tally } from '../../src/app';
import type { ChainRuntime } from '../../src/chain/runtime';
import { SESSION_COOKIE } from '../../src/core/auth/middleware';
import { hashPassword } from '../../src/core/auth/passwords';
import { hashSecret, newSecret } from '../../src/core/auth/tokens';
import { TestClock } from '../../src/core/clock';
import { type Database, queryRows } from '../../src/core/database';
import { newId } from '../../src/core/ids';
import { newInstallationSecret } from '../../src/core/keyring';
import { silentLogger } from '../../src/core/log';
import type { ProductLine } from '../../src/product-line';
import { freshDatabase, whenFileEnds } from './database';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestTally extends Tally {
  clock: TestClock;
  /**
   * The same Tally started again, as after a crash: a new process's services on the same database,
   * chain, files, clock and installation secret; nothing of this one's memory carries over.
   */
  restart(): Promise<TestTally>;
}

/** A whole Tally on a fresh database with a settable clock, for route tests through `http.request`. */
export async function testTally(
  options: {
    smtpUrl?: string;
    start?: string;
    mailboxOpen?: boolean;
    chain?: ChainRuntime;
    allowPrivateNetwork?: boolean;
    /** Tally's own lines unless a test brings its own (a throw-away line, kinds of its own). */
    lines?: readonly ProductLine[];
  } = {},
): Promise<TestTally> {
  const database = await freshDatabase();
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-files-'));
  whenFileEnds(async () => fs.rmSync(filesDir, { recursive: true, force: true }));
  const clock = new TestClock(options.start ?? '2026-06-01T09:00:00Z');
  return startTestTally({ ...options, database, filesDir, clock, secretKey: newInstallationSecret() });
}

async function startTestTally(
  options: Parameters<typeof testTally>[0] & {
    database: Database;
    filesDir: string;
    clock: TestClock;
    secretKey: string;
  },
): Promise<TestTally> {
  const { database, filesDir, clock } = options;
  const tally = await createTally({
    config: {
      maxBodyBytes: 64 * 1024,
      maxUploadBytes: 256 * 1024,
      filesDir,
      publicUrl: 'http://tally.test',
      smtpUrl: options.smtpUrl,
      mailFrom: 'Tally <no-reply@tally.test>',
      mailboxOpen: options.mailboxOpen ?? false,
      // Everything a test reaches is on 127.0.0.1.
      allowPrivateNetwork: options.allowPrivateNetwork ?? true,
    },
    database,
    adminApiKey: TEST_ADMIN_KEY,
    log: silentLogger,
    clock,
    chain: options.chain,
    lines: options.lines,
    secretKey: options.secretKey,
  });
  await tally.sender?.prepare();
  return { ...tally, clock, restart: () => startTestTally(options) };
}

export interface TestPerson {
  userId: string;
  email: string;
  /** The `cookie` header value that signs requests in as this person. */
  cookie: string;
}

/**
 * A person with a live session, written straight to the tables so tests of other features do not
 * depend on the sign-up flow.
 */
export async function signedInPerson(
  tally: Tally,
  options: { email?: string; name?: string; isAdmin?: boolean } = {},
): Promise<TestPerson> {
  const userId = newId();
  const email = (options.email ?? `person-${userId.slice(-8)}@example.test`).toLowerCase();
  const token = newSecret();
  const now = tally.clock.now();
  const expires = new Date(now.getTime() + 30 * 24 * 3600 * 1000);
  await tally.database.db.execute(sql`
    INSERT INTO core_users (id, email, email_verified_at, name, is_admin, created_at, updated_at)
    VALUES (${userId}, ${email}, ${now}, ${options.name ?? 'Test Person'}, ${options.isAdmin ?? false}, ${now}, ${now})`);
  await tally.database.db.execute(sql`
    INSERT INTO core_sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at)
    VALUES (${newId()}, ${userId}, ${hashSecret(token)}, ${now}, ${expires}, ${now})`);
  return { userId, email, cookie: `${SESSION_COOKIE}=${token}` };
}

/** A JSON request through the app object, optionally as a signed-in person (sent as the web app sends it). */
export async function request(
  tally: Tally,
  method: string,
  path: string,
  options: { body?: unknown; as?: TestPerson; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.as) headers.cookie = options.as.cookie;
  if (headers.cookie) headers['x-requested-with'] ??= 'tally-web';
  return tally.http.request(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

/** A response body under test: whatever the server sent, its shape asserted by the test itself. */
// biome-ignore lint/suspicious/noExplicitAny: the tests assert the shape of what the server sent
export type Body = any;

export const read = async (response: Response): Promise<Body> => response.json();

/** A person who can log in with `password` (and has a session of their own besides). */
export async function personWithPassword(
  tally: Tally,
  password: string,
  options: { email?: string; name?: string; isAdmin?: boolean } = {},
): Promise<TestPerson> {
  const person = await signedInPerson(tally, options);
  await tally.database.db.execute(
    sql`UPDATE core_users SET password_hash = ${await hashPassword(password)} WHERE id = ${person.userId}`,
  );
  return person;
}

/** The token of the last `path?token=…` link mailed to `email`. */
export async function mailedToken(tally: Tally, email: string, path: string): Promise<string> {
  const mails = await queryRows<{ text: string }>(
    tally.database.db,
    sql`SELECT text FROM core_mail_messages WHERE to_address = ${email} ORDER BY created_at DESC, id DESC`,
  );
  for (const { text } of mails) {
    const token = new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(text)?.[1];
    if (token) return token;
  }
  throw new Error(`no ${path} link mailed to ${email}`);
}
