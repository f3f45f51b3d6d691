import { and, asc, eq, inArray } from 'drizzle-orm';
import { type Address, getAddress } from 'viem';
import { estimateGasLimit, queueTransaction, type Settlement } from '../../chain/sender/sender';
import { databaseStep, defineFlow, type Flow } from '../../core/flows';
import { readStreamPosition } from '../chain/buffer';
import { prepareFlowDelete } from '../chain/operator';
import { subscriptions } from '../schema';
import { type Account, chainNow, criticalOf, dateOf, lineContracts, streamingNow } from './accounts';
import type { RunOutDeps } from './runout';

/**
 * Tally's operator close of a flow about to run out: queued through the treasury sender once per
 * flow, whatever the restarts and however many processes scan, and queued again only after the
 * sender's finished hook says the last attempt failed on chain.
 */

export const CLOSE_FLOW_PURPOSE = 'streams.close_flow';

/**
 * Queues Tally's operator delete of one flow (the wallet's to one producer's wallet, in one token),
 * once: the flow's streaming subscriptions are locked and the close is refused if one is queued
 * already; its idempotency key names the flow's oldest subscription and the attempt, so a retry
 * after a failed close is a new transaction and a replay of the same attempt is the same one.
 * Returns whether it queued.
 */
export async function queueFlowClose(
  deps: RunOutDeps,
  account: Account,
  receiver: string,
  scannedAt: bigint,
): Promise<boolean> {
  const { chain } = deps;
  const contracts = (await lineContracts(chain)).get(account.token)!;
  const sender = getAddress(account.subscriber) as Address;
  // A second read of this wallet alone, no older than the scan's: a close needs two that agree.
  const position = await readStreamPosition(chain.client.publicClient, contracts, sender);
  const criticalAt = criticalOf(position);
  const now = chainNow(deps.clock, position.timestamp);
  if (
    position.timestamp < scannedAt ||
    criticalAt === null ||
    criticalAt <= now ||
    criticalAt - now > BigInt(deps.settings.closeMarginSeconds)
  ) {
    return false;
  }
  const operator = chain.treasury.address;
  const call = await prepareFlowDelete(chain.client.publicClient, contracts, {
    operator,
    sender,
    receiver: getAddress(receiver),
  });
  const gasLimit = await estimateGasLimit(
    chain.client,
    { from: operator, to: call.to, data: call.data },
    { maxGasLimit: chain.settings.maxGasLimit },
  );
  return deps.db.transaction(async (tx) => {
    const flow = await tx
      .select()
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.token, account.token),
          eq(subscriptions.subscriberAddress, account.subscriber),
          eq(subscriptions.receiverAddress, receiver),
          streamingNow,
        ),
      )
      .orderBy(asc(subscriptions.startedAt), asc(subscriptions.id))
      .for('update');
    if (flow.length === 0 || flow.some((s) => s.closingTransactionId !== null)) return false;
    const attempt = Math.max(...flow.map((s) => s.closeAttempts)) + 1;
    const queued = await queueTransaction(tx, deps.clock, {
      chainId: chain.client.chainId,
      from: operator,
      to: call.to,
      data: call.data,
      gasLimit,
      purpose: CLOSE_FLOW_PURPOSE,
      idempotencyKey: `${CLOSE_FLOW_PURPOSE}:${flow[0]!.id}:${attempt}`,
      metadata: {
        subscription_ids: flow.map((s) => s.id),
        token: account.token,
        sender: account.subscriber,
        receiver,
        runs_out_at: dateOf(criticalAt).toISOString(),
      },
    });
    await tx
      .update(subscriptions)
      .set({ closingTransactionId: queued.id, closeAttempts: attempt, updatedAt: deps.clock.now() })
      .where(
        inArray(
          subscriptions.id,
          flow.map((s) => s.id),
        ),
      );
    return true;
  });
}

/**
 * The sender's finished hook for an operator close. Mined: nothing to do, the follower sees the
 * deletion and closes the subscriptions. Reverted or cancelled (the flow was gone already, or the
 * nonce went to another transaction): the subscriptions still streaming forget it, and the next
 * scan queues another attempt if the close is still due.
 */
export function closeFlowSettlement(deps: Pick<RunOutDeps, 'clock'>): Flow<Settlement> {
  return defineFlow<Settlement>({
    name: 'streams.settle_close_flow',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        if (input.state === 'confirmed') return null;
        const released = await tx
          .update(subscriptions)
          .set({ closingTransactionId: null, updatedAt: deps.clock.now() })
          .where(
            and(
              eq(subscriptions.closingTransactionId, input.transactionId),
              inArray(subscriptions.state, ['active', 'at_risk']),
            ),
          )
          .returning({ id: subscriptions.id });
        return { released: released.length };
      }),
    ],
  });
}
