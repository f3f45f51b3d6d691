import { z } from 'zod';
import type { ChainClient } from './client';

/**
 * The browser's way to the chain: wallets in the web app (wagmi) read balances and send signed
 * transactions through Tally, so the chain's node (the embedded one on a loopback port, or a
 * provider URL with its key) never has to be reachable from the browser. Only the methods a
 * wallet needs pass; node administration (anvil_*, evm_*, debug_*, personal_*) never does.
 */

export const PROXIED_METHODS = new Set([
  'eth_blockNumber',
  'eth_call',
  'eth_chainId',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'eth_sendRawTransaction',
  'net_version',
  'web3_clientVersion',
]);

export const MAX_BATCH = 20;
/** The widest `eth_getLogs` a wallet may ask through Tally: the provider bills and caps by range. */
export const MAX_PROXIED_LOG_RANGE = 1_000n;
/** Calls one person's wallets may make through Tally per minute, every method counted. */
export const PROXIED_CALLS_PER_MINUTE = 600;

const requestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  method: z.string().min(1).max(64),
  params: z.array(z.unknown()).max(16).optional(),
});

export const rpcBodySchema = z.union([requestSchema, z.array(requestSchema).min(1).max(MAX_BATCH)]);
export type RpcBody = z.infer<typeof rpcBodySchema>;
type RpcRequest = z.infer<typeof requestSchema>;

interface RpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** JSON-RPC's code for a method the server does not offer. */
const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;
/** EIP-1474's "limit exceeded". */
const LIMIT_EXCEEDED = -32005;

export async function proxyRpc(client: ChainClient, body: RpcBody): Promise<RpcResponse | RpcResponse[]> {
  if (Array.isArray(body)) return Promise.all(body.map((request) => forward(client, request)));
  return forward(client, body);
}

async function forward(client: ChainClient, request: RpcRequest): Promise<RpcResponse> {
  const id = request.id ?? null;
  if (!PROXIED_METHODS.has(request.method)) {
    return {
      jsonrpc: '2.0',
      id,
      error: { code: METHOD_NOT_FOUND, message: `${request.method} is not available through Tally` },
    };
  }
  try {
    const tooWide =
      request.method === 'eth_getLogs' ? await logRangeProblem(client, request.params?.[0]) : null;
    if (tooWide) return { jsonrpc: '2.0', id, error: { code: LIMIT_EXCEEDED, message: tooWide } };
    const result = await client.publicClient.request({
      method: request.method,
      params: request.params,
    } as Parameters<typeof client.publicClient.request>[0]);
    return { jsonrpc: '2.0', id, result };
  } catch (error) {
    // viem wraps the node's JSON-RPC error; hand the wallet the node's own code and message.
    const cause = findRpcError(error);
    return {
      jsonrpc: '2.0',
      id,
      error: cause ?? { code: INTERNAL_ERROR, message: 'the chain did not answer' },
    };
  }
}

const BLOCK_TAGS = new Set(['latest', 'pending', 'safe', 'finalized']);

/**
 * Why a wallet's `eth_getLogs` filter is not forwarded, or null: one block by hash passes; a range
 * must span at most MAX_PROXIED_LOG_RANGE blocks (a missing bound is the head, as the spec says).
 */
async function logRangeProblem(client: ChainClient, filter: unknown): Promise<string | null> {
  const { fromBlock, toBlock, blockHash } = (filter ?? {}) as Record<string, unknown>;
  if (typeof blockHash === 'string') return null;
  let head: bigint | undefined;
  const blockOf = async (tag: unknown): Promise<bigint | null> => {
    if (tag === undefined || (typeof tag === 'string' && BLOCK_TAGS.has(tag))) {
      head ??= await client.publicClient.getBlockNumber({ cacheTime: 0 });
      return head;
    }
    if (tag === 'earliest') return 0n;
    return typeof tag === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(tag) ? BigInt(tag) : null;
  };
  const [from, to] = [await blockOf(fromBlock), await blockOf(toBlock)];
  if (from === null || to === null) return 'eth_getLogs takes fromBlock and toBlock as block numbers or tags';
  if (to >= from && to - from + 1n > MAX_PROXIED_LOG_RANGE) {
    return `limit exceeded: at most ${MAX_PROXIED_LOG_RANGE} blocks per eth_getLogs through Tally`;
  }
  return null;
}

function findRpcError(error: unknown): RpcResponse['error'] | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const candidate = current as { code?: unknown; details?: unknown; message?: unknown; data?: unknown };
    if (typeof candidate.code === 'number' && typeof candidate.details === 'string') {
      return { code: candidate.code, message: candidate.details, data: candidate.data };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
