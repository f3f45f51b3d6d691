import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestPerson,
  type TestTally,
  testTally,
} from './support/app';

/**
 * Every route the app serves is in /api/openapi.json with the access it declares, and the router
 * holds every route to it: walked with no credentials, with an API key of no scope, with a key of
 * each single scope, with a person's key that is not an administrator's, with a session and with the
 * operator key. A request that passes the gate may still be refused by the route (a made-up id is
 * not found, an empty body is not valid): what is checked here is only whether the gate let it by.
 */

interface Access {
  caller: 'anyone' | 'operator' | 'signed-in' | 'admin';
  scope: string | null;
  session_only: boolean;
}

interface Operation {
  method: string;
  path: string;
  access: Access;
}

let tally: TestTally;
let admin: TestPerson;
let person: TestPerson;
let operations: Operation[];
let scopes: string[];
/** An administrator's keys: one with no scope, one per scope. */
const adminKeys = new Map<string | null, string>();
/** A person's (not an administrator's) keys, one per scope. */
const personKeys = new Map<string, string>();

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

beforeAll(async () => {
  tally = await testTally();
  admin = await signedInPerson(tally, { isAdmin: true });
  person = await signedInPerson(tally);
  const document = await read(await request(tally, 'GET', '/api/openapi.json'));
  operations = Object.entries(document.paths as Record<string, Record<string, Body>>).flatMap(
    ([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({
        method: method.toUpperCase(),
        path,
        access: item[method]['x-tally-access'] as Access,
      })),
  );
  scopes = (await read(await request(tally, 'GET', '/api/auth/api-keys/scopes'))).items.map(
    (s: { scope: string }) => s.scope,
  );
  const makeKey = async (as: TestPerson, keyScopes: string[]) => {
    const response = await request(tally, 'POST', '/api/auth/api-keys', {
      as,
      body: { name: `walk ${keyScopes.join(' ') || 'none'}`, scopes: keyScopes },
    });
    expect(response.status).toBe(201);
    return (await read(response)).secret as string;
  };
  adminKeys.set(null, await makeKey(admin, []));
  for (const scope of scopes) {
    adminKeys.set(scope, await makeKey(admin, [scope]));
    personKeys.set(scope, await makeKey(person, [scope]));
  }
});

/** The operation's path with every parameter filled by something well-formed that names nothing. */
const concretePath = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'address'
      ? '0x000000000000000000000000000000000000dEaD'
      : /id$/i.test(name)
        ? '00000000-0000-4000-8000-000000000000'
        : 'nothing-here',
  );

/** How the gate answered, or `passed` when the route itself answered. */
async function gateAnswer(
  operation: Operation,
  credentials: { bearer?: string; as?: TestPerson },
): Promise<'passed' | 'sign_in' | 'admin_only' | 'scope' | 'session_only' | 'operator_only'> {
  const response = await request(tally, operation.method, concretePath(operation.path), {
    as: credentials.as,
    headers: credentials.bearer ? { authorization: `Bearer ${credentials.bearer}` } : {},
    body: operation.method === 'GET' ? undefined : {},
  });
  const text = await response.text();
  const body =
    response.headers.get('content-type')?.includes('application/json') && text ? JSON.parse(text) : {};
  // This Tally runs without a chain: its chain routes answer 503 once past the gate.
  const unavailable = response.status === 503 && body.error?.code === 'unavailable';
  expect(response.status, `${operation.method} ${operation.path}`).toBeLessThan(unavailable ? 504 : 500);
  if (response.status !== 401 && response.status !== 403) return 'passed';
  const reason = (body.error as { details?: { reason?: string } }).details?.reason;
  const gateReasons = ['sign_in', 'admin_only', 'operator_only', 'scope', 'session_only'] as const;
  // Anything else is the route's own refusal (a signature, a role in an organisation, the Mailbox).
  return gateReasons.find((r) => r === reason) ?? 'passed';
}

/** What the gate must answer for an API key carrying `keyScope` (or none) of a person or an administrator. */
function expectedForKey(access: Access, keyScope: string | null, isAdmin: boolean) {
  if (access.caller === 'anyone') return 'passed';
  if (access.caller === 'operator') return 'operator_only';
  if (access.caller === 'admin' && !isAdmin) return 'admin_only';
  if (access.session_only) return 'session_only';
  return access.scope === keyScope ? 'passed' : 'scope';
}

describe('route access', () => {
  it('is declared by every route the app serves, and documented', () => {
    const served = tally.http.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/') && r.path !== '/api/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = operations.map((o) => `${o.method} ${o.path}`);
    expect([...new Set(served)].sort()).toEqual([...documented].sort());
    expect(operations.filter((o) => !o.access).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    // Every scope a route names is one a key can carry, and every scope is needed by some route.
    const named = new Set(operations.flatMap((o) => (o.access.scope ? [o.access.scope] : [])));
    expect([...named].filter((scope) => !scopes.includes(scope))).toEqual([]);
    expect(scopes.filter((scope) => !named.has(scope))).toEqual([]);
  });

  it('turns visitors away from every route that is not for anyone', async () => {
    for (const operation of operations) {
      const expected =
        operation.access.caller === 'anyone'
          ? 'passed'
          : operation.access.caller === 'operator'
            ? 'operator_only'
            : 'sign_in';
      expect(await gateAnswer(operation, {}), `${operation.method} ${operation.path}`).toBe(expected);
    }
  });

  it('lets an administrator’s key of no scope call only what anyone may', async () => {
    for (const operation of operations) {
      expect(
        await gateAnswer(operation, { bearer: adminKeys.get(null) }),
        `${operation.method} ${operation.path}`,
      ).toBe(expectedForKey(operation.access, null, true));
    }
  });

  it('lets a key of one scope call exactly the routes that name it', async () => {
    for (const scope of scopes) {
      for (const operation of operations) {
        const label = `${scope}: ${operation.method} ${operation.path}`;
        expect(await gateAnswer(operation, { bearer: adminKeys.get(scope) }), label).toBe(
          expectedForKey(operation.access, scope, true),
        );
        expect(await gateAnswer(operation, { bearer: personKeys.get(scope) }), label).toBe(
          expectedForKey(operation.access, scope, false),
        );
      }
    }
  });

  it('lets a session call every route for people, and administrators’ routes only as an administrator', async () => {
    // Ending sessions would sign the walk out: those two are checked by their own tests.
    const walked = operations.filter((o) => !['/api/auth/logout', '/api/auth/logout-all'].includes(o.path));
    for (const operation of walked) {
      const label = `${operation.method} ${operation.path}`;
      const { caller } = operation.access;
      expect(await gateAnswer(operation, { as: admin }), label).toBe(
        caller === 'operator' ? 'operator_only' : 'passed',
      );
      expect(await gateAnswer(operation, { as: person }), label).toBe(
        caller === 'operator' ? 'operator_only' : caller === 'admin' ? 'admin_only' : 'passed',
      );
    }
  });

  it('lets the operator key call every route but those that need a person’s session', async () => {
    for (const operation of operations) {
      expect(
        await gateAnswer(operation, { bearer: TEST_ADMIN_KEY }),
        `${operation.method} ${operation.path}`,
      ).toBe(operation.access.session_only ? 'session_only' : 'passed');
    }
  });

  it('grants or revokes administrator rights with a session only, never a key', async () => {
    const grant = operations.find((o) => o.path === '/api/credits/users/{id}/admin');
    expect(grant?.access).toEqual({ caller: 'admin', scope: null, session_only: true });
    const target = `/api/credits/users/${person.userId}/admin`;
    for (const bearer of [...adminKeys.values(), TEST_ADMIN_KEY]) {
      const response = await request(tally, 'PUT', target, {
        headers: { authorization: `Bearer ${bearer}` },
        body: { is_admin: true },
      });
      expect(response.status).toBe(403);
    }
    const granted = await request(tally, 'PUT', target, { as: admin, body: { is_admin: true } });
    expect(granted.status).toBe(200);
    expect((await read(granted)).is_admin).toBe(true);
    await request(tally, 'PUT', target, { as: admin, body: { is_admin: false } });
  });
});
