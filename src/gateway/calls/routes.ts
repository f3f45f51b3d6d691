import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../core/actor';
import { createRouter, errorResponses, jsonResponse } from '../../core/http';
import type { GatewayDeps } from '../deps';
import { Usdc } from '../fields';
import { SIGNING_PURPOSES } from '../receipts';
import { balanceOf, userStates } from './service';

const tags = ['Gateway: credits'];

export const BalanceSchema = z
  .object({
    asset: z.literal('USDC'),
    decimals: z.literal(6),
    available: Usdc.openapi({ description: 'what calls and withdrawals can spend now' }),
    held: Usdc.openapi({ description: 'held for calls running now and withdrawals on their way' }),
    deposited: Usdc,
    spent: Usdc,
    state: z.enum(userStates).openapi({
      description:
        'the seed’s user state: no_credits, has_credits, insufficient_credits (below the cheapest tool), withdrew_funds',
    }),
  })
  .openapi('GatewayBalance');

/** A person's balance, and the keys anyone checks Tally's receipts and quotes with. */
export function accountRoutes(deps: GatewayDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/balance',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'My gateway balance in USDC micro-units, and my state',
      responses: { 200: jsonResponse(BalanceSchema, 'The balance'), ...errorResponses },
    }),
    async (c) => {
      const balance = await balanceOf(deps, requireUser(c.get('actor')));
      return c.json(
        {
          asset: 'USDC' as const,
          decimals: 6 as const,
          available: balance.available.toString(),
          held: balance.held.toString(),
          deposited: balance.deposited.toString(),
          spent: balance.spent.toString(),
          state: balance.state,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      access: { caller: 'anyone' },
      tags,
      summary: 'The Ed25519 public keys (raw, base64url) that sign receipts and price quotes',
      responses: {
        200: jsonResponse(
          z.object({ receipts: z.string(), quotes: z.string(), algorithm: z.literal('Ed25519') }),
          'The keys',
        ),
      },
    }),
    (c) =>
      c.json(
        {
          receipts: deps.keys.signer(SIGNING_PURPOSES.receipts).publicKey,
          quotes: deps.keys.signer(SIGNING_PURPOSES.quotes).publicKey,
          algorithm: 'Ed25519' as const,
        },
        200,
      ),
  );

  return router;
}
