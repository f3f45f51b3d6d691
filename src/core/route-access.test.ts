import { type Context, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type Actor, anonymousActor, systemActor } from './actor';
import type { AppError } from './errors';
import type { Env } from './http';
import {
  ACCESS_EXTENSION,
  accessDocumentation,
  accessRefusal,
  assertKnownScopes,
  declaredAccess,
  documentedAccess,
  enforceAccess,
  type RouteAccess,
} from './route-access';

const person = (extra: Partial<Actor> = {}): Actor => ({
  ...anonymousActor(),
  userId: '00000000-0000-4000-8000-000000000001',
  ...extra,
});

/** Every kind of caller the gate tells apart. */
const callers: Record<string, Actor> = {
  visitor: anonymousActor(),
  operator: { ...systemActor, ip: '127.0.0.1' },
  'person by session': person(),
  'administrator by session': person({ isAdmin: true }),
  'person key of scope a': person({ apiKeyId: 'k1', scopes: ['a'] }),
  'administrator key of scope a': person({ isAdmin: true, apiKeyId: 'k2', scopes: ['a'] }),
  'person key of no scope': person({ apiKeyId: 'k3', scopes: [] }),
};

/** The refusal as a client sees it: status, code, message and details; `passed` when let through. */
function answer(access: RouteAccess, actor: Actor) {
  const refusal = accessRefusal(access, actor);
  return refusal
    ? { status: refusal.status, code: refusal.code, message: refusal.message, details: refusal.details }
    : 'passed';
}

const signIn = {
  status: 401,
  code: 'unauthorized',
  message: 'sign in first',
  details: { reason: 'sign_in' },
};
const adminOnly = {
  status: 403,
  code: 'forbidden',
  message: 'only an administrator may do this',
  details: { reason: 'admin_only' },
};
const operatorOnly = {
  status: 401,
  code: 'unauthorized',
  message: 'a valid admin API key is required (Authorization: Bearer …)',
  details: { reason: 'operator_only' },
};
const sessionOnly = {
  status: 403,
  code: 'forbidden',
  message: 'this needs a signed-in session: API keys may not do it',
  details: { reason: 'session_only' },
};
const lacks = (scope: string) => ({
  status: 403,
  code: 'forbidden',
  message: `this API key lacks the "${scope}" scope`,
  details: { reason: 'scope', scope },
});

describe('the access gate', () => {
  it('runs before the route as middleware, taking a request without an actor as a visitor', async () => {
    const app = new Hono<Env>();
    app.onError((error, c) => c.json({ code: (error as AppError).code }, (error as AppError).status));
    app.use('/as-person', async (c, next) => {
      c.set('actor', person());
      await next();
    });
    let reached = 0;
    const route = (c: Context) => {
      reached++;
      return c.text('reached');
    };
    app.get('/open', enforceAccess({ caller: 'anyone' }), route);
    app.get('/people', enforceAccess({ caller: 'signed-in', scope: 'a' }), route);
    app.get('/as-person', enforceAccess({ caller: 'signed-in', scope: 'a' }), route);
    expect((await app.request('/open')).status).toBe(200);
    const refused = await app.request('/people');
    expect([refused.status, await refused.json()]).toEqual([401, { code: 'unauthorized' }]);
    expect((await app.request('/as-person')).status).toBe(200);
    expect(reached).toBe(2);
  });

  it.each([
    [{ caller: 'anyone' }, ['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'passed']],
    [
      { caller: 'operator' },
      [operatorOnly, 'passed', operatorOnly, operatorOnly, operatorOnly, operatorOnly, operatorOnly],
    ],
    [
      { caller: 'signed-in', scope: 'a' },
      [signIn, 'passed', 'passed', 'passed', 'passed', 'passed', lacks('a')],
    ],
    [
      { caller: 'signed-in', scope: 'b' },
      [signIn, 'passed', 'passed', 'passed', lacks('b'), lacks('b'), lacks('b')],
    ],
    [
      { caller: 'admin', scope: 'a' },
      [signIn, 'passed', adminOnly, 'passed', adminOnly, 'passed', adminOnly],
    ],
    [
      { caller: 'signed-in', session: true },
      [signIn, sessionOnly, 'passed', 'passed', sessionOnly, sessionOnly, sessionOnly],
    ],
    [
      { caller: 'admin', session: true },
      [signIn, sessionOnly, adminOnly, 'passed', adminOnly, sessionOnly, adminOnly],
    ],
  ] as [RouteAccess, unknown[]][])('answers each kind of caller of %j', (access, expected) => {
    expect(Object.values(callers).map((actor) => answer(access, actor))).toEqual(expected);
  });

  it('tells the operator by its actor alone: the system, with no person and no key', () => {
    const operatorLike = [
      { ...systemActor, userId: 'someone' },
      { ...systemActor, apiKeyId: 'k' },
      { ...systemActor, isAdmin: false },
    ];
    for (const actor of operatorLike) {
      expect(answer({ caller: 'operator' }, actor)).toEqual(operatorOnly);
    }
  });

  it('documents each access for the API document', () => {
    expect(accessDocumentation({ caller: 'anyone' })).toEqual({
      security: [{}],
      sentence: 'Anyone may call it.',
    });
    expect(accessDocumentation({ caller: 'operator' })).toEqual({
      security: [{ adminKey: [] }],
      sentence: 'The operator key (ADMIN_API_KEY) only.',
    });
    expect(accessDocumentation({ caller: 'signed-in', scope: 'ledger:read' })).toEqual({
      security: [{ session: [] }, { apiKey: ['ledger:read'] }, { adminKey: [] }],
      sentence: 'Any signed-in person (and the operator key). An API key needs the `ledger:read` scope.',
    });
    expect(accessDocumentation({ caller: 'admin', session: true })).toEqual({
      security: [{ session: [] }],
      sentence: 'Administrators (and the operator key) only. With a session only: API keys are refused.',
    });
    expect(documentedAccess({ caller: 'admin', scope: 'x' })).toEqual({
      caller: 'admin',
      scope: 'x',
      session_only: false,
    });
    expect(documentedAccess({ caller: 'signed-in', session: true })).toEqual({
      caller: 'signed-in',
      scope: null,
      session_only: true,
    });
  });

  it('reads every route’s access from the API registry, and refuses scopes no key can carry', () => {
    const route = (method: string, path: string, access?: RouteAccess) => ({
      type: 'route',
      route: { method, path, ...(access ? { [ACCESS_EXTENSION]: documentedAccess(access) } : {}) },
    });
    const app = {
      openAPIRegistry: {
        definitions: [
          route('get', '/a', { caller: 'signed-in', scope: 'a:read' }),
          route('post', '/b', { caller: 'admin', scope: 'b:write' }),
          route('delete', '/c', { caller: 'anyone' }),
          route('put', '/undeclared'),
          {
            type: 'schema',
            route: {
              method: 'get',
              path: '/schema',
              [ACCESS_EXTENSION]: documentedAccess({ caller: 'anyone' }),
            },
          },
          { type: 'route' },
        ],
      },
    };
    expect(declaredAccess(app)).toEqual(
      new Map([
        ['GET /a', { caller: 'signed-in', scope: 'a:read', session_only: false }],
        ['POST /b', { caller: 'admin', scope: 'b:write', session_only: false }],
        ['DELETE /c', { caller: 'anyone', scope: null, session_only: false }],
      ]),
    );
    expect(() => assertKnownScopes(app, new Set(['a:read', 'b:write']))).not.toThrow();
    expect(() => assertKnownScopes(app, new Set(['b:write']))).toThrow(
      'routes name scopes no API key can carry: GET /a (a:read)',
    );
    expect(() => assertKnownScopes(app, new Set())).toThrow(
      'routes name scopes no API key can carry: GET /a (a:read), POST /b (b:write)',
    );
    // The extension's name is part of the API document clients read.
    expect(ACCESS_EXTENSION).toBe('x-tally-access');
  });
});
