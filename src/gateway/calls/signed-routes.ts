import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Address } from '../../chain/address';
import type { Actor } from '../../core/actor';
import { PositiveAmount } from '../../core/amounts';
import { AppError } from '../../core/errors';
import {
  createRouter,
  type Env,
  errorResponses,
  jsonResponse,
  parseRawJson,
  refusals,
} from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { Slug } from '../fields';
import { AuthRefusal, authenticate, type Caller } from '../proxy/auth';
import { WithdrawalSchema, withdrawalJson } from '../withdrawals/routes';
import { createWithdrawal } from '../withdrawals/service';
import { listCalls } from './history';
import { BalanceSchema, balanceJson, CallSchema, callJson } from './routes';
import { balanceOf } from './service';

const tags = ['Gateway: signed requests'];

const WithdrawalRequestSchema = z
  .strictObject({
    amount: PositiveAmount.openapi({ description: 'micro-USDC' }),
    to: Address.optional(),
  })
  .openapi('GatewayWithdrawalRequest');

/** The headers a signed request carries, as `/mcp` takes them. */
const SignedHeaders = z.object({
  'x-tally-grant': z.string().optional().openapi({ description: 'the session-key grant that signed' }),
  'x-tally-wallet': z.string().optional().openapi({ description: 'the wallet that signed (EIP-712)' }),
  'x-tally-nonce': z.string().optional(),
  'x-tally-expiry': z.string().optional(),
  'x-tally-signature': z.string().optional(),
});

const SIGNED =
  'Proven by the request’s own signature, as on `/mcp/<server>`: a session key (`X-Tally-Grant`) or the wallet (`X-Tally-Wallet`, EIP-712 `GatewayRequest`) signs the method, the path with its query, the body’s SHA-256, an empty session, a nonce used once and an expiry; a bearer grant (`Authorization: Bearer tally_gs_…`) is taken too.';

/**
 * A person's balance, calls and withdrawals for a program that holds a session key or the wallet
 * (an agent), not a Tally session or API key: each request proves itself, as calls do.
 */
export function signedAccountRoutes(deps: GatewayDeps) {
  const router = createRouter();
  router.openAPIRegistry.register('GatewayWithdrawalRequest', WithdrawalRequestSchema);

  /** Who signed the request, as an actor of the person whose credits it names. */
  const signer = async (c: Context<Env>, body = ''): Promise<{ actor: Actor; caller: Caller }> => {
    const url = new URL(c.req.url);
    try {
      const caller = await authenticate(deps, deps.grants, c.req.raw, url.pathname + url.search, body);
      return { actor: { ...c.get('actor'), userId: caller.userId, isAdmin: false }, caller };
    } catch (error) {
      if (error instanceof AuthRefusal)
        throw new AppError(error.status === 401 ? 'unauthorized' : 'forbidden', error.message);
      throw error;
    }
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/signed/balance',
      access: { caller: 'anyone' },
      tags,
      summary: 'The signer’s gateway balance and state',
      description: SIGNED,
      request: { headers: SignedHeaders },
      responses: { 200: jsonResponse(BalanceSchema, 'The balance'), ...errorResponses },
    }),
    async (c) => {
      const { caller } = await signer(c);
      return c.json(balanceJson(await balanceOf(deps, caller.userId)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/signed/calls',
      access: { caller: 'anyone' },
      tags,
      summary: 'The signer’s calls, newest first, with what each cost',
      description: SIGNED,
      request: { headers: SignedHeaders, query: z.object({ ...pageQuery, server: Slug.optional() }) },
      responses: { 200: jsonResponse(pageSchema(CallSchema), 'A page of calls'), ...errorResponses },
    }),
    async (c) => {
      const { actor } = await signer(c);
      return c.json(pageJson(await listCalls(deps, actor, c.req.valid('query')), callJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/signed/withdrawals',
      access: { caller: 'anyone' },
      tags,
      summary:
        'Withdraw the signer’s credits as USDC to one of the person’s linked wallets: the wallet’s own signature only (a session key or bearer grant spends on calls, never withdraws)',
      description: SIGNED,
      request: {
        headers: SignedHeaders,
        // Read as signed, then parsed (`parseRawJson`): no validator re-reads it first.
        body: {
          required: true,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/GatewayWithdrawalRequest' } },
          },
        },
      },
      responses: {
        201: jsonResponse(WithdrawalSchema, 'The withdrawal, on its way'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['wallet_not_linked', 'insufficient_credits']),
      },
    }),
    async (c) => {
      // The body as signed: its bytes, not a re-serialisation of the parsed object.
      const raw = await c.req.text();
      const { actor, caller } = await signer(c, raw);
      if (caller.how !== 'wallet')
        throw new AppError('forbidden', 'a withdrawal needs the wallet’s own signature (X-Tally-Wallet)');
      const body = parseRawJson(WithdrawalRequestSchema, raw);
      const withdrawal = await createWithdrawal(deps, actor, { amount: BigInt(body.amount), to: body.to });
      return c.json(withdrawalJson(withdrawal), 201);
    },
  );

  return router;
}
