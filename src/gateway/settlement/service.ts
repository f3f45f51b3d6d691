import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { type Address, encodeFunctionData, getAddress } from 'viem';
import * as TestUSDC from '../../chain/contracts/TestUSDC';
import {
  type Settlement as ChainSettlement,
  estimateGasLimit,
  queueTransaction,
} from '../../chain/sender/sender';
import { amountLimit } from '../../chain/zk/elgamal';
import { type Actor, requireAdmin } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows } from '../../core/database';
import { notFound } from '../../core/errors';
import { databaseStep, defineFlow, type Flow } from '../../core/flows';
import { isUuid } from '../../core/ids';
import { notify } from '../../core/notifications/service';
import { applyBalanceOps, applyTransfers } from '../../ledger/engine';
import { idFromKey, partId } from '../../ledger/holds';
import { getAccount } from '../../ledger/service';
import type { TransferInput } from '../../ledger/types';
import { requireChain } from '../deposits/service';
import type { GatewayDeps } from '../deps';
import { findProviderAccount } from '../encrypted/accounts';
import { encryptedAvailable } from '../encrypted/claims';
import { type EncryptedPayoutEntry, payEncrypted } from '../encrypted/payouts';
import { findEncryptedCredits } from '../encrypted/runtime';
import { gatewayErrors } from '../errors';
import {
  availableIn,
  availableOf,
  earningsAccountOf,
  endHeldTransfer,
  ensureEarningsAccount,
  formatUsdc,
  GATEWAY_ACCOUNTS,
  GATEWAY_NAMESPACE,
  SERVED_ACCOUNTS,
  servedSink,
  USDC_LEDGER,
} from '../ledger';
import { GATEWAY_NOTIFICATIONS } from '../notifications';
import type { Provider } from '../providers/service';
import {
  calls,
  discrepancies,
  earnings,
  payouts,
  providers,
  servers,
  settings,
  settlements,
} from '../schema';
import { allocate } from './allocation';
import { compareUsage } from './usage';

export type SettlementRow = typeof settlements.$inferSelect;
export type Earning = typeof earnings.$inferSelect;
export type Payout = typeof payouts.$inferSelect;
export type GatewaySettings = typeof settings.$inferSelect;

/** Served calls no settlement has taken yet that finished before `periodEnd`: what a run settles. */
const unsettledBefore = (periodEnd: Date) =>
  and(eq(calls.state, 'served'), isNull(calls.settlementId), lt(calls.finishedAt, periodEnd));

/** The sender's purpose for the treasury's transfers that pay providers. */
export const PAYOUT_PURPOSE = 'gateway.payout';

export const DEFAULT_SETTINGS = { feeBps: 500, minimumPayout: 10_000_000n, intervalHours: 24 } as const;

export async function getSettings(db: Db): Promise<GatewaySettings> {
  const [row] = await db.select().from(settings).where(eq(settings.id, 1));
  return row ?? { id: 1, ...DEFAULT_SETTINGS, updatedAt: new Date(0) };
}

export async function updateSettings(
  deps: Pick<GatewayDeps, 'db' | 'clock'>,
  actor: Actor,
  input: Partial<Pick<GatewaySettings, 'feeBps' | 'minimumPayout' | 'intervalHours'>>,
): Promise<GatewaySettings> {
  requireAdmin(actor);
  return deps.db.transaction(async (tx) => {
    const current = await getSettings(tx);
    const next = {
      id: 1,
      feeBps: input.feeBps ?? current.feeBps,
      minimumPayout: input.minimumPayout ?? current.minimumPayout,
      intervalHours: input.intervalHours ?? current.intervalHours,
      updatedAt: deps.clock.now(),
    };
    await tx
      .insert(settings)
      .values(next)
      .onConflictDoUpdate({
        target: settings.id,
        set: {
          feeBps: next.feeBps,
          minimumPayout: next.minimumPayout,
          intervalHours: next.intervalHours,
          updatedAt: next.updatedAt,
        },
      });
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.settings_changed',
      objectType: 'gateway_settings',
      details: {
        fee_bps: next.feeBps,
        minimum_payout: next.minimumPayout.toString(),
        interval_hours: next.intervalHours,
      },
    });
    return next;
  });
}

/** The boundary a settlement made at `now` settles up to: the last multiple of the interval since 1970, UTC. */
export function periodEndAt(now: Date, intervalHours: number): Date {
  const interval = intervalHours * 3_600_000;
  return new Date(Math.floor(now.getTime() / interval) * interval);
}

export interface SettlementOutcome {
  settlement: SettlementRow;
  /** False when this period was settled before: a re-run pays nothing twice. */
  made: boolean;
}

/**
 * Settles every served call that finished before `periodEnd` and no earlier run settled: in one
 * transaction the calls are marked, the served shards are gathered and split into each provider's
 * earnings and the platform's fee (largest remainder, integer micro-units), and each provider's
 * share recorded. Then providers' usage reports are compared with Tally's metering, and providers
 * with approved KYC whose earnings reach the minimum are paid on chain; the others carry forward or
 * wait for a claim. Every provider is told. Running the same period again changes nothing.
 */
export async function settle(deps: GatewayDeps, periodEnd: Date): Promise<SettlementOutcome> {
  const config = await getSettings(deps.db);
  const id = idFromKey(GATEWAY_NAMESPACE, 'settlement', periodEnd.toISOString());
  const outcome = await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [claimed] = await tx
      .insert(settlements)
      .values({
        id,
        periodEnd,
        feeBps: config.feeBps,
        minimumPayout: config.minimumPayout,
        calls: 0,
        gross: 0n,
        fees: 0n,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!claimed) {
      const [existing] = await tx.select().from(settlements).where(eq(settlements.id, id));
      return { settlement: existing!, made: false };
    }
    const marked = await tx
      .update(calls)
      .set({ settlementId: id })
      .where(unsettledBefore(periodEnd))
      .returning({ userId: calls.userId, providerId: calls.providerId, price: calls.price });

    const byProvider = new Map<string, { calls: number; gross: bigint }>();
    const byShard = new Map<string, bigint>();
    for (const call of marked) {
      const entry = byProvider.get(call.providerId) ?? { calls: 0, gross: 0n };
      entry.calls += 1;
      entry.gross += call.price;
      byProvider.set(call.providerId, entry);
      if (call.price > 0n) {
        const shard = servedSink.shardFor(call.userId);
        byShard.set(shard, (byShard.get(shard) ?? 0n) + call.price);
      }
    }
    const providerIds = [...byProvider.keys()].sort();
    const split = allocate(
      providerIds.map((p) => byProvider.get(p)!.gross),
      config.feeBps,
    );
    const transfers: TransferInput[] = [];
    const transfer = (name: string, debit: string, credit: string, amount: bigint, code: string) => {
      if (amount > 0n)
        transfers.push({
          id: idFromKey(GATEWAY_NAMESPACE, 'settlement-transfer', id, name),
          debitAccountId: debit,
          creditAccountId: credit,
          amount,
          ledger: USDC_LEDGER,
          code,
          metadata: { settlement_id: id },
          flags: { linked: true },
        });
    };
    for (const shard of SERVED_ACCOUNTS)
      transfer(
        `gather:${shard}`,
        shard,
        GATEWAY_ACCOUNTS.settling,
        byShard.get(shard) ?? 0n,
        'gateway_settlement',
      );
    for (const [index, providerId] of providerIds.entries()) {
      await ensureEarningsAccount(tx, deps.clock, providerId);
      transfer(
        `earn:${providerId}`,
        GATEWAY_ACCOUNTS.settling,
        earningsAccountOf(providerId),
        split.nets[index]!,
        'gateway_earnings',
      );
    }
    transfer('fee', GATEWAY_ACCOUNTS.settling, GATEWAY_ACCOUNTS.fees, split.totalFee, 'gateway_fee');
    if (transfers.length > 0) {
      transfers[transfers.length - 1] = { ...transfers.at(-1)!, flags: {} };
      const results = await applyTransfers(tx, transfers, { clock: deps.clock });
      const failed = results.find((r) => r.result !== 'ok' && r.result !== 'exists');
      if (failed) throw new Error(`settlement ${id}: the ledger answered ${failed.result} for ${failed.id}`);
    }
    for (const [index, providerId] of providerIds.entries()) {
      const account = await getAccount({ db: tx }, earningsAccountOf(providerId));
      await tx.insert(earnings).values({
        settlementId: id,
        providerId,
        calls: byProvider.get(providerId)!.calls,
        gross: byProvider.get(providerId)!.gross,
        fee: split.fees[index]!,
        net: split.nets[index]!,
        shareBps: split.sharesBps[index]!,
        balanceAfter: availableOf(account),
      });
    }
    const gross = marked.reduce((sum, c) => sum + c.price, 0n);
    const [settled] = await tx
      .update(settlements)
      .set({ calls: marked.length, gross, fees: split.totalFee })
      .where(eq(settlements.id, id))
      .returning();
    return { settlement: settled!, made: true };
  });
  if (!outcome.made) return outcome;

  await compareUsage(deps, outcome.settlement).catch((error: unknown) =>
    deps.log.warn({ err: error, settlement: id }, 'gateway: comparing usage reports failed'),
  );
  const shares = await deps.db.select().from(earnings).where(eq(earnings.settlementId, id));
  const encrypted = await findEncryptedCredits(deps);
  const told: { provider: Provider; share: Earning; payout: Payout | null }[] = [];
  const sealed: EncryptedPayoutEntry[] = [];
  let sealedTotal = 0n;
  for (const share of shares) {
    const [provider] = await deps.db.select().from(providers).where(eq(providers.id, share.providerId));
    let payout: Payout | null = null;
    if (provider!.kycState === 'approved' && share.balanceAfter >= config.minimumPayout && deps.chain) {
      // A provider with an encrypted account is paid into it, with the run's other such providers:
      // while the account is still at its payout address, and while the account and the pool stay
      // below what the circuits can prove (2^40 micro-USDC), or the balance could never move again.
      const account = encrypted ? await findProviderAccount(deps.db, provider!.id) : null;
      const fits =
        account?.state === 'registered' &&
        account.address === provider!.payoutAddress.toLowerCase() &&
        (await encryptedAvailable(deps.db, provider!.id)) + share.balanceAfter < amountLimit &&
        sealedTotal + share.balanceAfter < amountLimit / 2n;
      if (fits) {
        sealed.push({ provider: provider!, account, amount: share.balanceAfter });
        sealedTotal += share.balanceAfter;
      } else {
        payout = await payOut(deps, provider!, share.balanceAfter, id).catch((error: unknown) => {
          deps.log.warn(
            { err: error, provider: provider!.id, settlement: id },
            'gateway: a payout could not be queued',
          );
          return null;
        });
      }
    }
    told.push({ provider: provider!, share, payout });
  }
  const paidEncrypted = await payEncrypted(deps, id, sealed).catch((error: unknown) => {
    deps.log.warn({ err: error, settlement: id }, 'gateway: the encrypted payouts could not be queued');
    return new Map<string, Payout>();
  });
  for (const entry of told) {
    const payout = entry.payout ?? paidEncrypted.get(entry.provider.id) ?? null;
    if (payout) {
      await deps.db
        .update(earnings)
        .set({ payoutId: payout.id })
        .where(and(eq(earnings.settlementId, id), eq(earnings.providerId, entry.provider.id)));
    }
    await tellProvider(deps, entry.provider, entry.share, payout, config.minimumPayout, outcome.settlement);
  }
  return outcome;
}

async function tellProvider(
  deps: GatewayDeps,
  provider: Provider,
  share: Earning,
  payout: Payout | null,
  minimum: bigint,
  settlement: SettlementRow,
): Promise<void> {
  const usdc = formatUsdc;
  const next = payout?.batchId
    ? `${usdc(payout.amount)} is on its way into your encrypted account, where only you and Tally can read it.`
    : payout
      ? `${usdc(payout.amount)} is on its way to ${provider.payoutAddress}.`
      : provider.kycState !== 'approved'
        ? `${usdc(share.balanceAfter)} is claimable once your KYC is approved.`
        : share.balanceAfter < minimum
          ? `${usdc(share.balanceAfter)} carries forward: payouts start at ${usdc(minimum)}.`
          : `${usdc(share.balanceAfter)} is claimable in the provider portal.`;
  await deps.db.transaction((tx) =>
    notify(
      tx,
      { clock: deps.clock, types: deps.notificationTypes, publicUrl: deps.publicUrl },
      {
        userId: provider.userId,
        type: GATEWAY_NOTIFICATIONS.settlement,
        title: `Your tools earned ${usdc(share.net)} from ${share.calls} calls`,
        body: `Settlement up to ${settlement.periodEnd.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${usdc(share.gross)} earned, ${usdc(share.fee)} platform fee, ${(share.shareBps / 100).toFixed(2)} % of the run. ${next}`,
        link: '/gateway/provider/earnings',
        dedupeKey: `settlement:${settlement.id}`,
      },
    ),
  );
}

/**
 * Pays `amount` of a provider's earnings to its payout address: the amount held on its earnings
 * and the treasury's USDC transfer queued in one transaction; the payout settlement captures the
 * hold when the transfer is confirmed, or releases it (claimable again) when it fails. The payout of
 * a settlement is made once, whatever re-runs.
 */
export async function payOut(
  deps: GatewayDeps,
  provider: Provider,
  amount: bigint,
  settlementId: string | null,
): Promise<Payout> {
  const chain = requireChain(deps);
  const id = settlementId
    ? idFromKey(GATEWAY_NAMESPACE, 'payout', settlementId, provider.id)
    : idFromKey(GATEWAY_NAMESPACE, 'payout', 'claim', provider.id, deps.clock.now().toISOString());
  const [existing] = await deps.db.select().from(payouts).where(eq(payouts.id, id));
  if (existing) return existing;
  const usdc = chain.deployment.tokens.USDC.address;
  const to = getAddress(provider.payoutAddress) as Address;
  const data = encodeFunctionData({ abi: TestUSDC.abi, functionName: 'transfer', args: [to, amount] });
  const gasLimit = await estimateGasLimit(
    chain.client,
    { from: chain.treasury.address, to: usdc, data },
    { maxGasLimit: chain.settings.maxGasLimit },
  );
  return deps.db.transaction(async (tx) => {
    const holdId = partId(id, 1);
    const [held] = await applyBalanceOps(
      tx,
      [
        {
          op: 'hold',
          id: holdId,
          ledger: USDC_LEDGER,
          code: 'gateway_payout',
          from: [{ accountId: earningsAccountOf(provider.id) }],
          to: GATEWAY_ACCOUNTS.onchain,
          amount,
          metadata: { payout_id: id },
        },
      ],
      { clock: deps.clock },
    );
    if (held?.result !== 'ok')
      throw gatewayErrors.error(
        'insufficient_credits',
        `the earnings hold ${held?.available ?? 0n} micro-USDC`,
        {
          available: (held?.available ?? 0n).toString(),
          price: amount.toString(),
        },
      );
    const queued = await queueTransaction(tx, deps.clock, {
      chainId: chain.client.chainId,
      from: chain.treasury.address,
      to: usdc,
      data,
      gasLimit,
      purpose: PAYOUT_PURPOSE,
      idempotencyKey: `${PAYOUT_PURPOSE}:${id}`,
      metadata: { payout_id: id },
    });
    const [made] = await tx
      .insert(payouts)
      .values({
        id,
        providerId: provider.id,
        settlementId,
        amount,
        toAddress: provider.payoutAddress,
        state: 'pending',
        holdId,
        transactionId: queued.id,
        createdAt: deps.clock.now(),
      })
      .returning();
    return made!;
  });
}

/** A provider claims what its earnings hold now: only with approved KYC. */
export async function claimEarnings(deps: GatewayDeps, actor: Actor, provider: Provider): Promise<Payout> {
  if (provider.kycState !== 'approved')
    throw gatewayErrors.error(
      'kyc_not_approved',
      'only a provider with approved KYC can claim funds: submit your documents first',
    );
  const available = await earningsAvailable(deps.db, provider.id);
  if (available <= 0n)
    throw gatewayErrors.error('nothing_to_claim', 'your earnings hold nothing to claim now');
  const payout = await payOut(deps, provider, available, null);
  await recordAudit(deps.db, deps.clock, actor, {
    action: 'gateway.earnings_claimed',
    objectType: 'gateway_payout',
    objectId: payout.id,
    details: { amount: payout.amount.toString(), to: payout.toAddress },
  });
  return payout;
}

export const earningsAvailable = (db: Db, providerId: string): Promise<bigint> =>
  availableIn(db, earningsAccountOf(providerId));

/** Captures a payout's hold once its transfer is confirmed, or releases it (claimable again) when it failed. */
export function payoutSettlement(deps: GatewayDeps): Flow<ChainSettlement> {
  return defineFlow<ChainSettlement>({
    name: 'gateway.settle_payout',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        const [payout] = await tx
          .select()
          .from(payouts)
          .where(eq(payouts.transactionId, input.transactionId))
          .for('update');
        if (payout?.state !== 'pending') return null;
        const paid = input.state === 'confirmed';
        await endHeldTransfer(tx, deps.clock, payout.id, payout.holdId, paid);
        await tx
          .update(payouts)
          .set({
            state: paid ? 'paid' : 'failed',
            failure: paid ? null : 'the USDC transfer failed on chain: the amount is claimable again',
            finishedAt: deps.clock.now(),
          })
          .where(eq(payouts.id, payout.id));
        const [provider] = await tx.select().from(providers).where(eq(providers.id, payout.providerId));
        await notify(
          tx,
          { clock: deps.clock, types: deps.notificationTypes, publicUrl: deps.publicUrl },
          {
            userId: provider!.userId,
            type: GATEWAY_NOTIFICATIONS.payout,
            title: paid
              ? `${formatUsdc(payout.amount)} was paid to ${payout.toAddress}`
              : `A payout of ${formatUsdc(payout.amount)} failed`,
            body: paid
              ? undefined
              : 'The amount is back in your earnings: check your payout address and claim it again.',
            link: '/gateway/provider/earnings',
            dedupeKey: `payout:${payout.id}`,
          },
        );
        return { state: paid ? 'paid' : 'failed' };
      }),
    ],
  });
}

/** Runs the settlement that is due, if any: what the job does every few minutes, in any process. */
export async function settleDue(deps: GatewayDeps): Promise<SettlementOutcome | null> {
  const config = await getSettings(deps.db);
  const periodEnd = periodEndAt(deps.clock.now(), config.intervalHours);
  const [latest] = await deps.db.select().from(settlements).orderBy(desc(settlements.periodEnd)).limit(1);
  if (latest && latest.periodEnd >= periodEnd) return null;
  // A period nobody called anything in leaves no empty run behind.
  const [waiting] = await deps.db
    .select({ id: calls.id })
    .from(calls)
    .where(unsettledBefore(periodEnd))
    .limit(1);
  if (!waiting) return null;
  return settle(deps, periodEnd);
}

export async function listSettlements(deps: Pick<GatewayDeps, 'db'>, actor: Actor): Promise<SettlementRow[]> {
  requireAdmin(actor);
  return deps.db.select().from(settlements).orderBy(desc(settlements.periodEnd)).limit(200);
}

export interface SettlementDetail {
  settlement: SettlementRow;
  earnings: (Earning & { providerName: string; payout: Payout | null })[];
  discrepancies: (typeof discrepancies.$inferSelect & { serverName: string })[];
}

export async function getSettlement(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<SettlementDetail> {
  requireAdmin(actor);
  if (!isUuid(id)) throw notFound('settlement', { id });
  const [settlement] = await deps.db.select().from(settlements).where(eq(settlements.id, id));
  if (!settlement) throw notFound('settlement', { id });
  const shares = await deps.db
    .select({ earning: earnings, providerName: providers.name })
    .from(earnings)
    .innerJoin(providers, eq(providers.id, earnings.providerId))
    .where(eq(earnings.settlementId, id))
    .orderBy(desc(earnings.net));
  const paid = shares.some((s) => s.earning.payoutId)
    ? await deps.db
        .select()
        .from(payouts)
        .where(
          inArray(
            payouts.id,
            shares.flatMap((s) => (s.earning.payoutId ? [s.earning.payoutId] : [])),
          ),
        )
    : [];
  const found = await deps.db
    .select({ discrepancy: discrepancies, serverName: servers.name })
    .from(discrepancies)
    .innerJoin(servers, eq(servers.id, discrepancies.serverId))
    .where(eq(discrepancies.settlementId, id));
  return {
    settlement,
    earnings: shares.map((s) => ({
      ...s.earning,
      providerName: s.providerName,
      payout: paid.find((p) => p.id === s.earning.payoutId) ?? null,
    })),
    discrepancies: found.map((d) => ({ ...d.discrepancy, serverName: d.serverName })),
  };
}

/** A provider's state in the seed's words, as its portal shows it. */
export const providerStates = [
  'serving_requests',
  'metrics_collected',
  'payout_calculated',
  'funds_claimable',
] as const;
export type ProviderState = (typeof providerStates)[number];

/**
 * The provider's own earnings (each settlement's share), payouts (newest first), what it can claim
 * and what served calls earned since the last settlement, and its state: a payout on its way is
 * `payout_calculated`; earnings waiting `funds_claimable`; calls waiting for settlement
 * `metrics_collected`; otherwise `serving_requests`.
 */
export async function providerEarnings(db: Db, provider: Pick<Provider, 'id' | 'kycState'>) {
  const providerId = provider.id;
  const shares = await queryRows<{
    settlement_id: string;
    period_end: string;
    calls: number;
    gross: string;
    fee: string;
    net: string;
    share_bps: number;
    balance_after: string;
  }>(
    db,
    sql`SELECT e.settlement_id, s.period_end::text, e.calls, e.gross::text, e.fee::text, e.net::text, e.share_bps, e.balance_after::text
        FROM gateway_earnings e JOIN gateway_settlements s ON s.id = e.settlement_id
        WHERE e.provider_id = ${providerId} ORDER BY s.period_end DESC LIMIT 200`,
  );
  const paid = await db
    .select()
    .from(payouts)
    .where(eq(payouts.providerId, providerId))
    .orderBy(desc(payouts.createdAt))
    .limit(200);
  const available = await earningsAvailable(db, providerId);
  const [unsettled] = await queryRows<{ total: string }>(
    db,
    sql`SELECT coalesce(sum(price), 0)::text AS total FROM gateway_calls
        WHERE provider_id = ${providerId} AND state = 'served' AND settlement_id IS NULL`,
  );
  const state: ProviderState = paid.some((p) => p.state === 'pending')
    ? 'payout_calculated'
    : available > 0n
      ? 'funds_claimable'
      : unsettled!.total !== '0'
        ? 'metrics_collected'
        : 'serving_requests';
  return {
    shares,
    payouts: paid,
    available,
    unsettled: BigInt(unsettled!.total),
    canClaim: provider.kycState === 'approved' && available > 0n,
    state,
  };
}

export async function resolveDiscrepancy(deps: Pick<GatewayDeps, 'db' | 'clock'>, actor: Actor, id: string) {
  requireAdmin(actor);
  if (!isUuid(id)) throw notFound('discrepancy', { id });
  const [resolved] = await deps.db
    .update(discrepancies)
    .set({ resolvedAt: deps.clock.now(), resolvedBy: actor.userId })
    .where(and(eq(discrepancies.id, id), isNull(discrepancies.resolvedAt)))
    .returning();
  if (!resolved) {
    const [existing] = await deps.db.select().from(discrepancies).where(eq(discrepancies.id, id));
    if (!existing) throw notFound('discrepancy', { id });
    return existing;
  }
  await recordAudit(deps.db, deps.clock, actor, {
    action: 'gateway.discrepancy_resolved',
    objectType: 'gateway_discrepancy',
    objectId: id,
  });
  return resolved;
}
