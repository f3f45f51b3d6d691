import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { PositiveAmount } from '../../core/amounts';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { iso, Usdc, Uuid } from '../fields';
import { withdrawalStates } from '../schema';
import { createWithdrawal, getWithdrawal, listWithdrawals, type Withdrawal } from './service';

const tags = ['Gateway: credits'];

export const WithdrawalSchema = z
  .object({
    id: Uuid,
    state: z.enum(withdrawalStates),
    to: Address,
    amount: Usdc,
    asset: z.literal('USDC'),
    transaction_id: Uuid.nullable().openapi({
      description:
        'the treasury’s transaction that pays it; null while a withdrawal out of my encrypted account is proven',
    }),
    encrypted: z.boolean().openapi({
      description: 'paid out of my encrypted account (to its own wallet), not by the treasury',
    }),
    failure: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('GatewayWithdrawal');

export const withdrawalJson = (w: Withdrawal) => ({
  id: w.id,
  state: w.state,
  to: w.toAddress,
  amount: w.amount.toString(),
  asset: 'USDC' as const,
  transaction_id: w.transactionId,
  encrypted: w.encrypted,
  failure: w.failure,
  created_at: w.createdAt.toISOString(),
  finished_at: iso(w.finishedAt),
});

/** Credits back to USDC on chain. */
export function withdrawalRoutes(deps: GatewayDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/withdrawals',
      access: { caller: 'signed-in', scope: 'gateway:spend' },
      tags,
      summary:
        'Withdraw credits as USDC to one of my linked wallets (the first linked by default); held until the transfer is confirmed. Send an Idempotency-Key to retry safely',
      request: jsonBody(
        z.strictObject({
          amount: PositiveAmount.openapi({ description: 'micro-USDC' }),
          to: Address.optional(),
        }),
      ),
      responses: {
        201: jsonResponse(WithdrawalSchema, 'The withdrawal, on its way'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['wallet_not_linked', 'insufficient_credits']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const withdrawal = await createWithdrawal(deps, c.get('actor'), {
        amount: BigInt(body.amount),
        to: body.to,
      });
      return c.json(withdrawalJson(withdrawal), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/withdrawals',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'My withdrawals, newest first',
      request: { query: z.object(pageQuery) },
      responses: {
        200: jsonResponse(pageSchema(WithdrawalSchema), 'A page of withdrawals'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        pageJson(await listWithdrawals(deps, c.get('actor'), c.req.valid('query')), withdrawalJson),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/withdrawals/{id}',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'One of my withdrawals',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(WithdrawalSchema, 'The withdrawal'), ...errorResponses },
    }),
    async (c) =>
      c.json(withdrawalJson(await getWithdrawal(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  return router;
}
