import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import { chainEventId } from '../../src/chain/follower/events';
import type { ChainRuntime } from '../../src/chain/runtime';
import { events } from '../../src/chain/schema';
import type { Db } from '../../src/core/database';

/**
 * Superfluid's flow updates as the follower hands them to the streams watchers, with no chain: the
 * little of a chain the watchers' handlers read, the logs of a flow update, and their storage as
 * the follower keeps them before it confirms them.
 */

export const TALLY = '0x00000000000000000000000000000000000000a1';
export const DAIX = '0x00000000000000000000000000000000000000d1';
export const CFA = '0x00000000000000000000000000000000000000c1';
export const CHAIN_ID = 31337;

/** Just what the watchers' handlers read of a chain: the tokens, Superfluid's presence, the treasury. */
export const watchedChain = {
  deployment: {
    chainId: CHAIN_ID,
    tokens: { DAIx: { symbol: 'DAIx', name: 'Super DAI', address: DAIX, decimals: 18, underlying: 'DAI' } },
    superfluid: { host: '0x00000000000000000000000000000000000000b1', cfaV1Forwarder: CFA },
  },
  treasury: { address: TALLY },
} as unknown as ChainRuntime;

export const randomWallet = () => `0x${randomBytes(20).toString('hex')}`;

let block = 1_000n;

/**
 * A flow update's `FlowUpdated` and the `FlowUpdatedExtension` naming its flow operator (the sender
 * unless told), as the follower would hand them over: a block of their own, consecutive indexes.
 */
export function flowLogs(
  args: { sender: string; receiver: string; flowRate: bigint; userData?: Hex; operator?: string },
  at: Date,
) {
  block++;
  const blockHash = `0x${block.toString(16).padStart(64, '0')}` as Hex;
  const common = {
    chainId: CHAIN_ID,
    blockNumber: block,
    blockHash,
    blockTimestamp: at,
    transactionHash: `0x${randomBytes(32).toString('hex')}` as Hex,
    address: CFA as Hex,
  };
  const flowUpdated = {
    ...common,
    id: chainEventId(CHAIN_ID, blockHash, 4),
    logIndex: 4,
    eventName: 'FlowUpdated',
    args: {
      token: DAIX,
      sender: args.sender,
      receiver: args.receiver,
      flowRate: args.flowRate,
      totalSenderFlowRate: -args.flowRate,
      totalReceiverFlowRate: args.flowRate,
      userData: args.userData ?? '0x',
    },
  };
  const extension = {
    ...common,
    id: chainEventId(CHAIN_ID, blockHash, 5),
    logIndex: 5,
    eventName: 'FlowUpdatedExtension',
    args: { flowOperator: args.operator ?? args.sender, deposit: 0n },
  };
  return { flowUpdated, extension };
}

export type FlowLog = ReturnType<typeof flowLogs>['flowUpdated'] | ReturnType<typeof flowLogs>['extension'];

/** Stores a log as the follower does before it hands it over (bigints as decimal strings); handlers find each other's halves there. */
export async function storeLog(
  db: Db,
  follower: string,
  log: FlowLog,
  state: 'seen' | 'confirmed',
  now: Date,
): Promise<void> {
  const args = Object.fromEntries(
    Object.entries(log.args).map(([key, value]) => [
      key,
      typeof value === 'bigint' ? value.toString() : value,
    ]),
  );
  await db.insert(events).values({
    id: log.id,
    follower,
    chainId: log.chainId,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    blockTimestamp: log.blockTimestamp,
    transactionHash: log.transactionHash,
    logIndex: log.logIndex,
    address: log.address,
    eventName: log.eventName,
    args,
    state,
    createdAt: now,
  });
}
