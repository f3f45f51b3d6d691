import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { encodeFunctionData, getAddress, type Hex, keccak256, toHex } from 'viem';
import { authorizationTerms } from '../../chain/authorizations';
import * as EncryptedCreditsContract from '../../chain/contracts/EncryptedCredits';
import { estimateGasLimit, queueTransaction, type Settlement } from '../../chain/sender/sender';
import { amountLimit, holdsAmount } from '../../chain/zk/elgamal';
import {
  type AccountCiphertexts,
  afterMove,
  moveArgument,
  type PlannedMove,
  planMove,
  planMovesFrom,
  readAccount,
} from '../../chain/zk/encrypted-credits';
import type { Db } from '../../core/database';
import { databaseStep, defineFlow, type Flow } from '../../core/flows';
import { notify } from '../../core/notifications/service';
import { applyBalanceOps } from '../../ledger/engine';
import { idFromKey, partId } from '../../ledger/holds';
import type { GatewayDeps } from '../deps';
import {
  earningsAccountOf,
  endHeldTransfer,
  ensureEncryptedAccount,
  formatUsdc,
  GATEWAY_NAMESPACE,
  USDC_LEDGER,
} from '../ledger';
import { GATEWAY_NOTIFICATIONS } from '../notifications';
import type { Provider } from '../providers/service';
import { encryptedAccounts, encryptedBatches, encryptedClaims, encryptedSweeps, payouts } from '../schema';
import { type EncryptedAccount, keyOfAccount } from './accounts';
import {
  type EncryptedCredits,
  findEncryptedCredits,
  gatewayProvers,
  isPassingTrouble,
  requireEncryptedCredits,
} from './runtime';
import { depositsOnTheirWay, type SweepDue, spendingValueOnChain, sweepsDue } from './spending';

export type EncryptedBatch = typeof encryptedBatches.$inferSelect;
type Payout = typeof payouts.$inferSelect;

/** The treasury's deposit of a settlement's encrypted payouts into the pool. */
export const FUNDING_PURPOSE = 'gateway.encrypted_funding';
/** A batch of encrypted payouts out of the pool. */
export const PAYING_PURPOSE = 'gateway.encrypted_payouts';

/**
 * A move's gas, measured on the contract (`npm run bench:proofs`: one proof verified, four
 * ciphertexts written, eight curve additions): about 472,000, and 617,000 for a provider's first
 * payout, which writes its account's empty slots; rounded up, so a batch of first payouts still fits
 * the chain's gas limit.
 */
const MOVE_GAS = 650_000n;
/** A batch refused on chain (its pool changed under it) is proven again this many times, then failed. */
const MAX_ATTEMPTS = 3;
/** How long a process has to prove and send a batch before another may: a batch's proofs take seconds. */
const PROVING_LEASE_MS = 5 * 60_000;
/** How long a batch waits for a swept account to read as Tally's record before leaving its sweep to a later run. */
export const SWEEP_PATIENCE_MS = 10 * 60_000;

export type EncryptedPayoutEntry = { provider: Provider; account: EncryptedAccount; amount: bigint };

/**
 * A settlement's work on the encrypted credits: what people spent out of their encrypted accounts
 * since the last run is swept into the pool (`sweepsDue`), and the run's payouts leave the pool for
 * providers' encrypted accounts. Each payout is held on the provider's earnings; the treasury
 * deposits into the pool only what the pool will lack (one public sum for the whole run); the
 * moves, sweeps first, are split into batches of as many as a transaction can verify. Once the
 * deposit is confirmed, `proveEncryptedBatches` proves each batch's moves in parallel and sends it;
 * its confirmation captures the holds into the providers' encrypted accounts. A settlement's moves
 * are made once, whatever re-runs.
 */
export async function payEncrypted(
  deps: GatewayDeps,
  settlementId: string,
  entries: readonly EncryptedPayoutEntry[],
): Promise<Map<string, Payout>> {
  const made = new Map<string, Payout>();
  const credits = entries.length > 0 ? await requireEncryptedCredits(deps) : await findEncryptedCredits(deps);
  if (!credits) return made;
  const { chain } = credits;
  const [ran] = await deps.db
    .select({ id: encryptedBatches.id })
    .from(encryptedBatches)
    .where(eq(encryptedBatches.settlementId, settlementId))
    .limit(1);
  if (ran) {
    const existing = await deps.db
      .select()
      .from(payouts)
      .where(and(eq(payouts.settlementId, settlementId), sql`${payouts.batchId} IS NOT NULL`));
    for (const payout of existing) made.set(payout.providerId, payout);
    return made;
  }
  const surplus = await poolSurplus(deps.db);
  // The pool must stay provable (below 2^40 micro-USDC, with the run's own margin): sweeps that
  // would take it beyond wait in people's accounts, which still hold them, for a later run.
  const sweeps: SweepDue[] = [];
  let swept = 0n;
  for (const sweep of await sweepsDue(deps.db)) {
    if (surplus + swept + sweep.amount >= amountLimit / 2n) break;
    sweeps.push(sweep);
    swept += sweep.amount;
  }
  if (entries.length === 0 && sweeps.length === 0) return made;
  const total = entries.reduce((sum, entry) => sum + entry.amount, 0n);
  // What the pool holds beyond what the batches on their way will take (the platform's fees on
  // what people spent, or a batch that failed after its funding), and what this run sweeps into it,
  // pay first; the treasury deposits only the rest.
  const deposit = total - minimum(total, surplus + swept);
  const funding = deposit > 0n ? await fundingTransaction(credits, settlementId, deposit) : null;
  const perBatch = Math.max(1, Number(((chain.settings.maxGasLimit * 9n) / 10n - 100_000n) / MOVE_GAS));
  type Planned = { sweep: SweepDue } | { payout: EncryptedPayoutEntry };
  const moves: Planned[] = [
    ...sweeps.map((sweep) => ({ sweep })),
    ...[...entries].sort((a, b) => (a.provider.id < b.provider.id ? -1 : 1)).map((payout) => ({ payout })),
  ];

  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const queued = funding
      ? await queueTransaction(tx, deps.clock, {
          chainId: chain.client.chainId,
          from: chain.treasury.address,
          to: credits.contract,
          data: funding.data,
          gasLimit: funding.gasLimit,
          purpose: FUNDING_PURPOSE,
          idempotencyKey: `${FUNDING_PURPOSE}:${settlementId}`,
          metadata: { settlement_id: settlementId },
        })
      : null;
    for (let start = 0; start < moves.length; start += perBatch) {
      const chunk = moves.slice(start, start + perBatch);
      const batchId = idFromKey(GATEWAY_NAMESPACE, 'encrypted-batch', settlementId, String(start));
      await tx.insert(encryptedBatches).values({
        id: batchId,
        settlementId,
        total: chunk.reduce((sum, move) => sum + ('payout' in move ? move.payout.amount : 0n), 0n),
        swept: chunk.reduce((sum, move) => sum + ('sweep' in move ? move.sweep.amount : 0n), 0n),
        funded: start === 0 ? deposit : 0n,
        // With nothing to deposit the pool holds the run already: its batches wait for their proofs.
        ...(queued
          ? { state: 'funding' as const, fundingTransactionId: queued.id }
          : { state: 'proving' as const, fundedAt: now }),
        // The batches of a run are proven in this order: sweeps fill the pool before payouts leave it.
        createdAt: new Date(now.getTime() + start),
      });
      for (const move of chunk) {
        if ('sweep' in move) {
          await tx.insert(encryptedSweeps).values({
            id: idFromKey(GATEWAY_NAMESPACE, 'encrypted-sweep', settlementId, move.sweep.account.address),
            batchId,
            userId: move.sweep.account.userId,
            address: move.sweep.account.address,
            amount: move.sweep.amount,
            state: 'pending',
            createdAt: now,
          });
          continue;
        }
        const entry = move.payout;
        const id = payoutIdOf(settlementId, entry.provider.id);
        const holdId = partId(id, 1);
        const to = await ensureEncryptedAccount(tx, deps.clock, entry.provider.id);
        const [held] = await applyBalanceOps(
          tx,
          [
            {
              op: 'hold',
              id: holdId,
              ledger: USDC_LEDGER,
              code: 'gateway_payout',
              from: [{ accountId: earningsAccountOf(entry.provider.id) }],
              to,
              amount: entry.amount,
              metadata: { payout_id: id },
            },
          ],
          { clock: deps.clock },
        );
        if (held?.result !== 'ok')
          throw new Error(
            `the earnings of ${entry.provider.id} could not hold ${entry.amount}: ${held?.result}`,
          );
        const [payout] = await tx
          .insert(payouts)
          .values({
            id,
            providerId: entry.provider.id,
            settlementId,
            amount: entry.amount,
            toAddress: entry.account.address,
            state: 'pending',
            holdId,
            batchId,
            createdAt: now,
          })
          .returning();
        made.set(entry.provider.id, payout!);
      }
    }
    return made;
  });
}

const payoutIdOf = (settlementId: string, providerId: string): string =>
  idFromKey(GATEWAY_NAMESPACE, 'payout', settlementId, providerId);

/**
 * The treasury's deposit of `total` into the pool: its own EIP-3009 authorization to the contract,
 * under a nonce derived from the settlement, so the same run can never be funded twice on chain.
 */
async function fundingTransaction(
  credits: EncryptedCredits,
  settlementId: string,
  total: bigint,
): Promise<{ data: Hex; gasLimit: bigint }> {
  const { chain, contract } = credits;
  const terms = await authorizationTerms(chain);
  const nonce = keccak256(toHex(`${FUNDING_PURPOSE}:${settlementId}`));
  // The token reads the window against block time, so it is set from the chain's clock. Only this
  // contract can take a ReceiveWithAuthorization to it, and only from the operator: a long window
  // gives nobody else anything.
  const latest = await chain.client.publicClient.getBlock();
  const validBefore = latest.timestamp + 30n * 24n * 3600n;
  const signature = await chain.treasury.signTypedData({
    domain: {
      name: terms.token.name,
      version: terms.token.version,
      chainId: terms.chainId,
      verifyingContract: terms.token.address,
    },
    types: { ReceiveWithAuthorization: terms.types.ReceiveWithAuthorization },
    primaryType: 'ReceiveWithAuthorization',
    message: { from: chain.treasury.address, to: contract, value: total, validAfter: 0n, validBefore, nonce },
  });
  const data = encodeFunctionData({
    abi: EncryptedCreditsContract.abi,
    functionName: 'deposit',
    args: [chain.treasury.address, contract, total, 0n, validBefore, nonce, signature],
  });
  const gasLimit = await estimateGasLimit(
    chain.client,
    { from: chain.treasury.address, to: contract, data },
    { maxGasLimit: chain.settings.maxGasLimit },
  );
  return { data, gasLimit };
}

/**
 * What the pool holds by Tally's records: what every confirmed funding brought and every paid
 * batch swept in, less what the paid batches paid out. The auditor key must read exactly this in
 * the pool before a batch is proven from it.
 */
export async function expectedPoolValue(db: Db): Promise<bigint> {
  const [row] = await db
    .select({
      funded: sql<string>`coalesce(sum(${encryptedBatches.funded}) filter (where ${encryptedBatches.fundedAt} is not null), 0)`,
      moved: sql<string>`coalesce(sum(${encryptedBatches.swept} - ${encryptedBatches.total}) filter (where ${encryptedBatches.state} = 'paid'), 0)`,
    })
    .from(encryptedBatches);
  return BigInt(row?.funded ?? 0) + BigInt(row?.moved ?? 0);
}

/**
 * What the pool will hold to spare once every batch on its way is paid: what all fundings not
 * failed bring and the batches paid or on their way sweep in, less what those batches pay out.
 */
async function poolSurplus(db: Db): Promise<bigint> {
  const [row] = await db
    .select({
      brought: sql<string>`coalesce(sum(${encryptedBatches.funded}) filter (where ${encryptedBatches.fundedAt} is not null or ${encryptedBatches.state} = 'funding'), 0)`,
      moved: sql<string>`coalesce(sum(${encryptedBatches.swept} - ${encryptedBatches.total}) filter (where ${encryptedBatches.state} <> 'failed'), 0)`,
    })
    .from(encryptedBatches);
  return BigInt(row?.brought ?? 0) + BigInt(row?.moved ?? 0);
}

const minimum = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** When the funding is confirmed its batches wait to be proven; when it failed, so do they. */
export function fundingSettlement(deps: GatewayDeps): Flow<Settlement> {
  return defineFlow<Settlement>({
    name: 'gateway.settle_encrypted_funding',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        const batches = await tx
          .select()
          .from(encryptedBatches)
          .where(
            and(
              eq(encryptedBatches.fundingTransactionId, input.transactionId),
              eq(encryptedBatches.state, 'funding'),
            ),
          )
          .for('update');
        if (batches.length === 0) return null;
        const funded = input.state === 'confirmed';
        for (const batch of batches) {
          if (funded)
            await tx
              .update(encryptedBatches)
              .set({ state: 'proving', fundedAt: deps.clock.now() })
              .where(eq(encryptedBatches.id, batch.id));
          else
            await failBatch(
              tx,
              deps,
              batch,
              `the treasury’s deposit into the pool was ${input.state} on chain`,
            );
        }
        return { state: funded ? 'proving' : 'failed', batches: batches.length };
      }),
    ],
  });
}

/**
 * Releases a failed batch's holds (its payouts are claimable again) and tells its providers; its
 * sweeps did not happen on chain, so the next settlement sweeps those accounts again.
 */
async function failBatch(tx: Db, deps: GatewayDeps, batch: EncryptedBatch, reason: string): Promise<void> {
  await tx
    .update(encryptedBatches)
    .set({ state: 'failed', failure: reason, finishedAt: deps.clock.now() })
    .where(eq(encryptedBatches.id, batch.id));
  await endSweeps(tx, deps, batch.id, 'failed');
  const pending = await tx
    .select()
    .from(payouts)
    .where(and(eq(payouts.batchId, batch.id), eq(payouts.state, 'pending')));
  for (const payout of pending) {
    await endHeldTransfer(tx, deps.clock, payout.id, payout.holdId, false);
    await tx
      .update(payouts)
      .set({
        state: 'failed',
        failure: `${reason}: the amount is claimable again`,
        finishedAt: deps.clock.now(),
      })
      .where(eq(payouts.id, payout.id));
    await tellPayout(tx, deps, payout, false);
  }
}

async function endSweeps(
  tx: Db,
  deps: GatewayDeps,
  batchId: string,
  state: 'done' | 'failed',
): Promise<void> {
  await tx
    .update(encryptedSweeps)
    .set({ state, finishedAt: deps.clock.now() })
    .where(and(eq(encryptedSweeps.batchId, batchId), eq(encryptedSweeps.state, 'pending')));
}

async function tellPayout(tx: Db, deps: GatewayDeps, payout: Payout, paid: boolean): Promise<void> {
  const [account] = await tx
    .select()
    .from(encryptedAccounts)
    .where(eq(encryptedAccounts.address, payout.toAddress));
  await notify(
    tx,
    { clock: deps.clock, types: deps.notificationTypes, publicUrl: deps.publicUrl },
    {
      userId: account!.userId,
      type: GATEWAY_NOTIFICATIONS.payout,
      title: paid
        ? `${formatUsdc(payout.amount)} was paid into your encrypted balance`
        : `An encrypted payout of ${formatUsdc(payout.amount)} failed`,
      body: paid
        ? 'Nobody but you and Tally can read the amount on chain. Claim it to USDC in the provider portal when you like.'
        : 'The amount is back in your earnings: claim it in the provider portal.',
      link: '/gateway/provider/earnings',
      dedupeKey: `payout:${payout.id}`,
    },
  );
}

/**
 * Leaves a sweep to a later run: the account still holds what it would have moved, and the next
 * settlement sweeps it again. A batch left with nothing to move fails (its sweeps did not happen);
 * otherwise it moves the rest, and the pool expects what the rest brings.
 */
async function dropSweep(
  deps: GatewayDeps,
  batch: EncryptedBatch,
  sweep: typeof encryptedSweeps.$inferSelect,
  swept: bigint,
): Promise<void> {
  deps.log.warn(
    { batch: batch.id, sweep: sweep.id },
    'gateway: a sweep is left to a later run: its account did not read as Tally’s record',
  );
  await deps.db.transaction(async (tx) => {
    await tx
      .update(encryptedSweeps)
      .set({ state: 'failed', finishedAt: deps.clock.now() })
      .where(and(eq(encryptedSweeps.id, sweep.id), eq(encryptedSweeps.state, 'pending')));
    if (batch.total + swept === 0n)
      await failBatch(tx, deps, batch, 'none of its sweeps could be proven: each is left to a later run');
    else await tx.update(encryptedBatches).set({ swept }).where(eq(encryptedBatches.id, batch.id));
  });
}

export type ProvingOutcome =
  | { state: 'idle' }
  | { state: 'waiting'; reason: string }
  | { state: 'sent'; batchId: string; moves: number };

/**
 * Proves the oldest funded batch and sends it: one at a time, since each batch starts from the pool
 * as the one before it leaves it. The pool is read from the chain and must decrypt, under the
 * auditor key, to what Tally's records say it holds; a chain that is behind is waited for. Every
 * payout of the batch is planned from the pool's successive balances first, then all are proven
 * at once on the process's provers.
 */
export async function proveEncryptedBatches(deps: GatewayDeps): Promise<ProvingOutcome> {
  const [paying] = await deps.db
    .select({ id: encryptedBatches.id })
    .from(encryptedBatches)
    .where(eq(encryptedBatches.state, 'paying'))
    .limit(1);
  if (paying) return { state: 'waiting', reason: 'a batch is on its way' };
  // The oldest batch not paid goes first, even while its funding is on its way: a later run's
  // batches may count on what it brings into the pool.
  const [batch] = await deps.db
    .select()
    .from(encryptedBatches)
    .where(inArray(encryptedBatches.state, ['funding', 'proving']))
    .orderBy(asc(encryptedBatches.createdAt), asc(encryptedBatches.id))
    .limit(1);
  if (!batch) return { state: 'idle' };
  if (batch.state === 'funding')
    return { state: 'waiting', reason: 'the oldest batch waits for its funding' };
  // One process proves a batch: proving takes every core for seconds, and only one proof can be sent.
  const now = deps.clock.now();
  const [leased] = await deps.db
    .update(encryptedBatches)
    .set({ provingUntil: new Date(now.getTime() + PROVING_LEASE_MS) })
    .where(
      and(
        eq(encryptedBatches.id, batch.id),
        eq(encryptedBatches.state, 'proving'),
        or(isNull(encryptedBatches.provingUntil), lt(encryptedBatches.provingUntil, now)),
      ),
    )
    .returning({ id: encryptedBatches.id });
  if (!leased) return { state: 'waiting', reason: 'another process is proving it' };
  // A claim of a payee's account on its way was proven over its balance as it is: a payout landing
  // first would have it refused on chain. The batch waits for it (a claim lands within a minute).
  const claiming = await claimsInTheWay(deps.db, batch.id);
  if (claiming) {
    await leaveForNextRun(deps, batch.id);
    return { state: 'waiting', reason: claiming };
  }
  const credits = await requireEncryptedCredits(deps);
  const { chain, contract, auditor } = credits;

  const [pool, poolValue] = await Promise.all([
    readAccount(chain.client.publicClient, contract, contract),
    expectedPoolValue(deps.db),
  ]);
  if (!holdsAmount(pool.audit, auditor.secret, poolValue)) {
    await leaveForNextRun(deps, batch.id);
    return { state: 'waiting', reason: 'the pool on chain does not read as Tally’s records say yet' };
  }

  // The sweeps first, each from the person's account as the chain holds it, into the pool; then the
  // payouts from the pool as the sweeps leave it.
  const sweeping = await deps.db
    .select({ sweep: encryptedSweeps, account: encryptedAccounts })
    .from(encryptedSweeps)
    .innerJoin(encryptedAccounts, eq(encryptedAccounts.address, encryptedSweeps.address))
    .where(and(eq(encryptedSweeps.batchId, batch.id), eq(encryptedSweeps.state, 'pending')))
    .orderBy(asc(encryptedSweeps.address));
  const planned: PlannedMove[] = [];
  let poolHeld: AccountCiphertexts = pool;
  let swept = batch.swept;
  const waitedSince = (batch.fundedAt ?? batch.createdAt).getTime();
  for (const { sweep, account } of sweeping) {
    // A deposit into the account on its way would change it under the proof; an account that does
    // not read as Tally's record is behind on a lagging chain, or drifted (the audit reports it).
    // Either is waited for a while, then the sweep is left to a later run rather than hold up
    // every payout behind this batch.
    const changing = (await depositsOnTheirWay(deps.db, account.address)).length > 0;
    const held = await readAccount(chain.client.publicClient, contract, getAddress(account.address));
    const value = changing
      ? undefined
      : await spendingValueOnChain(deps.db, account.address, held.audit, auditor.secret);
    if (value === undefined) {
      if (now.getTime() - waitedSince < SWEEP_PATIENCE_MS) {
        await leaveForNextRun(deps, batch.id);
        return {
          state: 'waiting',
          reason: `${account.address} on chain is changing or does not read as Tally’s records say yet`,
        };
      }
      swept -= sweep.amount;
      await dropSweep(deps, batch, sweep, swept);
      if (batch.total + swept === 0n)
        return { state: 'waiting', reason: 'the batch had nothing left to move' };
      continue;
    }
    const move = planMove({
      auditor,
      from: getAddress(account.address),
      fromKey: keyOfAccount(account),
      fromAudit: held.audit,
      fromValue: value,
      to: contract,
      toKey: auditor.publicKey,
      amount: sweep.amount,
    });
    poolHeld = afterMove(move.witness.statement, held, poolHeld).to;
    planned.push(move);
  }
  const members = await deps.db
    .select({ payout: payouts, account: encryptedAccounts })
    .from(payouts)
    .innerJoin(encryptedAccounts, eq(encryptedAccounts.address, payouts.toAddress))
    .where(and(eq(payouts.batchId, batch.id), eq(payouts.state, 'pending')))
    .orderBy(asc(payouts.providerId));
  let data: Hex;
  let gasLimit: bigint;
  try {
    // A pool short of the payouts (a sweep left to a later run) cannot prove them: an attempt.
    if (poolValue + swept < batch.total)
      throw new Error(`the pool holds ${poolValue + swept}, less than the batch's ${batch.total}`);
    planned.push(
      ...planMovesFrom({
        auditor,
        from: contract,
        fromKey: auditor.publicKey,
        fromAudit: poolHeld.audit,
        fromValue: poolValue + swept,
        to: members.map(({ payout, account }) => ({
          address: getAddress(account.address),
          key: keyOfAccount(account),
          amount: payout.amount,
        })),
      }),
    );
    const provers = gatewayProvers();
    const proofs = await Promise.all(planned.map((move) => provers.prove('transfer', move.witness.inputs)));
    data = encodeFunctionData({
      abi: EncryptedCreditsContract.abi,
      functionName: 'move',
      args: [
        planned.map((move, index) =>
          moveArgument({ from: move.from, to: move.to, statement: move.witness.statement }, proofs[index]!),
        ),
      ],
    });
    gasLimit = await estimateGasLimit(
      chain.client,
      { from: chain.treasury.address, to: contract, data },
      { maxGasLimit: chain.settings.maxGasLimit },
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (isPassingTrouble(error)) {
      deps.log.warn(
        { err: error, batch: batch.id },
        'gateway: an encrypted payout batch waits for the chain or the provers',
      );
      await leaveForNextRun(deps, batch.id);
      return { state: 'waiting', reason };
    }
    // A batch that cannot be proven or sent counts an attempt, as one refused on chain does: it is
    // failed in the end and its amounts go back to the earnings, rather than blocking every batch after it.
    deps.log.error(
      { err: error, batch: batch.id },
      'gateway: an encrypted payout batch could not be proven or sent',
    );
    await deps.db.transaction(async (tx) => {
      const [counted] = await tx
        .update(encryptedBatches)
        .set({ attempts: batch.attempts + 1, failure: reason, provingUntil: null })
        .where(and(eq(encryptedBatches.id, batch.id), eq(encryptedBatches.state, 'proving')))
        .returning();
      if (counted && counted.attempts >= MAX_ATTEMPTS)
        await failBatch(tx, deps, counted, `the batch could not be proven or sent: ${reason}`);
    });
    return { state: 'waiting', reason };
  }
  const sent = await deps.db.transaction(async (tx): Promise<string | true> => {
    // One batch on its way at a time, whichever process proved it: each starts from the pool as the
    // one before it leaves it, so a second sent beside it would be refused. Claims take the same
    // lock (`claims.ts`), so a claim and a payout to one account are never both on their way.
    await lockEncryptedPayments(tx);
    const [already] = await tx
      .select({ id: encryptedBatches.id })
      .from(encryptedBatches)
      .where(eq(encryptedBatches.state, 'paying'))
      .limit(1);
    if (already) return 'proven elsewhere';
    const claimingNow = await claimsInTheWay(tx, batch.id);
    if (claimingNow) return claimingNow;
    const [claimed] = await tx
      .update(encryptedBatches)
      .set({ state: 'paying', attempts: batch.attempts + 1 })
      .where(and(eq(encryptedBatches.id, batch.id), eq(encryptedBatches.state, 'proving')))
      .returning();
    // Another process proved it first: its transaction goes, this one is dropped.
    if (!claimed) return 'proven elsewhere';
    const queued = await queueTransaction(tx, deps.clock, {
      chainId: chain.client.chainId,
      from: chain.treasury.address,
      to: contract,
      data,
      gasLimit,
      purpose: PAYING_PURPOSE,
      idempotencyKey: `${PAYING_PURPOSE}:${batch.id}:${claimed.attempts}`,
      metadata: { batch_id: batch.id },
    });
    await tx
      .update(encryptedBatches)
      .set({ payingTransactionId: queued.id })
      .where(eq(encryptedBatches.id, batch.id));
    return true;
  });
  if (sent === true) return { state: 'sent', batchId: batch.id, moves: planned.length };
  await leaveForNextRun(deps, batch.id);
  return { state: 'waiting', reason: sent };
}

/**
 * The lock under which a batch is sent and a claim is queued: one batch on its way at a time, and
 * never a claim and a payout to the same account at once.
 */
export async function lockEncryptedPayments(tx: Db): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('gateway_encrypted_batches'))`);
}

/** Why the batch waits for a claim of one of its payees' accounts on its way, or null. */
async function claimsInTheWay(db: Db, batchId: string): Promise<string | null> {
  const [claim] = await db
    .select({ address: encryptedClaims.address })
    .from(encryptedClaims)
    .innerJoin(payouts, eq(payouts.toAddress, encryptedClaims.address))
    .where(and(eq(payouts.batchId, batchId), eq(encryptedClaims.state, 'pending')))
    .limit(1);
  return claim ? `a claim of ${claim.address} is on its way: the batch waits for it` : null;
}

/**
 * A batch confirmed captures each payout's hold into the provider's encrypted account; refused on
 * chain, it is proven again from the pool as it is then, a few times, and then failed.
 */
export function payingSettlement(deps: GatewayDeps): Flow<Settlement> {
  return defineFlow<Settlement>({
    name: 'gateway.settle_encrypted_payouts',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        const [batch] = await tx
          .select()
          .from(encryptedBatches)
          .where(
            and(
              eq(encryptedBatches.payingTransactionId, input.transactionId),
              eq(encryptedBatches.state, 'paying'),
            ),
          )
          .for('update');
        if (!batch) return null;
        if (input.state !== 'confirmed') {
          if (batch.attempts < MAX_ATTEMPTS) {
            await tx
              .update(encryptedBatches)
              .set({ state: 'proving', provingUntil: null })
              .where(eq(encryptedBatches.id, batch.id));
            return { state: 'proving', payouts: 0 };
          }
          await failBatch(tx, deps, batch, `the batch was refused on chain ${batch.attempts} times`);
          return { state: 'failed', payouts: 0 };
        }
        const pending = await tx
          .select()
          .from(payouts)
          .where(and(eq(payouts.batchId, batch.id), eq(payouts.state, 'pending')));
        for (const payout of pending) {
          await endHeldTransfer(tx, deps.clock, payout.id, payout.holdId, true);
          await tx
            .update(payouts)
            .set({ state: 'paid', finishedAt: deps.clock.now() })
            .where(eq(payouts.id, payout.id));
          await tellPayout(tx, deps, payout, true);
        }
        await endSweeps(tx, deps, batch.id, 'done');
        await tx
          .update(encryptedBatches)
          .set({ state: 'paid', finishedAt: deps.clock.now() })
          .where(eq(encryptedBatches.id, batch.id));
        return { state: 'paid', payouts: pending.length };
      }),
    ],
  });
}

/** Batches whose funding is confirmed and that are not paid yet: whether the pool is in the middle of a run. */
export async function batchesInFlight(db: Db): Promise<EncryptedBatch[]> {
  return db
    .select()
    .from(encryptedBatches)
    .where(inArray(encryptedBatches.state, ['funding', 'proving', 'paying']));
}

/** Gives up this process's lease on a batch it did not prove now: the next run, in any process, tries it. */
async function leaveForNextRun(deps: Pick<GatewayDeps, 'db'>, batchId: string): Promise<void> {
  await deps.db.update(encryptedBatches).set({ provingUntil: null }).where(eq(encryptedBatches.id, batchId));
}
