import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Hex, hexToBigInt, numberToHex, parseTransaction, recoverTransactionAddress } from 'viem';

/**
 * A JSON-RPC endpoint between Tally and anvil that behaves as real providers do: load-balanced
 * backends a few blocks behind the head, a receipt index that lags, answers lost after the node acted,
 * refusals of nonce gaps and wide log ranges, capped log answers, and node errors on demand. All on
 * 127.0.0.1; the node behind it stays consistent, so a test can always ask it for the truth.
 */

export interface RpcFaults {
  /** Reads answer as a backend this many blocks behind the head: `blockNumber`, blocks, logs, state. */
  lagBlocks: number;
  /**
   * Only `eth_blockNumber` lags (the head comes from a backend behind the one that answers the
   * rest); 0 for none. Reads by number above it still work.
   */
  headLagBlocks: number;
  /** Receipts and transactions by hash of the newest this-many blocks are not found yet. */
  receiptLagBlocks: number;
  /** Only `eth_getLogs` answers as a backend this many blocks behind: nothing above its head, no error. */
  logLagBlocks: number;
  /** A transaction whose nonce is ahead of the sender's pending count is refused ("nonce too high"). */
  refuseNonceGaps: boolean;
  /** `eth_getLogs` over more blocks than this is refused, as providers refuse wide ranges. */
  maxLogRange: number | null;
  /** `eth_getLogs` that would answer more logs than this is refused. */
  maxLogs: number | null;
}

export interface JsonRpcError {
  code: number;
  message: string;
}

export interface UnreliableRpc {
  url: string;
  faults: RpcFaults;
  /** Every method called through the proxy, in order. */
  calls: string[];
  /** The next `count` calls of `method` reach the node, but their answers are lost. */
  loseAnswers(method: string, count?: number): void;
  /**
   * The next `count` calls of `method` (those whose params `when` accepts) are answered with `error`
   * and never reach the node.
   */
  refuse(method: string, error: JsonRpcError, count?: number, when?: (params: unknown[]) => boolean): void;
  /** Calls the node itself, past every fault. */
  node<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Replaces the newest `depth` blocks with as many empty ones (their transactions go back to the pool). */
  reorg(depth: number): Promise<void>;
  /** Back to a well-behaved endpoint. */
  heal(): void;
  stop(): Promise<void>;
}

interface RpcRequest {
  jsonrpc: '2.0';
  id: number | string | null;
  method: string;
  params?: unknown[];
}

type RpcAnswer = { result: unknown } | { error: JsonRpcError };

const healthy = (): RpcFaults => ({
  lagBlocks: 0,
  headLagBlocks: 0,
  receiptLagBlocks: 0,
  logLagBlocks: 0,
  refuseNonceGaps: false,
  maxLogRange: null,
  maxLogs: null,
});

const BLOCK_TAGS = new Set(['latest', 'pending', 'safe', 'finalized']);

export async function startUnreliableRpc(upstream: string): Promise<UnreliableRpc> {
  const faults = healthy();
  const calls: string[] = [];
  const losing = new Map<string, number>();
  const refusing = new Map<
    string,
    { error: JsonRpcError; count: number; when: (params: unknown[]) => boolean }
  >();
  let nextId = 1;

  async function node<T>(method: string, params: unknown[] = []): Promise<T> {
    const response = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    });
    const answer = (await response.json()) as { result?: T; error?: JsonRpcError };
    if (answer.error) throw Object.assign(new Error(answer.error.message), { rpc: answer.error });
    return answer.result as T;
  }

  const forward = async (method: string, params: unknown[]): Promise<RpcAnswer> => {
    try {
      return { result: await node(method, params) };
    } catch (error) {
      const rpc = (error as { rpc?: JsonRpcError }).rpc;
      if (rpc) return { error: rpc };
      throw error;
    }
  };

  /** The block a lagging backend has as its newest. */
  const visibleHead = async (lag: number) => {
    const head = hexToBigInt(await node<Hex>('eth_blockNumber'));
    return head > BigInt(lag) ? head - BigInt(lag) : 0n;
  };

  /** A block tag or number as a number at most `head`, or null when it is above it. */
  const clampTag = (tag: unknown, head: bigint): bigint | null => {
    if (typeof tag !== 'string' || BLOCK_TAGS.has(tag)) return head;
    if (tag === 'earliest') return 0n;
    const number = hexToBigInt(tag as Hex);
    return number > head ? null : number;
  };

  const unknownBlock = { error: { code: -32000, message: 'header not found' } };

  async function answer(method: string, params: unknown[]): Promise<RpcAnswer> {
    const refusal = refusing.get(method);
    if (refusal && refusal.count > 0 && refusal.when(params)) {
      refusal.count--;
      return { error: refusal.error };
    }
    const lag = faults.lagBlocks;
    switch (method) {
      case 'eth_blockNumber':
        return { result: numberToHex(await visibleHead(Math.max(lag, faults.headLagBlocks))) };
      case 'eth_getBlockByNumber': {
        const head = await visibleHead(lag);
        const number = clampTag(params[0], head);
        return number === null ? { result: null } : forward(method, [numberToHex(number), params[1]]);
      }
      case 'eth_getBlockByHash': {
        const block = await node<{ number: Hex } | null>(method, [params[0], false]);
        if (!block || hexToBigInt(block.number) > (await visibleHead(lag))) return { result: null };
        return forward(method, params);
      }
      case 'eth_getTransactionCount':
      case 'eth_getBalance':
      case 'eth_getCode':
      case 'eth_getStorageAt':
      case 'eth_call': {
        if (lag === 0) return forward(method, params);
        const head = await visibleHead(lag);
        const at = params.length > 1 ? params.at(-1) : 'latest';
        const number = clampTag(at, head);
        if (number === null) return unknownBlock;
        return forward(method, [...params.slice(0, -1), numberToHex(number)]);
      }
      case 'eth_getTransactionReceipt':
      case 'eth_getTransactionByHash': {
        const found = await forward(method, params);
        if (!('result' in found) || found.result === null) return found;
        const { blockNumber } = found.result as { blockNumber: Hex | null };
        if (blockNumber === null) return found;
        const head = await visibleHead(Math.max(lag, faults.receiptLagBlocks));
        return hexToBigInt(blockNumber) > head ? { result: null } : found;
      }
      case 'eth_getLogs':
        return getLogs(params[0] as LogFilter);
      case 'eth_sendRawTransaction':
        if (faults.refuseNonceGaps) {
          const raw = params[0] as Hex;
          const transaction = parseTransaction(raw);
          const from = await recoverTransactionAddress({ serializedTransaction: raw as never });
          const pending = hexToBigInt(await node<Hex>('eth_getTransactionCount', [from, 'pending']));
          if (BigInt(transaction.nonce ?? 0) > pending) {
            return { error: { code: -32000, message: 'nonce too high' } };
          }
        }
        return forward(method, params);
      default:
        return forward(method, params);
    }
  }

  interface LogFilter {
    fromBlock?: string;
    toBlock?: string;
    blockHash?: Hex;
    address?: unknown;
    topics?: unknown;
  }

  async function getLogs(filter: LogFilter): Promise<RpcAnswer> {
    const head = await visibleHead(Math.max(faults.lagBlocks, faults.logLagBlocks));
    if (filter.blockHash) {
      const block = await node<{ number: Hex } | null>('eth_getBlockByHash', [filter.blockHash, false]);
      if (!block || hexToBigInt(block.number) > head)
        return { error: { code: -32000, message: 'unknown block' } };
      return forward('eth_getLogs', [filter]);
    }
    const from = clampTag(filter.fromBlock ?? 'latest', head);
    // A backend behind the head answers what it has: nothing above its head, and no error.
    if (from === null) return { result: [] };
    const to = clampTag(filter.toBlock ?? 'latest', head) ?? head;
    if (faults.maxLogRange !== null && to - from + 1n > BigInt(faults.maxLogRange)) {
      return {
        error: { code: -32005, message: `query exceeds max block range ${faults.maxLogRange}` },
      };
    }
    const found = await forward('eth_getLogs', [
      { ...filter, fromBlock: numberToHex(from), toBlock: numberToHex(to) },
    ]);
    if (
      faults.maxLogs !== null &&
      'result' in found &&
      Array.isArray(found.result) &&
      found.result.length > faults.maxLogs
    ) {
      return { error: { code: -32005, message: `query returned more than ${faults.maxLogs} results` } };
    }
    return found;
  }

  async function handle(request: RpcRequest): Promise<unknown> {
    calls.push(request.method);
    const params = request.params ?? [];
    const result = await answer(request.method, params);
    const left = losing.get(request.method) ?? 0;
    if (left > 0) {
      losing.set(request.method, left - 1);
      return 'lost';
    }
    return { jsonrpc: '2.0', id: request.id, ...result };
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RpcRequest | RpcRequest[];
      const answers = Array.isArray(body) ? await Promise.all(body.map(handle)) : await handle(body);
      if (answers === 'lost' || (Array.isArray(answers) && answers.includes('lost'))) {
        // The node acted; the caller never hears of it.
        res.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers));
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    calls,
    loseAnswers(method, count = 1) {
      losing.set(method, (losing.get(method) ?? 0) + count);
    },
    refuse(method, error, count = 1, when = () => true) {
      refusing.set(method, { error, count, when });
    },
    node,
    async reorg(depth) {
      await node('anvil_reorg', [depth, []]);
    },
    heal() {
      Object.assign(faults, healthy());
      losing.clear();
      refusing.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
