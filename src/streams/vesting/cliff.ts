import { and, eq, gt, lte } from 'drizzle-orm';
import { type Address, getAddress } from 'viem';
import type { ChainRuntime } from '../../chain/runtime';
import { outgoingTransactions } from '../../chain/schema';
import { estimateGasLimit, queueTransaction } from '../../chain/sender/sender';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { type Notifier, notify } from '../../core/notifications/service';
import { resolveStreamContracts } from '../chain/contracts';
import { flowReference } from '../chain/flow-reference';
import { prepareVestingStart } from '../chain/vesting';
import { checkouts, plans } from '../schema';
import { isCliffRefusal, vestingNotStartedNotice } from '../subscriptions/notifications';

/**
 * Vesting plans at their cliff: for each checkout still waiting on a plan whose cliff has come,
 * Tally's operator pays the start amount to the producer and opens the flow, in one transaction
 * queued through the treasury's sender (`chain/vesting.ts`). The queue's idempotency key names the
 * checkout, so however often the sweep runs or restarts, a cliff is queued once. The follower then
 * sees the flow with the checkout's userData and starts the subscription, as for any checkout.
 *
 * A checkout whose wallet never did its steps (no permission, no allowance, too little wrapped) is
 * not queued: the chain would refuse it. The subscriber is told so once, and it is tried again at
 * each sweep until its reservation lapses a day after the cliff, and then the slot is free again.
 */

export const VESTING_START_PURPOSE = 'streams.vesting_start';

export interface CliffDeps {
  db: Db;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  chain: ChainRuntime;
}

/** Queues the cliff of every vesting checkout that is due; returns how many were queued now. */
export async function startDueVestings(deps: CliffDeps): Promise<number> {
  const { db, clock, chain } = deps;
  const now = clock.now();
  const due = await db
    .select({ checkout: checkouts, plan: plans })
    .from(checkouts)
    .innerJoin(plans, eq(plans.id, checkouts.planId))
    .where(
      and(
        eq(plans.kind, 'vesting'),
        eq(checkouts.purpose, 'subscribe'),
        eq(checkouts.state, 'reserved'),
        lte(plans.cliffAt, now),
        gt(checkouts.expiresAt, now),
      ),
    );
  let queued = 0;
  for (const { checkout, plan } of due) {
    const idempotencyKey = `${VESTING_START_PURPOSE}:${checkout.id}`;
    const [known] = await db
      .select({ id: outgoingTransactions.id })
      .from(outgoingTransactions)
      .where(
        and(
          eq(outgoingTransactions.chainId, chain.client.chainId),
          eq(outgoingTransactions.idempotencyKey, idempotencyKey),
        ),
      );
    if (known) continue;
    const operator = chain.treasury.address;
    try {
      const contracts = await resolveStreamContracts(
        chain.client.publicClient,
        chain.deployment,
        checkout.token,
      );
      const call = await prepareVestingStart(chain.client.publicClient, contracts, {
        operator,
        sender: getAddress(checkout.subscriberAddress) as Address,
        receiver: getAddress(checkout.receiverAddress) as Address,
        flowRate: checkout.flowRate!,
        startAmount: plan.startAmount ?? 0n,
        userData: flowReference(checkout.id),
      });
      const gasLimit = await estimateGasLimit(
        chain.client,
        { from: operator, to: call.to, data: call.data },
        { maxGasLimit: chain.settings.maxGasLimit },
      );
      await db.transaction((tx) =>
        queueTransaction(tx, clock, {
          chainId: chain.client.chainId,
          from: operator,
          to: call.to,
          data: call.data,
          gasLimit,
          purpose: VESTING_START_PURPOSE,
          idempotencyKey,
          metadata: {
            checkout_id: checkout.id,
            plan_id: plan.id,
            start_amount: (plan.startAmount ?? 0n).toString(),
          },
        }),
      );
      queued++;
    } catch (error) {
      // The wallet has not done its steps yet, or the chain did not answer: the next sweep tries again.
      if (!(error instanceof AppError)) throw error;
      deps.log.info({ checkoutId: checkout.id, code: error.code }, 'vesting cliff not startable yet');
      // A refusal of the wallet's own state is the subscriber's to put right, and would otherwise
      // only show when the reservation lapsed: told once, while there is time.
      if (isCliffRefusal(error.code))
        await db.transaction((tx) =>
          notify(
            tx,
            deps.notifier,
            vestingNotStartedNotice({
              userId: checkout.userId,
              wallet: checkout.subscriberAddress,
              token: checkout.token,
              planId: plan.id,
              planName: plan.name,
              code: error.code,
              until: checkout.expiresAt,
              checkoutId: checkout.id,
            }),
          ),
        );
    }
  }
  return queued;
}
