import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { Actor } from './actor';
import type { Clock } from './clock';
import { columnsOf, type Database, type Db, queryRows } from './database';
import { AppError } from './errors';
import { GroupCommit } from './group-commit';
import { type Env, errorResponse } from './http';
import { idempotencyKeys } from './idempotency.schema';
import { canonicalJson } from './json';

/**
 * Idempotency-Key with Stripe's semantics, for every request that creates something or moves value:
 * - the same key with the same request answers the stored response again, with `Idempotent-Replayed: true`;
 * - the same key with another request (method, path, query or body) is a 409 `idempotency_conflict`;
 * - the same key while its first request still runs is a 409 `idempotency_in_flight`;
 * - a key whose request died with its process (in flight past the lease) is taken over by the next
 *   retry, which runs the request again: what moves value below it (ledger transfer ids, a line's
 *   keyed usages) is keyed too, so it applies once.
 * Responses of 5xx are not kept, so a retry after a failure of ours runs again. Keys last a day.
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** Stripe's bound. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 3600 * 1000;
/** How long a request may run before a retry of its key may take it over. */
export const IDEMPOTENCY_LEASE_MS = 60_000;

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whose keys these are: a person, or the operator. Anonymous callers have no namespace of their own. */
export function idempotencyOwner(actor: Actor): string | null {
  if (actor.userId) return actor.userId;
  return actor.isAdmin ? 'operator' : null;
}

/**
 * The request a key names, in a form that does not change with JSON key order or spacing: a JSON
 * body already parsed (`json`), or the body's text, parsed here when it is JSON.
 */
export function requestFingerprint(
  method: string,
  pathWithQuery: string,
  body: { json: unknown } | { text: string },
): string {
  let canonicalBody: string;
  if ('json' in body) canonicalBody = canonicalJson(body.json);
  else {
    canonicalBody = body.text;
    if (body.text.trim() !== '') {
      try {
        canonicalBody = canonicalJson(JSON.parse(body.text));
      } catch {
        // Not JSON: the bytes are the request.
      }
    }
  }
  return createHash('sha256').update(`${method}\n${pathWithQuery}\n${canonicalBody}`).digest('hex');
}

type Claim =
  | { kind: 'run'; lockedAt: Date }
  | { kind: 'replay'; status: number; contentType: string | null; body: string }
  | { kind: 'conflict' }
  | { kind: 'in_flight' };

interface KeyRow {
  fingerprint: string;
  state: 'in_flight' | 'done';
  locked_at: Date | string;
  response_status: number | null;
  response_content_type: string | null;
  response_body: string | null;
}

interface NewClaim {
  owner: string;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  at: Date;
}

interface Finish {
  owner: string;
  key: string;
  lockedAt: Date;
  status: number;
  contentType: string | null;
  body: string;
}

/** Enough for every request in flight at once; more only makes the one statement longer. */
const KEYS_PER_STATEMENT = 256;

/**
 * The writes of keys, grouped (`group-commit.ts`): the claims of concurrent requests go into one
 * INSERT, their finishes into one UPDATE (and DELETE), each a single statement that commits by
 * itself. A request otherwise pays two commits of its own around its work.
 */
export class IdempotencyWrites {
  private readonly claims: GroupCommit<NewClaim, boolean>;
  private readonly finishes: GroupCommit<Finish, null>;

  constructor(database: Pick<Database, 'db' | 'parallelism'>) {
    this.claims = new GroupCommit(database, insertClaims, KEYS_PER_STATEMENT, undefined, {
      oneStatement: true,
    });
    this.finishes = new GroupCommit(database, writeFinishes, KEYS_PER_STATEMENT, undefined, {
      oneStatement: true,
    });
  }

  /** Whether this request took the key (a new row); false when the key was there already. */
  insert(claim: NewClaim): Promise<boolean> {
    return this.claims.submit(claim);
  }

  finish(finish: Finish): Promise<null> {
    return this.finishes.submit(finish);
  }
}

async function insertClaims(db: Db, calls: readonly NewClaim[]): Promise<boolean[]> {
  const column = columnsOf(calls);
  const inserted = await queryRows<{ owner: string; key: string }>(
    db,
    sql`INSERT INTO core_idempotency_keys (owner, key, method, path, fingerprint, state, locked_at, created_at)
        SELECT o, k, m, p, f, 'in_flight', t, t
        FROM unnest(${column((c) => c.owner)}::text[], ${column((c) => c.key)}::text[],
          ${column((c) => c.method)}::text[], ${column((c) => c.path)}::text[],
          ${column((c) => c.fingerprint)}::text[], ${column((c) => c.at.toISOString())}::timestamptz[])
          AS u(o, k, m, p, f, t)
        ON CONFLICT (owner, key) DO NOTHING
        RETURNING owner, key`,
  );
  // Two requests with one key in one group: the row is the first one's; the second finds it taken.
  const taken = new Set(inserted.map((row) => JSON.stringify([row.owner, row.key])));
  return calls.map((call) => taken.delete(JSON.stringify([call.owner, call.key])));
}

async function writeFinishes(db: Db, calls: readonly Finish[]): Promise<null[]> {
  const done = columnsOf(calls.filter((c) => c.status < 500));
  // A failure of ours frees the key, so a retry runs again.
  const freed = columnsOf(calls.filter((c) => c.status >= 500));
  await db.execute(sql`
    WITH finished AS (
      UPDATE core_idempotency_keys AS k
      SET state = 'done', response_status = u.status, response_content_type = u.content_type, response_body = u.body
      FROM unnest(${done((c) => c.owner)}::text[], ${done((c) => c.key)}::text[],
        ${done((c) => c.lockedAt.toISOString())}::timestamptz[], ${done((c) => c.status)}::int[],
        ${done((c) => c.contentType)}::text[], ${done((c) => c.body)}::text[])
        AS u(owner, key, locked_at, status, content_type, body)
      WHERE k.owner = u.owner AND k.key = u.key AND k.locked_at = u.locked_at
    ), dropped AS (
      DELETE FROM core_idempotency_keys AS k
      USING unnest(${freed((c) => c.owner)}::text[], ${freed((c) => c.key)}::text[],
        ${freed((c) => c.lockedAt.toISOString())}::timestamptz[]) AS u(owner, key, locked_at)
      WHERE k.owner = u.owner AND k.key = u.key AND k.locked_at = u.locked_at
    )
    SELECT 1`);
  return calls.map(() => null);
}

/** Claims a key for a request, or says how to answer a repeat of it. */
export async function claimIdempotencyKey(
  writes: IdempotencyWrites,
  db: Db,
  clock: Clock,
  request: { owner: string; key: string; method: string; path: string; fingerprint: string },
): Promise<Claim> {
  const now = clock.now();
  if (await writes.insert({ ...request, at: now })) return { kind: 'run', lockedAt: now };

  const [row] = await queryRows<KeyRow>(
    db,
    sql`SELECT fingerprint, state, locked_at, response_status, response_content_type, response_body
        FROM core_idempotency_keys WHERE owner = ${request.owner} AND key = ${request.key}`,
  );
  // Swept between the two statements: the key is free again.
  if (!row) return claimIdempotencyKey(writes, db, clock, request);
  if (row.fingerprint !== request.fingerprint) return { kind: 'conflict' };
  if (row.state === 'done') {
    return {
      kind: 'replay',
      status: row.response_status ?? 200,
      contentType: row.response_content_type,
      body: row.response_body ?? '',
    };
  }
  const lockedAt = new Date(row.locked_at);
  if (now.getTime() - lockedAt.getTime() < IDEMPOTENCY_LEASE_MS) return { kind: 'in_flight' };
  // Its request died with its process: this retry takes it over, unless another retry just did.
  const taken = await db
    .update(idempotencyKeys)
    .set({ lockedAt: now })
    .where(
      and(
        eq(idempotencyKeys.owner, request.owner),
        eq(idempotencyKeys.key, request.key),
        eq(idempotencyKeys.state, 'in_flight'),
        eq(idempotencyKeys.lockedAt, lockedAt),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return taken.length > 0 ? { kind: 'run', lockedAt: now } : { kind: 'in_flight' };
}

/** Forgets keys older than a day; a sweep any process may run. */
export async function sweepIdempotencyKeys(db: Db, clock: Clock): Promise<number> {
  const before = new Date(clock.now().getTime() - IDEMPOTENCY_KEY_LIFETIME_MS);
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, before))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}

/**
 * The middleware, after authentication: every mutation that carries an Idempotency-Key goes through
 * it, whichever line serves it.
 */
export function idempotency(
  database: Pick<Database, 'db' | 'parallelism'>,
  clock: Clock,
): MiddlewareHandler<Env> {
  const { db } = database;
  const writes = new IdempotencyWrites(database);
  const finish = (
    claim: { owner: string; key: string; lockedAt: Date },
    response: Omit<Finish, 'owner' | 'key' | 'lockedAt'>,
  ) => writes.finish({ ...claim, ...response });
  return async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined || !MUTATIONS.has(c.req.method)) return next();
    if (!KEY_PATTERN.test(key)) {
      return errorResponse(
        c,
        new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
          field: 'Idempotency-Key',
        }),
      );
    }
    const owner = idempotencyOwner(c.get('actor'));
    if (!owner) {
      return errorResponse(
        c,
        // Said as the route would say it: the key is only why this answer came first.
        new AppError('unauthorized', 'sign in first (an Idempotency-Key is kept per signed-in caller)', {
          reason: 'sign_in',
          field: 'Idempotency-Key',
        }),
      );
    }
    const url = new URL(c.req.url);
    const path = url.pathname;
    // A JSON body was parsed once already (src/core/http.ts); another body is read as text.
    const parsed = c.get('json');
    const body = parsed ? { json: parsed.value } : { text: await c.req.text() };
    const fingerprint = requestFingerprint(c.req.method, `${path}${url.search}`, body);
    const claim = await claimIdempotencyKey(writes, db, clock, {
      owner,
      key,
      method: c.req.method,
      path,
      fingerprint,
    });
    if (claim.kind === 'conflict') {
      return errorResponse(
        c,
        new AppError('idempotency_conflict', 'this Idempotency-Key was used for a different request', {
          field: 'Idempotency-Key',
        }),
      );
    }
    if (claim.kind === 'in_flight') {
      return errorResponse(
        c,
        new AppError(
          'idempotency_in_flight',
          'a request with this Idempotency-Key is still running; retry shortly',
          {
            field: 'Idempotency-Key',
          },
        ),
      );
    }
    if (claim.kind === 'replay') return replay(claim);

    try {
      await next();
    } catch (error) {
      await finish({ owner, key, lockedAt: claim.lockedAt }, { status: 500, contentType: null, body: '' });
      throw error;
    }
    const response = c.res;
    await finish(
      { owner, key, lockedAt: claim.lockedAt },
      {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: await response.clone().text(),
      },
    );
  };
}

function replay(stored: { status: number; contentType: string | null; body: string }): Response {
  const headers = new Headers({ [REPLAYED_HEADER]: 'true' });
  if (stored.contentType) headers.set('content-type', stored.contentType);
  const empty = stored.status === 204 || stored.status === 304;
  return new Response(empty ? null : stored.body, { status: stored.status, headers });
}
