import { and, desc, eq, sql } from 'drizzle-orm';
import { type Address, encodeFunctionData, getAddress } from 'viem';
import * as TestUSDC from '../../chain/contracts/TestUSDC';
import { estimateGasLimit, queueTransaction, type Settlement } from '../../chain/sender/sender';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows } from '../../core/database';
import { notFound } from '../../core/errors';
import { databaseStep, defineFlow, type Flow } from '../../core/flows';
import { isUuid, newId } from '../../core/ids';
import { olderThan, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
import { applyBalanceOps } from '../../ledger/engine';
import { partId } from '../../ledger/holds';
import { requireChain } from '../deposits/service';
import type { GatewayDeps } from '../deps';
import { encryptedWithdrawalSource } from '../encrypted/withdrawals';
import { gatewayErrors } from '../errors';
import { endHeldTransfer, ensureCreditsAccount, GATEWAY_ACCOUNTS, USDC_LEDGER } from '../ledger';
import { withdrawals } from '../schema';

export type Withdrawal = typeof withdrawals.$inferSelect;

/** The sender's purpose for the treasury's transfers that pay withdrawals. */
export const WITHDRAWAL_PURPOSE = 'gateway.withdrawal';

/**
 * Withdraws credits back to USDC, to one of the caller's linked wallets (the first linked when none
 * is named). In one transaction the amount is held on the person's credits (no expiry: it must
 * outlive any wait for the chain) and the treasury's USDC transfer is queued (or, from the person's
 * encrypted account at that wallet, left for its proof); the settlement
 * captures the hold once the transfer is confirmed and releases it if the transfer fails, so a
 * withdrawal is paid once or not at all, whatever restarts in between.
 */
export async function createWithdrawal(
  deps: GatewayDeps,
  actor: Actor,
  input: { amount: bigint; to?: string },
): Promise<Withdrawal> {
  const userId = requireUser(actor);
  const chain = requireChain(deps);
  const wallets = await queryRows<{ address: string }>(
    deps.db,
    sql`SELECT address FROM core_wallets WHERE user_id = ${userId} ORDER BY linked_at, address`,
  );
  const to = input.to ? getAddress(input.to).toLowerCase() : wallets[0]?.address;
  if (!to || !wallets.some((w) => w.address === to)) {
    throw gatewayErrors.error(
      'wallet_not_linked',
      input.to
        ? 'withdrawals go only to a wallet linked to your account: link it first (Wallet page)'
        : 'link a wallet to your account first: withdrawals are paid to it',
      { field: 'to' },
    );
  }
  // Paid out of the person's own encrypted account when it is at that wallet and holds enough:
  // proven by the auditor key and queued by `proveEncryptedWithdrawals`; else by the treasury.
  const encryptedFrom = await encryptedWithdrawalSource(deps, userId, to, input.amount);
  const usdc = chain.deployment.tokens.USDC.address;
  const data = encodeFunctionData({
    abi: TestUSDC.abi,
    functionName: 'transfer',
    args: [getAddress(to) as Address, input.amount],
  });
  const gasLimit = encryptedFrom
    ? 0n
    : await estimateGasLimit(
        chain.client,
        { from: chain.treasury.address, to: usdc, data },
        { maxGasLimit: chain.settings.maxGasLimit },
      );

  // What this process's leases hold for the person's calls is theirs to withdraw again.
  await deps.meter.release({ userId });
  const id = newId();
  const holdId = partId(id, 1);
  return deps.db.transaction(async (tx) => {
    const credits = await ensureCreditsAccount(tx, deps.clock, userId);
    const [held] = await applyBalanceOps(
      tx,
      [
        {
          op: 'hold',
          id: holdId,
          ledger: USDC_LEDGER,
          code: 'gateway_withdrawal',
          from: [{ accountId: credits }],
          to: GATEWAY_ACCOUNTS.onchain,
          amount: input.amount,
          metadata: { withdrawal_id: id },
        },
      ],
      { clock: deps.clock },
    );
    if (held?.result !== 'ok') {
      throw gatewayErrors.error(
        'insufficient_credits',
        `you can withdraw at most ${held?.available ?? 0n} micro-USDC now`,
        { field: 'amount', available: (held?.available ?? 0n).toString(), price: input.amount.toString() },
      );
    }
    const now = deps.clock.now();
    const queued = encryptedFrom
      ? null
      : await queueTransaction(tx, deps.clock, {
          chainId: chain.client.chainId,
          from: chain.treasury.address,
          to: usdc,
          data,
          gasLimit,
          purpose: WITHDRAWAL_PURPOSE,
          idempotencyKey: `${WITHDRAWAL_PURPOSE}:${id}`,
          metadata: { withdrawal_id: id },
        });
    const [made] = await tx
      .insert(withdrawals)
      .values({
        id,
        userId,
        toAddress: to,
        amount: input.amount,
        state: 'pending',
        holdId,
        transactionId: queued?.id ?? null,
        encrypted: encryptedFrom !== null,
        createdAt: now,
      })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.withdrawal_requested',
      objectType: 'gateway_withdrawal',
      objectId: id,
      details: {
        to,
        amount: input.amount.toString(),
        transaction_id: queued?.id ?? null,
        ...(encryptedFrom ? { encrypted: true } : {}),
      },
    });
    return made!;
  });
}

/** How many times the chain may refuse a withdrawal out of an encrypted account before it fails. */
const MAX_REFUSALS = 3;

const refusals = async (tx: Db, withdrawalId: string): Promise<number> => {
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions
        WHERE purpose = ${WITHDRAWAL_PURPOSE} AND metadata->>'withdrawal_id' = ${withdrawalId} AND state = 'reverted'`,
  );
  return row?.n ?? 0;
};

/** Captures or releases a withdrawal's hold once the chain has answered; a second run changes nothing. */
export function withdrawalSettlement(deps: Pick<GatewayDeps, 'db' | 'clock'>): Flow<Settlement> {
  return defineFlow<Settlement>({
    name: 'gateway.settle_withdrawal',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        const [withdrawal] = await tx
          .select()
          .from(withdrawals)
          .where(eq(withdrawals.transactionId, input.transactionId))
          .for('update');
        if (withdrawal?.state !== 'pending') return null;
        // Out of an encrypted account, a withdrawal refused on chain was proven against a balance
        // that changed before it was mined (a reorg): it is proven again, a few times.
        if (
          withdrawal.encrypted &&
          input.state === 'reverted' &&
          (await refusals(tx, withdrawal.id)) < MAX_REFUSALS
        ) {
          await tx.update(withdrawals).set({ transactionId: null }).where(eq(withdrawals.id, withdrawal.id));
          return { state: 'proving' };
        }
        const paid = input.state === 'confirmed';
        await endHeldTransfer(tx, deps.clock, withdrawal.id, withdrawal.holdId, paid);
        await tx
          .update(withdrawals)
          .set({
            state: paid ? 'paid' : 'failed',
            failure: paid
              ? null
              : input.state === 'reverted'
                ? 'the USDC transfer was refused on chain (the address may be blacklisted): the credits are back'
                : 'the transfer was replaced before it was mined: the credits are back',
            finishedAt: deps.clock.now(),
          })
          .where(eq(withdrawals.id, withdrawal.id));
        return { state: paid ? 'paid' : 'failed' };
      }),
    ],
  });
}

export async function getWithdrawal(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<Withdrawal> {
  const userId = requireUser(actor);
  if (!isUuid(id)) throw notFound('withdrawal', { id });
  const [found] = await deps.db.select().from(withdrawals).where(eq(withdrawals.id, id));
  if (!found || (found.userId !== userId && !actor.isAdmin)) throw notFound('withdrawal', { id });
  return found;
}

export async function listWithdrawals(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  page: PageRequest = {},
): Promise<Page<Withdrawal>> {
  const userId = requireUser(actor);
  const limit = pageLimit(page.limit);
  const rows = await deps.db
    .select()
    .from(withdrawals)
    .where(and(eq(withdrawals.userId, userId), olderThan(withdrawals.createdAt, withdrawals.id, page.cursor)))
    .orderBy(desc(withdrawals.createdAt), desc(withdrawals.id))
    .limit(limit + 1);
  return pageOf(rows, limit, (w) => ({ at: w.createdAt, id: w.id }));
}
