import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { chainErrors } from '../../chain/errors';
import { PositiveAmount } from '../../core/amounts';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { Name, Slug, Usdc } from '../fields';
import { GrantSchema, grantJson } from './json';
import { type GrantLimits, issueBearerGrant, issueSessionKeyGrant, listGrants, revokeGrant } from './service';

/** The gateway's refusals and the chain rail's, for routes that take a wallet's signature. */
const withChainErrors = { definitions: { ...gatewayErrors.definitions, ...chainErrors.definitions } };

const tags = ['Gateway: credits'];

const LimitsFields = {
  label: Name,
  cap: PositiveAmount.openapi({ description: 'the most the grant may spend in all, micro-USDC' }),
  daily_budget: PositiveAmount.optional().openapi({
    description: 'the most in any 24 hours (counted by the hour)',
  }),
  provider_caps: z.record(z.uuid(), Usdc).optional().openapi({ description: 'the most per provider id' }),
  tool_caps: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}\/.{1,200}$/, 'keys are <server slug>/<tool>'), Usdc)
    .optional()
    .openapi({ description: 'the most per tool, keyed `<server slug>/<tool>`' }),
  servers: z
    .array(Slug)
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'the servers it may call; all when absent' }),
  expires_at: z.iso.datetime({ offset: true }),
};

type LimitsBody = {
  label: string;
  cap: string;
  daily_budget?: string;
  provider_caps?: Record<string, string>;
  tool_caps?: Record<string, string>;
  servers?: string[];
  expires_at: string;
};

const toBigints = (caps: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(caps ?? {}).map(([key, value]) => [key, BigInt(value)]));

export const limitsOf = (body: LimitsBody): GrantLimits => ({
  label: body.label,
  cap: BigInt(body.cap),
  dailyBudget: body.daily_budget === undefined ? null : BigInt(body.daily_budget),
  providerCaps: toBigints(body.provider_caps),
  toolCaps: toBigints(body.tool_caps),
  servers: body.servers ?? null,
  expiresAt: new Date(body.expires_at),
});

/** Session grants: what a client may spend without asking the wallet again. */
export function grantRoutes(deps: GatewayDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/grants',
      access: { caller: 'signed-in', scope: 'gateway:spend' },
      tags,
      summary:
        'Issue a session grant as a bearer token, for MCP clients that can only send a header; the token is shown once',
      request: jsonBody(z.strictObject(LimitsFields)),
      responses: {
        201: jsonResponse(
          z.object({
            grant: GrantSchema,
            token: z
              .string()
              .openapi({ description: 'send as `Authorization: Bearer …` to /mcp/<server>; shown once' }),
          }),
          'The grant and its token',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { grant, token } = await issueBearerGrant(deps, c.get('actor'), limitsOf(c.req.valid('json')));
      return c.json({ grant: grantJson(grant, deps.clock.now()), token }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/grants/signed',
      // The wallet's signature is the consent: whoever brings it, the grant spends that wallet's person's credits.
      access: { caller: 'anyone' },
      tags,
      summary:
        'Register a session key a wallet granted (an EIP-712 SessionGrant, domain "Tally Gateway"); the same signed grant again answers the same grant',
      request: jsonBody(
        z.strictObject({
          ...LimitsFields,
          wallet: Address,
          session_key: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a raw Ed25519 public key, base64url'),
          signature: z.string().regex(/^0x([0-9a-fA-F]{2}){65,}$/, 'must be a hex signature'),
        }),
      ),
      responses: {
        201: jsonResponse(GrantSchema, 'The grant'),
        ...errorResponses,
        ...refusals(withChainErrors, ['signature_invalid', 'wallet_not_linked', 'grant_exists']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const grant = await issueSessionKeyGrant(deps, c.get('actor'), {
        wallet: body.wallet,
        signature: body.signature,
        sessionKey: body.session_key,
        limits: limitsOf(body),
      });
      return c.json(grantJson(grant, deps.clock.now()), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/grants',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'My session grants, newest first, with what each has committed',
      responses: {
        200: jsonResponse(z.object({ items: z.array(GrantSchema) }), 'The grants'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const now = deps.clock.now();
      return c.json({ items: (await listGrants(deps, c.get('actor'))).map((g) => grantJson(g, now)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/grants/{id}/revoke',
      access: { caller: 'signed-in', scope: 'gateway:spend' },
      tags,
      summary: 'Revoke a session grant: its next call is refused',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(GrantSchema, 'The grant, revoked'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        grantJson(await revokeGrant(deps, c.get('actor'), c.req.valid('param').id), deps.clock.now()),
        200,
      ),
  );

  return router;
}
