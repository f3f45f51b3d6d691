import { createRoute, z } from '@hono/zod-openapi';
import { requireAdmin, requireUser } from '../core/actor';
import { PositiveAmount } from '../core/amounts';
import { consumeRateLimit } from '../core/auth/rate-limit';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import { AppError } from '../core/errors';
import { createRouter, errorResponses, jsonBody, jsonResponse } from '../core/http';
import { pageJson, pageQuery, pageSchema } from '../core/paging';
import { FAUCET_DAILY_LIMIT, FAUCET_TOKENS, faucetAmounts, requestFromFaucet } from './faucet';
import { PROXIED_CALLS_PER_MINUTE, proxyRpc, rpcBodySchema } from './rpc-proxy';
import type { ChainRuntime } from './runtime';
import { outgoingStates } from './schema';
import { getOutgoingTransaction, listOutgoingTransactions, type OutgoingTransaction } from './sender/sender';
import { readChainStatus } from './status';

/** The chain Tally runs on, under /api/chain: what it is, the wallet's way to it, the faucet, its status. */

const tags = ['Chain'];

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address');
const Minor = z.string().openapi({ description: 'minor units (wei for ETH), as a decimal string' });

const TokenSchema = z
  .object({
    symbol: z.string(),
    name: z.string(),
    address: z.string(),
    decimals: z.number().int(),
    underlying: z.string().nullable().openapi({ description: 'for a Superfluid super token: what it wraps' }),
  })
  .openapi('ChainToken');

const ChainInfoSchema = z
  .object({
    chain_id: z.number().int(),
    name: z.string(),
    development: z.boolean().openapi({ description: 'the embedded chain: faucet and development wallets' }),
    confirmations: z.number().int(),
    treasury: z.string(),
    tokens: z.array(TokenSchema),
    superfluid: z.record(z.string(), z.string()).nullable(),
    rpc_path: z.string().openapi({ description: "where wallets send JSON-RPC: Tally's proxy to the chain" }),
    native_currency: z.object({ name: z.string(), symbol: z.string(), decimals: z.number().int() }),
    faucet: z
      .object({
        tokens: z.array(
          z.object({
            symbol: z.string(),
            default_amount: Minor.openapi({
              description: 'what a request without an amount mints, in minor units',
            }),
            max_amount: Minor.openapi({ description: 'the most one request mints, in minor units' }),
          }),
        ),
        daily_limit: z.number().int().openapi({ description: 'requests a day per account and per address' }),
      })
      .nullable()
      .openapi({ description: 'the development chain\u2019s faucet; null elsewhere' }),
  })
  .openapi('ChainInfo');

const TransactionSchema = z
  .object({
    id: z.uuid(),
    purpose: z.string(),
    state: z.enum(outgoingStates),
    from: z.string(),
    to: z.string(),
    nonce: z.string(),
    value: Minor,
    hash: z.string().nullable().openapi({ description: 'the latest broadcast' }),
    hashes: z.array(z.string()),
    mined_hash: z.string().nullable(),
    block_number: z.string().nullable(),
    attempts: z.number().int().openapi({ description: 'broadcasts the node refused (not sends)' }),
    last_error: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    sent_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .openapi('ChainTransaction');

const transactionJson = (t: OutgoingTransaction) => ({
  id: t.id,
  purpose: t.purpose,
  state: t.state,
  from: t.fromAddress,
  to: t.toAddress,
  nonce: t.nonce.toString(),
  value: t.value.toString(),
  hash: t.hashes.at(-1) ?? null,
  hashes: t.hashes,
  mined_hash: t.minedHash,
  block_number: t.blockNumber?.toString() ?? null,
  attempts: t.attempts,
  last_error: t.lastError,
  metadata: t.metadata,
  created_at: t.createdAt.toISOString(),
  sent_at: t.sentAt?.toISOString() ?? null,
  finished_at: t.finishedAt?.toISOString() ?? null,
});

const BalanceSchema = z.object({ symbol: z.string(), decimals: z.number().int(), amount: Minor });

const StatusSchema = z
  .object({
    chain: ChainInfoSchema,
    head: z.object({ number: z.string(), hash: z.string(), timestamp: z.string() }),
    gas_price: Minor,
    treasury: z.object({
      address: z.string(),
      balances: z.array(BalanceSchema),
      next_nonce: z.string().nullable(),
    }),
    transactions: z.object({
      queued: z.number().int(),
      pending: z.number().int(),
      open: z.array(TransactionSchema),
      recent: z.array(TransactionSchema),
    }),
    followers: z.array(
      z.object({
        follower: z.string(),
        block_number: z.string(),
        lag: z
          .string()
          .nullable()
          .openapi({ description: 'blocks behind the head (null: the node did not answer)' }),
        unconfirmed_events: z
          .number()
          .int()
          .openapi({ description: 'events read, waiting for confirmations' }),
        updated_at: z.string(),
      }),
    ),
  })
  .openapi('ChainStatus');

export interface ChainRouteDeps {
  db: Db;
  clock: Clock;
  /** None when this Tally runs without a chain (tests of other parts): the routes then answer 503. */
  chain?: ChainRuntime;
}

export function chainInfo(chain: ChainRuntime) {
  const { client, deployment } = chain;
  return {
    chain_id: client.chainId,
    name: client.chain.name,
    development: client.dev,
    confirmations: chain.settings.confirmations,
    treasury: chain.treasury.address,
    tokens: Object.values(deployment.tokens).map((token) => ({
      symbol: token.symbol,
      name: token.name,
      address: token.address,
      decimals: token.decimals,
      underlying: token.underlying ?? null,
    })),
    superfluid: deployment.superfluid ?? null,
    rpc_path: '/api/chain/rpc',
    native_currency: client.chain.nativeCurrency,
    faucet: client.dev
      ? {
          tokens: FAUCET_TOKENS.flatMap((symbol) => {
            const token = deployment.tokens[symbol];
            if (!token) return [];
            const { defaultAmount, maxAmount } = faucetAmounts(token.decimals);
            return [{ symbol, default_amount: defaultAmount.toString(), max_amount: maxAmount.toString() }];
          }),
          daily_limit: FAUCET_DAILY_LIMIT.limit,
        }
      : null,
  };
}

export function chainRoutes(deps: ChainRouteDeps) {
  const router = createRouter();
  const connected = (): ChainRuntime => {
    if (!deps.chain) throw new AppError('unavailable', 'no chain is connected to this Tally');
    return deps.chain;
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      access: { caller: 'anyone' },
      tags,
      summary: 'The chain Tally runs on: its tokens, contracts and treasury',
      responses: { 200: jsonResponse(ChainInfoSchema, 'The chain'), ...errorResponses },
    }),
    async (c) => c.json(chainInfo(connected()), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/rpc',
      access: { caller: 'signed-in', scope: 'chain:rpc' },
      tags,
      summary: "JSON-RPC to the chain for a signed-in person's wallet (reads and signed transactions only)",
      request: jsonBody(rpcBodySchema.openapi('JsonRpcRequest')),
      responses: {
        200: jsonResponse(z.unknown().openapi('JsonRpcResponse'), 'The chain\u2019s JSON-RPC answer'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const userId = requireUser(c.get('actor'));
      const body = c.req.valid('json');
      // Every call counts against the person's budget: the provider behind Tally bills by call.
      await consumeRateLimit(
        deps.db,
        deps.clock,
        `chain_rpc:user:${userId}`,
        { limit: PROXIED_CALLS_PER_MINUTE, windowMs: 60_000 },
        { hits: Array.isArray(body) ? body.length : 1 },
      );
      return c.json(await proxyRpc(connected().client, body), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/faucet',
      access: { caller: 'signed-in', scope: 'chain:faucet' },
      tags,
      summary: 'Mint test tokens to an address, with ETH for gas when it has little (development chain only)',
      request: jsonBody(
        z.strictObject({
          address: Address,
          token: z.enum(FAUCET_TOKENS),
          amount: PositiveAmount.optional().openapi({
            description:
              'minor units of the token, as everywhere in the API (USDC has 6 decimals: 250500000 is 250.5 USDC); ' +
              'the default and the most are in GET /api/chain',
            example: '250500000',
          }),
        }),
      ),
      responses: {
        202: jsonResponse(
          z.object({
            address: z.string(),
            token: z.string(),
            amount: Minor,
            transactions: z.array(TransactionSchema),
          }),
          'The mint (and the ETH top-up) are on their way; follow them by id',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const chain = connected();
      const body = c.req.valid('json');
      const outcome = await requestFromFaucet({ ...deps, chain }, c.get('actor'), {
        ...body,
        amount: body.amount === undefined ? undefined : BigInt(body.amount),
      });
      return c.json(
        {
          address: outcome.address,
          token: outcome.token,
          amount: outcome.amount.toString(),
          transactions: outcome.transactions.map(transactionJson),
        },
        202,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/transactions/{id}',
      access: { caller: 'signed-in', scope: 'chain:read' },
      tags,
      summary:
        'One of Tally\u2019s outgoing transactions: yours (a faucet request), or any for an administrator',
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonResponse(TransactionSchema, 'The transaction'), ...errorResponses },
    }),
    async (c) => {
      const actor = c.get('actor');
      const userId = actor.isAdmin ? null : requireUser(actor);
      const transaction = await getOutgoingTransaction(deps.db, c.req.valid('param').id);
      if (!transaction || (userId && transaction.metadata.requestedBy !== userId)) {
        throw new AppError('not_found', 'no such transaction');
      }
      return c.json(transactionJson(transaction), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/transactions',
      access: { caller: 'admin', scope: 'chain:read' },
      tags,
      summary: 'Tally\u2019s outgoing transactions, newest first (administrators)',
      request: {
        query: z.strictObject({
          state: z.enum(outgoingStates).optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageSchema(TransactionSchema), 'A page of transactions'),
        ...errorResponses,
      },
    }),
    async (c) => {
      requireAdmin(c.get('actor'));
      const { state, cursor, limit } = c.req.valid('query');
      const page = await listOutgoingTransactions(deps.db, { state, cursor, limit });
      return c.json(pageJson(page, transactionJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/status',
      access: { caller: 'admin', scope: 'chain:read' },
      tags,
      summary:
        'The chain, its head, the treasury\u2019s balances, open transactions and followers (administrators)',
      responses: { 200: jsonResponse(StatusSchema, 'The status'), ...errorResponses },
    }),
    async (c) => {
      requireAdmin(c.get('actor'));
      const chain = connected();
      const status = await readChainStatus({ ...deps, chain });
      return c.json(
        {
          chain: chainInfo(chain),
          head: {
            number: status.head.number.toString(),
            hash: status.head.hash,
            timestamp: new Date(Number(status.head.timestamp) * 1000).toISOString(),
          },
          gas_price: status.gasPrice.toString(),
          treasury: {
            address: chain.treasury.address,
            balances: status.balances.map((b) => ({ ...b, amount: b.amount.toString() })),
            next_nonce: status.nextNonce?.toString() ?? null,
          },
          transactions: {
            queued: status.queued,
            pending: status.pending,
            open: status.open.map(transactionJson),
            recent: status.recent.map(transactionJson),
          },
          followers: status.followers.map((f) => ({
            follower: f.follower,
            block_number: f.blockNumber.toString(),
            lag: f.lag?.toString() ?? null,
            unconfirmed_events: f.unconfirmedEvents,
            updated_at: f.updatedAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  return router;
}
