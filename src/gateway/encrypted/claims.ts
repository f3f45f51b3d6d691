import { and, desc, eq } from 'drizzle-orm';
import { encodeFunctionData, getAddress } from 'viem';
import * as EncryptedCreditsContract from '../../chain/contracts/EncryptedCredits';
import { estimateGasLimit, queueTransaction, type Settlement } from '../../chain/sender/sender';
import type { Ciphertext } from '../../chain/zk/elgamal';
import { readAccount, withdrawArguments } from '../../chain/zk/encrypted-credits';
import { type Proof, verify } from '../../chain/zk/proofs';
import { withdrawPublicSignals } from '../../chain/zk/statements';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, refusingUniqueViolations } from '../../core/database';
import { databaseStep, defineFlow, type Flow } from '../../core/flows';
import { newId } from '../../core/ids';
import { applyBalanceOps } from '../../ledger/engine';
import { partId } from '../../ledger/holds';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { availableIn, encryptedAccountOf, endHeldTransfer, GATEWAY_ACCOUNTS, USDC_LEDGER } from '../ledger';
import type { Provider } from '../providers/service';
import { encryptedBatches, encryptedClaims, payouts } from '../schema';
import { type EncryptedAccount, findProviderAccount, keyOfAccount } from './accounts';
import { lockEncryptedPayments } from './payouts';
import { requireEncryptedCredits } from './runtime';

export type EncryptedClaim = typeof encryptedClaims.$inferSelect;

/** The treasury's transactions that submit a provider's proven withdrawal. */
export const CLAIM_PURPOSE = 'gateway.encrypted_claim';

/** What the provider's encrypted account holds by the ledger: paid into it, not claimed yet. */
export const encryptedAvailable = (db: Db, providerId: string): Promise<bigint> =>
  availableIn(db, encryptedAccountOf(providerId));

/** The provider's encrypted account as the chain holds it now: the owner's ciphertext, which only its key reads. */
export async function readAccountCiphertexts(
  deps: GatewayDeps,
  account: EncryptedAccount,
): Promise<{ balance: Ciphertext; audit: Ciphertext }> {
  const credits = await requireEncryptedCredits(deps);
  const held = await readAccount(
    credits.chain.client.publicClient,
    credits.contract,
    getAddress(account.address),
  );
  return { balance: held.balance, audit: held.audit };
}

export async function listClaims(db: Db, providerId: string): Promise<EncryptedClaim[]> {
  return db
    .select()
    .from(encryptedClaims)
    .where(eq(encryptedClaims.providerId, providerId))
    .orderBy(desc(encryptedClaims.createdAt))
    .limit(50);
}

/** Whether a batch paying into the account is on its way: a claim proven now would be refused once it lands. */
export async function payoutLanding(db: Db, address: string): Promise<boolean> {
  const [incoming] = await db
    .select({ id: payouts.id })
    .from(payouts)
    .innerJoin(encryptedBatches, eq(encryptedBatches.id, payouts.batchId))
    .where(and(eq(payouts.toAddress, address), eq(encryptedBatches.state, 'paying')))
    .limit(1);
  return incoming !== undefined;
}

/**
 * A provider claims `amount` of its encrypted balance to USDC, at its own address: the withdrawal
 * it proved in its browser with its own key is checked against the balance on chain now, the
 * amount held on its encrypted-balance account, and the treasury's submission queued, in one
 * transaction. Only with approved KYC, one claim at a time, never more than the ledger says the
 * account holds.
 */
export async function claimEncrypted(
  deps: GatewayDeps,
  actor: Actor,
  provider: Provider,
  input: { amount: bigint; newBalance: Ciphertext; proof: Proof['proof'] },
): Promise<EncryptedClaim> {
  if (provider.kycState !== 'approved')
    throw gatewayErrors.error(
      'kyc_not_approved',
      'only a provider with approved KYC can claim funds: submit your documents first',
    );
  const credits = await requireEncryptedCredits(deps);
  const account = await findProviderAccount(deps.db, provider.id);
  if (account?.state !== 'registered')
    throw gatewayErrors.error('no_encrypted_account', 'register the key of your encrypted account first');
  const [pending] = await deps.db
    .select({ id: encryptedClaims.id })
    .from(encryptedClaims)
    .where(and(eq(encryptedClaims.providerId, provider.id), eq(encryptedClaims.state, 'pending')));
  if (pending)
    throw gatewayErrors.error('claim_pending', 'a claim of your encrypted balance is on its way already');
  const available = await encryptedAvailable(deps.db, provider.id);
  if (input.amount <= 0n || input.amount > available)
    throw gatewayErrors.error(
      'nothing_to_claim',
      `your encrypted balance holds ${available} micro-USDC to claim; ask for no more than that`,
      { field: 'amount', available: available.toString() },
    );

  const address = getAddress(account.address);
  const held = await readAccountCiphertexts(deps, account);
  const statement = {
    publicKey: keyOfAccount(account),
    balance: held.balance,
    newBalance: input.newBalance,
    amount: input.amount,
    recipient: BigInt(address),
  };
  const proof = { proof: input.proof, publicSignals: withdrawPublicSignals(statement) };
  const verified = await verify('withdraw', proof).catch(() => false);
  if (!verified)
    throw gatewayErrors.error(
      'invalid_claim_proof',
      'the withdrawal proof does not verify against your encrypted balance on chain now: read it again and prove again',
      { reason: 'does_not_verify' },
    );
  const data = encodeFunctionData({
    abi: EncryptedCreditsContract.abi,
    functionName: 'withdraw',
    args: withdrawArguments(address, statement, proof),
  });
  const { chain, contract } = credits;
  const gasLimit = await estimateGasLimit(
    chain.client,
    { from: chain.treasury.address, to: contract, data },
    { maxGasLimit: chain.settings.maxGasLimit },
  );
  return deps.db.transaction(async (tx) => {
    // A payout into the account on its way would land first and change the balance this claim was
    // proven over: the claim waits for it, under the lock batches are sent under.
    await lockEncryptedPayments(tx);
    if (await payoutLanding(tx, account.address))
      throw gatewayErrors.error(
        'payout_on_its_way',
        'a payout into your encrypted account is on its way: once it has landed (a minute or so), read your balance and claim again',
      );
    const id = newId();
    const holdId = partId(id, 1);
    const [hold] = await applyBalanceOps(
      tx,
      [
        {
          op: 'hold',
          id: holdId,
          ledger: USDC_LEDGER,
          code: 'gateway_encrypted_claim',
          from: [{ accountId: encryptedAccountOf(provider.id) }],
          to: GATEWAY_ACCOUNTS.onchain,
          amount: input.amount,
          metadata: { claim_id: id },
        },
      ],
      { clock: deps.clock },
    );
    if (hold?.result !== 'ok')
      throw gatewayErrors.error('nothing_to_claim', 'your encrypted balance holds less than that now', {
        available: (hold?.available ?? 0n).toString(),
      });
    const queued = await queueTransaction(tx, deps.clock, {
      chainId: chain.client.chainId,
      from: chain.treasury.address,
      to: contract,
      data,
      gasLimit,
      purpose: CLAIM_PURPOSE,
      idempotencyKey: `${CLAIM_PURPOSE}:${id}`,
      metadata: { claim_id: id },
    });
    const [claim] = await refusingUniqueViolations(
      () =>
        tx
          .insert(encryptedClaims)
          .values({
            id,
            providerId: provider.id,
            address: account.address,
            amount: input.amount,
            state: 'pending',
            holdId,
            transactionId: queued.id,
            createdAt: deps.clock.now(),
          })
          .returning(),
      {
        // Two claims at once: the second finds the first pending.
        gateway_encrypted_claims_pending_idx: () =>
          gatewayErrors.error('claim_pending', 'a claim of your encrypted balance is on its way already'),
      },
    );
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.encrypted_claimed',
      objectType: 'gateway_encrypted_claim',
      objectId: id,
      details: { amount: input.amount.toString(), to: address },
    });
    return claim!;
  });
}

/** A claim confirmed captures its hold (the USDC left); refused on chain, it is released: prove again. */
export function claimSettlement(deps: Pick<GatewayDeps, 'clock'>): Flow<Settlement> {
  return defineFlow<Settlement>({
    name: 'gateway.settle_encrypted_claim',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        const [claim] = await tx
          .select()
          .from(encryptedClaims)
          .where(eq(encryptedClaims.transactionId, input.transactionId))
          .for('update');
        if (claim?.state !== 'pending') return null;
        const paid = input.state === 'confirmed';
        await endHeldTransfer(tx, deps.clock, claim.id, claim.holdId, paid);
        await tx
          .update(encryptedClaims)
          .set({
            state: paid ? 'paid' : 'failed',
            failure: paid
              ? null
              : 'the withdrawal was refused on chain (the balance changed after it was proven): claim again',
            finishedAt: deps.clock.now(),
          })
          .where(eq(encryptedClaims.id, claim.id));
        return { state: paid ? 'paid' : 'failed' };
      }),
    ],
  });
}
