import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import type { Clock } from '../clock';
import type { Db } from '../database';
import { AppError } from '../errors';
import { createRouter, type Env, errorResponses, jsonBody, jsonResponse, oneLine } from '../http';
import {
  type AuthDeps,
  changePassword,
  confirmEmail,
  getMe,
  requestPasswordReset,
  resetPassword,
  signIn,
  signUp,
  type User,
  updateProfile,
} from './accounts';
import { type ApiKey, type ApiScopes, createApiKey, listApiKeys, revokeApiKey } from './api-keys';
import { SESSION_COOKIE } from './middleware';
import { PASSWORD_MAX_LENGTH } from './passwords';
import { startSession } from './session-cookie';
import { closeSessionByToken, listSessions, revokeAllSessions, revokeSession } from './sessions';
import { issueSiweNonce, signInWithEthereum, unlinkWallet } from './siwe';

/** Sign-up, sign-in, sessions, password reset, wallets and API keys under /api/auth. */

const Email = z.email().max(320).openapi({ example: 'ada@example.com' });
const Password = z.string().min(1).max(PASSWORD_MAX_LENGTH);
const Uuid = z.uuid();

const UserSchema = z
  .object({
    id: Uuid,
    email: z.string().nullable(),
    email_verified: z.boolean(),
    name: z.string(),
    is_admin: z.boolean(),
    has_password: z.boolean(),
    wallets: z.array(z.object({ address: z.string(), linked_at: z.string() })),
    created_at: z.string(),
  })
  .openapi('User');

const ApiKeySchema = z
  .object({
    id: Uuid,
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

const userJson = (u: User) => ({
  id: u.id,
  email: u.email,
  email_verified: u.emailVerified,
  name: u.name,
  is_admin: u.isAdmin,
  has_password: u.hasPassword,
  wallets: u.wallets.map((w) => ({ address: w.address, linked_at: w.linkedAt.toISOString() })),
  created_at: u.createdAt.toISOString(),
});

const apiKeyJson = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  created_at: k.createdAt.toISOString(),
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
  expires_at: k.expiresAt?.toISOString() ?? null,
  revoked_at: k.revokedAt?.toISOString() ?? null,
});

const noContent = { description: 'Done' };
const tags = ['Auth'];
const UserResponse = z.object({ user: UserSchema });

export function authRoutes(deps: AuthDeps & { db: Db; clock: Clock; scopes: ApiScopes }) {
  const router = createRouter();

  const client = (c: Context<Env>) => ({
    ip: c.get('actor').ip,
    userAgent: c.req.header('user-agent') ?? null,
  });

  router.openapi(
    createRoute({
      method: 'post',
      path: '/signup',
      access: { caller: 'anyone' },
      tags,
      summary:
        'Sign up with an email address and a name; the welcome mail carries the link that confirms the address, where its owner chooses the password',
      description:
        'Answers 202 whether or not the address already has an account, so no response reveals it. No password is taken here: ' +
        'whoever signs up with an address that is not theirs must never hold a password to its account.',
      request: jsonBody(z.strictObject({ email: Email, name: oneLine(z.string().max(200)).default('') })),
      responses: {
        202: jsonResponse(z.object({ status: z.literal('check_your_mail') }), 'Mail sent'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const tenant = c.get('tenant');
      // A tenant's people are its customers, and a customer comes with a purchase in its shop.
      if (tenant) {
        throw new AppError('forbidden', `accounts on ${tenant.domain} come with a purchase in its shop`, {
          reason: 'tenant_host',
        });
      }
      await signUp(deps, c.get('actor'), c.req.valid('json'));
      return c.json({ status: 'check_your_mail' as const }, 202);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/verify-email',
      access: { caller: 'anyone' },
      tags,
      summary:
        'Confirm an email address with the token from the mail, and sign in; the first confirmation sets the password',
      description:
        'An account confirmed for the first time needs `password` (else 400 with `details.reason` `password_required`, the link still unused).',
      request: jsonBody(z.strictObject({ token: z.string().min(1).max(200), password: Password.optional() })),
      responses: { 200: jsonResponse(UserResponse, 'Signed in'), ...errorResponses },
    }),
    async (c) => {
      const { user, session } = await confirmEmail(deps, c.get('actor'), c.req.valid('json'), client(c));
      await startSession(c, deps, user.id, session);
      return c.json({ user: userJson(user) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/login',
      access: { caller: 'anyone' },
      tags,
      summary: 'Log in with email and password',
      request: jsonBody(z.strictObject({ email: Email, password: Password })),
      responses: { 200: jsonResponse(UserResponse, 'Signed in'), ...errorResponses },
    }),
    async (c) => {
      const { user, session } = await signIn(deps, c.get('actor'), c.req.valid('json'), client(c));
      await startSession(c, deps, user.id, session);
      return c.json({ user: userJson(user) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/logout',
      access: { caller: 'anyone' },
      tags,
      summary: 'End this session',
      responses: { 204: noContent },
    }),
    async (c) => {
      await closeSessionByToken(deps.db, deps.clock, getCookie(c, SESSION_COOKIE));
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/logout-all',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'End every session of this person, everywhere',
      responses: { 204: noContent, ...errorResponses },
    }),
    async (c) => {
      await revokeAllSessions(deps.db, deps.clock, c.get('actor'));
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      access: { caller: 'signed-in', scope: 'profile:read' },
      tags,
      summary: 'The signed-in person',
      responses: { 200: jsonResponse(UserResponse, 'The person'), ...errorResponses },
    }),
    async (c) => c.json({ user: userJson(await getMe(deps, c.get('actor'))) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/me',
      access: { caller: 'signed-in', scope: 'profile:write' },
      tags,
      summary: 'Change the profile',
      request: jsonBody(z.strictObject({ name: oneLine(z.string().max(200)) })),
      responses: { 200: jsonResponse(UserResponse, 'The person'), ...errorResponses },
    }),
    async (c) =>
      c.json({ user: userJson(await updateProfile(deps, c.get('actor'), c.req.valid('json'))) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/password',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'Change the password (or set a first one for a wallet-only account)',
      request: jsonBody(
        z.strictObject({
          current_password: z.string().max(PASSWORD_MAX_LENGTH).default(''),
          new_password: Password,
        }),
      ),
      responses: { 204: noContent, ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      await changePassword(deps, c.get('actor'), {
        currentPassword: body.current_password,
        newPassword: body.new_password,
        sessionToken: getCookie(c, SESSION_COOKIE),
      });
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/password-reset',
      access: { caller: 'anyone' },
      tags,
      summary: 'Mail a password reset link',
      description: 'Answers 202 whether or not the address has an account.',
      request: jsonBody(z.strictObject({ email: Email })),
      responses: {
        202: jsonResponse(z.object({ status: z.literal('check_your_mail') }), 'Accepted'),
        ...errorResponses,
      },
    }),
    async (c) => {
      await requestPasswordReset(deps, c.get('actor'), c.req.valid('json'));
      return c.json({ status: 'check_your_mail' as const }, 202);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/password-reset/confirm',
      access: { caller: 'anyone' },
      tags,
      summary:
        'Set a new password with the token from the reset mail; every session ends, and API keys made and wallets linked in the last 30 days go (the mail lists them)',
      request: jsonBody(z.strictObject({ token: z.string().min(1).max(200), new_password: Password })),
      responses: { 204: noContent, ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      await resetPassword(deps, c.get('actor'), { token: body.token, newPassword: body.new_password });
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/siwe/nonce',
      access: { caller: 'anyone' },
      tags,
      summary: 'A single-use nonce for a Sign-In with Ethereum message',
      responses: { 200: jsonResponse(z.object({ nonce: z.string(), domain: z.string() }), 'The nonce') },
    }),
    async (c) =>
      c.json(
        {
          nonce: await issueSiweNonce(deps.db, deps.clock, c.get('actor').ip),
          domain: new URL(deps.publicUrl).host,
        },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/siwe/verify',
      access: { caller: 'anyone' },
      tags,
      summary: 'Sign in with a signed EIP-4361 message, or link the wallet when already signed in',
      request: jsonBody(
        z.strictObject({ message: z.string().min(1).max(4000), signature: z.string().min(1).max(1000) }),
      ),
      responses: {
        200: jsonResponse(UserResponse.extend({ linked: z.boolean() }), 'Signed in or linked'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const outcome = await signInWithEthereum(deps, c.get('actor'), c.req.valid('json'), client(c));
      if (outcome.session) await startSession(c, deps, outcome.user.id, outcome.session);
      return c.json({ user: userJson(outcome.user), linked: outcome.linked }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/wallets/{address}',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'Unlink a wallet',
      request: {
        params: z.object({ address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address') }),
      },
      responses: { 200: jsonResponse(UserResponse, 'The person'), ...errorResponses },
    }),
    async (c) => {
      const user = await unlinkWallet(deps.db, deps.clock, c.get('actor'), c.req.valid('param').address);
      return c.json({ user: userJson(user) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/sessions',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'My live sessions',
      responses: {
        200: jsonResponse(
          z.object({
            items: z.array(
              z.object({
                id: Uuid,
                created_at: z.string(),
                last_seen_at: z.string(),
                ip: z.string().nullable(),
                user_agent: z.string().nullable(),
                current: z.boolean(),
              }),
            ),
          }),
          'Sessions',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const sessions = await listSessions(deps.db, deps.clock, c.get('actor'), getCookie(c, SESSION_COOKIE));
      return c.json(
        {
          items: sessions.map((s) => ({
            id: s.id,
            created_at: s.createdAt.toISOString(),
            last_seen_at: s.lastSeenAt.toISOString(),
            ip: s.ip,
            user_agent: s.userAgent,
            current: s.current,
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/sessions/{id}',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'End one of my sessions',
      request: { params: z.object({ id: Uuid }) },
      responses: { 204: noContent, ...errorResponses },
    }),
    async (c) => {
      await revokeSession(deps.db, deps.clock, c.get('actor'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys/scopes',
      access: { caller: 'anyone' },
      tags,
      summary: 'The scopes an API key may carry',
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(z.object({ scope: z.string(), description: z.string() })) }),
          'Scopes',
        ),
      },
    }),
    (c) => c.json({ items: deps.scopes.list() }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'My API keys (never their secrets)',
      responses: { 200: jsonResponse(z.object({ items: z.array(ApiKeySchema) }), 'Keys'), ...errorResponses },
    }),
    async (c) => c.json({ items: (await listApiKeys(deps.db, c.get('actor'))).map(apiKeyJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'Create an API key; its secret is in this response only',
      request: jsonBody(
        z.strictObject({
          name: oneLine(z.string().trim().min(1).max(100)),
          scopes: z.array(z.string().min(1).max(100)).max(50),
          expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
        }),
      ),
      responses: {
        201: jsonResponse(z.object({ api_key: ApiKeySchema, secret: z.string() }), 'The key'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { apiKey, secret } = await createApiKey(deps, c.get('actor'), {
        name: body.name,
        scopes: body.scopes,
        expiresAt: body.expires_at ? new Date(body.expires_at) : null,
      });
      return c.json({ api_key: apiKeyJson(apiKey), secret }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'Revoke an API key',
      request: { params: z.object({ id: Uuid }) },
      responses: {
        200: jsonResponse(z.object({ api_key: ApiKeySchema }), 'The revoked key'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const apiKey = await revokeApiKey(deps.db, deps.clock, c.get('actor'), c.req.valid('param').id);
      return c.json({ api_key: apiKeyJson(apiKey) }, 200);
    },
  );

  return router;
}
