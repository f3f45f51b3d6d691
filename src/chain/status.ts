import { and, eq, sql } from 'drizzle-orm';
import { erc20Abi } from 'viem';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import { type FollowerStatus, followerStatus } from './follower/status';
import type { ChainRuntime } from './runtime';
import { outgoingTransactions, signers } from './schema';
import { listOutgoingTransactions, type OutgoingTransaction } from './sender/sender';

/** What an administrator sees of the chain: its head, the treasury, what Tally is sending and reading. */
export interface ChainStatus {
  head: { number: bigint; hash: string; timestamp: bigint };
  gasPrice: bigint;
  balances: { symbol: string; decimals: number; amount: bigint }[];
  nextNonce: bigint | null;
  queued: number;
  pending: number;
  open: OutgoingTransaction[];
  recent: OutgoingTransaction[];
  followers: FollowerStatus[];
}

export async function readChainStatus({
  db,
  chain,
}: {
  db: Db;
  clock: Clock;
  chain: ChainRuntime;
}): Promise<ChainStatus> {
  const { publicClient, chainId } = chain.client;
  const treasury = chain.treasury.address;
  const tokens = Object.values(chain.deployment.tokens);
  const [block, gasPrice, eth, ...tokenBalances] = await Promise.all([
    publicClient.getBlock({ blockTag: 'latest' }),
    publicClient.getGasPrice(),
    publicClient.getBalance({ address: treasury }),
    ...tokens.map((token) =>
      publicClient.readContract({
        address: token.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [treasury],
      }),
    ),
  ]);
  const [signer] = await db
    .select({ nextNonce: signers.nextNonce })
    .from(signers)
    .where(and(eq(signers.chainId, chainId), eq(signers.address, treasury)));
  const counts = await db
    .select({ state: outgoingTransactions.state, count: sql<number>`count(*)::int` })
    .from(outgoingTransactions)
    .where(
      sql`${outgoingTransactions.state} IN ('queued', 'pending') AND ${outgoingTransactions.chainId} = ${chainId}`,
    )
    .groupBy(outgoingTransactions.state);
  const countOf = (state: string) => counts.find((row) => row.state === state)?.count ?? 0;
  const [queuedPage, pendingPage, recent] = await Promise.all([
    listOutgoingTransactions(db, { state: 'queued', limit: 50 }),
    listOutgoingTransactions(db, { state: 'pending', limit: 50 }),
    listOutgoingTransactions(db, { limit: 20 }),
  ]);
  const followers = await followerStatus(db, chain.client);
  return {
    head: { number: block.number, hash: block.hash, timestamp: block.timestamp },
    gasPrice,
    balances: [
      { symbol: chain.client.chain.nativeCurrency.symbol, decimals: 18, amount: eth },
      ...tokens.map((token, index) => ({
        symbol: token.symbol,
        decimals: token.decimals,
        amount: tokenBalances[index] as bigint,
      })),
    ],
    nextNonce: signer?.nextNonce ?? null,
    queued: countOf('queued'),
    pending: countOf('pending'),
    open: [...pendingPage.items, ...queuedPage.items],
    recent: recent.items,
    followers,
  };
}
