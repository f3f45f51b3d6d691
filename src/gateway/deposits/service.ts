import { and, desc, eq, sql } from 'drizzle-orm';
import { type Address, encodeFunctionData, getAddress } from 'viem';
import {
  type AuthorizationEvent,
  type AuthorizationHandler,
  type AuthorizationInput,
  type AuthorizationPayee,
  type AuthorizationTerms,
  authorizationError,
  authorizationKey,
  authorizationSettlement,
  authorizationTerms,
  type CheckedAuthorization,
  checkAuthorization,
  nonceRefusal,
  sameAuthorization,
} from '../../chain/authorizations';
import * as EncryptedCreditsContract from '../../chain/contracts/EncryptedCredits';
import { chainErrors } from '../../chain/errors';
import { derivedUuid } from '../../chain/follower/events';
import type { ChainRuntime } from '../../chain/runtime';
import { queueTransaction, type Settlement } from '../../chain/sender/sender';
import { amountLimit } from '../../chain/zk/elgamal';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { walletOwner } from '../../core/auth/siwe';
import type { Db } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import type { Flow } from '../../core/flows';
import { isUuid, newId } from '../../core/ids';
import { olderThan, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
import { applyTransfers } from '../../ledger/engine';
import { isSuccess } from '../../ledger/types';
import type { GatewayDeps } from '../deps';
import { findSpendingAccount } from '../encrypted/accounts';
import { findEncryptedCredits } from '../encrypted/runtime';
import { depositsOnTheirWay, spendingRecord } from '../encrypted/spending';
import { gatewayErrors } from '../errors';
import { creditsAccountOf, ensureCreditsAccount, formatUsdc, GATEWAY_ACCOUNTS, USDC_LEDGER } from '../ledger';
import { deposits } from '../schema';

export type Deposit = typeof deposits.$inferSelect;

/** The sender's purpose for the treasury's transactions that submit deposit authorizations. */
export const DEPOSIT_PURPOSE = 'gateway.deposit';

export type DepositTerms = AuthorizationTerms;
export type DepositInput = AuthorizationInput;

export function requireChain(deps: Pick<GatewayDeps, 'chain'>): ChainRuntime {
  if (!deps.chain) throw new AppError('unavailable', 'this Tally runs without a chain: deposits are off');
  return deps.chain;
}

export const depositTerms = (deps: Pick<GatewayDeps, 'chain'>): Promise<DepositTerms> =>
  authorizationTerms(requireChain(deps));

/** Where the caller's encrypted deposits go, from which wallet: null until their account is registered. */
export async function encryptedDepositTerms(
  deps: GatewayDeps,
  actor: Actor,
): Promise<{ to: Address; account: Address } | null> {
  const userId = requireUser(actor);
  const credits = await findEncryptedCredits(deps);
  const account = credits ? await findSpendingAccount(deps.db, userId) : null;
  return credits && account?.state === 'registered'
    ? { to: credits.contract, account: getAddress(account.address) }
    : null;
}

/**
 * Takes a signed EIP-3009 authorization of USDC to the treasury, from one of the caller's linked
 * wallets: checks it (signature, validity window, the nonce still unused on chain, the transfer
 * would not revert), records the deposit and queues the treasury's transaction that submits it, in
 * one database transaction. The credit comes when the chain's `AuthorizationUsed` is confirmed
 * (`depositAuthorizations`, through the chain rail's watchers). Sending the same authorization again answers the same deposit.
 */
export async function createDeposit(
  deps: GatewayDeps,
  actor: Actor,
  input: DepositInput & {
    /** The authorization's `to`: the treasury (the default), or the encrypted credits contract. */
    to?: string;
  },
): Promise<{ deposit: Deposit; replayed: boolean }> {
  const userId = requireUser(actor);
  const chain = requireChain(deps);
  const malformed = nonceRefusal(input.nonce);
  if (malformed) throw authorizationError(malformed);
  const { from, nonce } = authorizationKey(input);

  const existing = await findDeposit(deps.db, from, nonce);
  if (existing) return { deposit: sameDeposit(existing, userId, input), replayed: true };

  if ((await walletOwner(deps.db, from)) !== userId) {
    throw gatewayErrors.error(
      'wallet_not_linked',
      'the paying wallet is not linked to your account: sign in with it once (Wallet page) and try again',
      { field: 'from', from },
    );
  }
  const payee = await depositPayee(deps, userId, input);
  const checked = await checkAuthorization(chain, deps.clock.now(), input, payee ?? undefined);
  if (!checked.ok) throw authorizationError(checked);
  return recordDeposit(deps, actor, userId, input, checked, { encrypted: payee !== null });
}

/**
 * Where a deposit pays: the treasury, or (when the authorization names it) the encrypted credits
 * contract, which mints the amount to the payer's own encrypted account. That takes the wallet of
 * the person's registered account, and a ReceiveWithAuthorization, which only the contract can submit.
 */
async function depositPayee(
  deps: GatewayDeps,
  userId: string,
  input: DepositInput & { to?: string },
): Promise<AuthorizationPayee | null> {
  if (!input.to || getAddress(input.to) === requireChain(deps).treasury.address) return null;
  const credits = await findEncryptedCredits(deps);
  if (!credits || getAddress(input.to) !== credits.contract)
    throw new AppError(
      'validation_failed',
      'a deposit pays the treasury or the encrypted credits contract: read both in the deposit terms',
      { field: 'to' },
    );
  const account = await findSpendingAccount(deps.db, userId);
  if (account?.state !== 'registered' || account.address !== getAddress(input.from).toLowerCase())
    throw gatewayErrors.error(
      'not_encrypted_account',
      account?.state === 'registered'
        ? `deposit to your encrypted account from its wallet ${getAddress(account.address)}`
        : 'register the key of your encrypted account first (Deposit page), then deposit from its wallet',
      { field: 'from' },
    );
  await refuseBeyondBound(deps.db, account.address, input.value);
  if (input.kind !== 'receive')
    throw gatewayErrors.error(
      'not_encrypted_account',
      'a deposit to the encrypted credits contract is a ReceiveWithAuthorization: only the contract can submit it',
      { field: 'kind' },
    );
  return {
    address: credits.contract,
    submission: (authorization) =>
      encodeFunctionData({
        abi: EncryptedCreditsContract.abi,
        functionName: 'deposit',
        args: [
          authorization.from,
          authorization.from,
          authorization.value,
          authorization.validAfter,
          authorization.validBefore,
          authorization.nonce,
          authorization.signature,
        ],
      }),
  };
}

/**
 * Refuses an encrypted deposit that would take the account to 2^40 micro-USDC or beyond: a balance
 * the circuits cannot prove could never move again. Checked before the authorization is, and again
 * under the account's lock as the deposit is recorded, so two deposits at once cannot pass it together.
 */
async function refuseBeyondBound(db: Db, address: string, value: bigint): Promise<void> {
  const held =
    (await spendingRecord(db, address)) +
    (await depositsOnTheirWay(db, address)).reduce((sum, coming) => sum + coming, 0n);
  if (held + value >= amountLimit)
    throw gatewayErrors.error(
      'not_encrypted_account',
      `your encrypted account can hold up to ${formatUsdc(amountLimit - 1n)}: deposit this to the treasury instead`,
      { field: 'value', held: held.toString() },
    );
}

/**
 * Records a deposit of an authorization already checked (`checkAuthorization`) for the person
 * `userId` and queues the treasury's transaction that submits it, in one database transaction.
 * `replayed` when the same authorization was recorded before (by this call's twin, racing it).
 */
export async function recordDeposit(
  deps: GatewayDeps,
  actor: Actor,
  userId: string,
  input: DepositInput,
  checked: CheckedAuthorization,
  options: { encrypted?: boolean } = {},
): Promise<{ deposit: Deposit; replayed: boolean }> {
  const chain = requireChain(deps);
  const { from, nonce, signature, data, gasLimit } = checked;
  return deps.db.transaction(async (tx) => {
    const at = deps.clock.now();
    if (options.encrypted) {
      await tx.execute(
        sql`SELECT address FROM gateway_encrypted_accounts WHERE address = ${from} FOR UPDATE`,
      );
      await refuseBeyondBound(tx, from, input.value);
    }
    await ensureCreditsAccount(tx, deps.clock, userId);
    const id = newId();
    const [made] = await tx
      .insert(deposits)
      .values({
        id,
        userId,
        kind: input.kind,
        fromAddress: from,
        value: input.value,
        validAfter: input.validAfter,
        validBefore: input.validBefore,
        nonce,
        signature,
        encrypted: options.encrypted ?? false,
        state: 'payment_received',
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoNothing()
      .returning();
    // Another request with the same authorization committed first: its deposit is this one.
    if (!made)
      return { deposit: sameDeposit((await findDeposit(tx, from, nonce))!, userId, input), replayed: true };
    const queued = await queueTransaction(tx, deps.clock, {
      chainId: chain.client.chainId,
      from: chain.treasury.address,
      to: checked.to,
      data,
      gasLimit,
      purpose: DEPOSIT_PURPOSE,
      idempotencyKey: `${DEPOSIT_PURPOSE}:${from}:${nonce}`,
      metadata: { deposit_id: id },
    });
    const [deposit] = await tx
      .update(deposits)
      .set({ transactionId: queued.id })
      .where(eq(deposits.id, id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.deposit_received',
      objectType: 'gateway_deposit',
      objectId: id,
      details: {
        from,
        value: input.value.toString(),
        nonce,
        transaction_id: queued.id,
        ...(options.encrypted ? { to: checked.to } : {}),
      },
    });
    return { deposit: deposit!, replayed: false };
  });
}

export async function findDeposit(db: Db, from: string, nonce: string): Promise<Deposit | undefined> {
  const [found] = await db
    .select()
    .from(deposits)
    .where(and(eq(deposits.fromAddress, from), eq(deposits.nonce, nonce)));
  return found;
}

/** The deposit a repeated authorization names, if it is the same request by the same person. */
function sameDeposit(existing: Deposit, userId: string, input: DepositInput): Deposit {
  if (existing.userId !== userId || !sameAuthorization(existing, input))
    throw chainErrors.error('authorization_used', 'this authorization was sent to Tally already');
  return existing;
}

export async function getDeposit(deps: Pick<GatewayDeps, 'db'>, actor: Actor, id: string): Promise<Deposit> {
  const userId = requireUser(actor);
  if (!isUuid(id)) throw notFound('deposit', { id });
  const [deposit] = await deps.db.select().from(deposits).where(eq(deposits.id, id));
  if (!deposit || (deposit.userId !== userId && !actor.isAdmin)) throw notFound('deposit', { id });
  return deposit;
}

/** The caller's deposits, newest first. */
export async function listDeposits(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  page: PageRequest = {},
): Promise<Page<Deposit>> {
  const userId = requireUser(actor);
  const limit = pageLimit(page.limit);
  const rows = await deps.db
    .select()
    .from(deposits)
    .where(and(eq(deposits.userId, userId), olderThan(deposits.createdAt, deposits.id, page.cursor)))
    .orderBy(desc(deposits.createdAt), desc(deposits.id))
    .limit(limit + 1);
  return pageOf(rows, limit, (d) => ({ at: d.createdAt, id: d.id }));
}

/**
 * What the gateway does with the authorization events of its deposits (the chain rail reads them,
 * `authorizationWatchers`). Used and confirmed: the deposit is credited under a transfer id derived
 * from the event, once per event, whoever submitted it; a reorg that takes the event back reverses
 * the credit and the deposit waits again (the same authorization mined again is a new event,
 * credited afresh); a reversal the person's balance cannot cover (they spent it) stops the watcher
 * for an operator, as the follower does for any handler that fails. Cancelled by the payer before
 * use: the deposit fails, and waits again if a reorg takes the cancellation back.
 */
export function depositAuthorizations(deps: Pick<GatewayDeps, 'db' | 'clock'>): AuthorizationHandler {
  const byAuthorization = (event: AuthorizationEvent) =>
    and(
      eq(deposits.fromAddress, event.args.authorizer.toLowerCase()),
      eq(deposits.nonce, event.args.nonce.toLowerCase()),
    );
  return {
    async used(tx, event) {
      const [deposit] = await tx.select().from(deposits).where(byAuthorization(event)).for('update');
      if (!deposit) return false;
      await move(
        tx,
        deps,
        derivedUuid(event.id, 'credit'),
        GATEWAY_ACCOUNTS.onchain,
        creditsAccountOf(deposit.userId),
        deposit,
        'deposit',
      );
      const at = deps.clock.now();
      await tx
        .update(deposits)
        .set({
          state: 'credits_issued',
          creditEventId: event.id,
          creditedAt: at,
          failure: null,
          updatedAt: at,
        })
        .where(eq(deposits.id, deposit.id));
      return true;
    },
    async usedOrphaned(tx, event) {
      const [deposit] = await tx
        .select()
        .from(deposits)
        .where(eq(deposits.creditEventId, event.id))
        .for('update');
      if (!deposit) return false;
      await move(
        tx,
        deps,
        derivedUuid(event.id, 'reversal'),
        creditsAccountOf(deposit.userId),
        GATEWAY_ACCOUNTS.onchain,
        deposit,
        'deposit_reversal',
      );
      await tx
        .update(deposits)
        .set({
          state: 'payment_received',
          creditEventId: null,
          creditedAt: null,
          updatedAt: deps.clock.now(),
        })
        .where(eq(deposits.id, deposit.id));
      return true;
    },
    async canceled(tx, event) {
      const failed = await tx
        .update(deposits)
        .set({
          state: 'failed',
          failure: 'the payer cancelled the authorization on chain',
          updatedAt: deps.clock.now(),
        })
        .where(and(byAuthorization(event), eq(deposits.state, 'payment_received')))
        .returning({ id: deposits.id });
      return failed.length > 0;
    },
    async canceledOrphaned(tx, event) {
      const waiting = await tx
        .update(deposits)
        .set({ state: 'payment_received', failure: null, updatedAt: deps.clock.now() })
        .where(and(byAuthorization(event), eq(deposits.state, 'failed')))
        .returning({ id: deposits.id });
      return waiting.length > 0;
    },
  };
}

async function move(
  tx: Db,
  deps: Pick<GatewayDeps, 'clock'>,
  id: string,
  debitAccountId: string,
  creditAccountId: string,
  deposit: Deposit,
  code: string,
): Promise<void> {
  const [outcome] = await applyTransfers(
    tx,
    [
      {
        id,
        debitAccountId,
        creditAccountId,
        amount: deposit.value,
        ledger: USDC_LEDGER,
        code,
        metadata: { deposit_id: deposit.id },
      },
    ],
    { clock: deps.clock },
  );
  if (!outcome || !isSuccess(outcome.result))
    throw new Error(
      `gateway ${code} of deposit ${deposit.id}: the ledger answered ${outcome?.result ?? 'nothing'}`,
    );
}

/** The treasury's submission of a deposit settled: refused or replaced fails a deposit still waiting. */
export const depositSettlement = (
  deps: Pick<GatewayDeps, 'db' | 'clock'>,
  chain: ChainRuntime,
): Flow<Settlement> =>
  authorizationSettlement(
    chain,
    {
      name: 'gateway.settle_deposit',
      async find(db, transactionId) {
        const [deposit] = await db.select().from(deposits).where(eq(deposits.transactionId, transactionId));
        return deposit ? { from: deposit.fromAddress, nonce: deposit.nonce } : null;
      },
      async fail(tx, transactionId, reason) {
        await tx
          .update(deposits)
          .set({ state: 'failed', failure: reason, updatedAt: deps.clock.now() })
          .where(and(eq(deposits.transactionId, transactionId), eq(deposits.state, 'payment_received')));
      },
    },
    deps.db,
  );
