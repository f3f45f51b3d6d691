import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { AuthorizationFields, authorizationInputOf } from '../../chain/authorization-json';
import { chainErrors } from '../../chain/errors';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import { pageJson, pageQuery, pageSchema } from '../../core/paging';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { DepositSchema, DepositTermsSchema, depositJson, depositTermsJson } from './json';
import { createDeposit, depositTerms, encryptedDepositTerms, getDeposit, listDeposits } from './service';

/** The gateway's refusals and the chain rail's, for routes that take a wallet's signature. */
const withChainErrors = { definitions: { ...gatewayErrors.definitions, ...chainErrors.definitions } };

const tags = ['Gateway: credits'];

/** USDC deposits by EIP-3009 authorization. */
export function depositRoutes(deps: GatewayDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/deposits/terms',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary:
        'What a wallet signs to deposit: the USDC EIP-712 domain, the types, the treasury as `to`, and the encrypted credits contract once I have an encrypted account',
      responses: { 200: jsonResponse(DepositTermsSchema, 'The terms'), ...errorResponses },
    }),
    async (c) => {
      const [terms, encrypted] = await Promise.all([
        depositTerms(deps),
        encryptedDepositTerms(deps, c.get('actor')),
      ]);
      return c.json(depositTermsJson(terms, encrypted), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/deposits',
      access: { caller: 'signed-in', scope: 'gateway:spend' },
      tags,
      summary:
        'Deposit USDC with a signed EIP-3009 authorization from one of my wallets; credited once confirmed. Sending the same authorization again answers the same deposit. An authorization to the encrypted credits contract (`to`) mints the deposit to my encrypted account',
      request: jsonBody(
        z.strictObject({
          ...AuthorizationFields,
          to: Address.optional().openapi({
            description:
              'the authorization’s `to`: the treasury (the default) or the encrypted credits contract of the deposit terms',
          }),
        }),
      ),
      responses: {
        200: jsonResponse(DepositSchema, 'The deposit this authorization made before'),
        201: jsonResponse(DepositSchema, 'The deposit, submitted to the chain'),
        ...errorResponses,
        ...refusals(withChainErrors, [
          'wallet_not_linked',
          'not_encrypted_account',
          'authorization_not_valid_yet',
          'authorization_expiring',
          'signature_invalid',
          'insufficient_balance',
          'authorization_used',
        ]),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { deposit, replayed } = await createDeposit(deps, c.get('actor'), {
        ...authorizationInputOf(body),
        ...(body.to ? { to: body.to } : {}),
      });
      return c.json(depositJson(deposit), replayed ? 200 : 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/deposits',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'My deposits, newest first',
      request: { query: z.object(pageQuery) },
      responses: { 200: jsonResponse(pageSchema(DepositSchema), 'A page of deposits'), ...errorResponses },
    }),
    async (c) =>
      c.json(pageJson(await listDeposits(deps, c.get('actor'), c.req.valid('query')), depositJson), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/deposits/{id}',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'One of my deposits',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(DepositSchema, 'The deposit'), ...errorResponses },
    }),
    async (c) => c.json(depositJson(await getDeposit(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  return router;
}
