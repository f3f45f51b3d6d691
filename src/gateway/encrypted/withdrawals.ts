import { and, asc, eq, isNull } from 'drizzle-orm';
import { encodeFunctionData, getAddress, type Hex, keccak256 } from 'viem';
import * as EncryptedCreditsContract from '../../chain/contracts/EncryptedCredits';
import { estimateGasLimit, queueTransaction } from '../../chain/sender/sender';
import { planWithdrawal, readAccount, withdrawArguments } from '../../chain/zk/encrypted-credits';
import type { GatewayDeps } from '../deps';
import { endHeldTransfer } from '../ledger';
import { encryptedAccounts, withdrawals } from '../schema';
// The treasury's withdrawals' own purpose: their settlement captures or releases the hold alike.
import { WITHDRAWAL_PURPOSE } from '../withdrawals/service';
import type { EncryptedAccount } from './accounts';
import { findEncryptedCredits, gatewayProvers, isPassingTrouble } from './runtime';
import { depositsOnTheirWay, isMoving, spendingRecord, spendingValueOnChain } from './spending';

/**
 * A person's withdrawal out of their own encrypted account: the operator proves it with the
 * auditor key over the account's audited copy, and the contract pays the USDC to the account's own
 * wallet. It is the only way a person's credits leave the contract for them; the treasury's USDC
 * pays withdrawals to other wallets, and the next settlement then sweeps the account down to what
 * the ledger owes.
 */

type Withdrawal = typeof withdrawals.$inferSelect;

/**
 * The person's encrypted account a withdrawal of `amount` to `to` is paid from: their registered
 * account at that very wallet, when the chain holds enough by Tally's record and nothing else is
 * moving it (a sweep or another withdrawal on its way). Null: the treasury pays.
 */
export async function encryptedWithdrawalSource(
  deps: Pick<GatewayDeps, 'db' | 'chain'>,
  userId: string,
  to: string,
  amount: bigint,
): Promise<EncryptedAccount | null> {
  if (!(await findEncryptedCredits(deps))) return null;
  const [account] = await deps.db
    .select()
    .from(encryptedAccounts)
    .where(
      and(
        eq(encryptedAccounts.address, to.toLowerCase()),
        eq(encryptedAccounts.userId, userId),
        eq(encryptedAccounts.spending, true),
        eq(encryptedAccounts.state, 'registered'),
      ),
    );
  if (!account || (await isMoving(deps.db, account.address))) return null;
  return (await spendingRecord(deps.db, account.address)) >= amount ? account : null;
}

export type WithdrawalProving = { proven: number; waiting: number; failed: number };

/**
 * Proves every encrypted withdrawal that waits for its proof and queues it: from the account as the
 * chain holds it, read with the auditor key (a chain that is behind, or a sweep or deposit of the
 * account on its way, is waited for, as is an RPC or a prover in trouble). Two processes may prove
 * the same withdrawal; only one queues it. One that cannot be proven or that the chain cannot take
 * (its gas estimate refused) fails, and the person's credits are released, unless a twin's proof is
 * queued already.
 */
export async function proveEncryptedWithdrawals(deps: GatewayDeps): Promise<WithdrawalProving> {
  const outcome: WithdrawalProving = { proven: 0, waiting: 0, failed: 0 };
  const credits = await findEncryptedCredits(deps);
  if (!credits) return outcome;
  const { chain, contract, auditor } = credits;
  const waiting = await deps.db
    .select()
    .from(withdrawals)
    .where(
      and(
        eq(withdrawals.encrypted, true),
        eq(withdrawals.state, 'pending'),
        isNull(withdrawals.transactionId),
      ),
    )
    .orderBy(asc(withdrawals.createdAt));
  for (const withdrawal of waiting) {
    const address = getAddress(withdrawal.toAddress);
    // A sweep of the account, or a deposit into it, on its way changes the ciphertext the proof is
    // made over: the withdrawal waits for it rather than be refused on chain.
    const changing =
      (await isMoving(deps.db, withdrawal.toAddress, { sweepsOnly: true })) ||
      (await depositsOnTheirWay(deps.db, withdrawal.toAddress)).length > 0;
    const held = changing ? null : await readAccount(chain.client.publicClient, contract, address);
    const value = held
      ? await spendingValueOnChain(deps.db, withdrawal.toAddress, held.audit, auditor.secret)
      : undefined;
    if (!held || value === undefined) {
      outcome.waiting += 1;
      continue;
    }
    let data: Hex;
    let gasLimit: bigint;
    try {
      if (value < withdrawal.amount)
        throw new Error(`the encrypted account holds less than the ${withdrawal.amount} micro-USDC asked`);
      const witness = planWithdrawal({
        owner: auditor,
        balance: held.audit,
        value,
        amount: withdrawal.amount,
        recipient: address,
      });
      const proof = await gatewayProvers().prove('withdraw', witness.inputs);
      data = encodeFunctionData({
        abi: EncryptedCreditsContract.abi,
        functionName: 'withdrawAudited',
        args: withdrawArguments(address, witness.statement, proof),
      });
      gasLimit = await estimateGasLimit(
        chain.client,
        { from: chain.treasury.address, to: contract, data },
        { maxGasLimit: chain.settings.maxGasLimit },
      );
    } catch (error) {
      if (isPassingTrouble(error)) {
        deps.log.warn(
          { err: error, withdrawal: withdrawal.id },
          'gateway: an encrypted withdrawal waits for the chain or the provers',
        );
        outcome.waiting += 1;
        continue;
      }
      deps.log.error(
        { err: error, withdrawal: withdrawal.id },
        'gateway: an encrypted withdrawal could not be proven or sent',
      );
      await failWithdrawal(deps, withdrawal, error instanceof Error ? error.message : String(error));
      outcome.failed += 1;
      continue;
    }
    const queued = await deps.db
      .transaction(async (tx) => {
        const made = await queueTransaction(tx, deps.clock, {
          chainId: chain.client.chainId,
          from: chain.treasury.address,
          to: contract,
          data,
          gasLimit,
          purpose: WITHDRAWAL_PURPOSE,
          // Each proof is its own transaction: a twin proven by another process, or a proof made again
          // after a refusal on chain, never collides with this one.
          idempotencyKey: `${WITHDRAWAL_PURPOSE}:${withdrawal.id}:${keccak256(data)}`,
          metadata: { withdrawal_id: withdrawal.id },
        });
        const [claimed] = await tx
          .update(withdrawals)
          .set({ transactionId: made.id })
          .where(
            and(
              eq(withdrawals.id, withdrawal.id),
              eq(withdrawals.state, 'pending'),
              isNull(withdrawals.transactionId),
            ),
          )
          .returning({ id: withdrawals.id });
        // Another process queued it first: this transaction rolls back with its queued twin.
        if (!claimed) throw new ProvenElsewhere();
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof ProvenElsewhere) return false;
        throw error;
      });
    if (queued) outcome.proven += 1;
  }
  return outcome;
}

class ProvenElsewhere extends Error {}

async function failWithdrawal(deps: GatewayDeps, withdrawal: Withdrawal, reason: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const [failed] = await tx
      .update(withdrawals)
      .set({
        state: 'failed',
        failure: `the withdrawal out of your encrypted account could not be made (${reason}): the credits are back`,
        finishedAt: deps.clock.now(),
      })
      // Only while no proof of it is queued: a twin process may have queued one that the chain takes.
      .where(
        and(
          eq(withdrawals.id, withdrawal.id),
          eq(withdrawals.state, 'pending'),
          isNull(withdrawals.transactionId),
        ),
      )
      .returning();
    if (failed) await endHeldTransfer(tx, deps.clock, withdrawal.id, withdrawal.holdId, false);
  });
}
