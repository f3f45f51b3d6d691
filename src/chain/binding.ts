import { eq } from 'drizzle-orm';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import type { ChainClient } from './client';
import type { ChainDeployment } from './deployment';
import { chainBinding } from './schema';

/**
 * One database, one chain. The first start with a chain records which it is (chain id, genesis block
 * hash, token addresses); every later start compares, and refuses another chain naming both: a
 * second process that started its own development chain, or a new TALLY_HOME under an old database,
 * would otherwise read cursors, nonces and transactions that belong to a chain it is not on.
 */

export interface ChainIdentity {
  chainId: number;
  genesisHash: string;
  tokens: Record<string, string>;
}

export class ChainMismatchError extends Error {
  constructor(
    readonly served: ChainIdentity,
    readonly connected: ChainIdentity,
  ) {
    super(
      `this database serves ${describe(served)}, but the chain connected now is ${describe(connected)}. ` +
        'Point CHAIN_RPC_URL at the chain this database serves, or use another database. Several ' +
        'processes share the embedded chain when one runs it and the others set CHAIN_RPC_URL to its URL.',
    );
    this.name = 'ChainMismatchError';
  }
}

const describe = ({ chainId, genesisHash, tokens }: ChainIdentity) =>
  `chain ${chainId} (genesis ${genesisHash}${tokens.USDC ? `, USDC ${tokens.USDC}` : ''})`;

export async function chainIdentity(
  client: ChainClient,
  deployment: ChainDeployment,
): Promise<ChainIdentity> {
  const genesis = await client.publicClient.getBlock({ blockNumber: 0n });
  const tokens = Object.fromEntries(
    Object.entries(deployment.tokens).map(([symbol, token]) => [symbol, token.address.toLowerCase()]),
  );
  return { chainId: client.chainId, genesisHash: genesis.hash.toLowerCase(), tokens };
}

/**
 * Records the connected chain as this database's, or checks it is the one recorded. A token the record
 * lacks is added (a DAI configured later); one recorded at another address is a mismatch.
 */
export async function bindChain(
  db: Db,
  clock: Clock,
  client: ChainClient,
  deployment: ChainDeployment,
): Promise<ChainIdentity> {
  const connected = await chainIdentity(client, deployment);
  return db.transaction(async (tx) => {
    await tx
      .insert(chainBinding)
      .values({ id: 'this', ...connected, boundAt: clock.now() })
      .onConflictDoNothing();
    const [row] = await tx.select().from(chainBinding).where(eq(chainBinding.id, 'this')).for('update');
    const served: ChainIdentity = {
      chainId: row!.chainId,
      genesisHash: row!.genesisHash,
      tokens: row!.tokens,
    };
    const tokenMoved = Object.entries(connected.tokens).some(
      ([symbol, address]) => served.tokens[symbol] !== undefined && served.tokens[symbol] !== address,
    );
    if (served.chainId !== connected.chainId || served.genesisHash !== connected.genesisHash || tokenMoved) {
      throw new ChainMismatchError(served, connected);
    }
    const added = Object.keys(connected.tokens).filter((symbol) => served.tokens[symbol] === undefined);
    if (added.length > 0) {
      const tokens = { ...served.tokens, ...connected.tokens };
      await tx.update(chainBinding).set({ tokens }).where(eq(chainBinding.id, 'this'));
      return { ...served, tokens };
    }
    return served;
  });
}
