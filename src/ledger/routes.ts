import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../core/actor';
import { Amount } from '../core/amounts';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import { createRouter, type Env, errorResponses, jsonBody, jsonResponse } from '../core/http';
import { pageJson, pageQuery, pageSchema } from '../core/paging';
import type { TransferBatcher } from './batcher';
import { MAX_TRANSFERS_PER_COMMIT } from './batcher';
import { findLedgerViolations } from './invariants';
import {
  createAccounts,
  createLedger,
  getAccount,
  getAccountHistory,
  getTransfer,
  LEDGER_CODE,
  listAccounts,
  listLedgers,
  listTransfers,
  setAccountClosed,
} from './service';
import { type Account, type Balances, type Ledger, type Transfer, transferResultCodes } from './types';

/** The operator API under /api/ledger: JSON in TigerBeetle's names, amounts as decimal strings of minor units. */

const Uuid = z.uuid();
const LedgerCode = z
  .string()
  .regex(LEDGER_CODE, 'letters, digits, _ . : - ; starting with a letter')
  .openapi({ example: 'USDC' });
const Code = z.string().min(1).max(64).openapi({ example: 'wallet' });
const Metadata = z.record(z.string(), z.unknown()).openapi({ example: { order: 'A-1001' } });

const LedgerSchema = z
  .object({ code: z.string(), scale: z.number().int(), name: z.string(), created_at: z.string() })
  .openapi('Ledger');

const BalancesShape = {
  debits_pending: Amount,
  debits_posted: Amount,
  credits_pending: Amount,
  credits_posted: Amount,
};
const BalancesSchema = z.object(BalancesShape).openapi('Balances');

const AccountSchema = z
  .object({
    id: Uuid,
    ledger: z.string(),
    owner: z.string().nullable(),
    code: z.string(),
    flags: z.object({
      debits_must_not_exceed_credits: z.boolean(),
      credits_must_not_exceed_debits: z.boolean(),
      closed: z.boolean(),
    }),
    ...BalancesShape,
    metadata: Metadata,
    created_at: z.string(),
  })
  .openapi('Account');

const TransferSchema = z
  .object({
    id: Uuid,
    seq: z.string(),
    kind: z.enum(['posted', 'pending', 'post_pending', 'void_pending', 'expire_pending']),
    debit_account_id: Uuid,
    credit_account_id: Uuid,
    amount: Amount,
    pending_id: Uuid.nullable(),
    ledger: z.string(),
    code: z.string(),
    linked: z.boolean(),
    timeout_seconds: z.number().int(),
    expires_at: z.string().nullable(),
    pending_state: z.enum(['pending', 'posted', 'voided', 'expired']).nullable(),
    metadata: Metadata,
    created_at: z.string(),
    debit_account_balance: BalancesSchema,
    credit_account_balance: BalancesSchema,
  })
  .openapi('Transfer');

const AccountInputSchema = z
  .strictObject({
    id: Uuid,
    ledger: LedgerCode,
    code: Code,
    owner: z.string().min(1).max(200).nullable().optional(),
    flags: z
      .strictObject({
        debits_must_not_exceed_credits: z.boolean().optional(),
        credits_must_not_exceed_debits: z.boolean().optional(),
      })
      .optional(),
    metadata: Metadata.optional(),
  })
  .openapi('AccountInput');

const TransferInputSchema = z
  .strictObject({
    id: Uuid.openapi({ description: 'chosen by the client; the idempotency key' }),
    debit_account_id: Uuid.optional(),
    credit_account_id: Uuid.optional(),
    amount: Amount.optional(),
    pending_id: Uuid.optional(),
    ledger: LedgerCode.optional(),
    code: Code.optional(),
    timeout_seconds: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    flags: z
      .strictObject({
        linked: z.boolean().optional(),
        pending: z.boolean().optional(),
        post_pending_transfer: z.boolean().optional(),
        void_pending_transfer: z.boolean().optional(),
      })
      .optional(),
    metadata: Metadata.optional(),
  })
  .openapi('TransferInput');

const balancesJson = (b: Balances) => ({
  debits_pending: b.debitsPending.toString(),
  debits_posted: b.debitsPosted.toString(),
  credits_pending: b.creditsPending.toString(),
  credits_posted: b.creditsPosted.toString(),
});

const ledgerJson = (l: Ledger) => ({
  code: l.code,
  scale: l.scale,
  name: l.name,
  created_at: l.createdAt.toISOString(),
});

const accountJson = (a: Account) => ({
  id: a.id,
  ledger: a.ledger,
  owner: a.owner,
  code: a.code,
  flags: {
    debits_must_not_exceed_credits: a.flags.debitsMustNotExceedCredits,
    credits_must_not_exceed_debits: a.flags.creditsMustNotExceedDebits,
    closed: a.flags.closed,
  },
  ...balancesJson(a),
  metadata: a.metadata,
  created_at: a.createdAt.toISOString(),
});

const transferJson = (t: Transfer) => ({
  id: t.id,
  seq: t.seq.toString(),
  kind: t.kind,
  debit_account_id: t.debitAccountId,
  credit_account_id: t.creditAccountId,
  amount: t.amount.toString(),
  pending_id: t.pendingId,
  ledger: t.ledger,
  code: t.code,
  linked: t.linked,
  timeout_seconds: t.timeoutSeconds,
  expires_at: t.expiresAt?.toISOString() ?? null,
  pending_state: t.pendingState,
  metadata: t.metadata,
  created_at: t.createdAt.toISOString(),
  debit_account_balance: balancesJson(t.debitAccountBalance),
  credit_account_balance: balancesJson(t.creditAccountBalance),
});

const tags = ['Ledger'];

export interface LedgerRouteDeps {
  db: Db;
  clock: Clock;
  batcher: TransferBatcher;
}

/** Callers here hold the operator key: they act as the platform's administrator, seen by their address. */
const operator = (c: Context<Env>): Actor => ({ ...c.get('actor'), isAdmin: true });

export function ledgerRoutes({ db, clock, batcher }: LedgerRouteDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/ledgers',
      access: { caller: 'operator' },
      tags,
      summary: 'Create a ledger (an asset and its decimal scale); idempotent on the code',
      request: jsonBody(
        z.strictObject({
          code: LedgerCode,
          scale: z.number().int().min(0).max(36),
          name: z.string().min(1).max(100).optional(),
        }),
      ),
      responses: { 201: jsonResponse(LedgerSchema, 'The ledger'), ...errorResponses },
    }),
    async (c) =>
      c.json(ledgerJson(await createLedger({ db, clock, actor: operator(c) }, c.req.valid('json'))), 201),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/ledgers',
      access: { caller: 'operator' },
      tags,
      summary: 'List ledgers',
      responses: {
        200: jsonResponse(z.object({ items: z.array(LedgerSchema) }), 'All ledgers'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: (await listLedgers({ db })).map(ledgerJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/accounts',
      access: { caller: 'operator' },
      tags,
      summary: 'Create accounts; each id is its idempotency key',
      request: jsonBody(
        z.strictObject({ accounts: z.array(AccountInputSchema).min(1).max(MAX_TRANSFERS_PER_COMMIT) }),
      ),
      responses: {
        200: jsonResponse(
          z.object({
            results: z.array(z.object({ id: Uuid, result: z.string(), account: AccountSchema.optional() })),
          }),
          'One result per account, in order',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { accounts } = c.req.valid('json');
      const outcomes = await createAccounts(
        { db, clock, actor: operator(c) },
        accounts.map((a) => ({
          id: a.id,
          ledger: a.ledger,
          code: a.code,
          owner: a.owner ?? null,
          flags: {
            debitsMustNotExceedCredits: a.flags?.debits_must_not_exceed_credits,
            creditsMustNotExceedDebits: a.flags?.credits_must_not_exceed_debits,
          },
          metadata: a.metadata,
        })),
      );
      return c.json(
        {
          results: outcomes.map((o) => ({
            id: o.id,
            result: o.result,
            ...(o.account ? { account: accountJson(o.account) } : {}),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/accounts',
      access: { caller: 'operator' },
      tags,
      summary: 'List accounts, filtered and paged',
      request: {
        query: z.object({
          ledger: LedgerCode.optional(),
          owner: z.string().optional(),
          code: Code.optional(),
          ...pageQuery,
        }),
      },
      responses: { 200: jsonResponse(pageSchema(AccountSchema), 'A page of accounts'), ...errorResponses },
    }),
    async (c) => {
      const result = await listAccounts({ db }, c.req.valid('query'));
      return c.json(pageJson(result, accountJson), 200);
    },
  );

  const AccountParams = z.object({ id: Uuid.openapi({ param: { name: 'id', in: 'path' } }) });

  router.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{id}',
      access: { caller: 'operator' },
      tags,
      summary: 'An account with its balances',
      request: { params: AccountParams },
      responses: { 200: jsonResponse(AccountSchema, 'The account'), ...errorResponses },
    }),
    async (c) => c.json(accountJson(await getAccount({ db }, c.req.valid('param').id)), 200),
  );

  for (const [action, closed] of [
    ['close', true],
    ['reopen', false],
  ] as const) {
    router.openapi(
      createRoute({
        method: 'post',
        path: `/accounts/{id}/${action}`,
        access: { caller: 'operator' },
        tags,
        summary:
          action === 'close'
            ? 'Close an account: no new transfers or posts; holds can still be voided or expire'
            : 'Reopen a closed account',
        request: { params: AccountParams },
        responses: { 200: jsonResponse(AccountSchema, 'The account'), ...errorResponses },
      }),
      async (c) =>
        c.json(
          accountJson(
            await setAccountClosed({ db, clock, actor: operator(c) }, c.req.valid('param').id, closed),
          ),
          200,
        ),
    );
  }

  router.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{id}/history',
      access: { caller: 'operator' },
      tags,
      summary: "An account's transfers in commit order, each with the account's balances after it",
      request: { params: AccountParams, query: z.object(pageQuery) },
      responses: {
        200: jsonResponse(
          pageSchema(
            z.object({
              transfer: TransferSchema,
              side: z.enum(['debit', 'credit']),
              balance: BalancesSchema,
            }),
          ),
          'A page of history',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const result = await getAccountHistory({ db }, c.req.valid('param').id, c.req.valid('query'));
      return c.json(
        {
          items: result.items.map((e) => ({
            transfer: transferJson(e.transfer),
            side: e.side,
            balance: balancesJson(e.balance),
          })),
          next_cursor: result.nextCursor,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/transfers',
      access: { caller: 'operator' },
      tags,
      summary: 'Create transfers: posted, pending (a hold), post or void of a pending; optionally linked',
      description:
        'Each transfer gets its own result, named as in TigerBeetle. `ok` and `exists` (a retry of the same id with the ' +
        'same fields) carry the stored transfer; a retry with a changed field gets `exists_with_different_<field>`.',
      request: jsonBody(
        z.strictObject({ transfers: z.array(TransferInputSchema).min(1).max(MAX_TRANSFERS_PER_COMMIT) }),
      ),
      responses: {
        200: jsonResponse(
          z.object({
            results: z.array(
              z.object({
                id: Uuid,
                result: z.enum(transferResultCodes),
                transfer: TransferSchema.optional(),
              }),
            ),
          }),
          'One result per transfer, in order',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { transfers } = c.req.valid('json');
      const results = await batcher.submit(
        transfers.map((t) => ({
          id: t.id,
          debitAccountId: t.debit_account_id,
          creditAccountId: t.credit_account_id,
          amount: t.amount === undefined ? undefined : BigInt(t.amount),
          pendingId: t.pending_id,
          ledger: t.ledger,
          code: t.code,
          timeoutSeconds: t.timeout_seconds,
          flags: {
            linked: t.flags?.linked,
            pending: t.flags?.pending,
            postPendingTransfer: t.flags?.post_pending_transfer,
            voidPendingTransfer: t.flags?.void_pending_transfer,
          },
          metadata: t.metadata,
        })),
      );
      return c.json(
        {
          results: results.map((r) => ({
            id: r.id,
            result: r.result,
            ...(r.transfer ? { transfer: transferJson(r.transfer) } : {}),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/transfers',
      access: { caller: 'operator' },
      tags,
      summary: 'List transfers in commit order, filtered and paged',
      request: {
        query: z.object({
          ledger: LedgerCode.optional(),
          account_id: Uuid.optional(),
          ...pageQuery,
        }),
      },
      responses: { 200: jsonResponse(pageSchema(TransferSchema), 'A page of transfers'), ...errorResponses },
    }),
    async (c) => {
      const { account_id, ...rest } = c.req.valid('query');
      const result = await listTransfers({ db }, { ...rest, accountId: account_id });
      return c.json(pageJson(result, transferJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/transfers/{id}',
      access: { caller: 'operator' },
      tags,
      summary: 'A transfer',
      request: { params: AccountParams },
      responses: { 200: jsonResponse(TransferSchema, 'The transfer'), ...errorResponses },
    }),
    async (c) => c.json(transferJson(await getTransfer({ db }, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/invariants',
      access: { caller: 'operator' },
      tags,
      summary: "Check the ledger's invariants against what is stored",
      responses: {
        200: jsonResponse(
          z.object({ ok: z.boolean(), violations: z.array(z.string()) }),
          'The violations found, if any',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const violations = await findLedgerViolations(db);
      return c.json({ ok: violations.length === 0, violations }, 200);
    },
  );

  return router;
}
