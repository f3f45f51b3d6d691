import { type AbiEvent, type Address, BlockNotFoundError, type Hex } from 'viem';
import { AppError } from '../../core/errors';
import type { ChainClient } from '../client';
import type { Header } from './store';

/** What the follower asks the node: block headers by number and a watcher's logs in a range. */

/**
 * Block headers by number, read once per poll: watchers share them, and the block read as a range's
 * end is the one its events are checked against when confirmed in the same poll.
 */
export class BlockReader {
  private readonly cache = new Map<bigint, Promise<Header | null>>();

  constructor(private readonly chain: ChainClient) {}

  /** Null when the node has no block at that height (yet, or any more). */
  header(number: bigint): Promise<Header | null> {
    let found = this.cache.get(number);
    if (!found) {
      found = this.chain.publicClient.getBlock({ blockNumber: number }).then(
        (block) => ({
          number,
          hash: block.hash.toLowerCase() as Hex,
          parentHash: block.parentHash.toLowerCase() as Hex,
          timestamp: new Date(Number(block.timestamp) * 1000),
        }),
        (error: unknown) => {
          if (error instanceof BlockNotFoundError) return null;
          throw error;
        },
      );
      this.cache.set(number, found);
      // A failed call is asked again, not remembered.
      found.catch(() => this.cache.delete(number));
    }
    return found;
  }

  async hash(number: bigint): Promise<Hex | null> {
    return (await this.header(number))?.hash ?? null;
  }

  async require(number: bigint): Promise<Header> {
    const header = await this.header(number);
    if (!header) {
      throw new AppError('unavailable', `the node has no block ${number}`, { block: number.toString() });
    }
    return header;
  }
}

export interface LogQuery {
  address: Address | readonly Address[];
  event: AbiEvent;
  args: Record<string, unknown> | readonly unknown[] | undefined;
  fromBlock: bigint;
  toBlock: bigint;
}

export interface MinedLog {
  address: Address;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
  eventName: string;
  args: unknown;
}

/** The logs of one event in a range, decoded; logs that do not decode as the event are left out. */
export async function fetchLogs(chain: ChainClient, query: LogQuery): Promise<MinedLog[]> {
  const address = typeof query.address === 'string' ? query.address : [...query.address];
  // An empty list would mean "any" to the node: no address, or no allowed value, means no logs.
  if (Array.isArray(address) && address.length === 0) return [];
  if (query.args && Object.values(query.args).some((value) => Array.isArray(value) && value.length === 0)) {
    return [];
  }
  const logs = await chain.publicClient.getLogs({
    address,
    event: query.event,
    args: query.args,
    fromBlock: query.fromBlock,
    toBlock: query.toBlock,
    strict: true,
  });
  return logs.flatMap(({ address, blockNumber, blockHash, transactionHash, logIndex, eventName, args }) =>
    blockNumber === null || blockHash === null || transactionHash === null || logIndex === null
      ? []
      : [{ address, blockNumber, blockHash, transactionHash, logIndex, eventName, args }],
  );
}
