import { and, inArray, isNotNull } from 'drizzle-orm';
import { getAddress } from 'viem';
import type { ChainRuntime } from '../../chain/runtime';
import type { Db } from '../../core/database';
import { readStreamPositions, runOutOf, type StreamPosition, type StreamPositions } from '../chain/buffer';
import { resolveStreamContracts, type StreamContracts } from '../chain/contracts';
import { type PlanToken, planTokens, subscriptions } from '../schema';

/**
 * The wallets the line watches: its streaming subscriptions grouped by wallet and super token (an
 * account runs out as a whole, whatever producers it streams to), and their positions read on
 * chain together — what the run-out scan and the development liquidator both start from.
 */

/** 9999-12-31T23:59:59Z: a tiny rate can outlast every date PostgreSQL and JavaScript hold; that is "never". */
const LAST_SECOND = 253_402_300_799n;

/** Whether this is the embedded development chain (anvil, started by Tally): never a configured one. */
export const isEmbeddedChain = (chain: ChainRuntime): boolean =>
  chain.settings.mode === 'embedded' && chain.client.dev;

export interface LiveSubscription {
  id: string;
  userId: string;
  subscriberAddress: string;
  receiverAddress: string;
  token: PlanToken;
  state: 'active' | 'at_risk' | 'closed' | 'liquidated';
  warned7dAt: Date | null;
  warned24hAt: Date | null;
  closingTransactionId: string | null;
  runsOutAt: Date | null;
  scannedAt: Date | null;
}

/** A wallet in one super token: what runs out, whatever the producers it streams to. */
export interface Account {
  token: PlanToken;
  subscriber: string;
  subscriptions: LiveSubscription[];
}

/** Streaming subscriptions: a usage plan's, paid once, has no flow to run out. */
export const streamingNow = and(
  inArray(subscriptions.state, ['active', 'at_risk']),
  isNotNull(subscriptions.flowRate),
);

const contractsByChain = new WeakMap<ChainRuntime, Promise<Map<PlanToken, StreamContracts>>>();

/** The line's super tokens' contracts, asked of the host once per chain. */
export function lineContracts(chain: ChainRuntime): Promise<Map<PlanToken, StreamContracts>> {
  let found = contractsByChain.get(chain);
  if (!found) {
    found = (async () => {
      const map = new Map<PlanToken, StreamContracts>();
      for (const token of planTokens) {
        if (chain.deployment.tokens[token])
          map.set(token, await resolveStreamContracts(chain.client.publicClient, chain.deployment, token));
      }
      return map;
    })();
    // A failed lookup is asked again next time.
    found.catch(() => contractsByChain.delete(chain));
    contractsByChain.set(chain, found);
  }
  return found;
}

/** The streaming subscriptions, by wallet and super token. */
export async function liveAccounts(db: Db): Promise<Account[]> {
  const rows = await db
    .select({
      id: subscriptions.id,
      userId: subscriptions.userId,
      subscriberAddress: subscriptions.subscriberAddress,
      receiverAddress: subscriptions.receiverAddress,
      token: subscriptions.token,
      state: subscriptions.state,
      warned7dAt: subscriptions.warned7dAt,
      warned24hAt: subscriptions.warned24hAt,
      closingTransactionId: subscriptions.closingTransactionId,
      runsOutAt: subscriptions.runsOutAt,
      scannedAt: subscriptions.scannedAt,
    })
    .from(subscriptions)
    .where(streamingNow);
  const accounts = new Map<string, Account>();
  for (const row of rows) {
    const key = `${row.token}|${row.subscriberAddress}`;
    const account = accounts.get(key) ?? {
      token: row.token,
      subscriber: row.subscriberAddress,
      subscriptions: [],
    };
    account.subscriptions.push(row);
    accounts.set(key, account);
  }
  return [...accounts.values()];
}

/** Every account's position at one block, in as few calls as the multicall allows; null where a read failed. */
export async function readAccounts(
  chain: ChainRuntime,
  accounts: readonly Account[],
  accountsPerCall: number,
): Promise<StreamPositions> {
  const contracts = await lineContracts(chain);
  return readStreamPositions(
    chain.client.publicClient,
    accounts.map((account) => ({
      contracts: contracts.get(account.token)!,
      account: getAddress(account.subscriber),
    })),
    { accountsPerCall },
  );
}

/** When the position turns critical, in chain seconds; null: never, or past every date a database holds. */
export const criticalOf = (position: StreamPosition): bigint | null => {
  const { criticalAt } = runOutOf(position);
  return criticalAt === null || criticalAt > LAST_SECOND ? null : criticalAt;
};

export const dateOf = (seconds: bigint): Date => new Date(Number(seconds) * 1000);

/** Tally's clock in whole seconds, or the chain's when it is ahead: chain time never runs backwards. */
export function chainNow(clock: { now(): Date }, chainSeconds: bigint): bigint {
  const clockSeconds = BigInt(Math.floor(clock.now().getTime() / 1000));
  return clockSeconds > chainSeconds ? clockSeconds : chainSeconds;
}
